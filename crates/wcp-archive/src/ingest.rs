//! `insert_batch`: rows, chained records and source offsets in one transaction.

use ed25519_dalek::SigningKey;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wcp_model::{Disposition, EnrichedEvent, EventKind};

use crate::chain::{kind, Chain};
use crate::error::ArchiveError;
use crate::project::{self, lookup, RecallMark, Stmts};
use crate::seal::QuarantineKey;
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

pub fn insert_events(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    quarantine_key: Option<&QuarantineKey>,
    events: &[EnrichedEvent],
    report: &mut InsertReport,
) -> Result<(), ArchiveError> {
    // Most batches have no recall waiting: skip the per-message lookup then.
    let mut any_pending: bool = conn
        .prepare_cached("SELECT EXISTS (SELECT 1 FROM pending_recalls)")?
        .query_row([], |r| r.get(0))?;
    let claim = &mut conn.prepare_cached(
        // Dedup and msgid registration in one B-tree descent: no row changed = seen before.
        "INSERT INTO msgids (msgid, seq, state) VALUES (?1, ?2, ?3) ON CONFLICT DO NOTHING",
    )?;
    let mut st = Stmts::prepare(conn)?;
    for e in events {
        let ev = &e.event;
        let stored = StoredMessage::from_enriched(e, quarantine_key)?;
        let quarantined = stored.disposition == Disposition::Quarantine;
        let state = if quarantined { "q" } else { "m" };
        // The record this message will get is the next in the chain (appended just below,
        // inside the same transaction).
        let seq = chain.seq + 1;
        if claim.execute(params![ev.msgid, seq, state])? == 0 {
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
            project::quarantine(conn, seq, &stored)?;
            report.quarantined += 1;
        } else {
            st.message(seq, &stored)?;
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

/// Chains the batch's source positions and stores them (the archiver resumes from them).
pub fn chain_offsets(
    conn: &Connection,
    chain: &mut Chain,
    key: &SigningKey,
    offsets: &[SourceOffset],
) -> Result<(), ArchiveError> {
    let mut same = conn.prepare_cached(
        "SELECT 1 FROM offsets WHERE topic = ?1 AND partition = ?2 AND next_offset = ?3",
    )?;
    let mut unchanged = true;
    for o in offsets {
        unchanged &= same.exists(params![o.topic, o.partition, o.next_offset])?;
    }
    if unchanged {
        return Ok(()); // nothing new to chain (an empty batch, a replay)
    }
    chain.append(conn, key, kind::OFFSETS, "", &serde_json::to_vec(offsets)?)?;
    store_offsets(conn, offsets)
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
    project::recall(conn, state, &mark)
}
