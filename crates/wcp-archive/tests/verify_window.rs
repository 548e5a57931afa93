//! The archiver's periodic verification by stretches (`Archive::verify_stretch`): every
//! stretch of a clean archive verifies, including older ones whose rows later records
//! recalled or expired; an edit, deletion or insertion in a stretch's records or rows is
//! found by the stretch that holds it, and only by that one.
mod common;

use std::path::{Path, PathBuf};

use common::{keep_until, recall, text, with_pii, with_risk, DAY_MS, T0};
use rusqlite::Connection;
use wcp_archive::{Archive, ProblemKind, SourceOffset};
use wcp_model::RiskCategory;

fn offset(n: i64) -> SourceOffset {
    SourceOffset {
        topic: "chat.tagged".into(),
        partition: 0,
        next_offset: n,
    }
}

/// Messages with risks and PII, a recall, then an expiry of the first messages (tombstones
/// late in the chain for rows early in it), then more messages.
fn build(dir: &Path) -> PathBuf {
    let path = dir.join("a.db");
    let mut a = common::open(&path);
    let mut events = common::corpus();
    events[2] = with_risk(events[2].clone(), RiskCategory::GuaranteeOfReturns);
    events[4] = with_pii(events[4].clone(), "PHONE_NUMBER");
    events[0] = keep_until(events[0].clone(), T0 + DAY_MS);
    events[1] = keep_until(events[1].clone(), T0 + DAY_MS);
    a.insert_batch(&events[..10], &[offset(10)]).unwrap();
    a.insert_batch(&events[10..], &[offset(20)]).unwrap();
    a.insert_batch(&[recall("r1", "m03", T0 + 3_600_000)], &[offset(21)])
        .unwrap();
    let (expired, _) = common::expire_at(&mut a, T0 + 2 * DAY_MS, "dpo");
    assert!(expired >= 2, "expired {expired}");
    let later: Vec<_> = (0..6)
        .map(|i| text(&format!("n{i}"), "later message", T0 + 5 * DAY_MS + i))
        .collect();
    a.insert_batch(&later, &[offset(27)]).unwrap();
    let full = a.verify().unwrap();
    assert!(full.ok, "{:#?}", full.problems);
    path
}

fn open(path: &Path) -> Archive {
    Archive::open_read_only(path, Some(&common::key().verifying_key())).unwrap()
}

/// Every stretch of `size` records, as the archiver walks them: older ones with `older`.
fn stretches(a: &Archive, size: i64) -> Vec<(i64, i64, wcp_archive::VerifyReport)> {
    let head = a.signed_head().unwrap();
    let key = common::key().verifying_key();
    let mut out = Vec::new();
    let mut from = 0;
    while from < head {
        let to = (from + size).min(head);
        let r = a.verify_stretch(Some(&key), from, to, to < head).unwrap();
        out.push((from, to, r));
        from = to;
    }
    out
}

#[test]
fn every_stretch_of_a_clean_archive_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let a = open(&build(dir.path()));
    let head = a.signed_head().unwrap();
    assert!(head > 30, "head {head}");
    for size in [1, 3, 7, 1000] {
        let mut checked = 0;
        for (from, to, r) in stretches(&a, size) {
            assert!(r.ok, "({from}, {to}] size {size}: {:#?}", r.problems);
            checked += r.records_checked as i64;
            assert_eq!(
                r.last_signed.is_some(),
                to == head || r.checkpoints_checked > 0
            );
        }
        assert_eq!(checked, head, "size {size}: each record once");
    }
}

/// The stretches of a copy after `sql` that fail, with the kinds they report.
fn failing(path: &Path, sql: &str) -> Vec<(i64, i64, Vec<ProblemKind>)> {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("b.db");
    std::fs::copy(path, &copy).unwrap();
    let c = Connection::open(&copy).unwrap();
    assert!(c.execute(sql, []).unwrap() >= 1, "{sql}");
    drop(c);
    stretches(&open(&copy), 5)
        .into_iter()
        .filter(|(_, _, r)| !r.ok)
        .map(|(f, t, r)| (f, t, r.problems.iter().map(|p| p.kind).collect()))
        .collect()
}

#[test]
fn a_tampered_row_or_record_is_found_by_its_stretch_only() {
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let seq_of = |msgid: &str| -> i64 {
        Connection::open(&path)
            .unwrap()
            .query_row("SELECT seq FROM msgids WHERE msgid = ?1", [msgid], |r| {
                r.get(0)
            })
            .unwrap()
    };
    let (m05, m02, m04) = (seq_of("m05"), seq_of("m02"), seq_of("m04"));
    let cases = [
        (format!("UPDATE messages SET text = 'x' WHERE seq = {m05}"), m05, ProblemKind::Changed),
        (format!("DELETE FROM risks WHERE seq = {m02}"), m02, ProblemKind::Missing),
        (format!("DELETE FROM pii WHERE seq = {m04}"), m04, ProblemKind::Missing),
        (format!("DELETE FROM messages WHERE seq = {m05}"), m05, ProblemKind::Missing),
        (format!("UPDATE records SET body = CAST('{{}}' AS BLOB) WHERE seq = {m05}"), m05, ProblemKind::Altered),
        (format!("INSERT INTO audit (seq, at_ms, actor, action, detail) VALUES ({m05}, 1, 'x', 'y', '{{}}')"), m05, ProblemKind::Added),
    ];
    for (sql, seq, kind) in cases {
        let bad = failing(&path, &sql);
        assert_eq!(bad.len(), 1, "{sql}: {bad:?}");
        let (from, to, kinds) = &bad[0];
        assert!(*from < seq && seq <= *to, "{sql}: found in ({from}, {to}]");
        assert!(kinds.contains(&kind), "{sql}: {kinds:?}");
    }
}

#[test]
fn a_head_stretch_catches_a_removed_row_coming_back() {
    // The expiry's tombstones sit in a later stretch than their targets: putting an expired
    // row back is found by the tombstone's stretch.
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let c = Connection::open(&path).unwrap();
    let (seq, msgid): (i64, String) = c
        .query_row(
            "SELECT seq, msgid FROM msgids WHERE state = 'x' ORDER BY seq LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    drop(c);
    let sql = format!("INSERT INTO messages (seq, msgid, conversation_id, from_id, time_ms, msgtype, disposition, participants, text) VALUES ({seq}, '{msgid}', 'c', 'f', 1, 'text', 'archive', '|f|', 'back')");
    let bad = failing(&path, &sql);
    assert!(!bad.is_empty(), "not found");
    assert!(
        bad.iter()
            .any(|(f, _, k)| *f >= seq && k.contains(&ProblemKind::Added)),
        "{bad:?}"
    );
}

/// The incremental tick (`verify_after` from the first signed head) on a copy after `sql`.
fn after_first_head(path: &Path, sql: &str) -> wcp_archive::VerifyReport {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("c.db");
    std::fs::copy(path, &copy).unwrap();
    let c = Connection::open(&copy).unwrap();
    let (seq, hash): (i64, Vec<u8>) = c
        .query_row(
            "SELECT seq, hash FROM checkpoints ORDER BY id LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    if !sql.is_empty() {
        c.execute_batch(&sql.replace("HEAD", &seq.to_string()))
            .unwrap();
    }
    drop(c);
    let key = common::key().verifying_key();
    open(&copy)
        .verify_after(Some(&key), seq, &hex::encode(hash))
        .unwrap()
}

#[test]
fn the_incremental_tick_checks_records_as_the_full_scan_does() {
    // The same per-record check serves both: a swapped pair is reported as reordered, a
    // tail cut off behind its kept checkpoint as cut off, a record appended without a
    // checkpoint as inserted — within the records the tick walks, not only by the full scan.
    let dir = tempfile::tempdir().unwrap();
    let path = build(dir.path());
    let clean = after_first_head(&path, "");
    assert!(clean.ok, "{:#?}", clean.problems);
    let swap = "UPDATE records SET seq = -1 WHERE seq = HEAD + 2; \
                UPDATE records SET seq = HEAD + 2 WHERE seq = HEAD + 3; \
                UPDATE records SET seq = HEAD + 3 WHERE seq = -1";
    let cut = "DELETE FROM records WHERE seq > (SELECT MAX(seq) - 3 FROM records)";
    let insert = "INSERT INTO records (seq, kind, msgid, body, digest, hash) \
                  SELECT MAX(seq) + 1, 'message', 'forged', x'7b7d', zeroblob(32), zeroblob(32) FROM records";
    let cases = [
        (swap, ProblemKind::Reordered, "out of order"),
        (cut, ProblemKind::Removed, "cut off"),
        (insert, ProblemKind::Inserted, "behind the archive's back"),
    ];
    let mut missed = Vec::new();
    for (sql, kind, words) in cases {
        let r = after_first_head(&path, sql);
        let seen = r
            .problems
            .iter()
            .any(|p| p.kind == kind && p.words().contains(words));
        if !seen {
            missed.push(format!("{sql}: {:#?}", r.problems));
        }
        // The full scan reports the same kind.
        let dir = tempfile::tempdir().unwrap();
        let copy = dir.path().join("d.db");
        std::fs::copy(&path, &copy).unwrap();
        let c = Connection::open(&copy).unwrap();
        let head: i64 = c
            .query_row("SELECT MIN(seq) FROM checkpoints", [], |r| r.get(0))
            .unwrap();
        c.execute_batch(&sql.replace("HEAD", &head.to_string()))
            .unwrap();
        drop(c);
        let full = open(&copy).verify().unwrap();
        assert!(
            full.problems.iter().any(|p| p.kind == kind),
            "{sql}: full scan {:#?}",
            full.problems
        );
    }
    assert!(missed.is_empty(), "the tick missed: {missed:#?}");
}
