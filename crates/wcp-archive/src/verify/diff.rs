//! Names the rows of a projection that disagrees with the chain. Only runs when `tables.rs`
//! found a difference: the chain is replayed (`project::replay`, as `wcp archive rebuild`
//! does) into a scratch database, which is attached and compared row by row.

use std::collections::{HashMap, HashSet};
use std::path::{Path, PathBuf};

use rusqlite::Connection;

use super::{Problem, ProblemKind};
use crate::error::ArchiveError;

struct Shape {
    table: &'static str,
    key: &'static [&'static str],
    cols: &'static [&'static str],
    /// Only rows where this holds take part (the recall columns).
    filter: &'static str,
}

const RECALL: &[&str] = &["recalled_at_ms", "recall_msgid"];

fn shape(t: &str) -> Shape {
    match t {
        "messages" => Shape {
            table: "messages",
            key: &["seq"],
            cols: &[
                "msgid",
                "conversation_id",
                "from_id",
                "time_ms",
                "msgtype",
                "class",
                "disposition",
                "keep_until_ms",
                "legal_hold",
                "participants",
                "reason",
                "text",
            ],
            filter: "1",
        },
        "messages.recall" => Shape {
            table: "messages",
            key: &["seq"],
            cols: RECALL,
            filter: "1",
        },
        "quarantine" => Shape {
            table: "quarantine",
            key: &["seq"],
            cols: &[
                "msgid",
                "conversation_id",
                "participants",
                "time_ms",
                "keep_until_ms",
                "legal_hold",
                "reason",
                "sealed",
            ],
            filter: "1",
        },
        "quarantine.recall" => Shape {
            table: "quarantine",
            key: &["seq"],
            cols: RECALL,
            filter: "1",
        },
        "msgids" => Shape {
            table: "msgids",
            key: &["msgid"],
            cols: &["seq", "state"],
            filter: "1",
        },
        "risks" => Shape {
            table: "risks",
            key: &["category", "seq"],
            cols: &[],
            filter: "1",
        },
        "pii" => Shape {
            table: "pii",
            key: &["entity", "seq"],
            cols: &[],
            filter: "1",
        },
        _ => Shape {
            table: "audit",
            key: &["seq"],
            cols: &["at_ms", "actor", "action", "detail"],
            filter: "1",
        },
    }
}

/// The scratch database: the records replayed into fresh projections.
struct Scratch(PathBuf);

impl Drop for Scratch {
    fn drop(&mut self) {
        crate::at_rest::set_key(&self.0, None);
        for suffix in ["", "-wal", "-shm"] {
            let mut p = self.0.clone().into_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
}

fn scratch(
    src: &Connection,
    skip: &HashSet<i64>,
    placed: &HashMap<i64, Option<i64>>,
) -> Result<Scratch, ArchiveError> {
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .map(|d| d.as_nanos())
        .unwrap_or(0);
    let path = std::env::temp_dir().join(format!("wcp-verify-{}-{nanos}.db", std::process::id()));
    let guard = Scratch(path.clone());
    let src_path = src.path().unwrap_or_default().to_string();
    // The scratch copy holds the archive's content: encrypted like the archive.
    let src_key = crate::at_rest::key_for(Path::new(&src_path))?;
    crate::at_rest::set_key(&path, src_key);
    let mut conn = crate::at_rest::open_rw(&path)?;
    crate::schema::init(&mut conn)?;
    crate::at_rest::attach(&conn, Path::new(&src_path), "src")?;
    // The archive may be live: copy only the records of the verification's snapshot (a
    // newer record's rows would otherwise look deleted from `main`).
    let newest: i64 = src.query_row("SELECT COALESCE(MAX(seq), -1) FROM records", [], |r| {
        r.get(0)
    })?;
    conn.execute(
        "INSERT INTO records SELECT seq, kind, msgid, body, digest, hash FROM src.records WHERE seq <= ?1",
        [newest],
    )?;
    conn.execute_batch(
        "INSERT OR REPLACE INTO keys (seq, public_key) SELECT seq, public_key FROM src.keys WHERE seq = 0;",
    )?;
    conn.execute_batch("DETACH DATABASE src")?;
    let tx = conn.transaction()?;
    crate::project::replay_for_verify(&tx, skip, placed)?;
    tx.commit()?;
    Ok(guard)
}

/// Adds a problem per differing row of each table in `differing`.
pub fn name_rows(
    conn: &Connection,
    differing: &[&str],
    skip: &HashSet<i64>,
    placed: &HashMap<i64, Option<i64>>,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let s = scratch(conn, skip, placed)?;
    crate::at_rest::attach(conn, &s.0, "exp")?;
    let result = differing
        .iter()
        .try_for_each(|t| rows(conn, t, skip, found));
    // Inside a verification's read transaction the database cannot be detached yet:
    // [`detach_scratch`] does it once the transaction ends.
    if conn.is_autocommit() {
        conn.execute_batch("DETACH DATABASE exp")?;
    }
    result
}

/// Detaches the scratch database [`name_rows`] left attached inside a transaction.
pub fn detach_scratch(conn: &Connection) -> Result<(), ArchiveError> {
    let attached: bool = conn.query_row(
        "SELECT COUNT(*) > 0 FROM pragma_database_list WHERE name = 'exp'",
        [],
        |r| r.get(0),
    )?;
    if attached {
        conn.execute_batch("DETACH DATABASE exp")?;
    }
    Ok(())
}

fn rows(
    conn: &Connection,
    t: &str,
    skip: &HashSet<i64>,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let sh = shape(t);
    let on: Vec<String> = sh.key.iter().map(|k| format!("a.{k} = b.{k}")).collect();
    let on = on.join(" AND ");
    // Every table compared here has the record's seq in a column of that name.
    let seq_col = "seq";
    // Rows on one side only.
    for (from, other, kind) in [
        ("exp", "main", ProblemKind::Missing),
        ("main", "exp", ProblemKind::Added),
    ] {
        let sql = format!(
            "SELECT a.{seq_col}, {label} FROM {from}.{table} a WHERE {filter} AND NOT EXISTS (SELECT 1 FROM {other}.{table} b WHERE {on})",
            label = label(sh.key), table = sh.table, filter = sh.filter,
        );
        let mut stmt = conn.prepare(&sql)?;
        let mut r = stmt.query([])?;
        while let Some(row) = r.next()? {
            let seq: i64 = row.get_ref(0)?.as_i64().unwrap_or(0);
            // A whole row missing or added is reported by its main table, not its recall part.
            if skip.contains(&seq) || t.ends_with(".recall") {
                continue;
            }
            let what = label_text(row.get_ref(1)?);
            let detail = match kind {
                ProblemKind::Missing => format!("{what}: the row was deleted from `{}`", sh.table),
                _ => format!(
                    "{what}: a row was put into `{}` that no record accounts for",
                    sh.table
                ),
            };
            found.push(Problem::new(kind, seq, sh.table, detail));
        }
    }
    if sh.cols.is_empty() {
        return Ok(());
    }
    // Rows on both sides with other values.
    let differ: Vec<String> = sh
        .cols
        .iter()
        .map(|c| format!("a.{c} IS NOT b.{c}"))
        .collect();
    let sql = format!(
        "SELECT a.{seq_col}, {label}, {differ} FROM main.{table} a JOIN exp.{table} b ON {on} WHERE {any}",
        label = label(sh.key), table = sh.table, differ = differ.join(", "), any = differ.join(" OR "),
    );
    let mut stmt = conn.prepare(&sql)?;
    let mut r = stmt.query([])?;
    while let Some(row) = r.next()? {
        let seq: i64 = row.get_ref(0)?.as_i64().unwrap_or(0);
        if skip.contains(&seq) {
            continue;
        }
        let what = label_text(row.get_ref(1)?);
        let cols: Vec<&str> = sh
            .cols
            .iter()
            .enumerate()
            .filter(|(i, _)| row.get::<_, bool>(i + 2).unwrap_or(true))
            .map(|(_, c)| *c)
            .collect();
        found.push(Problem::new(
            ProblemKind::Changed,
            seq,
            sh.table,
            format!("{what}: {} changed in `{}`", cols.join(", "), sh.table),
        ));
    }
    Ok(())
}

/// The row's label as text: NULL when a key column is NULL (a tamperer's value).
fn label_text(v: rusqlite::types::ValueRef<'_>) -> String {
    match v {
        rusqlite::types::ValueRef::Text(t) | rusqlite::types::ValueRef::Blob(t) => {
            String::from_utf8_lossy(t).into_owned()
        }
        _ => "a row with an empty key".into(),
    }
}

/// A SQL expression naming a row by its key.
fn label(key: &[&str]) -> String {
    let parts: Vec<String> = key.iter().map(|k| format!("'{k} ' || a.{k}")).collect();
    parts.join(" || ', ' || ")
}
