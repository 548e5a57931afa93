//! Quarantined content: held back by the consent gate, kept only sealed to the DPO's key
//! (`seal.rs`) or not at all. `release` (after consent arrived) opens it with the DPO's
//! private key and chains a clear copy that search and export then see; `purge` (after the
//! quarantine deadline) deletes it. Each is a chained record naming actor and reason, plus
//! an audit record; the sealed body is emptied with secure delete either way.

use serde::{Deserialize, Serialize};

use crate::chain::{digest, kind, now_ms};
use crate::error::ArchiveError;
use crate::expire::remove_record;
use crate::hold::list_holds;
use crate::project::{Release, Stmts};
use crate::seal::DpoKey;
use crate::stored::StoredMessage;
use crate::Archive;

/// One quarantined row, as `wcp archive quarantine list` shows it (no content).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct QuarantinedRow {
    pub seq: i64,
    pub msgid: String,
    pub conversation_id: String,
    pub time_ms: i64,
    pub reason: String,
    /// Whether the content was kept (sealed) or only metadata.
    pub sealed: bool,
}

impl Archive {
    pub fn quarantined(&self) -> Result<Vec<QuarantinedRow>, ArchiveError> {
        let mut stmt = self.conn.prepare(
            "SELECT seq, msgid, conversation_id, time_ms, reason, sealed FROM quarantine ORDER BY seq",
        )?;
        let rows = stmt.query_map([], |r| {
            Ok(QuarantinedRow {
                seq: r.get(0)?,
                msgid: r.get(1)?,
                conversation_id: r.get(2)?,
                time_ms: r.get(3)?,
                reason: r.get(4)?,
                sealed: r.get(5)?,
            })
        })?;
        Ok(rows.collect::<Result<_, _>>()?)
    }

    /// Opens `msgid`'s sealed content with the DPO's key and archives it in clear.
    pub fn release_quarantined(
        &mut self,
        msgid: &str,
        dpo: &DpoKey,
        actor: &str,
        reason: &str,
    ) -> Result<i64, ArchiveError> {
        crate::audit::check_actor(actor)?;
        need_reason(reason)?;
        let (seq, mut m) = self.sealed_record(msgid)?;
        let Some(sealed) = m.sealed.clone() else {
            return Err(ArchiveError::Invalid(format!(
                "{msgid} was quarantined without a quarantine key: its content was never kept, so there is nothing to release"
            )));
        };
        m.restore_content(dpo.open(&sealed)?);
        m.disposition = wcp_model::Disposition::Archive;
        let at = now_ms();
        self.write(|conn, chain, key| {
            let mut message = Some(m);
            let rel_seq = remove_record(conn, chain, key, seq, msgid, kind::RELEASE, |r| {
                serde_json::to_value(Release {
                    target_seq: r.target_seq,
                    msgid: r.msgid.clone(),
                    digest: r.digest.clone(),
                    actor: actor.to_string(),
                    reason: reason.to_string(),
                    at_ms: at,
                    message: message
                        .take()
                        .unwrap_or_else(|| unreachable!("called once")),
                })
                .unwrap_or_default()
            })?;
            let body: Vec<u8> =
                conn.query_row("SELECT body FROM records WHERE seq = ?1", [rel_seq], |r| {
                    r.get(0)
                })?;
            let rel: Release = serde_json::from_slice(&body)?;
            conn.execute(
                "UPDATE msgids SET seq = ?1, state = 'm' WHERE msgid = ?2",
                rusqlite::params![rel_seq, msgid],
            )?;
            Stmts::prepare(conn)?.message(rel_seq, &rel.message)?;
            crate::audit::append(
                conn,
                chain,
                key,
                actor,
                "quarantine_release",
                serde_json::json!({ "msgid": msgid, "reason": reason, "record": rel_seq }),
            )?;
            Ok(rel_seq)
        })
        .and_then(|s| self.scrub().map(|()| s))
    }

    /// Deletes quarantined content received before `before_ms` (or exactly `msgid`), except
    /// what a legal hold covers. Returns the msgids purged.
    pub fn purge_quarantined(
        &mut self,
        msgid: Option<&str>,
        before_ms: Option<i64>,
        actor: &str,
        reason: &str,
    ) -> Result<Vec<String>, ArchiveError> {
        crate::audit::check_actor(actor)?;
        need_reason(reason)?;
        if msgid.is_none() && before_ms.is_none() {
            return Err(ArchiveError::Invalid(
                "say what to purge: a msgid or a time before which to purge".into(),
            ));
        }
        let holds = list_holds(&self.conn, false)?;
        let rows: Vec<(i64, String, String, String, bool)> = {
            let mut stmt = self.conn.prepare(
                "SELECT seq, msgid, conversation_id, participants, legal_hold FROM quarantine
                 WHERE (?1 IS NULL OR msgid = ?1) AND (?2 IS NULL OR time_ms < ?2) ORDER BY seq",
            )?;
            let r = stmt.query_map(rusqlite::params![msgid, before_ms], |r| {
                Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?))
            })?;
            r.collect::<Result<_, _>>()?
        };
        let due: Vec<(i64, String)> = rows
            .into_iter()
            .filter(|(_, m, conv, parts, flag)| {
                !flag
                    && !holds
                        .iter()
                        .any(|h| h.scope.keeps_quarantined(m, conv, parts))
            })
            .map(|(s, m, ..)| (s, m))
            .collect();
        if due.is_empty() {
            return Ok(Vec::new());
        }
        let at = now_ms();
        let ids: Vec<String> = due.iter().map(|(_, m)| m.clone()).collect();
        self.write(|conn, chain, key| {
            for (seq, m) in &due {
                remove_record(conn, chain, key, *seq, m, kind::PURGE, |r| {
                    serde_json::json!({ "target_seq": r.target_seq, "msgid": r.msgid, "digest": r.digest, "actor": actor, "reason": reason, "at_ms": at })
                })?;
            }
            crate::audit::append(conn, chain, key, actor, "quarantine_purge", serde_json::json!({ "msgids": ids, "reason": reason, "before_ms": before_ms }))?;
            Ok(())
        })?;
        self.scrub()?;
        Ok(ids)
    }

    /// The quarantine record of `msgid`, its body checked against its digest.
    fn sealed_record(&self, msgid: &str) -> Result<(i64, StoredMessage), ArchiveError> {
        let found = crate::project::lookup(&self.conn, msgid)?;
        let Some((seq, state)) = found.filter(|(_, s)| s == "q") else {
            return Err(ArchiveError::Invalid(format!(
                "{msgid} is not in quarantine"
            )));
        };
        let _ = state;
        let (body, d): (Vec<u8>, Vec<u8>) = self.conn.query_row(
            "SELECT body, digest FROM records WHERE seq = ?1 AND kind = 'quarantine' AND body IS NOT NULL",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if digest(&body)[..] != d[..] {
            return Err(ArchiveError::NotVerified(format!(
                "record {seq} ({msgid}) was altered"
            )));
        }
        Ok((seq, serde_json::from_slice(&body)?))
    }
}

fn need_reason(reason: &str) -> Result<(), ArchiveError> {
    if reason.trim().is_empty() {
        return Err(ArchiveError::Invalid(
            "a reason is required (it is chained with the record)".into(),
        ));
    }
    Ok(())
}
