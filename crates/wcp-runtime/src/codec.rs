//! Records in and out of Kafka through `wcp-schema` (Avro single-object encoding), dead
//! letters, and the policy / tenant key every stage service loads at start.

use wcp_model::DeadLetter;
use wcp_schema::Record;
use wcp_stages::key::TenantKey;
use wcp_stages::Policy;

use crate::config::Config;
use crate::error::RuntimeError;
use crate::record::{InRecord, OutRecord};

/// Logical name of the dead-letter topic.
pub const DLQ_TOPIC: &str = "chat.dlq";

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

/// The pipeline policy: `policy_file` when set, else the built-in one. Acknowledged
/// non-compliant settings are logged at every start (`Policy::warnings`).
pub fn policy(cfg: &Config) -> Result<Policy, RuntimeError> {
    let policy = match &cfg.policy_file {
        None => Policy::builtin(),
        Some(p) => {
            let text = std::fs::read_to_string(p).map_err(|e| {
                RuntimeError::Config(vec![format!("policy_file {}: {e}", p.display())])
            })?;
            Policy::from_toml(&text, &p.display().to_string())
                .map_err(|e| RuntimeError::Config(vec![format!("policy_file: {e}")]))?
        }
    };
    for w in policy.warnings() {
        tracing::warn!(policy = %w, "non-compliant policy setting");
    }
    Ok(policy)
}

/// The tenant pseudonymisation key: `anon_key_file`, else `$WCP_ANON_KEY`, parsed by
/// `wcp_stages::key::TenantKey` — the rules `wcp run` applies, so both runners pseudonymise
/// alike and refuse the same bad keys.
pub fn anon_key(cfg: &Config) -> Result<TenantKey, RuntimeError> {
    let bad = |e: wcp_stages::key::KeyError| RuntimeError::Config(vec![e.to_string()]);
    if let Some(f) = cfg.extra("anon_key_file") {
        let bytes = std::fs::read(f)
            .map_err(|e| RuntimeError::Config(vec![format!("anon_key_file {f}: {e}")]))?;
        return TenantKey::parse(&bytes, &format!("anon_key_file {f}")).map_err(bad);
    }
    match std::env::var("WCP_ANON_KEY") {
        Ok(k) => TenantKey::parse(k.as_bytes(), "WCP_ANON_KEY").map_err(bad),
        Err(_) => Err(RuntimeError::Config(vec![
            "a tenant key is required: set anon_key_file or WCP_ANON_KEY".into(),
        ])),
    }
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
