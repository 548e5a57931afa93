//! Owned records passed between the Kafka loop and a stage, and the stage interface.

use crate::error::RuntimeError;

/// Header carrying the Kafka timestamp (ms) of the originating `wecom.raw` record, copied
/// hop to hop so the sinks can measure end-to-end latency.
pub const ORIGIN_TS_HEADER: &str = "wcp-origin-ts";

/// A consumed record (owned: the batch outlives the poll that returned it).
#[derive(Debug, Clone)]
pub struct InRecord {
    /// Full topic name, prefix included.
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
    pub key: Option<Vec<u8>>,
    pub value: Option<Vec<u8>>,
    pub headers: Vec<(String, Vec<u8>)>,
    pub timestamp_ms: Option<i64>,
}

impl InRecord {
    /// A record at offset 0 of partition 0 with no key, headers or timestamp: how the
    /// services' tests build their input, so a new field changes one place.
    pub fn with_value(topic: &str, value: Vec<u8>) -> InRecord {
        InRecord {
            topic: topic.to_string(),
            partition: 0,
            offset: 0,
            key: None,
            value: Some(value),
            headers: Vec::new(),
            timestamp_ms: None,
        }
    }

    /// First header named `name`.
    pub fn header(&self, name: &str) -> Option<&[u8]> {
        self.headers
            .iter()
            .find(|(k, _)| k == name)
            .map(|(_, v)| v.as_slice())
    }

    /// A header parsed as an ASCII decimal number.
    pub fn header_u64(&self, name: &str) -> Option<u64> {
        std::str::from_utf8(self.header(name)?)
            .ok()?
            .trim()
            .parse()
            .ok()
    }

    /// Timestamp of the originating raw record: the header, else this record's own time.
    pub fn origin_ts_ms(&self) -> Option<i64> {
        self.header(ORIGIN_TS_HEADER)
            .and_then(|v| std::str::from_utf8(v).ok()?.parse().ok())
            .or(self.timestamp_ms)
    }

    /// The value bytes (empty for a tombstone).
    pub fn payload(&self) -> &[u8] {
        self.value.as_deref().unwrap_or(&[])
    }
}

/// A record to produce. `topic` is the logical name; the runner adds the prefix.
#[derive(Debug, Clone, PartialEq)]
pub struct OutRecord {
    pub topic: &'static str,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
}

impl OutRecord {
    pub fn new(topic: &'static str, key: Option<Vec<u8>>, value: Vec<u8>) -> OutRecord {
        OutRecord {
            topic,
            key,
            value,
            headers: Vec::new(),
        }
    }
}

/// The pure part of a service, driven by the transactional loop.
pub trait Stage: Send {
    /// Logical names of the topics to consume.
    fn input_topics(&self) -> Vec<&'static str>;

    /// Name of the stage in dead letters (`ingest`, `classifier`, ...).
    fn name(&self) -> &'static str;

    /// Turns one record into zero or more output records. `Err(RuntimeError::Poison)` sends
    /// the record to the dead-letter topic (original bytes + reason) in the same transaction;
    /// any other error stops or retries the batch.
    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError>;

    /// Called before each batch is processed (e.g. to catch up on a side input).
    fn before_batch(&mut self) -> Result<(), RuntimeError> {
        Ok(())
    }

    /// Called after a batch's transaction committed: a stateful stage can keep a copy of its
    /// state here for `on_abort` to restore.
    fn on_commit(&mut self) {}

    /// Called after a batch's transaction was aborted and the consumer rewound: a stateful
    /// stage restores the state it had before the batch, so the replay gives the same output.
    fn on_abort(&mut self) -> Result<(), RuntimeError> {
        Ok(())
    }
}
