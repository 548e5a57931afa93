//! Reading topics read_committed and producing raw bytes, with plain (blocking) rdkafka
//! clients: the tests are synchronous and poll in loops anyway.

use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Headers;
use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
use rdkafka::{Message, Offset, TopicPartitionList};

use super::random_token;

/// One record as read, owned.
#[derive(Debug, Clone)]
pub struct Record {
    pub partition: i32,
    pub offset: i64,
    pub timestamp_ms: i64,
    pub key: Option<Vec<u8>>,
    pub value: Vec<u8>,
    pub headers: Vec<(String, Vec<u8>)>,
}

/// Reads every partition of one topic from the beginning with `isolation.level=read_committed`
/// (only records of committed transactions), accumulating what it has seen.
pub struct TopicReader {
    pub topic: String,
    consumer: BaseConsumer,
    partitions: Vec<i32>,
    pub records: Vec<Record>,
}

impl TopicReader {
    pub fn new(bootstrap: &str, topic: &str) -> TopicReader {
        TopicReader::with_config(bootstrap, topic, &[])
    }

    /// A reader with extra librdkafka properties (TLS and SASL for a secured broker).
    pub fn with_config(bootstrap: &str, topic: &str, extra: &[(String, String)]) -> TopicReader {
        let mut config = ClientConfig::new();
        for (k, v) in extra {
            config.set(k, v);
        }
        let consumer: BaseConsumer = config
            .set("bootstrap.servers", bootstrap)
            .set("group.id", format!("e2e-reader-{}", random_token()))
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed")
            .set("auto.offset.reset", "earliest")
            .create()
            .expect("create reader");
        let md = consumer
            .fetch_metadata(Some(topic), Duration::from_secs(10))
            .expect("topic metadata");
        let partitions: Vec<i32> = md.topics()[0].partitions().iter().map(|p| p.id()).collect();
        assert!(
            !partitions.is_empty(),
            "topic {topic} has no partitions (does it exist?)"
        );
        let mut tpl = TopicPartitionList::new();
        for p in &partitions {
            tpl.add_partition_offset(topic, *p, Offset::Beginning)
                .expect("tpl");
        }
        consumer.assign(&tpl).expect("assign");
        TopicReader {
            topic: topic.to_string(),
            consumer,
            partitions,
            records: Vec::new(),
        }
    }

    /// Reads for up to `dur`, returning how many new records arrived.
    pub fn poll_for(&mut self, dur: Duration) -> usize {
        let before = self.records.len();
        let end = Instant::now() + dur;
        while let Some(left) = end.checked_duration_since(Instant::now()) {
            match self.consumer.poll(left.min(Duration::from_millis(100))) {
                Some(Ok(m)) => self.records.push(Record {
                    partition: m.partition(),
                    offset: m.offset(),
                    timestamp_ms: m.timestamp().to_millis().unwrap_or(-1),
                    key: m.key().map(<[u8]>::to_vec),
                    value: m.payload().unwrap_or_default().to_vec(),
                    headers: m
                        .headers()
                        .map(|hs| {
                            hs.iter()
                                .map(|h| (h.key.to_string(), h.value.unwrap_or_default().to_vec()))
                                .collect()
                        })
                        .unwrap_or_default(),
                }),
                Some(Err(e)) => eprintln!("reader {}: {e}", self.topic),
                None => {}
            }
        }
        self.records.len() - before
    }

    /// True when the reader's position reached the high watermark of every partition, i.e.
    /// nothing is left to read and no transaction is open on the topic.
    pub fn caught_up(&self) -> bool {
        let Ok(pos) = self.consumer.position() else {
            return false;
        };
        self.partitions.iter().all(|&p| {
            let Ok((_, high)) =
                self.consumer
                    .fetch_watermarks(&self.topic, p, Duration::from_secs(5))
            else {
                return false;
            };
            let at = pos
                .find_partition(&self.topic, p)
                .and_then(|e| e.offset().to_raw())
                .unwrap_or(-1);
            high == 0 || at >= high
        })
    }

    /// Polls until caught up (and at least `min` records seen), or until `limit`.
    pub fn drain(&mut self, min: usize, limit: Duration) -> bool {
        let start = Instant::now();
        while start.elapsed() < limit {
            self.poll_for(Duration::from_millis(300));
            if self.records.len() >= min && self.caught_up() {
                return true;
            }
        }
        false
    }
}

/// A plain producer for test input written around the CLI (poison bytes, explicit partitions).
pub struct RawProducer {
    producer: ThreadedProducer<DefaultProducerContext>,
}

impl RawProducer {
    pub fn new(bootstrap: &str) -> RawProducer {
        let producer = ClientConfig::new()
            .set("bootstrap.servers", bootstrap)
            .set("enable.idempotence", "true")
            .set("linger.ms", "5")
            .create()
            .expect("create producer");
        RawProducer { producer }
    }

    pub fn send(&self, topic: &str, partition: i32, key: &[u8], value: &[u8]) {
        let mut rec = BaseRecord::to(topic)
            .partition(partition)
            .key(key)
            .payload(value);
        loop {
            match self.producer.send(rec) {
                Ok(()) => return,
                Err((e, r)) => {
                    eprintln!("raw producer: {e}, retrying");
                    std::thread::sleep(Duration::from_millis(50));
                    rec = r;
                }
            }
        }
    }

    pub fn flush(&self) {
        self.producer
            .flush(Duration::from_secs(30))
            .expect("flush raw producer");
    }
}

/// Writes records' values as lines (for `wcp run --input`), in Kafka timestamp order across
/// partitions (ties by partition, offset): the order the producer sent them.
pub fn values_as_lines(records: &[Record]) -> Vec<u8> {
    let mut sorted: Vec<&Record> = records.iter().collect();
    sorted.sort_by_key(|r| (r.timestamp_ms, r.partition, r.offset));
    let mut out = Vec::new();
    for r in sorted {
        out.extend_from_slice(&r.value);
        out.push(b'\n');
    }
    out
}
