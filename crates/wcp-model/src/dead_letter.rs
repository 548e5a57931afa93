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
}

impl DeadLetterReason {
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
        }
    }
}

/// A record for `chat.dlq`: the original bytes, where they came from and why they failed.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
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
