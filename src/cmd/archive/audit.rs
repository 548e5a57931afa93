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
    let d = &e.detail;
    let ids = d.get("msgids").and_then(|v| v.as_array()).map(|v| v.len());
    let query = d.get("query").map(|q| q.to_string()).unwrap_or_default();
    println!(
        "{:>7}  {}  {:<14}  {:<18}  {}{}",
        at,
        wcp_archive::time::rfc3339(e.at_ms),
        e.actor,
        e.action,
        query,
        ids.map(|n| format!("  ({n} messages)")).unwrap_or_default()
    );
}
