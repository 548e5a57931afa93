//! Interleaved A/B measurement of what the class model adds to the detection
//! stage (issue 5: at most 20% of the stage's throughput).
//!
//! Criterion runs its variants one after the other over a dozen repeated
//! lines; on a shared machine the load drifts between them and the weight
//! table stays hot. This alternates the variants over 500-line slices of the
//! (diverse) training corpus, many rounds, and keeps each variant's best
//! round, which filters out preemption by other processes.
//!
//! `cargo run --release -p wcp-classify --example stage_overhead`
use std::hint::black_box;
use std::time::Instant;
use wcp_classify::{BusinessClassifier, EventContext};

const CORPUS: &str = include_str!("../../../data/train/class/train.jsonl");
const SLICE: usize = 500;
const ROUNDS: usize = 400;

fn main() {
    let lines: Vec<String> = CORPUS
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["text"].as_str().map(str::to_string))
        .collect();
    let slices = lines.len() / SLICE;
    assert!(slices > 0, "corpus too small");
    let pii = wcp_pii::PiiDetector::new();
    let risk = wcp_risk::RiskEngine::builtin();
    let clf = BusinessClassifier::builtin();
    let ctx_of = |hits: usize| EventContext {
        risk_hits: hits.min(255) as u8,
        ..EventContext::default()
    };
    let mut best = [f64::MAX; 3];
    for round in 0..ROUNDS {
        let part = &lines[(round % slices) * SLICE..(round % slices + 1) * SLICE];
        let t = Instant::now();
        for l in part {
            black_box(pii.detect(l));
            black_box(risk.scan(l));
        }
        best[0] = best[0].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for l in part {
            black_box(pii.detect(l));
            let hits = risk.scan(l);
            black_box(clf.classify(l, &ctx_of(hits.len())));
        }
        best[1] = best[1].min(t.elapsed().as_secs_f64());
        let t = Instant::now();
        for l in part {
            black_box(pii.detect(l));
            let hits = risk.scan(l);
            black_box(clf.decide(l, &ctx_of(hits.len())));
        }
        best[2] = best[2].min(t.elapsed().as_secs_f64());
    }
    let rate = |s: f64| SLICE as f64 / s;
    println!(
        "stage without class model:        {:>9.0} msg/s",
        rate(best[0])
    );
    for (name, s) in [
        ("with classify (top features)", best[1]),
        ("with decide (score only)", best[2]),
    ] {
        println!(
            "stage {name:28} {:>9.0} msg/s ({:+.1}%)",
            rate(s),
            (best[0] / s - 1.0) * 100.0
        );
    }
}
