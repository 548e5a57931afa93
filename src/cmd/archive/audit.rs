//! `wcp archive audit`: the audit trail, filtered by actor and time.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wcp_archive::audit::AuditFilter;

use super::search::utc_offset;
use super::{open_reader, parse_time, ReaderArgs};

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
    /// From this time (a date or RFC 3339), inclusive.
    #[arg(long)]
    pub from: Option<String>,
    /// Up to this time, exclusive.
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
        to_ms: a.to.as_deref().map(|t| parse_time(t, offset)).transpose()?,
    };
    let records = archive.audit_records(&f)?;
    for r in &records {
        if a.json {
            println!("{}", serde_json::to_string(r)?);
            continue;
        }
        let d = &r.entry.detail;
        let ids = d.get("msgids").and_then(|v| v.as_array()).map(|v| v.len());
        let query = d.get("query").map(|q| q.to_string()).unwrap_or_default();
        println!(
            "{:>7}  {}  {:<14}  {:<18}  {}{}",
            r.seq,
            wcp_archive::time::rfc3339(r.entry.at_ms),
            r.entry.actor,
            r.entry.action,
            query,
            ids.map(|n| format!("  ({n} messages)")).unwrap_or_default()
        );
    }
    let (pending, _) = archive.access_log_pending()?;
    eprintln!(
        "{} records{}",
        records.len(),
        if pending > 0 {
            format!("; {pending} more in the access log, not yet chained")
        } else {
            String::new()
        }
    );
    Ok(ExitCode::SUCCESS)
}
