//! The capture's Kafka transactions: a batch's records and its cursor commit together or
//! not at all. After any failure the caller re-reads the committed cursor (the topic is the
//! truth: a commit that timed out may still have landed), so a batch is never written twice
//! and never skipped.

use std::sync::Arc;
use std::time::Duration;

use rdkafka::error::KafkaError;
use rdkafka::producer::Producer;
use wcp_runtime::error::TxnFailure;
use wcp_runtime::kafka::{LoopContext, TxProducer};
use wcp_runtime::txproducer::{self, step_error, MAX_RECREATIONS, TXN_TIMEOUT};
use wcp_runtime::{Config, OutRecord, RunCtx, RuntimeError};

/// How a failed commit ends.
#[derive(Debug)]
pub enum TxError {
    /// Aborted (or the producer replaced): re-read the cursor and try again.
    Retry,
    /// Another instance took this corp's transactional id: stand by.
    Fenced,
    Fatal(RuntimeError),
}

pub struct Tx {
    producer: Arc<TxProducer>,
    lctx: Arc<LoopContext>,
    /// The producer's config: `instance_id` is the corp id, so the transactional id is
    /// one per corp (`<prefix>wcp-capture-<corp_id>`) whichever instance holds it.
    cfg: Config,
    recreations: u32,
}

impl Tx {
    /// Creates the producer and initialises transactions, which fences any earlier holder of
    /// the corp's transactional id and aborts its open transaction.
    pub fn start(cfg: &Config, corp_id: &str, ctx: &RunCtx) -> Result<Tx, RuntimeError> {
        let mut pcfg = cfg.clone();
        pcfg.instance_id = corp_id.to_string();
        let lctx = LoopContext::new(ctx.metrics.clone(), &cfg.topic_prefix);
        let producer = txproducer::start(&pcfg, ctx, &lctx)?;
        Ok(Tx {
            producer,
            lctx,
            cfg: pcfg,
            recreations: 0,
        })
    }

    fn timeout(ctx: &RunCtx) -> Duration {
        ctx.time_left()
            .clamp(Duration::from_millis(500), TXN_TIMEOUT)
    }

    /// Writes `outs` in one transaction.
    pub fn commit(&mut self, ctx: &RunCtx, outs: &[OutRecord]) -> Result<(), TxError> {
        match self.try_commit(ctx, outs) {
            Ok(()) => {
                self.recreations = 0;
                ctx.metrics
                    .transactions
                    .with_label_values(&["committed"])
                    .inc();
                Ok(())
            }
            Err(e) => {
                tracing::warn!(error = %e, "capture transaction failed");
                ctx.metrics
                    .transactions
                    .with_label_values(&["aborted"])
                    .inc();
                let se = step_error(&e, &self.lctx);
                if se.rival {
                    return Err(TxError::Fenced);
                }
                let mut recreate = se.kind == TxnFailure::Fatal;
                if !recreate {
                    if let Err(e) = self.producer.abort_transaction(Self::timeout(ctx)) {
                        tracing::warn!(error = %e, "abort_transaction failed");
                        if step_error(&e, &self.lctx).rival {
                            return Err(TxError::Fenced);
                        }
                        recreate = true;
                    }
                }
                if recreate {
                    self.recreations += 1;
                    if self.recreations > MAX_RECREATIONS {
                        return Err(TxError::Fatal(RuntimeError::Fatal(format!(
                            "transactional producer re-created {MAX_RECREATIONS} times without a commit"
                        ))));
                    }
                    txproducer::recreate(&mut self.producer, &self.cfg, ctx, &self.lctx)
                        .map_err(TxError::Fatal)?;
                }
                Err(TxError::Retry)
            }
        }
    }

    fn try_commit(&self, ctx: &RunCtx, outs: &[OutRecord]) -> Result<(), KafkaError> {
        self.producer.begin_transaction()?;
        for o in outs {
            txproducer::send(&self.producer, &self.cfg.topic(o.topic), o)?;
        }
        let mut tries = 0;
        loop {
            match self.producer.commit_transaction(Self::timeout(ctx)) {
                Ok(()) => return Ok(()),
                // Retriable (e.g. timed out): the same call resolves it either way.
                Err(KafkaError::Transaction(t)) if t.is_retriable() && tries < 3 => tries += 1,
                Err(e) => return Err(e),
            }
        }
    }
}
