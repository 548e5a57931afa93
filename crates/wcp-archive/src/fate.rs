//! What became of a message that is no longer in the archive's tables: expired (by whom,
//! when, approved by whom) or purged from quarantine. Read from the chain itself — the
//! tombstone or purge record and the expiry run that followed it — so the console can say
//! exactly that instead of guessing.

use rusqlite::OptionalExtension;
use serde::Serialize;

use crate::chain::kind;
use crate::error::ArchiveError;
use crate::Archive;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub enum Removed {
    /// Removed by `wcp archive expire` when its retention ended.
    Expired {
        at_ms: i64,
        actor: String,
        /// The second person who signed the run (two-person rule), if one did.
        approved_by: Option<String>,
        keep_until_ms: Option<i64>,
    },
    /// Quarantined content purged after its deadline (`wcp archive quarantine purge`).
    Purged {
        at_ms: i64,
        actor: String,
        reason: String,
    },
}

impl Archive {
    /// How `msgid` left the archive, or `None` when it is there (or never came).
    pub fn removed(&self, msgid: &str) -> Result<Option<Removed>, ArchiveError> {
        let Some((seq, state)) = crate::project::lookup(&self.conn, msgid)? else {
            return Ok(None);
        };
        if state != "x" {
            return Ok(None);
        }
        // The removal record follows the message's own record; the rowid range keeps it short.
        let found: Option<(i64, String, Vec<u8>)> = self
            .conn
            .query_row(
                "SELECT seq, kind, body FROM records WHERE seq > ?1 AND msgid = ?2
                 AND kind IN (?3, ?4) AND body IS NOT NULL ORDER BY seq LIMIT 1",
                rusqlite::params![seq, msgid, kind::TOMBSTONE, kind::PURGE],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)),
            )
            .optional()?;
        let Some((at_seq, k, body)) = found else {
            return Ok(None);
        };
        let b: serde_json::Value = serde_json::from_slice(&body)?;
        let text = |f: &str| b[f].as_str().unwrap_or_default().to_string();
        if k == kind::PURGE {
            return Ok(Some(Removed::Purged {
                at_ms: b["at_ms"].as_i64().unwrap_or_default(),
                actor: text("actor"),
                reason: text("reason"),
            }));
        }
        // The run's own record comes right after its tombstones and names the approval.
        let run: Option<Vec<u8>> = self
            .conn
            .query_row(
                "SELECT body FROM records WHERE seq > ?1 AND kind = ?2 ORDER BY seq LIMIT 1",
                rusqlite::params![at_seq, kind::EXPIRY],
                |r| r.get(0),
            )
            .optional()?;
        let approved_by = run
            .and_then(|r| serde_json::from_slice::<serde_json::Value>(&r).ok())
            .and_then(|r| r["approval"]["approver"].as_str().map(str::to_string));
        Ok(Some(Removed::Expired {
            at_ms: b["expired_at_ms"].as_i64().unwrap_or_default(),
            actor: text("actor"),
            approved_by,
            keep_until_ms: b["keep_until_ms"].as_i64(),
        }))
    }
}
