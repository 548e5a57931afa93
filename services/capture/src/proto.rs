//! The pipe protocol between the service and its SDK child: frames of byte fields.
//!
//! A frame is a big-endian `u32` body length, then fields, each a `u32` length and its
//! bytes. The first field names the message: requests `init`, `chat`, `decrypt`, `media`;
//! answers `ready`, `ok`, `err` (an SDK return code) and `fatal` (the library cannot be
//! used). Binary-safe (media chunks), no dependency, and a torn frame (a child killed
//! mid-write) is an EOF error, never a wrong answer.

use std::io::{self, Read, Write};

/// Larger frames are refused: a chunk is 512 KB, a GetChatData answer of 1,000 messages a
/// few MB.
const MAX_FRAME: usize = 256 << 20;

pub type Frame = Vec<Vec<u8>>;

pub fn write_frame(w: &mut impl Write, fields: &[&[u8]]) -> io::Result<()> {
    let body: usize = fields.iter().map(|f| 4 + f.len()).sum();
    let mut buf = Vec::with_capacity(4 + body);
    buf.extend_from_slice(&(body as u32).to_be_bytes());
    for f in fields {
        buf.extend_from_slice(&(f.len() as u32).to_be_bytes());
        buf.extend_from_slice(f);
    }
    w.write_all(&buf)?;
    w.flush()
}

pub fn read_frame(r: &mut impl Read) -> io::Result<Frame> {
    let mut len = [0u8; 4];
    r.read_exact(&mut len)?;
    let n = u32::from_be_bytes(len) as usize;
    if n > MAX_FRAME {
        return Err(io::Error::new(
            io::ErrorKind::InvalidData,
            "frame too large",
        ));
    }
    let mut body = vec![0u8; n];
    r.read_exact(&mut body)?;
    let mut fields = Vec::new();
    let mut rest = &body[..];
    while !rest.is_empty() {
        if rest.len() < 4 {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "torn field"));
        }
        let (l, tail) = rest.split_at(4);
        let l = u32::from_be_bytes([l[0], l[1], l[2], l[3]]) as usize;
        if tail.len() < l {
            return Err(io::Error::new(io::ErrorKind::InvalidData, "torn field"));
        }
        fields.push(tail[..l].to_vec());
        rest = &tail[l..];
    }
    Ok(fields)
}

/// A decimal number field.
pub fn num<T: std::str::FromStr>(field: Option<&Vec<u8>>) -> Option<T> {
    std::str::from_utf8(field?).ok()?.parse().ok()
}

/// A UTF-8 text field ("" when absent or not UTF-8).
pub fn text(field: Option<&Vec<u8>>) -> String {
    field
        .and_then(|f| std::str::from_utf8(f).ok())
        .unwrap_or("")
        .to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn frames_round_trip_and_torn_frames_fail() {
        let mut buf = Vec::new();
        write_frame(&mut buf, &[b"ok", b"", &[0, 1, 2, 255]]).unwrap();
        write_frame(&mut buf, &[b"err", b"10001"]).unwrap();
        let mut r = &buf[..];
        assert_eq!(
            read_frame(&mut r).unwrap(),
            vec![b"ok".to_vec(), vec![], vec![0, 1, 2, 255]]
        );
        let f = read_frame(&mut r).unwrap();
        assert_eq!(num::<i32>(f.get(1)), Some(10001));
        assert_eq!(text(f.first()), "err");
        assert!(read_frame(&mut r).is_err(), "EOF");
        let torn = &buf[..buf.len() - 3];
        let mut r = torn;
        read_frame(&mut r).unwrap();
        assert!(read_frame(&mut r).is_err(), "torn frame");
    }
}
