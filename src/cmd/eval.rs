//! `wcp eval`: scores detections against a labelled JSON Lines file (`pii`
//! spans, `class`, `risk`), with the rules of tools/score.py.

use std::path::{Path, PathBuf};
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde_json::Value;
use wcp_eval::{evaluate, render_table, Gold, Pred};
use wcp_stages::classify::Classifier;
use wcp_stages::policy::ClassifierPolicy;

#[derive(Args)]
#[command(
    after_help = "Example:\n  wcp eval --input ../shared/data/eval/chat_dev.jsonl\n  \
    wcp eval --input gold.jsonl --pred detections.jsonl --json"
)]
pub struct EvalArgs {
    /// Labelled JSON Lines: "id", "text" and any of "class", "risk", "pii".
    #[arg(long, short)]
    pub input: PathBuf,
    /// Score this `wcp detect` output instead of running detection.
    #[arg(long)]
    pub pred: Option<PathBuf>,
    /// Machine-readable report.
    #[arg(long)]
    pub json: bool,
    /// A business/personal model from `wcp train` instead of the built-in one.
    #[arg(long)]
    pub model: Option<PathBuf>,
    /// Business probability below which a message is personal (default: the model policy's).
    #[arg(long)]
    pub personal_below: Option<f32>,
}

fn json_lines(path: &Path) -> anyhow::Result<Vec<(Vec<u8>, Option<Value>)>> {
    let bytes = std::fs::read(path).with_context(|| format!("reading {}", path.display()))?;
    Ok(bytes
        .split(|b| *b == b'\n')
        .filter(|l| !l.iter().all(u8::is_ascii_whitespace))
        .map(|l| (l.to_vec(), serde_json::from_slice(l).ok()))
        .collect())
}

pub fn run(args: EvalArgs) -> anyhow::Result<ExitCode> {
    let rows = json_lines(&args.input)?;
    let gold: Vec<Gold> = rows
        .iter()
        .filter_map(|(_, v)| v.as_ref().and_then(Gold::from_value))
        .collect();
    let pred: Vec<Pred> = match &args.pred {
        Some(path) => json_lines(path)?
            .iter()
            .filter_map(|(_, v)| v.as_ref().and_then(Pred::from_value))
            .collect(),
        None => {
            let model = match &args.model {
                Some(p) => {
                    Some(std::fs::read(p).with_context(|| format!("reading {}", p.display()))?)
                }
                None => None,
            };
            let policy = ClassifierPolicy {
                personal_below: args.personal_below,
                ..Default::default()
            };
            let detector = super::detect::Detector {
                classifier: Classifier::new(&policy, model.as_deref(), None)?,
                alert: super::run::load_policy(None)?.alert,
            };
            // The same per-line detection as `wcp detect`; unreadable lines get no prediction.
            rows.iter()
                .filter_map(|(line, _)| super::detect::detect_line(&detector, line).ok())
                .filter_map(|v| Pred::from_value(&v))
                .collect()
        }
    };
    let report = evaluate(&gold, &pred);
    if args.json {
        println!("{}", serde_json::to_string_pretty(&report)?);
    } else {
        print!("{}", render_table(&report));
    }
    Ok(ExitCode::SUCCESS)
}
