//! The projections: the tables search, holds, audit and the archiver read, each derived from
//! chained records. Ingest and the other writers call these as they append; `rebuild`
//! replays every record through [`apply`] into empty tables. `verify` re-derives the same
//! rows on its own (`verify/expected.rs`) and compares.

use rusqlite::{params, CachedStatement, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};
use wcp_model::{ConsentState, Disposition, EventKind};

use crate::chain::kind;
use crate::error::ArchiveError;
use crate::hold::Hold;
use crate::id_tokens;
use crate::stored::StoredMessage;

/// The body of a `recall` record: marks a message recalled. The original is never edited.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct RecallMark {
    pub target_msgid: String,
    pub target_seq: i64,
    pub recall_msgid: String,
    pub recalled_at_ms: i64,
}

/// The part every removal (`tombstone`, `release`, `purge`) has in common: which record's
/// content is gone, and the digest it had, so `verify` accepts its NULL body.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Removal {
    pub target_seq: i64,
    pub msgid: String,
    /// Hex SHA-256 of the removed body, as chained.
    pub digest: String,
}

/// The body of a `release` record: quarantined content released in clear after consent.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct Release {
    pub target_seq: i64,
    pub msgid: String,
    pub digest: String,
    pub actor: String,
    pub reason: String,
    pub at_ms: i64,
    /// The message in clear, now searchable (its disposition `archive`).
    pub message: StoredMessage,
}

/// The body of a `hold_release` record.
#[derive(Debug, Clone, Serialize, Deserialize)]
pub struct HoldRelease {
    pub hold: i64,
    pub released_by: String,
    pub released_at_ms: i64,
    pub reason: String,
}

/// Why a message's content is kept the way it is: the consent state, the contacts that
/// decided it, the policy rule. Stored with every row (`messages.reason`, `quarantine.reason`).
pub fn reason(m: &StoredMessage) -> String {
    reason_parts(&m.msgtype, m.disposition, &m.from.id, m.consent.as_ref())
}

/// [`reason`] from the fields it reads (the verify's view of a body has no `StoredMessage`).
pub fn reason_parts(
    msgtype: &str,
    disposition: Disposition,
    from_id: &str,
    consent: Option<&wcp_model::ConsentDecision>,
) -> String {
    // A dead letter (`wcp_stages::dead_letters`): bytes no stage could read, so no one is
    // known to have consented.
    if msgtype == "dead_letter" && disposition == Disposition::Quarantine {
        return format!(
            "quarantine: dead letter from stage {from_id} (unreadable input: whose it is and their consent cannot be known)"
        );
    }
    reason_of(disposition, consent)
}

pub fn reason_of(disposition: Disposition, consent: Option<&wcp_model::ConsentDecision>) -> String {
    let Some(c) = consent else {
        return format!("{}: no consent decision", disposition.as_str());
    };
    let deciding: Vec<&str> = c
        .contacts
        .iter()
        .filter(|k| k.state == c.state)
        .map(|k| k.contact.as_str())
        .collect();
    let rule = match c.state {
        ConsentState::Agreed => "consent agreed",
        ConsentState::Disagreed => "policy on_disagreed",
        ConsentState::Unknown => "policy on_unknown",
        ConsentState::NotRequired => "staff only (employment basis)",
    };
    let who = if deciding.is_empty() {
        String::new()
    } else {
        format!(" by {}", deciding.join(","))
    };
    format!(
        "{}: consent {}{who} ({rule})",
        disposition.as_str(),
        c.state.as_str()
    )
}

/// `|a|b|c|`: every id enclosed in separators, so `instr(list, '|' || id || '|')` is an
/// exact membership test.
pub fn participant_list(ids: &[&str]) -> String {
    format!("|{}|", ids.join("|"))
}

/// The per-row statements, prepared once per batch: looking each up in the statement cache
/// per row cost ~3% of ingest.
pub struct Stmts<'c> {
    message: CachedStatement<'c>,
    fts: CachedStatement<'c>,
    ids: CachedStatement<'c>,
    risk: CachedStatement<'c>,
    pii: CachedStatement<'c>,
}

impl<'c> Stmts<'c> {
    pub fn prepare(conn: &'c Connection) -> Result<Stmts<'c>, ArchiveError> {
        Ok(Stmts {
            message: conn.prepare_cached(
                "INSERT INTO messages (seq, msgid, conversation_id, from_id, time_ms, msgtype, class,
                 disposition, keep_until_ms, legal_hold, participants, reason, text)
                 VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13)",
            )?,
            fts: conn.prepare_cached("INSERT INTO fts (rowid, text) VALUES (?1, ?2)")?,
            ids: conn.prepare_cached("INSERT INTO id_tokens (rowid, tokens) VALUES (?1, ?2)")?,
            risk: conn
                .prepare_cached("INSERT OR IGNORE INTO risks (category, seq) VALUES (?1, ?2)")?,
            pii: conn.prepare_cached("INSERT OR IGNORE INTO pii (entity, seq) VALUES (?1, ?2)")?,
        })
    }

    /// A searchable message: its row, full-text and id tokens, risk and PII index rows.
    pub fn message(&mut self, seq: i64, m: &StoredMessage) -> Result<(), ArchiveError> {
        let class = m.classification.as_ref().map(|c| c.class.as_str());
        let keep_until = m.retention.as_ref().map(|r| r.keep_until_ms);
        let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
        let ids = m.participant_ids();
        self.message.execute(params![
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
            reason(m),
            m.text
        ])?;
        if !m.text.is_empty() {
            self.fts.execute(params![seq, m.text])?;
        }
        self.ids.execute(params![
            seq,
            id_tokens::of_message(&m.conversation_id, &ids, &m.text)
        ])?;
        if let Some(c) = &m.classification {
            for r in &c.risks {
                self.risk.execute(params![r.category.as_str(), seq])?;
            }
            for p in &c.pii {
                self.pii.execute(params![p.entity, seq])?;
            }
        }
        Ok(())
    }
}

/// A quarantined message: who, when, where, never its content.
pub fn quarantine(conn: &Connection, seq: i64, m: &StoredMessage) -> Result<(), ArchiveError> {
    let keep_until = m.retention.as_ref().map(|r| r.keep_until_ms);
    let hold = m.retention.as_ref().is_some_and(|r| r.legal_hold);
    let participants = participant_list(&m.participant_ids());
    conn.prepare_cached(
        "INSERT INTO quarantine (seq, msgid, conversation_id, participants, time_ms, keep_until_ms, legal_hold, reason, sealed)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)",
    )?
    .execute(params![
        seq,
        m.msgid,
        m.conversation_id,
        participants,
        m.time_ms,
        keep_until,
        hold,
        reason(m),
        m.sealed.is_some()
    ])?;
    Ok(())
}

/// (record seq, state) of a msgid the archive has seen: `m`, `q` or `x` (expired).
pub fn lookup(conn: &Connection, msgid: &str) -> Result<Option<(i64, String)>, ArchiveError> {
    Ok(conn
        .prepare_cached("SELECT seq, state FROM msgids WHERE msgid = ?1")?
        .query_row([msgid], |r| Ok((r.get(0)?, r.get(1)?)))
        .optional()?)
}

/// Marks the row of `mark.target_seq` recalled (the first recall wins).
pub fn recall(conn: &Connection, state: &str, mark: &RecallMark) -> Result<(), ArchiveError> {
    let table = if state == "q" {
        "quarantine"
    } else {
        "messages"
    };
    conn.prepare_cached(&format!(
        "UPDATE {table} SET recalled_at_ms = ?1, recall_msgid = ?2 WHERE seq = ?3 AND recalled_at_ms IS NULL"
    ))?
    .execute(params![mark.recalled_at_ms, mark.recall_msgid, mark.target_seq])?;
    Ok(())
}

/// Deletes a message's (or quarantined row's) projections; msgids keeps it as expired.
/// The FTS deletes go through FTS5's secure-delete (schema.rs), so the terms leave the
/// index pages themselves.
pub fn remove(conn: &Connection, seq: i64) -> Result<(), ArchiveError> {
    conn.execute(
        "INSERT INTO fts (fts, rowid, text) SELECT 'delete', seq, text FROM messages WHERE seq = ?1 AND text <> ''",
        [seq],
    )?;
    conn.execute(
        "INSERT INTO id_tokens (id_tokens, rowid, tokens) SELECT 'delete', seq, tokens FROM id_tokens_src WHERE seq = ?1",
        [seq],
    )?;
    for t in ["risks", "pii", "messages", "quarantine"] {
        conn.execute(&format!("DELETE FROM {t} WHERE seq = ?1"), [seq])?;
    }
    conn.execute("UPDATE msgids SET state = 'x' WHERE seq = ?1", [seq])?;
    Ok(())
}

pub fn audit_row(conn: &Connection, seq: i64, body: &[u8]) -> Result<(), ArchiveError> {
    let e: crate::audit::AuditEntry = serde_json::from_slice(body)?;
    conn.prepare_cached(
        "INSERT INTO audit (seq, at_ms, actor, action, detail) VALUES (?1, ?2, ?3, ?4, ?5)",
    )?
    .execute(params![
        seq,
        e.at_ms,
        e.actor,
        e.action,
        e.detail.to_string()
    ])?;
    Ok(())
}

pub fn setting(conn: &Connection, seq: i64, key: &str, value: &str) -> Result<(), ArchiveError> {
    conn.prepare_cached(
        "INSERT INTO settings (key, value, seq) VALUES (?1, ?2, ?3)
         ON CONFLICT (key) DO UPDATE SET value = excluded.value, seq = excluded.seq",
    )?
    .execute(params![key, value, seq])?;
    Ok(())
}

/// Applies one record of any kind to empty-or-current projections, as its writer did.
pub fn apply(
    conn: &Connection,
    st: &mut Stmts,
    seq: i64,
    kind_: &str,
    msgid: &str,
    body: Option<&[u8]>,
) -> Result<(), ArchiveError> {
    match kind_ {
        kind::MESSAGE | kind::QUARANTINE => {
            let state = if kind_ == kind::MESSAGE { "m" } else { "q" };
            conn.prepare_cached("INSERT INTO msgids (msgid, seq, state) VALUES (?1, ?2, ?3)")?
                .execute(params![msgid, seq, state])?;
            // A recall that waited for this message: its mark record follows.
            conn.prepare_cached("DELETE FROM pending_recalls WHERE pre_msgid = ?1")?
                .execute([msgid])?;
            // A NULL body was removed later: the removal record replays the rest.
            let Some(body) = body else { return Ok(()) };
            let m: StoredMessage = serde_json::from_slice(body)?;
            if kind_ == kind::MESSAGE {
                st.message(seq, &m)?;
            } else {
                quarantine(conn, seq, &m)?;
            }
            if let EventKind::Recall { pre_msgid } = &m.kind {
                if lookup(conn, pre_msgid)?.is_none() {
                    conn.prepare_cached(
                        "INSERT OR IGNORE INTO pending_recalls (pre_msgid, recall_msgid, recalled_at_ms) VALUES (?1, ?2, ?3)",
                    )?
                    .execute(params![pre_msgid, m.msgid, m.time_ms])?;
                }
            }
        }
        kind::RECALL => {
            let mark: RecallMark = serde_json::from_slice(need(body, seq)?)?;
            if let Some((_, state)) = lookup(conn, &mark.target_msgid)? {
                recall(conn, &state, &mark)?;
            }
        }
        kind::TOMBSTONE | kind::PURGE => {
            let r: Removal = serde_json::from_slice(need(body, seq)?)?;
            remove(conn, r.target_seq)?;
        }
        kind::RELEASE => {
            let r: Release = serde_json::from_slice(need(body, seq)?)?;
            remove(conn, r.target_seq)?;
            conn.prepare_cached("UPDATE msgids SET seq = ?1, state = 'm' WHERE msgid = ?2")?
                .execute(params![seq, r.msgid])?;
            st.message(seq, &r.message)?;
        }
        kind::HOLD_PLACE => {
            let h: Hold = serde_json::from_slice(need(body, seq)?)?;
            conn.execute(
                "INSERT INTO holds (id, scope, reason, case_id, placed_by, placed_at_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
                params![h.id, serde_json::to_string(&h.scope)?, h.reason, h.case_id, h.placed_by, h.placed_at_ms],
            )?;
        }
        kind::HOLD_RELEASE => {
            let r: HoldRelease = serde_json::from_slice(need(body, seq)?)?;
            conn.execute(
                "UPDATE holds SET released_by = ?1, released_at_ms = ?2 WHERE id = ?3",
                params![r.released_by, r.released_at_ms, r.hold],
            )?;
        }
        kind::AUDIT => audit_row(conn, seq, need(body, seq)?)?,
        kind::OFFSETS => {
            let offsets: Vec<crate::SourceOffset> = serde_json::from_slice(need(body, seq)?)?;
            crate::ingest::store_offsets(conn, &offsets)?;
        }
        kind::CONFIG => {
            let c: crate::settings::ConfigChange = serde_json::from_slice(need(body, seq)?)?;
            for (k, v) in c.values() {
                setting(conn, seq, &k, &v)?;
            }
        }
        kind::KEY_ROTATION => {
            let r: crate::rotation::Rotation = serde_json::from_slice(need(body, seq)?)?;
            apply_rotation(conn, seq, &r)?;
        }
        // expiry: a summary, its tombstones did the work.
        _ => {}
    }
    Ok(())
}

/// The new key goes into the lineage (`keys`) and becomes the published one.
pub fn apply_rotation(
    conn: &Connection,
    seq: i64,
    r: &crate::rotation::Rotation,
) -> Result<(), ArchiveError> {
    conn.execute(
        "INSERT INTO keys (seq, public_key) VALUES (?1, ?2)",
        params![seq, r.new_public_key],
    )?;
    conn.execute(
        "UPDATE meta SET value = ?1 WHERE key = 'public_key'",
        [&r.new_public_key],
    )?;
    // The current key as a chained setting too, which verify checks (verify/expected.rs).
    setting(conn, seq, "public_key", &r.new_public_key)
}

fn need(body: Option<&[u8]>, seq: i64) -> Result<&[u8], ArchiveError> {
    body.ok_or_else(|| ArchiveError::Schema(format!("record {seq} has no body")))
}

/// The tables `rebuild` empties and refills (FTS tables through their own commands).
pub const TABLES: [&str; 10] = [
    "msgids",
    "messages",
    "risks",
    "pii",
    "quarantine",
    "pending_recalls",
    "holds",
    "audit",
    "settings",
    "offsets",
];

/// Empties every projection.
pub fn clear(conn: &Connection) -> Result<(), ArchiveError> {
    conn.execute("INSERT INTO fts (fts) VALUES ('delete-all')", [])?;
    conn.execute(
        "INSERT INTO id_tokens (id_tokens) VALUES ('delete-all')",
        [],
    )?;
    for t in TABLES {
        conn.execute(&format!("DELETE FROM {t}"), [])?;
    }
    // The first key is in no record (the first checkpoint's signature proves it): kept.
    conn.execute("DELETE FROM keys WHERE seq > 0", [])?;
    Ok(())
}

/// Replays every record, in chain order, into (empty) projections.
pub fn replay(conn: &Connection) -> Result<u64, ArchiveError> {
    replay_skipping(conn, &std::collections::HashSet::new())
}

/// [`replay`], treating the bodies of `skip` (altered records) as removed.
pub fn replay_skipping(
    conn: &Connection,
    skip: &std::collections::HashSet<i64>,
) -> Result<u64, ArchiveError> {
    let mut st = Stmts::prepare(conn)?;
    let mut stmt = conn.prepare("SELECT seq, kind, msgid, body FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let (seq, k, msgid): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
        let body: Option<Vec<u8>> = if skip.contains(&seq) { None } else { r.get(3)? };
        if let Err(e) = apply(conn, &mut st, seq, &k, &msgid, body.as_deref()) {
            if skip.is_empty() {
                return Err(e);
            }
        }
        n += 1;
    }
    Ok(n)
}

/// [`replay_skipping`] for a verification, which must name what is wrong rather than stop:
/// columns of any storage class are read as bytes, a record whose rows cannot be applied
/// (a replayed copy whose message id is taken, a kind or body rewritten) is passed over, and
/// records the walk found elsewhere are applied at their chain position (`placed`: Some
/// position, or None for a record that is no part of the chain).
pub fn replay_for_verify(
    conn: &Connection,
    skip: &std::collections::HashSet<i64>,
    placed: &std::collections::HashMap<i64, Option<i64>>,
) -> Result<u64, ArchiveError> {
    use rusqlite::types::ValueRef;
    let text = |v: ValueRef<'_>| match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    let mut st = Stmts::prepare(conn)?;
    let mut stmt = conn.prepare("SELECT seq, kind, msgid, body FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut n = 0;
    while let Some(r) = rows.next()? {
        let seq = r.get_ref(0)?.as_i64().unwrap_or(0);
        let pos = match placed.get(&seq) {
            Some(None) => continue,
            Some(Some(p)) => *p,
            None => seq,
        };
        let (k, msgid) = (text(r.get_ref(1)?), text(r.get_ref(2)?));
        let body = match r.get_ref(3)? {
            ValueRef::Text(b) | ValueRef::Blob(b) if !skip.contains(&pos) => Some(b.to_vec()),
            _ => None,
        };
        // A savepoint per record: a failed one leaves nothing half applied.
        conn.execute_batch("SAVEPOINT rec")?;
        match apply(conn, &mut st, pos, &k, &msgid, body.as_deref()) {
            Ok(()) => conn.execute_batch("RELEASE rec")?,
            Err(_) => conn.execute_batch("ROLLBACK TO rec; RELEASE rec")?,
        }
        n += 1;
    }
    Ok(n)
}

/// Schema 3 upgrade: the `reason` column of rows written before it.
pub fn fill_reasons(conn: &Connection) -> Result<(), ArchiveError> {
    let mut stmt = conn.prepare(
        "SELECT r.seq, r.body FROM records r WHERE r.kind IN ('message', 'quarantine') AND r.body IS NOT NULL",
    )?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, body): (i64, Vec<u8>) = (r.get(0)?, r.get(1)?);
        let m: StoredMessage = serde_json::from_slice(&body)?;
        for t in ["messages", "quarantine"] {
            conn.prepare_cached(&format!("UPDATE {t} SET reason = ?1 WHERE seq = ?2"))?
                .execute(params![reason(&m), seq])?;
        }
    }
    Ok(())
}

/// Schema 3 upgrade: the `audit` table from the audit records written before it.
pub fn replay_controls(conn: &Connection) -> Result<(), ArchiveError> {
    let mut stmt =
        conn.prepare("SELECT seq, body FROM records WHERE kind = 'audit' ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    while let Some(r) = rows.next()? {
        let (seq, body): (i64, Vec<u8>) = (r.get(0)?, r.get(1)?);
        audit_row(conn, seq, &body)?;
    }
    Ok(())
}

/// Whether content of this disposition is searchable (a `message` record) or held apart.
pub fn is_quarantine(d: Disposition) -> bool {
    d == Disposition::Quarantine
}
