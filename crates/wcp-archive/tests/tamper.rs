//! Tamper evidence: every edit, deletion, insertion and swap made behind the archive's back,
//! in every table of the file, is found and named in plain words; a cut-off tail is caught
//! against an earlier head or the published anchors.
mod common;

use std::path::{Path, PathBuf};

use common::{in_room, keep_until, recall, text, with_pii, with_risk, DAY_MS, T0};
use rusqlite::Connection;
use wcp_archive::{verify::verify, HoldRequest, HoldScope, ProblemKind, Query, VerifyReport};
use wcp_model::{Disposition, RiskCategory};

/// An archive with a row in every table: messages with risks and PII, a recall, a sealed
/// quarantined message, two holds (one released), settings, offsets, searches (audit).
fn build(dir: &Path) -> PathBuf {
    let path = dir.join("a.db");
    let dpo = wcp_archive::seal::DpoKey::generate();
    let mut a = wcp_archive::Archive::open(
        &path,
        wcp_archive::ArchiveOptions {
            signing_key: Some(common::key()),
            checkpoint_every: 4,
            actor: "test".into(),
            quarantine_key: Some(dpo.public()),
            ..Default::default()
        },
    )
    .unwrap();
    let mut events = common::corpus();
    events[2] = with_risk(events[2].clone(), RiskCategory::GuaranteeOfReturns);
    events[3] = with_risk(events[3].clone(), RiskCategory::Complaint);
    events[4] = with_pii(events[4].clone(), "PHONE_NUMBER");
    events[5] = with_pii(events[5].clone(), "EMAIL_ADDRESS");
    let q = |id: &str| {
        let e = in_room(text(id, "no consent yet 13812345678", T0), "wrQ", "wmNEW");
        common::with_disposition(keep_until(e, T0 + DAY_MS), Disposition::Quarantine)
    };
    a.insert_batch(&events[..10], &[common_offset(10)]).unwrap();
    a.insert_batch(&events[10..], &[common_offset(20)]).unwrap();
    a.insert_batch(
        &[q("q1"), q("q2"), recall("r1", "m03", T0 + 3_600_000)],
        &[common_offset(23)],
    )
    .unwrap();
    let hold = |case: &str, scope| HoldRequest {
        scope,
        reason: "inquiry".into(),
        case_id: case.into(),
    };
    a.place_hold(
        &hold("C-1", HoldScope::Custodian("wmCLIENT".into())),
        "counsel",
    )
    .unwrap();
    let h2 = a
        .place_hold(
            &hold("C-2", HoldScope::Conversation("wrQ".into())),
            "counsel",
        )
        .unwrap();
    a.release_hold(h2.id, "counsel", "closed").unwrap();
    let change = wcp_archive::settings::ConfigChange {
        expire_max_share: Some(0.5),
        ..Default::default()
    };
    a.configure(&change, "admin").unwrap();
    for t in ["保本", "message"] {
        a.search(
            &Query {
                text: Some(t.into()),
                ..Query::default()
            },
            "reviewer",
        )
        .unwrap();
    }
    let report = a.verify().unwrap();
    assert!(report.ok, "{:#?}", report.problems);
    drop(a);
    path
}

fn common_offset(n: i64) -> wcp_archive::SourceOffset {
    wcp_archive::SourceOffset {
        topic: "chat.tagged".into(),
        partition: 0,
        next_offset: n,
    }
}

/// Verify of a fresh copy of the archive after `sql`.
fn after(src: &Path, sql: &str) -> VerifyReport {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("copy.db");
    {
        let c = Connection::open(src).unwrap();
        c.execute("VACUUM INTO ?1", [path.to_string_lossy()])
            .unwrap();
    }
    let conn = Connection::open(&path).unwrap();
    conn.execute_batch(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    drop(conn);
    let ro =
        wcp_archive::Archive::open_read_only(&path, Some(&common::key().verifying_key())).unwrap();
    ro.verify_with(&common::key().verifying_key()).unwrap()
}

/// (what is done, SQL, the kind expected, the table named, a word of the sentence).
const CASES: &[(&str, &str, ProblemKind, &str, &str)] = &[
    // The evidence.
    ("edit a record body", "UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'number 6', 'number 9') AS BLOB) WHERE msgid = 'm06' AND kind = 'message'", ProblemKind::Altered, "records", "m06"),
    ("edit a record's msgid", "UPDATE records SET msgid = 'mXX' WHERE seq = 5", ProblemKind::Altered, "records", "Record 5"),
    ("delete a record", "DELETE FROM records WHERE seq = 9", ProblemKind::Removed, "records", "Record 9"),
    ("insert a record", "INSERT INTO records (seq, kind, msgid, body, digest, hash) SELECT MAX(seq) + 1, 'message', 'forged', x'7b7d', zeroblob(32), zeroblob(32) FROM records", ProblemKind::Inserted, "records", "behind the archive's back"),
    ("swap two records", "UPDATE records SET seq = -1 WHERE seq = 6; UPDATE records SET seq = 6 WHERE seq = 7; UPDATE records SET seq = 7 WHERE seq = -1", ProblemKind::Reordered, "records", "out of order"),
    ("empty a body without a tombstone", "UPDATE records SET body = NULL WHERE msgid = 'm08' AND kind = 'message'", ProblemKind::Removed, "records", "without a tombstone"),
    ("delete a checkpoint", "DELETE FROM checkpoints WHERE id = 2", ProblemKind::BadCheckpoint, "checkpoints", "missing"),
    ("edit a checkpoint signature", "UPDATE checkpoints SET signature = zeroblob(64) WHERE id = 3", ProblemKind::BadCheckpoint, "checkpoints", "signature"),
    ("cut the tail with its last checkpoint kept", "DELETE FROM records WHERE seq > (SELECT MAX(seq) - 3 FROM records)", ProblemKind::Removed, "records", "cut off"),
    // messages.
    ("edit a message's text", "UPDATE messages SET text = 'nothing to see' WHERE msgid = 'm02'", ProblemKind::Changed, "messages", "text"),
    ("delete a message row", "DELETE FROM messages WHERE msgid = 'm04'", ProblemKind::Missing, "messages", "deleted"),
    ("insert a message row", "INSERT INTO messages (seq, msgid, conversation_id, from_id, time_ms, msgtype, disposition, participants, text) VALUES (9999, 'fake', 'c', 'x', 0, 'text', 'archive', '|x|', 'fake')", ProblemKind::Added, "messages", "no record accounts"),
    ("swap two messages' texts", "UPDATE messages SET text = CASE msgid WHEN 'm10' THEN (SELECT text FROM messages WHERE msgid = 'm11') ELSE (SELECT text FROM messages WHERE msgid = 'm10') END WHERE msgid IN ('m10', 'm11')", ProblemKind::Changed, "messages", "text"),
    ("edit a keep-until date", "UPDATE messages SET keep_until_ms = 0 WHERE msgid = 'm12'", ProblemKind::Changed, "messages", "keep_until_ms"),
    ("clear a recall mark", "UPDATE messages SET recalled_at_ms = NULL, recall_msgid = NULL WHERE msgid = 'm03'", ProblemKind::Changed, "messages", "recall"),
    // holds.
    ("delete a hold", "DELETE FROM holds WHERE case_id = 'C-1'", ProblemKind::Missing, "holds", "still held"),
    ("edit a hold", "UPDATE holds SET reason = 'x' WHERE case_id = 'C-1'", ProblemKind::Changed, "holds", "reason"),
    ("insert a hold", "INSERT INTO holds (scope, reason, case_id, placed_by, placed_at_ms) VALUES ('{}', 'r', 'C-9', 'x', 0)", ProblemKind::Added, "holds", "never placed"),
    ("swap two holds' cases", "UPDATE holds SET case_id = CASE case_id WHEN 'C-1' THEN 'C-2' ELSE 'C-1' END", ProblemKind::Changed, "holds", "case id"),
    ("release a hold by hand", "UPDATE holds SET released_by = 'x', released_at_ms = 1 WHERE case_id = 'C-1'", ProblemKind::Changed, "holds", "release"),
    // The search indexes.
    ("delete full-text index blocks", "DELETE FROM fts_data WHERE id > 10", ProblemKind::IndexBroken, "fts", "search by words"),
    ("insert a full-text entry", "INSERT INTO fts (rowid, text) VALUES (9999, 'invented words')", ProblemKind::IndexBroken, "fts", "search by words"),
    ("edit full-text index blocks", "UPDATE fts_data SET block = zeroblob(length(block)) WHERE id > 10", ProblemKind::IndexBroken, "fts", "search by words"),
    // (Swapping two whole segments' leaves moves postings between segments but leaves the
    // index's content, and every search, as it was: not tampering. Swapping the structure
    // record with a leaf is.)
    ("swap full-text index blocks", "CREATE TEMP TABLE s AS SELECT id, block FROM fts_data WHERE id = 10 OR id = (SELECT MIN(id) FROM fts_data WHERE id > 10); UPDATE fts_data SET block = (SELECT block FROM s WHERE s.id <> fts_data.id) WHERE id IN (SELECT id FROM s)", ProblemKind::IndexBroken, "fts", "search by words"),
    ("delete participant index blocks", "DELETE FROM id_tokens_data WHERE id > 10", ProblemKind::IndexBroken, "id_tokens", "by person"),
    // Every corpus text ends with 理财: its tail token finds two-character searches there.
    ("delete a text's tail token", "INSERT INTO id_tokens (id_tokens, rowid, tokens) SELECT 'delete', seq, 't理财' FROM messages WHERE msgid = 'm05'", ProblemKind::IndexBroken, "id_tokens", "two Chinese characters"),
    ("insert a tail token", "INSERT INTO id_tokens (rowid, tokens) SELECT seq, 't收益' FROM messages WHERE msgid = 'm05'", ProblemKind::IndexBroken, "id_tokens", "two Chinese characters"),
    ("delete a risk row", "DELETE FROM risks WHERE category = 'complaint'", ProblemKind::Missing, "risks", "deleted"),
    ("insert a PII row", "INSERT INTO pii (entity, seq) VALUES ('CREDIT_CARD', 2)", ProblemKind::Added, "pii", "no record accounts"),
    ("swap risk categories", "UPDATE risks SET category = CASE category WHEN 'complaint' THEN 'guarantee_of_returns' ELSE 'complaint' END", ProblemKind::Missing, "risks", "deleted"),
    // quarantine.
    ("edit a quarantined row", "UPDATE quarantine SET conversation_id = 'elsewhere' WHERE msgid = 'q1'", ProblemKind::Changed, "quarantine", "conversation_id"),
    ("delete a quarantined row", "DELETE FROM quarantine WHERE msgid = 'q2'", ProblemKind::Missing, "quarantine", "deleted"),
    ("insert a quarantined row", "INSERT INTO quarantine (seq, msgid, conversation_id, participants, time_ms) VALUES (9998, 'qx', 'c', '|x|', 0)", ProblemKind::Added, "quarantine", "no record accounts"),
    ("swap quarantined rows' ids", "UPDATE quarantine SET msgid = CASE msgid WHEN 'q1' THEN 'q2' ELSE 'q1' END", ProblemKind::Changed, "quarantine", "msgid"),
    // audit.
    ("edit an audit row", "UPDATE audit SET actor = 'nobody' WHERE action = 'search'", ProblemKind::Changed, "audit", "actor"),
    ("delete an audit row", "DELETE FROM audit WHERE action = 'configure'", ProblemKind::Missing, "audit", "deleted"),
    ("insert an audit row", "INSERT INTO audit (seq, at_ms, actor, action, detail) VALUES (9997, 0, 'x', 'search', '{}')", ProblemKind::Added, "audit", "no record accounts"),
    ("swap audit rows' actions", "UPDATE audit SET action = CASE action WHEN 'search' THEN 'configure' ELSE 'search' END WHERE action IN ('search', 'configure')", ProblemKind::Changed, "audit", "action"),
    // The other projections.
    ("edit a msgid's state", "UPDATE msgids SET state = 'x' WHERE msgid = 'm01'", ProblemKind::Changed, "msgids", "state"),
    ("delete a msgid", "DELETE FROM msgids WHERE msgid = 'm01'", ProblemKind::Missing, "msgids", "deleted"),
    ("edit a setting", "UPDATE settings SET value = '1' WHERE key = 'expire_max_share'", ProblemKind::Changed, "settings", "expire_max_share"),
    ("insert a setting", "INSERT INTO settings (key, value, seq) VALUES ('approver.mallory', 'aa', 1)", ProblemKind::Added, "settings", "approver.mallory"),
    ("edit a stored offset", "UPDATE offsets SET next_offset = 99", ProblemKind::Changed, "offsets", "chat.tagged"),
    ("delete a stored offset", "DELETE FROM offsets", ProblemKind::Missing, "offsets", "chat.tagged"),
    ("insert a pending recall", "INSERT INTO pending_recalls VALUES ('ghost', 'r9', 0)", ProblemKind::Added, "pending_recalls", "ghost"),
    ("insert a signing key", "INSERT INTO keys (seq, public_key) VALUES (5, 'aa')", ProblemKind::Added, "keys", "no record"),
];

#[test]
fn every_tampering_in_every_table_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let mut missed = Vec::new();
    for (what, sql, kind, table, word) in CASES {
        let r = after(&src, sql);
        let hit = r
            .problems
            .iter()
            .find(|p| p.kind == *kind && p.table == *table);
        match hit {
            Some(p) if p.words().contains(word) => {}
            _ => missed.push(format!(
                "{what}: wanted {kind:?} in {table} saying {word:?}, got {:#?}",
                r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
            )),
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n\n"));
}

/// The tail token is what finds two characters ending a text: without it the search misses
/// the message, and verify says the index disagrees.
#[test]
fn a_missing_tail_token_loses_the_search_and_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let copy = dir.path().join("copy.db");
    {
        let c = Connection::open(&src).unwrap();
        c.execute("VACUUM INTO ?1", [copy.to_string_lossy()])
            .unwrap();
    }
    let c = Connection::open(&copy).unwrap();
    c.execute(
        "INSERT INTO id_tokens (id_tokens, rowid, tokens) SELECT 'delete', seq, 't理财' FROM messages WHERE msgid = 'm05'",
        [],
    )
    .unwrap();
    drop(c);
    let key = common::key().verifying_key();
    let ro = wcp_archive::Archive::open_read_only(&copy, Some(&key)).unwrap();
    let q = Query {
        text: Some("理财".into()),
        ..Query::default()
    };
    let (found, _) = ro.review_search_probing(&q, 0, 100, 0).unwrap();
    let ids: Vec<&str> = found.iter().map(|m| m.stored.msgid.as_str()).collect();
    assert_eq!(ids.len(), 19, "{ids:?}");
    assert!(!ids.contains(&"m05"), "{ids:?}");
    let r = ro.verify_with(&key).unwrap();
    assert!(
        r.problems
            .iter()
            .any(|p| p.kind == ProblemKind::IndexBroken && p.table == "id_tokens"),
        "{:#?}",
        r.problems
    );
}

#[test]
fn every_problem_is_reported_with_its_message() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let r = after(
        &src,
        "UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'number 6', 'number 9') AS BLOB) WHERE msgid = 'm06' AND kind = 'message';
         UPDATE records SET body = CAST(replace(CAST(body AS TEXT), 'number 15', 'number 1') AS BLOB) WHERE msgid = 'm15' AND kind = 'message';",
    );
    let altered: Vec<&wcp_archive::Problem> = r
        .problems
        .iter()
        .filter(|p| p.kind == ProblemKind::Altered)
        .collect();
    assert_eq!(
        altered.len(),
        2,
        "both edits, not only the first: {:#?}",
        r.problems
    );
    let p = altered[0];
    assert_eq!(p.msgid.as_deref(), Some("m06"));
    let words = p.words();
    for part in [
        "Record 7",
        "message m06",
        "by zhangsan",
        "in conversation wmCLIENT|zhangsan",
        "2025-11-24T16:06:00.000Z",
        "was altered",
    ] {
        assert!(words.contains(part), "{part:?} in {words}");
    }
}

#[test]
fn a_wrong_public_key_is_its_own_error() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    let Err(err) = wcp_archive::Archive::open_read_only(&src, Some(&other)) else {
        panic!("another key was accepted")
    };
    assert!(
        matches!(err, wcp_archive::ArchiveError::WrongKey { .. }),
        "{err}"
    );
    assert!(err.to_string().contains("not by the key you gave"), "{err}");
    let conn = Connection::open(&src).unwrap();
    assert!(matches!(
        verify(&conn, Some(&other)),
        Err(wcp_archive::ArchiveError::WrongKey { .. })
    ));
}

#[test]
fn a_cut_tail_with_its_checkpoints_is_caught_by_anchors_and_earlier_heads() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let a = wcp_archive::Archive::open_read_only(&src, None).unwrap();
    let anchor = a.latest_anchor("cn").unwrap().unwrap();
    assert!(anchor.signature_holds());
    let (seq, hash) = a.verify().unwrap().last_signed.unwrap();
    drop(a);
    let conn = Connection::open(&src).unwrap();
    // Cut at a checkpoint, with every checkpoint after it: a clean cut.
    let cut: i64 = conn
        .query_row(
            "SELECT MAX(seq) FROM checkpoints WHERE seq < ?1 - 3",
            [seq],
            |r| r.get(0),
        )
        .unwrap();
    conn.execute_batch(&format!(
        "DELETE FROM records WHERE seq > {cut}; DELETE FROM checkpoints WHERE seq > {cut};"
    ))
    .unwrap();
    drop(conn);
    let a = wcp_archive::Archive::open_read_only(&src, None).unwrap();
    let r = a.verify().unwrap();
    assert!(
        r.problems
            .iter()
            .all(|p| p.table != "records" && p.table != "checkpoints"),
        "the chain alone cannot see a clean cut: {:#?}",
        r.problems
    );
    let problems = a.check_anchors(&[anchor], "cn").unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].kind, ProblemKind::Truncated);
    assert!(
        problems[0]
            .words()
            .contains(&format!("records {} to {seq} were cut off", cut + 1)),
        "{}",
        problems[0].words()
    );
    let r = a.verify_since(None, seq, &hash).unwrap();
    assert!(r.problems.iter().any(|p| p.kind == ProblemKind::Truncated));
}

#[test]
fn a_hold_deleted_by_hand_still_keeps_its_messages() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = common::open(&path);
    let old = |id: &str| keep_until(text(id, "old business", T0), T0 + DAY_MS);
    a.insert_batch(&[old("h1"), old("h2")], &[]).unwrap();
    let req = HoldRequest {
        scope: HoldScope::Custodian("wmCLIENT".into()),
        reason: "SEC".into(),
        case_id: "C-7".into(),
    };
    a.place_hold(&req, "counsel").unwrap();
    let change = wcp_archive::settings::ConfigChange {
        expire_max_share: Some(1.0),
        ..Default::default()
    };
    a.configure(&change, "admin").unwrap();
    drop(a);
    Connection::open(&path)
        .unwrap()
        .execute("DELETE FROM holds", [])
        .unwrap();
    let mut a = common::open(&path);
    assert!(
        a.list_holds(false).unwrap().is_empty(),
        "the hold list is fooled"
    );
    let req = wcp_archive::ExpireRequest {
        cutoff_ms: Some(T0 + 2 * DAY_MS),
        ..Default::default()
    };
    let err = a.expire(&req, "retention-job").expect_err("expiry refused");
    assert!(
        matches!(err, wcp_archive::ArchiveError::NotVerified(_)),
        "{err}"
    );
    assert!(err.to_string().contains("hold 1 (case C-7"), "{err}");
    assert!(a.message("h1").is_some() && a.message("h2").is_some());
    // rebuild restores the hold from the chain; expiry then keeps the held messages.
    let rebuilt = a.rebuild("admin").unwrap();
    assert_eq!(rebuilt.repaired.len(), 1, "{:?}", rebuilt.repaired);
    assert_eq!(a.list_holds(false).unwrap().len(), 1);
    let r = a.expire(&req, "retention-job").unwrap();
    assert_eq!((r.expired.len(), r.held), (0, 2));
    assert!(a.verify().unwrap().ok);
}

#[test]
fn rebuild_restores_every_projection_and_refuses_a_broken_chain() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let conn = Connection::open(&src).unwrap();
    conn.execute_batch(
        "DELETE FROM messages WHERE msgid = 'm04'; UPDATE holds SET reason = 'x';
         DELETE FROM audit; INSERT INTO fts (rowid, text) VALUES (9999, 'invented words');",
    )
    .unwrap();
    drop(conn);
    let mut a = common::open(&src);
    assert!(!a.verify().unwrap().ok);
    a.rebuild("admin").unwrap();
    let r = a.verify().unwrap();
    assert!(r.ok, "{:#?}", r.problems);
    drop(a);
    let conn = Connection::open(&src).unwrap();
    conn.execute("UPDATE records SET msgid = 'mXX' WHERE seq = 5", [])
        .unwrap();
    drop(conn);
    let mut a = common::open(&src);
    let err = a.rebuild("admin").expect_err("refused");
    assert!(err.to_string().contains("chain itself is broken"), "{err}");
}

/// An archive rolled back (an older copy put in its place, as a RUNBOOK restore does) and
/// written on again past the newest anchor it had: a check of the newest anchor alone passed
/// once the rewritten chain published a newer one (trial 15j D3). Every anchor is compared:
/// those published between the copy and the rollback disagree, and the history is reported
/// rewritten.
#[test]
fn an_archive_rolled_back_and_written_on_again_fails_every_anchor_check() {
    let dir = tempfile::tempdir().unwrap();
    let db = dir.path().join("archive-cn.db");
    let open = || {
        wcp_archive::Archive::open(
            &db,
            wcp_archive::ArchiveOptions {
                signing_key: Some(common::key()),
                checkpoint_every: 1,
                actor: "test".into(),
                ..Default::default()
            },
        )
        .unwrap()
    };
    let batch = |tag: &str, n: i64| -> Vec<_> {
        (0..n)
            .map(|i| text(&format!("{tag}-{i}"), &format!("message {i}"), T0 + i))
            .collect()
    };
    let mut anchors = Vec::new();
    let mut a = open();
    a.insert_batch(&batch("a", 5), &[]).unwrap();
    anchors.push(a.latest_anchor("cn").unwrap().unwrap());
    drop(a);
    let backup = std::fs::read(&db).unwrap();
    let mut a = open();
    a.insert_batch(&batch("b", 5), &[]).unwrap();
    anchors.push(a.latest_anchor("cn").unwrap().unwrap());
    drop(a);
    // Rolled back to the copy, then written on again, further than before.
    std::fs::write(&db, &backup).unwrap();
    let mut a = open();
    a.insert_batch(&batch("c", 12), &[]).unwrap();
    anchors.push(a.latest_anchor("cn").unwrap().unwrap());
    drop(a);
    assert!(anchors[2].seq > anchors[1].seq, "{anchors:?}");
    let r = wcp_archive::Archive::open_read_only(&db, None).unwrap();
    assert!(
        r.verify().unwrap().ok,
        "the rewritten chain holds by itself"
    );
    let problems = r.check_anchors(&anchors, "cn").unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].kind, ProblemKind::Altered);
    let words = problems[0].words();
    assert!(
        words.contains(&format!(
            "record {} differs from the head the anchors topic saw",
            anchors[1].seq
        )) && words.contains("the chain was rewritten from there on")
            && words.contains("rolled back"),
        "{words}"
    );
    // Before it was written on again (just after the rollback): a cut-off tail.
    std::fs::write(&db, &backup).unwrap();
    let r = wcp_archive::Archive::open_read_only(&db, None).unwrap();
    let problems = r.check_anchors(&anchors[..2], "cn").unwrap();
    assert_eq!(problems.len(), 1, "{problems:#?}");
    assert_eq!(problems[0].kind, ProblemKind::Truncated);
}

/// The record problems of a report, in words.
fn chain_words(r: &VerifyReport) -> Vec<String> {
    r.problems
        .iter()
        .filter(|p| matches!(p.table.as_str(), "records" | "checkpoints"))
        .map(|p| p.words())
        .collect()
}

/// Trial 12a D1: a replayed record (its message id taken) and values of another storage class
/// than the schema's made verify stop with a raw SQLite error (exit 2, no report). Each is a
/// problem named like the others.
#[test]
fn a_replayed_record_or_a_value_of_another_type_is_reported_not_a_crash() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    // Appended: a copy of record 5, with another table changed so the rows are named too.
    let r = after(
        &src,
        "INSERT INTO records SELECT (SELECT MAX(seq) + 1 FROM records), kind, msgid, body, digest, hash FROM records WHERE seq = 5;
         DELETE FROM messages WHERE msgid = 'm04';",
    );
    let w = chain_words(&r);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].contains("was inserted") && w[0].contains("a copy of record 5"),
        "{w:#?}"
    );
    // Put in place of record 8: the copy is named, and record 8's own content is gone.
    let r = after(
        &src,
        "DELETE FROM records WHERE seq = 8;
         INSERT INTO records SELECT 8, kind, msgid, body, digest, hash FROM records WHERE seq = 7;
         DELETE FROM messages WHERE msgid = 'm04';",
    );
    let w = chain_words(&r);
    assert_eq!(w.len(), 1, "{w:#?}");
    assert!(
        w[0].starts_with("Record 8 ") && w[0].contains("a copy of record 7"),
        "{w:#?}"
    );
    assert!(serde_json::to_string(&r)
        .unwrap()
        .contains("a copy of record 7"));
    // Storage classes a tamperer chose: a setting as a BLOB, a kind as a BLOB, a risk NULL.
    let r = after(
        &src,
        "UPDATE settings SET value = CAST(value AS BLOB) WHERE key = 'expire_max_share';
         UPDATE pending_recalls SET recalled_at_ms = 'x';
         UPDATE offsets SET next_offset = 'ten';
         UPDATE records SET kind = CAST(kind AS BLOB) WHERE seq = 3;
         DELETE FROM messages WHERE msgid = 'm04';",
    );
    assert!(
        r.problems
            .iter()
            .any(|p| p.table == "settings" && p.kind == ProblemKind::Changed),
        "{:#?}",
        r.problems
    );
    assert!(
        r.problems.iter().any(|p| p.table == "offsets"),
        "{:#?}",
        r.problems
    );
}

/// Trial 12a D3: a message rewritten and every later hash recomputed (no key needed) was
/// reported as the whole archive "inserted", with a problem per checkpoint; it is one
/// problem: the records up to the first checkpoint that no longer matches were rewritten.
#[test]
fn a_rewritten_and_rechained_record_is_one_rewrite_not_an_insertion() {
    use wcp_archive::chain::{digest, link, to_hash};
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let copy = dir.path().join("rechained.db");
    let conn = Connection::open(&src).unwrap();
    conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .unwrap();
    drop(conn);
    let conn = Connection::open(&copy).unwrap();
    let target: i64 = conn
        .query_row(
            "SELECT seq FROM records WHERE msgid = 'm06' AND kind = 'message'",
            [],
            |r| r.get(0),
        )
        .unwrap();
    let body: Vec<u8> = conn
        .query_row("SELECT body FROM records WHERE seq = ?1", [target], |r| {
            r.get(0)
        })
        .unwrap();
    let body = String::from_utf8(body)
        .unwrap()
        .replace("number 6", "number 9");
    conn.execute(
        "UPDATE records SET body = ?1, digest = ?2 WHERE seq = ?3",
        rusqlite::params![body.as_bytes(), &digest(body.as_bytes())[..], target],
    )
    .unwrap();
    // The message row too, as a careful tamperer does: only the search index, built from
    // the signed content, still disagrees, and names the record.
    conn.execute(
        "UPDATE messages SET text = replace(text, 'number 6', 'number 9') WHERE seq = ?1",
        [target],
    )
    .unwrap();
    let mut prev = {
        let h: Vec<u8> = conn
            .query_row(
                "SELECT hash FROM records WHERE seq = ?1",
                [target - 1],
                |r| r.get(0),
            )
            .unwrap();
        to_hash(&h).unwrap()
    };
    let rows: Vec<(i64, String, String, Vec<u8>)> = conn
        .prepare("SELECT seq, kind, msgid, digest FROM records WHERE seq >= ?1 ORDER BY seq")
        .unwrap()
        .query_map([target], |r| {
            Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
        })
        .unwrap()
        .map(Result::unwrap)
        .collect();
    for (seq, k, m, d) in rows {
        let h = link(&prev, seq, &k, &m, &to_hash(&d).unwrap());
        conn.execute(
            "UPDATE records SET hash = ?1 WHERE seq = ?2",
            rusqlite::params![&h[..], seq],
        )
        .unwrap();
        prev = h;
    }
    drop(conn);
    let key = common::key().verifying_key();
    let r = wcp_archive::Archive::open_read_only(&copy, Some(&key))
        .unwrap()
        .verify_with(&key)
        .unwrap();
    let chain: Vec<&wcp_archive::Problem> = r
        .problems
        .iter()
        .filter(|p| matches!(p.table.as_str(), "records" | "checkpoints"))
        .collect();
    assert_eq!(chain.len(), 1, "{:#?}", chain_words(&r));
    let p = chain[0];
    assert_eq!(p.kind, ProblemKind::Altered);
    assert_eq!((p.seq, p.seq_to), (target, target), "{}", p.words());
    assert_eq!(p.msgid.as_deref(), Some("m06"), "{}", p.words());
    assert!(
        p.words()
            .contains("differs from what the signed checkpoints cover")
            && p.words().contains("with a hash the chain no longer has"),
        "{}",
        p.words()
    );
    assert!(
        !r.problems.iter().any(|p| p.kind == ProblemKind::Inserted),
        "{:#?}",
        chain_words(&r)
    );
}

/// Trial 12a D3: one record put into the middle (the rest renumbered) gave a problem per later
/// record; a swap also named the untouched record after it.
#[test]
fn an_insertion_is_one_problem_and_a_swap_names_the_two_records() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let r = after(
        &src,
        "UPDATE records SET seq = seq + 1000 WHERE seq >= 10;
         UPDATE records SET seq = seq - 999 WHERE seq >= 1010;
         INSERT INTO records VALUES (10, 'message', 'forged', x'7b7d', zeroblob(32), zeroblob(32));",
    );
    assert_eq!(
        r.problems.len(),
        1,
        "{:#?}",
        r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
    );
    let p = &r.problems[0];
    assert_eq!(
        (p.kind, p.seq, p.seq_to),
        (ProblemKind::Inserted, 10, 10),
        "{}",
        p.words()
    );
    assert!(p.words().contains("renumbered"), "{}", p.words());
    let r = after(
        &src,
        "UPDATE records SET seq = -1 WHERE seq = 6; UPDATE records SET seq = 6 WHERE seq = 7; UPDATE records SET seq = 7 WHERE seq = -1",
    );
    let named: Vec<(ProblemKind, i64)> = r.problems.iter().map(|p| (p.kind, p.seq)).collect();
    assert_eq!(
        named,
        [(ProblemKind::Reordered, 6), (ProblemKind::Reordered, 7)],
        "{:#?}",
        r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
    );
    assert!(r.problems[0]
        .words()
        .contains("it is record 7 of the signed chain"));
}

/// Trial 12a D4: deleted signed checkpoints were reported as records "inserted … behind the
/// archive's back".
#[test]
fn deleted_checkpoints_are_named_as_deleted_checkpoints() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    for sql in [
        "DELETE FROM checkpoints WHERE id = (SELECT MAX(id) FROM checkpoints)",
        "DELETE FROM checkpoints",
    ] {
        let r = after(&src, sql);
        let w = chain_words(&r);
        assert_eq!(w.len(), 1, "{sql}: {w:#?}");
        assert_eq!(
            r.problems[0].kind,
            ProblemKind::CheckpointsDeleted,
            "{sql}: {w:#?}"
        );
        assert!(
            w[0].contains("deleted") && !w[0].contains("inserted"),
            "{sql}: {w:#?}"
        );
    }
}

/// Trial 12a D8, D9: a forged row is not pinned on the genuine message of the record it
/// claims; a changed `records.msgid` is named with the chain's message id; an audit row's
/// problem names the entry (actor, action, time).
#[test]
fn derived_rows_name_the_record_the_chain_has_and_audit_rows_their_entry() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let r = after(&src, "INSERT INTO msgids VALUES ('never-archived', 3, 'm')");
    let w = r.problems[0].words();
    assert_eq!(r.problems[0].msgid, None, "{w}");
    assert!(
        w.starts_with("A row of `msgids` that claims record 3") && w.contains("never-archived"),
        "{w}"
    );
    let r = after(&src, "UPDATE records SET msgid = 'mXX' WHERE seq = 5");
    let w = chain_words(&r);
    assert_eq!(w.len(), 1, "{:#?}", r.problems);
    assert!(
        w[0].contains("message m04") && !w[0].contains("mXX"),
        "{w:#?}"
    );
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    let r = after(
        &src,
        "DELETE FROM audit WHERE action = 'search' AND detail LIKE '%保本%'",
    );
    let w = r.problems[0].words();
    assert!(
        w.contains("the audit entry of reviewer's search {\"text\":\"保本\"} at 20"),
        "{w}"
    );
}

/// Trial 12a D12: the kept head's record is there with another hash (rolled back and written
/// on): its records were replaced, not "cut off".
#[test]
fn a_kept_head_with_another_hash_is_reported_replaced() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let a = wcp_archive::Archive::open_read_only(&src, None).unwrap();
    let (seq, _) = a.verify().unwrap().last_signed.unwrap();
    let r = a.verify_since(None, seq - 2, &"ab".repeat(32)).unwrap();
    let p = r
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Altered)
        .unwrap();
    assert_eq!((p.seq, p.seq_to), (seq - 2, seq), "{}", p.words());
    assert!(
        p.words()
            .contains(&format!("records {} to {seq} were replaced", seq - 2)),
        "{}",
        p.words()
    );
}

/// Trial 12a D19: the wording of the chain problems.
#[test]
fn chain_problems_read_as_sentences() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let mut p = wcp_archive::Problem::new(ProblemKind::Inserted, 64, "records", "x");
    p.seq_to = 65;
    assert_eq!(p.words(), "Records 64 to 65 were inserted: x.");
    let max: i64 = Connection::open(&src)
        .unwrap()
        .query_row("SELECT MAX(seq) FROM records", [], |r| r.get(0))
        .unwrap();
    let r = after(
        &src,
        "INSERT INTO checkpoints SELECT id + 1, seq, hash, signed_at_ms, signature FROM checkpoints WHERE id = (SELECT MAX(id) FROM checkpoints)",
    );
    assert_eq!(r.problems.len(), 1, "{:#?}", r.problems);
    assert_eq!(r.problems[0].seq, max, "{}", r.problems[0].words());
    let r = after(
        &src,
        "INSERT INTO pending_recalls VALUES ('ghost', 'r9', 1732601300000)",
    );
    assert!(
        r.problems[0]
            .words()
            .contains("at 2024-11-26T06:08:20.000Z"),
        "{}",
        r.problems[0].words()
    );
    let r = after(&src, "UPDATE settings SET seq = seq + 1");
    assert!(
        r.problems[0]
            .words()
            .contains("the row's record number was changed"),
        "{}",
        r.problems[0].words()
    );
    let mut q = wcp_archive::Problem::new(ProblemKind::Altered, 3, "records", "x");
    q.time_ms = Some(1_764_633_660_000);
    assert!(
        q.words_in(480)
            .contains("sent 2025-12-02 08:01:00 +08:00 (2025-12-02T00:01:00.000Z)"),
        "{}",
        q.words_in(480)
    );
}
