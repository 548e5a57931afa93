//! Upgrades of older archives, in place and in one transaction. Only projections change:
//! records and checkpoints (the evidence) are never touched, so `verify` passes before and
//! after.

use rusqlite::{params, Connection, TransactionBehavior};

use crate::error::ArchiveError;
use crate::id_tokens;

/// Schema 1 → 2: `participants (participant, seq)` and the `messages (conversation_id,
/// time_ms)` index become `messages.participants` and the `id_tokens` FTS5 index.
pub fn v1_to_v2(conn: &mut Connection) -> Result<(), ArchiveError> {
    let tx = conn.transaction_with_behavior(TransactionBehavior::Immediate)?;
    // Another process may have migrated between our version check and the write lock.
    let version: String = tx.query_row(
        "SELECT value FROM meta WHERE key = 'schema_version'",
        [],
        |r| r.get(0),
    )?;
    if version != "1" {
        return Ok(());
    }
    tx.execute_batch(
        "ALTER TABLE messages ADD COLUMN participants TEXT NOT NULL DEFAULT '';
         UPDATE messages SET participants = COALESCE(
             (SELECT '|' || group_concat(participant, '|' ORDER BY participant) || '|'
              FROM participants p WHERE p.seq = messages.seq), '||');",
    )?;
    {
        let mut rows = tx.prepare("SELECT seq, conversation_id, participants FROM messages")?;
        let mut insert = tx.prepare("INSERT INTO id_tokens (rowid, tokens) VALUES (?1, ?2)")?;
        let mut it = rows.query([])?;
        while let Some(r) = it.next()? {
            let (seq, conv, list): (i64, String, String) = (r.get(0)?, r.get(1)?, r.get(2)?);
            let ids: Vec<&str> = list.split('|').filter(|p| !p.is_empty()).collect();
            insert.execute(params![seq, id_tokens::of_message(&conv, &ids)])?;
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
