//! librdkafka client configuration and the consumer context (rebalance and statistics hooks).

use std::sync::atomic::{AtomicBool, AtomicI64, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, ConsumerContext, Rebalance};
use rdkafka::message::{Headers, Message};
use rdkafka::producer::{DeliveryResult, ProducerContext, ThreadedProducer};
use rdkafka::{ClientConfig, ClientContext};

use crate::brokers::Client;
pub use crate::client_ctx::PlainCtx;
use crate::config::Config;
use crate::error::RuntimeError;
use crate::metrics::Metrics;
use crate::record::InRecord;
use wcp_model::clock::now_ms;

/// Settings shared by consumers and producers, pass-through properties applied last.
fn base(cfg: &Config) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.kafka_bootstrap);
    // Names this instance in the broker's group listing (see `preflight`).
    c.set("client.id", cfg.client_id());
    c
}

/// The largest record wcp's producers send and its topics take (`message.max.bytes`,
/// topic `max.message.bytes`; `wcp topics create`, k8s/base/kafka/topics.yaml,
/// scripts/kafka.sh): 20 MiB, so a raw record up to `[input] max_record_bytes` (16 MiB) gets
/// in, and one a little over it too, to be dead-lettered with its bytes as
/// `record_too_large` (the dead letter adds its reason). Kafka's and librdkafka's default of
/// about 1 MB refused any bigger record at produce time (trial 17a D4).
pub const MAX_MESSAGE_BYTES: u64 = 20 * 1024 * 1024;

/// Connection settings only (bootstrap, client id, the pass-through TLS/SASL properties):
/// for admin reads such as `lag::measure`.
pub fn client_config(cfg: &Config) -> ClientConfig {
    let mut c = base(cfg);
    pass_through(&mut c, cfg);
    c
}

/// Consumer-only properties a service's config may carry (the capture's media loop sets
/// `max.poll.interval.ms` for its consumer): not given to its producers, where librdkafka
/// ignores them with a CONFWARN on every start, noise in a log the RUNBOOK greps (19a D9).
const CONSUMER_ONLY: &[&str] = &[
    "max.poll.interval.ms",
    "session.timeout.ms",
    "heartbeat.interval.ms",
    "fetch.wait.max.ms",
    "fetch.min.bytes",
    "fetch.max.bytes",
    "max.partition.fetch.bytes",
    "queued.min.messages",
    "queued.max.messages.kbytes",
    "group.instance.id",
    "partition.assignment.strategy",
];

fn pass_through(c: &mut ClientConfig, cfg: &Config) {
    for (k, v) in &cfg.kafka {
        c.set(k, v);
    }
    log_level(c, cfg);
}

/// As [`pass_through`], without the consumer-only properties.
fn pass_through_producer(c: &mut ClientConfig, cfg: &Config) {
    for (k, v) in &cfg.kafka {
        if !CONSUMER_ONLY.contains(&k.as_str()) {
            c.set(k, v);
        }
    }
    log_level(c, cfg);
}

fn log_level(c: &mut ClientConfig, cfg: &Config) {
    // librdkafka drops debug lines below its log level, which rdkafka takes from the `log`
    // crate (not `tracing`): asking for `debug` contexts means wanting their lines.
    if cfg.kafka.contains_key("debug") {
        c.set_log_level(rdkafka::config::RDKafkaLogLevel::Debug);
    }
}

/// Consumer settings: no auto-commit, read_committed, start from the beginning when no
/// offset is stored, lag statistics every 2 s.
pub fn consumer_config(cfg: &Config, group_id: &str) -> ClientConfig {
    let mut c = base(cfg);
    c.set("group.id", group_id)
        .set("enable.auto.commit", "false")
        .set("enable.auto.offset.store", "false")
        .set("isolation.level", "read_committed")
        .set("auto.offset.reset", "earliest")
        .set("session.timeout.ms", "10000")
        .set("heartbeat.interval.ms", "1000")
        .set("statistics.interval.ms", "2000")
        .set("queued.max.messages.kbytes", "16384")
        // Each hop adds the broker's fetch long-poll to the end-to-end latency when idle.
        .set("fetch.wait.max.ms", "25");
    pass_through(&mut c, cfg);
    c
}

/// Transactional producer settings (`transactional.id` from the config).
pub fn producer_config(cfg: &Config) -> ClientConfig {
    let mut c = base(cfg);
    c.set("message.max.bytes", MAX_MESSAGE_BYTES.to_string())
        .set("transactional.id", cfg.transactional_id())
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .set(crate::config::TRANSACTION_TIMEOUT, "60000")
        // Its broker view counts for readiness (`ProducerCtx::stats_raw`).
        .set("statistics.interval.ms", "2000")
        // Right after a commit the coordinator answers CONCURRENT_TRANSACTIONS until the
        // markers are written; librdkafka retries after `retry.backoff.ms`, whose 100 ms
        // default would be added to every transaction.
        .set("retry.backoff.ms", "5")
        .set("retry.backoff.max.ms", "100");
    pass_through_producer(&mut c, cfg);
    c
}

/// A plain idempotent producer (no transactions): dead letters, the archiver's anchors.
pub fn plain_producer_config(cfg: &Config) -> ClientConfig {
    let mut c = base(cfg);
    c.set("message.max.bytes", MAX_MESSAGE_BYTES.to_string())
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("compression.type", "lz4");
    pass_through_producer(&mut c, cfg);
    c
}

/// A plain producer whose librdkafka messages are rate-limited (`client_ctx`).
pub type PlainProducer = rdkafka::producer::BaseProducer<PlainCtx>;

/// Builds a [`PlainProducer`] ([`plain_producer_config`]) with `ctx`.
pub fn plain_producer(cfg: &Config, ctx: PlainCtx) -> Result<PlainProducer, RuntimeError> {
    Ok(plain_producer_config(cfg).create_with_context(ctx)?)
}

/// Consumer context: tracks revocations (so the loop drops an unfinished batch), assignment
/// (readiness) and per-partition lag from librdkafka's statistics (every 2 s).
pub struct LoopContext {
    pub revoked: AtomicBool,
    pub assigned: AtomicBool,
    /// Unix ms of the last broker trouble seen (librdkafka error callback, failed transaction
    /// step): a fencing error soon after one is a broker restart's echo, not a rival instance.
    last_trouble_ms: AtomicI64,
    metrics: Metrics,
    prefix: String,
}

impl LoopContext {
    pub fn new(metrics: Metrics, prefix: &str) -> Arc<LoopContext> {
        Arc::new(LoopContext {
            revoked: AtomicBool::new(false),
            assigned: AtomicBool::new(false),
            last_trouble_ms: AtomicI64::new(i64::MIN / 2),
            metrics,
            prefix: prefix.to_string(),
        })
    }

    /// Records that the broker misbehaved just now.
    pub fn note_trouble(&self) {
        self.last_trouble_ms.store(now_ms(), Ordering::SeqCst);
    }

    /// True when broker trouble was seen within `window`.
    pub fn trouble_within(&self, window: Duration) -> bool {
        now_ms() - self.last_trouble_ms.load(Ordering::SeqCst) <= window.as_millis() as i64
    }
}

/// The context handed to librdkafka: a thin wrapper so the loop keeps its own handle.
pub struct CtxHandle(pub Arc<LoopContext>);

impl ClientContext for CtxHandle {
    /// Lag per partition from librdkafka's statistics. Parsed by hand: only a few fields are
    /// needed, and this stays valid when librdkafka adds fields.
    fn stats_raw(&self, raw: &[u8]) {
        observe_stats(&self.0.metrics, &self.0.prefix, raw);
    }

    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        forward_log(level, fac, log_message);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        note_unless_fatal(&self.0, &error);
        self.0
            .metrics
            .errors
            .with_label_values(&["transient"])
            .inc();
        self.0.metrics.brokers.note_error(reason);
        crate::lograte::client_error(&self.0.metrics.brokers, "", &error, reason);
    }
}

impl ConsumerContext for CtxHandle {
    fn pre_rebalance(&self, _c: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Revoke(tpl) = rebalance {
            // The loop never holds an open transaction while polling, so the only thing to
            // undo is the batch being assembled: it is dropped and re-read by the new owner.
            tracing::info!(partitions = tpl.count(), "partitions revoked");
            self.0.revoked.store(true, Ordering::SeqCst);
            self.0.assigned.store(false, Ordering::SeqCst);
        }
    }

    fn post_rebalance(&self, _c: &BaseConsumer<Self>, rebalance: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = rebalance {
            tracing::info!(partitions = tpl.count(), "partitions assigned");
            let elems = tpl.elements();
            let parts = elems.iter().map(|e| (e.topic(), e.partition()));
            self.0.metrics.touch_lag(&self.0.prefix, parts);
            self.0.assigned.store(true, Ordering::SeqCst);
        }
    }
}

/// Broker trouble from librdkafka's error callback; not the fatal/fencing error a rival's
/// fencing raises itself (see `txproducer::step_error`).
fn note_unless_fatal(lctx: &LoopContext, e: &rdkafka::error::KafkaError) {
    use rdkafka::error::RDKafkaErrorCode as C;
    let fatal = matches!(
        e.rdkafka_error_code(),
        Some(C::Fatal | C::ProducerFenced | C::InvalidProducerEpoch)
    );
    if !fatal {
        lctx.note_trouble();
    }
}

/// Sends a librdkafka log line to `tracing`, rate-limited (`lograte`).
pub fn forward_log(level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
    crate::lograte::client_log(level, fac, log_message);
}

/// Sets `wcp_consumer_lag_messages` and the brokers' health (`brokers`) from a librdkafka
/// statistics document.
pub fn observe_stats(metrics: &Metrics, prefix: &str, raw: &[u8]) {
    let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) else {
        return;
    };
    observe_brokers(metrics, Client::Consumer, &v);
    let Some(topics) = v.get("topics").and_then(|t| t.as_object()) else {
        return;
    };
    for (topic, t) in topics {
        let name = topic.strip_prefix(prefix).unwrap_or(topic);
        let Some(parts) = t.get("partitions").and_then(|p| p.as_object()) else {
            continue;
        };
        for (p, part) in parts {
            // Partition -1 is librdkafka's internal "unassigned" bucket.
            let Some(lag) = partition_lag(part).filter(|_| !p.starts_with('-')) else {
                continue;
            };
            metrics
                .lag_messages
                .with_label_values(&[name, p.as_str()])
                .set(lag);
        }
    }
}

/// The brokers' health (`brokers`) as `client` sees it in a statistics document.
fn observe_brokers(metrics: &Metrics, client: Client, v: &serde_json::Value) {
    if let Some(view) = crate::brokers::view_from_stats(v) {
        metrics
            .brokers
            .observe(client, &view, std::time::Instant::now());
    }
}

/// High watermark (the last stable offset under read_committed) minus the position. Not
/// librdkafka's `consumer_lag`, which counts from the consumer's own commits: ours are made
/// by the producer inside transactions, which that figure never sees.
fn partition_lag(part: &serde_json::Value) -> Option<i64> {
    let get = |k: &str| part.get(k).and_then(|v| v.as_i64()).filter(|v| *v >= 0);
    let end = get("ls_offset").or_else(|| get("hi_offset"))?;
    let pos = get("app_offset")?;
    Some((end - pos).max(0))
}

/// Builds the group consumer with the loop context.
pub fn group_consumer(
    cfg: &Config,
    ctx: Arc<LoopContext>,
) -> Result<BaseConsumer<CtxHandle>, RuntimeError> {
    Ok(consumer_config(cfg, &cfg.group()).create_with_context(CtxHandle(ctx))?)
}

/// Producer context: librdkafka's error callback (all brokers down, transport failures)
/// marks broker trouble on the loop context; delivery reports need no handling (failures
/// surface in `commit_transaction`).
pub struct ProducerCtx(pub Arc<LoopContext>);

impl ClientContext for ProducerCtx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, log_message: &str) {
        forward_log(level, fac, log_message);
    }

    /// The producer's view of the brokers counts for readiness too: its background thread
    /// reports while the loop is busy in a transaction step and polls no consumer.
    fn stats_raw(&self, raw: &[u8]) {
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) {
            observe_brokers(&self.0.metrics, Client::Producer, &v);
        }
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        note_unless_fatal(&self.0, &error);
        self.0.metrics.brokers.note_error(reason);
        let brokers = &self.0.metrics.brokers;
        crate::lograte::client_error(brokers, " producer", &error, reason);
    }
}

impl ProducerContext for ProducerCtx {
    type DeliveryOpaque = ();
    fn delivery(&self, _: &DeliveryResult<'_>, _: Self::DeliveryOpaque) {}
}

/// The transactional producer type.
pub type TxProducer = ThreadedProducer<ProducerCtx>;

/// Builds the transactional producer.
/// Threaded: delivery reports are served in the background, which `abort_transaction` needs
/// (it waits for every outstanding message).
pub fn producer(cfg: &Config, lctx: Arc<LoopContext>) -> Result<TxProducer, RuntimeError> {
    Ok(producer_config(cfg).create_with_context(ProducerCtx(lctx))?)
}

/// Copies a borrowed message into an owned record.
pub fn to_record<M: Message>(m: &M) -> InRecord {
    let headers = m
        .headers()
        .map(|h| {
            h.iter()
                .map(|x| {
                    (
                        x.key.to_string(),
                        x.value.map(<[u8]>::to_vec).unwrap_or_default(),
                    )
                })
                .collect()
        })
        .unwrap_or_default();
    InRecord {
        topic: m.topic().to_string(),
        partition: m.partition(),
        offset: m.offset(),
        key: m.key().map(<[u8]>::to_vec),
        value: m.payload().map(<[u8]>::to_vec),
        headers,
        timestamp_ms: m.timestamp().to_millis(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lag_from_stable_offset_and_position() {
        let v = serde_json::json!({"ls_offset": 120, "hi_offset": 130, "app_offset": 100});
        assert_eq!(partition_lag(&v), Some(20));
        let v = serde_json::json!({"hi_offset": 130, "app_offset": -1001});
        assert_eq!(partition_lag(&v), None);
    }

    #[test]
    fn pass_through_overrides_and_txn_id() {
        let mut cfg = Config::defaults("classifier");
        cfg.topic_prefix = "p.".into();
        cfg.kafka
            .insert("security.protocol".into(), "SASL_SSL".into());
        cfg.kafka.insert("linger.ms".into(), "20".into());
        let p = producer_config(&cfg);
        assert_eq!(p.get("transactional.id"), Some("p.wcp-classifier-0"));
        assert_eq!(p.get("linger.ms"), Some("20"));
        assert_eq!(p.get("security.protocol"), Some("SASL_SSL"));
        let c = consumer_config(&cfg, "g");
        assert_eq!(c.get("isolation.level"), Some("read_committed"));
        assert_eq!(c.get("enable.auto.commit"), Some("false"));
    }

    #[test]
    fn consumer_only_properties_reach_the_consumer_not_the_producers() {
        let mut cfg = Config::defaults("capture-media");
        cfg.kafka
            .insert("max.poll.interval.ms".into(), "960000".into());
        cfg.kafka.insert("linger.ms".into(), "20".into());
        let c = consumer_config(&cfg, "g");
        assert_eq!(c.get("max.poll.interval.ms"), Some("960000"));
        for p in [producer_config(&cfg), plain_producer_config(&cfg)] {
            assert_eq!(p.get("max.poll.interval.ms"), None);
            assert_eq!(p.get("linger.ms"), Some("20"));
        }
    }
}
