//! Property tests of `wcp archive verify` on a damaged file: random bytes of random pages
//! overwritten, and random rows of random tables edited, deleted or duplicated behind the
//! archive's back. Verify (as `wcp archive verify` runs it: read-only open, then the report)
//! never panics; an edit to the hash chain or to the messages it projects is always reported.
//! `PROPTEST_CASES=N` runs N cases per property (docs/TESTING.md, "Property tests").
mod common;

use std::path::Path;
use std::sync::OnceLock;

use proptest::prelude::*;
use rusqlite::types::Value as Sql;
use rusqlite::Connection;
use wcp_archive::Archive;

#[path = "../../../tests/support/proptest_config.rs"]
mod proptest_config;
use proptest_config::config;

/// The bytes of a small signed archive (messages with risks and PII, a recall, a hold, a
/// search in the audit trail), in rollback-journal mode so the one file is the whole database.
fn pristine() -> &'static [u8] {
    static BYTES: OnceLock<Vec<u8>> = OnceLock::new();
    BYTES.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        let mut a = common::open(&path);
        let mut events = common::corpus();
        events[2] = common::with_risk(
            events[2].clone(),
            wcp_model::RiskCategory::GuaranteeOfReturns,
        );
        events[4] = common::with_pii(events[4].clone(), "PHONE_NUMBER");
        a.insert_batch(&events[..12], &[]).unwrap();
        a.insert_batch(&events[12..], &[]).unwrap();
        a.insert_batch(&[common::recall("r1", "m03", common::T0 + 3_600_000)], &[])
            .unwrap();
        let hold = wcp_archive::HoldRequest {
            scope: wcp_archive::HoldScope::Custodian("wmCLIENT".into()),
            reason: "inquiry".into(),
            case_id: "C-1".into(),
        };
        a.place_hold(&hold, "counsel").unwrap();
        let q = wcp_archive::Query {
            text: Some("保本".into()),
            ..wcp_archive::Query::default()
        };
        a.search(&q, "reviewer").unwrap();
        assert!(a.verify().unwrap().ok);
        drop(a);
        let conn = Connection::open(&path).unwrap();
        conn.pragma_update(None, "journal_mode", "DELETE").unwrap();
        drop(conn);
        std::fs::read(&path).unwrap()
    })
}

/// Verifies the file at `path` as the CLI does; `None` when it cannot even be opened.
fn verify_file(path: &Path) -> Option<Result<wcp_archive::VerifyReport, String>> {
    let a = Archive::open_read_only(path, None).ok()?;
    Some(a.verify().map_err(|e| e.to_string()))
}

/// The user tables of the archive (not SQLite's own), found once.
fn tables() -> &'static [String] {
    static T: OnceLock<Vec<String>> = OnceLock::new();
    T.get_or_init(|| {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("t.db");
        std::fs::write(&path, pristine()).unwrap();
        let conn = Connection::open(&path).unwrap();
        let mut stmt = conn
            .prepare(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' \
                 AND sql NOT LIKE 'CREATE VIRTUAL%' ORDER BY name",
            )
            .unwrap();
        let names = stmt.query_map([], |r| r.get(0)).unwrap();
        names.map(Result::unwrap).collect()
    })
}

#[derive(Debug, Clone)]
enum RowEdit {
    Set(Sql),
    Delete,
    Duplicate,
}

fn sql_value() -> impl Strategy<Value = Sql> {
    prop_oneof![
        Just(Sql::Null),
        any::<i64>().prop_map(Sql::Integer),
        (-3i64..40).prop_map(Sql::Integer),
        ".{0,12}".prop_map(Sql::Text),
        prop::collection::vec(any::<u8>(), 0..40).prop_map(Sql::Blob),
    ]
}

fn row_edit() -> impl Strategy<Value = RowEdit> {
    prop_oneof![
        6 => sql_value().prop_map(RowEdit::Set),
        1 => Just(RowEdit::Delete),
        1 => Just(RowEdit::Duplicate),
    ]
}

/// Applies `edit` to one row of `table`; whether the database changed.
fn apply(
    conn: &Connection,
    table: &str,
    row: prop::sample::Index,
    col: prop::sample::Index,
    edit: &RowEdit,
) -> bool {
    let rowids: Vec<i64> = conn
        .prepare(&format!("SELECT rowid FROM \"{table}\" ORDER BY rowid"))
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    if rowids.is_empty() {
        return false;
    }
    let rowid = rowids[row.index(rowids.len())];
    let cols: Vec<String> = conn
        .prepare(&format!("SELECT name FROM pragma_table_info('{table}')"))
        .and_then(|mut s| s.query_map([], |r| r.get(0))?.collect())
        .unwrap_or_default();
    let before = conn.total_changes();
    let _ = match edit {
        RowEdit::Set(v) => {
            let c = &cols[col.index(cols.len())];
            let same: bool = conn
                .query_row(
                    &format!("SELECT \"{c}\" IS ?1 FROM \"{table}\" WHERE rowid = ?2"),
                    rusqlite::params![v, rowid],
                    |r| r.get(0),
                )
                .unwrap_or(true);
            if same {
                return false;
            }
            conn.execute(
                &format!("UPDATE \"{table}\" SET \"{c}\" = ?1 WHERE rowid = ?2"),
                rusqlite::params![v, rowid],
            )
        }
        RowEdit::Delete => conn.execute(
            &format!("DELETE FROM \"{table}\" WHERE rowid = ?1"),
            [rowid],
        ),
        RowEdit::Duplicate => conn.execute(
            &format!("INSERT INTO \"{table}\" SELECT * FROM \"{table}\" WHERE rowid = ?1"),
            [rowid],
        ),
    };
    conn.total_changes() > before
}

proptest! {
    // Each case verifies a whole archive (about 0.2 s in a debug build on the 2-core
    // machine): few cases by default, PROPTEST_CASES for the long run.
    #![proptest_config(config(48))]

    /// Overwritten bytes anywhere past the header: open fails or verify reports; no panic.
    #[test]
    fn damaged_pages_never_panic(
        edits in prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 1..24),
        page_aligned in any::<bool>(),
    ) {
        let mut bytes = pristine().to_vec();
        let page = 16 * 1024;
        for (at, b) in edits {
            let mut i = 100 + at.index(bytes.len() - 100);
            if page_aligned {
                // The first bytes of a page: its b-tree header and cell pointers.
                i = (i / page) * page + (i % 16) + if i < page { 100 } else { 0 };
            }
            bytes[i] = b;
        }
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("p.db");
        std::fs::write(&path, &bytes).unwrap();
        let _ = verify_file(&path);
    }

    /// A row edited, deleted or duplicated in any table: verify never panics, and a change to
    /// the chain (`records`, `checkpoints`) or the messages it projects is reported.
    #[test]
    fn edited_rows_never_panic_and_chain_edits_are_caught(
        table in any::<prop::sample::Index>(),
        row in any::<prop::sample::Index>(),
        col in any::<prop::sample::Index>(),
        edit in row_edit(),
    ) {
        let table = &tables()[table.index(tables().len())];
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("r.db");
        std::fs::write(&path, pristine()).unwrap();
        let changed = {
            let conn = Connection::open(&path).unwrap();
            apply(&conn, table, row, col, &edit)
        };
        let got = verify_file(&path);
        if changed && matches!(table.as_str(), "records" | "checkpoints" | "messages") {
            let caught = match &got {
                None | Some(Err(_)) => true,
                Some(Ok(r)) => !r.ok,
            };
            prop_assert!(caught, "{edit:?} in {table} went unnoticed");
        }
    }
}

/// Found by `edited_rows_never_panic_and_chain_edits_are_caught` in CI (7 Dec 2026): a record's
/// `seq` edited to a huge number made verify size its table by it and abort on a 4.9e18-byte
/// allocation. The edit is reported instead.
#[test]
fn a_huge_edited_seq_is_reported_not_allocated() {
    for seq in [4_958_184_722_786_839_584_i64, i64::MAX, 1 << 40] {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("a.db");
        std::fs::write(&path, pristine()).unwrap();
        let conn = Connection::open(&path).unwrap();
        conn.execute(
            "UPDATE records SET seq = ?1 WHERE seq = (SELECT MAX(seq) FROM records)",
            [seq],
        )
        .unwrap();
        drop(conn);
        match verify_file(&path) {
            Some(Ok(report)) => assert!(!report.ok, "seq {seq}: the edit is reported"),
            other => panic!("seq {seq}: {other:?}"),
        }
    }
}
