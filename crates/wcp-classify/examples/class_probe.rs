//! Prints the business score of each line of a JSON Lines file (`{"id","text"}`) under a model
//! file from `wcp train` (or the built-in model), text only (neutral envelope), for threshold and
//! corpus sweeps without rebuilding `wcp`:
//! `cargo run --release -p wcp-classify --example class_probe -- FILE.jsonl [MODEL.wctm]`
//! Output: one `{"id", "business_score"}` per line.
use wcp_classify::{BusinessClassifier, EventContext, Policy};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let Some(input) = args.first() else {
        return Err("usage: class_probe FILE.jsonl [MODEL.wctm]".into());
    };
    let classifier = match args.get(1) {
        Some(path) => BusinessClassifier::from_bytes(&std::fs::read(path)?, Policy::default())?,
        None => BusinessClassifier::builtin(),
    };
    let ctx = EventContext::default();
    for line in std::fs::read_to_string(input)?.lines() {
        if line.trim().is_empty() {
            continue;
        }
        let row: serde_json::Value = serde_json::from_str(line)?;
        let text = row["text"].as_str().unwrap_or_default();
        let score = classifier.business_score(text, &ctx);
        println!(
            "{}",
            serde_json::json!({"id": row["id"], "business_score": score})
        );
    }
    Ok(())
}
