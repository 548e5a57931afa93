//! `wcp run`: every stage in one process over a file of raw WeCom JSON lines. The thin
//! runner around `wcp_stages::pipeline`: files in, archive + JSON Lines + summary out.

use std::collections::BTreeMap;
use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde::Serialize;
use wcp_archive::{Archive, ArchiveOptions, SourceOffset};
use wcp_model::{Disposition, EnrichedEvent};
use wcp_stages::alert::AlertPolicy;
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::classify::Classifier;
use wcp_stages::pipeline::{Outcome, Pipeline};
use wcp_stages::Policy;

/// Events per archive transaction: the archiver service's default (see wcp-runtime config).
const ARCHIVE_BATCH_EVENTS: usize = 2_000;

#[derive(Args)]
#[command(
    after_help = "Example:\n  wcp run --input capture-2024-11-26.jsonl --out out/\n  wcp archive verify --db out/archive-cn.db"
)]
pub struct RunArgs {
    /// Raw WeCom JSON lines (the decrypted archive SDK output), one message per line.
    #[arg(long, short)]
    pub input: PathBuf,
    /// Output directory: archive-<region>.db, alerts.jsonl, anonymised.jsonl, dead_letters.jsonl, summary.json.
    #[arg(long, short)]
    pub out: PathBuf,
    /// Pipeline policy (consent, retention, alerting); default: the built-in policies/pipeline.toml.
    #[arg(long)]
    pub policy: Option<PathBuf>,
    /// File holding the tenant's pseudonymisation key (else $WCP_ANON_KEY, else OUT/tenant.key, created once).
    #[arg(long)]
    pub anon_key_file: Option<PathBuf>,
    /// Print the summary as JSON instead of a table.
    #[arg(long)]
    pub json: bool,
}

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub input_lines: u64,
    pub archived: u64,
    pub archived_anonymised: u64,
    pub quarantined: u64,
    pub metadata_only: u64,
    pub dead_lettered: u64,
    pub duplicates_skipped: u64,
    pub alerts: u64,
    pub recalls_applied: u64,
    pub recalls_pending: u64,
    pub by_msgtype: BTreeMap<String, u64>,
    pub by_class: BTreeMap<String, u64>,
    /// Messages per risk category that alerts (the same decision as `alerts.jsonl`).
    pub by_risk: BTreeMap<String, u64>,
    /// Messages per risk category found but not alerted (below the policy's alert floor).
    pub by_risk_not_alerted: BTreeMap<String, u64>,
    pub by_consent: BTreeMap<String, u64>,
    pub by_retention_rule: BTreeMap<String, u64>,
    pub by_region: BTreeMap<String, u64>,
    pub by_dead_letter_reason: BTreeMap<String, u64>,
    pub by_alert_category: BTreeMap<String, u64>,
}

impl Summary {
    /// Every input line ends in exactly one of these.
    pub fn accounted(&self) -> u64 {
        self.archived
            + self.archived_anonymised
            + self.quarantined
            + self.metadata_only
            + self.dead_lettered
    }

    fn count(&mut self, ev: &EnrichedEvent, alert: &AlertPolicy) {
        *self.by_msgtype.entry(ev.event.msgtype.clone()).or_default() += 1;
        if let Some(c) = &ev.classification {
            *self.by_class.entry(c.class.as_str().into()).or_default() += 1;
            // One answer: a category alerts when any of its hits does (as in `alerts_for`).
            let mut cats: BTreeMap<&str, bool> = BTreeMap::new();
            for r in &c.risks {
                *cats.entry(r.category.as_str()).or_default() |= alert.why_not_alerted(r).is_none();
            }
            for (cat, alerts) in cats {
                let map = if alerts {
                    &mut self.by_risk
                } else {
                    &mut self.by_risk_not_alerted
                };
                *map.entry(cat.into()).or_default() += 1;
            }
        }
        if let Some(c) = &ev.consent {
            *self.by_consent.entry(c.state.as_str().into()).or_default() += 1;
        }
        if let Some(r) = &ev.retention {
            for rule in &r.rules {
                *self.by_retention_rule.entry(rule.clone()).or_default() += 1;
            }
            *self.by_region.entry(r.region.clone()).or_default() += 1;
        }
        match ev.disposition() {
            Disposition::Archive => self.archived += 1,
            Disposition::ArchiveAnonymised => self.archived_anonymised += 1,
            Disposition::Quarantine => self.quarantined += 1,
            Disposition::MetadataOnly => self.metadata_only += 1,
        }
    }
}

pub fn run(args: RunArgs) -> anyhow::Result<ExitCode> {
    let input =
        std::fs::read(&args.input).with_context(|| format!("reading {}", args.input.display()))?;
    let policy = load_policy(args.policy.as_deref())?;
    std::fs::create_dir_all(&args.out)
        .with_context(|| format!("creating {}", args.out.display()))?;
    let key = anon_key(args.anon_key_file.as_deref(), &args.out)?;
    let summary = execute(
        &input,
        &args.input.display().to_string(),
        &args.out,
        policy,
        &key,
    )?;
    if args.json {
        println!("{}", serde_json::to_string_pretty(&summary)?);
    } else {
        print_summary(&summary, &args.out);
    }
    Ok(ExitCode::SUCCESS)
}

pub fn load_policy(path: Option<&Path>) -> anyhow::Result<Policy> {
    Ok(match path {
        Some(p) => {
            let text =
                std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?;
            Policy::from_toml(&text, &p.display().to_string())?
        }
        None => Policy::builtin(),
    })
}

/// The tenant pseudonymisation key: explicit file, `$WCP_ANON_KEY`, or one created in the
/// output directory on first use (so re-runs into the same directory join up).
/// Key text is hexadecimal (docs/PII.md, "Tenant key"); a malformed key is refused with the
/// file and the reason.
pub fn anon_key(file: Option<&Path>, out: &Path) -> anyhow::Result<Vec<u8>> {
    let parse = |text: &[u8], source: &str| {
        wcp_pii::anonymise::parse_key(text).with_context(|| format!("tenant key {source}"))
    };
    if let Some(f) = file {
        let text = std::fs::read(f).with_context(|| format!("reading {}", f.display()))?;
        return parse(&text, &f.display().to_string());
    }
    if let Ok(k) = std::env::var("WCP_ANON_KEY") {
        return parse(k.as_bytes(), "$WCP_ANON_KEY");
    }
    let path = out.join("tenant.key");
    if let Ok(k) = std::fs::read(&path) {
        return parse(&k, &path.display().to_string());
    }
    let mut key = vec![0u8; 32];
    File::open("/dev/urandom")
        .and_then(|mut f| std::io::Read::read_exact(&mut f, &mut key))
        .context("reading /dev/urandom for a new tenant key")?;
    let hex: String = key.iter().map(|b| format!("{b:02x}")).collect();
    std::fs::write(&path, &hex).with_context(|| format!("writing {}", path.display()))?;
    Ok(key)
}

/// Run the pipeline over `input` (JSON lines) into `out`.
pub fn execute(
    input: &[u8],
    source: &str,
    out: &Path,
    policy: Policy,
    key: &[u8],
) -> anyhow::Result<Summary> {
    let classifier = Classifier::new(&policy.classifier, None, None)?;
    let alert_policy = policy.alert.clone();
    let anonymiser = Anonymiser::new(key, wcp_pii::anonymise::AnonPolicy::default());
    let mut pipeline = Pipeline::new(policy, classifier, anonymiser);
    let mut writers = Writers::create(out)?;
    let mut archives: BTreeMap<String, (Archive, Vec<EnrichedEvent>)> = BTreeMap::new();
    let mut summary = Summary::default();

    // Consent is effective from its own time, wherever it sits in the file (see
    // `Pipeline::preload_consent`). Only lines that can be consent records are parsed twice.
    for raw in input.split(|&b| b == b'\n') {
        if raw.windows(5).any(|w| w == b"agree") {
            if let Ok(wcp_stages::ingest::IngestOutput {
                consent: Some(rec), ..
            }) = wcp_stages::ingest::ingest(raw, None)
            {
                pipeline.preload_consent(&rec);
            }
        }
    }

    let progress = progress_bar(input);
    for (i, raw) in input.split(|&b| b == b'\n').enumerate() {
        progress.inc(1);
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        if raw.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        summary.input_lines += 1;
        match pipeline.process(raw, &format!("{source}:{}", i + 1), None) {
            Outcome::DeadLetter(dl) => {
                summary.dead_lettered += 1;
                *summary
                    .by_dead_letter_reason
                    .entry(dl.reason_code.clone())
                    .or_default() += 1;
                writers.line(Sink::DeadLetters, &dl)?;
            }
            Outcome::Processed(p) => {
                summary.count(&p.enriched, &alert_policy);
                for a in &p.alerts {
                    summary.alerts += 1;
                    *summary
                        .by_alert_category
                        .entry(a.category.clone())
                        .or_default() += 1;
                    writers.line(Sink::Alerts, a)?;
                }
                if let Some(rec) = &p.ledger {
                    writers.line(Sink::Ledger, rec)?;
                }
                writers.line(Sink::Anonymised, &p.anonymised)?;
                let region = p
                    .for_archive
                    .retention
                    .as_ref()
                    .map(|r| r.region.clone())
                    .unwrap_or_default();
                let entry = match archives.entry(region.clone()) {
                    std::collections::btree_map::Entry::Occupied(e) => e.into_mut(),
                    std::collections::btree_map::Entry::Vacant(v) => {
                        v.insert((open_archive(out, &region)?, Vec::new()))
                    }
                };
                entry.1.push(p.for_archive);
                if entry.1.len() >= ARCHIVE_BATCH_EVENTS {
                    flush(entry, source, i as i64 + 1, &mut summary)?;
                }
            }
        }
    }
    let lines = summary.input_lines as i64;
    for entry in archives.values_mut() {
        flush(entry, source, lines, &mut summary)?;
    }
    progress.finish_and_clear();
    writers.finish()?;
    std::fs::write(
        out.join("summary.json"),
        serde_json::to_vec_pretty(&summary)?,
    )?;
    anyhow::ensure!(
        summary.accounted() == summary.input_lines,
        "internal accounting error: {} lines in, {} accounted for",
        summary.input_lines,
        summary.accounted()
    );
    Ok(summary)
}

/// Rate and ETA on a terminal; nothing when stderr is a file or pipe (CI, scripts).
fn progress_bar(input: &[u8]) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let lines = input.iter().filter(|&&b| b == b'\n').count() as u64 + 1;
    let bar = indicatif::ProgressBar::new(lines);
    if let Ok(style) =
        indicatif::ProgressStyle::with_template("{bar:40} {pos}/{len} lines  {per_sec}  ETA {eta}")
    {
        bar.set_style(style);
    }
    bar
}

fn open_archive(out: &Path, region: &str) -> anyhow::Result<Archive> {
    let key = wcp_archive::keys::load_or_create_signing_key(&out.join("signing.key"))?;
    let path = out.join(format!("archive-{region}.db"));
    let opts = ArchiveOptions {
        signing_key: Some(key),
        actor: "wcp-run".to_string(),
        ..ArchiveOptions::default()
    };
    Archive::open(&path, opts).with_context(|| format!("opening {}", path.display()))
}

fn flush(
    entry: &mut (Archive, Vec<EnrichedEvent>),
    source: &str,
    line: i64,
    summary: &mut Summary,
) -> anyhow::Result<()> {
    if entry.1.is_empty() {
        return Ok(());
    }
    let offset = SourceOffset {
        topic: format!("file:{source}"),
        partition: 0,
        next_offset: line,
    };
    let report = entry.0.insert_batch(&entry.1, &[offset])?;
    summary.duplicates_skipped += report.duplicates;
    summary.recalls_applied += report.recalls_applied;
    summary.recalls_pending = entry.0.pending_recalls()?;
    entry.1.clear();
    Ok(())
}

#[derive(Clone, Copy)]
enum Sink {
    Alerts,
    Anonymised,
    DeadLetters,
    Ledger,
}

struct Writers([BufWriter<File>; 4]);

impl Writers {
    fn create(out: &Path) -> anyhow::Result<Writers> {
        let open = |name: &str| -> anyhow::Result<BufWriter<File>> {
            let p = out.join(name);
            Ok(BufWriter::new(
                File::create(&p).with_context(|| format!("creating {}", p.display()))?,
            ))
        };
        Ok(Writers([
            open("alerts.jsonl")?,
            open("anonymised.jsonl")?,
            open("dead_letters.jsonl")?,
            open("consent_ledger.jsonl")?,
        ]))
    }

    fn line<T: Serialize>(&mut self, sink: Sink, value: &T) -> anyhow::Result<()> {
        let w = &mut self.0[sink as usize];
        serde_json::to_writer(&mut *w, value)?;
        w.write_all(b"\n")?;
        Ok(())
    }

    fn finish(mut self) -> anyhow::Result<()> {
        for w in &mut self.0 {
            w.flush()?;
        }
        Ok(())
    }
}

fn print_summary(s: &Summary, out: &Path) {
    println!("input lines        {:>8}", s.input_lines);
    println!("  archived         {:>8}", s.archived);
    println!(
        "  archived anonym. {:>8}   (no consent for clear storage)",
        s.archived_anonymised
    );
    println!(
        "  quarantined      {:>8}   (consent not known yet)",
        s.quarantined
    );
    println!("  metadata only    {:>8}", s.metadata_only);
    println!("  dead-lettered    {:>8}", s.dead_lettered);
    println!("duplicates skipped {:>8}", s.duplicates_skipped);
    println!("alerts             {:>8}", s.alerts);
    println!(
        "recalls applied    {:>8}   pending {}",
        s.recalls_applied, s.recalls_pending
    );
    let table = |title: &str, m: &BTreeMap<String, u64>| {
        if m.is_empty() {
            return;
        }
        println!("\n{title}");
        for (k, v) in m {
            println!("  {k:<28} {v:>8}");
        }
    };
    table("by class", &s.by_class);
    table("by risk category (alerted)", &s.by_risk);
    table(
        "by risk category (found, not alerted)",
        &s.by_risk_not_alerted,
    );
    table("by alert category", &s.by_alert_category);
    table("by consent state", &s.by_consent);
    table("by retention rule", &s.by_retention_rule);
    table("by region", &s.by_region);
    table("by dead-letter reason", &s.by_dead_letter_reason);
    table("by msgtype", &s.by_msgtype);
    println!("\noutputs in {}", out.display());
}
