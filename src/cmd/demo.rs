//! `wcp demo`: the newcomer's first command. Runs the whole pipeline in-process over sample
//! data shipped inside the binary and explains what happened. No services, no network.

use std::path::PathBuf;
use std::process::ExitCode;

use clap::Args;
use wcp_model::Alert;

use super::outdir::{Maker, OutDir};
use super::run::{execute, tenant_key, Summary, KEYS};

/// A wealth-management desk's day (every WeCom msgtype, consent, recalls, risky lines, PII)
/// followed by real-world quirks and broken captures.
const SAMPLE: &[&[u8]] = &[
    include_bytes!("../../fixtures/wecom_samples.jsonl"),
    include_bytes!("../../fixtures/wecom_lenient.jsonl"),
    include_bytes!("../../fixtures/wecom_malformed.jsonl"),
];

#[derive(Args)]
#[command(after_help = "Example:\n  wcp demo\n  wcp demo --out ./demo-out")]
pub struct DemoArgs {
    /// Where to write the demo's archive and streams (default: wcp-demo under the temp
    /// dir). A folder `wcp demo` did not create is refused, and so is one a `wcp run` wrote
    /// into (its archive is not the demo's to replace); in one only demos wrote, the files of
    /// the last demo are replaced (only those: nothing else in the folder is touched).
    #[arg(long)]
    pub out: Option<PathBuf>,
}

pub fn run(args: DemoArgs) -> anyhow::Result<ExitCode> {
    let out = args
        .out
        .unwrap_or_else(|| std::env::temp_dir().join("wcp-demo"));
    super::run::check_key_vars(&wcp_stages::Policy::builtin())?;
    let mut dir = OutDir::claim(&out, Maker::Demo)?;
    // A demo starts from nothing each time: its own earlier files go (the keys stay). A
    // folder `wcp run` made was refused above: its archive is not the demo's to replace.
    dir.remove_owned(KEYS)?;
    let input_path = dir.own("input.jsonl")?;
    let input: Vec<u8> = SAMPLE.iter().flat_map(|f| f.iter().copied()).collect();
    std::fs::write(&input_path, &input)?;
    let key = tenant_key(None, &mut dir)?;
    let summary = execute(
        &input_path,
        "sample.jsonl",
        &mut dir,
        wcp_stages::Policy::builtin(),
        &key,
        None,
    )?;
    explain(&summary, &out)?;
    Ok(ExitCode::SUCCESS)
}

fn explain(s: &Summary, out: &std::path::Path) -> anyhow::Result<()> {
    println!(
        "wcp demo — one day of a wealth-management desk's WeCom chat, through the whole pipeline\n"
    );
    println!(
        "{} raw messages in: {} archived, {} archived anonymised (client refused consent), {} quarantined (consent unknown), {} dead-lettered (broken captures, kept byte for byte).",
        s.input_lines, s.archived, s.archived_anonymised, s.quarantined, s.dead_lettered
    );
    let business = s.by_class.get("business").copied().unwrap_or(0);
    let personal = s.by_class.get("personal").copied().unwrap_or(0);
    println!("Classified {business} business and {personal} personal messages; {} compliance alerts raised.\n", s.alerts);

    let alerts: Vec<Alert> = std::fs::read_to_string(out.join("alerts.jsonl"))?
        .lines()
        .filter_map(|l| serde_json::from_str(l).ok())
        .collect();
    println!("Alerts (what a surveillance reviewer sees):");
    for a in alerts.iter().take(12) {
        let evidence: Vec<&str> = a
            .evidence
            .iter()
            .map(|e| e.text.as_str())
            .filter(|t| !t.is_empty())
            .collect();
        let evidence = if evidence.is_empty() {
            String::new()
        } else {
            format!("  «{}»", evidence.join(" … ").replace('\n', " ⏎ "))
        };
        println!(
            "  [{:<6}] {:<24} msg {}{}",
            a.severity.as_str(),
            a.category,
            short(&a.msgid),
            evidence
        );
    }
    if alerts.len() > 12 {
        println!("  … and {} more in alerts.jsonl", alerts.len() - 12);
    }
    println!("\nConsent (PIPL): {:?}", s.by_consent);
    println!("Retention rules applied: {:?}", s.by_retention_rule);
    println!("Dead letters by reason: {:?}", s.by_dead_letter_reason);
    println!(
        "Recalls: {} marked on archived messages (never deleted), {} waiting for their original.",
        s.recalls_applied, s.recalls_pending
    );

    let db = out.join("archive-cn.db");
    println!("\nWhere to look next:");
    println!(
        "  wcp review --dir {}          the review console: queue, evidence, holds, export (docs/REVIEW.md)",
        out.display()
    );
    println!(
        "  {}/input.jsonl        the raw WeCom lines this demo ran: copy their format for your own",
        out.display()
    );
    println!("  {}/                      archive-<region>.db, alerts.jsonl, anonymised.jsonl, dead_letters.jsonl, summary.json", out.display());
    println!(
        "  wcp archive verify --db {}     prove nothing was altered",
        db.display()
    );
    // Searching is audited under a name (trial 18d D6: printed without --actor, it failed).
    println!(
        "  wcp archive search --db {} --actor you --text 内幕",
        db.display()
    );
    println!("  wcp detect --input your-lines.jsonl     PII / risk / class for {{\"id\",\"text\"}} lines");
    println!(
        "  wcp run --input mine.jsonl --out {}   your own messages (README \"Your own messages\": an agree line first for a new contact)",
        out.display()
    );
    println!("  README.md and docs/ for the Kafka services, Kubernetes and alert rules");
    Ok(())
}

fn short(msgid: &str) -> &str {
    msgid.get(..msgid.len().min(20)).unwrap_or(msgid)
}
