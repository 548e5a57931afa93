//! Retrains the embedded risk models from `data/train/{risk,corpora}/*.jsonl` and writes
//! `crates/wcp-risk/models/risk_models.bin`. Run from anywhere:
//! `cargo run --release -p wcp-risk --example train_risk_models`.

use std::path::Path;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let crate_dir = Path::new(env!("CARGO_MANIFEST_DIR"));
    let data = wcp_risk::models::read_training_data()?;
    let bytes = wcp_risk::models::train_bundle(&data)?;
    let out = crate_dir.join("models/risk_models.bin");
    std::fs::write(&out, &bytes)?;
    eprintln!("wrote {} ({} bytes)", out.display(), bytes.len());
    Ok(())
}
