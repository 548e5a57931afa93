//! Over-masking of the anonymiser's recall pass (issue 13 item 6): how many messages with no
//! labelled PII get a span from `PiiDetector::anonymising()` that `PiiDetector::new()` does
//! not report (`with_recall_span`), and how many get any span at all (`with_any_span`). `anon_overmask SET.jsonl...` (score.py gold form) prints one JSON line;
//! `--list` also prints each such message's id and spans on stderr (development sets only).

use std::collections::HashSet;
use wcp_pii::PiiDetector;

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let list = args.iter().any(|a| a == "--list");
    let (plain, anon) = (PiiDetector::new(), PiiDetector::anonymising());
    let (mut clean, mut masked, mut any) = (0usize, 0usize, 0usize);
    for path in args.iter().filter(|a| *a != "--list") {
        let text = std::fs::read_to_string(path).unwrap_or_else(|e| {
            eprintln!("{path}: {e}");
            std::process::exit(2);
        });
        for line in text.lines().filter(|l| !l.trim().is_empty()) {
            let row: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(e) => {
                    eprintln!("{path}: {e}");
                    std::process::exit(2);
                }
            };
            if row["pii"].as_array().is_some_and(|a| !a.is_empty()) {
                continue;
            }
            clean += 1;
            let t = row["text"].as_str().unwrap_or("");
            let all = anon.detect(t);
            any += usize::from(!all.is_empty());
            let found: HashSet<(usize, usize)> =
                plain.detect(t).iter().map(|m| (m.start, m.end)).collect();
            let extra: Vec<String> = all
                .iter()
                .filter(|m| !found.contains(&(m.start, m.end)))
                .map(|m| format!("{}:{}", m.entity, &t[m.start..m.end]))
                .collect();
            if !extra.is_empty() {
                masked += 1;
                if list {
                    eprintln!(
                        "{}\t{}\t{t}",
                        row["id"].as_str().unwrap_or(""),
                        extra.join(" | ")
                    );
                }
            }
        }
    }
    println!(
        "{}",
        serde_json::json!({"no_pii_messages": clean, "with_any_span": any, "with_recall_span": masked})
    );
}
