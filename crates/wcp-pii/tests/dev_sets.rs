//! Development-set floors, read from `../shared/data/eval` next to the repository; each test
//! skips (passes with a note) when the file is absent. Exact type + span match, code points,
//! over the types the file labels — as `shared/tools/score.py pii` counts.

use serde_json::Value;
use std::collections::HashSet;
use wcp_pii::PiiDetector;

type Span = (String, usize, usize);

fn load(name: &str) -> Option<Vec<Value>> {
    let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../../../shared/data/eval")
        .join(name);
    let text = std::fs::read_to_string(path).ok()?;
    Some(
        text.lines()
            .filter_map(|l| serde_json::from_str(l).ok())
            .collect(),
    )
}

/// F1 over the given types.
fn f1(rows: &[Value], types: &[&str]) -> f64 {
    let det = PiiDetector::new();
    let (mut tp, mut fp, mut fnn) = (0usize, 0usize, 0usize);
    for r in rows {
        let text = r["text"].as_str().unwrap_or("");
        let gold: HashSet<Span> = r["pii"]
            .as_array()
            .into_iter()
            .flatten()
            .filter(|s| types.contains(&s["type"].as_str().unwrap_or("")))
            .map(|s| {
                (
                    s["type"].as_str().unwrap_or("").to_string(),
                    s["start"].as_u64().unwrap_or(0) as usize,
                    s["end"].as_u64().unwrap_or(0) as usize,
                )
            })
            .collect();
        let cp = |b: usize| text[..b].chars().count();
        let pred: HashSet<Span> = det
            .detect(text)
            .into_iter()
            .filter(|m| types.contains(&m.entity))
            .map(|m| (m.entity.to_string(), cp(m.start), cp(m.end)))
            .collect();
        tp += gold.intersection(&pred).count();
        fp += pred.difference(&gold).count();
        fnn += gold.difference(&pred).count();
    }
    let p = tp as f64 / (tp + fp).max(1) as f64;
    let r = tp as f64 / (tp + fnn).max(1) as f64;
    2.0 * p * r / (p + r).max(f64::EPSILON)
}

const CHAT_PATTERN: &[&str] = &[
    "CN_RESIDENT_ID",
    "PHONE_NUMBER",
    "CREDIT_CARD",
    "EMAIL_ADDRESS",
    "IP_ADDRESS",
    "CN_PASSPORT",
    "IBAN_CODE",
    "US_SSN",
    "CN_USCC",
    "WECHAT_ID",
];

#[test]
fn chat_dev_floors() {
    let Some(rows) = load("chat_dev.jsonl") else {
        eprintln!("chat_dev.jsonl absent: skipped");
        return;
    };
    let pat = f1(&rows, CHAT_PATTERN);
    let mut all = CHAT_PATTERN.to_vec();
    all.extend(["PERSON", "LOCATION"]);
    let every = f1(&rows, &all);
    assert!(pat >= 0.97, "pattern F1 {pat:.3}");
    assert!(every >= 0.90, "all-types F1 {every:.3}");
}

#[test]
fn pii_en_synth_floors() {
    let Some(rows) = load("pii_en_synth.jsonl") else {
        eprintln!("pii_en_synth.jsonl absent: skipped");
        return;
    };
    for t in [
        "EMAIL_ADDRESS",
        "PHONE_NUMBER",
        "CREDIT_CARD",
        "IBAN_CODE",
        "US_SSN",
        "IP_ADDRESS",
    ] {
        let f = f1(&rows, &[t]);
        assert!(f >= 0.95, "{t} F1 {f:.3}");
    }
}
