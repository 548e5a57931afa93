//! Read `{"id","text"}` JSON lines on stdin, write one detection record per line on stdout in
//! the shape `wcp detect` emits (PII offsets in CODE POINTS, as the scorer expects).
//!
//! `--all` reports overlapping candidates and `--min-score X` changes the threshold (the
//! Presidio side-by-side uses `--all --min-score 0`). `--quiet` reads every line first, then
//! times only detection (single thread) and prints one JSON summary line; `--repeat N`
//! runs the corpus N times in that mode.
use serde_json::{json, Value};
use std::io::{BufRead, Write};
use wcp_pii::PiiDetector;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let all = args.iter().any(|a| a == "--all");
    let quiet = args.iter().any(|a| a == "--quiet");
    let min = args
        .iter()
        .position(|a| a == "--min-score")
        .and_then(|i| args.get(i + 1))
        .and_then(|v| v.parse().ok());
    let mut det = PiiDetector::new();
    if let Some(m) = min {
        det = det.with_min_score(m);
    }
    let stdin = std::io::stdin();
    let stdout = std::io::stdout();
    let mut out = std::io::BufWriter::new(stdout.lock());
    if quiet {
        let repeat: usize = args
            .iter()
            .position(|a| a == "--repeat")
            .and_then(|i| args.get(i + 1))
            .and_then(|v| v.parse().ok())
            .unwrap_or(1);
        let texts: Vec<String> = stdin
            .lock()
            .lines()
            .map_while(Result::ok)
            .filter_map(|l| serde_json::from_str::<Value>(&l).ok())
            .filter_map(|r| r["text"].as_str().map(str::to_string))
            .collect();
        let (mut n, mut found) = (0usize, 0usize);
        let (t0, c0) = (std::time::Instant::now(), cpu_ns());
        for _ in 0..repeat {
            for t in &texts {
                found += if all {
                    det.detect_overlapping(t).len()
                } else {
                    det.detect(t).len()
                };
                n += 1;
            }
        }
        // CPU time of this thread when Linux tells it (the machine is shared), else wall time
        let secs = match (c0, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 / 1e9,
            _ => t0.elapsed().as_secs_f64(),
        };
        let _ = writeln!(
            out,
            "{{\"messages\":{n},\"matches\":{found},\"seconds\":{secs:.6},\"msgs_per_s\":{:.0}}}",
            n as f64 / secs
        );
        return;
    }
    for line in stdin.lock().lines() {
        let Ok(line) = line else { break };
        let Ok(rec) = serde_json::from_str::<Value>(&line) else {
            continue;
        };
        let text = rec["text"].as_str().unwrap_or("");
        let ms = if all {
            det.detect_overlapping(text)
        } else {
            det.detect(text)
        };
        let cp = |b: usize| text[..b].chars().count();
        let pii: Vec<Value> = ms
            .iter()
            .map(|m| json!({"type": m.entity, "start": cp(m.start), "end": cp(m.end), "text": &text[m.start..m.end], "score": m.score}))
            .collect();
        let r = json!({"id": rec["id"], "class": "business", "business_score": 1.0, "risks": [], "pii": pii});
        let _ = writeln!(out, "{r}");
    }
}

/// Nanoseconds this thread has run on a CPU (Linux schedstat), if available.
fn cpu_ns() -> Option<u64> {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}
