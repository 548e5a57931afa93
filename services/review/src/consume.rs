//! The `chat.alerts` consumer of the `wcp-review` service. Exactly-once into the review
//! stores: each region store records the source offsets in the same transaction as the
//! alerts it receives (every store gets the batch's offsets, so each knows how far it is);
//! partitions are assigned at the lowest offset the stores hold, and alert ids are
//! deterministic, so a redelivered alert is a no-op. Poison records go to `chat.dlq` (flushed
//! before their offsets are stored). An alert whose message no archive holds yet (the
//! archiver lags) waits up to `route_wait_ms`, then goes to the first region with a warning.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use rdkafka::types::RDKafkaRespErr;
use rdkafka::{ClientContext, Offset, TopicPartitionList};
use wcp_model::Alert;
use wcp_review::items::{self, NewItem};
use wcp_runtime::{codec, kafka, Config, InRecord, RunCtx, RuntimeError};

use crate::feed::{locate, to_item};
use crate::state::{lock, now_ms, Shared};

struct Ctx {
    console: Shared,
    revoked: AtomicBool,
}

impl ClientContext for Ctx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        kafka::forward_log(level, fac, msg);
    }
}

/// The offset to resume `(topic, partition)` from: the lowest any region store holds.
pub fn resume_offset(console: &crate::state::Console, topic: &str, partition: i32) -> Option<i64> {
    let mut lowest: Option<i64> = None;
    for r in &console.regions {
        let stored = items::stored_offsets(&lock(&r.store)).unwrap_or_default();
        let here = stored
            .iter()
            .find(|(t, p, _)| t == topic && *p == partition)
            .map(|(_, _, o)| *o);
        match here {
            // A store that never saw this partition starts it from the beginning.
            None => return None,
            Some(o) => lowest = Some(lowest.map_or(o, |l: i64| l.min(o))),
        }
    }
    lowest
}

impl ConsumerContext for Ctx {
    fn rebalance(
        &self,
        consumer: &BaseConsumer<Self>,
        err: RDKafkaRespErr,
        tpl: &mut TopicPartitionList,
    ) {
        match err {
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS => {
                let parts: Vec<(String, i32)> = tpl
                    .elements()
                    .iter()
                    .map(|e| (e.topic().to_string(), e.partition()))
                    .collect();
                for (t, p) in parts {
                    let off = resume_offset(&self.console, &t, p)
                        .map_or(Offset::Beginning, Offset::Offset);
                    if let Err(e) = tpl.set_partition_offset(&t, p, off) {
                        tracing::error!(error = %e, "cannot set assignment offset");
                    }
                }
                if let Err(e) = consumer.assign(tpl) {
                    tracing::error!(error = %e, "assign failed");
                }
            }
            RDKafkaRespErr::RD_KAFKA_RESP_ERR__REVOKE_PARTITIONS => {
                self.revoked.store(true, Ordering::SeqCst);
                if let Err(e) = consumer.unassign() {
                    tracing::error!(error = %e, "unassign failed");
                }
            }
            other => tracing::error!(error = ?other, "rebalance error"),
        }
    }
}

pub fn run(
    cfg: &Config,
    ctx: &RunCtx,
    console: Shared,
    route_wait: Duration,
) -> Result<(), RuntimeError> {
    let consumer: BaseConsumer<Ctx> = kafka::consumer_config(cfg, &cfg.group())
        .create_with_context(Ctx {
            console: console.clone(),
            revoked: AtomicBool::new(false),
        })?;
    let dlq: BaseProducer = kafka::plain_producer_config(cfg).create()?;
    let dlq_topic = cfg.topic(codec::DLQ_TOPIC);
    let alerts_topic = cfg.topic("chat.alerts");
    consumer.subscribe(&[&alerts_topic])?;
    let mut batch: Vec<InRecord> = Vec::with_capacity(cfg.batch_max_events);
    loop {
        let stopping = wcp_runtime::batch::fill_batch(
            &consumer,
            cfg,
            ctx,
            &mut batch,
            &consumer.context().revoked,
        );
        if consumer.context().revoked.swap(false, Ordering::SeqCst) {
            batch.clear();
        }
        if !batch.is_empty() {
            write_batch(&console, &batch, &dlq, &dlq_topic, ctx, route_wait)?;
            batch.clear();
        }
        if stopping {
            tracing::info!("stopped cleanly");
            return Ok(());
        }
    }
}

fn write_batch(
    console: &Shared,
    batch: &[InRecord],
    dlq: &BaseProducer,
    dlq_topic: &str,
    ctx: &RunCtx,
    route_wait: Duration,
) -> Result<(), RuntimeError> {
    let m = &ctx.metrics;
    let mut alerts: Vec<Alert> = Vec::new();
    let mut dead = 0;
    for rec in batch {
        m.received.with_label_values(&["chat.alerts"]).inc();
        match codec::decode::<Alert>(rec) {
            Ok(a) => alerts.push(a),
            Err(RuntimeError::Poison { code, detail }) => {
                m.dead_letters.with_label_values(&[code]).inc();
                let o = codec::dead_letter(rec, "review", code, &detail)?;
                let mut r: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(dlq_topic).payload(&o.value);
                if let Some(k) = &o.key {
                    r = r.key(k);
                }
                dlq.send(r).map_err(|(e, _)| RuntimeError::Kafka(e))?;
                dead += 1;
            }
            Err(other) => return Err(other),
        }
    }
    if dead > 0 {
        dlq.flush(Duration::from_secs(30))?;
    }
    // Route each alert to the region archive that holds its message; wait for a lagging archiver.
    let started = Instant::now();
    let mut per_region: Vec<Vec<NewItem>> = loop {
        let mut out: Vec<Vec<NewItem>> = vec![Vec::new(); console.regions.len()];
        let mut missing = 0;
        for a in &alerts {
            match locate(console, &a.msgid) {
                Some((i, msg)) => out[i].push(to_item(a, msg.as_ref())),
                None => {
                    missing += 1;
                    out[0].push(to_item(a, None));
                }
            }
        }
        if missing == 0 || started.elapsed() >= route_wait || ctx.shutdown_requested() {
            if missing > 0 {
                tracing::warn!(
                    missing,
                    "alerts whose message no archive holds; queued in the first region"
                );
            }
            break out;
        }
        std::thread::sleep(Duration::from_millis(500));
    };
    let mut next: BTreeMap<(String, i32), i64> = BTreeMap::new();
    for rec in batch {
        let e = next
            .entry((rec.topic.clone(), rec.partition))
            .or_insert(rec.offset + 1);
        *e = (*e).max(rec.offset + 1);
    }
    let offsets: Vec<(String, i32, i64)> = next.into_iter().map(|((t, p), o)| (t, p, o)).collect();
    for (r, items_) in console.regions.iter().zip(per_region.iter_mut()) {
        let mut backoff = Duration::from_millis(100);
        loop {
            match items::ingest(&mut lock(&r.store), items_, &offsets, now_ms()) {
                Ok(n) => {
                    console
                        .metrics
                        .ingested
                        .with_label_values(&[r.name.as_str(), "alert"])
                        .inc_by(n);
                    break;
                }
                Err(e) if e.is_transient() && backoff < Duration::from_secs(10) => {
                    tracing::warn!(error = %e, "review store busy; retrying");
                    std::thread::sleep(backoff);
                    backoff *= 2;
                }
                Err(e) => return Err(RuntimeError::Fatal(format!("review store {}: {e}", r.name))),
            }
        }
    }
    Ok(())
}
