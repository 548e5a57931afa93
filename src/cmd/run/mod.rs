//! `wcp run`: every stage in one process over a file of raw WeCom JSON lines — the thin
//! runner around `wcp_stages::pipeline`. Layout: `execute` (the run), `lines` (the input
//! as a bounded stream), `archives` (one archive per region), `outputs` (the JSON Lines
//! files, appended run after run with run ids), `summary` (what a run wrote).
//!
//! Outputs in `--out DIR` (a folder wcp created, see `outdir`): `archive-<region>.db`,
//! `alerts.jsonl`, `anonymised.jsonl`, `dead_letters.jsonl`, `consent_ledger.jsonl`,
//! `runs.jsonl`, `summary.json` (the last run's), `archive-<region>.key` and `tenant.key` (both 0600,
//! created once, kept by `--force`), `archive-<region>.pub` (the signing key's public half,
//! written with it) and the `.wcp-out` marker listing what wcp wrote there.

mod archives;
mod execute;
mod lines;
mod outputs;
pub mod summary;

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use wcp_stages::key::TenantKey;
use wcp_stages::Policy;

use super::outdir::{Maker, OutDir};
pub use execute::execute;
pub use summary::Summary;

/// Files `--force` keeps: the keys that make pseudonyms and signatures continue (the
/// `archive-<region>.key` files are never owned outputs; `signing.key` is the one key of
/// folders written before one key per region).
pub const KEYS: &[&str] = &["tenant.key", "signing.key"];

#[derive(Args)]
#[command(
    after_help = "Examples:\n  wcp run --input capture-2024-11-26.jsonl --out out/\n  wcp run --input capture-2024-11-27.jsonl --out out/   # continues: same ledger, appended outputs\n  wcp archive verify --db out/archive-cn.db"
)]
pub struct RunArgs {
    /// Raw WeCom JSON lines (the decrypted archive SDK output), one message per line; read as
    /// a stream, so its size does not matter. A line's top-level `seq` is its capture
    /// sequence number.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output folder: new or empty, or one wcp created before (the run continues its consent
    /// ledger and appends to its outputs; a `wcp demo` folder becomes the run's, so a later
    /// demo will not replace it). A non-empty folder wcp did not create is refused.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Start over: remove the outputs earlier runs wrote in OUT (only files wcp created
    /// there; the keys stay) before running.
    #[arg(long)]
    pub force: bool,
    /// Pipeline policy (consent, input bounds, retention, alerting, anonymisation); default:
    /// the built-in policies/pipeline.toml.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// File holding the tenant's pseudonymisation key (else $WCP_ANON_KEY, else OUT/tenant.key, created once).
    #[arg(long)]
    pub anon_key_file: Option<PathBuf>,
    /// The data-protection officer's quarantine public key (`wcp archive keygen --quarantine
    /// --out dpo.key` writes it to dpo.pub): content held back for consent is kept sealed to
    /// it, so `wcp archive quarantine release --dpo-key dpo.key` can restore it once consent
    /// arrives. Without it, quarantined content is not kept at all (who/when only).
    #[arg(long)]
    pub quarantine_key: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    anyhow::ensure!(
        args.input.is_file(),
        "--input {}: no such file",
        args.input.display()
    );
    let policy = load_policy(args.policy.as_deref())?;
    check_key_vars(&policy)?;
    // Read before the folder is touched: a bad key file is refused with nothing written.
    let quarantine = args
        .quarantine_key
        .as_deref()
        .map(|p| {
            wcp_archive::seal::QuarantineKey::load(p)
                .with_context(|| format!("--quarantine-key {}", p.display()))
        })
        .transpose()?;
    let existed = args.out.exists();
    let fresh =
        !existed || std::fs::read_dir(&args.out).is_ok_and(|mut entries| entries.next().is_none());
    super::storage::writing_to(&args.out);
    let mut out = OutDir::claim(&args.out, Maker::Run)?;
    if args.force {
        let n = out.remove_owned(KEYS)?;
        eprintln!(
            "--force: removed {n} files wcp wrote in {}",
            args.out.display()
        );
    }
    let source = args.input.display().to_string();
    let result = tenant_key(args.anon_key_file.as_deref(), &mut out)
        .and_then(|key| execute(&args.input, &source, &mut out, policy, &key, quarantine));
    let summary = match result {
        Ok(s) => s,
        Err(e) => return Err(after_failure(e, out, &args.out, fresh, existed)),
    };
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        summary::print(&summary, &args.out);
    }
    Ok(ExitCode::SUCCESS)
}

/// A failed run leaves no half-made folder (trial 17a D20): in a folder that was new or
/// empty before it, everything it created goes again (the folder too, if it made it); in a
/// folder earlier runs wrote, what it appended stays, and the error says so and how to
/// start over.
fn after_failure(
    e: anyhow::Error,
    out: OutDir,
    path: &Path,
    fresh: bool,
    existed: bool,
) -> anyhow::Error {
    if !fresh {
        // A write cut short by a full disk leaves no half line behind (trial 17a D16).
        let trimmed = match outputs::trim_partial_lines(path) {
            Ok(cut) if cut.is_empty() => String::new(),
            Ok(cut) => format!(
                "; the last, half-written line of {} was removed",
                cut.iter()
                    .map(|p| p.display().to_string())
                    .collect::<Vec<_>>()
                    .join(", ")
            ),
            Err(t) => format!("; cutting a half-written line failed too ({t:#})"),
        };
        return e.context(format!(
            "the run failed part-way: {} keeps what earlier runs wrote and what this one wrote \
             before the failure, every line and archive batch whole (an archive batch is one \
             transaction: the one that failed left nothing){trimmed}; runs.jsonl shows the run \
             started and did not finish. Fix the cause and run the same input again (what is \
             archived is not archived twice), or start over with --force",
            path.display()
        ));
    }
    match out.discard(!existed) {
        Ok(n) => e.context(format!(
            "the run failed; removed the {n} files it had created in {} (it was new or empty: \
             nothing half-made is left)",
            path.display()
        )),
        Err(d) => e.context(format!(
            "the run failed, and removing what it created in {} failed too ({d:#}): delete the \
             folder before running again",
            path.display()
        )),
    }
}

/// The archive key variables, checked before the output folder is touched, as the archiver
/// checks them at start: a variable for a region the policy does not have (a typo such as
/// `WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CNN`) would leave the region's archive plain in silence,
/// and a key that cannot be read or parsed would fail only once the folder is half made
/// (trial 17a D6, D20).
pub fn check_key_vars(policy: &Policy) -> anyhow::Result<()> {
    let mut problems =
        wcp_runtime::config_source::archive_region_var_problems(&policy.retention.regions());
    problems.extend(wcp_archive::at_rest::env_key_problems(&["ARCHIVE"]));
    if !problems.is_empty() {
        anyhow::bail!(
            "invalid configuration (nothing was written):\n  {}",
            problems.join("\n  ")
        );
    }
    Ok(())
}

/// The policy file (or the built-in one), with acknowledged non-compliant settings shown on
/// every start, as the services log them.
pub fn load_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    let policy = Policy::load(path)?;
    for w in policy.warnings() {
        eprintln!("warning: {w}");
    }
    Ok(policy)
}

/// The tenant pseudonymisation key: explicit file, `$WCP_ANON_KEY`, or `OUT/tenant.key`
/// (created once, 0600, so re-runs into the same folder join up). The file and the variable
/// are read by the services' own loader (`wcp_runtime::stage_settings::tenant_key`, same
/// order, same errors: an empty or non-UTF-8 `WCP_ANON_KEY` is refused, not used); only
/// the `OUT/tenant.key` fallback is `wcp run`'s own.
pub fn tenant_key(file: Option<&Path>, out: &mut OutDir) -> anyhow::Result<TenantKey> {
    if file.is_some() || std::env::var_os("WCP_ANON_KEY").is_some() {
        return Ok(wcp_runtime::stage_settings::tenant_key(
            file,
            TenantKey::parse,
        )?);
    }
    let path = out.own("tenant.key")?;
    if let Ok(bytes) = std::fs::read(&path) {
        return Ok(TenantKey::parse(
            &bytes,
            &format!("file {}", path.display()),
        )?);
    }
    let mut random = [0u8; 32];
    std::fs::File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut random))
        .context("reading /dev/urandom for a new tenant key")?;
    let text = TenantKey::new_file_text(&random);
    // Readable by its owner only, like the signing keys: the key is all that separates a
    // pseudonym from the person.
    wcp_archive::keys::create_secret_file(&path, &text)
        .with_context(|| format!("creating {}", path.display()))?;
    Ok(TenantKey::parse(text.as_bytes(), "new tenant.key")?)
}
