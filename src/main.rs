//! `wcp`: the command-line program. Each subcommand lives in `src/cmd/<name>.rs`; this file
//! only wires them. Exit codes: 0 ok, 1 findings / verification failure, 2 usage or input
//! error.

use std::process::ExitCode;

use clap::{Parser, Subcommand};

mod cmd;

#[derive(Parser)]
#[command(
    name = "wcp",
    version,
    about = "WeChat/WeCom compliance pipeline: classify, consent-check, retention-tag, archive, alert, anonymise",
    after_help = "Start here:  wcp demo"
)]
struct Cli {
    #[command(subcommand)]
    command: Command,
}

// Parsed once per process: the size of the largest variant does not matter.
#[allow(clippy::large_enum_variant)]
#[derive(Subcommand)]
enum Command {
    /// Show what wcp does on bundled sample data (no external services).
    Demo(cmd::demo::DemoArgs),
    /// Run the whole pipeline in one process over a file of raw WeCom JSON lines.
    Run(cmd::run::RunArgs),
    /// Detect PII, compliance risks and business/personal class in JSON Lines of {"id","text"}.
    Detect(cmd::detect::DetectArgs),
    /// Score detections against a labelled JSON Lines file (precision, recall, F1).
    Eval(cmd::eval::EvalArgs),
    /// Train the business/personal model reproducibly from labelled JSON Lines.
    Train(cmd::train::TrainArgs),
    /// Create the pipeline's Kafka topics (idempotent).
    Topics(cmd::topics::TopicsArgs),
    /// Verify, search, hold, expire and export a tamper-evident archive database.
    Archive(cmd::archive::ArchiveArgs),
    /// Send raw WeCom JSON lines (a file, or synthetic load) to the wecom.raw topic.
    Produce(cmd::produce::ProduceArgs),
    /// The review console (queue, alerts in their conversation, search, holds, export) over a `wcp run` folder.
    Review(cmd::review::ReviewArgs),
    /// Print the records of a wcp topic, decoded (Avro or raw JSON).
    Tail(cmd::tail::TailArgs),
    /// Consumer-group lag read from the broker (committed vs end offsets, oldest waiting record).
    Lag(cmd::lag::LagArgs),
}

fn main() -> ExitCode {
    let cli = Cli::parse();
    let result = match cli.command {
        Command::Demo(args) => cmd::demo::run(args),
        Command::Run(args) => cmd::run::run(args),
        Command::Detect(args) => cmd::detect::run(args),
        Command::Train(args) => cmd::train::run(args),
        Command::Eval(args) => cmd::eval::run(args),
        Command::Topics(args) => cmd::topics::run(args),
        Command::Produce(args) => cmd::produce::run(args),
        Command::Tail(args) => cmd::tail::run(args),
        Command::Lag(args) => cmd::lag::run(args),
        Command::Archive(args) => cmd::archive::run(args),
        Command::Review(args) => cmd::review::run(args),
    };
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            ExitCode::from(2)
        }
    }
}
