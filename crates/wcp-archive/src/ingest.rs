//! `insert_batch`: rows, chained records and source offsets in one transaction.

use ed25519_dalek::SigningKey;
use rusqlite::{params, CachedStatement, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wcp_model::{Disposition, EnrichedEvent, EventKind};

use crate::chain::{kind, Chain};
use crate::error::ArchiveError;
use crate::id_tokens;
use crate::stored::StoredMessage;

/// A Kafka position to resume from: the next offset to read in `topic`/`partition`.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SourceOffset {
    pub topic: String,
    pub partition: i32,
    pub next_offset: i64,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize)]
pub struct InsertReport {
    pub inserted: u64,
    pub duplicates: u64,
    /// Recall marks appended in this batch (for recalls of this or an earlier batch).
    pub recalls_applied: u64,
    /// Recalls in this batch whose original has not arrived yet.
    pub recalls_pending: u64,
    pub quarantined: u64,
}

/// The chained record that marks a message recalled. The original is never edited.
#[derive(Debug, Serialize, Deserialize)]
pub struct RecallMark {
    pub target_msgid: String,
    pub target_seq: i64,
    pub recall_msgid: String,
    pub recalled_at_ms: i64,
}

/// The per-row statements, prepared once per batch: looking each up in the statement cache
/// per row cost ~3% of ingest.
struct Stmts<'c> {
    claim: CachedStatement<'c>,
    message: CachedStatement<'c>,
    fts: CachedStatement<'c>,
    ids: CachedStatement<'c>,
    risk: CachedStatement<'c>,
    pii: CachedStatement<'c>,
}

impl<'c> Stmts<'c> {
    fn prepare(conn: &'c Connection) -> Result<Stmts<'c>, ArchiveError> {
        Ok(Stmts {
            // Dedup and msgid registration in one B-tree descent: no row changed = seen before.
            claim: conn.prepare_cached(
                "INSERT INTO msgids (msgid, seq, state) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
            )?,
            message: conn.prepare_cached(
                "INSERT INTO messages (seq, msgid, conversation_id, from_id, time_ms, msgtype, class,
                 disposition, keep_until_ms, legal_hold, participants, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12)",
            )?,
            fts: conn.prepare_cached("INSERT INTO fts (rowid, text) VALUES (?1, ?2)")?,
            ids: conn.prepare_cached("INSERT INTO id_tokens (rowid, tokens) VALUES (?1, ?2)")?,
            risk: conn
                .prepare_cached("INSERT OR IGNORE INTO risks (category, seq) VALUES (?1, ?2)")?,
            pii: conn.prepare_cached("INSERT OR IGNORE INTO pii (entity, seq) VALUES (?1, ?2)")?,
        })
    }
}

pub fn insert_events(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    events: &[EnrichedEvent],
    report: &mut InsertReport,
) -> Result<(), ArchiveError> {
    // Most batches have no recall waiting: skip the per-message lookup then.
    let mut any_pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM pending_recalls)")?
        .query_row([], |r| r.get(0))?;
    let mut st = Stmts::prepare(conn)?;
    for e in events {
        let ev = &e.event;
        let stored = StoredMessage::from_enriched(e);
        let quarantined = stored.disposition == Disposition::Quarantine;
        let state = if quarantined { "q" } else { "m" };
        // The record this message will get is the next in the chain (appended just below,
        // inside the same transaction).
        let seq = chain.seq + 1;
        if st.claim.execute(params![ev.msgid, seq, state])? == 0 {
            report.duplicates += 1;
            continue;
        }
        let body = serde_json::to_vec(&stored)?;
        let kind = if quarantined {
            kind::QUARANTINE
        } else {
            kind::MESSAGE
        };
        let appended = chain.append(conn, key, kind, &ev.msgid, &body)?;
        if appended != seq {
            return Err(ArchiveError::Schema(format!(
                "chain appended seq {appended}, msgid registered at {seq}"
            )));
        }
        if quarantined {
            insert_quarantine(conn, seq, &stored)?;
            report.quarantined += 1;
        } else {
            insert_message(&mut st, seq, &stored)?;
            report.inserted += 1;
        }
        if let EventKind::Recall { pre_msgid } = &ev.kind {
            match lookup(conn, pre_msgid)? {
                Some((target_seq, state)) if state != "x" => {
                    mark_recalled(
                        conn, chain, key, pre_msgid, target_seq, &state, &ev.msgid, ev.time_ms,
                    )?;
                    report.recalls_applied += 1;
                }
                Some(_) => {} // the original has already expired: nothing left to mark
                None => {
                    conn.prepare_cached(
                        "INSERT OR IGNORE INTO pending_recalls (pre_msgid, recall_msgid, recalled_at_ms) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![pre_msgid, ev.msgid, ev.time_ms])?;
                    any_pending = true;
                    report.recalls_pending += 1;
                }
            }
        }
        if !any_pending {
            continue;
        }
        // A recall that arrived before this message is applied now.
        let pending: Option<(String, i64)> = conn
            .prepare_cached(
                "SELECT recall_msgid, recalled_at_ms FROM pending_recalls WHERE pre_msgid = ?1",
            )?
            .query_row([&ev.msgid], |r| Ok((r.get(0)?, r.get(1)?)))
            .optional()?;
        if let Some((recall_msgid, at)) = pending {
            mark_recalled(conn, chain, key, &ev.msgid, seq, state, &recall_msgid, at)?;
            conn.prepare_cached("DELETE FROM pending_recalls WHERE pre_msgid = ?1")?
                .execute([&ev.msgid])?;
            report.recalls_applied += 1;
        }
    }
    Ok(())
}

pub fn store_offsets(conn: &Connection, offsets: &[SourceOffset]) -> Result<(), ArchiveError> {
    for o in offsets {
        conn.prepare_cached(
            "INSERT INTO offsets (topic, partition, next_offset) VALUES (?1, ?2, ?3)
             ON CONFLICT (topic, partition) DO UPDATE SET next_offset = excluded.next_offset",
        )?
        .execute(params![o.topic, o.partition, o.next_offset])?;
    }
    Ok(())
}

/// (record seq, state) of a msgid the archive has seen: `m`, `q` or `x` (expired).
pub fn lookup(conn: &Connection, msgid: &str) -> Result<Option<(i64, String)>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT seq, state FROM msgids WHERE msgid = ?1")?
        .query_row([msgid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

#[allow(clippy::too_many_arguments)]
fn mark_recalled(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    target_msgid: &str,
    target_seq: i64,
    state: &str,
    recall_msgid: &str,
    at_ms: i64,
) -> Result<(), ArchiveError> {
    let mark = RecallMark {
        target_msgid: target_msgid.to_string(),
        target_seq,
        recall_msgid: recall_msgid.to_string(),
        recalled_at_ms: at_ms,
    };
    chain.append(
        conn,
        key,
        kind::RECALL,
        target_msgid,
        &serde_json::to_vec(&mark)?,
    )?;
    let table = if state == "q" {
        "quarantine"
    } else {
        "messages"
    };
    conn.prepare_cached(&format!(
        "UPDATE {table} SET recalled_at_ms = ?1, recall_msgid = ?2 WHERE seq = ?3 AND recalled_at_ms IS NULL"
    ))?
    .execute(params![at_ms, recall_msgid, target_seq])?;
    Ok(())
}

fn insert_message(st: &mut Stmts, seq: i64, m: &StoredMessage) -> Result<(), ArchiveError> {
    let class = m.classification.as_ref().map(|c| c.class.as_str());
    let keep_until = m.retention.as_ref().map(|r| r.keep_until_ms);
    let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
    let ids = m.participant_ids();
    st.message.execute(params![
        seq,
        m.msgid,
        m.conversation_id,
        m.from.id,
        m.time_ms,
        m.msgtype,
        class,
        m.disposition.as_str(),
        keep_until,
        hold,
        participant_list(&ids),
        m.text
    ])?;
    if !m.text.is_empty() {
        st.fts.execute(params![seq, m.text])?;
    }
    st.ids.execute(params![
        seq,
        id_tokens::of_message(&m.conversation_id, &ids)
    ])?;
    if let Some(c) = &m.classification {
        for r in &c.risks {
            st.risk.execute(params![r.category.as_str(), seq])?;
        }
        for p in &c.pii {
            st.pii.execute(params![p.entity, seq])?;
        }
    }
    Ok(())
}

fn insert_quarantine(conn: &Connection, seq: i64, m: &StoredMessage) -> Result<(), ArchiveError> {
    let keep_until = m.retention.as_ref().map(|r| r.keep_until_ms);
    let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
    let participants = participant_list(&m.participant_ids());
    conn.prepare_cached(
        "INSERT INTO quarantine (seq, msgid, conversation_id, participants, time_ms, keep_until_ms, legal_hold)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
    )?
    .execute(params![seq, m.msgid, m.conversation_id, participants, m.time_ms, keep_until, hold])?;
    Ok(())
}

/// `|a|b|c|`: every id enclosed in separators, so `instr(list, '|' || id || '|')` is an
/// exact membership test.
pub fn participant_list(ids: &[&str]) -> String {
    format!("|{}|", ids.join("|"))
}
