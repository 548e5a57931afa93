//! Tamper evidence: every edit made behind the archive's back is found and named.
mod common;

use rusqlite::{params, Connection};
use wcp_archive::{verify::verify, ProblemKind};

fn archive() -> (tempfile::TempDir, std::path::PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = common::open(&path);
    let events = common::corpus();
    a.insert_batch(&events[..10], &[]).unwrap();
    a.insert_batch(&events[10..], &[]).unwrap();
    a.insert_batch(&[common::recall("r1", "m03", common::T0 + 3_600_000)], &[])
        .unwrap();
    assert_eq!(a.chain_len(), 22);
    (dir, path)
}

fn problem_after(edit: impl FnOnce(&Connection)) -> wcp_archive::Problem {
    let (_dir, path) = archive();
    let conn = Connection::open(&path).unwrap();
    edit(&conn);
    let report = verify(&conn, Some(&common::key().verifying_key())).unwrap();
    assert!(!report.ok, "tampering went unnoticed");
    report.first_problem.expect("a problem is named")
}

#[test]
fn untouched_archive_verifies() {
    let (_dir, path) = archive();
    let a = common::open(&path);
    let report = a.verify().unwrap();
    assert!(report.ok, "{report:?}");
    assert_eq!(report.records_checked, 22);
    assert!(report.checkpoints_checked >= 5);
}

#[test]
fn flipped_byte_is_altered() {
    let p = problem_after(|c| {
        let mut body: Vec<u8> = c
            .query_row("SELECT body FROM records WHERE seq = 7", [], |r| r.get(0))
            .unwrap();
        body[40] ^= 0x01;
        c.execute("UPDATE records SET body = ?1 WHERE seq = 7", [body])
            .unwrap();
    });
    assert_eq!(
        (p.kind, p.seq, p.msgid.as_deref()),
        (ProblemKind::Altered, 7, Some("m06"))
    );
}

#[test]
fn edited_msgid_column_is_altered() {
    let p = problem_after(|c| {
        c.execute("UPDATE records SET msgid = 'mXX' WHERE seq = 5", [])
            .unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::Altered, 5));
}

#[test]
fn deleted_row_is_removed() {
    let p = problem_after(|c| {
        c.execute("DELETE FROM records WHERE seq = 9", []).unwrap();
    });
    assert_eq!(
        (p.kind, p.seq, p.msgid.as_deref()),
        (ProblemKind::Removed, 9, Some("m08"))
    );
}

#[test]
fn deleted_last_row_is_removed() {
    let p = problem_after(|c| {
        c.execute("DELETE FROM records WHERE seq = 22", []).unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::Removed, 22));
}

#[test]
fn inserted_row_is_inserted_even_with_a_correct_hash() {
    let p = problem_after(|c| {
        // The forger knows the hash construction; only the signature stops them.
        let (prev, body) = (
            c.query_row("SELECT hash FROM records WHERE seq = 22", [], |r| {
                r.get::<_, Vec<u8>>(0)
            })
            .unwrap(),
            b"{}".to_vec(),
        );
        let d = wcp_archive::chain::digest(&body);
        let h = wcp_archive::chain::link(&prev.try_into().unwrap(), 23, "message", "forged", &d);
        c.execute(
            "INSERT INTO records (seq, kind, msgid, body, digest, hash) VALUES (23, 'message', 'forged', ?1, ?2, ?3)",
            params![body, &d[..], &h[..]],
        )
        .unwrap();
    });
    assert_eq!(
        (p.kind, p.seq, p.msgid.as_deref()),
        (ProblemKind::Inserted, 23, Some("forged"))
    );
}

#[test]
fn swapped_rows_are_reordered() {
    let p = problem_after(|c| {
        c.execute_batch(
            "UPDATE records SET seq = -1 WHERE seq = 12;
             UPDATE records SET seq = 12 WHERE seq = 13;
             UPDATE records SET seq = 13 WHERE seq = -1;",
        )
        .unwrap();
    });
    assert_eq!(
        (p.kind, p.seq, p.msgid.as_deref()),
        (ProblemKind::Reordered, 12, Some("m12"))
    );
}

#[test]
fn swapped_contents_are_reordered() {
    let p = problem_after(|c| {
        c.execute_batch(
            "CREATE TEMP TABLE t AS SELECT * FROM records WHERE seq IN (3, 4);
             UPDATE records SET kind = (SELECT kind FROM t WHERE seq = 4), msgid = (SELECT msgid FROM t WHERE seq = 4),
                 body = (SELECT body FROM t WHERE seq = 4), digest = (SELECT digest FROM t WHERE seq = 4) WHERE seq = 3;
             UPDATE records SET kind = (SELECT kind FROM t WHERE seq = 3), msgid = (SELECT msgid FROM t WHERE seq = 3),
                 body = (SELECT body FROM t WHERE seq = 3), digest = (SELECT digest FROM t WHERE seq = 3) WHERE seq = 4;",
        )
        .unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::Reordered, 3));
}

#[test]
fn edited_checkpoint_hash_is_bad_checkpoint() {
    let p = problem_after(|c| {
        let (id, seq, mut hash): (i64, i64, Vec<u8>) = c
            .query_row(
                "SELECT id, seq, hash FROM checkpoints WHERE id = 2",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .unwrap();
        assert_eq!(id, 2);
        assert_eq!(seq, 8);
        hash[0] ^= 0x80;
        c.execute("UPDATE checkpoints SET hash = ?1 WHERE id = 2", [hash])
            .unwrap();
    });
    assert_eq!(p.kind, ProblemKind::BadCheckpoint);
    assert_eq!(p.seq, 8);
}

#[test]
fn moved_checkpoint_is_bad_checkpoint() {
    let p = problem_after(|c| {
        c.execute("UPDATE checkpoints SET seq = seq + 1 WHERE id = 3", [])
            .unwrap();
    });
    assert_eq!(p.kind, ProblemKind::BadCheckpoint);
}

#[test]
fn deleted_checkpoint_is_bad_checkpoint() {
    let p = problem_after(|c| {
        c.execute("DELETE FROM checkpoints WHERE id = 2", [])
            .unwrap();
    });
    assert_eq!(p.kind, ProblemKind::BadCheckpoint);
}

#[test]
fn rewritten_chain_fails_at_the_next_checkpoint() {
    // Alter a record and recompute every later hash: the signed checkpoint still catches it.
    let p = problem_after(|c| {
        c.execute(
            "UPDATE records SET body = CAST('{}' AS BLOB) WHERE seq = 2",
            [],
        )
        .unwrap();
        let mut stmt = c
            .prepare("SELECT seq, kind, msgid, body FROM records ORDER BY seq")
            .unwrap();
        let rows: Vec<(i64, String, String, Vec<u8>)> = stmt
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        let mut prev = wcp_archive::chain::GENESIS;
        for (seq, kind, msgid, body) in rows {
            let d = wcp_archive::chain::digest(&body);
            prev = wcp_archive::chain::link(&prev, seq, &kind, &msgid, &d);
            c.execute(
                "UPDATE records SET digest = ?1, hash = ?2 WHERE seq = ?3",
                params![&d[..], &prev[..], seq],
            )
            .unwrap();
        }
    });
    assert_eq!(p.kind, ProblemKind::BadCheckpoint);
    assert_eq!(p.seq, 4, "first checkpoint after the edit");
}

#[test]
fn another_key_does_not_verify() {
    let (_dir, path) = archive();
    let conn = Connection::open(&path).unwrap();
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    let report = verify(&conn, Some(&other)).unwrap();
    assert_eq!(
        report.first_problem.unwrap().kind,
        ProblemKind::BadCheckpoint
    );
}

#[test]
fn retyped_columns_are_reported_not_errors() {
    let p = problem_after(|c| {
        c.execute(
            "UPDATE records SET body = CAST(body AS TEXT) || 'x' WHERE seq = 6",
            [],
        )
        .unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::Altered, 6));
    let p = problem_after(|c| {
        c.execute(
            "UPDATE checkpoints SET signature = 'not a signature' WHERE id = 1",
            [],
        )
        .unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::BadCheckpoint, 4));
    let p = problem_after(|c| {
        c.execute("UPDATE records SET hash = 42 WHERE seq = 3", [])
            .unwrap();
    });
    assert_eq!((p.kind, p.seq), (ProblemKind::Altered, 3));
}

#[test]
fn a_cut_tail_with_its_checkpoints_is_caught_against_an_earlier_head() {
    let (_dir, path) = archive();
    let a = common::open(&path);
    let before = a.verify().unwrap();
    let (seq, hash) = before.last_signed.clone().expect("signed head");
    assert_eq!(seq, 22);
    drop(a);
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(
        "DELETE FROM records WHERE seq > 20; DELETE FROM checkpoints WHERE seq > 20;",
    )
    .unwrap();
    let a = common::open(&path);
    assert!(
        a.verify().unwrap().ok,
        "the archive alone cannot see a clean cut"
    );
    let report = a.verify_since(None, seq, &hash).unwrap();
    let p = report.first_problem.unwrap();
    assert_eq!((p.kind, p.seq), (ProblemKind::Removed, 22));
    assert!(
        a.verify_since(None, 20, &before_hash_at(&conn, 20))
            .unwrap()
            .ok
    );
}

fn before_hash_at(conn: &Connection, seq: i64) -> String {
    let h: Vec<u8> = conn
        .query_row("SELECT hash FROM records WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })
        .unwrap();
    h.iter().map(|b| format!("{b:02x}")).collect()
}
