//! The audit trail: every search, export, hold change, expiry, release and purge is a
//! chained record saying who did what, when, with which query, and which messages it
//! returned or exported (SEC 17a-4(f) audit-trail option). Writers chain their own; readers
//! go through the access log (`access.rs`). The `audit` table is its projection, read by
//! `wcp archive audit`.

use ed25519_dalek::SigningKey;
use rusqlite::types::Value;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::chain::{kind, now_ms, Chain};
use crate::error::ArchiveError;
use crate::query::{self, Query};
use crate::stored::ArchivedMessage;
use crate::Archive;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditEntry {
    pub actor: String,
    pub at_ms: i64,
    /// `search`, `export_rsmf`, `export_eml`, `hold_place`, `hold_release`, `expire`,
    /// `quarantine_release`, `quarantine_purge`, `rebuild`, `configure`, `rotate_key`.
    pub action: String,
    /// What was done: the query, the msgids returned or exported, hold id, …
    pub detail: serde_json::Value,
}

/// Actors are named by the person or service acting, never defaulted.
pub fn check_actor(actor: &str) -> Result<(), ArchiveError> {
    if actor.trim().is_empty() {
        return Err(ArchiveError::Invalid(
            "an actor is required: every access and change names who did it".into(),
        ));
    }
    Ok(())
}

/// Chains an entry and projects it into the `audit` table.
pub fn append_entry(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    entry: &AuditEntry,
) -> Result<i64, ArchiveError> {
    let body = serde_json::to_vec(entry)?;
    let seq = chain.append(conn, key, kind::AUDIT, "", &body)?;
    crate::project::audit_row(conn, seq, &body)?;
    Ok(seq)
}

pub fn append(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<i64, ArchiveError> {
    check_actor(actor)?;
    let entry = AuditEntry {
        actor: actor.to_string(),
        at_ms: now_ms(),
        action: action.to_string(),
        detail,
    };
    append_entry(conn, chain, key, &entry)
}

/// Which audit records to read.
#[derive(Debug, Clone, Default)]
pub struct AuditFilter {
    pub actor: Option<String>,
    pub from_ms: Option<i64>,
    /// Exclusive.
    pub to_ms: Option<i64>,
    pub action: Option<String>,
}

impl AuditFilter {
    /// The same test the SQL in [`read`] makes, for entries not in the table yet.
    pub fn matches(&self, e: &AuditEntry) -> bool {
        self.actor.as_ref().is_none_or(|a| *a == e.actor)
            && self.from_ms.is_none_or(|t| e.at_ms >= t)
            && self.to_ms.is_none_or(|t| e.at_ms < t)
            && self.action.as_ref().is_none_or(|a| *a == e.action)
    }
}

/// One audit record with its chain position.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AuditRecord {
    pub seq: i64,
    #[serde(flatten)]
    pub entry: AuditEntry,
}

/// Reads the audit table (a projection `verify` checks against the chain), oldest first.
pub fn read(conn: &Connection, f: &AuditFilter) -> Result<Vec<AuditRecord>, ArchiveError> {
    let mut sql = String::from("SELECT seq, at_ms, actor, action, detail FROM audit WHERE 1 = 1");
    let mut params: Vec<Value> = Vec::new();
    let mut add = |clause: &str, v: Value| {
        params.push(v);
        sql.push_str(&format!(" AND {clause} ?{}", params.len()));
    };
    if let Some(a) = &f.actor {
        add("actor =", a.clone().into());
    }
    if let Some(t) = f.from_ms {
        add("at_ms >=", t.into());
    }
    if let Some(t) = f.to_ms {
        add("at_ms <", t.into());
    }
    if let Some(a) = &f.action {
        add("action =", a.clone().into());
    }
    sql.push_str(" ORDER BY seq");
    let mut stmt = conn.prepare(&sql)?;
    let rows = stmt.query_map(rusqlite::params_from_iter(params), |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, i64>(1)?,
            r.get::<_, String>(2)?,
            r.get::<_, String>(3)?,
            r.get::<_, String>(4)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, at_ms, actor, action, detail) = row?;
        out.push(AuditRecord {
            seq,
            entry: AuditEntry {
                actor,
                at_ms,
                action,
                detail: serde_json::from_str(&detail).unwrap_or(serde_json::Value::Null),
            },
        });
    }
    Ok(out)
}

impl Archive {
    /// Records an access: chained at once by a writer, through the access log by a reader.
    pub fn record_access(
        &mut self,
        actor: &str,
        action: &str,
        detail: serde_json::Value,
    ) -> Result<(), ArchiveError> {
        check_actor(actor)?;
        if self.is_writer() {
            self.write(|conn, chain, key| append(conn, chain, key, actor, action, detail))?;
        } else {
            let entry = AuditEntry {
                actor: actor.to_string(),
                at_ms: now_ms(),
                action: action.to_string(),
                detail,
            };
            crate::access::append(&self.access_log, &entry)?;
        }
        Ok(())
    }

    /// Searches and records the search (who, when, the query, the msgids shown).
    pub fn search(&mut self, q: &Query, actor: &str) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        check_actor(actor)?;
        let seqs = query::matching_seqs(&self.conn, q)?;
        let found = query::load(&self.conn, &seqs)?;
        let ids: Vec<&str> = found.iter().map(|m| m.stored.msgid.as_str()).collect();
        let detail = serde_json::json!({ "query": q, "results": found.len(), "msgids": ids });
        self.record_access(actor, "search", detail)?;
        Ok(found)
    }

    /// Message `msgid` with the `n` messages before and after it in its conversation, in
    /// search order; the access record names exactly the messages shown. None when the
    /// archive holds no such message (nothing is recorded then).
    pub fn around(
        &mut self,
        msgid: &str,
        n: usize,
        actor: &str,
    ) -> Result<Option<Vec<ArchivedMessage>>, ArchiveError> {
        check_actor(actor)?;
        let Some(m) = query::load_by_msgid(&self.conn, msgid)? else {
            return Ok(None);
        };
        let q = Query {
            conversation: Some(m.stored.conversation_id.clone()),
            ..Query::default()
        };
        let seqs = query::matching_seqs(&self.conn, &q)?;
        let i = seqs.iter().position(|s| *s == m.record_seq).unwrap_or(0);
        let window = &seqs[i.saturating_sub(n)..(i + n + 1).min(seqs.len())];
        let found = query::load(&self.conn, window)?;
        let ids: Vec<&str> = found.iter().map(|m| m.stored.msgid.as_str()).collect();
        let detail = serde_json::json!({
            "query": { "msgid": msgid, "around": n },
            "results": found.len(),
            "msgids": ids,
        });
        self.record_access(actor, "search", detail)?;
        Ok(Some(found))
    }

    /// The audit trail, oldest first (reading it is not itself audited).
    pub fn audit_trail(&self) -> Result<Vec<AuditEntry>, ArchiveError> {
        Ok(read(&self.conn, &AuditFilter::default())?
            .into_iter()
            .map(|r| r.entry)
            .collect())
    }

    /// The audit records matching `f`, oldest first.
    pub fn audit_records(&self, f: &AuditFilter) -> Result<Vec<AuditRecord>, ArchiveError> {
        read(&self.conn, f)
    }
}
