//! Read `{"id","text"}` JSON lines on stdin, write one detection record per line on stdout in
//! the shape `wcp detect` emits (PII offsets in CODE POINTS, as the scorer expects).
//!
//! `--all` reports overlapping candidates and `--min-score X` changes the threshold (the
//! Presidio side-by-side uses `--all --min-score 0`). `--quiet` only counts (throughput runs).
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
    let (mut n, mut found) = (0usize, 0usize);
    let t0 = std::time::Instant::now();
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
        n += 1;
        found += ms.len();
        if quiet {
            continue;
        }
        let cp = |b: usize| text[..b].chars().count();
        let pii: Vec<Value> = ms
            .iter()
            .map(|m| json!({"type": m.entity, "start": cp(m.start), "end": cp(m.end), "text": &text[m.start..m.end], "score": m.score}))
            .collect();
        let r = json!({"id": rec["id"], "class": "business", "business_score": 1.0, "risks": [], "pii": pii});
        let _ = writeln!(out, "{r}");
    }
    if quiet {
        let secs = t0.elapsed().as_secs_f64();
        let _ = writeln!(
            out,
            "{{\"messages\":{n},\"matches\":{found},\"seconds\":{secs:.6},\"msgs_per_s\":{:.0}}}",
            n as f64 / secs
        );
    }
}
