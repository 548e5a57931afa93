//! `wcp archive quarantine list|release|purge`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::{Args, Subcommand};
use wcp_archive::seal::DpoKey;

use super::{open_reader, open_writer, parse_time, ReaderArgs, WriterArgs};

#[derive(Subcommand)]
pub enum QuarantineCommand {
    /// List quarantined messages (no content: it is sealed or was never kept).
    #[command(after_help = "Example:\n  wcp archive quarantine list --db out/archive-cn.db")]
    List(ListArgs),
    /// Release one message after consent arrived: opened with the DPO's private key,
    /// archived in clear (a chained record with actor and reason).
    #[command(
        after_help = "Example:\n  wcp archive quarantine release --db out/archive-cn.db --actor dpo --dpo-key dpo.key --msgid m42 --reason 'consent given 2026-12-01'"
    )]
    Release(ReleaseArgs),
    /// Delete quarantined content after the deadline (held content is kept).
    #[command(
        after_help = "Example:\n  wcp archive quarantine purge --db out/archive-cn.db --actor dpo --before 2026-11-01 --reason 'no consent within 30 days'"
    )]
    Purge(PurgeArgs),
}

#[derive(Args)]
pub struct ListArgs {
    #[command(flatten)]
    pub reader: ReaderArgs,
    /// The pipeline policy whose `utc_offset_minutes` gives the zone times are printed in
    /// (default: built in, UTC+08:00), as `wcp archive search` and the console show them.
    #[arg(long)]
    pub policy: Option<std::path::PathBuf>,
    #[arg(long)]
    pub json: bool,
}

#[derive(Args)]
pub struct ReleaseArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// The DPO's quarantine private key (from `wcp archive keygen --quarantine`).
    #[arg(long)]
    pub dpo_key: PathBuf,
    #[arg(long)]
    pub msgid: String,
    #[arg(long)]
    pub reason: String,
}

#[derive(Args)]
pub struct PurgeArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// Purge content of messages sent before this time (a date or RFC 3339).
    #[arg(long)]
    pub before: Option<String>,
    /// Or one message.
    #[arg(long)]
    pub msgid: Option<String>,
    #[arg(long)]
    pub reason: String,
}

pub fn run(q: QuarantineCommand) -> anyhow::Result<ExitCode> {
    match q {
        QuarantineCommand::List(a) => {
            let archive = open_reader(&a.reader)?;
            let zone = super::search::utc_offset(a.policy.as_ref())?;
            for r in archive.quarantined()? {
                if a.json {
                    println!("{}", serde_json::to_string(&r)?);
                } else {
                    println!(
                        "{:<24}  {}  {:<24}  {:<6}  {}",
                        r.msgid,
                        wcp_archive::dates::local(r.time_ms, zone),
                        r.conversation_id,
                        if r.sealed { "sealed" } else { "none" },
                        r.reason
                    );
                }
            }
        }
        QuarantineCommand::Release(a) => {
            let dpo = DpoKey::load(&a.dpo_key)
                .with_context(|| format!("reading {}", a.dpo_key.display()))?;
            let mut archive = open_writer(&a.writer)?;
            let seq =
                archive.release_quarantined(&a.msgid, &dpo, &a.writer.actor.actor()?, &a.reason)?;
            println!("{} released in clear (record {seq})", a.msgid);
        }
        QuarantineCommand::Purge(a) => {
            let before = a.before.as_deref().map(|t| parse_time(t, 0)).transpose()?;
            let mut archive = open_writer(&a.writer)?;
            let ids = archive.purge_quarantined(
                a.msgid.as_deref(),
                before,
                &a.writer.actor.actor()?,
                &a.reason,
            )?;
            for id in &ids {
                println!("purged {id}");
            }
            println!("{} quarantined messages purged", ids.len());
        }
    }
    Ok(ExitCode::SUCCESS)
}
