//! Why an input could not become an event. Every dead letter keeps the original bytes.

use serde::{Deserialize, Serialize};

/// A closed set of reasons; the `code` is a metric label and a filter key, `detail` is for the
/// person who has to fix the producer (never contains chat content).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error, Serialize, Deserialize)]
#[serde(tag = "code", rename_all = "snake_case")]
pub enum DeadLetterReason {
    #[error("input is not valid UTF-8 (first bad byte at offset {valid_up_to})")]
    InvalidUtf8 { valid_up_to: usize },
    #[error("input is not valid JSON: {message} (line {line}, column {column})")]
    InvalidJson {
        message: String,
        line: usize,
        column: usize,
    },
    #[error("input is JSON but not an object (found {found}); a WeCom message is a JSON object")]
    NotAnObject { found: String },
    #[error("required field `{field}` is missing")]
    MissingField { field: String },
    #[error("field `{field}` is invalid: {problem}")]
    InvalidField { field: String, problem: String },
    #[error("record could not be decoded: {message}")]
    SchemaDecode { message: String },
    #[error("stage failed on this record: {message}")]
    StageError { message: String },
    #[error(
        "record is {bytes} bytes, over the limit of {limit} bytes (policy input.max_record_bytes)"
    )]
    RecordTooLarge { bytes: u64, limit: u64 },
    /// `written`: the value as the record holds it (not the milliseconds read from it, which
    /// are clamped for a number beyond i64); `rule`: which bound it breaks (trial 17a D7).
    #[error("field `{field}` is {written} as written: {rule}; accepted from {earliest} to {latest}, in epoch milliseconds or seconds (policy [input])")]
    TimeOutOfRange {
        field: String,
        written: String,
        rule: String,
        earliest: String,
        latest: String,
    },
    #[error("id field `{field}` is unusable: {problem} (policy input.max_id_chars)")]
    InvalidId { field: String, problem: String },
}

impl DeadLetterReason {
    /// Every `code()`, in declaration order: the label values metrics show from the start.
    pub const CODES: [&'static str; 10] = [
        "invalid_utf8",
        "invalid_json",
        "not_an_object",
        "missing_field",
        "invalid_field",
        "schema_decode",
        "stage_error",
        "record_too_large",
        "time_out_of_range",
        "invalid_id",
    ];

    /// Stable label for metrics, summaries and the `chat.dlq` record.
    pub fn code(&self) -> &'static str {
        match self {
            DeadLetterReason::InvalidUtf8 { .. } => "invalid_utf8",
            DeadLetterReason::InvalidJson { .. } => "invalid_json",
            DeadLetterReason::NotAnObject { .. } => "not_an_object",
            DeadLetterReason::MissingField { .. } => "missing_field",
            DeadLetterReason::InvalidField { .. } => "invalid_field",
            DeadLetterReason::SchemaDecode { .. } => "schema_decode",
            DeadLetterReason::StageError { .. } => "stage_error",
            DeadLetterReason::RecordTooLarge { .. } => "record_too_large",
            DeadLetterReason::TimeOutOfRange { .. } => "time_out_of_range",
            DeadLetterReason::InvalidId { .. } => "invalid_id",
        }
    }
}

/// A record for `chat.dlq`: the original bytes, where they came from and why they failed.
///
/// In Avro (`chat.dlq`) `original` is plain bytes. In JSON (`wcp run`'s `dead_letters.jsonl`)
/// it is the text itself when the bytes are valid UTF-8 and base64 otherwise, with
/// `original_encoding` (`utf8` | `base64`) saying which: exact, readable, and a quarter of
/// the size of serde's default array of numbers.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
#[serde(into = "json::DeadLetterJson", try_from = "json::DeadLetterJson")]
pub struct DeadLetter {
    pub original: Vec<u8>,
    /// Where the bytes came from: `file:LINE` for files, `topic/partition/offset` for Kafka.
    pub source: String,
    /// Stage that rejected it (`ingest`, `classifier`, ...).
    pub stage: String,
    pub reason_code: String,
    pub reason: String,
}

impl DeadLetter {
    pub fn new(original: Vec<u8>, source: String, stage: &str, reason: &DeadLetterReason) -> Self {
        DeadLetter {
            original,
            source,
            stage: stage.to_string(),
            reason_code: reason.code().to_string(),
            reason: reason.to_string(),
        }
    }
}

/// Encoding of `original` in the JSON form.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum OriginalEncoding {
    Utf8,
    Base64,
}

impl OriginalEncoding {
    /// How `bytes` are written in JSON: as text when they are UTF-8.
    pub fn of(bytes: &[u8]) -> OriginalEncoding {
        if std::str::from_utf8(bytes).is_ok() {
            OriginalEncoding::Utf8
        } else {
            OriginalEncoding::Base64
        }
    }
}

mod json {
    use base64::prelude::{Engine as _, BASE64_STANDARD};
    use serde::{Deserialize, Serialize};

    use super::{DeadLetter, OriginalEncoding};

    /// Field order of the JSON line: the reason first, for people reading the file.
    #[derive(Serialize, Deserialize)]
    pub struct DeadLetterJson {
        source: String,
        stage: String,
        reason_code: String,
        reason: String,
        original_encoding: OriginalEncoding,
        original: String,
    }

    impl From<DeadLetter> for DeadLetterJson {
        fn from(d: DeadLetter) -> Self {
            let (original_encoding, original) = match String::from_utf8(d.original) {
                Ok(text) => (OriginalEncoding::Utf8, text),
                Err(e) => (
                    OriginalEncoding::Base64,
                    BASE64_STANDARD.encode(e.as_bytes()),
                ),
            };
            DeadLetterJson {
                source: d.source,
                stage: d.stage,
                reason_code: d.reason_code,
                reason: d.reason,
                original_encoding,
                original,
            }
        }
    }

    impl TryFrom<DeadLetterJson> for DeadLetter {
        type Error = String;
        fn try_from(j: DeadLetterJson) -> Result<Self, String> {
            let original = match j.original_encoding {
                OriginalEncoding::Utf8 => j.original.into_bytes(),
                OriginalEncoding::Base64 => BASE64_STANDARD
                    .decode(j.original.as_bytes())
                    .map_err(|e| format!("original: invalid base64: {e}"))?,
            };
            Ok(DeadLetter {
                original,
                source: j.source,
                stage: j.stage,
                reason_code: j.reason_code,
                reason: j.reason,
            })
        }
    }
}

impl std::fmt::Debug for DeadLetter {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("DeadLetter")
            .field("source", &self.source)
            .field("stage", &self.stage)
            .field("reason_code", &self.reason_code)
            .field(
                "original",
                &format_args!("<{} bytes redacted>", self.original.len()),
            )
            .finish()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_keeps_text_readable_and_other_bytes_exact() {
        let reason = DeadLetterReason::MissingField {
            field: "msgid".into(),
        };
        for (bytes, enc) in [
            (b"{\"a\":\"\xe4\xbd\xa0\"}".to_vec(), "utf8"),
            (vec![0xff, 0x00, b'{', 0xc3], "base64"),
        ] {
            let dl = DeadLetter::new(bytes.clone(), "f:1".into(), "ingest", &reason);
            let json = serde_json::to_value(&dl).unwrap();
            assert_eq!(json["original_encoding"], enc);
            assert!(json["original"].is_string());
            let back: DeadLetter = serde_json::from_value(json).unwrap();
            assert_eq!(back, dl);
        }
        let text = serde_json::to_string(&DeadLetter::new(
            "你好".as_bytes().to_vec(),
            "f:1".into(),
            "ingest",
            &reason,
        ))
        .unwrap();
        assert!(text.contains("\"original\":\"你好\""), "{text}");
    }

    #[test]
    fn codes_lists_every_reason() {
        let s = String::new;
        let all = [
            DeadLetterReason::InvalidUtf8 { valid_up_to: 0 },
            DeadLetterReason::InvalidJson {
                message: s(),
                line: 0,
                column: 0,
            },
            DeadLetterReason::NotAnObject { found: s() },
            DeadLetterReason::MissingField { field: s() },
            DeadLetterReason::InvalidField {
                field: s(),
                problem: s(),
            },
            DeadLetterReason::SchemaDecode { message: s() },
            DeadLetterReason::StageError { message: s() },
            DeadLetterReason::RecordTooLarge { bytes: 0, limit: 0 },
            DeadLetterReason::TimeOutOfRange {
                field: s(),
                written: s(),
                rule: s(),
                earliest: s(),
                latest: s(),
            },
            DeadLetterReason::InvalidId {
                field: s(),
                problem: s(),
            },
        ];
        let codes: Vec<&str> = all.iter().map(DeadLetterReason::code).collect();
        assert_eq!(codes, DeadLetterReason::CODES);
    }

    #[test]
    fn new_reason_codes() {
        let r = DeadLetterReason::RecordTooLarge {
            bytes: 20,
            limit: 10,
        };
        assert_eq!(r.code(), "record_too_large");
        assert!(r.to_string().contains("max_record_bytes"));
    }
}
