//! Records in and out of Kafka through `wcp-schema` (Avro single-object encoding) and dead
//! letters.

use wcp_model::topics;
use wcp_model::DeadLetter;
use wcp_schema::Record;

use crate::error::RuntimeError;
use crate::record::{InRecord, OutRecord};

/// Logical name of the dead-letter topic.
pub const DLQ_TOPIC: &str = topics::DLQ;

/// Decodes a record value; undecodable bytes are poison (`schema_decode`).
pub fn decode<T: Record>(rec: &InRecord) -> Result<T, RuntimeError> {
    wcp_schema::decode(rec.payload()).map_err(|e| RuntimeError::Poison {
        code: "schema_decode",
        detail: e.to_string(),
    })
}

/// Encodes `value` for `topic`.
pub fn encode<T: Record>(
    topic: &'static str,
    key: Option<Vec<u8>>,
    value: &T,
) -> Result<OutRecord, RuntimeError> {
    let bytes = wcp_schema::encode(value).map_err(|e| RuntimeError::Poison {
        code: "stage_error",
        detail: format!("cannot encode output: {e}"),
    })?;
    Ok(OutRecord::new(topic, key, bytes))
}

/// The `chat.dlq` record for a poison input: original bytes, source position, stage, reason.
pub fn dead_letter(
    rec: &InRecord,
    stage: &str,
    code: &str,
    detail: &str,
) -> Result<OutRecord, RuntimeError> {
    let dl = DeadLetter {
        original: rec.payload().to_vec(),
        source: format!("{}/{}/{}", rec.topic, rec.partition, rec.offset),
        stage: stage.to_string(),
        reason_code: code.to_string(),
        reason: detail.to_string(),
    };
    let bytes = wcp_schema::encode(&dl)
        .map_err(|e| RuntimeError::Fatal(format!("cannot encode a dead letter: {e}")))?;
    Ok(OutRecord::new(DLQ_TOPIC, rec.key.clone(), bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(value: &[u8]) -> InRecord {
        InRecord {
            topic: "p.chat.events".into(),
            partition: 2,
            offset: 41,
            key: Some(b"conv".to_vec()),
            value: Some(value.to_vec()),
            headers: vec![],
            timestamp_ms: None,
        }
    }

    #[test]
    fn undecodable_is_poison_and_dead_letter_keeps_bytes() {
        let r = rec(b"\x00garbage");
        let err = decode::<wcp_model::ChatEvent>(&r).unwrap_err();
        let RuntimeError::Poison { code, detail } = err else {
            panic!("not poison")
        };
        assert_eq!(code, "schema_decode");
        let out = dead_letter(&r, "classifier", code, &detail).unwrap();
        assert_eq!(out.topic, DLQ_TOPIC);
        let dl: DeadLetter = wcp_schema::decode(&out.value).unwrap();
        assert_eq!(dl.original, b"\x00garbage");
        assert_eq!(dl.source, "p.chat.events/2/41");
        assert_eq!(dl.reason_code, "schema_decode");
    }
}
