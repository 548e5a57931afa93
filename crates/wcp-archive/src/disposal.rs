//! Disposition records: what a `tombstone` keeps of an expired message — identifiers, dates
//! and the retention rules, never content — so an export or the console can show, in the
//! message's place, that it was disposed of under policy instead of leaving a gap a reviewer
//! cannot tell from "never existed" (trial 18c D5).
//!
//! The tombstone is a chained record like any other: its body's digest is in the hash chain,
//! so `verify` finds a changed field as it finds a changed message. Tombstones written before
//! [`Placement`] existed name only the record, msgid, digest, keep-until, expiry time and
//! actor: they cannot be placed in a conversation, and readers count them
//! ([`Evidence::unplaced`](crate::evidence::Evidence)) rather than guess.

use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use wcp_model::Participant;

use crate::chain::kind;
use crate::error::ArchiveError;
use crate::project::Release;
use crate::query::Query;
use crate::stored::StoredMessage;
use crate::Archive;

/// The body of a `tombstone` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tombstone {
    /// The removed record and the digest its body had (`project::Removal`).
    pub target_seq: i64,
    pub msgid: String,
    pub digest: String,
    pub keep_until_ms: i64,
    /// The expiry run's cutoff.
    pub expired_at_ms: i64,
    pub actor: String,
    /// Where the message sat; absent in tombstones written before it was recorded.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub placement: Option<Placement>,
}

/// Who, where, when and under which rules: everything a disposition record keeps of a
/// message (records-management practice: identifiers, dates, the policy; never content).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Placement {
    pub conversation_id: String,
    /// The group chat's room id (`None`: a one-to-one chat).
    pub roomid: Option<String>,
    /// The sender as stored (a pseudonym where the archive kept one).
    pub from: String,
    /// Every participant (sender included) with the role stored, sorted by id.
    pub participants: Vec<Participant>,
    pub time_ms: i64,
    pub msgtype: String,
    /// The retention rules that applied (`sec_17a4_3y`, `personal_30d`, ...).
    pub rules: Vec<String>,
    /// Quarantined content: never exported, so never placed in an export either.
    pub quarantined: bool,
}

impl Placement {
    pub fn of(m: &StoredMessage, quarantined: bool) -> Placement {
        Placement {
            conversation_id: m.conversation_id.clone(),
            roomid: m.roomid.clone(),
            from: m.from.id.clone(),
            participants: participants(m),
            time_ms: m.time_ms,
            msgtype: m.msgtype.clone(),
            rules: m
                .retention
                .as_ref()
                .map(|r| r.rules.clone())
                .unwrap_or_default(),
            quarantined,
        }
    }

    /// Read from the record about to be removed (`message`, `quarantine` or `release`).
    pub fn of_record(conn: &Connection, seq: i64) -> Result<Placement, ArchiveError> {
        let (k, body): (String, Option<Vec<u8>>) = conn.query_row(
            "SELECT kind, body FROM records WHERE seq = ?1",
            [seq],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        let body = body
            .ok_or_else(|| ArchiveError::Schema(format!("record {seq} has no body to expire")))?;
        Ok(match k.as_str() {
            kind::RELEASE => {
                Placement::of(&serde_json::from_slice::<Release>(&body)?.message, false)
            }
            kind::QUARANTINE => Placement::of(&serde_json::from_slice(&body)?, true),
            _ => Placement::of(&serde_json::from_slice(&body)?, false),
        })
    }
}

fn participants(m: &StoredMessage) -> Vec<Participant> {
    let mut out: Vec<Participant> = std::iter::once(&m.from).chain(&m.to).cloned().collect();
    out.sort_by(|a, b| a.id.cmp(&b.id));
    out.dedup_by(|a, b| a.id == b.id);
    out
}

/// A disposed-of message as readers get it: the tombstone's seq and fields, placed.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct Disposed {
    /// The tombstone's position in the hash chain.
    pub record_seq: i64,
    pub msgid: String,
    pub keep_until_ms: i64,
    pub expired_at_ms: i64,
    pub actor: String,
    pub at: Placement,
}

impl Disposed {
    /// `None` for a tombstone of the old shape (nothing to place it by).
    pub fn from_tombstone(record_seq: i64, t: Tombstone) -> Option<Disposed> {
        let at = t.placement?;
        Some(Disposed {
            record_seq,
            msgid: t.msgid,
            keep_until_ms: t.keep_until_ms,
            expired_at_ms: t.expired_at_ms,
            actor: t.actor,
            at,
        })
    }

    /// The placeholder's words, with times formatted by `time`: no content, ever.
    pub fn words(&self, time: impl Fn(i64) -> String) -> String {
        let rules = if self.at.rules.is_empty() {
            "its retention".to_string()
        } else {
            format!("retention rule {}", self.at.rules.join(", "))
        };
        format!(
            "message {} from {} sent {} was disposed of under {rules} on {} (keep until {}, expired by {}); its content is no longer in the archive",
            self.msgid,
            self.at.from,
            time(self.at.time_ms),
            time(self.expired_at_ms),
            time(self.keep_until_ms),
            self.actor
        )
    }
}

/// A conversation's tombstones, by the `records_disposed` index (schema.rs): the expression
/// and the `kind` test must stay exactly the index's for SQLite to use it.
const IN_CONVERSATION: &str = "SELECT seq, body FROM records WHERE kind = 'tombstone' \
     AND json_extract(CAST(body AS TEXT), '$.placement.conversation_id') = ?1 ORDER BY seq";

impl Archive {
    /// The messages of `conversation_id` sent in `from_ms..=to_ms` that were disposed of
    /// under retention, in time order: the placeholders the console shows among the
    /// conversation's messages. Quarantined ones are left out, as from the conversation.
    pub fn disposed_in(
        &self,
        conversation_id: &str,
        from_ms: i64,
        to_ms: i64,
    ) -> Result<Vec<Disposed>, ArchiveError> {
        let mut stmt = self.conn.prepare_cached(IN_CONVERSATION)?;
        let mut rows = stmt.query([conversation_id])?;
        let mut out = Vec::new();
        while let Some(r) = rows.next()? {
            let (seq, body): (i64, Option<Vec<u8>>) = (r.get(0)?, r.get(1)?);
            let Some(body) = body else { continue };
            let t: Tombstone = serde_json::from_slice(&body)?;
            if let Some(d) = Disposed::from_tombstone(seq, t) {
                if !d.at.quarantined && (from_ms..=to_ms).contains(&d.at.time_ms) {
                    out.push(d);
                }
            }
        }
        out.sort_by_key(|d| (d.at.time_ms, d.record_seq));
        Ok(out)
    }
}

impl Query {
    /// Whether a disposed-of message falls in `q`: by the identifiers and dates its
    /// tombstone keeps. A filter on content (text, class, risks, PII, recall) cannot be
    /// decided without the content, so such a query places no placeholder at all.
    pub fn matches_disposed(&self, d: &Disposed) -> bool {
        let content_filter = self.text.as_deref().is_some_and(|t| !t.trim().is_empty())
            || self.class.is_some()
            || self.risk.is_some()
            || self.pii.is_some()
            || self.recalled.is_some();
        !content_filter
            && !d.at.quarantined
            && self
                .participant
                .as_ref()
                .is_none_or(|p| d.at.participants.iter().any(|x| x.id == *p))
            && self
                .conversation
                .as_ref()
                .is_none_or(|c| *c == d.at.conversation_id)
            && self.from_ms.is_none_or(|t| d.at.time_ms >= t)
            && self.to_ms.is_none_or(|t| d.at.time_ms < t)
            && self.msgtype.as_ref().is_none_or(|t| *t == d.at.msgtype)
            && self.msgid.as_ref().is_none_or(|m| *m == d.msgid)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn disposed() -> Disposed {
        Disposed {
            record_seq: 9,
            msgid: "m1".into(),
            keep_until_ms: 10,
            expired_at_ms: 20,
            actor: "officer".into(),
            at: Placement {
                conversation_id: "wmA|zhang".into(),
                roomid: None,
                from: "zhang".into(),
                participants: vec![Participant::new("wmA"), Participant::new("zhang")],
                time_ms: 5,
                msgtype: "text".into(),
                rules: vec!["personal_30d".into()],
                quarantined: false,
            },
        }
    }

    #[test]
    fn a_content_filter_places_no_placeholder() {
        let d = disposed();
        assert!(Query::default().matches_disposed(&d));
        let conv = Query {
            conversation: Some("wmA|zhang".into()),
            ..Query::default()
        };
        assert!(conv.matches_disposed(&d));
        for q in [
            Query {
                text: Some("保本".into()),
                ..conv.clone()
            },
            Query {
                recalled: Some(false),
                ..conv.clone()
            },
            Query {
                participant: Some("lisi".into()),
                ..conv.clone()
            },
            Query {
                from_ms: Some(6),
                ..conv.clone()
            },
        ] {
            assert!(!q.matches_disposed(&d), "{q:?}");
        }
        let mut quarantined = d.clone();
        quarantined.at.quarantined = true;
        assert!(!conv.matches_disposed(&quarantined));
    }

    #[test]
    fn the_words_name_the_rule_and_never_hold_content() {
        let w = disposed().words(|t| t.to_string());
        assert_eq!(w, "message m1 from zhang sent 5 was disposed of under retention rule personal_30d on 20 (keep until 10, expired by officer); its content is no longer in the archive");
    }
}
