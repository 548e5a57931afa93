//! The transactional producer's lifecycle: creation, `init_transactions` with retries, and
//! re-creation when a broker restart left it in a fatal state.
//!
//! librdkafka makes some errors of a broker restart fatal for the producer (e.g. an EndTxn
//! answered `INVALID_TXN_STATE` after the coordinator moved, or a transaction the restarted
//! broker timed out and aborted). Such a producer can do nothing more, but the
//! `transactional.id` is still ours: a new producer's `init_transactions` bumps the epoch,
//! which aborts whatever the old one left open, and the loop replays from the committed
//! offsets. Only a fencing error with no broker trouble around it means another live
//! instance took the id over; that one stops the process.

use std::sync::Arc;
use std::time::{Duration, Instant};

use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseRecord, Producer};

use crate::config::Config;
use crate::error::{is_fencing, txn_failure, RuntimeError, TxnFailure};
use crate::kafka::{self, LoopContext, TxProducer};
use crate::record::OutRecord;
use crate::shutdown::RunCtx;

pub const TXN_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A fencing error within this long after broker trouble is blamed on the broker.
const FENCE_GRACE: Duration = Duration::from_secs(120);
/// Re-creations in a row (no commit in between) before giving up: at up to 5 s of backoff
/// plus `RECOVERY_PATIENCE` each, a broker that stays away this long needs an operator.
pub const MAX_RECREATIONS: u32 = 10;
/// How long one re-created producer's `init_transactions` keeps retrying transient errors.
const RECOVERY_PATIENCE: Duration = Duration::from_secs(180);

/// What a failed transaction step means for the loop.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct StepError {
    pub kind: TxnFailure,
    /// A fencing error with no recent broker trouble: another instance owns the id.
    pub rival: bool,
}

/// Classifies a failed step and, unless it is a fencing error, notes broker trouble. A
/// fencing error never extends the grace window itself: two live instances sharing an id
/// would otherwise keep re-creating and fencing each other.
pub fn step_error(e: &KafkaError, lctx: &LoopContext) -> StepError {
    let fenced = is_fencing(e);
    let rival = fenced && !lctx.trouble_within(FENCE_GRACE);
    if !fenced {
        lctx.note_trouble();
    }
    StepError {
        kind: txn_failure(e),
        rival,
    }
}

/// Creates the producer and initialises transactions (retried until shutdown: a broker that
/// is still starting is not a reason to exit).
pub fn start(
    cfg: &Config,
    ctx: &RunCtx,
    lctx: &Arc<LoopContext>,
) -> Result<Arc<TxProducer>, RuntimeError> {
    let producer = kafka::producer(cfg, lctx.clone())?;
    init_transactions(&producer, ctx, None)?;
    Ok(Arc::new(producer))
}

/// Replaces `slot` with a new producer with the same `transactional.id` and initialises it,
/// which fences the old one and aborts its open transaction. (The old one lives on only if
/// a call stuck inside it still holds it: see `deadline`.)
pub fn recreate(
    slot: &mut Arc<TxProducer>,
    cfg: &Config,
    ctx: &RunCtx,
    lctx: &Arc<LoopContext>,
) -> Result<(), RuntimeError> {
    // A fencing error after broker trouble is usually the restart's echo, but it can be a
    // second live instance: then re-creating would fence it back, forever. The broker's group
    // listing tells the two apart (two members with our client id).
    if let Ok(members) = crate::preflight::same_id_members(cfg, slot.client()) {
        if members.len() >= 2 {
            return Err(RuntimeError::Fatal(format!(
                "another instance of wcp-{} with instance_id {:?} took over ({}); stopping \
                 (give each process its own instance_id)",
                cfg.service,
                cfg.instance_id,
                members.join(", ")
            )));
        }
    }
    let mut backoff = Duration::from_millis(200);
    for attempt in 1..=3 {
        tracing::warn!(attempt, "re-creating the transactional producer");
        // The old producer goes first: two live producers with one id would fence each other.
        let fresh = Arc::new(kafka::producer(cfg, lctx.clone())?);
        drop(std::mem::replace(slot, fresh));
        match init_transactions(slot, ctx, Some(RECOVERY_PATIENCE)) {
            Ok(()) => return Ok(()),
            Err(RuntimeError::Kafka(e)) if is_fencing(&e) && !lctx.trouble_within(FENCE_GRACE) => {
                return Err(RuntimeError::Kafka(e));
            }
            Err(e) => {
                tracing::warn!(error = %e, "init_transactions of the new producer failed");
                if ctx.sleep(backoff) {
                    return Err(RuntimeError::Fatal(
                        "shutdown during producer recovery".into(),
                    ));
                }
                backoff = (backoff * 4).min(MAX_BACKOFF);
            }
        }
    }
    Err(RuntimeError::Fatal(
        "could not re-create the transactional producer".into(),
    ))
}

/// `init_transactions`, retrying transient failures with backoff until `patience` (None:
/// until shutdown) runs out; a fatal failure is returned at once.
fn init_transactions(
    producer: &TxProducer,
    ctx: &RunCtx,
    patience: Option<Duration>,
) -> Result<(), RuntimeError> {
    let start = Instant::now();
    let mut backoff = Duration::from_millis(200);
    loop {
        match producer.init_transactions(TXN_TIMEOUT) {
            Ok(()) => return Ok(()),
            Err(e) if txn_failure(&e) == TxnFailure::Fatal => return Err(e.into()),
            Err(e) if patience.is_some_and(|p| start.elapsed() > p) => return Err(e.into()),
            Err(e) => {
                tracing::warn!(error = %e, "init_transactions failed; retrying");
                if ctx.sleep(backoff) {
                    return Err(RuntimeError::Fatal(
                        "shutdown during init_transactions".into(),
                    ));
                }
                backoff = (backoff * 2).min(MAX_BACKOFF);
            }
        }
    }
}

/// Queues one record in the open transaction. A full local queue is not an error: the
/// background thread drains it, so the record is offered again shortly.
pub fn send(producer: &TxProducer, topic: &str, o: &OutRecord) -> Result<(), KafkaError> {
    let mut headers = OwnedHeaders::new_with_capacity(o.headers.len());
    for (k, v) in &o.headers {
        headers = headers.insert(Header {
            key: k,
            value: Some(v),
        });
    }
    let mut rec: BaseRecord<'_, [u8], [u8]> = BaseRecord::to(topic)
        .payload(o.value.as_slice())
        .headers(headers);
    if let Some(k) = &o.key {
        rec = rec.key(k.as_slice());
    }
    loop {
        match producer.send(rec) {
            Ok(()) => return Ok(()),
            Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                std::thread::sleep(Duration::from_millis(2));
                rec = r;
            }
            Err((e, _)) => return Err(e),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::metrics::Metrics;
    use rdkafka::error::RDKafkaErrorCode;

    #[test]
    fn fencing_is_a_rival_only_without_recent_trouble() {
        let lctx = LoopContext::new(Metrics::new(), "");
        let fenced = KafkaError::MessageProduction(RDKafkaErrorCode::ProducerFenced);
        assert!(step_error(&fenced, &lctx).rival);
        // The fencing error itself does not open the grace window.
        assert!(!lctx.trouble_within(FENCE_GRACE));
        let transport = KafkaError::MessageProduction(RDKafkaErrorCode::BrokerTransportFailure);
        let e = step_error(&transport, &lctx);
        assert!(!e.rival);
        assert_eq!(e.kind, TxnFailure::Abort);
        assert!(lctx.trouble_within(FENCE_GRACE));
        // Right after a broker outage the same code is the restart's echo: re-create.
        assert!(!step_error(&fenced, &lctx).rival);
    }
}
