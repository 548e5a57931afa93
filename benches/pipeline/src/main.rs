//! `wcp-bench-measure`, the measuring side of `benches/pipeline.sh` (see docs/TESTING.md).
//!
//! `measure`: positions a read_committed consumer at the end of every topic of the chain,
//! writes `--ready-file`, notes each record's Kafka timestamp and receive time until the
//! input's `--total` events went through, then reads the event ids back and prints one JSON
//! phase report (per-hop and end-to-end figures of the events after the first `--warmup`).
//! `summary FILE...`: the tables over every report in the files, median [min–max] over runs;
//! exit code 1 when a run's load generator fell more than 5% short of its rate.

use std::collections::HashMap;
use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Duration;

mod kafka;
mod scrape;

use clap::{Parser, Subcommand};
use kafka::{Format, Sighting};
use wcp_bench_pipeline::{analyse, service, summary, PhaseReport, Seen, Trace};
use wcp_model::topics;

/// The chain's topics, input first; both chains have the pipeline's 5 hops.
const CHAIN: &[&str] = &[
    topics::RAW,
    topics::EVENTS,
    topics::CLASSIFIED,
    topics::CONSENTED,
    topics::TAGGED,
    topics::ANONYMISED,
];

#[derive(Parser)]
#[command(about = "Measuring side of benches/pipeline.sh")]
struct Cli {
    #[command(subcommand)]
    cmd: Cmd,
}

#[derive(Subcommand)]
enum Cmd {
    /// Measure one phase; prints its JSON report on stdout.
    Measure {
        #[arg(long)]
        bootstrap: String,
        #[arg(long, default_value = "")]
        prefix: String,
        /// `pipeline` (Avro records after wecom.raw) or `passthrough` (raw JSON throughout).
        #[arg(long)]
        chain: String,
        /// Label of the phase, e.g. `5000/s` or `max`.
        #[arg(long)]
        phase: String,
        /// Requested input rate (events/s); none for as fast as possible.
        #[arg(long)]
        rate: Option<f64>,
        /// Events produced first and left out of the figures (seq ≤ warmup).
        #[arg(long, default_value_t = 0)]
        warmup: u64,
        /// Events produced in all (warm-up included).
        #[arg(long)]
        total: u64,
        /// Written once the consumer is positioned; the runner starts producing then.
        #[arg(long)]
        ready_file: PathBuf,
        #[arg(long, default_value_t = 5)]
        idle_s: u64,
        #[arg(long, default_value_t = 900)]
        timeout_s: u64,
        /// The runner's list of the chain's services (`pid port input name log` lines):
        /// their /metrics and CPU time are read when positioned and when the phase ends.
        #[arg(long)]
        services: Option<PathBuf>,
        /// Free text kept with the report (date, load average, settings).
        #[arg(long, default_value = "")]
        context: String,
    },
    /// Tables over the JSON reports in FILES (one per line).
    Summary { files: Vec<PathBuf> },
}

fn main() -> anyhow::Result<ExitCode> {
    match Cli::parse().cmd {
        Cmd::Summary { files } => {
            let mut reports = Vec::new();
            for f in &files {
                for line in std::fs::read_to_string(f)?.lines() {
                    if line.trim_start().starts_with('{') {
                        reports.push(serde_json::from_str::<PhaseReport>(line)?);
                    }
                }
            }
            let (text, ok) = summary::render(&reports);
            print!("{text}");
            Ok(if ok {
                ExitCode::SUCCESS
            } else {
                ExitCode::FAILURE
            })
        }
        Cmd::Measure {
            bootstrap,
            prefix,
            chain,
            phase,
            rate,
            warmup,
            total,
            ready_file,
            idle_s,
            timeout_s,
            services,
            context,
        } => {
            let topics: Vec<String> = CHAIN.iter().map(|t| format!("{prefix}{t}")).collect();
            let consumer = kafka::at_end(&bootstrap, &topics)?;
            let services = match &services {
                Some(f) => scrape::read_services(f)?,
                None => Vec::new(),
            };
            let before: Vec<_> = services
                .iter()
                .map(|s| scrape::scrape(s, kafka::now_ms() as f64 / 1e3))
                .collect();
            std::fs::write(&ready_file, b"positioned\n")?;
            let seen = kafka::watch(
                &consumer,
                &topics,
                total,
                Duration::from_secs(idle_s),
                Duration::from_secs(timeout_s),
            );
            drop(consumer);
            // CPU over the time records flowed: the idle tail that ends the watch is left out.
            let last_s = seen.iter().map(|s| s.recv_ms).max().unwrap_or(0) as f64 / 1e3;
            let mut service_reports = Vec::new();
            for (s, a) in services.iter().zip(&before) {
                match (a, scrape::scrape(s, last_s)) {
                    (Some(a), Some(b)) => {
                        service_reports.push(service::delta(&s.name, &s.input, a, &b))
                    }
                    _ => eprintln!("measure: could not scrape {} (port {})", s.name, s.port),
                }
            }
            let names: Vec<String> = CHAIN.iter().map(|t| t.to_string()).collect();
            let traces = traces(&bootstrap, &chain, &topics, &seen, warmup)?;
            let mut report = analyse(&chain, &phase, rate, &names, &traces);
            report.context = context;
            report.services = service_reports;
            eprintln!(
                "measure: {chain} {phase}: {} events measured ({} reached the end), produced at {:.0} ev/s, \
                 end to end p50 {} ms p99 {} ms max {} ms, throughput {:.0} ev/s",
                report.events,
                report.reached_end,
                report.achieved_rate,
                report.end_to_end.p50,
                report.end_to_end.p99,
                report.end_to_end.max,
                report.throughput_eps
            );
            println!("{}", serde_json::to_string(&report)?);
            Ok(ExitCode::SUCCESS)
        }
    }
}

/// Joins the sightings into one trace per measured event (seq > warmup on the input topic).
fn traces(
    bootstrap: &str,
    chain: &str,
    topics: &[String],
    seen: &[Sighting],
    warmup: u64,
) -> anyhow::Result<Vec<Trace>> {
    let mut ids: Vec<HashMap<(i32, i64), String>> = Vec::with_capacity(topics.len());
    for (i, topic) in topics.iter().enumerate() {
        let mut ranges: HashMap<i32, (i64, i64)> = HashMap::new();
        for s in seen.iter().filter(|s| s.topic == i) {
            let r = ranges.entry(s.partition).or_insert((s.offset, s.offset));
            *r = (r.0.min(s.offset), r.1.max(s.offset));
        }
        let format = if chain == "pipeline" {
            Format::of_pipeline_topic(CHAIN[i])
        } else {
            Format::RawJson
        };
        ids.push(kafka::msgids(bootstrap, topic, format, &ranges)?);
    }
    let mut index: HashMap<&str, usize> = HashMap::new();
    let mut out: Vec<Trace> = Vec::new();
    for s in seen
        .iter()
        .filter(|s| s.topic == 0 && s.seq.is_some_and(|q| q > warmup))
    {
        if let Some(id) = ids[0].get(&(s.partition, s.offset)) {
            index.entry(id).or_insert_with(|| {
                out.push(vec![None; topics.len()]);
                out.len() - 1
            });
        }
    }
    for s in seen {
        let Some(&k) = ids[s.topic]
            .get(&(s.partition, s.offset))
            .and_then(|id| index.get(id.as_str()))
        else {
            continue;
        };
        // The first time an event became visible on a topic counts.
        out[k][s.topic].get_or_insert(Seen {
            create_ms: s.create_ms,
            recv_ms: s.recv_ms,
        });
    }
    Ok(out)
}
