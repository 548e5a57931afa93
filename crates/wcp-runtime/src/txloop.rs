//! The transactional consume → stage → produce loop.
//!
//! One blocking thread per service. A batch is assembled while polling (see
//! `batch::fill_batch`: everything the consumer holds, up to `batch_max_events`, waiting at
//! most `flush_interval_ms` for more); no transaction is open while polling, so a revocation
//! only has to drop the unfinished batch. Then one transaction: it begins and the batch's
//! next source offsets go out (`send_offsets_to_transaction`) while the stage processes the
//! batch; its outputs and dead letters are produced and it commits. Polling stops while a
//! batch is processed, which is the backpressure.

use std::cell::RefCell;
use std::collections::BTreeMap;
use std::sync::atomic::Ordering;
use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::KafkaError;
use rdkafka::producer::Producer;
use rdkafka::TopicPartitionList;

use crate::batch::{fill_batch, next_offsets, rewind};
use crate::codec;
use crate::config::Config;
use crate::deadline;
use crate::error::{ErrorClass, RuntimeError, TxnFailure};
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

/// A begun transaction whose `send_offsets_to_transaction` runs on its own thread.
struct OffsetsSent {
    pending: deadline::Pending<Result<(), KafkaError>>,
    timeout: Duration,
    started: Instant,
}

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
        last_error: RefCell::new(None),
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
    /// The last failed transaction step's error, named if the loop gives up.
    last_error: RefCell<Option<String>>,
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
        let t0 = Instant::now();
        let prepared = stage.before_batch();
        tracing::debug!(us = t0.elapsed().as_micros() as u64, "before_batch");
        if let Err(e) = prepared {
            self.count_error(&e);
            if e.class() == ErrorClass::Fatal {
                return Err(e);
            }
            // Keep the batch; try again after a pause.
            self.ctx.sleep(self.backoff);
            self.backoff = (self.backoff * 2).min(MAX_BACKOFF);
            return Ok(());
        }
        let offsets = next_offsets(batch)?;
        // The transaction begins and its offsets go to the coordinators while the stage works
        // (see `begin`); its records are produced once the offsets are in.
        let started = self.begin(&offsets);
        let outs = match self.process(stage, batch) {
            Ok(outs) => outs,
            Err(e) => {
                self.abandon(started);
                return Err(e);
            }
        };
        match started.and_then(|offsets_sent| self.finish(offsets_sent, &outs)) {
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
                if let Err(e) = self.abort_and_rewind(err.kind == TxnFailure::Fatal) {
                    if !self.ctx.shutdown_requested() {
                        return Err(e);
                    }
                    // SIGTERM while recovering: nothing of the batch was committed, so the
                    // next start replays it; a clean stop.
                    tracing::info!("shutdown during recovery; the batch is replayed at start");
                    batch.clear();
                    return Ok(());
                }
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

    /// Begins the transaction and starts `send_offsets_to_transaction` on a thread of its own
    /// (under a watchdog, see `deadline`), so the stage processes the batch meanwhile. Right
    /// after a commit the transaction coordinator answers CONCURRENT_TRANSACTIONS until that
    /// transaction's markers are written; librdkafka retries AddOffsetsToTxn after
    /// `retry.backoff.ms` but AddPartitionsToTxn (sent when the first record of a partition is
    /// produced) only after a fixed 20 ms. Offsets first, records once they are in: the
    /// partitions then register at the first attempt.
    fn begin(&self, offsets: &TopicPartitionList) -> Result<OffsetsSent, StepError> {
        let started = Instant::now();
        self.producer
            .begin_transaction()
            .map_err(|e| self.step_failed(e))?;
        let meta = self.consumer.group_metadata().ok_or(StepError {
            kind: TxnFailure::Abort,
            rival: false,
        })?;
        let timeout = self.timeout();
        let producer = Arc::clone(&self.producer);
        let offsets = offsets.clone();
        let call = move || producer.send_offsets_to_transaction(&offsets, &meta, timeout);
        match deadline::start("wcp-send-offsets", call) {
            Ok(pending) => Ok(OffsetsSent {
                pending,
                timeout,
                started,
            }),
            Err(e) => {
                // No thread for the call: nothing was sent, abort and replay.
                tracing::warn!(error = %e, "could not start the send_offsets_to_transaction thread");
                Err(StepError {
                    kind: TxnFailure::Abort,
                    rival: false,
                })
            }
        }
    }

    /// The stage failed fatally inside an open transaction: abort it (best effort; the
    /// process is stopping, and a successor's `init_transactions` aborts it anyway).
    fn abandon(&self, started: Result<OffsetsSent, StepError>) {
        if let Ok(o) = started {
            let _ = o.pending.wait(o.timeout + STUCK_GRACE);
            if let Err(e) = self.producer.abort_transaction(self.timeout()) {
                tracing::warn!(error = %e, "abort_transaction failed");
            }
        }
    }

    /// Waits for the offsets, produces the records, and commits.
    fn finish(&self, o: OffsetsSent, outs: &[OutRecord]) -> Result<(), StepError> {
        let fail = |e: KafkaError| self.step_failed(e);
        let t0 = Instant::now();
        self.offsets_result(o.pending.wait(o.timeout + STUCK_GRACE), o.timeout)?;
        let t1 = Instant::now();
        let mut topics: BTreeMap<&str, String> = BTreeMap::new();
        for out in outs {
            let topic = topics
                .entry(out.topic)
                .or_insert_with(|| self.cfg.topic(out.topic));
            txproducer::send(&self.producer, topic, out).map_err(fail)?;
        }
        self.flush_in_short_steps();
        let t2 = Instant::now();
        let mut tries = 0;
        loop {
            match self.producer.commit_transaction(self.timeout()) {
                Ok(()) => {
                    let m = &self.ctx.metrics;
                    m.transaction_duration
                        .observe(o.started.elapsed().as_secs_f64());
                    tracing::debug!(
                        records = outs.len(),
                        offsets_wait_us = (t1 - t0).as_micros() as u64,
                        produce_us = (t2 - t1).as_micros() as u64,
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
        crate::lograte::warn_repeated(
            "transaction step failed",
            &format!("transaction step failed: {e}"),
        );
        *self.last_error.borrow_mut() = Some(e.to_string());
        step_error(&e, &self.lctx)
    }

    /// The outcome of `send_offsets_to_transaction`: a call that overstayed its timeout by
    /// `STUCK_GRACE` (`None`) fails the step as fatal for the producer, which the loop then
    /// replaces.
    fn offsets_result(
        &self,
        result: Option<Result<(), KafkaError>>,
        timeout: Duration,
    ) -> Result<(), StepError> {
        match result {
            Some(r) => r.map_err(|e| self.step_failed(e)),
            None => {
                tracing::error!(
                    timeout_s = timeout.as_secs(),
                    "send_offsets_to_transaction overstayed its timeout; replacing the producer"
                );
                self.lctx.note_trouble();
                Err(StepError {
                    kind: TxnFailure::Fatal,
                    rival: false,
                })
            }
        }
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
        m.set_lag_after(batch, now);
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
                    "transactional producer re-created {MAX_RECREATIONS} times without a \
                     commit while the broker was reachable (last error: {}); the broker \
                     accepts new producers but fails their transactions: check its \
                     transaction state log (transaction.state.log.replication.factor and \
                     min.isr against the brokers up) and its logs, then restart",
                    self.last_error.borrow().as_deref().unwrap_or("none")
                )));
            }
            let outage = txproducer::recreate(&mut self.producer, self.cfg, self.ctx, &self.lctx)?;
            if outage {
                // The broker's absence explains the failures: not a loop to give up on.
                self.recreations = 0;
            }
        }
        self.rewind_through_outage()
    }

    /// Continuing from the current position would skip the dropped batch: the rewind must
    /// succeed or the process stops. Transient failures are retried for as long as the broker
    /// is unreachable (an outage of any length), else 30 times (about two minutes, as
    /// `error::retry_transient`); SIGTERM ends the wait.
    fn rewind_through_outage(&self) -> Result<(), RuntimeError> {
        let mut attempt = 0;
        let mut backoff = Duration::from_millis(200);
        loop {
            match rewind(&self.consumer, self.timeout()) {
                Ok(()) => return Ok(()),
                Err(e)
                    if e.class() == ErrorClass::Transient
                        && (attempt < 30 || self.ctx.metrics.brokers.is_down()) =>
                {
                    attempt += 1;
                    crate::lograte::warn_repeated(
                        "rewind",
                        &format!("rewind to the committed offsets failed; retrying: {e}"),
                    );
                    if self.ctx.sleep(backoff) {
                        return Err(e);
                    }
                    backoff = (backoff * 2).min(MAX_BACKOFF);
                }
                Err(e) => return Err(e),
            }
        }
    }
}
