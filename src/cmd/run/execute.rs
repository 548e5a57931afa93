//! The run itself: consent known from earlier runs and from the whole input first, then
//! every line through `wcp_stages::pipeline` into the archives and the JSON Lines outputs.

use std::path::Path;

use anyhow::Context;
use serde_json::json;
use wcp_model::clock::now_ms;
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::classify::Classifier;
use wcp_stages::ingest::{seq_in_head, seq_of_line};
use wcp_stages::key::TenantKey;
use wcp_stages::pipeline::{Outcome, Pipeline};
use wcp_stages::Policy;

use super::archives::Archives;
use super::lines::{Line, Lines};
use super::outputs::{self, Sink, Writers};
use super::summary::Summary;
use crate::cmd::outdir::OutDir;

/// Runs the pipeline over the JSON lines of `input` into `out`; `source` names the input
/// in dead letters (`source:LINE`).
pub fn execute(
    input: &Path,
    source: &str,
    out: &mut OutDir,
    policy: Policy,
    key: &TenantKey,
    quarantine_key: Option<wcp_archive::seal::QuarantineKey>,
) -> anyhow::Result<Summary> {
    // Every record of this run is bounded by its start: nothing real is from the future.
    let capture_ms = now_ms();
    let max_record = policy.input.max_record_bytes;
    let duplicate_window = policy.input.duplicate_window;
    let classifier = Classifier::new(&policy.classifier, None, None)?;
    let alert_policy = policy.alert.clone();
    let anonymiser = Anonymiser::new(key.as_bytes(), policy.anonymise.clone());
    let mut pipeline = Pipeline::new(policy, classifier, anonymiser);
    let run_id = outputs::next_run_id(out.path())?;
    let mut summary = Summary {
        run_id: run_id.clone(),
        ..Summary::default()
    };
    outputs::log_run(
        out,
        &json!({"run_id": run_id, "event": "started", "input": source, "at_ms": capture_ms}),
    )?;

    // Consent is effective from its own time, wherever it sits: the ledger of earlier runs
    // into this folder, then every agree/disagree of this input, before any message is
    // gated (as the consent-gate service reads the compacted ledger ahead of its input).
    summary.ledger_records_loaded =
        outputs::each_ledger_record(out.path(), |r| pipeline.preload_consent(&r))?;
    // Flagged messages of earlier runs: a recall of one in this run alerts, as the alerter's
    // rebuild from chat.alerts makes it do across restarts.
    outputs::each_alert(out.path(), |a| pipeline.remember_alert(&a))?;
    preload_input_consent(&mut pipeline, input, max_record, capture_ms)?;

    // Messages earlier runs archived are known to the ingest step's re-sent window, as the
    // ingest service knows the tail of chat.events after a restart.
    for msgid in Archives::recent_msgids(out, duplicate_window)? {
        pipeline.remember_msgid(&msgid);
    }

    let mut writers = Writers::open(out, &run_id)?;
    let mut archives = Archives::new(quarantine_key);
    let progress = progress_bar(input);
    let mut lines = Lines::open(input, max_record)?;
    let mut last_line = 0;
    loop {
        progress.set_position(lines.position());
        let Some(line) = lines.next_line()? else {
            break;
        };
        summary.input_lines += 1;
        match line {
            Line::Oversize {
                no,
                start,
                len,
                head,
            } => {
                // The ingest step's decision, as on the bytes in the ingest service: its seq
                // observed (gap alert first), then the dead letter, streamed from the input,
                // and its archived copy (without the bytes: `dead_letters`).
                last_line = no;
                let src = format!("{source}:{no}");
                let (letter, alerts) = pipeline.oversize(&src, seq_in_head(head), len, capture_ms);
                for a in &alerts {
                    summary.alert(a);
                    writers.line(Sink::Alerts, a)?;
                }
                summary.dead_letter(&letter.reason_code);
                let print = writers.streamed_dead_letter(input, &letter, start, len)?;
                let kept = pipeline.streamed_dead_letter_for_archive(&letter, print, capture_ms);
                if !archives.has(out, &kept)? {
                    archives.push(out, kept, source, no, &mut summary)?;
                }
            }
            Line::Record { no, bytes } => {
                last_line = no;
                let src = format!("{source}:{no}");
                match pipeline.process(bytes, &src, seq_of_line(bytes), capture_ms) {
                    Outcome::DeadLetter { letter, alerts } => {
                        for a in &alerts {
                            summary.alert(a);
                            writers.line(Sink::Alerts, a)?;
                        }
                        summary.dead_letter(&letter.reason_code);
                        writers.line(Sink::DeadLetters, &letter)?;
                        // Kept in the region's archive too, sealed like quarantine (once:
                        // a re-run of the same file finds it there).
                        let kept = pipeline.dead_letter_for_archive(&letter, capture_ms);
                        if !archives.has(out, &kept)? {
                            archives.push(out, kept, source, no, &mut summary)?;
                        }
                    }
                    Outcome::Resent { alerts, .. } => {
                        // The ingest step's decision (as in the ingest service): only the
                        // gap alert a re-sent copy reveals; its first copy is archived.
                        for a in &alerts {
                            summary.alert(a);
                            writers.line(Sink::Alerts, a)?;
                        }
                        summary.duplicates_skipped += 1;
                    }
                    Outcome::Processed(p) => {
                        for a in &p.alerts {
                            summary.alert(a);
                            writers.line(Sink::Alerts, a)?;
                        }
                        summary.count(&p.enriched, &alert_policy);
                        if let Some(rec) = &p.ledger {
                            writers.line(Sink::Ledger, rec)?;
                        }
                        writers.line(Sink::Anonymised, &p.anonymised)?;
                        // One row per msgid, as the archiver keeps: a copy re-sent after
                        // more than `[input] duplicate_window` newer messages went through
                        // the steps again but is not archived twice.
                        if archives.has(out, &p.for_archive)? {
                            summary.already_archived += 1;
                        } else {
                            archives.push(out, p.for_archive, source, no, &mut summary)?;
                        }
                    }
                }
            }
        }
    }
    summary.blank_lines = lines.blank();
    archives.finish(source, last_line, &mut summary)?;
    progress.finish_and_clear();
    writers.finish()?;
    let summary_file = out.own(outputs::SUMMARY)?;
    std::fs::write(&summary_file, serde_json::to_vec_pretty(&summary)?)
        .with_context(|| format!("writing {}", summary_file.display()))?;
    outputs::log_run(
        out,
        &json!({"run_id": run_id, "event": "finished", "at_ms": now_ms(), "summary": &summary}),
    )?;
    anyhow::ensure!(
        summary.accounted() == summary.input_lines,
        "internal accounting error: {} lines in, {} accounted for",
        summary.input_lines,
        summary.accounted()
    );
    Ok(summary)
}

/// Every agree/disagree of `input` made known to `pipeline` (a first pass; its reader and
/// buffer are gone before the second pass starts).
fn preload_input_consent(
    pipeline: &mut Pipeline,
    input: &Path,
    max_record: u64,
    capture_ms: i64,
) -> anyhow::Result<()> {
    let mut lines = Lines::open(input, max_record)?;
    while let Some(line) = lines.next_line()? {
        if let Line::Record { bytes, .. } = line {
            if let Some(rec) = pipeline.consent_of(bytes, capture_ms) {
                pipeline.preload_consent(&rec);
            }
        }
    }
    Ok(())
}

/// Bytes, rate and ETA on a terminal; nothing when stderr is a file or pipe (CI, scripts).
fn progress_bar(input: &Path) -> indicatif::ProgressBar {
    use std::io::IsTerminal;
    if !std::io::stderr().is_terminal() {
        return indicatif::ProgressBar::hidden();
    }
    let len = std::fs::metadata(input).map(|m| m.len()).unwrap_or(0);
    let bar = indicatif::ProgressBar::new(len);
    if let Ok(style) = indicatif::ProgressStyle::with_template(
        "{bar:40} {bytes}/{total_bytes}  {bytes_per_sec}  ETA {eta}",
    ) {
        bar.set_style(style);
    }
    bar
}
