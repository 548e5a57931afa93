//! The audit trail: every search, export, hold change and expiry is a chained record saying
//! who did what and when (SEC 17a-4(f) audit-trail option).

use ed25519_dalek::SigningKey;
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
    /// `search`, `export_rsmf`, `export_eml`, `hold_place`, `hold_release`, `expire`.
    pub action: String,
    /// What was done: the query, result counts, hold id, …
    pub detail: serde_json::Value,
}

pub fn append(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    actor: &str,
    action: &str,
    detail: serde_json::Value,
) -> Result<i64, ArchiveError> {
    let entry = AuditEntry {
        actor: actor.to_string(),
        at_ms: now_ms(),
        action: action.to_string(),
        detail,
    };
    chain.append(conn, key, kind::AUDIT, "", &serde_json::to_vec(&entry)?)
}

impl Archive {
    /// Searches and records the search (who, when, the query, how many results).
    pub fn search(&mut self, q: &Query, actor: &str) -> Result<Vec<ArchivedMessage>, ArchiveError> {
        let seqs = query::matching_seqs(&self.conn, q)?;
        let found = query::load(&self.conn, &seqs)?;
        let detail = serde_json::json!({ "query": q, "results": found.len() });
        self.write(|conn, chain, key| append(conn, chain, key, actor, "search", detail))?;
        Ok(found)
    }

    /// The audit trail, oldest first (reading it is not itself audited).
    pub fn audit_trail(&self) -> Result<Vec<AuditEntry>, ArchiveError> {
        let mut stmt = self
            .conn
            .prepare("SELECT body FROM records WHERE kind = ?1 ORDER BY seq")?;
        let rows = stmt.query_map([kind::AUDIT], |r| r.get::<_, Vec<u8>>(0))?;
        let mut out = Vec::new();
        for body in rows {
            out.push(serde_json::from_slice(&body?)?);
        }
        Ok(out)
    }
}
