//! Anchors: each signed checkpoint published outside the archive (the archiver writes them
//! to the compacted Kafka topic [`ANCHORS_TOPIC`], key = region), so that a tail cut off
//! together with its checkpoints shows: `verify --anchors` fails when the archive no longer
//! reaches the newest published head. Kafka stays out of this crate: callers read the
//! topic (or a file of JSON lines) into [`Anchor`]s.

use ed25519_dalek::Signature;
use rusqlite::{Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::chain::{checkpoint_message, to_hash};
use crate::error::ArchiveError;
use crate::verify::{Problem, ProblemKind};
use crate::Archive;

/// The compacted topic of published heads (before any topic prefix).
pub const ANCHORS_TOPIC: &str = wcp_model::topics::ARCHIVE_ANCHORS;

/// One published signed checkpoint.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Anchor {
    pub region: String,
    /// Hex Ed25519 key that signed it.
    pub public_key: String,
    pub checkpoint_id: i64,
    pub seq: i64,
    /// Hex chain hash at `seq`.
    pub hash: String,
    pub signed_at_ms: i64,
    /// Hex signature over the checkpoint message (as in the archive).
    pub signature: String,
}

impl Anchor {
    /// The anchor's own signature holds under its public key.
    pub fn signature_holds(&self) -> bool {
        let key = crate::keys::parse_public_key(&self.public_key).ok();
        let hash = hex::decode(&self.hash).ok().and_then(|h| to_hash(&h).ok());
        let sig = hex::decode(&self.signature)
            .ok()
            .and_then(|s| Signature::from_slice(&s).ok());
        match (key, hash, sig) {
            (Some(k), Some(h), Some(s)) => k
                .verify_strict(
                    &checkpoint_message(self.checkpoint_id, self.seq, &h, self.signed_at_ms),
                    &s,
                )
                .is_ok(),
            _ => false,
        }
    }
}

/// A head the archive must still reach.
pub struct Head {
    pub seq: i64,
    pub hash: String,
    pub signed_at_ms: Option<i64>,
}

/// A problem when the archive no longer contains `head` as it was (`source` says where the
/// head came from, for the sentence).
pub fn check_head(
    conn: &Connection,
    head: &Head,
    source: &str,
) -> Result<Option<Problem>, ArchiveError> {
    let stored: Option<Vec<u8>> = conn
        .query_row("SELECT hash FROM records WHERE seq = ?1", [head.seq], |r| {
            r.get(0)
        })
        .optional()?;
    let last: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
        r.get(0)
    })?;
    let when = head
        .signed_at_ms
        .map(|t| format!(", signed {}", crate::time::rfc3339(t)))
        .unwrap_or_default();
    Ok(match stored {
        None => {
            let mut p = Problem::new(ProblemKind::Truncated, last + 1, "records", format!(
                "the archive ends at record {last}, but {source} saw record {}{when}: records {} to {} were cut off",
                head.seq, last + 1, head.seq
            ));
            p.seq_to = head.seq;
            Some(p)
        }
        // The kept head's record is there with another hash: the archive was rolled back or
        // rewritten and written on, so its records from there on replaced the ones seen
        // (trial 12a D12: this was reported as a small cut-off tail).
        Some(h) if hex::encode(&h) != head.hash => {
            let mut p = Problem::new(ProblemKind::Altered, head.seq, "records", format!(
                "record {} differs from the head {source} saw{when}: the chain diverges from that head at or before record {}, so records {} to {last} were replaced (the archive was rolled back or rewritten and written on): the chain was rewritten from there on",
                head.seq, head.seq, head.seq
            ));
            p.seq_to = last.max(head.seq);
            Some(p)
        }
        Some(_) => None,
    })
}

impl Archive {
    /// The anchor of the newest signed checkpoint (what the archiver publishes).
    pub fn latest_anchor(&self, region: &str) -> Result<Option<Anchor>, ArchiveError> {
        type Row = (i64, i64, Vec<u8>, i64, Vec<u8>);
        let row: Option<Row> = self
            .conn
            .query_row(
                "SELECT id, seq, hash, signed_at_ms, signature FROM checkpoints ORDER BY id DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?, r.get(4)?)),
            )
            .optional()?;
        let key = self
            .public_key()?
            .map(|k| crate::keys::public_key_hex(&k))
            .unwrap_or_default();
        Ok(row.map(|(id, seq, hash, at, sig)| Anchor {
            region: region.to_string(),
            public_key: key,
            checkpoint_id: id,
            seq,
            hash: hex::encode(hash),
            signed_at_ms: at,
            signature: hex::encode(sig),
        }))
    }

    /// Checks the archive against published anchors: every one signed by a key of this
    /// archive (for `region`) must still be in the chain, unchanged: one that differs is
    /// history rewritten (after a rollback), one beyond the end a cut-off tail.
    pub fn check_anchors(
        &self,
        anchors: &[Anchor],
        region: &str,
    ) -> Result<Vec<Problem>, ArchiveError> {
        let lineage: Vec<String> = crate::rotation::lineage(&self.conn)?
            .iter()
            .map(crate::keys::public_key_hex)
            .collect();
        let mut out = Vec::new();
        let forged = anchors
            .iter()
            .filter(|a| {
                a.region == region && lineage.contains(&a.public_key) && !a.signature_holds()
            })
            .count();
        if forged > 0 {
            out.push(Problem::new(
                ProblemKind::BadCheckpoint,
                0,
                "anchors",
                format!("{forged} published anchors of region {region} carry no valid signature"),
            ));
        }
        let mut valid: Vec<&Anchor> = anchors
            .iter()
            .filter(|a| {
                a.region == region && lineage.contains(&a.public_key) && a.signature_holds()
            })
            .collect();
        if valid.is_empty() {
            out.push(Problem::new(ProblemKind::Truncated, 0, "anchors", format!("no published anchor of region {region} is signed by this archive's key: nothing to check the tail against")));
            return Ok(out);
        }
        // Every anchor, not only the newest (trial 15j D3): an archive rolled back (an older
        // copy put in place) and written on again reaches the newest anchor's seq with a
        // different history; only the anchors in between, published before the rollback,
        // still disagree with it.
        valid.sort_by_key(|a| (a.seq, a.signed_at_ms));
        let (mut rewritten, mut cut) = (Vec::new(), None);
        let mut agreed = 0i64;
        for a in &valid {
            let head = Head {
                seq: a.seq,
                hash: a.hash.clone(),
                signed_at_ms: Some(a.signed_at_ms),
            };
            match check_head(&self.conn, &head, "the anchors topic")? {
                Some(p) if p.kind == ProblemKind::Truncated => cut = Some((*a, p)),
                Some(p) => rewritten.push((*a, p)),
                None => agreed = agreed.max(a.seq),
            }
        }
        if let Some((first, mut p)) = rewritten.first().cloned() {
            let (n, last) = (
                rewritten.len(),
                rewritten.last().map_or(first.seq, |r| r.0.seq),
            );
            p.detail = format!(
                "record {} differs from the head the anchors topic saw, signed {}: the chain \
                 was rewritten from there on ({n} published anchors, records {} to {last}, \
                 disagree with it). An archive rolled back to an older copy and written on \
                 again shows this, a RUNBOOK restore included (docs/RUNBOOK.md, \
                 WcpArchiveVerifyFailed step 5)",
                first.seq,
                crate::time::rfc3339(first.signed_at_ms),
                first.seq,
            );
            out.push(p);
        }
        // The highest anchor beyond the end names the whole cut-off tail, unless the archive
        // signed that anchor's checkpoint number at another record: then it was rolled back
        // and written on, and the records after the last anchor it agrees with were replaced
        // (trial 12a D12: "Records 70 to 71 were cut off" for records 66 to 71 replaced).
        if let Some((a, mut p)) = cut {
            let own: Option<i64> = self
                .conn
                .query_row(
                    "SELECT seq FROM checkpoints WHERE id = ?1",
                    [a.checkpoint_id],
                    |r| Ok(r.get_ref(0)?.as_i64().ok()),
                )
                .optional()?
                .flatten();
            let last: i64 =
                self.conn
                    .query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
                        r.get(0)
                    })?;
            if let Some(own) = own.filter(|s| *s != a.seq) {
                p = Problem::new(
                    ProblemKind::Altered,
                    agreed + 1,
                    "records",
                    format!(
                        "records {} to {last} were replaced and records {} to {} are gone: the \
                         chain diverges from the anchors after record {agreed} (checkpoint {} \
                         signed record {} when the anchors topic saw it, signed {}, but record \
                         {own} in this archive): it was rolled back and written on again \
                         (docs/RUNBOOK.md, WcpArchiveVerifyFailed step 5)",
                        agreed + 1,
                        last + 1,
                        a.seq,
                        a.checkpoint_id,
                        a.seq,
                        crate::time::rfc3339(a.signed_at_ms),
                    ),
                );
                p.seq_to = a.seq.max(last);
            }
            out.push(p);
        }
        Ok(out)
    }

    /// The region this archive was created for (from its file name, see `regions.rs`).
    pub fn region(&self) -> Result<Option<String>, ArchiveError> {
        crate::schema::meta_get(&self.conn, "region")
    }
}

/// Anchors from JSON lines (a file exported from the topic, or kept by an auditor).
pub fn parse_lines(text: &str) -> Result<Vec<Anchor>, String> {
    text.lines()
        .enumerate()
        .filter(|(_, l)| !l.trim().is_empty())
        .map(|(i, l)| serde_json::from_str(l).map_err(|e| format!("line {}: {e}", i + 1)))
        .collect()
}
