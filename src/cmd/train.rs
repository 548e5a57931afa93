//! `wcp train`: trains the business/personal model from labelled JSON Lines,
//! reproducibly (same data and seed → same model bytes).

use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use wcp_classify::corpus::{parse_corpus, train_config, DEFAULT_SEED};

#[derive(Args)]
#[command(
    after_help = "Example:\n  wcp train --data data/train/class/train.jsonl --out business.wctm\n  \
    then set classifier.model_file = \"business.wctm\" in the pipeline policy"
)]
pub struct TrainArgs {
    /// JSON Lines of {"text", "class": "business"|"personal"|"mixed", "ctx"?}; mixed rows are skipped.
    #[arg(long)]
    pub data: PathBuf,
    /// Where to write the model.
    #[arg(long)]
    pub out: PathBuf,
    /// Shuffling seed; the shipped model uses the default.
    #[arg(long, default_value_t = DEFAULT_SEED)]
    pub seed: u64,
    /// Replace `--out` when it is an existing wcp model (any other file is never replaced).
    #[arg(long)]
    pub force: bool,
}

/// `--out` may be written: new, or a wcp model being replaced with `--force`.
fn check_out(args: &TrainArgs) -> anyhow::Result<()> {
    let Ok(existing) = std::fs::read(&args.out) else {
        return Ok(());
    };
    if !args.force {
        anyhow::bail!(
            "{} exists: not overwritten (give --force to replace a wcp model)",
            args.out.display()
        );
    }
    if wcp_textmodel::Model::from_bytes(&existing).is_err() {
        anyhow::bail!(
            "{} exists and is not a wcp model: not overwritten, even with --force",
            args.out.display()
        );
    }
    Ok(())
}

pub fn run(args: TrainArgs) -> anyhow::Result<ExitCode> {
    check_out(&args)?;
    let text = std::fs::read_to_string(&args.data)
        .with_context(|| format!("reading {}", args.data.display()))?;
    let corpus = parse_corpus(&text).with_context(|| format!("parsing {}", args.data.display()))?;
    let model = wcp_textmodel::train(&corpus.examples, &train_config(args.seed))?;
    let bytes = model.to_bytes();
    std::fs::write(&args.out, &bytes).with_context(|| format!("writing {}", args.out.display()))?;
    let business = corpus.examples.iter().filter(|e| e.label).count();
    eprintln!(
        "trained on {} examples ({business} business, {} personal, {} mixed skipped): {} non-zero weights, {} bytes -> {}",
        corpus.examples.len(),
        corpus.examples.len() - business,
        corpus.skipped_mixed,
        model.nonzero(),
        bytes.len(),
        args.out.display()
    );
    Ok(ExitCode::SUCCESS)
}
