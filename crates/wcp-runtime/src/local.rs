//! Consuming with offsets kept in a local store instead of Kafka: the archiver (its archive)
//! and the review console (its review stores) write each batch's next offsets in the same
//! transaction as the batch, so a batch is applied exactly once without Kafka transactions.
//! Partitions are assigned at the store's offsets ([`OffsetStore::resume`]), a batch polled
//! across a revocation is dropped (the new owner re-reads it from the store's offsets), poison
//! records go to `chat.dlq` flushed before their offsets can be stored ([`DeadLetters`]), and
//! the stored positions are also committed to the group, for information only
//! ([`commit_positions`]): broker-side lag (`wcp-lag-exporter`, `wcp lag`) reads them. Those
//! commits are kept level with the store (`commit_sync`): sent again until acknowledged, and
//! on every assignment, also while no record comes (trial 15h D6).

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, MutexGuard};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer, ConsumerContext};
use rdkafka::producer::{BaseRecord, Producer};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};

use crate::codec;
use crate::commit_sync::CommitSync;
use crate::config::Config;
use crate::error::RuntimeError;
use crate::kafka;
use crate::metrics::Metrics;
use crate::record::InRecord;
use crate::shutdown::RunCtx;

/// `(topic, partition)` → the next offset to read, as a local store keeps them.
pub type Positions = BTreeMap<(String, i32), i64>;

/// Where a consumer's positions live outside Kafka.
pub trait OffsetStore: Send + Sync + 'static {
    /// The offset to resume `(topic, partition)` from; `None` reads it from the beginning.
    fn resume(&self, topic: &str, partition: i32) -> Option<i64>;

    /// Called on assignment before [`OffsetStore::resume`]: wait for batches already handed
    /// to a writer, whose offsets are not stored yet. Nothing to wait for by default.
    fn settle(&self) {}
}

/// The consumer context: assignment at the store's offsets, revocation noted for the loop.
pub struct LocalCtx {
    store: Box<dyn OffsetStore>,
    revoked: AtomicBool,
    /// The store's positions of the assigned partitions against the group's commits.
    sync: Mutex<CommitSync>,
    metrics: Metrics,
    prefix: String,
}

impl LocalCtx {
    fn sync(&self) -> MutexGuard<'_, CommitSync> {
        self.sync.lock().unwrap_or_else(|p| p.into_inner())
    }
}

/// A consumer whose partitions are assigned at a local store's offsets.
pub type LocalConsumer = BaseConsumer<LocalCtx>;

impl ClientContext for LocalCtx {
    fn stats_raw(&self, raw: &[u8]) {
        kafka::observe_stats(&self.metrics, &self.prefix, raw);
    }

    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        kafka::forward_log(level, fac, msg);
    }

    /// The cause `/readyz` shows while no broker is up (`brokers`).
    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.metrics.brokers.note_error(reason);
        crate::lograte::client_error(&self.metrics.brokers, "", &error, reason);
    }
}

impl ConsumerContext for LocalCtx {
    fn commit_callback(&self, result: rdkafka::error::KafkaResult<()>, tpl: &TopicPartitionList) {
        if let Err(e) = result {
            tracing::debug!(error = %e, "stored offsets not committed to Kafka (informational)");
            return;
        }
        // Only what Kafka took counts as level (`send_due` sends the rest again).
        let mut acked = Positions::new();
        for e in tpl.elements() {
            if let (Ok(()), Offset::Offset(o)) = (e.error(), e.offset()) {
                acked.insert((e.topic().to_string(), e.partition()), o);
            }
        }
        self.sync().acknowledged(&acked);
    }

    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                self.store.settle();
                let parts: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                let mut stored = Vec::with_capacity(parts.len());
                for (t, p) in parts {
                    let resume = self.store.resume(&t, p);
                    let off = resume.map_or(Offset::Beginning, Offset::Offset);
                    if let Err(e) = tpl.set_partition_offset(&t, p, off) {
                        tracing::error!(error = %e, "cannot set assignment offset");
                    }
                    stored.push(((t, p), resume));
                }
                // Committed by the next poll tick (`next_batch`), records or not: the group's
                // offsets may be behind the store's (trial 15h D6).
                self.sync().assigned(stored);
                tracing::info!(
                    partitions = tpl.count(),
                    "partitions assigned at stored offsets"
                );
                let elems = tpl.elements();
                let parts = elems.iter().map(|e| (e.topic(), e.partition()));
                self.metrics.touch_lag(&self.prefix, parts);
                if let Err(e) = consumer.assign(tpl) {
                    tracing::error!(error = %e, "assign failed");
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                self.revoked.store(true, Ordering::SeqCst);
                self.sync().revoked();
                if let Err(e) = consumer.unassign() {
                    tracing::error!(error = %e, "unassign failed");
                }
            }
            other => tracing::error!(error = ?other, "rebalance error"),
        }
    }
}

/// A consumer in the service's group, subscribed to `topics` (full names), whose partitions
/// are assigned at `store`'s offsets.
pub fn consumer(
    cfg: &Config,
    metrics: &Metrics,
    store: Box<dyn OffsetStore>,
    topics: &[&str],
) -> Result<LocalConsumer, RuntimeError> {
    let ctx = LocalCtx {
        store,
        revoked: AtomicBool::new(false),
        sync: Mutex::new(CommitSync::default()),
        metrics: metrics.clone(),
        prefix: cfg.topic_prefix.clone(),
    };
    let consumer: LocalConsumer =
        kafka::consumer_config(cfg, &cfg.group()).create_with_context(ctx)?;
    consumer.subscribe(topics)?;
    Ok(consumer)
}

/// Polls the next batch (see [`crate::batch::fill_batch`]); returns true when stopping. A
/// batch polled across a revocation is dropped: its partitions may be someone else's now.
/// While no record comes, the store's positions the group has not acknowledged are
/// committed ([`send_due`]): after an assignment, or a commit lost in an outage.
pub fn next_batch(
    consumer: &LocalConsumer,
    cfg: &Config,
    ctx: &RunCtx,
    batch: &mut Vec<InRecord>,
) -> bool {
    let revoked = &consumer.context().revoked;
    let mut idle = || send_due(consumer);
    let stopping = crate::batch::fill_batch_with(consumer, cfg, ctx, batch, revoked, &mut idle);
    if revoked.swap(false, Ordering::SeqCst) {
        batch.clear();
    }
    stopping
}

/// The store now holds `now` (a batch written): committed to the group asynchronously, and
/// again until Kafka acknowledges it ([`send_due`]). Informational only: the consumer
/// resumes from its store, but broker-side lag reads the group's committed offsets.
pub fn commit_positions(consumer: &LocalConsumer, now: &Positions) {
    consumer.context().sync().stored(now);
    send_due(consumer);
}

/// Commits the store's positions the group has not acknowledged, if due
/// ([`CommitSync::due`]).
pub fn send_due(consumer: &LocalConsumer) {
    let Some(due) = consumer.context().sync().due(Instant::now()) else {
        return;
    };
    let mut tpl = TopicPartitionList::new();
    for ((t, p), o) in &due {
        if tpl.add_partition_offset(t, *p, Offset::Offset(*o)).is_err() {
            return;
        }
    }
    if let Err(e) = consumer.commit(&tpl, CommitMode::Async) {
        tracing::debug!(error = %e, "stored offsets not committed to Kafka (informational)");
    }
}

/// Poison records to `chat.dlq` outside a transaction: sent as they are found, flushed by
/// [`DeadLetters::flush`] before the batch's offsets are stored, so none is lost.
pub struct DeadLetters {
    producer: kafka::PlainProducer,
    /// The full `chat.dlq` topic name (with the prefix).
    pub topic: String,
    stage: &'static str,
    pending: u64,
}

impl DeadLetters {
    pub fn new(cfg: &Config, stage: &'static str) -> Result<DeadLetters, RuntimeError> {
        Ok(DeadLetters {
            producer: kafka::plain_producer(cfg, kafka::PlainCtx::default())?,
            topic: cfg.topic(codec::DLQ_TOPIC),
            stage,
            pending: 0,
        })
    }

    /// Sends the dead letter of `rec` (reason `code`, `detail`) and counts it.
    pub fn send(
        &mut self,
        rec: &InRecord,
        code: &'static str,
        detail: &str,
        m: &Metrics,
    ) -> Result<(), RuntimeError> {
        m.dead_letters.with_label_values(&[code]).inc();
        m.errors.with_label_values(&["poison"]).inc();
        let o = codec::dead_letter(rec, self.stage, code, detail)?;
        let mut r: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(&self.topic).payload(&o.value);
        if let Some(k) = &o.key {
            r = r.key(k);
        }
        self.producer
            .send(r)
            .map_err(|(e, _)| RuntimeError::Kafka(e))?;
        self.pending += 1;
        Ok(())
    }

    /// Waits until every dead letter sent is acknowledged (before the offsets are stored).
    pub fn flush(&mut self, m: &Metrics) -> Result<(), RuntimeError> {
        if self.pending > 0 {
            self.producer.flush(Duration::from_secs(30))?;
            m.sent
                .with_label_values(&[codec::DLQ_TOPIC])
                .inc_by(self.pending);
            self.pending = 0;
        }
        Ok(())
    }
}
