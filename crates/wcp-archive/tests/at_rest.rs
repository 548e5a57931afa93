//! Encryption at rest (issue 17 item 5): an archive with a key is a SQLCipher file whose
//! bytes — database, WAL, access log — hold no message text or phone number; verify, search
//! and export work unchanged with the key; a missing or wrong key is a clear error; rekey
//! encrypts, re-keys and decrypts into a new file and never touches the original.
mod common;

use std::path::{Path, PathBuf};

use common::{text, T0};
use wcp_archive::at_rest::{self, DbKey, Keyed};
use wcp_archive::{rekey, Archive, Query};

const N: i64 = 40;

fn phone(i: i64) -> String {
    format!("1380013{i:04}")
}

fn body(i: i64) -> String {
    format!(
        "confidential merger terms number {i}, call me at {}",
        phone(i)
    )
}

fn keyed(k: &DbKey) -> Option<Keyed> {
    Some(Keyed {
        key: k.clone(),
        source: "test".into(),
    })
}

/// Writes N messages, then searches and exports them through a reader (audited: the
/// access log gets written too). Returns the export directory's file count.
fn fill_and_read(db: &Path, out: &Path) -> usize {
    let mut w = common::open(db);
    let batch: Vec<_> = (0..N).map(|i| text(&msgid(i), &body(i), T0 + i)).collect();
    w.insert_batch(&batch, &[]).unwrap();
    drop(w);
    let mut r = Archive::open_read_only(db, None).unwrap();
    assert!(r.verify().unwrap().first_problem().is_none());
    let q = Query {
        text: Some("merger".into()),
        ..Query::default()
    };
    assert_eq!(r.search(&q, "auditor").unwrap().len(), N as usize);
    assert!(r
        .message(&msgid(7))
        .unwrap()
        .stored
        .text
        .contains(&phone(7)));
    r.export_rsmf(&q, "auditor", out, 0).unwrap();
    std::fs::read_dir(out).unwrap().count()
}

/// Every needle found in any file of `dir` (database, WAL, SHM, access log, keys).
/// Long enough that random ciphertext never holds it by chance (a 3-byte id like `m5"` did:
/// about one file in ten of a megabyte).
fn msgid(i: i64) -> String {
    format!("at-rest-msgid-{i:05}")
}

fn plain_text_in(dir: &Path) -> Vec<String> {
    let files: Vec<PathBuf> = std::fs::read_dir(dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .collect();
    assert!(files.len() >= 2, "{files:?}");
    let mut found = Vec::new();
    for f in &files {
        let raw = std::fs::read(f).unwrap();
        for i in 0..N {
            for needle in [phone(i), body(i), msgid(i)] {
                if raw.windows(needle.len()).any(|w| w == needle.as_bytes()) {
                    found.push(format!("{}: {needle}", f.display()));
                }
            }
        }
        if raw.windows(6).any(|w| w == b"merger") {
            found.push(format!("{}: merger", f.display()));
        }
    }
    found
}

#[test]
fn an_encrypted_archive_holds_no_plain_text_and_reads_unchanged_with_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let store = dir.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let db = store.join("archive-enc.db");
    at_rest::set_key(&db, keyed(&DbKey::generate().unwrap()));
    let exported = fill_and_read(&db, &dir.path().join("export"));
    assert!(exported > 0);
    let found = plain_text_in(&store);
    assert!(
        found.is_empty(),
        "plain text in an encrypted archive: {found:?}"
    );

    // The control: the same data in a plain archive is found by the same search.
    let plain_dir = dir.path().join("plain");
    std::fs::create_dir(&plain_dir).unwrap();
    fill_and_read(
        &plain_dir.join("archive-plain.db"),
        &dir.path().join("export2"),
    );
    assert!(!plain_text_in(&plain_dir).is_empty());

    // No key, and a wrong key: errors that name the file and the fix.
    at_rest::set_key(&db, None);
    let e = Archive::open_read_only(&db, None)
        .err()
        .unwrap()
        .to_string();
    assert!(e.contains("archive-enc.db is encrypted"), "{e}");
    assert!(e.contains("$WCP_ARCHIVE_ENCRYPTION_KEY_FILE_ENC"), "{e}");
    at_rest::set_key(&db, keyed(&DbKey::generate().unwrap()));
    let e = Archive::open_read_only(&db, None)
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("does not open") && e.contains("wrong key"),
        "{e}"
    );
}

fn messages(db: &Path) -> usize {
    let r = Archive::open_read_only(db, None).unwrap();
    assert!(
        r.verify().unwrap().first_problem().is_none(),
        "{}",
        db.display()
    );
    (0..N).filter(|&i| r.message(&msgid(i)).is_some()).count()
}

#[test]
fn rekey_encrypts_changes_the_key_and_decrypts_into_new_files_only() {
    let dir = tempfile::tempdir().unwrap();
    let plain = dir.path().join("a/archive-rk.db");
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    fill_and_read(&plain, &dir.path().join("export"));
    assert!(at_rest::is_plain(&plain));

    let (k1, k2) = (DbKey::generate().unwrap(), DbKey::generate().unwrap());
    let enc = dir.path().join("b/archive-rk.db");
    std::fs::create_dir_all(enc.parent().unwrap()).unwrap();
    let copies = rekey::archive(&plain, &enc, Some(&k1)).unwrap();
    assert_eq!(copies.len(), 2, "the archive and its access log");
    assert!(copies[0].rows > N as u64);
    assert!(plain_text_in(enc.parent().unwrap()).is_empty());
    assert_eq!(messages(&enc), N as usize);
    // The original is untouched and still plain.
    assert!(at_rest::is_plain(&plain));
    assert_eq!(messages(&plain), N as usize);

    // An existing --out is refused, and nothing of it is touched.
    let e = rekey::archive(&plain, &enc, Some(&k1))
        .unwrap_err()
        .to_string();
    assert!(e.contains("never overwrites"), "{e}");
    assert_eq!(messages(&enc), N as usize);

    // Change the key: the new file opens with k2 only.
    let enc2 = dir.path().join("c/archive-rk.db");
    std::fs::create_dir_all(enc2.parent().unwrap()).unwrap();
    rekey::archive(&enc, &enc2, Some(&k2)).unwrap();
    assert_eq!(messages(&enc2), N as usize);
    at_rest::set_key(&enc2, keyed(&k1));
    assert!(Archive::open_read_only(&enc2, None).is_err());

    // Decrypt back to a plain file.
    at_rest::set_key(&enc2, keyed(&k2));
    let back = dir.path().join("d/archive-rk.db");
    std::fs::create_dir_all(back.parent().unwrap()).unwrap();
    rekey::archive(&enc2, &back, None).unwrap();
    assert!(at_rest::is_plain(&back));
    assert_eq!(messages(&back), N as usize);
}

/// One byte of an encrypted archive changed outside SQLite: verification fails and names a
/// damaged file (a trial got "could not run" and exit 2, which no alert or operator reads as
/// tampering).
#[test]
fn a_byte_changed_in_an_encrypted_archive_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-enc.db");
    at_rest::set_key(&db, keyed(&DbKey::generate().unwrap()));
    let mut w = common::open(&db);
    let batch: Vec<_> = (0..200)
        .map(|i| text(&msgid(i), &body(i), T0 + i))
        .collect();
    w.insert_batch(&batch, &[]).unwrap();
    drop(w);
    assert!(
        Archive::open_read_only(&db, None)
            .unwrap()
            .verify()
            .unwrap()
            .ok
    );
    let clean = std::fs::read(&db).unwrap();
    let page = 16 * 1024;
    assert!(clean.len() >= 4 * page, "{} bytes", clean.len());
    let mut damaged_named = 0;
    // One byte in each page but the first (a changed first page does not open: the
    // wrong-key error, tested above), each in a fresh copy.
    for p in 1..clean.len() / page {
        let mut raw = clean.clone();
        raw[p * page + 200] ^= 0x01;
        std::fs::write(&db, &raw).unwrap();
        // Some pages are read at opening (the schema): then the opening error is the
        // report (`wcp archive verify` and the archiver's verifier use `damaged_report`).
        let report = match Archive::open_read_only(&db, None) {
            Ok(a) => a.verify(),
            Err(e) => wcp_archive::verify::damaged_report(&e).ok_or(e),
        }
        .unwrap_or_else(|e| panic!("page {p}: an error, not a failed verification: {e}"));
        assert!(!report.ok, "page {p}: a changed byte went unnoticed");
        let first = report.first_problem().unwrap();
        // The damaged page is the cause: listed before what it breaks (trial 15j D7: an
        // unreadable index came first, the page's HMAC third).
        if report
            .problems
            .iter()
            .any(|x| x.kind == wcp_archive::ProblemKind::FileDamaged)
        {
            assert_eq!(
                first.kind,
                wcp_archive::ProblemKind::FileDamaged,
                "page {p}: {:?}",
                report.problems
            );
        }
        if first.kind == wcp_archive::ProblemKind::FileDamaged {
            damaged_named += 1;
            let words = first.words();
            assert!(
                words.starts_with("The archive's database file is damaged"),
                "{words}"
            );
        }
    }
    assert!(damaged_named > 0, "no page's damage stopped SQLite");
}

/// Keys a new file the way every encrypted file was written before HMAC-SHA256 became the
/// setting of new files: SQLCipher 4's default HMAC-SHA512, 16 KiB pages. `hex`: the key.
fn create_with_hmac_sha512(db: &Path, hex: &str) {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(&format!(
        "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_page_size = 16384;
         PRAGMA cipher_hmac_algorithm = HMAC_SHA512; PRAGMA journal_mode = WAL;
         PRAGMA user_version = 0;"
    ))
    .unwrap();
    drop(c);
    assert!(std::fs::metadata(db).unwrap().len() >= 16384);
}

/// Whether a connection keyed with `hex` and `hmac` reads `db`'s first page.
fn opens_with(db: &Path, hex: &str, hmac: &str) -> bool {
    let c = rusqlite::Connection::open(db).unwrap();
    c.execute_batch(&format!(
        "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_page_size = 16384; PRAGMA cipher_hmac_algorithm = {hmac};"
    ))
    .unwrap();
    c.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))
        .is_ok()
}

/// New encrypted files are authenticated with HMAC-SHA256 (half the CPU of SHA512 on CPUs
/// with SHA extensions; benches/encryption.sh), not SQLCipher's default SHA512.
#[test]
fn a_new_encrypted_archive_uses_hmac_sha256() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-new.db");
    let hex = "5a".repeat(32);
    at_rest::set_key(&db, keyed(&DbKey::parse(&hex).unwrap()));
    fill_and_read(&db, &dir.path().join("export"));
    assert_eq!(
        at_rest::cipher_of(&db).unwrap(),
        Some(at_rest::Cipher::Sha256)
    );
    let log = dir.path().join("archive-new.access.db");
    for f in [&db, &log] {
        assert!(opens_with(f, &hex, "HMAC_SHA256"), "{}", f.display());
        assert!(!opens_with(f, &hex, "HMAC_SHA512"), "{}", f.display());
    }
}

/// An archive (and access log) written with the earlier setting, HMAC-SHA512, still opens,
/// takes new messages in that setting, verifies (every page's HMAC included), and rekeys
/// both ways: into an HMAC-SHA256 file under a new key, and into a plain file.
#[test]
fn an_archive_written_with_hmac_sha512_opens_verifies_and_rekeys() {
    let dir = tempfile::tempdir().unwrap();
    let old = dir.path().join("a/archive-old.db");
    std::fs::create_dir_all(old.parent().unwrap()).unwrap();
    let hex = "c3".repeat(32);
    let log = dir.path().join("a/archive-old.access.db");
    for f in [&old, &log] {
        create_with_hmac_sha512(f, &hex);
    }
    at_rest::set_key(&old, keyed(&DbKey::parse(&hex).unwrap()));
    assert_eq!(
        at_rest::cipher_of(&old).unwrap(),
        Some(at_rest::Cipher::Sha512)
    );
    fill_and_read(&old, &dir.path().join("export"));
    assert_eq!(messages(&old), N as usize);
    assert!(plain_text_in(old.parent().unwrap()).is_empty());
    for f in [&old, &log] {
        assert!(opens_with(f, &hex, "HMAC_SHA512"), "{}", f.display());
        assert!(!opens_with(f, &hex, "HMAC_SHA256"), "{}", f.display());
    }

    let k2 = DbKey::generate().unwrap();
    let new = dir.path().join("b/archive-old.db");
    std::fs::create_dir_all(new.parent().unwrap()).unwrap();
    let copies = rekey::archive(&old, &new, Some(&k2)).unwrap();
    assert_eq!(copies.len(), 2, "the archive and its access log");
    assert_eq!(messages(&new), N as usize);
    assert_eq!(
        at_rest::cipher_of(&new).unwrap(),
        Some(at_rest::Cipher::Sha256)
    );
    let new_log = dir.path().join("b/archive-old.access.db");
    assert_eq!(
        at_rest::cipher_of(&new_log).unwrap(),
        Some(at_rest::Cipher::Sha256)
    );

    let plain = dir.path().join("c/archive-old.db");
    std::fs::create_dir_all(plain.parent().unwrap()).unwrap();
    rekey::archive(&old, &plain, None).unwrap();
    assert!(at_rest::is_plain(&plain));
    assert_eq!(messages(&plain), N as usize);
    // The original is untouched: still HMAC-SHA512, still verifies.
    assert_eq!(
        at_rest::cipher_of(&old).unwrap(),
        Some(at_rest::Cipher::Sha512)
    );
    assert_eq!(messages(&old), N as usize);
}

/// One changed byte in page 1 of an encrypted archive is damage or tampering, said so (and a
/// failed verification: `file_damaged`), not "wrong key": the key still opens the file's other
/// pages (trial 15h D3). A really wrong key still says "wrong key", now "or page 1 damaged".
#[test]
fn a_changed_byte_in_page_one_is_damage_not_a_wrong_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-enc.db");
    let key = DbKey::generate().unwrap();
    at_rest::set_key(&db, keyed(&key));
    fill_and_read(&db, &dir.path().join("export"));
    // The writer closing last checkpoints the WAL: every page is in the file.
    drop(common::open(&db));
    assert!(
        !dir.path().join("archive-enc.db-wal").exists(),
        "checkpointed"
    );
    let copy_dir = dir.path().join("copy");
    std::fs::create_dir(&copy_dir).unwrap();
    let copy = copy_dir.join("archive-enc.db");
    let mut bytes = std::fs::read(&db).unwrap();
    assert!(bytes.len() > 2 * 16_384, "more than one page");
    bytes[1000] ^= 0x01;
    std::fs::write(&copy, &bytes).unwrap();
    at_rest::set_key(&copy, keyed(&key));

    let err = Archive::open_read_only(&copy, None)
        .err()
        .expect("page 1 fails");
    let text = err.to_string();
    assert!(
        text.contains("page 1 is damaged or was changed (tampering), not a wrong key"),
        "{text}"
    );
    let report = wcp_archive::verify::damaged_report(&err).expect("a failed verification");
    assert_eq!(
        report.first_problem().map(|p| p.kind),
        Some(wcp_archive::verify::ProblemKind::FileDamaged)
    );

    // The control: another key opens no page, so it may be the key.
    at_rest::set_key(&copy, keyed(&DbKey::generate().unwrap()));
    let text = Archive::open_read_only(&copy, None)
        .err()
        .expect("wrong key")
        .to_string();
    assert!(
        text.contains("wrong key") && text.contains("or page 1 of the file is damaged"),
        "{text}"
    );
    assert!(!text.contains("tampering"), "{text}");
}

/// Frames of a WAL as (frame number from 1, page number): 24-byte frame headers, 16 KiB pages.
fn wal_frames(wal: &[u8]) -> Vec<(usize, u32)> {
    const FRAME: usize = 24 + 16_384;
    (0..(wal.len() - 32) / FRAME)
        .map(|i| {
            let at = 32 + i * FRAME;
            (
                i + 1,
                u32::from_be_bytes(wal[at..at + 4].try_into().unwrap()),
            )
        })
        .collect()
}

/// A byte changed in the WAL of an encrypted archive while its writer runs (trial 15h D4:
/// both the full verify and the archiver's periodic one said OK): the full verify and the
/// periodic run (`verify_after` from the last verified head) fail with `file_damaged`,
/// naming the WAL, the frame and the page. The frame changed is an older copy of a page (a
/// later frame holds it too), which no query reads: only the page check can find it.
#[test]
fn a_byte_changed_in_the_wal_of_an_encrypted_archive_fails_verification() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-enc.db");
    at_rest::set_key(&db, keyed(&DbKey::generate().unwrap()));
    let mut w = common::open(&db);
    for b in 0..4 {
        let batch: Vec<_> = (b * 50..b * 50 + 50)
            .map(|i| text(&msgid(i), &body(i), T0 + i))
            .collect();
        w.insert_batch(&batch, &[]).unwrap();
    }
    let wal = dir.path().join("archive-enc.db-wal");
    let clean = std::fs::read(&wal).unwrap();
    let frames = wal_frames(&clean);
    assert!(frames.len() > 10, "{} frames in the WAL", frames.len());
    let reader = Archive::open_read_only(&db, None).unwrap();
    let first = reader.verify().unwrap();
    assert!(first.ok, "{:?}", first.problems);
    let (seq, hash) = first.last_signed.clone().unwrap();
    assert!(reader.verify_after(None, seq, &hash).unwrap().ok);
    // A middle frame whose page a later frame holds again.
    let (k, pgno) = frames[frames.len() / 3..]
        .iter()
        .copied()
        .find(|(k, p)| frames[*k..].iter().any(|(_, q)| q == p))
        .expect("a page written twice");
    let mut raw = clean.clone();
    raw[32 + (k - 1) * (24 + 16_384) + 24 + 500] ^= 0x20;
    std::fs::write(&wal, &raw).unwrap();
    let expect = format!("archive-enc.db-wal frame {k} (page {pgno}): HMAC verification failed");
    for (how, report) in [
        ("full", reader.verify().unwrap()),
        ("periodic", reader.verify_after(None, seq, &hash).unwrap()),
    ] {
        assert!(!report.ok, "{how}: the changed WAL byte went unnoticed");
        let ps: Vec<_> = report
            .problems
            .iter()
            .filter(|p| p.kind == wcp_archive::ProblemKind::FileDamaged)
            .collect();
        assert_eq!(ps.len(), 2, "{how}: {:?}", report.problems);
        assert!(ps.iter().all(|p| p.table == "WAL"), "{how}: {ps:?}");
        assert!(ps[0].detail.contains(&format!("frame {k} (page ")));
        assert!(ps[0].detail.contains(") fails its checksum"));
        let words = ps[1].words();
        assert!(
            words.starts_with(&format!(
                "The archive's write-ahead log (WAL) is damaged: {expect}: its bytes were changed"
            )),
            "{how}: {words}"
        );
    }
    // The writer checkpoints the clean WAL when it closes.
    std::fs::write(&wal, &clean).unwrap();
    drop(reader);
    drop(w);
}
