//! Expiry: content past `keep_until` under no hold goes, each removal a chained tombstone
//! that keeps the removed record's digest, the run itself an `expiry` record.
//!
//! What makes it hard to force: the cutoff is the machine's clock (an earlier one may be
//! given, never a later one); the archive must pass `verify` first, so holds, keep-until
//! dates and hold flags are the chained ones (a hold deleted by hand stops expiry instead of
//! releasing its messages); a run that would remove more than the configured share of the
//! archive (`expire_max_share`, default 5 %) needs a registered second approver's signature
//! over exactly this plan (`Approval`).

use std::collections::HashSet;

use ed25519_dalek::{Signature, Signer, SigningKey};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::{kind, now_ms};
use crate::disposal::{Placement, Tombstone};
use crate::error::ArchiveError;
use crate::hold::{list_holds, Hold};
use crate::project::Removal;
use crate::query;
use crate::Archive;

/// One record due for removal.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct DueRecord {
    pub seq: i64,
    pub msgid: String,
    pub conversation_id: String,
    pub time_ms: i64,
    pub keep_until_ms: i64,
    pub quarantined: bool,
}

/// A hold that keeps a record past its keep-until date: its id and case.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct KeptBy {
    pub hold: i64,
    pub case_id: String,
}

/// A record past keep_until that a hold keeps, and which holds (empty: only the record's
/// chained legal-hold flag, whose hold no longer matches it).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct KeptRecord {
    pub record: DueRecord,
    pub holds: Vec<KeptBy>,
}

/// What one expiry run would remove.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpiryPlan {
    pub cutoff_ms: i64,
    pub due: Vec<DueRecord>,
    /// Past keep_until but kept by a hold.
    pub held: u64,
    /// Those records and the holds keeping them (trial 18b D6: "4 kept by holds" named none).
    #[serde(default)]
    pub kept: Vec<KeptRecord>,
    /// Messages and quarantined rows in the archive.
    pub total: u64,
    pub max_share: f64,
    /// Hex SHA-256 over the cutoff and the seqs due: what an approval signs.
    pub digest: String,
}

impl ExpiryPlan {
    pub fn share(&self) -> f64 {
        if self.total == 0 {
            0.0
        } else {
            self.due.len() as f64 / self.total as f64
        }
    }

    pub fn needs_approval(&self) -> bool {
        self.share() > self.max_share
    }
}

/// A second person's consent to one plan: `wcp archive expire-approve` makes it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Approval {
    pub approver: String,
    pub cutoff_ms: i64,
    pub digest: String,
    pub signature: String,
}

fn approval_message(archive_key: &str, cutoff_ms: i64, digest: &str) -> Vec<u8> {
    let mut m = b"wcp-archive-expiry-approval/v1".to_vec();
    m.extend_from_slice(archive_key.as_bytes());
    m.extend_from_slice(&cutoff_ms.to_be_bytes());
    m.extend_from_slice(digest.as_bytes());
    m
}

impl Approval {
    /// The token a second approver hands over (base64 of the JSON).
    pub fn to_token(&self) -> String {
        crate::approvals::encode_token(self)
    }

    pub fn from_token(token: &str) -> Result<Approval, ArchiveError> {
        crate::approvals::decode_token(token)
    }
}

#[derive(Debug, Clone, Default)]
pub struct ExpireRequest {
    /// Expire against this time instead of the machine's clock; never later than it.
    pub cutoff_ms: Option<i64>,
    pub dry_run: bool,
    pub approval: Option<Approval>,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ExpireReport {
    pub dry_run: bool,
    pub cutoff_ms: i64,
    /// The machine's clock when the run started.
    pub clock_ms: i64,
    /// What went (or would go, on a dry run).
    pub expired: Vec<DueRecord>,
    pub held: u64,
    /// The records past keep_until that holds kept, with the holds (`ExpiryPlan::kept`).
    #[serde(default)]
    pub kept: Vec<KeptRecord>,
    pub total: u64,
    pub max_share: f64,
    pub digest: String,
    pub approved_by: Option<String>,
    pub needs_approval: bool,
    /// How far the machine's clock is ahead of the newest signed checkpoint, when that is
    /// more than one person's run may be (`clock_rule.rs`): the run needs an approval.
    #[serde(default)]
    pub clock_ahead_ms: Option<i64>,
}

impl Archive {
    /// What expiry at `cutoff_ms` would remove (read-only; readers can ask too).
    pub fn expiry_plan(&self, cutoff_ms: i64) -> Result<ExpiryPlan, ArchiveError> {
        plan(&self.conn, cutoff_ms, self.expire_max_share()?)
    }

    /// Signs an approval of `plan` with the approver's own key (never the archive's).
    pub fn approve_expiry(
        &self,
        plan: &ExpiryPlan,
        approver: &str,
        key: &SigningKey,
    ) -> Result<Approval, ArchiveError> {
        let registered = self.approver_key(approver)?.ok_or_else(|| {
            ArchiveError::Invalid(format!(
                "{approver} is not a registered approver of this archive"
            ))
        })?;
        if registered != crate::keys::public_key_hex(&key.verifying_key()) {
            return Err(ArchiveError::Invalid(format!(
                "this key is not the one registered for {approver}"
            )));
        }
        let archive_key = self.published_key_hex()?;
        let sig = key.sign(&approval_message(
            &archive_key,
            plan.cutoff_ms,
            &plan.digest,
        ));
        Ok(Approval {
            approver: approver.to_string(),
            cutoff_ms: plan.cutoff_ms,
            digest: plan.digest.clone(),
            signature: hex::encode(sig.to_bytes()),
        })
    }

    /// The machine's clock against the newest signed checkpoint (`clock_rule.rs`): refused
    /// when set back; how far ahead it is when more than one person's run may be.
    pub fn clock_ahead(&self, clock_ms: i64) -> Result<Option<i64>, ArchiveError> {
        use crate::clock_rule::{judge, newest_checkpoint_ms, span, ClockStanding};
        match judge(clock_ms, newest_checkpoint_ms(&self.conn)?) {
            ClockStanding::Fine => Ok(None),
            ClockStanding::Ahead { checkpoint_ms } => Ok(Some(clock_ms - checkpoint_ms)),
            ClockStanding::Behind { checkpoint_ms } => Err(ArchiveError::ClockBehind(format!(
                "this machine's clock ({}) is {} behind the archive's newest signed checkpoint ({}): \
                 the clock was set back, or the archive was written on a machine whose clock ran \
                 ahead; expiry takes the machine's clock, so nothing was changed: set the clock right \
                 (docs/ARCHIVE.md, the clock)",
                crate::time::rfc3339(clock_ms),
                span(checkpoint_ms - clock_ms),
                crate::time::rfc3339(checkpoint_ms)
            ))),
        }
    }

    fn published_key_hex(&self) -> Result<String, ArchiveError> {
        Ok(self
            .public_key()?
            .map(|k| crate::keys::public_key_hex(&k))
            .unwrap_or_default())
    }

    /// Runs (or, with `dry_run`, only plans) an expiry; see the module doc for the rules.
    pub fn expire(
        &mut self,
        req: &ExpireRequest,
        actor: &str,
    ) -> Result<ExpireReport, ArchiveError> {
        crate::audit::check_actor(actor)?;
        let clock_ms = now_ms();
        let cutoff_ms = req.cutoff_ms.unwrap_or(clock_ms);
        if cutoff_ms > clock_ms {
            return Err(ArchiveError::Invalid(format!(
                "--now {} is later than this machine's clock ({}): expiry never runs ahead of time",
                crate::time::rfc3339(cutoff_ms),
                crate::time::rfc3339(clock_ms)
            )));
        }
        let clock_ahead = self.clock_ahead(clock_ms)?;
        let v = self.verify()?;
        if !v.ok {
            let first = v.problems.first().map(|p| p.words()).unwrap_or_default();
            // The sentence's own full stop, not a second one before "Run …" (trial 12a D17).
            return Err(ArchiveError::NotVerified(
                first.trim_end_matches('.').to_string(),
            ));
        }
        let plan = self.expiry_plan(cutoff_ms)?;
        let needs_approval = plan.needs_approval() || clock_ahead.is_some();
        let approved_by = match (&req.approval, needs_approval) {
            (Some(a), _) => Some(self.check_approval(a, &plan, actor)?),
            (None, true) if !req.dry_run => {
                let why = match clock_ahead {
                    Some(lead) => format!(
                        "this machine's clock is {} ahead of the archive's newest signed checkpoint, more than the {} one person's run may be (docs/ARCHIVE.md, the clock)",
                        crate::clock_rule::span(lead),
                        crate::clock_rule::span(crate::clock_rule::MAX_CLOCK_LEAD_MS)
                    ),
                    None => format!(
                        "this run would remove {} of {} messages ({:.1} %), more than the {:.1} % one person may remove",
                        plan.due.len(), plan.total, plan.share() * 100.0, plan.max_share * 100.0
                    ),
                };
                return Err(ArchiveError::NeedsApproval(format!(
                    "{why}: a registered approver must sign plan {} (wcp archive expire-approve), then pass --approval TOKEN",
                    plan.digest
                )));
            }
            (None, _) => None,
        };
        let mut report = ExpireReport {
            dry_run: req.dry_run,
            cutoff_ms,
            clock_ms,
            expired: plan.due.clone(),
            held: plan.held,
            kept: plan.kept.clone(),
            total: plan.total,
            max_share: plan.max_share,
            digest: plan.digest.clone(),
            approved_by,
            needs_approval,
            clock_ahead_ms: clock_ahead,
        };
        if req.dry_run {
            return Ok(report);
        }
        let body = serde_json::json!({
            "actor": actor, "cutoff_ms": cutoff_ms, "clock_ms": clock_ms, "digest": plan.digest,
            "expired": plan.due.iter().map(|d| &d.msgid).collect::<Vec<_>>(),
            "held": plan.held, "total": plan.total, "max_share": plan.max_share,
            "approval": req.approval,
            "clock_ahead_ms": clock_ahead,
        });
        self.write(|conn, chain, key| {
            // secure_delete is on for writers (archive.rs), FTS5 secure-delete (schema.rs).
            for d in &plan.due {
                // A disposition record: where and when the message was and the rules that
                // applied, read before its body goes (disposal.rs); never its content.
                let placement = Placement::of_record(conn, d.seq)?;
                remove_record(conn, chain, key, d.seq, &d.msgid, kind::TOMBSTONE, |r| {
                    Tombstone {
                        target_seq: r.target_seq,
                        msgid: r.msgid.clone(),
                        digest: r.digest.clone(),
                        keep_until_ms: d.keep_until_ms,
                        expired_at_ms: cutoff_ms,
                        actor: actor.to_string(),
                        placement: Some(placement),
                    }
                })?;
            }
            chain.append(conn, key, kind::EXPIRY, "", &serde_json::to_vec(&body)?)?;
            crate::audit::append(conn, chain, key, actor, "expire", body.clone())?;
            Ok(())
        })?;
        self.scrub()?;
        report.dry_run = false;
        Ok(report)
    }

    fn check_approval(
        &self,
        a: &Approval,
        plan: &ExpiryPlan,
        actor: &str,
    ) -> Result<String, ArchiveError> {
        if a.approver == actor {
            return Err(ArchiveError::NeedsApproval(format!(
                "{actor} cannot approve their own expiry: a second person must"
            )));
        }
        if a.cutoff_ms != plan.cutoff_ms || a.digest != plan.digest {
            return Err(ArchiveError::NeedsApproval(format!(
                "the approval is for plan {} at {}, this run is plan {} at {}: run with --now {} or get a new approval",
                a.digest, crate::time::rfc3339(a.cutoff_ms), plan.digest, crate::time::rfc3339(plan.cutoff_ms), crate::time::rfc3339(a.cutoff_ms)
            )));
        }
        let key = self.approver_key(&a.approver)?.ok_or_else(|| {
            ArchiveError::NeedsApproval(format!("{} is not a registered approver", a.approver))
        })?;
        if approval_holds(a, &key, &self.published_key_hex()?) {
            Ok(a.approver.clone())
        } else {
            Err(ArchiveError::NeedsApproval(format!(
                "the approval's signature is not {}'s",
                a.approver
            )))
        }
    }

    /// After a removal: a checkpoint that leaves no old frame in the WAL file.
    pub(crate) fn scrub(&mut self) -> Result<(), ArchiveError> {
        // TRUNCATE: copies every frame into the file and empties the WAL; busy readers may
        // hold it back, in which case the next scrub finishes the job.
        self.conn
            .query_row("PRAGMA wal_checkpoint(TRUNCATE)", [], |_| Ok(()))?;
        Ok(())
    }
}

/// Empties one record's body (secure delete), removes its projections and chains the
/// removal record `kind_` whose body `body` builds from the [`Removal`].
pub(crate) fn remove_record<B: Serialize>(
    conn: &Connection,
    chain: &mut crate::chain::Chain,
    key: &SigningKey,
    seq: i64,
    msgid: &str,
    kind_: &str,
    body: impl FnOnce(&Removal) -> B,
) -> Result<i64, ArchiveError> {
    let digest: Vec<u8> =
        conn.query_row("SELECT digest FROM records WHERE seq = ?1", [seq], |r| {
            r.get(0)
        })?;
    let removal = Removal {
        target_seq: seq,
        msgid: msgid.to_string(),
        digest: hex::encode(digest),
    };
    crate::project::remove(conn, seq)?;
    conn.execute("UPDATE records SET body = NULL WHERE seq = ?1", [seq])?;
    chain.append(
        conn,
        key,
        kind_,
        msgid,
        &serde_json::to_vec(&body(&removal))?,
    )
}

fn plan(conn: &Connection, cutoff_ms: i64, max_share: f64) -> Result<ExpiryPlan, ArchiveError> {
    let holds = list_holds(conn, false)?;
    let mut held_seqs: Vec<HashSet<i64>> = Vec::new();
    for h in &holds {
        held_seqs.push(
            query::matching_seqs(conn, &h.scope.query())?
                .into_iter()
                .collect(),
        );
    }
    let mut due = Vec::new();
    let mut kept = Vec::new();
    for (d, flagged, keeping) in candidates(conn, cutoff_ms, &holds)? {
        let by: Vec<KeptBy> = holds
            .iter()
            .enumerate()
            .filter(|(i, _)| keeping.contains(i) || held_seqs[*i].contains(&d.seq))
            .map(|(_, h)| KeptBy {
                hold: h.id,
                case_id: h.case_id.clone(),
            })
            .collect();
        if flagged || !by.is_empty() {
            kept.push(KeptRecord {
                record: d,
                holds: by,
            });
        } else {
            due.push(d);
        }
    }
    let held = kept.len() as u64;
    let total: i64 = conn.query_row(
        "SELECT (SELECT COUNT(*) FROM messages) + (SELECT COUNT(*) FROM quarantine)",
        [],
        |r| r.get(0),
    )?;
    let digest = plan_digest(cutoff_ms, &due.iter().map(|d| d.seq).collect::<Vec<_>>());
    Ok(ExpiryPlan {
        cutoff_ms,
        due,
        held,
        kept,
        total: total as u64,
        max_share,
        digest,
    })
}

/// Hex SHA-256 over the cutoff and the seqs due: what an approval signs (`verify` recomputes
/// it from the tombstones of the run).
pub(crate) fn plan_digest(cutoff_ms: i64, seqs: &[i64]) -> String {
    let mut h = Sha256::new();
    h.update(cutoff_ms.to_be_bytes());
    for s in seqs {
        h.update(s.to_be_bytes());
    }
    hex::encode(h.finalize())
}

/// True when `a` is signed by `approver_key` (hex) for the archive whose published key was
/// `archive_key` (hex).
pub(crate) fn approval_holds(a: &Approval, approver_key: &str, archive_key: &str) -> bool {
    let Ok(key) = crate::keys::parse_public_key(approver_key) else {
        return false;
    };
    let sig = hex::decode(&a.signature)
        .ok()
        .and_then(|b| Signature::from_slice(&b).ok());
    let m = approval_message(archive_key, a.cutoff_ms, &a.digest);
    sig.is_some_and(|s| key.verify_strict(&m, &s).is_ok())
}

/// Rows past keep_until with their legal-hold flag and, for quarantined rows, the indexes
/// of the holds (in `holds`) that keep them.
fn candidates(
    conn: &Connection,
    cutoff_ms: i64,
    holds: &[Hold],
) -> Result<Vec<(DueRecord, bool, Vec<usize>)>, ArchiveError> {
    // Searchable messages: the flag carries every hold (set when a hold is placed).
    let mut out: Vec<(DueRecord, bool, Vec<usize>)> =
        due_rows(conn, DUE_MESSAGES, cutoff_ms, false)?
            .into_iter()
            .map(|(d, flag, _)| (d, flag, Vec::new()))
            .collect();
    // Quarantined rows are not searchable: custodian and conversation holds apply, and any
    // query hold keeps them all (conservatively: the query might have matched them).
    for (d, flag, parts) in due_rows(conn, DUE_QUARANTINE, cutoff_ms, true)? {
        let keeping: Vec<usize> = holds
            .iter()
            .enumerate()
            .filter(|(_, h)| {
                h.scope
                    .keeps_quarantined(&d.msgid, &d.conversation_id, &parts)
            })
            .map(|(i, _)| i)
            .collect();
        let held = flag || !keeping.is_empty();
        out.push((d, held, keeping));
    }
    out.sort_by_key(|(d, _, _)| d.seq);
    Ok(out)
}

const DUE_MESSAGES: &str = "SELECT seq, msgid, conversation_id, time_ms, keep_until_ms, legal_hold, participants FROM messages WHERE keep_until_ms < ?1 ORDER BY seq";
const DUE_QUARANTINE: &str = "SELECT seq, msgid, conversation_id, time_ms, keep_until_ms, legal_hold, participants FROM quarantine WHERE keep_until_ms < ?1 ORDER BY seq";

/// One table's rows past keep_until: the record, its hold flag and its participants
/// (`|a|b|`). `sql` is one of the two constants above.
fn due_rows(
    conn: &Connection,
    sql: &str,
    cutoff_ms: i64,
    quarantined: bool,
) -> Result<Vec<(DueRecord, bool, String)>, ArchiveError> {
    let mut stmt = conn.prepare(sql)?;
    let mut rows = stmt.query([cutoff_ms])?;
    let mut out = Vec::new();
    while let Some(r) = rows.next()? {
        let d = DueRecord {
            seq: r.get(0)?,
            msgid: r.get(1)?,
            conversation_id: r.get(2)?,
            time_ms: r.get(3)?,
            keep_until_ms: r.get(4)?,
            quarantined,
        };
        out.push((d, r.get(5)?, r.get(6)?));
    }
    Ok(out)
}
