//! The input file as a stream of lines in constant memory: a line longer than the record
//! limit is not held — only its position is returned, and [`copy_record`] streams its bytes
//! into the dead letter later.

use std::fs::File;
use std::io::{BufRead, BufReader, Read, Seek, SeekFrom, Write};
use std::path::Path;

use base64::prelude::{Engine as _, BASE64_STANDARD};
use wcp_model::OriginalEncoding;
use wcp_stages::dead_letters::Fingerprint;

const READ_BUF: usize = 1 << 20;
const COPY_CHUNK: usize = 3 * (1 << 16); // a multiple of 3: base64 chunks join cleanly
/// Bytes kept of an oversize line: where its `seq` is looked for (`seq_in_head`).
const HEAD: usize = 4096;

pub enum Line<'a> {
    /// A line within the limit (no `\n`, no trailing `\r`); blank lines are skipped.
    Record { no: u64, bytes: &'a [u8] },
    /// A line over the limit: where it starts, how long it is and its first bytes (at most
    /// [`HEAD`], for its `seq`).
    Oversize {
        no: u64,
        start: u64,
        len: u64,
        head: &'a [u8],
    },
}

pub struct Lines {
    reader: BufReader<File>,
    max: u64,
    buf: Vec<u8>,
    no: u64,
    /// Blank lines skipped so far: counted, so the summary adds up to the file's lines.
    blank: u64,
    /// Byte offset of the next unread byte.
    pos: u64,
}

impl Lines {
    pub fn open(path: &Path, max_record_bytes: u64) -> std::io::Result<Lines> {
        Ok(Lines {
            reader: BufReader::with_capacity(READ_BUF, File::open(path)?),
            max: max_record_bytes,
            buf: Vec::new(),
            no: 0,
            blank: 0,
            pos: 0,
        })
    }

    /// Blank (empty or whitespace-only) lines skipped so far.
    pub fn blank(&self) -> u64 {
        self.blank
    }

    /// Bytes read so far (for progress).
    pub fn position(&self) -> u64 {
        self.pos
    }

    pub fn next_line(&mut self) -> std::io::Result<Option<Line<'_>>> {
        loop {
            self.buf.clear();
            // A long record's buffer (up to `max` + 1, 16 MiB by default) is let go once it
            // was handled: kept, it would stay resident for the rest of the run.
            if self.buf.capacity() > READ_BUF {
                self.buf = Vec::new();
            }
            let start = self.pos;
            let mut len = 0u64;
            let mut ended = false;
            // Read up to the newline, keeping at most max + 1 bytes (the +1 for a `\r`).
            while !ended {
                let chunk = self.reader.fill_buf()?;
                if chunk.is_empty() {
                    break;
                }
                let (take, found) = match memchr::memchr(b'\n', chunk) {
                    Some(i) => (i, true),
                    None => (chunk.len(), false),
                };
                if len + (take as u64) <= self.max + 1 {
                    self.buf.extend_from_slice(&chunk[..take]);
                } else {
                    // Over the limit: only the head is kept.
                    let room = HEAD.saturating_sub(self.buf.len());
                    self.buf.truncate(HEAD);
                    self.buf.extend_from_slice(&chunk[..take.min(room)]);
                }
                len += take as u64;
                let used = take + usize::from(found);
                self.reader.consume(used);
                self.pos += used as u64;
                ended = found;
            }
            if len == 0 && !ended {
                return Ok(None);
            }
            self.no += 1;
            if len > self.max + 1 || (len == self.max + 1 && self.buf.last() != Some(&b'\r')) {
                return Ok(Some(Line::Oversize {
                    no: self.no,
                    start,
                    len,
                    head: &self.buf,
                }));
            }
            if self.buf.last() == Some(&b'\r') {
                self.buf.pop();
            }
            if self.buf.iter().all(u8::is_ascii_whitespace) {
                self.blank += 1;
                continue;
            }
            return Ok(Some(Line::Record {
                no: self.no,
                bytes: &self.buf,
            }));
        }
    }
}

/// Streams bytes `start..start+len` of `path` into `w` as the content of a JSON string:
/// the text itself when it is UTF-8, base64 otherwise (returned, with the bytes'
/// fingerprint for the archive's copy). Two passes over the range, each in constant memory:
/// the first decides the encoding.
pub fn copy_record(
    path: &Path,
    start: u64,
    len: u64,
    w: &mut impl Write,
) -> std::io::Result<(OriginalEncoding, u64)> {
    let mut f = File::open(path)?;
    let mut buf = vec![0u8; COPY_CHUNK];
    let mut utf8 = true;
    let mut carry: Vec<u8> = Vec::new();
    let mut print = Fingerprint::new();
    for_each_chunk(&mut f, start, len, &mut buf, |chunk| {
        print.update(chunk);
        if !utf8 {
            return true; // read on for the fingerprint only
        }
        carry.extend_from_slice(chunk);
        match std::str::from_utf8(&carry) {
            Ok(_) => carry.clear(),
            Err(e) if e.error_len().is_none() => {
                carry.drain(..e.valid_up_to());
            }
            Err(_) => utf8 = false,
        }
        true
    })?;
    let utf8 = utf8 && carry.is_empty();
    let mut carry: Vec<u8> = Vec::new();
    for_each_chunk(&mut f, start, len, &mut buf, |chunk| {
        if utf8 {
            carry.extend_from_slice(chunk);
            let valid = match std::str::from_utf8(&carry) {
                Ok(s) => s.len(),
                Err(e) => e.valid_up_to(),
            };
            let text = std::str::from_utf8(&carry[..valid]).unwrap_or_default();
            let quoted = serde_json::to_vec(text).unwrap_or_default();
            let ok = w.write_all(&quoted[1..quoted.len() - 1]).is_ok();
            carry.drain(..valid);
            ok
        } else {
            w.write_all(BASE64_STANDARD.encode(chunk).as_bytes())
                .is_ok()
        }
    })?;
    let enc = if utf8 {
        OriginalEncoding::Utf8
    } else {
        OriginalEncoding::Base64
    };
    Ok((enc, print.value()))
}

/// Calls `f` on consecutive chunks (full chunks but the last) until it returns false.
fn for_each_chunk(
    file: &mut File,
    start: u64,
    len: u64,
    buf: &mut [u8],
    mut f: impl FnMut(&[u8]) -> bool,
) -> std::io::Result<()> {
    file.seek(SeekFrom::Start(start))?;
    let mut left = len;
    while left > 0 {
        let want = (buf.len() as u64).min(left) as usize;
        file.read_exact(&mut buf[..want])?;
        left -= want as u64;
        if !f(&buf[..want]) {
            break;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn lines(content: &[u8], max: u64) -> Vec<String> {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), content).unwrap();
        let mut l = Lines::open(tmp.path(), max).unwrap();
        let mut out = Vec::new();
        while let Some(line) = l.next_line().unwrap() {
            out.push(match line {
                Line::Record { no, bytes } => format!("{no}:{}", String::from_utf8_lossy(bytes)),
                Line::Oversize {
                    no,
                    start,
                    len,
                    head,
                } => format!("{no}:big@{start}+{len}:{}", String::from_utf8_lossy(head)),
            });
        }
        out
    }

    #[test]
    fn splits_skips_blanks_and_bounds_lines() {
        assert_eq!(
            lines(b"ab\r\n\n  \ncdef\nxyz", 3),
            ["1:ab", "4:big@8+4:cdef", "5:xyz"]
        );
        assert_eq!(lines(b"abc\r\n", 3), ["1:abc"]);
        assert_eq!(lines(b"", 3), Vec::<String>::new());
    }

    #[test]
    fn an_oversize_line_keeps_its_head_only() {
        let long = format!("{{\"seq\":3,\"t\":\"{}\"}}", "x".repeat(3 * HEAD));
        let got = lines(format!("{long}\nok\n").as_bytes(), 20);
        assert_eq!(got.len(), 2);
        let want = format!("1:big@0+{}:{}", long.len(), &long[..HEAD]);
        assert_eq!(got[0], want);
        assert_eq!(got[1], "2:ok");
    }

    #[test]
    fn a_long_records_buffer_is_let_go_after_it() {
        // Within the limit but longer than the read buffer, then a short line: the short
        // line's read must not keep the long one's allocation resident.
        let long = "x".repeat(3 * READ_BUF);
        let tmp = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(tmp.path(), format!("{long}\nok\n")).unwrap();
        let mut l = Lines::open(tmp.path(), 4 * READ_BUF as u64).unwrap();
        assert!(
            matches!(l.next_line().unwrap(), Some(Line::Record { bytes, .. }) if bytes.len() == long.len())
        );
        assert!(
            matches!(l.next_line().unwrap(), Some(Line::Record { bytes, .. }) if bytes == b"ok")
        );
        assert!(l.buf.capacity() <= READ_BUF, "{}", l.buf.capacity());
    }

    #[test]
    fn copies_text_or_base64_across_chunk_edges() {
        let tmp = tempfile::NamedTempFile::new().unwrap();
        // Multi-byte characters straddle every chunk boundary somewhere in 200k chars.
        let text: String = "你好\"\\\u{1}a".repeat(40_000);
        std::fs::write(tmp.path(), format!("x\n{text}\n")).unwrap();
        let mut out = Vec::new();
        let (enc, print) = copy_record(tmp.path(), 2, text.len() as u64, &mut out).unwrap();
        assert_eq!(enc, OriginalEncoding::Utf8);
        let mut whole = Fingerprint::new();
        whole.update(text.as_bytes());
        assert_eq!(print, whole.value());
        let back: String = serde_json::from_slice(&[b"\"", &out[..], b"\""].concat()).unwrap();
        assert_eq!(back, text);

        let mut bytes = vec![0xffu8; 300_001];
        bytes[5] = b'{';
        std::fs::write(tmp.path(), &bytes).unwrap();
        let mut out = Vec::new();
        let (enc, _) = copy_record(tmp.path(), 0, bytes.len() as u64, &mut out).unwrap();
        assert_eq!(enc, OriginalEncoding::Base64);
        assert_eq!(BASE64_STANDARD.decode(&out).unwrap(), bytes);
    }
}
