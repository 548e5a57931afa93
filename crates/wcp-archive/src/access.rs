//! The access log: where readers without the signing key record what they read.
//!
//! A reader opens the archive read-only, so its access records go to a small SQLite file
//! beside it (`archive-<region>.access.db`, see `regions.rs`), hash-chained entry by entry.
//! The writer (the archiver, `wcp run`, any CLI command holding the key) absorbs the log
//! into the archive's chain as signed `audit` records, checking that the log's chain
//! continues from the last entry it absorbed, and then deletes what it absorbed. Until then
//! the entries are protected by their own chain only: `verify` counts them and checks it.

use std::path::Path;

use rusqlite::{params, Connection, OptionalExtension, TransactionBehavior};
use sha2::{Digest, Sha256};

use crate::audit::AuditEntry;
use crate::chain::{to_hash, Hash, GENESIS};
use crate::error::ArchiveError;

const DDL: &str = "
CREATE TABLE IF NOT EXISTS head (id INTEGER PRIMARY KEY CHECK (id = 0), last INTEGER NOT NULL, hash BLOB NOT NULL);
CREATE TABLE IF NOT EXISTS access (id INTEGER PRIMARY KEY, body BLOB NOT NULL, hash BLOB NOT NULL);
";

pub(crate) fn link(prev: &Hash, id: i64, body: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(b"wcp-access-log/v1");
    h.update(prev);
    h.update(id.to_be_bytes());
    h.update(body);
    h.finalize().into()
}

pub(crate) fn open(path: &Path) -> Result<Connection, ArchiveError> {
    let conn = crate::at_rest::open_rw(path)?;
    conn.busy_timeout(std::time::Duration::from_secs(5))?;
    conn.execute_batch(DDL)?;
    Ok(conn)
}

/// Appends one entry (a reader's search or export). Fails, and so does the read, when the
/// log cannot be written: no unaudited reads.
pub fn append(path: &Path, entry: &AuditEntry) -> Result<i64, ArchiveError> {
    let mut conn = open(path).map_err(|e| {
        ArchiveError::Invalid(format!(
            "cannot record this access in {}: {e} (reads are audited; give a writable access log)",
            path.display()
        ))
    })?;
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let head: Option<(i64, Vec<u8>)> = tx
        .query_row("SELECT last, hash FROM head WHERE id = 0", [], |r| {
            Ok((r.get(0)?, r.get(1)?))
        })
        .optional()?;
    let (last, prev) = match head {
        Some((l, h)) => (l, to_hash(&h)?),
        None => (0, GENESIS),
    };
    let id = last + 1;
    let body = serde_json::to_vec(entry)?;
    let hash = link(&prev, id, &body);
    tx.execute(
        "INSERT INTO access (id, body, hash) VALUES (?1, ?2, ?3)",
        params![id, body, &hash[..]],
    )?;
    tx.execute(
        "INSERT INTO head (id, last, hash) VALUES (0, ?1, ?2)
         ON CONFLICT (id) DO UPDATE SET last = excluded.last, hash = excluded.hash",
        params![id, &hash[..]],
    )?;
    tx.commit()?;
    Ok(id)
}

/// One row of the log as stored, whatever its cells' types: an edited row whose body was
/// written back as TEXT is tampering to report, not a reason to stop reading (trial 12a D1).
pub(crate) struct Row {
    pub id: i64,
    pub body: Vec<u8>,
    pub hash: Vec<u8>,
    /// Body and hash are BLOBs, as `append` writes them.
    pub blobs: bool,
}

impl Row {
    pub(crate) fn read(r: &rusqlite::Row<'_>) -> Result<Row, ArchiveError> {
        use rusqlite::types::ValueRef;
        let cell = |i: usize| -> rusqlite::Result<(Vec<u8>, bool)> {
            Ok(match r.get_ref(i)? {
                ValueRef::Blob(b) => (b.to_vec(), true),
                ValueRef::Text(t) => (t.to_vec(), false),
                ValueRef::Integer(n) => (n.to_string().into_bytes(), false),
                ValueRef::Real(f) => (f.to_string().into_bytes(), false),
                ValueRef::Null => (Vec::new(), false),
            })
        };
        let (body, b1) = cell(1)?;
        let (hash, b2) = cell(2)?;
        Ok(Row {
            id: r.get_ref(0)?.as_i64().unwrap_or(-1),
            body,
            hash,
            blobs: b1 && b2,
        })
    }
}

/// The head row: the id and hash of the newest entry written.
pub(crate) fn head(conn: &Connection) -> Result<Option<(i64, Vec<u8>)>, ArchiveError> {
    Ok(conn
        .query_row("SELECT last, hash FROM head WHERE id = 0", [], |r| {
            Ok((
                r.get_ref(0)?.as_i64().unwrap_or(-1),
                match r.get_ref(1)? {
                    rusqlite::types::ValueRef::Blob(b) | rusqlite::types::ValueRef::Text(b) => {
                        b.to_vec()
                    }
                    _ => Vec::new(),
                },
            ))
        })
        .optional()?)
}

/// One entry waiting to be chained.
pub struct Pending {
    pub id: i64,
    pub hash: Hash,
    pub entry: AuditEntry,
    /// False when the entry does not chain to the one before (or to the last absorbed):
    /// entries were edited or deleted before the writer absorbed them.
    pub continues: bool,
}

/// The entries after `after` (id, hash: the last absorbed), in order. None when there is
/// no log.
pub fn pending(path: &Path, after: (i64, Hash)) -> Result<Option<Vec<Pending>>, ArchiveError> {
    if !path.exists() {
        return Ok(None);
    }
    let conn = open(path)?;
    let mut stmt = conn.prepare("SELECT id, body, hash FROM access WHERE id > ?1 ORDER BY id")?;
    let mut rows = stmt.query([after.0])?;
    let (mut prev_id, mut prev) = after;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let Row {
            id,
            body,
            hash: stored,
            blobs,
        } = Row::read(r)?;
        let hash = link(&prev, id, &body);
        let continues = blobs && id == prev_id + 1 && hash[..] == stored[..];
        let entry = serde_json::from_slice(&body).unwrap_or_else(|_| AuditEntry {
            actor: String::new(),
            at_ms: 0,
            action: "unreadable_access_entry".into(),
            detail: serde_json::Value::Null,
        });
        let stored = to_hash(&stored).unwrap_or(GENESIS);
        out.push(Pending {
            id,
            hash: stored,
            entry,
            continues,
        });
        (prev_id, prev) = (id, stored);
    }
    Ok(Some(out))
}

/// Deletes the entries up to `id` once they are chained in the archive.
pub fn forget_through(path: &Path, id: i64) -> Result<(), ArchiveError> {
    let conn = open(path)?;
    conn.execute("DELETE FROM access WHERE id <= ?1", [id])?;
    Ok(())
}

/// (id, hash) of the last access-log entry the archive has absorbed, from the audit table.
pub fn last_absorbed(conn: &Connection) -> Result<(i64, Hash), ArchiveError> {
    let found: Option<(i64, String)> = conn
        .query_row(
            "SELECT json_extract(detail, '$.access_log.id'), json_extract(detail, '$.access_log.hash')
             FROM audit WHERE json_extract(detail, '$.access_log.id') IS NOT NULL
             ORDER BY seq DESC LIMIT 1",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .optional()?;
    match found {
        None => Ok((0, GENESIS)),
        Some((id, h)) => Ok((id, to_hash(&hex::decode(h).unwrap_or_default())?)),
    }
}

impl crate::Archive {
    /// Chains the readers' access-log entries as signed `audit` records (writers only).
    /// Returns how many were absorbed.
    pub fn absorb_access_log(&mut self) -> Result<u64, ArchiveError> {
        if !self.is_writer() {
            return Err(ArchiveError::NoSigningKey);
        }
        let log = self.access_log.clone();
        let after = last_absorbed(&self.conn)?;
        let Some(pending) = pending(&log, after)? else {
            return Ok(0);
        };
        let Some(last) = pending.last().map(|p| p.id) else {
            return Ok(0);
        };
        let n = pending.len() as u64;
        self.write(|conn, chain, key| {
            for p in pending {
                let mut e = p.entry;
                let mark = serde_json::json!({ "id": p.id, "hash": hex::encode(p.hash), "continues": p.continues });
                match &mut e.detail {
                    serde_json::Value::Object(m) => {
                        m.insert("access_log".into(), mark);
                    }
                    other => {
                        *other = serde_json::json!({ "original": other.clone(), "access_log": mark })
                    }
                }
                crate::audit::append_entry(conn, chain, key, &e)?;
            }
            Ok(())
        })?;
        forget_through(&log, last)?;
        Ok(n)
    }

    /// The access-log entries not yet chained that `f` selects, oldest first (so an auditor
    /// sees the latest reads before the writer absorbs them).
    pub fn pending_access(
        &self,
        f: &crate::audit::AuditFilter,
    ) -> Result<Vec<Pending>, ArchiveError> {
        let after = last_absorbed(&self.conn)?;
        Ok(pending(&self.access_log, after)?
            .unwrap_or_default()
            .into_iter()
            .filter(|p| f.matches(&p.entry))
            .collect())
    }

    /// Access-log entries not yet chained, and whether they all continue the chained ones.
    pub fn access_log_pending(&self) -> Result<(u64, bool), ArchiveError> {
        self.access_log_pending_in(&self.conn)
    }

    /// [`Archive::access_log_pending`] read through `conn` (a verification's snapshot).
    pub(crate) fn access_log_pending_in(
        &self,
        conn: &Connection,
    ) -> Result<(u64, bool), ArchiveError> {
        let after = last_absorbed(conn)?;
        Ok(match pending(&self.access_log, after)? {
            None => (0, true),
            Some(p) => (p.len() as u64, p.iter().all(|e| e.continues)),
        })
    }
}
