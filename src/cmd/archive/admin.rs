//! `wcp archive rebuild|configure|rotate-key|keygen`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use wcp_archive::settings::ConfigChange;
use wcp_archive::{keys, seal::DpoKey};

use super::{open_writer, WriterArgs};

pub const REBUILD_EXAMPLES: &str =
    "Example:\n  wcp archive rebuild --db out/archive-cn.db --actor admin";
pub const CONFIGURE_EXAMPLES: &str = "Examples:\n  wcp archive configure --db out/archive-cn.db --actor admin --expire-max-share 0.02\n  wcp archive configure --db out/archive-cn.db --actor admin --add-approver bob=bob.pub";
pub const ROTATE_EXAMPLES: &str = "Example:\n  wcp archive keygen --out new-cn.key\n  wcp archive rotate-key --db out/archive-cn.db --actor admin --new-key new-cn.key";
pub const KEYGEN_EXAMPLES: &str = "Examples:\n  wcp archive keygen --out bob.key            (an approver's key; bob.pub beside it)\n  wcp archive keygen --quarantine --out dpo.key (the DPO's quarantine key; dpo.pub goes to the writers)";

#[derive(Args)]
pub struct RebuildArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
}

#[derive(Args)]
pub struct ConfigureArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// Largest share of the archive one expiry run may remove without a second approver.
    #[arg(long)]
    pub expire_max_share: Option<f64>,
    /// NAME=FILE: register an approver's public key.
    #[arg(long)]
    pub add_approver: Vec<String>,
    #[arg(long)]
    pub remove_approver: Vec<String>,
}

#[derive(Args)]
pub struct RotateArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    /// The new signing key (64 hex characters).
    #[arg(long)]
    pub new_key: PathBuf,
}

#[derive(Args)]
pub struct KeygenArgs {
    /// Where to write the private key (mode 0600); the public key goes beside it (.pub).
    #[arg(long)]
    pub out: PathBuf,
    /// An X25519 quarantine key pair (the DPO's) instead of an Ed25519 signing key.
    #[arg(long)]
    pub quarantine: bool,
}

pub fn rebuild(a: RebuildArgs) -> anyhow::Result<ExitCode> {
    let mut archive = open_writer(&a.writer)?;
    let r = archive.rebuild(&a.writer.actor.actor()?)?;
    for p in &r.repaired {
        println!("repaired: {p}");
    }
    println!("rebuilt every derived table from {} records", r.records);
    Ok(ExitCode::SUCCESS)
}

pub fn configure(a: ConfigureArgs) -> anyhow::Result<ExitCode> {
    let mut add = Vec::new();
    for spec in &a.add_approver {
        let (name, file) = spec
            .split_once('=')
            .context("--add-approver expects NAME=PUBLIC_KEY_FILE")?;
        let key = keys::load_public_key(&PathBuf::from(file))
            .with_context(|| format!("reading {file}"))?;
        add.push((name.to_string(), keys::public_key_hex(&key)));
    }
    let change = ConfigChange {
        expire_max_share: a.expire_max_share,
        add_approvers: add,
        remove_approvers: a.remove_approver.clone(),
    };
    if change == ConfigChange::default() {
        bail!("nothing to change: --expire-max-share, --add-approver or --remove-approver");
    }
    let mut archive = open_writer(&a.writer)?;
    archive.configure(&change, &a.writer.actor.actor()?)?;
    println!("settings changed (a chained config record)");
    Ok(ExitCode::SUCCESS)
}

pub fn rotate(a: RotateArgs) -> anyhow::Result<ExitCode> {
    let new = keys::load_signing_key(&a.new_key)
        .with_context(|| format!("reading {}", a.new_key.display()))?;
    let mut archive = open_writer(&a.writer)?;
    let r = archive.rotate_key(new, &a.writer.actor.actor()?)?;
    println!("signing key rotated: {} → {}; give reviewers and auditors the new public key, keep the old one for the records before", r.old_public_key, r.new_public_key);
    Ok(ExitCode::SUCCESS)
}

pub fn keygen(a: KeygenArgs) -> anyhow::Result<ExitCode> {
    let public = a.out.with_extension("pub");
    for path in [&a.out, &public] {
        if path.exists() {
            bail!("{} exists: not overwritten", path.display());
        }
    }
    let public_hex = if a.quarantine {
        let k = DpoKey::generate();
        write_private(&a.out, &k.to_hex())?;
        k.public().to_hex()
    } else {
        let k = keys::load_or_create_signing_key(&a.out)?;
        keys::public_key_hex(&k.verifying_key())
    };
    std::fs::write(&public, format!("{public_hex}\n"))?;
    println!(
        "private key {} (keep it secret), public key {}",
        a.out.display(),
        public.display()
    );
    Ok(ExitCode::SUCCESS)
}

fn write_private(path: &std::path::Path, hex_key: &str) -> anyhow::Result<()> {
    wcp_archive::keys::create_secret_file(path, &format!("{hex_key}\n"))?;
    Ok(())
}
