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
    // Before anything is created: what wcp writes holds chat content (trial 17a D9).
    wcp_runtime::private_files::owner_only();
    // A file-size limit fails the write (named, with the fix) rather than killing wcp.
    wcp_runtime::shutdown::file_size_limit_as_error();
    let result = cmd::env_case::check().and_then(|()| match cli.command {
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
    });
    match result {
        Ok(code) => code,
        Err(e) => {
            eprintln!("error: {e:#}");
            if let Some(s) = cmd::storage::problem(&e) {
                // A full or read-only volume: the error named the file; this names the
                // cause and the fix (exit 2, as for any output wcp cannot write).
                eprintln!("{}", cmd::storage::advice(s));
            }
            // An archive that fails verification (expiry refusing to run over it) is a
            // verification failure, exit 1 as the README says, not a usage error (trial 12a
            // D17).
            if not_verified(&e) {
                return ExitCode::from(1);
            }
            if archive_damaged(&e) {
                // Not a usage error: what a script checks for tampering is exit 1.
                eprintln!(
                    "the archive's database file is damaged (its bytes were changed outside the \
                     archive, or the disk damaged it): `wcp archive verify --db FILE` gives the \
                     report; preserve the file and restore from a verified copy \
                     (docs/RUNBOOK.md, WcpArchiveVerifyFailed)"
                );
                return ExitCode::from(1);
            }
            ExitCode::from(2)
        }
    }
}

/// True when an archive command refused because the archive fails verification.
fn not_verified(e: &anyhow::Error) -> bool {
    e.chain().any(|c| {
        matches!(
            c.downcast_ref::<wcp_archive::ArchiveError>(),
            Some(wcp_archive::ArchiveError::NotVerified(_))
        )
    })
}

/// True when SQLite stopped reading an archive because its file is damaged.
fn archive_damaged(e: &anyhow::Error) -> bool {
    e.chain()
        .filter_map(|c| c.downcast_ref::<wcp_archive::ArchiveError>())
        .any(|a| wcp_archive::verify::damaged_report(a).is_some())
}

#[cfg(test)]
mod damage_tests {
    use super::*;

    #[test]
    fn a_damaged_archive_is_told_apart_from_other_errors() {
        let sqlite = |code| {
            anyhow::Error::new(wcp_archive::ArchiveError::Sqlite(
                rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None),
            ))
        };
        // As `wcp archive search` returns it: with context around the archive's error.
        let e = sqlite(rusqlite::ffi::SQLITE_CORRUPT).context("searching out/archive-cn.db");
        assert!(archive_damaged(&e));
        assert!(archive_damaged(&sqlite(rusqlite::ffi::SQLITE_NOTADB)));
        assert!(!archive_damaged(&sqlite(rusqlite::ffi::SQLITE_BUSY)));
        assert!(!archive_damaged(&anyhow::anyhow!("no such file")));
    }
}
