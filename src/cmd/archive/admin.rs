//! `wcp archive rebuild|configure|rotate-key|keygen`.

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::{bail, Context};
use clap::Args;
use wcp_archive::approvals::ChangeApproval;
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

/// A settings change, as `configure` makes it and `configure-approve` signs it.
#[derive(Args)]
pub struct ChangeArgs {
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
pub struct ConfigureArgs {
    #[command(flatten)]
    pub writer: WriterArgs,
    #[command(flatten)]
    pub change: ChangeArgs,
    /// A registered approver's token for exactly this change (`wcp archive
    /// configure-approve`): needed, once an approver is registered, to raise
    /// --expire-max-share or to add, replace or remove an approver.
    #[arg(long)]
    pub approval: Option<String>,
}

#[derive(Args)]
pub struct ConfigureApproveArgs {
    #[command(flatten)]
    pub reader: super::ReaderArgs,
    #[command(flatten)]
    pub actor: super::ActorArgs,
    /// Your own Ed25519 key (from `wcp archive keygen`), registered as an approver.
    #[arg(long)]
    pub approver_key: PathBuf,
    #[command(flatten)]
    pub change: ChangeArgs,
}

pub const CONFIGURE_APPROVE_EXAMPLES: &str = "Example (a registered approver, with their own key, signs exactly the change the officer will make):
  wcp archive configure-approve --db out/archive-cn.db --actor bob --approver-key bob.key --add-approver carol=carol.pub
  wcp archive configure --db out/archive-cn.db --actor admin --add-approver carol=carol.pub --approval eyJhcHByb3Zl…";

impl ChangeArgs {
    fn change(&self) -> anyhow::Result<ConfigChange> {
        let mut add = Vec::new();
        for spec in &self.add_approver {
            let (name, file) = spec
                .split_once('=')
                .context("--add-approver expects NAME=PUBLIC_KEY_FILE")?;
            let key = keys::load_public_key(&PathBuf::from(file))
                .with_context(|| format!("reading {file}"))?;
            add.push((name.to_string(), keys::public_key_hex(&key)));
        }
        let change = ConfigChange {
            expire_max_share: self.expire_max_share,
            add_approvers: add,
            remove_approvers: self.remove_approver.clone(),
            approval: None,
        };
        if change == ConfigChange::default() {
            bail!("nothing to change: --expire-max-share, --add-approver or --remove-approver");
        }
        Ok(change)
    }
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
    let mut change = a.change.change()?;
    change.approval = a
        .approval
        .as_deref()
        .map(ChangeApproval::from_token)
        .transpose()?;
    let mut archive = open_writer(&a.writer)?;
    archive.configure(&change, &a.writer.actor.actor()?)?;
    println!("settings changed (a chained config record)");
    Ok(ExitCode::SUCCESS)
}

/// The approver's side: what they sign, in words, then the token; the signing is recorded
/// (the access log) before the token is shown.
pub fn configure_approve(a: ConfigureApproveArgs) -> anyhow::Result<ExitCode> {
    let actor = a.actor.actor()?;
    let change = a.change.change()?;
    let mut archive = super::open_reader(&a.reader)?;
    let key = keys::load_signing_key(&a.approver_key)
        .with_context(|| format!("reading {}", a.approver_key.display()))?;
    let approval = archive.approve_change(&change, &actor, &key)?;
    archive.record_access(
        &actor,
        "configure_approve",
        serde_json::json!({ "change": change, "digest": approval.digest, "after_seq": approval.after_seq }),
    )?;
    if let Some(s) = change.expire_max_share {
        println!(
            "sets expire_max_share to {s} (now {})",
            archive.expire_max_share()?
        );
    }
    for (name, key) in &change.add_approvers {
        println!("registers approver {name} with public key {key}");
    }
    for name in &change.remove_approvers {
        println!("removes approver {name}");
    }
    println!("approval token (give it to whoever runs `wcp archive configure` with the same options; it is good only for this change, before any other):");
    println!("{}", approval.to_token());
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
