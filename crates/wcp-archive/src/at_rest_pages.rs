//! Every page's HMAC of an encrypted file, checked the way SQLCipher 4 writes it: the page
//! check of a full verification. SQLCipher's own `PRAGMA cipher_integrity_check` checks the
//! same HMACs, but clears its page buffer one volatile byte at a time before each page
//! (perf: 40% of its CPU, as much as the HMAC itself); this reads the file in 1 MiB blocks
//! and computes the HMACs with RustCrypto's `hmac` and `sha2` (CPU SHA extensions). The
//! tests hold it to SQLCipher's check: the same pages fail, page for page, when any page of
//! a file is changed, and none on a clean file (`at_rest_pages_tests.rs`).
//!
//! SQLCipher 4's format for a raw 256-bit key: the file begins with a 16-byte salt; the HMAC
//! key is PBKDF2-HMAC-SHA512 of the key with the salt XOR 0x3a, 2 iterations, 32 bytes; each
//! page ends with its reserve — a 16-byte IV, then the HMAC, padded to a multiple of 16 —
//! and the HMAC covers the page's ciphertext and IV (on page 1: after the salt) followed by
//! the page number, 4 bytes little-endian. SQLite's lock-byte page is never written, so not
//! read. The WAL's frames are checked with the same [`PageAuth`] (`at_rest_wal.rs`);
//! SQLCipher's own check reads the database file only.

use std::io::{Read, Seek, SeekFrom};
use std::path::Path;

use hmac::{Hmac, KeyInit, Mac};
use sha2::{Sha256, Sha512};

use super::{Cipher, DbKey, CIPHER_PAGE_SIZE};

const SALT: usize = 16;
const IV: usize = 16;
/// SQLite's lock-byte page holds the byte at 1 GiB and is never written.
const PENDING_BYTE: u64 = 0x4000_0000;
const PAGES_PER_READ: usize = 64;

/// One page's HMAC, keyed once per file.
enum PageMac {
    Sha256(Hmac<Sha256>),
    Sha512(Hmac<Sha512>),
}

impl PageMac {
    fn new(cipher: Cipher, key: &[u8]) -> PageMac {
        match cipher {
            Cipher::Sha256 => PageMac::Sha256(Hmac::new_from_slice(key).expect("any key size")),
            Cipher::Sha512 => PageMac::Sha512(Hmac::new_from_slice(key).expect("any key size")),
        }
    }

    fn tag_len(&self) -> usize {
        match self {
            PageMac::Sha256(_) => 32,
            PageMac::Sha512(_) => 64,
        }
    }

    /// Whether `tag` is the HMAC of `data` and the page number (constant-time compare).
    fn matches(&self, data: &[u8], pgno: u32, tag: &[u8]) -> bool {
        fn check<M: Mac + Clone>(m: &M, data: &[u8], pgno: u32, tag: &[u8]) -> bool {
            let mut m = m.clone();
            m.update(data);
            m.update(&pgno.to_le_bytes());
            m.verify_slice(tag).is_ok()
        }
        match self {
            PageMac::Sha256(m) => check(m, data, pgno, tag),
            PageMac::Sha512(m) => check(m, data, pgno, tag),
        }
    }
}

/// SQLCipher's HMAC key: PBKDF2-HMAC-SHA512(key, salt XOR 0x3a, 2 iterations), 32 bytes
/// (one block: U1 = HMAC(key, salt' || 1), U2 = HMAC(key, U1), T = U1 XOR U2).
fn hmac_key(key: &[u8], salt: &[u8]) -> [u8; 32] {
    let prf = <Hmac<Sha512>>::new_from_slice(key).expect("any key size");
    let masked: Vec<u8> = salt.iter().map(|b| b ^ 0x3a).collect();
    let mut m = prf.clone();
    m.update(&masked);
    m.update(&1u32.to_be_bytes());
    let u1 = m.finalize().into_bytes();
    let mut m = prf;
    m.update(&u1);
    let u2 = m.finalize().into_bytes();
    let mut out = [0u8; 32];
    for (i, o) in out.iter_mut().enumerate() {
        *o = u1[i] ^ u2[i];
    }
    out
}

/// The HMAC check of one file's pages (the database's, and its WAL frames' page images):
/// keyed once from the key and the file's salt.
pub(super) struct PageAuth {
    mac: PageMac,
    reserve: usize,
}

impl PageAuth {
    /// `salt`: the first 16 bytes of page 1 (the file's, or a WAL frame's copy of it).
    pub(super) fn new(cipher: Cipher, raw_key: &[u8], salt: &[u8]) -> PageAuth {
        let mac = PageMac::new(cipher, &hmac_key(raw_key, &salt[..SALT]));
        let reserve = (IV + mac.tag_len()).div_ceil(16) * 16;
        PageAuth { mac, reserve }
    }

    /// Whether the page image `p` (one whole page) is page `pgno` as SQLCipher wrote it.
    pub(super) fn holds(&self, p: &[u8], pgno: u32) -> bool {
        let start = if pgno == 1 { SALT } else { 0 };
        let end = p.len() - self.reserve + IV;
        let tag = &p[end..end + self.mac.tag_len()];
        self.mac.matches(&p[start..end], pgno, tag)
    }
}

/// The pages of `db` whose HMAC does not hold under `key` and `cipher`, in SQLCipher's words
/// (`HMAC verification failed for page N`), and a trailing partial page; empty for a file
/// as SQLCipher wrote it.
pub fn bad_pages(db: &Path, key: &DbKey, cipher: Cipher) -> std::io::Result<Vec<String>> {
    let (_, problems) = check_first_pages(db, key, cipher, u64::MAX)?;
    Ok(problems)
}

/// [`bad_pages`] over the first `max_pages` pages only (the lock-byte page lies far beyond
/// any small count): how many pages were checked, and the failures. A partial last page is
/// reported only when the whole file was read.
pub fn check_first_pages(
    db: &Path,
    key: &DbKey,
    cipher: Cipher,
    max_pages: u64,
) -> std::io::Result<(u64, Vec<String>)> {
    let raw_key = hex::decode(&key.hex).expect("DbKey holds 64 hex characters");
    let page = CIPHER_PAGE_SIZE as usize;
    let mut file = std::fs::File::open(db)?;
    let size = file.metadata()?.len();
    let mut problems = Vec::new();
    let mut failed = Vec::new();
    let mut block = vec![0u8; page * PAGES_PER_READ];
    let mut auth = None;
    let pages = (size / page as u64).min(max_pages);
    let mut checked = 0;
    let lock_page = PENDING_BYTE / page as u64 + 1;
    let mut pgno: u64 = 0;
    while pgno < pages {
        let n = (pages - pgno).min(PAGES_PER_READ as u64) as usize;
        file.read_exact(&mut block[..n * page])?;
        for p in block[..n * page].chunks_exact(page) {
            pgno += 1;
            let auth = auth.get_or_insert_with(|| PageAuth::new(cipher, &raw_key, &p[..SALT]));
            if pgno == lock_page {
                continue;
            }
            checked += 1;
            if !auth.holds(p, pgno as u32) {
                failed.push(pgno);
            }
        }
    }
    // A failed page is read and checked once more: a checkpoint copying the WAL into the
    // file while a live archive is verified (the archiver's periodic runs) rewrites pages,
    // and a read in the middle of that write can see half of each version. A changed page
    // fails again.
    if let Some(auth) = &auth {
        if !failed.is_empty() {
            std::thread::sleep(std::time::Duration::from_millis(20));
        }
        let p = &mut block[..page];
        for pgno in failed {
            file.seek(SeekFrom::Start((pgno - 1) * page as u64))?;
            if file.read_exact(p).is_err() || !auth.holds(p, pgno as u32) {
                problems.push(format!("HMAC verification failed for page {pgno}"));
            }
        }
    }
    if max_pages == u64::MAX && size % page as u64 != 0 {
        problems.push(format!(
            "page {} has an invalid size of {} bytes (expected {page} bytes)",
            pages + 1,
            size % page as u64
        ));
    }
    Ok((checked, problems))
}

#[cfg(test)]
#[path = "at_rest_pages_tests.rs"]
mod tests;
