//! The one error type of the wire crate.
//!
//! For the runtime every variant is **poison**: the bytes will never decode, however often
//! they are retried, so the record goes to `chat.dlq` with its original bytes and
//! [`WireError::code`] as the reason code, and the offset moves on. The one exception is
//! [`WireError::UnknownSchemaId`] under Confluent framing: fetch that id from the registry,
//! add it to the [`crate::RegistrySchemas`] and retry; it is poison only when the registry
//! does not know the id either.

/// Why bytes could not be framed or decoded, or a value could not be encoded.
///
/// Messages never contain record content: chat text and ids must not reach logs
/// (see [`sanitize_avro`] for errors coming from the Avro library).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum WireError {
    #[error("bytes do not start with a known framing marker (Avro single-object C3 01, or Confluent 00)")]
    BadMarker,
    #[error("input of {len} bytes is shorter than its {needed}-byte framing header")]
    Truncated { len: usize, needed: usize },
    #[error("record body of {len} bytes ends before the record does")]
    BodyTruncated { len: usize },
    #[error("schema fingerprint {0:#018x} is not a known revision of any wcp record")]
    UnknownFingerprint(u64),
    #[error("record is a {found}, expected a {expected}")]
    WrongRecord {
        expected: &'static str,
        found: &'static str,
    },
    #[error("Confluent schema id {0} is not among the supplied registry schemas")]
    UnknownSchemaId(u32),
    #[error("Avro: {0}")]
    Avro(String),
    #[error("{len} bytes left over after the record")]
    TrailingBytes { len: usize },
    #[error("{record}.{field}: {problem}")]
    Shape {
        record: &'static str,
        field: &'static str,
        problem: String,
    },
}

impl WireError {
    /// Stable label for metrics and the dead letter's `reason_code`.
    pub fn code(&self) -> &'static str {
        match self {
            WireError::BadMarker => "bad_marker",
            WireError::Truncated { .. } | WireError::BodyTruncated { .. } => "truncated",
            WireError::UnknownFingerprint(_) => "unknown_fingerprint",
            WireError::WrongRecord { .. } => "wrong_record",
            WireError::UnknownSchemaId(_) => "unknown_schema_id",
            WireError::Avro(_) => "avro",
            WireError::TrailingBytes { .. } => "trailing_bytes",
            WireError::Shape { .. } => "shape",
        }
    }

    pub(crate) fn shape(
        record: &'static str,
        field: &'static str,
        problem: impl Into<String>,
    ) -> Self {
        WireError::Shape {
            record,
            field,
            problem: problem.into(),
        }
    }
}

impl From<apache_avro::Error> for WireError {
    fn from(e: apache_avro::Error) -> Self {
        WireError::Avro(sanitize_avro(&e.to_string()))
    }
}

/// Keep the fixed prefix of an Avro library message and drop the rest: many of its messages
/// end with a `Debug` dump of the offending value (`got: String("…")`), which may be chat
/// content or PII.
pub fn sanitize_avro(message: &str) -> String {
    let cut = [": ", "(", "{", "\"", ", got", "'"]
        .iter()
        .filter_map(|pat| message.find(pat))
        .min()
        .unwrap_or(message.len());
    message[..cut].trim_end().to_string()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sanitize_drops_value_dumps() {
        let m = r#"Expected Value::String, Value::Bytes or Value::Fixed, got: Int(5)"#;
        assert_eq!(
            sanitize_avro(m),
            "Expected Value::String, Value::Bytes or Value::Fixed"
        );
        let m = r#"Value Record([("text", String("身份证 110101199003078515"))]) does not match"#;
        assert!(!sanitize_avro(m).contains("110101"));
        assert_eq!(
            sanitize_avro("Failed to read bytes"),
            "Failed to read bytes"
        );
    }
}
