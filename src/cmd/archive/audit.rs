//! `wcp archive audit`: the audit trail, filtered by actor and time.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wcp_archive::audit::AuditFilter;

use super::search::utc_offset;
use super::{open_reader, parse_time, parse_to, ReaderArgs};

pub const EXAMPLES: &str = "Examples:
  wcp archive audit --db out/archive-cn.db
  wcp archive audit --db out/archive-cn.db --actor alice --from 2026-12-01 --to 2026-12-08 --json";

#[derive(Args)]
pub struct AuditArgs {
    #[command(flatten)]
    pub reader: ReaderArgs,
    /// Only what this actor did.
    #[arg(long)]
    pub actor: Option<String>,
    /// Only this action (search, export_rsmf, export_eml, hold_place, expire, …).
    #[arg(long)]
    pub action: Option<String>,
    /// From this day (a local date) or RFC 3339 time, inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// Up to and including this day (a local date), or up to an RFC 3339 time, exclusive.
    #[arg(long)]
    pub to: Option<String>,
    #[arg(long)]
    pub policy: Option<PathBuf>,
    #[arg(long)]
    pub json: bool,
}

pub fn run(a: AuditArgs) -> anyhow::Result<ExitCode> {
    let offset = utc_offset(a.policy.as_ref())?;
    let archive = open_reader(&a.reader)?;
    let f = AuditFilter {
        actor: a.actor.clone(),
        action: a.action.clone(),
        from_ms: a
            .from
            .as_deref()
            .map(|t| parse_time(t, offset))
            .transpose()?,
        to_ms: a.to.as_deref().map(|t| parse_to(t, offset)).transpose()?,
    };
    let records = archive.audit_records(&f)?;
    // Readers' accesses the writer has not chained yet: shown too, marked, so the newest
    // reads are never missing from what an auditor sees.
    let pending = archive.access_log_pending()?;
    let log = archive.pending_access(&f)?;
    for r in &records {
        if a.json {
            println!("{}", serde_json::to_string(r)?);
        } else {
            line(&r.seq.to_string(), &r.entry);
        }
    }
    for p in &log {
        if a.json {
            let mut v = serde_json::to_value(&p.entry)?;
            v["access_log_id"] = p.id.into();
            v["chained"] = false.into();
            v["continues"] = p.continues.into();
            println!("{v}");
        } else {
            line(&format!("log#{}", p.id), &p.entry);
        }
    }
    eprintln!(
        "{} chained records{}",
        records.len(),
        match (log.len(), pending.1) {
            (0, _) => String::new(),
            (n, true) => format!("; {n} from the access log (log#), not yet chained"),
            (n, false) => format!(
                "; {n} from the access log (log#), not yet chained — the log was EDITED or entries DELETED (verify says which)"
            ),
        }
    );
    Ok(ExitCode::SUCCESS)
}

fn line(at: &str, e: &wcp_archive::audit::AuditEntry) {
    println!(
        "{:>7}  {}  {:<14}  {:<18}  {}",
        at,
        wcp_archive::time::rfc3339(e.at_ms),
        e.actor,
        e.action,
        details(&e.action, &e.detail)
    );
}

/// The detail of an entry in a few words: a search's query and count, and what a hold,
/// setting change, expiry or approval did (trial 12a D19: the table view showed nothing for
/// them, only `--json` did).
fn details(action: &str, d: &serde_json::Value) -> String {
    let s = |k: &str| d.get(k).map(short).unwrap_or_default();
    match action {
        "configure" => {
            let mut parts = Vec::new();
            if let Some(v) = d.get("expire_max_share") {
                parts.push(format!("expire_max_share={v}"));
            }
            for a in d["add_approvers"].as_array().into_iter().flatten() {
                parts.push(format!("add approver {}", short(&a[0])));
            }
            for n in d["remove_approvers"].as_array().into_iter().flatten() {
                parts.push(format!("remove approver {}", short(n)));
            }
            if let Some(r) = d.get("rule") {
                parts.push(format!("[{}]", short(r)));
            }
            parts.join(", ")
        }
        "expire" => format!(
            "{} of {} messages as of {}; plan {}{}",
            d["expired"].as_array().map(Vec::len).unwrap_or(0),
            s("total"),
            d["cutoff_ms"]
                .as_i64()
                .map(wcp_archive::time::rfc3339)
                .unwrap_or_default(),
            s("digest"),
            match d["approval"]["approver"].as_str() {
                Some(by) => format!("; approved by {by}"),
                None => String::new(),
            }
        ),
        "expire_approve" => format!(
            "plan {}: {} of {} messages as of {}",
            s("plan"),
            s("messages"),
            s("total"),
            d["cutoff_ms"]
                .as_i64()
                .map(wcp_archive::time::rfc3339)
                .unwrap_or_default()
        ),
        "hold_place" => format!("hold {} (case {})", s("hold"), s("case_id")),
        "hold_release" => format!("hold {}: {}", s("hold"), s("reason")),
        "configure_approve" => format!("change {} {}", s("digest"), short(&d["change"])),
        _ if d.get("query").is_some() || d.get("msgids").is_some() => {
            let ids = d.get("msgids").and_then(|v| v.as_array()).map(|v| v.len());
            format!(
                "{}{}",
                d.get("query").map(|q| q.to_string()).unwrap_or_default(),
                ids.map(|n| format!("  ({n} message{})", if n == 1 { "" } else { "s" }))
                    .unwrap_or_default()
            )
        }
        _ => short(d),
    }
}

/// A JSON value without the quotes of a string.
fn short(v: &serde_json::Value) -> String {
    match v {
        serde_json::Value::String(s) => s.clone(),
        serde_json::Value::Null => String::new(),
        other => other.to_string(),
    }
}
