//! The committed model bundle is exactly what the trainer makes from `data/train/risk`.

use wcp_risk::models::{read_training_data, train_bundle, RiskModels, EMBEDDED};

#[test]
fn retraining_reproduces_the_embedded_bundle_byte_for_byte() {
    let data = read_training_data().expect("training data is in the repository");
    let bytes = train_bundle(&data).expect("training succeeds");
    assert!(
        bytes == EMBEDDED,
        "models/risk_models.bin is stale: run `cargo run --release -p wcp-risk --example train_risk_models`"
    );
}

#[test]
fn bundle_decoding_rejects_damage() {
    assert!(RiskModels::from_bytes(EMBEDDED).is_ok());
    assert!(RiskModels::from_bytes(&EMBEDDED[..EMBEDDED.len() - 1]).is_err());
    assert!(RiskModels::from_bytes(b"XXXX\x01\x00\x0a\x00").is_err());
    let mut bad = EMBEDDED.to_vec();
    bad[20] ^= 0xff;
    assert!(RiskModels::from_bytes(&bad).is_err());
}

#[test]
fn training_data_errors_name_the_line() {
    let e = train_bundle("{\"text\":\"a\",\"risk\":[]}\nnot json\n")
        .err()
        .unwrap();
    assert!(e.to_string().contains("line 2"), "{e}");
    let e = train_bundle("{\"text\":\"a\",\"risk\":[\"nope\"]}\n")
        .err()
        .unwrap();
    assert!(e.to_string().contains("line 1"), "{e}");
}
