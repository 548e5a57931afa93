//! The WAL's page images of an encrypted file, checked like the database's pages
//! (`at_rest_pages.rs`): between checkpoints the newest copy of a page lives only in
//! `<db>-wal` (tens of MB of an archive, or a whole small one), and a byte changed there was
//! found by no verify (trial 15h D4).
//!
//! The WAL as SQLite defines it (<https://www.sqlite.org/fileformat2.html#walformat>): a
//! 32-byte header (magic, version, page size, checkpoint sequence, two salts, a checksum of
//! the first 24 bytes), then frames of a 24-byte header (page number, the database size in
//! pages on a commit frame else 0, the two salts, a checksum) and one page. A frame's
//! checksum is cumulative: it continues the previous frame's (the header's for the first)
//! over the frame header's first 8 bytes and the page. Which frames count:
//! - while a connection has the database open, SQLite reads frames up to the wal-index's
//!   `mxFrame` (`<db>-shm`) and trusts them: every one of those must carry the header's
//!   salts, chain its checksum and pass its page's HMAC;
//! - without a usable wal-index (a copy without `-shm`, after a crash) SQLite recovers: it
//!   reads frames while they carry the salts and their checksums chain, up to the last
//!   commit frame. A checksum that breaks with commit frames after it under the same salts
//!   would make SQLite drop those commits silently: reported. A broken or partial frame with
//!   no commit after it is a write cut short by a crash (or a transaction rolled back),
//!   normal: not reported.
//!
//! Frames with other salts are left from before the WAL was last restarted, and frames past
//! the committed ones are a transaction being written: neither is part of the database.

use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};

use super::pages::PageAuth;
use super::{Cipher, DbKey, CIPHER_PAGE_SIZE};

const WAL_HEADER: usize = 32;
const FRAME_HEADER: usize = 24;
const MAGIC_LE: u32 = 0x377f_0682;
const MAGIC_BE: u32 = 0x377f_0683;
const WAL_VERSION: u32 = 3_007_000;
/// Scans of a WAL the writer restarted meanwhile, before giving up.
const ATTEMPTS: usize = 3;

fn be32(b: &[u8], at: usize) -> u32 {
    u32::from_be_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

fn ne32(b: &[u8], at: usize) -> u32 {
    u32::from_ne_bytes(b[at..at + 4].try_into().expect("4 bytes"))
}

/// SQLite's WAL checksum (`walChecksumBytes`): over 32-bit words, big-endian when `big`.
fn checksum(big: bool, data: &[u8], mut s: (u32, u32)) -> (u32, u32) {
    for w in data.chunks_exact(8) {
        let word = |at: usize| {
            let b: [u8; 4] = w[at..at + 4].try_into().expect("4 bytes");
            if big {
                u32::from_be_bytes(b)
            } else {
                u32::from_le_bytes(b)
            }
        };
        s.0 = s.0.wrapping_add(word(0)).wrapping_add(s.1);
        s.1 = s.1.wrapping_add(word(4)).wrapping_add(s.0);
    }
    s
}

/// A valid WAL header: (checksums big-endian, page size, salts, header checksum).
struct Header {
    big: bool,
    page: usize,
    salts: [u8; 8],
    sum: (u32, u32),
}

fn header(h: &[u8]) -> Result<Header, String> {
    let magic = be32(h, 0);
    if magic != MAGIC_LE && magic != MAGIC_BE {
        return Err(format!(
            "its header has no WAL magic number ({magic:#010x})"
        ));
    }
    if be32(h, 4) != WAL_VERSION {
        return Err(format!("its header has version {}", be32(h, 4)));
    }
    let big = magic == MAGIC_BE;
    let sum = checksum(big, &h[..24], (0, 0));
    if sum != (be32(h, 24), be32(h, 28)) {
        return Err("its header fails its checksum".into());
    }
    let page = match be32(h, 8) {
        1 => 65_536,
        n => n as usize,
    };
    Ok(Header {
        big,
        page,
        salts: h[16..24].try_into().expect("8 bytes"),
        sum,
    })
}

/// The wal-index's `mxFrame` (`<db>-shm`: two equal copies of a 48-byte header, native byte
/// order, with its own checksum) when it describes this WAL (the same salts); None when there
/// is no usable index (SQLite would then recover from the WAL alone).
fn index_mx_frame(shm: &[u8], wal_header: &Header) -> Option<u32> {
    let (a, b) = (shm.get(..48)?, shm.get(48..96)?);
    if a != b || ne32(a, 0) != WAL_VERSION || a[12] != 1 || a[32..40] != wal_header.salts {
        return None;
    }
    let native = |w: &[u8]| {
        let mut s = (0u32, 0u32);
        for p in w.chunks_exact(8) {
            s.0 = s.0.wrapping_add(ne32(p, 0)).wrapping_add(s.1);
            s.1 = s.1.wrapping_add(ne32(p, 4)).wrapping_add(s.0);
        }
        s
    };
    (native(&a[..40]) == (ne32(a, 40), ne32(a, 44))).then(|| ne32(a, 16))
}

/// What one pass over a WAL found: one line per problem, naming the WAL, frame and page.
fn scan(
    mut wal: impl Read,
    name: &str,
    shm: Option<&[u8]>,
    auth: &dyn Fn(&[u8], u32) -> bool,
) -> std::io::Result<Vec<String>> {
    let mut head = [0u8; WAL_HEADER];
    let got = read_full(&mut wal, &mut head)?;
    let frame_len = FRAME_HEADER + CIPHER_PAGE_SIZE as usize;
    if got < WAL_HEADER {
        return Ok(Vec::new()); // Empty, or a header cut short: no frame to lose.
    }
    let h = match header(&head) {
        Ok(h) => h,
        Err(why) => {
            // SQLite ignores such a WAL as a whole: every frame in it is lost.
            let frames = std::io::copy(&mut wal, &mut std::io::sink())? / frame_len as u64;
            return Ok(match frames {
                0 => Vec::new(),
                n => vec![format!(
                    "{name}: {why}, so SQLite ignores all {n} frames in it (the pages written \
                     since the last checkpoint)"
                )],
            });
        }
    };
    if h.page != CIPHER_PAGE_SIZE as usize {
        return Ok(vec![format!(
            "{name}: its header states pages of {} bytes, the archive's are {CIPHER_PAGE_SIZE}",
            h.page
        )]);
    }
    let mx_frame = shm.and_then(|s| index_mx_frame(s, &h));
    let mut frame = vec![0u8; frame_len];
    let mut sum = h.sum;
    // The first frame whose checksum did not chain (and its page); the last commit frame
    // before it.
    let mut broken: Option<(u64, u32)> = None;
    let mut last_commit = 0u64;
    let (mut commits_after, mut frames_after) = (0u64, 0u64);
    let mut bad_hmac: Vec<(u64, u32)> = Vec::new();
    let mut problems = Vec::new();
    let mut n = 0u64;
    loop {
        if mx_frame.is_some_and(|mx| n >= u64::from(mx)) {
            break; // Past the committed frames: a transaction being written, if any.
        }
        if read_full(&mut wal, &mut frame)? < frame_len {
            break;
        }
        if frame[8..16] != h.salts {
            break; // Left from before the WAL was restarted.
        }
        n += 1;
        let pgno = be32(&frame, 0);
        let commit = be32(&frame, 4) != 0;
        if broken.is_none() {
            sum = checksum(h.big, &frame[..8], sum);
            sum = checksum(h.big, &frame[FRAME_HEADER..], sum);
            if pgno == 0 || sum != (be32(&frame, 16), be32(&frame, 20)) {
                broken = Some((n, pgno));
            }
        } else if mx_frame.is_none() {
            frames_after += 1;
            commits_after += u64::from(commit);
        }
        // Without an index, SQLite reads nothing from the broken frame on; with one, it
        // reads every frame up to mxFrame whatever its checksum.
        if mx_frame.is_none() && broken.is_some() {
            continue;
        }
        if pgno != 0 && !auth(&frame[FRAME_HEADER..], pgno) {
            bad_hmac.push((n, pgno));
        }
        if commit {
            last_commit = n;
        }
    }
    match (mx_frame, broken) {
        (Some(mx), _) if n < u64::from(mx) => problems.push(format!(
            "{name} ends at frame {n}, but the wal-index (-shm) holds {mx} committed frames: \
             frames were cut off or overwritten"
        )),
        (Some(_), Some((b, pg))) => problems.push(format!(
            "{name} frame {b} (page {pg}) fails its checksum: SQLite's next recovery would drop \
             it and the {} committed frames after it",
            n - b
        )),
        (None, Some((b, pg))) if commits_after > 0 => problems.push(format!(
            "{name} frame {b} (page {pg}) fails its checksum, but {frames_after} frames after it \
             carry the WAL's current salts, {commits_after} of them ending a transaction: SQLite stops \
             reading there and drops those commits"
        )),
        _ => {}
    }
    // Only frames that are part of the database: all up to mxFrame, else up to the last
    // commit (a frame after it, cut short by a crash, fails its HMAC too, and is not used).
    let limit = mx_frame.map_or(last_commit, u64::from);
    for (f, pgno) in bad_hmac.into_iter().filter(|(f, _)| *f <= limit) {
        problems.push(format!(
            "{name} frame {f} (page {pgno}): HMAC verification failed"
        ));
    }
    Ok(problems)
}

/// Reads until `buf` is full or the end: how many bytes were read.
fn read_full(r: &mut impl Read, buf: &mut [u8]) -> std::io::Result<usize> {
    let mut got = 0;
    while got < buf.len() {
        match r.read(&mut buf[got..])? {
            0 => break,
            k => got += k,
        }
    }
    Ok(got)
}

fn sibling(db: &Path, suffix: &str) -> PathBuf {
    let mut s = db.as_os_str().to_owned();
    s.push(suffix);
    PathBuf::from(s)
}

/// The salt of `db`'s page 1: the file's first 16 bytes, or (a file all of whose pages are
/// still in the WAL) those of the first frame of page 1.
fn salt(db: &Path, wal: &mut std::fs::File) -> std::io::Result<Option<[u8; 16]>> {
    let mut s = [0u8; 16];
    if let Ok(mut f) = std::fs::File::open(db) {
        if read_full(&mut f, &mut s)? == 16 {
            return Ok(Some(s));
        }
    }
    let frame_len = (FRAME_HEADER + CIPHER_PAGE_SIZE as usize) as u64;
    let mut at = WAL_HEADER as u64;
    let mut fh = [0u8; FRAME_HEADER + 16];
    loop {
        wal.seek(SeekFrom::Start(at))?;
        if read_full(wal, &mut fh)? < fh.len() {
            return Ok(None);
        }
        if be32(&fh, 0) == 1 {
            s.copy_from_slice(&fh[FRAME_HEADER..]);
            return Ok(Some(s));
        }
        at += frame_len;
    }
}

/// Every frame of `db`'s WAL that is part of the database (module doc), checked: one line
/// per problem naming the WAL, the frame and the page; empty for a WAL as SQLite and
/// SQLCipher wrote it, and when there is no WAL. Call it inside a read transaction on `db`,
/// so that the frames it reads cannot be overwritten meanwhile; a WAL restarted by the
/// writer during the scan anyway (its header changed) is scanned again.
pub fn bad_frames(db: &Path, key: &DbKey, cipher: Cipher) -> std::io::Result<Vec<String>> {
    let wal = sibling(db, "-wal");
    let shm = sibling(db, "-shm");
    frames_of(db, &wal, Some(&shm), key, cipher)
}

/// [`bad_frames`] of a saved copy of `db`'s WAL (`wal`, e.g. the
/// `archive-<region>.db-wal.damaged-<time>` the archiver saves when a verification finds its
/// WAL damaged, trial 15j D2): checked as SQLite would recover it without a wal-index, the
/// pages' HMACs under `db`'s key and salt. A missing file is an error: it was asked for.
pub fn bad_frames_in(
    db: &Path,
    wal: &Path,
    key: &DbKey,
    cipher: Cipher,
) -> std::io::Result<Vec<String>> {
    std::fs::metadata(wal)?;
    frames_of(db, wal, None, key, cipher)
}

fn frames_of(
    db: &Path,
    wal_path: &Path,
    shm_path: Option<&Path>,
    key: &DbKey,
    cipher: Cipher,
) -> std::io::Result<Vec<String>> {
    let name = wal_path
        .file_name()
        .map(|n| n.to_string_lossy().into_owned())
        .unwrap_or_default();
    let mut wal = match std::fs::File::open(wal_path) {
        Ok(f) => f,
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(Vec::new()),
        Err(e) => return Err(e),
    };
    let raw_key = hex::decode(&key.hex).expect("DbKey holds 64 hex characters");
    let Some(salt) = salt(db, &mut wal)? else {
        return Ok(Vec::new()); // No page 1 anywhere: nothing committed to check.
    };
    let auth = PageAuth::new(cipher, &raw_key, &salt);
    let holds = |p: &[u8], pgno: u32| auth.holds(p, pgno);
    for _ in 0..ATTEMPTS {
        let before = wal_header(&mut wal)?;
        let shm = shm_path.and_then(|p| read_index(p, &before));
        wal.seek(SeekFrom::Start(0))?;
        let problems = scan(
            std::io::BufReader::with_capacity(1 << 20, &mut wal),
            &name,
            shm.as_deref(),
            &holds,
        )?;
        if wal_header(&mut wal)? == before {
            return Ok(problems);
        }
    }
    Err(std::io::Error::other(format!(
        "{}: the writer restarted the WAL during each of {ATTEMPTS} checks; run the verify again",
        wal_path.display()
    )))
}

/// The wal-index header of a WAL whose header is `wal_header`: read again when a commit was
/// updating it (its two copies differ for a moment), as SQLite does.
fn read_index(shm: &Path, wal_header: &[u8]) -> Option<Vec<u8>> {
    let h = header(wal_header.get(..WAL_HEADER)?).ok()?;
    let mut last = None;
    for _ in 0..ATTEMPTS {
        let mut bytes = vec![0u8; 96];
        let mut f = std::fs::File::open(shm).ok()?;
        if read_full(&mut f, &mut bytes).ok()? < bytes.len() {
            return None;
        }
        if index_mx_frame(&bytes, &h).is_some() {
            return Some(bytes);
        }
        last = Some(bytes);
        std::thread::yield_now();
    }
    last
}

fn wal_header(wal: &mut std::fs::File) -> std::io::Result<Vec<u8>> {
    let mut h = vec![0u8; WAL_HEADER];
    wal.seek(SeekFrom::Start(0))?;
    let got = read_full(wal, &mut h)?;
    h.truncate(got);
    Ok(h)
}

#[cfg(test)]
#[path = "at_rest_wal_tests.rs"]
mod tests;
