//! `wcp archive export`: RSMF 2.0 or EML, selected from the records themselves.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::{Args, ValueEnum};
use wcp_archive::EmlGrouping;

use super::search::{query, utc_offset, FilterArgs};
use super::{open_reader, ActorArgs, ReaderArgs};

pub const EXAMPLES: &str = "Examples:
  wcp archive export --db out/archive-cn.db --actor alice --format rsmf --out export/ --conversation wrROOM1
  wcp archive export --db out/archive-cn.db --actor alice --format eml --per thread --out export/ --risk complaint
  wcp archive export --db out/archive-cn.db --actor alice --format rsmf --out export/ --case-id CASE-2024-017";

#[derive(Clone, Copy, ValueEnum)]
pub enum Format {
    Rsmf,
    Eml,
}

#[derive(Clone, Copy, ValueEnum)]
pub enum Per {
    Message,
    Thread,
}

#[derive(Args)]
pub struct ExportArgs {
    #[command(flatten)]
    pub reader: ReaderArgs,
    #[command(flatten)]
    pub actor: ActorArgs,
    #[arg(long, value_enum)]
    pub format: Format,
    /// EML only: one file per message or per conversation.
    #[arg(long, value_enum, default_value = "message")]
    pub per: Per,
    #[arg(long)]
    pub out: PathBuf,
    #[command(flatten)]
    pub filter: FilterArgs,
    /// The pipeline policy whose `utc_offset_minutes` reads dates in --from/--to and writes
    /// the exported times and days (default: the built-in policy's, UTC+08:00).
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// The capture's media store (its `media_dir`, holding `<region>/sha256/…`): the media
    /// files of the exported messages found there go into the export. Without it each media
    /// message says "not in this export: media store not available".
    #[arg(long)]
    pub media_dir: Option<PathBuf>,
    /// Export what the legal holds of this case cover (each message once, released holds
    /// too); every file names the case and its holds. Not with search filters.
    #[arg(long)]
    pub case_id: Option<String>,
    /// Where to record this export when the archive is read-only.
    #[arg(long)]
    pub access_log: Option<PathBuf>,
}

pub fn run(a: ExportArgs) -> anyhow::Result<ExitCode> {
    // Said before the archive records an export that cannot happen (trial 17a D17: "i/o:
    // File exists (os error 17)", no path, no fix).
    if a.out.exists() && !a.out.is_dir() {
        anyhow::bail!(
            "--out {p}: exists and is not a folder; --out names the folder the export's files \
             go into: choose a new or empty folder (e.g. --out {p}.d)",
            p = a.out.display()
        );
    }
    let zone = utc_offset(a.policy.as_ref())?;
    let q = query(&a.filter, zone)?;
    let actor = a.actor.actor()?;
    let mut archive = open_reader(&a.reader)?;
    if let Some(log) = &a.access_log {
        archive.set_access_log(log.clone());
    }
    let case = match &a.case_id {
        Some(c) => Some(archive.export_case(c, zone)?),
        None => None,
    };
    let opts = wcp_archive::ExportOptions {
        zone,
        media_dir: a.media_dir.clone(),
        case,
    };
    let report = match a.format {
        Format::Rsmf => archive.export_rsmf_with(&q, &actor, &a.out, &opts)?,
        Format::Eml => {
            let per = match a.per {
                Per::Message => EmlGrouping::Message,
                Per::Thread => EmlGrouping::Thread,
            };
            archive.export_eml_with(&q, &actor, &a.out, per, &opts)?
        }
    };
    let n = report.files.len();
    println!(
        "exported {} in {n} {} to {}",
        report.counts.words(),
        if n == 1 { "file" } else { "files" },
        a.out.display()
    );
    if report.unplaced > 0 {
        println!("{}", unplaced_words(report.unplaced));
    }
    // Export reads the records (the evidence); one whose body no longer matches what the
    // chain sealed is exported as it reads now, said, and exit 1 (README: findings), so a
    // production of altered records is never taken for a clean one (trial 12a D16).
    if !report.altered.is_empty() {
        eprintln!("{}", altered_words(&report.altered));
        return Ok(ExitCode::from(1));
    }
    Ok(ExitCode::SUCCESS)
}

/// The warning of an export holding records altered after archiving.
fn altered_words(altered: &[String]) -> String {
    const SHOWN: usize = 20;
    let more = altered.len().saturating_sub(SHOWN);
    let list = altered[..altered.len().min(SHOWN)].join(", ");
    let more = if more > 0 {
        format!(" and {more} more")
    } else {
        String::new()
    };
    format!(
        "WARNING: {} exported record(s) were altered after archiving: {list}{more}: they are \
         in the export as they read now, not as the chain sealed them; do not produce this \
         export, run `wcp archive verify` (docs/ARCHIVE.md)",
        altered.len()
    )
}

/// Tombstones older than the placement fields: said, never silently left out.
fn unplaced_words(n: u64) -> String {
    format!(
        "note: {n} message(s) of this archive were disposed of before this version recorded their conversation: no export can place them (wcp archive audit --action expire lists each run's msgids)"
    )
}
