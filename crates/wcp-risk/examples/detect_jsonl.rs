//! Risk-only stand-in for `wcp detect`: reads `{"id","text"}` JSON Lines on stdin (or the file
//! given as the first argument) and prints the DESIGN.md detect shape with `risks` filled
//! (code-point offsets), for `score.py risk`.
//! `cargo run --release -p wcp-risk --example detect_jsonl -- chat_dev.jsonl [policy.toml] > pred.jsonl`
//! Set `WCP_RISK_EXPLAIN=1` to add each match's rule id and explanation.

use std::io::{BufRead, Write};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let engine = match std::env::args().nth(2) {
        Some(p) => wcp_risk::RiskEngine::from_policy_toml(&std::fs::read_to_string(p)?)?,
        None => wcp_risk::RiskEngine::builtin(),
    };
    let input: Box<dyn BufRead> = match std::env::args().nth(1).filter(|a| a != "-") {
        Some(p) => Box::new(std::io::BufReader::new(std::fs::File::open(p)?)),
        None => Box::new(std::io::stdin().lock()),
    };
    let mut out = std::io::BufWriter::new(std::io::stdout().lock());
    let verbose = std::env::var_os("WCP_RISK_EXPLAIN").is_some();
    for (n, line) in input.lines().enumerate() {
        let line = line?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = match serde_json::from_str(&line) {
            Ok(v) => v,
            Err(e) => {
                writeln!(
                    out,
                    "{}",
                    serde_json::json!({"error": format!("line {}: {e}", n + 1)})
                )?;
                continue;
            }
        };
        let text = v["text"].as_str().unwrap_or_default();
        let cp = |b: usize| text[..b].chars().count();
        let risks: Vec<serde_json::Value> = engine
            .scan(text)
            .into_iter()
            .map(|m| {
                let mut r = serde_json::json!({
                    "category": m.category.as_str(),
                    "start": cp(m.start),
                    "end": cp(m.end),
                    "text": &text[m.start..m.end],
                });
                if verbose {
                    r["rule_id"] = m.rule_id.into();
                    r["explanation"] = m.explanation.into();
                }
                r
            })
            .collect();
        let rec = serde_json::json!({"id": v["id"], "class": "business", "business_score": 1.0, "risks": risks, "pii": []});
        writeln!(out, "{rec}")?;
    }
    Ok(())
}
