//! Input records for the stage services' tests (feature `test-support`, enabled by their
//! dev-dependency only): a raw WeCom message taken through the real stages up to the topic a
//! service reads, as the record the transactional loop hands it. One place, so every service
//! test builds its input alike and a new stage, field or header changes one function.

use wcp_model::{topics, ChatEvent, EnrichedEvent};
use wcp_runtime::record::InRecord;

/// The event `ingest` makes of `raw` (panics on a dead letter: test input is valid).
pub fn event(raw: &[u8]) -> ChatEvent {
    crate::ingest::ingest(raw, None)
        .expect("test input ingests")
        .event
}

/// `raw` ingested and classified by the built-in classifier.
pub fn classified(raw: &[u8]) -> EnrichedEvent {
    crate::classify::Classifier::builtin().classify(event(raw))
}

/// `value` encoded as the services write it, read from `topic`.
pub fn record<T: wcp_schema::Record>(topic: &str, value: &T) -> InRecord {
    InRecord::with_value(
        topic,
        wcp_schema::encode(value).expect("test value encodes"),
    )
}

/// `raw` as the ingest service reads it from the raw topic: with the capture's `seq` header
/// when given, and a broker timestamp.
pub fn raw(raw: &[u8], seq: Option<u64>) -> InRecord {
    let mut r = InRecord::with_value(topics::RAW, raw.to_vec());
    r.headers = seq
        .map(|s| vec![("seq".to_string(), s.to_string().into_bytes())])
        .unwrap_or_default();
    r.timestamp_ms = Some(1_732_600_050_000);
    r
}
