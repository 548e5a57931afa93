use super::*;

fn keyed(k: &DbKey) -> Keyed {
    Keyed {
        key: k.clone(),
        source: "test".into(),
    }
}

const ROWS: &str = "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT);
     INSERT INTO t VALUES ('the secret meeting is at 13800138000');";

fn write_rows(db: &Path) {
    open_rw(db).unwrap().execute_batch(ROWS).unwrap();
}

#[test]
fn key_vars_per_store_and_region() {
    let v = key_vars(Path::new("/d/archive-cn-north.db"));
    assert_eq!(v.0, "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN_NORTH");
    assert_eq!(v.1, "WCP_ARCHIVE_ENCRYPTION_KEY_CN_NORTH");
    assert_eq!(
        key_vars(Path::new("/d/archive-cn.access.db")).1,
        "WCP_ARCHIVE_ENCRYPTION_KEY_CN"
    );
    assert_eq!(
        key_vars(Path::new("review-console.db")).0,
        "WCP_REVIEW_ENCRYPTION_KEY_FILE_CONSOLE"
    );
    assert!(DbKey::parse("abc").is_err());
    assert_eq!(
        format!("{:?}", DbKey::generate().unwrap()),
        "DbKey(<redacted>)"
    );
}

#[test]
fn encrypted_file_has_no_plain_text_and_needs_its_key() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-t1.db");
    let k = DbKey::generate().unwrap();
    set_key(&db, Some(keyed(&k)));
    write_rows(&db);
    let c = open_rw(&db).unwrap();
    c.pragma_update(None, "wal_checkpoint", "TRUNCATE").unwrap();
    let n: i64 = c
        .query_row("SELECT count(*) FROM t", [], |r| r.get(0))
        .unwrap();
    assert_eq!(n, 1);
    drop(c);
    let raw = std::fs::read(&db).unwrap();
    assert!(!raw.windows(11).any(|w| w == b"13800138000"));
    assert!(!is_plain(&db));
    // Without the key, and with another one: clear errors naming the file and the fix.
    set_key(&db, None);
    let e = open_rw(&db).unwrap_err().to_string();
    assert!(
        e.contains("archive-t1.db is encrypted")
            && e.contains("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_T1"),
        "{e}"
    );
    set_key(&db, Some(keyed(&DbKey::generate().unwrap())));
    let e = open_rw(&db).unwrap_err().to_string();
    assert!(
        e.contains("does not open") && e.contains("wrong key"),
        "{e}"
    );
}

#[test]
fn a_key_for_a_plain_file_says_how_to_encrypt_it() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-t2.db");
    write_rows(&db);
    assert!(is_plain(&db));
    set_key(&db, Some(keyed(&DbKey::generate().unwrap())));
    let e = open_rw(&db).unwrap_err().to_string();
    assert!(
        e.contains("is not encrypted") && e.contains("wcp archive rekey"),
        "{e}"
    );
}

/// [`write_rows`] into a file keyed with `cipher`'s settings (as an earlier build wrote it).
fn write_rows_with(db: &Path, k: &DbKey, cipher: Cipher) {
    let c = Connection::open(db).unwrap();
    let keying = format!("PRAGMA key = {}; {}", k.literal(), cipher.pragmas());
    c.execute_batch(&keying).unwrap();
    c.execute_batch(ROWS).unwrap();
    set_key(db, Some(keyed(k)));
}

#[test]
fn attach_plain_and_encrypted() {
    let dir = tempfile::tempdir().unwrap();
    let (a, b, c) = (
        dir.path().join("archive-t3.db"),
        dir.path().join("archive-t4.db"),
        dir.path().join("archive-t5.db"),
    );
    set_key(&a, Some(keyed(&DbKey::generate().unwrap())));
    write_rows(&a);
    write_rows(&b);
    // Written with the earlier setting (HMAC-SHA512): attached with it, whatever the
    // setting of the connection it is attached to.
    write_rows_with(&c, &DbKey::generate().unwrap(), Cipher::Sha512);
    assert_eq!(cipher_of(&a).unwrap(), Some(Cipher::Sha256));
    assert_eq!(cipher_of(&b).unwrap(), None);
    assert_eq!(cipher_of(&c).unwrap(), Some(Cipher::Sha512));
    for (main, other) in [(&a, &b), (&b, &a), (&a, &c), (&c, &a), (&b, &c)] {
        let c = open_rw(main).unwrap();
        attach(&c, other, "o").unwrap();
        let n: i64 = c
            .query_row("SELECT count(*) FROM o.t", [], |r| r.get(0))
            .unwrap();
        assert_eq!(n, 1);
    }
}

/// `sqlcipher_ready` waits until keying an in-memory connection succeeds: that must succeed
/// in a set-up process (else every first keyed open would wait its full 5 s).
#[test]
fn an_in_memory_key_is_accepted_once_sqlcipher_is_set_up() {
    sqlcipher_ready();
    let c = Connection::open_in_memory().unwrap();
    c.execute_batch("PRAGMA cipher_log_level = NONE; PRAGMA key = 'ready';")
        .unwrap();
}
