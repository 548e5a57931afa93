//! Reads the anchors topic (compacted, key = region) from its beginning to its end.

use std::time::{Duration, Instant};

use anyhow::Context;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use wcp_archive::anchor::Anchor;

use crate::cmd::kafka::CliCtx;

pub fn read_topic(topic: &str, bootstrap: Option<&str>) -> anyhow::Result<Vec<Anchor>> {
    let servers = crate::cmd::kafka::bootstrap(bootstrap);
    // With the WCP_KAFKA__* properties (TLS, SASL) of the environment, as the other commands.
    // CliCtx keeps librdkafka's cause: a wrong --bootstrap is named as `wcp produce`, `lag`
    // and `tail` name it, not "Meta data fetch error: BrokerTransportFailure" (trial 15i D8).
    let consumer: BaseConsumer<CliCtx> = crate::cmd::kafka::client_config(&servers)?
        .set("group.id", "wcp-archive-verify")
        .set("enable.auto.commit", "false")
        .set("enable.partition.eof", "true")
        .set("isolation.level", "read_committed")
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())
        .context("creating the Kafka consumer")?;
    let meta = crate::cmd::kafka::metadata(&consumer, &servers, Some(topic))
        .with_context(|| format!("reading the anchors topic {topic}"))?;
    let parts: Vec<i32> = meta
        .topics()
        .iter()
        .flat_map(|t| t.partitions().iter().map(|p| p.id()))
        .collect();
    anyhow::ensure!(
        !parts.is_empty(),
        "topic {topic} has no partitions at {servers} (does it exist?)"
    );
    let mut tpl = TopicPartitionList::new();
    for p in &parts {
        tpl.add_partition_offset(topic, *p, Offset::Beginning)?;
    }
    consumer.assign(&tpl)?;
    let mut out = Vec::new();
    let mut at_end = 0;
    let deadline = Instant::now() + Duration::from_secs(60);
    while at_end < parts.len() {
        anyhow::ensure!(
            Instant::now() < deadline,
            "{topic}: no end reached within 60 s"
        );
        match consumer.poll(Duration::from_millis(500)) {
            None => {}
            Some(Err(rdkafka::error::KafkaError::PartitionEOF(_))) => at_end += 1,
            Some(Err(e)) => return Err(e).context("reading the anchors topic"),
            Some(Ok(m)) => {
                if let Some(v) = m.payload() {
                    let a: Anchor = serde_json::from_slice(v)
                        .with_context(|| format!("{topic} offset {}: not an anchor", m.offset()))?;
                    out.push(a);
                }
            }
        }
    }
    Ok(out)
}
