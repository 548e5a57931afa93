//! The transactional consume → stage → produce loop.
//!
//! One blocking thread per service. A batch (≤ `batch_max_events` records or
//! `flush_interval_ms` after its first record) is assembled while polling; no transaction is
//! open while polling, so a revocation only has to drop the unfinished batch. The batch is
//! then run through the stage and, in one transaction, its outputs, dead letters and the next
//! source offsets (`send_offsets_to_transaction`) are written and committed. Polling stops
//! while a batch is processed, which is the backpressure.

use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerGroupMetadata};
use rdkafka::error::KafkaError;
use rdkafka::producer::Producer;
use rdkafka::TopicPartitionList;

use crate::batch::{fill_batch, next_offsets, rewind};
use crate::codec;
use crate::config::Config;
use crate::deadline;
use crate::error::{retry_transient, ErrorClass, RuntimeError, TxnFailure};
use crate::kafka::{self, CtxHandle, LoopContext};
use crate::record::{InRecord, OutRecord, Stage, ORIGIN_TS_HEADER};
use crate::shutdown::RunCtx;
use crate::telemetry::Tracing;
use crate::txproducer::{self, step_error, StepError, MAX_RECREATIONS, TXN_TIMEOUT};
use wcp_model::clock::now_ms;

const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// How long past its own timeout `send_offsets_to_transaction` may run before the producer
/// is given up on.
const STUCK_GRACE: Duration = Duration::from_secs(10);

/// Options of the loop beyond the config.
#[derive(Debug, Clone, Copy, Default)]
pub struct LoopOptions {
    /// Observe `wcp_end_to_end_latency_seconds` for each consumed record (sinks only).
    pub end_to_end_metric: bool,
}

/// Runs `stage` until shutdown (Ok) or a fatal error (Err).
pub fn run(
    cfg: &Config,
    ctx: &RunCtx,
    stage: &mut dyn Stage,
    opts: LoopOptions,
) -> Result<(), RuntimeError> {
    let lctx = LoopContext::new(ctx.metrics.clone(), &cfg.topic_prefix);
    let consumer = kafka::group_consumer(cfg, lctx.clone())?;
    let producer = txproducer::start(cfg, ctx, &lctx)?;
    let topics: Vec<String> = stage.input_topics().iter().map(|t| cfg.topic(t)).collect();
    let refs: Vec<&str> = topics.iter().map(String::as_str).collect();
    consumer.subscribe(&refs)?;
    let mut lp = Loop {
        cfg,
        ctx,
        consumer,
        producer,
        lctx,
        tracing: Tracing::new(&cfg.service),
        opts,
        backoff: Duration::from_millis(100),
        recreations: 0,
    };
    lp.main(stage)
}

struct Loop<'a> {
    cfg: &'a Config,
    ctx: &'a RunCtx,
    consumer: BaseConsumer<CtxHandle>,
    producer: Arc<kafka::TxProducer>,
    lctx: Arc<LoopContext>,
    tracing: Tracing,
    opts: LoopOptions,
    backoff: Duration,
    /// Producers re-created since the last commit (bounded by `MAX_RECREATIONS`).
    recreations: u32,
}

impl Loop<'_> {
    fn main(&mut self, stage: &mut dyn Stage) -> Result<(), RuntimeError> {
        let mut batch: Vec<InRecord> = Vec::with_capacity(self.cfg.batch_max_events);
        loop {
            let stopping = self.fill(&mut batch);
            if self.lctx.revoked.swap(false, Ordering::SeqCst) {
                batch.clear();
            }
            if !batch.is_empty() {
                self.run_batch(stage, &mut batch)?;
            }
            if stopping {
                tracing::info!("stopped cleanly");
                return Ok(());
            }
        }
    }

    /// Polls until the batch is full, its flush interval passed, or shutdown was requested
    /// (returns true then).
    fn fill(&mut self, batch: &mut Vec<InRecord>) -> bool {
        fill_batch(
            &self.consumer,
            self.cfg,
            self.ctx,
            batch,
            &self.lctx.revoked,
        )
    }

    fn count_error(&self, e: &RuntimeError) {
        let class = e.class();
        self.ctx
            .metrics
            .errors
            .with_label_values(&[class.label()])
            .inc();
        if class != ErrorClass::Poison {
            tracing::warn!(error = %e, class = class.label(), "error");
        }
    }

    fn run_batch(
        &mut self,
        stage: &mut dyn Stage,
        batch: &mut Vec<InRecord>,
    ) -> Result<(), RuntimeError> {
        if let Err(e) = stage.before_batch() {
            self.count_error(&e);
            if e.class() == ErrorClass::Fatal {
                return Err(e);
            }
            // Keep the batch; try again after a pause.
            self.ctx.sleep(self.backoff);
            self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            return Ok(());
        }
        let outs = self.process(stage, batch)?;
        let offsets = next_offsets(batch)?;
        match self.transact(&outs, &offsets) {
            Ok(()) => {
                self.ctx
                    .metrics
                    .transactions
                    .with_label_values(&["committed"])
                    .inc();
                self.record_progress(batch, &outs);
                stage.on_commit();
                self.backoff = Duration::from_millis(100);
                self.recreations = 0;
                batch.clear();
                Ok(())
            }
            Err(StepError { rival: true, .. }) => {
                self.ctx.metrics.errors.with_label_values(&["fatal"]).inc();
                Err(RuntimeError::Fatal(
                    "producer fenced; another instance owns this transactional.id".into(),
                ))
            }
            Err(err) => {
                self.ctx
                    .metrics
                    .errors
                    .with_label_values(&["transient"])
                    .inc();
                self.abort_and_rewind(err.kind == TxnFailure::Fatal)?;
                stage.on_abort()?;
                batch.clear();
                self.ctx.sleep(self.backoff);
                self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
                Ok(())
            }
        }
    }

    /// Runs the stage over the batch; poison records become dead letters.
    fn process(
        &self,
        stage: &mut dyn Stage,
        batch: &[InRecord],
    ) -> Result<Vec<OutRecord>, RuntimeError> {
        let m = &self.ctx.metrics;
        let mut outs = Vec::with_capacity(batch.len());
        let mut buf = Vec::new();
        for rec in batch {
            let name = rec
                .topic
                .strip_prefix(&self.cfg.topic_prefix)
                .unwrap_or(&rec.topic);
            m.received.with_label_values(&[name]).inc();
            buf.clear();
            let t0 = Instant::now();
            let res = stage.process(rec, &mut buf);
            m.stage_duration.observe(t0.elapsed().as_secs_f64());
            if let Err(e) = res {
                self.count_error(&e);
                match e {
                    RuntimeError::Poison { code, detail } => {
                        m.dead_letters.with_label_values(&[code]).inc();
                        buf.clear();
                        buf.push(codec::dead_letter(rec, stage.name(), code, &detail)?);
                    }
                    other => return Err(other),
                }
            }
            let hdrs = self.derived_headers(rec);
            outs.extend(buf.drain(..).map(|mut o| {
                o.headers.extend(hdrs.iter().cloned());
                o
            }));
        }
        Ok(outs)
    }

    /// Headers every output of `rec` carries: child trace context and origin timestamp.
    fn derived_headers(&self, rec: &InRecord) -> Vec<(String, Vec<u8>)> {
        let mut h = Vec::with_capacity(2);
        if let Some(tp) = self.tracing.child_traceparent(&rec.headers) {
            h.push(("traceparent".to_string(), tp));
        }
        if let Some(ts) = rec.origin_ts_ms() {
            h.push((ORIGIN_TS_HEADER.to_string(), ts.to_string().into_bytes()));
        }
        h
    }

    fn transact(&self, outs: &[OutRecord], offsets: &TopicPartitionList) -> Result<(), StepError> {
        let fail = |e: KafkaError| self.step_failed(e);
        let t0 = Instant::now();
        self.producer.begin_transaction().map_err(fail)?;
        let mut topics: BTreeMap<&str, String> = BTreeMap::new();
        for o in outs {
            let topic = topics
                .entry(o.topic)
                .or_insert_with(|| self.cfg.topic(o.topic));
            txproducer::send(&self.producer, topic, o).map_err(fail)?;
        }
        let t1 = Instant::now();
        let meta = self.consumer.group_metadata().ok_or(StepError {
            kind: TxnFailure::Abort,
            rival: false,
        })?;
        self.send_offsets(offsets, meta)?;
        let t2 = Instant::now();
        self.flush_in_short_steps();
        let mut tries = 0;
        loop {
            match self.producer.commit_transaction(self.timeout()) {
                Ok(()) => {
                    tracing::debug!(
                        records = outs.len(),
                        send_us = (t1 - t0).as_micros() as u64,
                        offsets_us = (t2 - t1).as_micros() as u64,
                        commit_us = t2.elapsed().as_micros() as u64,
                        "transaction committed"
                    );
                    return Ok(());
                }
                Err(e) => match fail(e) {
                    StepError {
                        kind: TxnFailure::Retry,
                        rival,
                    } => {
                        if tries >= 3 {
                            let kind = TxnFailure::Abort;
                            return Err(StepError { kind, rival });
                        }
                        tries += 1;
                    }
                    other => return Err(other),
                },
            }
        }
    }

    fn step_failed(&self, e: KafkaError) -> StepError {
        tracing::warn!(error = %e, "transaction step failed");
        step_error(&e, &self.lctx)
    }

    /// `send_offsets_to_transaction` under a watchdog (see `deadline`): a call that overstays
    /// its timeout by `STUCK_GRACE` fails the step as fatal for the producer, which the loop
    /// then replaces.
    fn send_offsets(
        &self,
        offsets: &TopicPartitionList,
        meta: ConsumerGroupMetadata,
    ) -> Result<(), StepError> {
        let timeout = self.timeout();
        let producer = Arc::clone(&self.producer);
        let offsets = offsets.clone();
        let call = move || producer.send_offsets_to_transaction(&offsets, &meta, timeout);
        let kind = match deadline::call_within(timeout + STUCK_GRACE, "wcp-send-offsets", call) {
            Ok(Some(result)) => return result.map_err(|e| self.step_failed(e)),
            Ok(None) => {
                tracing::error!(
                    timeout_s = timeout.as_secs(),
                    "send_offsets_to_transaction overstayed its timeout; replacing the producer"
                );
                self.lctx.note_trouble();
                TxnFailure::Fatal
            }
            Err(e) => {
                // No thread for the call: nothing was sent, abort and replay.
                tracing::warn!(error = %e, "could not start the send_offsets_to_transaction thread");
                TxnFailure::Abort
            }
        };
        Err(StepError { kind, rival: false })
    }

    /// Waits for the transaction's records to be delivered before committing. librdkafka's
    /// own flush (inside `commit_transaction`) wakes the broker threads once; records whose
    /// partition is registered in the transaction just after that wait for the thread's next
    /// idle wake-up, about 100 ms later. Short flushes wake them again every few ms.
    fn flush_in_short_steps(&self) {
        let end = Instant::now() + self.timeout();
        while self.producer.in_flight_count() > 0 && Instant::now() < end {
            let _ = self.producer.flush(Duration::from_millis(2));
        }
    }

    fn timeout(&self) -> Duration {
        self.ctx
            .time_left()
            .clamp(Duration::from_millis(500), TXN_TIMEOUT)
    }

    fn record_progress(&self, batch: &[InRecord], outs: &[OutRecord]) {
        let m = &self.ctx.metrics;
        let mut per_topic: BTreeMap<&str, u64> = BTreeMap::new();
        for o in outs {
            *per_topic.entry(o.topic).or_default() += 1;
        }
        for (t, n) in per_topic {
            m.sent.with_label_values(&[t]).inc_by(n);
        }
        let now = now_ms();
        if let Some(ts) = batch.last().and_then(|r| r.timestamp_ms) {
            m.lag_seconds.set((now - ts).max(0) as f64 / 1000.0);
        }
        if self.opts.end_to_end_metric {
            for r in batch {
                if let Some(ts) = r.origin_ts_ms() {
                    m.end_to_end.observe((now - ts).max(0) as f64 / 1000.0);
                }
            }
        }
    }

    /// Aborts the open transaction (or, when the producer is in a fatal state or the abort
    /// fails, replaces the producer, which aborts it too) and seeks every assigned partition
    /// back to its committed offset, so the aborted records are consumed again.
    fn abort_and_rewind(&mut self, producer_failed: bool) -> Result<(), RuntimeError> {
        self.ctx
            .metrics
            .transactions
            .with_label_values(&["aborted"])
            .inc();
        let mut recreate = producer_failed;
        if !recreate {
            if let Err(e) = self.producer.abort_transaction(self.timeout()) {
                tracing::warn!(error = %e, "abort_transaction failed");
                if step_error(&e, &self.lctx).rival {
                    return Err(e.into());
                }
                recreate = true;
            }
        }
        if recreate {
            self.recreations += 1;
            if self.recreations > MAX_RECREATIONS {
                return Err(RuntimeError::Fatal(format!(
                    "transactional producer re-created {MAX_RECREATIONS} times without a commit"
                )));
            }
            txproducer::recreate(&mut self.producer, self.cfg, self.ctx, &self.lctx)?;
        }
        // Continuing from the current position would skip the dropped batch: the rewind
        // must succeed (retried through a broker outage) or the process stops.
        let timeout = self.timeout();
        retry_transient("rewind to committed offsets", || {
            rewind(&self.consumer, timeout)
        })
    }
}
