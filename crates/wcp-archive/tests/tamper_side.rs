//! Tamper evidence beside the record chain (trial 12a D2, D5, D6, D7, D10, D11): the `keys`
//! and `meta` tables, the full-text indexes' shadow tables and the messages a damaged index
//! loses, and the readers' access log.
mod common;

use std::path::{Path, PathBuf};

use common::{in_room, text, T0};
use rusqlite::Connection;
use wcp_archive::{Archive, ArchiveOptions, ProblemKind, Query, VerifyReport};

/// `archive-cn.db` with a region, twenty messages, a hold, and three readers' searches in
/// its access log that the writer has not sealed yet.
fn build(dir: &Path) -> PathBuf {
    let path = dir.join("archive-cn.db");
    let mut a = Archive::open(
        &path,
        ArchiveOptions {
            signing_key: Some(common::key()),
            checkpoint_every: 4,
            actor: "test".into(),
            ..Default::default()
        },
    )
    .unwrap();
    a.set_region("cn").unwrap();
    let mut events = common::corpus();
    events.push(in_room(
        text("inside", "这是内幕消息别外传", T0 + 3_600_000),
        "wrROOM",
        "lisi",
    ));
    a.insert_batch(&events[..10], &[]).unwrap();
    a.insert_batch(&events[10..], &[]).unwrap();
    drop(a);
    let search = |who: &str, t: &str| {
        let mut r = Archive::open_read_only(&path, None).unwrap();
        let q = Query {
            text: Some(t.into()),
            ..Query::default()
        };
        r.search(&q, who).unwrap();
    };
    // Entries 1 and 2 sealed by the writer's next open, 3 to 5 waiting.
    search("auditor1", "内幕");
    search("auditor2", "message");
    drop(common::open(&path));
    search("auditor3", "保本");
    search("auditor4", "message");
    search("auditor5", "内幕");
    let r = Archive::open_read_only(&path, None).unwrap();
    let report = r.verify().unwrap();
    assert!(report.ok, "{:#?}", report.problems);
    path
}

/// `log_sql` that deletes the access-log file.
const REMOVE: &str = "remove the file";

/// A fresh copy (with its access log) of the archive at `src`, changed by `sql` (and the
/// access log by `log_sql`).
fn copy(src: &Path, sql: &str, log_sql: &str) -> (tempfile::TempDir, PathBuf) {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive-cn.db");
    Connection::open(src)
        .unwrap()
        .execute("VACUUM INTO ?1", [path.to_string_lossy()])
        .unwrap();
    let log = src.with_file_name("archive-cn.access.db");
    let log_copy = dir.path().join("archive-cn.access.db");
    Connection::open(&log)
        .unwrap()
        .execute("VACUUM INTO ?1", [log_copy.to_string_lossy()])
        .unwrap();
    Connection::open(&path)
        .unwrap()
        .execute_batch(sql)
        .unwrap_or_else(|e| panic!("{sql}: {e}"));
    if log_sql == REMOVE {
        std::fs::remove_file(&log_copy).unwrap();
    } else {
        Connection::open(&log_copy)
            .unwrap()
            .execute_batch(log_sql)
            .unwrap_or_else(|e| panic!("{log_sql}: {e}"));
    }
    (dir, path)
}

/// Verify of a changed copy with the auditor's pinned key, as `wcp archive verify
/// --public-key` runs it: opening must not fail (no "wrong key" for a tampered table).
fn after(src: &Path, sql: &str, log_sql: &str) -> VerifyReport {
    let (_dir, path) = copy(src, sql, log_sql);
    let pinned = common::key().verifying_key();
    let ro = Archive::open_read_only(&path, Some(&pinned))
        .unwrap_or_else(|e| panic!("{sql} / {log_sql}: opening failed: {e}"));
    ro.verify_with(&pinned).unwrap()
}

/// Runs every case; each must report `kind` in `table` with a sentence holding `word`.
fn run(cases: &[(&str, &str, &str, ProblemKind, &str, &str)]) {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let mut missed = Vec::new();
    for (what, sql, log_sql, kind, table, word) in cases {
        let r = after(&src, sql, log_sql);
        let hit = r
            .problems
            .iter()
            .find(|p| p.kind == *kind && p.table == *table && p.words().contains(word));
        if hit.is_none() {
            missed.push(format!(
                "{what}: wanted {kind:?} in {table} saying {word:?}, got {:#?}",
                r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
            ));
        }
    }
    assert!(missed.is_empty(), "{}", missed.join("\n\n"));
}

const ATTACKER: &str = "aad443a6b5def3f49955a95ae97eefcb535dfaa9b373a1225a1f20e6756cad47";

/// `keys` and `meta` (trial 12a D2, D5): named as tampering, never as a wrong key, and a
/// changed schema version is read and named rather than refused.
#[test]
fn keys_and_meta_are_checked_against_the_chain() {
    let set_key = format!("UPDATE keys SET public_key = '{ATTACKER}' WHERE seq = 0");
    let del_keys_pub =
        format!("DELETE FROM keys; UPDATE meta SET value = '{ATTACKER}' WHERE key = 'public_key'");
    let set_pub = format!("UPDATE meta SET value = '{ATTACKER}' WHERE key = 'public_key'");
    run(&[
        (
            "change key row 0",
            &set_key,
            "",
            ProblemKind::Changed,
            "keys",
            "row 0",
        ),
        (
            "delete every key",
            "DELETE FROM keys",
            "",
            ProblemKind::Missing,
            "keys",
            "row 0",
        ),
        (
            "delete keys, change the public key",
            &del_keys_pub,
            "",
            ProblemKind::Changed,
            "meta",
            "public_key reads",
        ),
        (
            "change meta.public_key",
            &set_pub,
            "",
            ProblemKind::Changed,
            "meta",
            ATTACKER,
        ),
        (
            "delete meta.public_key",
            "DELETE FROM meta WHERE key = 'public_key'",
            "",
            ProblemKind::Missing,
            "meta",
            "public_key",
        ),
        (
            "change the region",
            "UPDATE meta SET value = 'hk' WHERE key = 'region'",
            "",
            ProblemKind::Changed,
            "meta",
            "region reads hk",
        ),
        (
            "insert a meta row",
            "INSERT INTO meta VALUES ('owner', 'mallory')",
            "",
            ProblemKind::Added,
            "meta",
            "owner",
        ),
        (
            "lower the schema version",
            "UPDATE meta SET value = '3' WHERE key = 'schema_version'",
            "",
            ProblemKind::Changed,
            "meta",
            "schema_version reads 3",
        ),
        (
            "delete the schema version",
            "DELETE FROM meta WHERE key = 'schema_version'",
            "",
            ProblemKind::Missing,
            "meta",
            "schema_version",
        ),
    ]);
    // A key that signed nothing in the archive is still a wrong key (exit 3), not tampering.
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let other = ed25519_dalek::SigningKey::from_bytes(&[9u8; 32]).verifying_key();
    let err = Archive::open_read_only(&src, Some(&other)).err().unwrap();
    assert!(
        matches!(err, wcp_archive::ArchiveError::WrongKey { .. }),
        "{err}"
    );
}

/// The full-text indexes' shadow tables (trial 12a D7): blocks no segment refers to,
/// deleted or added `_idx` rows, any settings row changed, deleted or added.
#[test]
fn index_shadow_tables_are_checked() {
    run(&[
        (
            "insert a junk block",
            "INSERT INTO fts_data VALUES (999999, x'00')",
            "",
            ProblemKind::Added,
            "fts_data",
            "999999",
        ),
        (
            "insert a junk participant block",
            "INSERT INTO id_tokens_data VALUES (999999, x'00')",
            "",
            ProblemKind::Added,
            "id_tokens_data",
            "999999",
        ),
        (
            "delete an idx row",
            "DELETE FROM fts_idx WHERE segid = (SELECT MAX(segid) FROM fts_idx)",
            "",
            ProblemKind::Missing,
            "fts_idx",
            "segment",
        ),
        (
            "delete a participant idx row",
            "DELETE FROM id_tokens_idx WHERE segid = (SELECT MAX(segid) FROM id_tokens_idx)",
            "",
            ProblemKind::Missing,
            "id_tokens_idx",
            "segment",
        ),
        (
            "insert an idx row",
            "INSERT INTO fts_idx VALUES (77, x'', 2)",
            "",
            ProblemKind::Added,
            "fts_idx",
            "segment 77",
        ),
        (
            "turn secure-delete off",
            "UPDATE fts_config SET v = 0 WHERE k = 'secure-delete'",
            "",
            ProblemKind::Changed,
            "fts_config",
            "secure-delete reads 0",
        ),
        (
            "turn participant secure-delete off",
            "UPDATE id_tokens_config SET v = 0 WHERE k = 'secure-delete'",
            "",
            ProblemKind::Changed,
            "id_tokens_config",
            "secure-delete reads 0",
        ),
        (
            "delete automerge",
            "DELETE FROM fts_config WHERE k = 'automerge'",
            "",
            ProblemKind::Missing,
            "fts_config",
            "automerge",
        ),
        (
            "insert a rank",
            "INSERT INTO fts_config VALUES ('rank', 'bm25(10.0)')",
            "",
            ProblemKind::Added,
            "fts_config",
            "rank",
        ),
    ]);
}

/// A damaged index names the messages a search now misses or finds wrongly (trial 12a D6).
#[test]
fn a_damaged_index_names_the_messages_search_misses() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let seq: i64 = Connection::open(&src)
        .unwrap()
        .query_row("SELECT seq FROM messages WHERE msgid = 'inside'", [], |r| {
            r.get(0)
        })
        .unwrap();
    let gone = format!(
        "INSERT INTO fts (fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE seq = {seq}"
    );
    let invented = "INSERT INTO fts (rowid, text) SELECT seq, 'guaranteed returns' FROM messages WHERE msgid = 'm03'";
    let person = format!(
        "INSERT INTO id_tokens (id_tokens, rowid, tokens) VALUES ('delete', {seq}, 't外传')"
    );
    let size = format!("UPDATE id_tokens_docsize SET sz = x'63' WHERE id = {seq}");
    // The last block of the newest segment (the second batch's, with `inside`) deleted.
    let block = "DELETE FROM fts_data WHERE id = (SELECT MAX(id) FROM fts_data)";
    for (sql, index, msgid, word) in [
        (block, "fts", "inside", "misses it"),
        (size.as_str(), "id_tokens", "inside", "id_tokens_docsize"),
        (gone.as_str(), "fts", "inside", "misses it"),
        (invented, "fts", "m03", "does not contain"),
        (person.as_str(), "id_tokens", "inside", "misses it"),
    ] {
        let (_d, path) = copy(&src, "", "");
        Connection::open(&path).unwrap().execute_batch(sql).unwrap();
        let r = Archive::open_read_only(&path, None)
            .unwrap()
            .verify()
            .unwrap();
        let named = r.problems.iter().find(|p| {
            p.kind == ProblemKind::IndexBroken
                && p.table == index
                && p.msgid.as_deref() == Some(msgid)
                && p.sender.is_some()
                && p.time_ms.is_some()
                && p.words().contains(word)
        });
        assert!(
            named.is_some(),
            "{sql}: {:#?}",
            r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
        );
    }
}

/// A `_docsize` row for no message is named as such (not as index entries).
#[test]
fn a_docsize_row_for_no_message_is_named() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    let sql = "INSERT INTO id_tokens_docsize VALUES (9999, x'03')";
    let r = after(&src, sql, "");
    assert!(
        r.problems.iter().any(|p| p.table == "id_tokens"
            && p.words()
                .contains("`id_tokens_docsize` has a row for row 9999")),
        "{:#?}",
        r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
    );
}

/// The readers' access log (trial 12a D10, D11): each tampered entry named with its time,
/// actor and action and what was done to it; the newest entries deleted, the head changed
/// or set back, and the whole file deleted after the writer sealed entries from it are found.
#[test]
fn access_log_tampering_names_the_entry_and_what_was_done() {
    let edit = "UPDATE access SET body = CAST(replace(CAST(body AS TEXT), 'auditor4', 'nobody') AS BLOB) WHERE id = 4";
    let edit_text =
        "UPDATE access SET body = replace(CAST(body AS TEXT), 'auditor4', 'nobody') WHERE id = 4";
    let insert = "INSERT INTO access VALUES (6, CAST('{\"actor\":\"ghost\",\"at_ms\":0,\"action\":\"search\",\"detail\":null}' AS BLOB), zeroblob(32))";
    let swap = "CREATE TEMP TABLE s AS SELECT id, body, hash FROM access WHERE id IN (3, 4); \
                UPDATE access SET body = (SELECT body FROM s WHERE s.id <> access.id), hash = (SELECT hash FROM s WHERE s.id <> access.id) WHERE id IN (3, 4)";
    run(&[
        (
            "edit an entry",
            "",
            edit,
            ProblemKind::AccessLogBroken,
            "access log",
            "entry 4 (",
        ),
        (
            "edit an entry",
            "",
            edit,
            ProblemKind::AccessLogBroken,
            "access log",
            "nobody, search) was edited",
        ),
        (
            "edit an entry as text",
            "",
            edit_text,
            ProblemKind::AccessLogBroken,
            "access log",
            "stored as text",
        ),
        (
            "insert an entry",
            "",
            insert,
            ProblemKind::AccessLogBroken,
            "access log",
            "entry 6 (1970-01-01T00:00:00.000Z, ghost, search) was inserted",
        ),
        (
            "delete an entry",
            "",
            "DELETE FROM access WHERE id = 4",
            ProblemKind::AccessLogBroken,
            "access log",
            "entries 4 to 4 were deleted",
        ),
        (
            "swap two entries",
            "",
            swap,
            ProblemKind::AccessLogBroken,
            "access log",
            "was swapped",
        ),
        (
            "delete the newest entry",
            "",
            "DELETE FROM access WHERE id = 5",
            ProblemKind::AccessLogBroken,
            "access log",
            "newest entries 5 to 5 were deleted",
        ),
        (
            "set the head back",
            "",
            "UPDATE head SET last = 4",
            ProblemKind::AccessLogBroken,
            "access log",
            "entries 5 to 5 come after",
        ),
        (
            "change the head's hash",
            "",
            "UPDATE head SET hash = zeroblob(32)",
            ProblemKind::AccessLogBroken,
            "access log",
            "head row was changed",
        ),
        (
            "delete the head",
            "",
            "DELETE FROM head",
            ProblemKind::AccessLogBroken,
            "access log",
            "head row",
        ),
        (
            "delete every entry and reset the head",
            "",
            "DELETE FROM access; UPDATE head SET last = 0",
            ProblemKind::AccessLogBroken,
            "access log",
            "sealed entries up to 2",
        ),
        (
            "delete the file",
            "",
            REMOVE,
            ProblemKind::AccessLogBroken,
            "access log",
            "is gone",
        ),
    ]);
}

/// Export reads the records, and names those altered after archiving (trial 12a D16); search
/// and the hold list say when what they show disagrees with the records (D18).
#[test]
fn readers_say_when_what_they_show_disagrees_with_the_records() {
    let dir = tempfile::tempdir().unwrap();
    let src = build(dir.path());
    {
        let mut a = common::open(&src);
        let req = wcp_archive::HoldRequest {
            scope: wcp_archive::HoldScope::Custodian("lisi".into()),
            reason: "inquiry".into(),
            case_id: "C-1".into(),
        };
        a.place_hold(&req, "counsel").unwrap();
        // A message with no text (a picture): in `id_tokens` but not in `fts`, which a clean
        // archive's search must not take for a message taken out of the index (trial 12b D1).
        a.insert_batch(&[text("pic", "", T0 + 7_200_000)], &[])
            .unwrap();
    }
    let text_q = |t: &str| Query {
        text: Some(t.into()),
        ..Query::default()
    };
    // A clean archive: no warning anywhere.
    let (_d0, clean) = copy(&src, "", "");
    let mut r = Archive::open_read_only(&clean, None).unwrap();
    let hits = r.search(&text_q("内幕"), "auditor").unwrap();
    assert_eq!(r.search_disagrees(&hits).unwrap(), None);
    assert_eq!(r.holds_disagree().unwrap(), None);
    let out = clean.with_file_name("exp0");
    let rep = r
        .export_rsmf(&Query::default(), "auditor", &out, 480)
        .unwrap();
    assert!(rep.altered.is_empty(), "{:?}", rep.altered);

    // The record body altered: the export says which record.
    let (_d1, edited) = copy(
        &src,
        "UPDATE records SET body = CAST(replace(CAST(body AS TEXT), '内幕', '普通') AS BLOB) WHERE msgid = 'inside' AND kind = 'message'",
        "",
    );
    let mut r = Archive::open_read_only(&edited, None).unwrap();
    let out = edited.with_file_name("exp1");
    let rep = r
        .export_rsmf(&Query::default(), "auditor", &out, 480)
        .unwrap();
    assert_eq!(rep.altered.len(), 1, "{:?}", rep.altered);
    assert!(
        rep.altered[0].contains("message inside"),
        "{:?}",
        rep.altered
    );
    // Search reads the message row, which still says 内幕: the hit disagrees with its record.
    let hits = r.search(&text_q("内幕"), "auditor").unwrap();
    let w = r.search_disagrees(&hits).unwrap().expect("a warning");
    assert!(w.contains("message inside"), "{w}");

    // The body edited with sqlite3's replace(), which stores TEXT where the writer wrote a
    // BLOB: export and search still read it and name the record (trial 12b D5), no error.
    let (_d4, as_text) = copy(
        &src,
        "UPDATE records SET body = replace(CAST(body AS TEXT), '内幕', '普通') WHERE msgid = 'inside' AND kind = 'message'",
        "",
    );
    let mut r = Archive::open_read_only(&as_text, None).unwrap();
    let out = as_text.with_file_name("exp4");
    let rep = r
        .export_rsmf(&Query::default(), "auditor", &out, 480)
        .unwrap();
    assert_eq!(rep.altered.len(), 1, "{:?}", rep.altered);
    assert!(
        rep.altered[0].contains("message inside"),
        "{:?}",
        rep.altered
    );
    let hits = r.search(&text_q("内幕"), "auditor").unwrap();
    let w = r.search_disagrees(&hits).unwrap().expect("a warning");
    assert!(w.contains("message inside"), "{w}");

    // The message taken out of the full-text index: search misses it, and says so.
    let (_d2, unindexed) = copy(
        &src,
        "INSERT INTO fts (fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE msgid = 'inside'",
        "",
    );
    let mut r = Archive::open_read_only(&unindexed, None).unwrap();
    let hits = r.search(&text_q("内幕"), "auditor").unwrap();
    assert!(hits.is_empty());
    let w = r.search_disagrees(&hits).unwrap().expect("a warning");
    assert!(w.contains("`fts`"), "{w}");

    // The hold deleted by hand: the list says the table disagrees.
    let (_d3, unheld) = copy(&src, "DELETE FROM holds WHERE case_id = 'C-1'", "");
    let r = Archive::open_read_only(&unheld, None).unwrap();
    let w = r.holds_disagree().unwrap().expect("a warning");
    assert!(w.contains("hold 1 (case C-1) is missing"), "{w}");
}
