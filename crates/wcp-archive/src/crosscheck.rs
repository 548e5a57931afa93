//! Cheap checks a read-only command makes of what it shows (trial 12a D18): `hold list` reads
//! the `holds` table, search the message rows and the full-text indexes, all projections of
//! the chain that only a full `verify` checks entirely. These compare what the command is
//! about to show with the evidence at a small cost (the hold records; each hit's record;
//! two row counts), so a tampered archive is not read without a word. Each returns one line
//! for the command to print, or None.

use std::collections::BTreeMap;

use rusqlite::OptionalExtension;

use crate::chain::kind;
use crate::error::ArchiveError;
use crate::hold::Hold;
use crate::project::HoldRelease;
use crate::stored::ArchivedMessage;
use crate::Archive;

const RUN_VERIFY: &str = "run `wcp archive verify` for every problem (docs/ARCHIVE.md)";

impl Archive {
    /// The `holds` table against the chain's hold records.
    pub fn holds_disagree(&self) -> Result<Option<String>, ArchiveError> {
        let mut want: BTreeMap<i64, Hold> = BTreeMap::new();
        let mut stmt = self.conn.prepare(
            "SELECT kind, body FROM records WHERE kind IN (?1, ?2) AND body IS NOT NULL ORDER BY seq",
        )?;
        let mut rows = stmt.query([kind::HOLD_PLACE, kind::HOLD_RELEASE])?;
        while let Some(r) = rows.next()? {
            let k: String = r.get(0)?;
            let body = crate::evidence::body_bytes(r, 1)?.unwrap_or_default();
            if k == kind::HOLD_PLACE {
                if let Ok(h) = serde_json::from_slice::<Hold>(&body) {
                    want.insert(h.id, h);
                }
            } else if let Ok(rel) = serde_json::from_slice::<HoldRelease>(&body) {
                if let Some(h) = want.get_mut(&rel.hold) {
                    h.released_by = Some(rel.released_by);
                    h.released_at_ms = Some(rel.released_at_ms);
                }
            }
        }
        let got = match crate::hold::list_holds(&self.conn, true) {
            Ok(g) => g,
            Err(e) => {
                return Ok(Some(format!(
                    "WARNING: the hold table cannot be read ({e}); the chain's hold records \
                     say {} hold(s): {RUN_VERIFY}",
                    want.len()
                )))
            }
        };
        let got: BTreeMap<i64, Hold> = got.into_iter().map(|h| (h.id, h)).collect();
        let mut differ = Vec::new();
        for (id, h) in &want {
            match got.get(id) {
                None => differ.push(format!("hold {id} (case {}) is missing", h.case_id)),
                Some(g) if g != h => {
                    differ.push(format!("hold {id} (case {}) was changed", h.case_id))
                }
                Some(_) => {}
            }
        }
        for (id, g) in &got {
            if !want.contains_key(id) {
                differ.push(format!("hold {id} (case {}) was never placed", g.case_id));
            }
        }
        Ok((!differ.is_empty()).then(|| {
            format!(
                "WARNING: the hold table disagrees with the chain's hold records ({}): this list \
                 is not what was placed; expiry refuses to run until it is repaired (wcp archive \
                 rebuild); {RUN_VERIFY}",
                differ.join("; ")
            )
        }))
    }

    /// Each hit against its record, and the number of messages each full-text index holds
    /// against the number of messages (a message taken out of an index is missed by every
    /// search that needs it).
    pub fn search_disagrees(
        &self,
        hits: &[ArchivedMessage],
    ) -> Result<Option<String>, ArchiveError> {
        // The hits are read from their records: each record against what the chain sealed,
        // and the message row the search matched against the record.
        let mut differ: Vec<String> = crate::evidence::altered(&self.conn, hits)?
            .into_iter()
            .map(|r| format!("{r} was altered after archiving"))
            .collect();
        let mut stmt = self.conn.prepare_cached(
            "SELECT msgid, text, time_ms, from_id, conversation_id FROM messages WHERE seq = ?1",
        )?;
        for h in hits {
            let row: Option<(String, String, i64, String, String)> = stmt
                .query_row([h.record_seq], |r| {
                    Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
                })
                .optional()?;
            let m = &h.stored;
            let same = row.is_some_and(|(id, text, time, from, conv)| {
                id == m.msgid
                    && text == m.text
                    && time == m.time_ms
                    && from == m.from.id
                    && conv == m.conversation_id
            });
            if !same {
                differ.push(format!(
                    "the row search matched for message {} differs from its record {}",
                    m.msgid, h.record_seq
                ));
            }
        }
        // What the writer indexes (project.rs): every message in `id_tokens`, only those with
        // text in `fts` (a picture or file has none to search).
        let (messages, with_text): (i64, i64) = self.conn.query_row(
            "SELECT count(*), count(*) FILTER (WHERE text <> '') FROM messages",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        for (index, expected, what) in [
            ("fts", with_text, "messages with text"),
            ("id_tokens", messages, "messages"),
        ] {
            let rows = indexed_rows(&self.conn, index);
            if rows != Some(expected) {
                differ.push(format!(
                    "the search index `{index}` holds {} messages, the archive {expected} {what}: \
                     searches may miss messages or find others",
                    rows.map_or("an unreadable number of".to_string(), |n| n.to_string())
                ));
            }
        }
        Ok((!differ.is_empty()).then(|| {
            format!(
                "WARNING: the archive's search tables disagree with its records ({}): {RUN_VERIFY}",
                differ.join("; ")
            )
        }))
    }
}

/// The number of rows an FTS5 index holds: the first varint of its averages record (block 1).
fn indexed_rows(conn: &rusqlite::Connection, index: &str) -> Option<i64> {
    let block: Option<Vec<u8>> = conn
        .query_row(
            &format!("SELECT block FROM main.{index}_data WHERE id = 1"),
            [],
            |r| r.get(0),
        )
        .optional()
        .ok()?;
    // No averages yet: nothing was ever indexed.
    let Some(block) = block else {
        return Some(0);
    };
    let mut i = 0;
    crate::verify::varint(&block, &mut i).map(|n| n as i64)
}
