use super::*;
use rusqlite::Connection;

const FRAME: usize = FRAME_HEADER + CIPHER_PAGE_SIZE as usize;

/// An encrypted database whose pages are all still in its WAL: the open writer (returned:
/// closing it would checkpoint) committed `txs` transactions of a few pages each, with
/// automatic checkpoints off.
fn write(db: &Path, key: &DbKey, cipher: Cipher, txs: usize) -> Connection {
    let c = Connection::open(db).unwrap();
    let keying = format!("PRAGMA key = {}; {}", key.literal(), cipher.pragmas());
    c.execute_batch(&keying).unwrap();
    c.execute_batch(
        "PRAGMA journal_mode = WAL; PRAGMA wal_autocheckpoint = 0; CREATE TABLE t (x TEXT);",
    )
    .unwrap();
    for i in 0..txs {
        c.execute(
            "WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 20)
             INSERT INTO t SELECT printf('%d %d %.1000c', ?1, i, 'x') FROM n",
            [i as i64],
        )
        .unwrap();
    }
    c
}

fn wal_of(db: &Path) -> PathBuf {
    sibling(db, "-wal")
}

/// Frame `k`'s (1-based) offset in the WAL.
fn at(k: usize) -> usize {
    WAL_HEADER + (k - 1) * FRAME
}

/// What an attacker without the key can do: the WAL's checksums recomputed after a change,
/// so that SQLite's recovery accepts every frame.
fn rechain(wal: &mut [u8]) {
    let h = header(&wal[..WAL_HEADER]).unwrap();
    let mut sum = h.sum;
    let mut k = 1;
    while at(k) + FRAME <= wal.len() {
        let f = &mut wal[at(k)..at(k) + FRAME];
        sum = checksum(h.big, &f[..8], sum);
        sum = checksum(h.big, &f[FRAME_HEADER..], sum);
        f[16..20].copy_from_slice(&sum.0.to_be_bytes());
        f[20..24].copy_from_slice(&sum.1.to_be_bytes());
        k += 1;
    }
}

/// How many whole frames the WAL holds.
fn frames(wal: &[u8]) -> usize {
    (wal.len() - WAL_HEADER) / FRAME
}

/// The page number in frame `k`'s header.
fn page_of(wal: &[u8], k: usize) -> u32 {
    be32(wal, at(k))
}

#[test]
fn a_changed_frame_of_the_live_wal_is_found_by_its_hmac_with_or_without_its_checksum() {
    for cipher in Cipher::ALL {
        let dir = tempfile::tempdir().unwrap();
        let db = dir.path().join("archive-w.db");
        let key = DbKey::generate().unwrap();
        let writer = write(&db, &key, cipher, 6);
        let wal = wal_of(&db);
        let clean = std::fs::read(&wal).unwrap();
        let n = frames(&clean);
        assert!(n >= 12, "{n} frames");
        assert_eq!(bad_frames(&db, &key, cipher).unwrap(), Vec::<String>::new());
        // Another key: every frame fails.
        let other = DbKey::generate().unwrap();
        assert_eq!(bad_frames(&db, &other, cipher).unwrap().len(), n);

        // One byte of a middle frame's page: its HMAC, and the checksum chain, fail.
        let k = n / 2;
        let pgno = page_of(&clean, k);
        let mut raw = clean.clone();
        raw[at(k) + FRAME_HEADER + 300] ^= 0x04;
        std::fs::write(&wal, &raw).unwrap();
        let found = bad_frames(&db, &key, cipher).unwrap();
        assert_eq!(
            found,
            vec![
                format!(
                    "archive-w.db-wal frame {k} (page {pgno}) fails its checksum: SQLite's \
                     next recovery would drop it and the {} committed frames after it",
                    n - k
                ),
                format!("archive-w.db-wal frame {k} (page {pgno}): HMAC verification failed"),
            ]
        );
        // The checksums recomputed (no key needed): the HMAC still fails, in the last frame
        // too, and in its IV or tag.
        for (k, byte) in [(k, 300), (n, 5), (1, CIPHER_PAGE_SIZE as usize - 20)] {
            let mut raw = clean.clone();
            raw[at(k) + FRAME_HEADER + byte] ^= 0x80;
            rechain(&mut raw);
            std::fs::write(&wal, &raw).unwrap();
            assert_eq!(
                bad_frames(&db, &key, cipher).unwrap(),
                vec![format!(
                    "archive-w.db-wal frame {k} (page {}): HMAC verification failed",
                    page_of(&clean, k)
                )],
                "frame {k} byte {byte}"
            );
        }
        // Committed frames cut off the end.
        std::fs::write(&wal, &clean[..at(n)]).unwrap();
        let found = bad_frames(&db, &key, cipher).unwrap();
        assert_eq!(found.len(), 1, "{found:?}");
        assert!(
            found[0].contains(&format!("holds {n} committed frames")),
            "{found:?}"
        );
        // The writer checkpoints the clean WAL when it closes.
        std::fs::write(&wal, &clean).unwrap();
        drop(writer);
    }
}

/// A copy of the database and WAL without the `-shm` (what SQLite recovers from after a
/// crash): a write cut short at the end is normal, a broken checksum with commits after it
/// is not, and a change with its checksums recomputed still fails its HMAC.
#[test]
fn without_the_index_a_torn_end_is_normal_and_a_broken_middle_is_not() {
    let cipher = Cipher::CURRENT;
    let dir = tempfile::tempdir().unwrap();
    let live = dir.path().join("archive-w.db");
    let key = DbKey::generate().unwrap();
    let writer = write(&live, &key, cipher, 6);
    let clean = std::fs::read(wal_of(&live)).unwrap();
    let db_bytes = std::fs::read(&live).unwrap();
    drop(writer);
    let copy_dir = dir.path().join("copy");
    std::fs::create_dir(&copy_dir).unwrap();
    let db = copy_dir.join("archive-w.db");
    let wal = wal_of(&db);
    std::fs::write(&db, &db_bytes).unwrap();
    let check = |raw: &[u8]| {
        std::fs::write(&wal, raw).unwrap();
        bad_frames(&db, &key, cipher).unwrap()
    };
    let n = frames(&clean);
    assert_eq!(check(&clean), Vec::<String>::new());
    // The last frame cut short, or its checksum broken (a crash while writing it).
    assert_eq!(check(&clean[..clean.len() - 1000]), Vec::<String>::new());
    let mut raw = clean.clone();
    raw[at(n) + 100] ^= 0x01;
    assert_eq!(check(&raw), Vec::<String>::new());
    // A middle frame's checksum broken, commits after it: SQLite would drop them.
    let k = n / 2;
    let mut raw = clean.clone();
    raw[at(k) + FRAME_HEADER + 300] ^= 0x01;
    let found = check(&raw);
    assert_eq!(found.len(), 1, "{found:?}");
    assert!(
        found[0].starts_with(&format!(
            "archive-w.db-wal frame {k} (page {}) fails its checksum, but ",
            page_of(&clean, k)
        )) && found[0].ends_with("SQLite stops reading there and drops those commits"),
        "{found:?}"
    );
    // Recomputed checksums: the HMAC.
    rechain(&mut raw);
    assert_eq!(
        check(&raw),
        vec![format!(
            "archive-w.db-wal frame {k} (page {}): HMAC verification failed",
            page_of(&clean, k)
        )]
    );
    // A changed header: SQLite would ignore the whole WAL.
    let mut raw = clean.clone();
    raw[17] ^= 0x01;
    assert_eq!(
        check(&raw),
        vec![format!(
            "archive-w.db-wal: its header fails its checksum, so SQLite ignores all {n} frames \
             in it (the pages written since the last checkpoint)"
        )]
    );
    // No WAL, or an empty one: nothing to check.
    assert_eq!(check(&[]), Vec::<String>::new());
    std::fs::remove_file(&wal).unwrap();
    assert_eq!(bad_frames(&db, &key, cipher).unwrap(), Vec::<String>::new());
}
