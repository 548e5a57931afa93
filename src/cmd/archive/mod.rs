//! `wcp archive …`: one module per subcommand group. Readers (verify, search, export, hold
//! list, audit) open the archive read-only with the public key alone; writers (hold place and
//! release, expire, rebuild, configure, rotate-key, quarantine release and purge) need the
//! region's signing key (`wcp_archive::regions` says where it comes from).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::{Args, Subcommand};
use wcp_archive::dates::{self, End};
use wcp_archive::{keys, regions, Archive, ArchiveOptions, KeySource};

mod admin;
mod anchors;
mod audit;
mod expire;
mod export;
mod hold;
mod quarantine;
mod rekey;
pub(crate) mod search;
mod verify;

#[derive(Args)]
pub struct ArchiveArgs {
    #[command(subcommand)]
    pub command: ArchiveCommand,
}

#[derive(Subcommand)]
pub enum ArchiveCommand {
    /// Check the chain, the signed checkpoints and every table derived from them; list every
    /// problem in plain words (exit 1), or exit 3 for a public key that is not this archive's.
    #[command(after_help = verify::EXAMPLES)]
    Verify(verify::VerifyArgs),
    /// Search messages (audited); a table by default, --json for JSON Lines.
    #[command(after_help = search::EXAMPLES)]
    Search(search::SearchArgs),
    /// Place, release or list legal holds.
    #[command(subcommand)]
    Hold(hold::HoldCommand),
    /// Delete content past keep_until and under no hold (tombstones; --dry-run lists).
    #[command(after_help = expire::EXAMPLES)]
    Expire(expire::ExpireArgs),
    /// Sign, as the second person, the expiry plan a dry run printed.
    #[command(after_help = expire::APPROVE_EXAMPLES)]
    ExpireApprove(expire::ApproveArgs),
    /// Export a search result as RSMF 2.0 or EML, read from the records themselves (audited).
    #[command(after_help = export::EXAMPLES)]
    Export(export::ExportArgs),
    /// Read the audit trail: who searched, exported, held, expired what, and when.
    #[command(after_help = audit::EXAMPLES)]
    Audit(audit::AuditArgs),
    /// List, release (after consent) or purge (after the deadline) quarantined content.
    #[command(subcommand)]
    Quarantine(quarantine::QuarantineCommand),
    /// Rebuild every search and control table from the chain (after verify named them).
    #[command(after_help = admin::REBUILD_EXAMPLES)]
    Rebuild(admin::RebuildArgs),
    /// Change archive settings: the expiry share one person may remove, the approvers.
    #[command(after_help = admin::CONFIGURE_EXAMPLES)]
    Configure(admin::ConfigureArgs),
    /// Sign, as a registered approver, a settings change that needs one (two-person rule).
    #[command(after_help = admin::CONFIGURE_APPROVE_EXAMPLES)]
    ConfigureApprove(admin::ConfigureApproveArgs),
    /// Hand signing over to a new key (a record signed by the old and the new key).
    #[command(after_help = admin::ROTATE_EXAMPLES)]
    RotateKey(admin::RotateArgs),
    /// Make a key pair: an approver's Ed25519 key, or the DPO's quarantine key.
    #[command(after_help = admin::KEYGEN_EXAMPLES)]
    Keygen(admin::KeygenArgs),
    /// Encrypt, re-key or decrypt an archive (and its access log) into a NEW file, verified;
    /// the original is never modified.
    #[command(after_help = rekey::EXAMPLES)]
    Rekey(rekey::RekeyArgs),
    /// Print the archive's Ed25519 public key (hex) for reviewers and auditors.
    #[command(
        after_help = "Example:\n  wcp archive pubkey --db out/archive-cn.db > auditor/cn.pub"
    )]
    Pubkey(DbArgs),
}

pub fn run(args: ArchiveArgs) -> anyhow::Result<ExitCode> {
    match args.command {
        ArchiveCommand::Verify(a) => verify::run(a),
        ArchiveCommand::Search(a) => search::run(a),
        ArchiveCommand::Hold(h) => hold::run(h),
        ArchiveCommand::Expire(a) => expire::run(a),
        ArchiveCommand::ExpireApprove(a) => expire::approve(a),
        ArchiveCommand::Export(a) => export::run(a),
        ArchiveCommand::Audit(a) => audit::run(a),
        ArchiveCommand::Quarantine(q) => quarantine::run(q),
        ArchiveCommand::Rebuild(a) => admin::rebuild(a),
        ArchiveCommand::Configure(a) => admin::configure(a),
        ArchiveCommand::ConfigureApprove(a) => admin::configure_approve(a),
        ArchiveCommand::RotateKey(a) => admin::rotate(a),
        ArchiveCommand::Keygen(a) => admin::keygen(a),
        ArchiveCommand::Rekey(a) => rekey::run(a),
        ArchiveCommand::Pubkey(a) => {
            let archive = open_reader(&ReaderArgs {
                db: a,
                public_key: None,
            })?;
            let key = archive
                .public_key()?
                .context("the archive has no published key yet")?;
            println!("{}", keys::public_key_hex(&key));
            Ok(ExitCode::SUCCESS)
        }
    }
}

#[derive(Args)]
pub struct DbArgs {
    /// The archive database (one per residency region).
    #[arg(long)]
    pub db: PathBuf,
    /// The archive's encryption key file (64 hex characters); default:
    /// $WCP_ARCHIVE_ENCRYPTION_KEY_FILE_<REGION>, else $WCP_ARCHIVE_ENCRYPTION_KEY_<REGION>,
    /// else none (a plain archive).
    #[arg(long)]
    pub encryption_key_file: Option<PathBuf>,
}

impl DbArgs {
    /// Makes `--encryption-key-file` the key of the archive (and its access log).
    pub fn use_encryption_key(&self) -> anyhow::Result<()> {
        if let Some(f) = &self.encryption_key_file {
            let key = wcp_archive::at_rest::DbKey::load(f)?;
            let source = format!("--encryption-key-file {}", f.display());
            wcp_archive::at_rest::set_key(
                &self.db,
                Some(wcp_archive::at_rest::Keyed { key, source }),
            );
        }
        Ok(())
    }
}

/// Readers need only the public key.
#[derive(Args)]
pub struct ReaderArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Your copy of the archive's public key (hex file); default: archive-<region>.pub beside
    /// the database, else the key the archive publishes.
    #[arg(long)]
    pub public_key: Option<PathBuf>,
}

/// Who acts: required for everything audited.
#[derive(Args)]
pub struct ActorArgs {
    /// Who is acting (recorded in the audit trail); default: $WCP_ACTOR. Required.
    #[arg(long)]
    pub actor: Option<String>,
}

impl ActorArgs {
    pub fn actor(&self) -> anyhow::Result<String> {
        match self.actor.clone().or_else(|| std::env::var("WCP_ACTOR").ok()) {
            Some(a) if !a.trim().is_empty() => Ok(a),
            _ => bail!("say who is acting: --actor NAME or $WCP_ACTOR (every access and change is audited under a name)"),
        }
    }
}

/// Writers need the region's signing key.
#[derive(Args)]
pub struct WriterArgs {
    #[command(flatten)]
    pub db: DbArgs,
    /// Signing key file (64 hex characters); default: $WCP_ARCHIVE_KEY_<REGION>, else
    /// archive-<region>.key beside the database.
    #[arg(long)]
    pub key: Option<PathBuf>,
    #[command(flatten)]
    pub actor: ActorArgs,
}

/// The pinned public key: `--public-key`, else `archive-<region>.pub` beside the database.
pub fn pinned_key(r: &ReaderArgs) -> anyhow::Result<Option<keys::VerifyingKey>> {
    let beside = r.db.db.with_extension("pub");
    let path = match &r.public_key {
        Some(p) => p.clone(),
        None if beside.exists() => beside,
        None => return Ok(None),
    };
    Ok(Some(
        keys::load_public_key(&path).with_context(|| format!("reading {}", path.display()))?,
    ))
}

pub fn open_reader(r: &ReaderArgs) -> anyhow::Result<Archive> {
    r.db.use_encryption_key()?;
    let key = pinned_key(r)?;
    Ok(Archive::open_read_only(&r.db.db, key.as_ref())?)
}

/// Opens for writing under the key policy of `wcp_archive::regions` (no new key for a
/// signed archive).
pub fn open_writer(w: &WriterArgs) -> anyhow::Result<Archive> {
    w.db.use_encryption_key()?;
    let db = &w.db.db;
    let region = regions::region_of(db);
    let src = KeySource {
        file: w.key.clone(),
        file_setting: "--key",
        env: true,
    };
    let opts = ArchiveOptions {
        actor: w.actor.actor()?,
        ..ArchiveOptions::default()
    };
    let a = regions::open_signed(db, &region, &db.with_extension("key"), &src, opts)
        .with_context(|| format!("opening {}", db.display()))?;
    a.set_region(&region)?;
    Ok(a)
}

/// Times given as a date (`2025-11-24`, midnight at `offset_min`) or RFC 3339.
/// A date (local midnight per `offset_min`) or an RFC 3339 time, as an instant: the start of a
/// range (`--from`, `--before`, `--now`). `--to` uses [`parse_to`].
pub fn parse_time(s: &str, offset_min: i32) -> anyhow::Result<i64> {
    dates::bound(s, offset_min, End::From).map_err(anyhow::Error::msg)
}

/// The exclusive end of a range: a date takes in that whole local day (`wcp_archive::dates`),
/// as the console's To field does.
pub fn parse_to(s: &str, offset_min: i32) -> anyhow::Result<i64> {
    dates::bound(s, offset_min, End::To).map_err(anyhow::Error::msg)
}

#[cfg(test)]
#[path = "tests.rs"]
pub(crate) mod tests;
