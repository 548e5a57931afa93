//! Calibration probe: for each JSON line (`{"id"?, "text", ...}`) of the files given, prints the
//! lexicon's categories (models off) and every model's (log-odds, evidence) as one JSON line,
//! so thresholds and evidence floors can be swept without retraining.
//! `cargo run --release -p wcp-risk --example risk_probe -- FILE... > probe.jsonl`

use wcp_risk::models::{content_chars, RiskModels};
use wcp_risk::normalize::normalize;
use wcp_risk::{RiskEngine, BUILTIN_POLICY};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let lexicon = RiskEngine::from_policy_toml(&BUILTIN_POLICY.replacen(
        "enabled = true",
        "enabled = false",
        1,
    ))?;
    let models = RiskModels::embedded();
    for path in std::env::args().skip(1) {
        for (i, line) in std::fs::read_to_string(&path)?.lines().enumerate() {
            let v: serde_json::Value = match serde_json::from_str(line) {
                Ok(v) => v,
                Err(_) => continue,
            };
            let Some(text) = v.get("text").and_then(|t| t.as_str()) else {
                continue;
            };
            let norm = normalize(text).text;
            let lex: Vec<&str> = lexicon
                .scan(text)
                .iter()
                .map(|m| m.category.as_str())
                .collect();
            let (gate, per) = models.probe(&norm);
            let out = serde_json::json!({
                "file": path, "line": i + 1, "id": v.get("id"), "risk": v.get("risk"),
                "split": v.get("split"), "chars": content_chars(&norm), "lex": lex,
                "gate": [gate.0, gate.1], "per": per.iter().map(|p| [p.0, p.1]).collect::<Vec<_>>(),
            });
            println!("{out}");
        }
    }
    Ok(())
}
