//! Upgrades of older archives, in place and in one transaction. Only projections change:
//! records and checkpoints (the evidence) are never touched, so `verify` passes before and
//! after.

use rusqlite::{params, Connection, TransactionBehavior};

use crate::error::ArchiveError;
use crate::id_tokens;

/// The write transaction of an upgrade from `version`, or None when the archive is no
/// longer at it: another process may have migrated between our version check and the lock.
fn still_at<'c>(
    conn: &'c mut Connection,
    version: &str,
) -> Result<Option<rusqlite::Transaction<'c>>, ArchiveError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    let now: String = tx.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get(0),
    )?;
    Ok((now == version).then_some(tx))
}

/// Schema 1 → 2: `participants (participant, seq)` and the `messages (conversation_id,
/// time_ms)` index become `messages.participants` and the `id_tokens` FTS5 index.
pub fn v1_to_v2(conn: &mut Connection) -> Result<(), ArchiveError> {
    let Some(tx) = still_at(conn, "1")? else {
        return Ok(());
    };
    tx.execute_batch(
        "ALTER TABLE messages ADD COLUMN participants TEXT NOT NULL DEFAULT '';
         UPDATE messages SET participants = COALESCE(
             (SELECT '|' || group_concat(participant, '|' ORDER BY participant) || '|'
              FROM participants p WHERE p.seq = messages.seq), '||');",
    )?;
    {
        let mut rows =
            tx.prepare("SELECT seq, conversation_id, participants, text FROM messages")?;
        let mut insert = tx.prepare("INSERT INTO id_tokens (rowid, tokens) VALUES (?1, ?2)")?;
        let mut it = rows.query([])?;
        while let Some(r) = it.next()? {
            let (seq, conv, list, text): (i64, String, String, String) =
                (r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?);
            let ids: Vec<&str> = list.split('|').filter(|p| !p.is_empty()).collect();
            insert.execute(params![seq, id_tokens::of_message(&conv, &ids, &text)])?;
        }
    }
    tx.execute_batch(
        "DROP INDEX IF EXISTS messages_conv_time;
         DROP TABLE participants;
         UPDATE meta SET value = '2' WHERE key = 'schema_version';",
    )?;
    tx.commit()?;
    Ok(())
}

/// Schema 2 → 3: `id_tokens` over the `id_tokens_src` view, `reason`/`sealed` columns, the
/// `audit`, `settings` tables (the DDL creates them) filled from the records, FTS5
/// secure-delete. Offsets stored before 3 were not chained: the writer that opens the
/// upgraded archive chains them first (`Archive::open`).
pub fn v2_to_v3(conn: &mut Connection) -> Result<(), ArchiveError> {
    let Some(tx) = still_at(conn, "2")? else {
        return Ok(());
    };
    tx.execute_batch(
        "DROP TABLE id_tokens;
         CREATE VIRTUAL TABLE id_tokens USING fts5(
             tokens, content='id_tokens_src', content_rowid='seq', detail=none, tokenize='ascii');
         INSERT INTO id_tokens (id_tokens) VALUES ('rebuild');
         ALTER TABLE messages ADD COLUMN reason TEXT NOT NULL DEFAULT '';
         ALTER TABLE quarantine ADD COLUMN reason TEXT NOT NULL DEFAULT '';
         ALTER TABLE quarantine ADD COLUMN sealed INTEGER NOT NULL DEFAULT 0;
         INSERT INTO meta (key, value) VALUES ('offsets_unchained', '1');
         INSERT OR IGNORE INTO keys (seq, public_key) SELECT 0, value FROM meta WHERE key = 'public_key';
         UPDATE meta SET value = '3' WHERE key = 'schema_version';",
    )?;
    crate::project::fill_reasons(&tx)?;
    crate::project::replay_controls(&tx)?;
    for t in ["fts", "id_tokens"] {
        tx.execute(
            &format!("INSERT INTO {t} ({t}, rank) VALUES ('secure-delete', 1)"),
            [],
        )?;
    }
    tx.commit()?;
    Ok(())
}

/// Schema 3 → 4: `id_tokens_src` adds each text's tail token (`id_tokens::tail`), and the
/// index is rebuilt from it; `fts_vocab` (no storage) comes from the DDL.
pub fn v3_to_v4(conn: &mut Connection) -> Result<(), ArchiveError> {
    let Some(tx) = still_at(conn, "3")? else {
        return Ok(());
    };
    tx.execute_batch(
        "DROP VIEW id_tokens_src;
         CREATE VIEW id_tokens_src AS
             SELECT seq, wcp_id_tokens(conversation_id, participants, text) AS tokens FROM messages;
         INSERT INTO id_tokens (id_tokens) VALUES ('rebuild');
         INSERT INTO id_tokens (id_tokens, rank) VALUES ('secure-delete', 1);
         UPDATE meta SET value = '4' WHERE key = 'schema_version';",
    )?;
    tx.commit()?;
    Ok(())
}
