//! Legal holds and expiry. A hold is a query (custodian, conversation or any search) with a
//! reason and a case id; expiry removes content only past `keep_until` and under no hold,
//! and leaves a chained tombstone that keeps the removed record's digest.

use std::collections::HashSet;

use rusqlite::{params, Connection};
use serde::{Deserialize, Serialize};

use crate::audit;
use crate::chain::{kind, now_ms};
use crate::error::ArchiveError;
use crate::query::{self, Query};
use crate::Archive;

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum HoldScope {
    /// Every message a participant sent or received.
    Custodian(String),
    Conversation(String),
    Query(Query),
}

impl HoldScope {
    fn query(&self) -> Query {
        match self {
            HoldScope::Custodian(p) => Query {
                participant: Some(p.clone()),
                ..Query::default()
            },
            HoldScope::Conversation(c) => Query {
                conversation: Some(c.clone()),
                ..Query::default()
            },
            HoldScope::Query(q) => Query {
                limit: None,
                ..q.clone()
            },
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HoldRequest {
    pub scope: HoldScope,
    pub reason: String,
    pub case_id: String,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Hold {
    pub id: i64,
    pub scope: HoldScope,
    pub reason: String,
    pub case_id: String,
    pub placed_by: String,
    pub placed_at_ms: i64,
    pub released_by: Option<String>,
    pub released_at_ms: Option<i64>,
}

/// Body of a `tombstone` record: proof of what was removed, when, by whom and why allowed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    pub target_seq: i64,
    pub msgid: String,
    /// Hex SHA-256 of the removed body, as chained.
    pub digest: String,
    pub keep_until_ms: i64,
    pub expired_at_ms: i64,
    pub actor: String,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct ExpireReport {
    pub expired: u64,
    /// Past keep_until but kept because of a hold.
    pub held: u64,
}

impl Archive {
    pub fn place_hold(&mut self, req: &HoldRequest, actor: &str) -> Result<Hold, ArchiveError> {
        let placed_at_ms = now_ms();
        self.write(|conn, chain, key| {
            let scope = serde_json::to_string(&req.scope)?;
            conn.execute(
                "INSERT INTO holds (scope, reason, case_id, placed_by, placed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5)",
                params![scope, req.reason, req.case_id, actor, placed_at_ms],
            )?;
            let hold = Hold {
                id: conn.last_insert_rowid(),
                scope: req.scope.clone(),
                reason: req.reason.clone(),
                case_id: req.case_id.clone(),
                placed_by: actor.to_string(),
                placed_at_ms,
                released_by: None,
                released_at_ms: None,
            };
            chain.append(conn, key, kind::HOLD_PLACE, "", &serde_json::to_vec(&hold)?)?;
            audit::append(conn, chain, key, actor, "hold_place", serde_json::json!({ "hold": hold.id, "case_id": hold.case_id }))?;
            Ok(hold)
        })
    }

    pub fn release_hold(&mut self, id: i64, actor: &str, reason: &str) -> Result<(), ArchiveError> {
        let at = now_ms();
        self.write(|conn, chain, key| {
            let n = conn.execute(
                "UPDATE holds SET released_by = ?1, released_at_ms = ?2 WHERE id = ?3 AND released_at_ms IS NULL",
                params![actor, at, id],
            )?;
            if n == 0 {
                return Err(ArchiveError::NoSuchHold(id));
            }
            let body = serde_json::json!({ "hold": id, "released_by": actor, "released_at_ms": at, "reason": reason });
            chain.append(conn, key, kind::HOLD_RELEASE, "", &serde_json::to_vec(&body)?)?;
            audit::append(conn, chain, key, actor, "hold_release", body)?;
            Ok(())
        })
    }

    pub fn list_holds(&self, include_released: bool) -> Result<Vec<Hold>, ArchiveError> {
        list_holds(&self.conn, include_released)
    }

    /// Removes content past `keep_until` (epoch ms, from the caller's clock) that no hold
    /// covers; each removal leaves a chained tombstone.
    pub fn expire(&mut self, now_ms: i64, actor: &str) -> Result<ExpireReport, ArchiveError> {
        self.write(|conn, chain, key| {
            let holds = list_holds(conn, false)?;
            let mut held_seqs: HashSet<i64> = HashSet::new();
            for h in &holds {
                held_seqs.extend(query::matching_seqs(conn, &h.scope.query())?);
            }
            let mut report = ExpireReport::default();
            let due = due(conn, now_ms, &holds)?;
            for (seq, msgid, keep_until_ms, table, flagged) in due {
                if flagged || held_seqs.contains(&seq) {
                    report.held += 1;
                    continue;
                }
                let digest: Vec<u8> = conn.query_row("SELECT digest FROM records WHERE seq = ?1", [seq], |r| r.get(0))?;
                remove_content(conn, seq, table)?;
                let t = Tombstone { target_seq: seq, msgid: msgid.clone(), digest: hex::encode(digest), keep_until_ms, expired_at_ms: now_ms, actor: actor.to_string() };
                chain.append(conn, key, kind::TOMBSTONE, &msgid, &serde_json::to_vec(&t)?)?;
                report.expired += 1;
            }
            audit::append(conn, chain, key, actor, "expire", serde_json::json!({ "now_ms": now_ms, "expired": report.expired, "held": report.held }))?;
            Ok(report)
        })
    }
}

type Due = (i64, String, i64, &'static str, bool);

/// Rows past keep_until: (seq, msgid, keep_until, table, held by flag or custodian/conversation hold).
fn due(conn: &Connection, now_ms: i64, holds: &[Hold]) -> Result<Vec<Due>, ArchiveError> {
    let mut out = Vec::new();
    let mut stmt = conn.prepare(
        "SELECT seq, msgid, keep_until_ms, legal_hold FROM messages WHERE keep_until_ms < ?1",
    )?;
    for row in stmt.query_map([now_ms], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?))
    })? {
        let (seq, msgid, keep, flag): (i64, String, i64, bool) = row?;
        out.push((seq, msgid, keep, "messages", flag));
    }
    // Quarantined rows are not searchable: custodian and conversation holds apply, and any
    // query hold keeps them all (conservatively: the query might have matched them).
    let mut stmt = conn.prepare(
        "SELECT seq, msgid, keep_until_ms, legal_hold, conversation_id, participants FROM quarantine WHERE keep_until_ms < ?1",
    )?;
    for row in stmt.query_map([now_ms], |r| {
        Ok((
            r.get(0)?,
            r.get(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
        ))
    })? {
        let (seq, msgid, keep, flag, conv, parts): (i64, String, i64, bool, String, String) = row?;
        let held = flag
            || holds.iter().any(|h| match &h.scope {
                HoldScope::Custodian(p) => parts.contains(&format!("|{p}|")),
                HoldScope::Conversation(c) => *c == conv,
                HoldScope::Query(_) => true,
            });
        out.push((seq, msgid, keep, "quarantine", held));
    }
    Ok(out)
}

/// Deletes the content and its projections; the record keeps its digest and hash.
fn remove_content(conn: &Connection, seq: i64, table: &str) -> Result<(), ArchiveError> {
    if table == "messages" {
        conn.execute(
            "INSERT INTO fts (fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE seq = ?1 AND text <> ''",
            [seq],
        )?;
        conn.execute("DELETE FROM id_tokens WHERE rowid = ?1", [seq])?;
        for t in ["risks", "pii", "messages"] {
            conn.execute(&format!("DELETE FROM {t} WHERE seq = ?1"), [seq])?;
        }
    } else {
        conn.execute("DELETE FROM quarantine WHERE seq = ?1", [seq])?;
    }
    conn.execute("UPDATE records SET body = NULL WHERE seq = ?1", [seq])?;
    conn.execute("UPDATE msgids SET state = 'x' WHERE seq = ?1", [seq])?;
    Ok(())
}

fn list_holds(conn: &Connection, include_released: bool) -> Result<Vec<Hold>, ArchiveError> {
    let sql = if include_released {
        "SELECT id, scope, reason, case_id, placed_by, placed_at_ms, released_by, released_at_ms FROM holds ORDER BY id"
    } else {
        "SELECT id, scope, reason, case_id, placed_by, placed_at_ms, released_by, released_at_ms FROM holds WHERE released_at_ms IS NULL ORDER BY id"
    };
    let mut stmt = conn.prepare(sql)?;
    let rows = stmt.query_map([], |r| {
        Ok((
            r.get::<_, i64>(0)?,
            r.get::<_, String>(1)?,
            r.get(2)?,
            r.get(3)?,
            r.get(4)?,
            r.get(5)?,
            r.get(6)?,
            r.get(7)?,
        ))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (id, scope, reason, case_id, placed_by, placed_at_ms, released_by, released_at_ms) =
            row?;
        out.push(Hold {
            id,
            scope: serde_json::from_str(&scope)?,
            reason,
            case_id,
            placed_by,
            placed_at_ms,
            released_by,
            released_at_ms,
        });
    }
    Ok(out)
}
