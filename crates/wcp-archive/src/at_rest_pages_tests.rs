use super::*;
use rusqlite::Connection;

/// A file of about 20 pages keyed with `cipher`'s settings, checkpointed into the file.
fn write(db: &Path, key: &DbKey, cipher: Cipher) {
    let c = Connection::open(db).unwrap();
    let keying = format!("PRAGMA key = {}; {}", key.literal(), cipher.pragmas());
    c.execute_batch(&keying).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; CREATE TABLE t (x TEXT);
         WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 300)
         INSERT INTO t SELECT printf('%d %.1000c', i, 'x') FROM n;
         CREATE INDEX tx ON t (x);
         PRAGMA wal_checkpoint(TRUNCATE);",
    )
    .unwrap();
}

/// SQLCipher's own check of `db`, on a connection that reads nothing else first.
fn sqlcipher_check(db: &Path, key: &DbKey, cipher: Cipher) -> Vec<String> {
    let c = Connection::open(db).unwrap();
    let keying = format!("PRAGMA key = {}; {}", key.literal(), cipher.pragmas());
    c.execute_batch(&keying).unwrap();
    let mut st = c.prepare("PRAGMA cipher_integrity_check").unwrap();
    st.query_map([], |r| r.get::<_, String>(0))
        .unwrap()
        .collect::<Result<_, _>>()
        .unwrap()
}

#[test]
fn the_same_pages_fail_as_in_sqlciphers_check() {
    for cipher in Cipher::ALL {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("archive-p.db");
        let key = DbKey::generate().unwrap();
        write(&db, &key, cipher);
        let clean = std::fs::read(&db).unwrap();
        let page = CIPHER_PAGE_SIZE as usize;
        assert!(clean.len() >= 10 * page, "{} bytes", clean.len());
        assert_eq!(bad_pages(&db, &key, cipher).unwrap(), Vec::<String>::new());
        assert_eq!(sqlcipher_check(&db, &key, cipher), Vec::<String>::new());
        // Another key, or the other HMAC: every page fails, in both checks.
        let other = DbKey::generate().unwrap();
        let all = bad_pages(&db, &other, cipher).unwrap();
        assert_eq!(all.len(), clean.len() / page);
        assert_eq!(all, sqlcipher_check(&db, &other, cipher));
        let wrong = if cipher == Cipher::Sha256 {
            Cipher::Sha512
        } else {
            Cipher::Sha256
        };
        assert_eq!(
            bad_pages(&db, &key, wrong).unwrap().len(),
            clean.len() / page
        );
        // One byte changed anywhere after the salt: ciphertext, IV or HMAC of any page.
        for p in 0..clean.len() / page {
            for at in [16, 200, page - 70, page - 40, page - 1] {
                let mut raw = clean.clone();
                raw[p * page + at] ^= 0x10;
                std::fs::write(&db, &raw).unwrap();
                let ours = bad_pages(&db, &key, cipher).unwrap();
                assert_eq!(
                    ours,
                    vec![format!("HMAC verification failed for page {}", p + 1)]
                );
                assert_eq!(
                    ours,
                    sqlcipher_check(&db, &key, cipher),
                    "page {p} byte {at}"
                );
            }
        }
        // A partial page at the end.
        let mut raw = clean.clone();
        raw.extend_from_slice(&[0u8; 100]);
        std::fs::write(&db, &raw).unwrap();
        let ours = bad_pages(&db, &key, cipher).unwrap();
        assert_eq!(ours.len(), 1, "{ours:?}");
        assert_eq!(ours, sqlcipher_check(&db, &key, cipher));
    }
}
