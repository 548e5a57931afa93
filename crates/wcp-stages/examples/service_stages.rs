//! What the classifier and anonymiser services spend per record on the pipeline bench's load
//! (`wcp produce --synthetic`, the same generator): their `Stage::process` without Kafka —
//! Avro decode, the stage with the service's defaults (built-in policy and model, the bench's
//! tenant key), Avro encode — in µs of CPU per record. Also prints a digest of every encoded
//! output, so a change can be checked to write the same bytes.
//!
//! `cargo run --release -p wcp-stages --example service_stages -- 20000 3` (events, default
//! 20,000; passes, default 3; the median pass is reported)
//!
//! In the pipeline the services share 2 cores with five others and the broker, so a batch
//! starts with caches the other processes filled. `THRASH_MB=64` (and `THRASH_EVERY=30`,
//! the default: the bench's batch size at 1,000 ev/s) writes over that many MB before every
//! `THRASH_EVERY` records and reports the wall time of the stage calls alone (µs per record;
//! noisy on a loaded machine): the stage with cold caches, closer to what the services'
//! `wcp_stage_duration_seconds` shows.

use sha2::{Digest, Sha256};
use wcp_model::{ChatEvent, EnrichedEvent};
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::classify::Classifier;
use wcp_stages::ingest::{IngestResult, IngestStep};
use wcp_stages::pipeline::{Outcome, Pipeline};
use wcp_stages::Policy;

#[path = "../../../src/cmd/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

/// benches/pipeline.sh's `ANON_KEY`.
const BENCH_KEY: &[u8] = b"be4c4e7e4a4e7c0123456789abcdef00";

#[path = "../../wcp-archive/examples/cpu/mod.rs"]
mod cpu;
use cpu::cpu_seconds;

/// The encoded inputs of the two services: `chat.events` records for the classifier and
/// `chat.tagged` records for the anonymiser, as the chain before them writes them.
fn inputs(n: usize, seed: u64) -> (Vec<Vec<u8>>, Vec<Vec<u8>>) {
    let key = wcp_stages::key::TenantKey::parse(BENCH_KEY, "bench").expect("bench key");
    let policy = Policy::builtin();
    let mut ingest = IngestStep::new(policy.input.clone());
    let classifier = Classifier::new(&policy.classifier, None, None).expect("classifier");
    let anonymiser = Anonymiser::new(key.as_bytes(), policy.anonymise.clone());
    let mut pipeline = Pipeline::new(policy, classifier, anonymiser);
    let mut synth = synthetic::Synth::new(seed, 1);
    let (mut events, mut tagged) = (Vec::new(), Vec::new());
    for i in 0..n as u64 {
        let (_, line) = synth.next_event();
        let capture_ms = 1_732_600_000_000 + i as i64 * 200;
        let ingested = ingest.process(line.as_bytes(), Some(i + 1), capture_ms);
        ingest.commit();
        if let IngestResult::Event(out) = ingested.result {
            events.push(wcp_schema::encode(&out.event).expect("encode event"));
        }
        if let Outcome::Processed(p) =
            pipeline.process(line.as_bytes(), "synthetic", Some(i + 1), capture_ms)
        {
            tagged.push(wcp_schema::encode(&p.enriched).expect("encode tagged"));
        }
    }
    (events, tagged)
}

/// One pass of `stage` over `records`: (µs per record, digest of the outputs): CPU time, or
/// with `THRASH_MB` the wall time of the stage calls after the caches were overwritten.
fn pass(records: &[Vec<u8>], mut stage: impl FnMut(&[u8]) -> Vec<u8>) -> (f64, String) {
    let mut digest = Sha256::new();
    let thrash_mb: usize = std::env::var("THRASH_MB")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0);
    let every: usize = std::env::var("THRASH_EVERY")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(30);
    let mut junk = vec![1u64; thrash_mb * 131_072];
    let mut wall = std::time::Duration::ZERO;
    let cpu = cpu_seconds();
    for (i, r) in records.iter().enumerate() {
        if thrash_mb > 0 && i % every == 0 {
            for x in junk.iter_mut().step_by(8) {
                *x = x.wrapping_mul(3);
            }
        }
        let t0 = std::time::Instant::now();
        let out = stage(r);
        wall += t0.elapsed();
        digest.update(out);
    }
    std::hint::black_box(&junk);
    let us = if thrash_mb > 0 {
        wall.as_secs_f64() * 1e6 / records.len() as f64
    } else {
        (cpu_seconds() - cpu) * 1e6 / records.len() as f64
    };
    let hex: String = digest.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect();
    (us, hex)
}

fn report(name: &str, mut runs: Vec<(f64, String)>) {
    runs.sort_by(|a, b| a.0.total_cmp(&b.0));
    let all: Vec<String> = runs.iter().map(|r| format!("{:.1}", r.0)).collect();
    let (median, digest) = &runs[runs.len() / 2];
    let what = if std::env::var_os("THRASH_MB").is_some() {
        "wall, cold caches"
    } else {
        "CPU"
    };
    println!(
        "{name}: {median:.1} µs {what} per record (median; passes {}), output digest {digest}",
        all.join(" ")
    );
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: usize = std::env::args().nth(1).map_or(Ok(20_000), |a| a.parse())?;
    let passes: usize = std::env::args().nth(2).map_or(Ok(3), |a| a.parse())?;
    let (events, tagged) = inputs(n, 11);
    println!(
        "{n} synthetic events (seed 11): {} chat.events records, {} chat.tagged records",
        events.len(),
        tagged.len()
    );
    let policy = Policy::builtin();
    let classifier = Classifier::new(&policy.classifier, None, None)?;
    let key = wcp_stages::key::TenantKey::parse(BENCH_KEY, "bench")?;
    let anonymiser = Anonymiser::new(key.as_bytes(), policy.anonymise.clone());
    let classify = |r: &[u8]| {
        let ev: ChatEvent = wcp_schema::decode(r).expect("decode");
        wcp_schema::encode(&classifier.classify(ev)).expect("encode")
    };
    let anonymise = |r: &[u8]| {
        let ev: EnrichedEvent = wcp_schema::decode(r).expect("decode");
        wcp_schema::encode(&anonymiser.anonymise(&ev)).expect("encode")
    };
    report(
        "classifier",
        (0..passes).map(|_| pass(&events, classify)).collect(),
    );
    report(
        "anonymiser",
        (0..passes).map(|_| pass(&tagged, anonymise)).collect(),
    );
    Ok(())
}
