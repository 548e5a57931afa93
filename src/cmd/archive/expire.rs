//! `wcp archive expire` and `expire-approve`: the machine's clock (an earlier `--now` for
//! tests, never a later one), `--dry-run`, the list of what went, and the two-person rule
//! above the archive's `expire_max_share`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use wcp_archive::{keys, Approval, ExpireReport, ExpireRequest};

use super::{open_reader, open_writer, parse_time, ActorArgs, ReaderArgs, WriterArgs};

pub const EXAMPLES: &str = "Examples:
  wcp archive expire --db out/archive-cn.db --actor retention-job --dry-run
  wcp archive expire --db out/archive-cn.db --actor retention-job
  wcp archive expire --db out/archive-cn.db --actor ops --now 2026-01-01T00:00:00Z --approval eyJhcHByb3Zl…";

pub const APPROVE_EXAMPLES: &str = "Example (the second person, with their own key, registered by `wcp archive configure --add-approver`):
  wcp archive expire-approve --db out/archive-cn.db --actor bob --approver-key bob.key --now 2026-01-01T00:00:00Z";

#[derive(Args)]
pub struct ExpireArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// Expire as of this earlier time (a date or RFC 3339); default and latest: now.
    #[arg(long)]
    pub now: Option<String>,
    /// List what would go, change nothing (needs no key).
    #[arg(long)]
    pub dry_run: bool,
    /// A second approver's token (from `wcp archive expire-approve`), needed above the
    /// archive's expire_max_share; without --now the run uses the token's cutoff.
    #[arg(long)]
    pub approval: Option<String>,
    /// Also list each record past its keep-until date that a hold keeps, with the hold's
    /// id and case (`--json` always has them, under "kept").
    #[arg(long)]
    pub list_kept: bool,
    /// The pipeline policy whose `utc_offset_minutes` gives the zone times are printed in
    /// (default: built in, UTC+08:00), as `wcp archive search` and the console show them.
    #[arg(long)]
    pub policy: Option<std::path::PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ApproveArgs {
    #[command(flatten)]
    pub reader: ReaderArgs,
    #[command(flatten)]
    pub actor: ActorArgs,
    /// Your own Ed25519 key (from `wcp archive keygen`), registered as an approver.
    #[arg(long)]
    pub approver_key: PathBuf,
    /// The cutoff of the plan you approve (default: now).
    #[arg(long)]
    pub now: Option<String>,
    /// Also list every record the plan removes (the summary per conversation is always shown).
    #[arg(long)]
    pub list: bool,
    /// The pipeline policy whose `utc_offset_minutes` gives the zone times are printed in
    /// (default: built in, UTC+08:00).
    #[arg(long)]
    pub policy: Option<std::path::PathBuf>,
}

fn cutoff(now: &Option<String>) -> anyhow::Result<Option<i64>> {
    now.as_deref()
        .map(|t| parse_time(t, 0))
        .transpose()
        .context("--now")
}

pub fn run(a: ExpireArgs) -> anyhow::Result<ExitCode> {
    let approval = a
        .approval
        .as_deref()
        .map(Approval::from_token)
        .transpose()?;
    // A token is for one plan at one cutoff: without --now, the run takes the token's
    // (trial 18d D13: the officer had to repeat the approver's --now exactly).
    let req = ExpireRequest {
        cutoff_ms: cutoff(&a.now)?.or(approval.as_ref().map(|t| t.cutoff_ms)),
        dry_run: a.dry_run,
        approval,
    };
    let actor = a.writer.actor.actor()?;
    let mut archive = if a.dry_run {
        open_reader(&ReaderArgs {
            db: super::DbArgs {
                db: a.writer.db.db.clone(),
                encryption_key_file: a.writer.db.encryption_key_file.clone(),
            },
            public_key: None,
        })?
    } else {
        open_writer(&a.writer)?
    };
    let report = archive.expire(&req, &actor)?;
    if a.json {
        println!("{}", serde_json::to_string(&report)?);
    } else {
        print(
            &report,
            a.list_kept,
            super::search::utc_offset(a.policy.as_ref())?,
            &a.writer.db.db,
        );
    }
    Ok(ExitCode::SUCCESS)
}

/// One kept record: what it is and the holds (id, case) keeping it.
fn kept_line(k: &wcp_archive::KeptRecord, zone: i32) -> String {
    let d = &k.record;
    let by = if k.holds.is_empty() {
        "its legal-hold flag (no current hold matches it)".to_string()
    } else {
        k.holds
            .iter()
            .map(|h| format!("hold {} (case {})", h.hold, h.case_id))
            .collect::<Vec<_>>()
            .join(", ")
    };
    format!("kept record {}  by {by}", columns(d, zone))
}

/// A record's columns: seq, msgid, time, keep-until (in the policy zone, with the offset:
/// trial 18c D6), conversation.
fn columns(d: &wcp_archive::DueRecord, zone: i32) -> String {
    format!(
        "{:>7}  {:<24}  {}  kept until {}  {}",
        d.seq,
        d.msgid,
        wcp_archive::dates::local(d.time_ms, zone),
        wcp_archive::dates::local(d.keep_until_ms, zone),
        d.conversation_id,
    )
}

fn print(r: &ExpireReport, list_kept: bool, zone: i32, db: &std::path::Path) {
    let verb = if r.dry_run { "would expire" } else { "expired" };
    for d in &r.expired {
        println!(
            "{verb} record {}{}",
            columns(d, zone),
            if d.quarantined { "  (quarantined)" } else { "" }
        );
    }
    let share = if r.total == 0 {
        0.0
    } else {
        r.expired.len() as f64 * 100.0 / r.total as f64
    };
    if list_kept {
        for k in &r.kept {
            println!("{}", kept_line(k, zone));
        }
    }
    println!(
        "{verb} {} of {} messages ({share:.1} %) as of {}; {} kept by holds; plan {}",
        r.expired.len(),
        r.total,
        wcp_archive::dates::local(r.cutoff_ms, zone),
        r.held,
        r.digest
    );
    // Which records the holds kept is one flag away (trial 18b D6).
    if r.held > 0 && !list_kept {
        println!(
            "{} records past their keep-until date are kept by holds: --list-kept lists each with its hold and case",
            r.held
        );
    }
    if r.dry_run && r.needs_approval {
        // The share, or (below) the clock, is why.
        let why = if share > r.max_share * 100.0 {
            format!("more than {:.1} % of the archive", r.max_share * 100.0)
        } else {
            "the machine's clock is far ahead (below)".to_string()
        };
        println!(
            "{why}: a registered approver must run `wcp archive expire-approve --db {} --actor THEIR-NAME --approver-key THEIR.key --now {}`, check the plan it shows and hand you the token for --approval",
            db.display(),
            wcp_archive::time::rfc3339(r.cutoff_ms)
        );
    }
    if let Some(lead) = r.clock_ahead_ms {
        println!(
            "this machine's clock is {} ahead of the archive's newest signed checkpoint: nothing vouches for it, so a registered approver must sign this run whatever its share (docs/ARCHIVE.md, the clock)",
            wcp_archive::clock_rule::span(lead)
        );
    }
    if let Some(by) = &r.approved_by {
        println!("approved by {by}");
    }
}

pub fn approve(a: ApproveArgs) -> anyhow::Result<ExitCode> {
    let actor = a.actor.actor()?;
    let zone = super::search::utc_offset(a.policy.as_ref())?;
    let mut archive = open_reader(&a.reader)?;
    let key = keys::load_signing_key(&a.approver_key)
        .with_context(|| format!("reading {}", a.approver_key.display()))?;
    let clock = wcp_archive::chain::now_ms();
    let at = cutoff(&a.now)?.unwrap_or(clock);
    // A clock set back is refused here too; one far ahead is shown to the approver.
    let lead = archive.clock_ahead(clock)?;
    let plan = archive.expiry_plan(at)?;
    // Signed before anything is printed: an unregistered approver sees only the refusal
    // (trial 18d D13), a registered one sees what they signed (ibid.: "done blind").
    let approval = archive.approve_expiry(&plan, &actor, &key)?;
    // Who approved which plan is in the audit trail from now on, not only once the expiry
    // runs (trial 12a D19).
    archive.record_access(
        &actor,
        "expire_approve",
        serde_json::json!({
            "plan": plan.digest, "cutoff_ms": plan.cutoff_ms, "messages": plan.due.len(),
            "total": plan.total, "clock_ahead_ms": lead,
        }),
    )?;
    print_plan(&plan, a.list, zone);
    if let Some(lead) = lead {
        println!(
            "WARNING: this machine's clock is {} ahead of the archive's newest signed checkpoint: check the date above before you sign",
            wcp_archive::clock_rule::span(lead)
        );
    }
    println!("approval token (give it to whoever runs `wcp archive expire --approval`; it is good only for this plan):");
    println!("{}", approval.to_token());
    Ok(ExitCode::SUCCESS)
}

/// What an approver signs, in words: the totals, each conversation's share with its time
/// range, the holds that keep records, and (with `--list`) every record.
fn print_plan(plan: &wcp_archive::ExpiryPlan, list: bool, zone: i32) {
    println!(
        "plan {}: removes {} of {} messages ({:.1} %) whose keep-until date is before {}; {} more past it are kept by holds",
        plan.digest,
        plan.due.len(),
        plan.total,
        plan.share() * 100.0,
        wcp_archive::dates::local(plan.cutoff_ms, zone),
        plan.held
    );
    for c in conversations(&plan.due) {
        println!(
            "  {:>6} message{} of {} ({} to {}){}",
            c.count,
            if c.count == 1 { "" } else { "s" },
            c.conversation_id,
            wcp_archive::dates::local(c.first_ms, zone),
            wcp_archive::dates::local(c.last_ms, zone),
            if c.quarantined > 0 {
                format!(", {} quarantined", c.quarantined)
            } else {
                String::new()
            }
        );
    }
    if list {
        for d in &plan.due {
            println!(
                "would expire record {}{}",
                columns(d, zone),
                if d.quarantined { "  (quarantined)" } else { "" }
            );
        }
    } else if !plan.due.is_empty() {
        println!("  (--list names every record)");
    }
}

/// One conversation's part of a plan.
#[derive(Debug, PartialEq)]
struct ConversationShare {
    conversation_id: String,
    count: usize,
    quarantined: usize,
    first_ms: i64,
    last_ms: i64,
}

/// The plan's records grouped by conversation, largest share first (ties by id).
fn conversations(due: &[wcp_archive::DueRecord]) -> Vec<ConversationShare> {
    let mut by: std::collections::BTreeMap<&str, ConversationShare> = Default::default();
    for d in due {
        let c = by
            .entry(d.conversation_id.as_str())
            .or_insert_with(|| ConversationShare {
                conversation_id: d.conversation_id.clone(),
                count: 0,
                quarantined: 0,
                first_ms: d.time_ms,
                last_ms: d.time_ms,
            });
        c.count += 1;
        c.quarantined += usize::from(d.quarantined);
        c.first_ms = c.first_ms.min(d.time_ms);
        c.last_ms = c.last_ms.max(d.time_ms);
    }
    let mut v: Vec<ConversationShare> = by.into_values().collect();
    v.sort_by(|a, b| {
        b.count
            .cmp(&a.count)
            .then_with(|| a.conversation_id.cmp(&b.conversation_id))
    });
    v
}

#[cfg(test)]
mod tests {
    use super::*;

    fn due(seq: i64, conv: &str, t: i64, quarantined: bool) -> wcp_archive::DueRecord {
        wcp_archive::DueRecord {
            seq,
            msgid: format!("m{seq}"),
            conversation_id: conv.into(),
            time_ms: t,
            keep_until_ms: t,
            quarantined,
        }
    }

    #[test]
    fn a_plan_is_summed_per_conversation_largest_first() {
        let got = conversations(&[
            due(1, "b", 30, false),
            due(2, "a", 20, true),
            due(3, "b", 10, false),
            due(4, "c", 5, false),
            due(5, "a", 40, false),
            due(6, "b", 50, false),
        ]);
        let want = [("b", 3, 0, 10, 50), ("a", 2, 1, 20, 40), ("c", 1, 0, 5, 5)];
        assert_eq!(got.len(), want.len());
        for (g, (id, n, q, first, last)) in got.iter().zip(want) {
            assert_eq!(
                (
                    g.conversation_id.as_str(),
                    g.count,
                    g.quarantined,
                    g.first_ms,
                    g.last_ms
                ),
                (id, n, q, first, last)
            );
        }
        assert!(conversations(&[]).is_empty());
    }
}
