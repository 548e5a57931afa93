//! The Kafka side of the measurement: a consumer positioned at the end of every topic of the
//! chain before the first event is produced, which notes for each record only what is cheap
//! (topic, partition, offset, Kafka timestamp, receive time, the input's `seq` header) so it
//! steals little CPU from the chain it measures; the event ids are read afterwards.

use std::collections::HashMap;
use std::time::{Duration, Instant};

use anyhow::{bail, Context};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
pub use wcp_model::clock::now_ms;
use wcp_model::{topics, AnonymisedEvent, ChatEvent, EnrichedEvent};

const META_TIMEOUT: Duration = Duration::from_secs(10);

/// One record seen by the live consumer.
#[derive(Debug, Clone, Copy)]
pub struct Sighting {
    pub topic: usize,
    pub partition: i32,
    pub offset: i64,
    pub create_ms: i64,
    pub recv_ms: i64,
    /// The `seq` header (input topic only).
    pub seq: Option<u64>,
}

fn consumer(bootstrap: &str) -> anyhow::Result<BaseConsumer> {
    Ok(ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bench-measure-{}", now_ms()))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        // The measurer's own fetch wait is added to every figure: keep it small.
        .set("fetch.wait.max.ms", "2")
        .create()?)
}

fn partitions(c: &BaseConsumer, topic: &str) -> anyhow::Result<Vec<i32>> {
    let md = c.fetch_metadata(Some(topic), META_TIMEOUT)?;
    let t = md
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .with_context(|| format!("no metadata for {topic}"))?;
    if t.error().is_some() || t.partitions().is_empty() {
        bail!("topic {topic} does not exist (create it first)");
    }
    Ok(t.partitions().iter().map(|p| p.id()).collect())
}

/// A consumer assigned every partition of `topics` at its current end (high watermark).
pub fn at_end(bootstrap: &str, topics: &[String]) -> anyhow::Result<BaseConsumer> {
    let c = consumer(bootstrap)?;
    let mut tpl = TopicPartitionList::new();
    for t in topics {
        for p in partitions(&c, t)? {
            let (_, high) = c.fetch_watermarks(t, p, META_TIMEOUT)?;
            tpl.add_partition_offset(t, p, Offset::Offset(high))?;
        }
    }
    c.assign(&tpl)?;
    Ok(c)
}

/// Notes every record until `expect_input` records were seen on `topics[0]` and nothing at
/// all arrived for `idle`, or `timeout` passed.
pub fn watch(
    c: &BaseConsumer,
    topics: &[String],
    expect_input: u64,
    idle: Duration,
    timeout: Duration,
) -> Vec<Sighting> {
    let index: HashMap<&str, usize> = topics
        .iter()
        .enumerate()
        .map(|(i, t)| (t.as_str(), i))
        .collect();
    let mut out = Vec::with_capacity(expect_input as usize * topics.len());
    let (start, mut last) = (Instant::now(), Instant::now());
    let mut inputs = 0u64;
    while start.elapsed() < timeout {
        match c.poll(Duration::from_millis(50)) {
            Some(Ok(m)) => {
                let recv_ms = now_ms();
                let Some(&topic) = index.get(m.topic()) else {
                    continue;
                };
                let seq = (topic == 0).then(|| seq_header(&m)).flatten();
                inputs += u64::from(topic == 0);
                out.push(Sighting {
                    topic,
                    partition: m.partition(),
                    offset: m.offset(),
                    create_ms: m.timestamp().to_millis().unwrap_or(0),
                    recv_ms,
                    seq,
                });
                last = Instant::now();
            }
            Some(Err(e)) => eprintln!("measure: consumer error: {e}"),
            None if inputs >= expect_input && last.elapsed() > idle => break,
            None => {}
        }
    }
    out
}

fn seq_header<M: Message>(m: &M) -> Option<u64> {
    let h = m.headers()?;
    h.iter()
        .find(|h| h.key == "seq")
        .and_then(|h| std::str::from_utf8(h.value?).ok()?.parse().ok())
}

/// How a topic's records carry the event id.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// Raw WeCom JSON (the input topic, and every topic of the pass-through chain).
    RawJson,
    ChatEvent,
    Enriched,
    Anonymised,
}

impl Format {
    /// The pipeline's record type on a topic (logical name, prefix removed).
    pub fn of_pipeline_topic(logical: &str) -> Format {
        match logical {
            topics::EVENTS => Format::ChatEvent,
            topics::CLASSIFIED | topics::CONSENTED | topics::TAGGED => Format::Enriched,
            topics::ANONYMISED => Format::Anonymised,
            _ => Format::RawJson,
        }
    }

    fn msgid(self, bytes: &[u8]) -> Option<String> {
        match self {
            Format::RawJson => {
                let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
                v.get("msgid")?.as_str().map(str::to_string)
            }
            Format::ChatEvent => wcp_schema::decode::<ChatEvent>(bytes).ok().map(|e| e.msgid),
            Format::Enriched => wcp_schema::decode::<EnrichedEvent>(bytes)
                .ok()
                .map(|e| e.event.msgid),
            Format::Anonymised => wcp_schema::decode::<AnonymisedEvent>(bytes)
                .ok()
                .map(|e| e.msgid),
        }
    }
}

/// The event id of each (partition, offset) in `wanted` (offset ranges per partition, as
/// seen live), read again from the topic.
pub fn msgids(
    bootstrap: &str,
    topic: &str,
    format: Format,
    wanted: &HashMap<i32, (i64, i64)>,
) -> anyhow::Result<HashMap<(i32, i64), String>> {
    let c = consumer(bootstrap)?;
    let mut tpl = TopicPartitionList::new();
    for (p, (lo, _)) in wanted {
        tpl.add_partition_offset(topic, *p, Offset::Offset(*lo))?;
    }
    c.assign(&tpl)?;
    let mut left: HashMap<i32, i64> = wanted.iter().map(|(p, (_, hi))| (*p, *hi)).collect();
    let mut out = HashMap::new();
    let mut last = Instant::now();
    while !left.is_empty() && last.elapsed() < Duration::from_secs(30) {
        match c.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                last = Instant::now();
                if let Some(id) = format.msgid(m.payload().unwrap_or_default()) {
                    out.insert((m.partition(), m.offset()), id);
                }
                if left.get(&m.partition()).is_some_and(|hi| m.offset() >= *hi) {
                    left.remove(&m.partition());
                }
            }
            Some(Err(e)) => eprintln!("measure: re-read error on {topic}: {e}"),
            None => {}
        }
    }
    if !left.is_empty() {
        bail!(
            "could not re-read {topic} (partitions {:?} incomplete)",
            left.keys()
        );
    }
    Ok(out)
}
