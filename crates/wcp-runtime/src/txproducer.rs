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
use crate::error::{is_fencing, txn_failure, ErrorClass, RuntimeError, TxnFailure};
use crate::kafka::{self, LoopContext, TxProducer};
use crate::record::OutRecord;
use crate::shutdown::RunCtx;

pub const TXN_TIMEOUT: Duration = Duration::from_secs(30);
const MAX_BACKOFF: Duration = Duration::from_secs(5);
/// A fencing error within this long after broker trouble is blamed on the broker.
const FENCE_GRACE: Duration = Duration::from_secs(120);
/// The longest one `init_transactions` call waits (see `init_transactions`).
const INIT_CALL: Duration = Duration::from_secs(5);
/// Re-creations in a row (no commit in between, the broker reachable throughout) before
/// giving up: a broker that answers, yet makes every new producer's first transaction fail
/// fatally, needs an operator. Re-creations during an outage do not count.
pub const MAX_RECREATIONS: u32 = 10;

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
///
/// Retried for as long as it takes: a broker outage of any length, or a broker that answers
/// with transient errors, never stops a stage (docs/OPERATIONS.md "Readiness follows the
/// broker"; a trial saw four stages exit after ten minutes). Meanwhile `/readyz` answers 503
/// with the reason and one line every `lograte::WINDOW` says how long. Only a rival instance,
/// an error fatal by its class (authorization, ...) or shutdown ends it early. Returns whether
/// the broker was unreachable meanwhile (the loop does not count such a re-creation against
/// `MAX_RECREATIONS`).
pub fn recreate(
    slot: &mut Arc<TxProducer>,
    cfg: &Config,
    ctx: &RunCtx,
    lctx: &Arc<LoopContext>,
) -> Result<bool, RuntimeError> {
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
    let patience = Duration::from_millis(cfg.producer_recovery_patience_ms);
    let started = Instant::now();
    let mut backoff = Duration::from_millis(200);
    let mut last_error: Option<String> = None;
    let mut logged: Option<Instant> = None;
    let mut outage = false;
    let mut attempt: u64 = 0;
    loop {
        attempt += 1;
        let down = ctx.metrics.brokers.down_for(Instant::now());
        outage |= down.is_some();
        let status = recovery_status(down, started.elapsed(), attempt, last_error.as_deref());
        if logged.is_none_or(|t| t.elapsed() >= crate::lograte::WINDOW) {
            tracing::warn!(attempt, "{status}");
            logged = Some(Instant::now());
        }
        ctx.hold_not_ready(status);
        // The old producer goes first: two live producers with one id would fence each other.
        let fresh = Arc::new(kafka::producer(cfg, lctx.clone())?);
        drop(std::mem::replace(slot, fresh));
        match init_transactions(slot, ctx, Some(patience)) {
            Ok(()) => {
                ctx.release_hold();
                if attempt > 1 {
                    tracing::info!(
                        attempt,
                        "transactional producer re-created after {}s",
                        started.elapsed().as_secs()
                    );
                }
                return Ok(outage);
            }
            Err(RuntimeError::Kafka(e)) if is_fencing(&e) && !lctx.trouble_within(FENCE_GRACE) => {
                return Err(RuntimeError::Kafka(e));
            }
            Err(e) if ctx.shutdown_requested() => return Err(e),
            Err(e) if e.class() == ErrorClass::Fatal => return Err(fatal_with_fix(e)),
            Err(e) => {
                last_error = Some(e.to_string());
                if ctx.sleep(backoff) {
                    return Err(RuntimeError::Interrupted(
                        "shutdown during producer recovery".into(),
                    ));
                }
                backoff = (backoff * 4).min(MAX_BACKOFF);
            }
        }
    }
}

/// What a re-creation in progress tells `/readyz` and the log (pure: times passed in).
/// `down`: how long no broker has been up, `None` while one is.
pub fn recovery_status(
    down: Option<Duration>,
    elapsed: Duration,
    attempt: u64,
    last_error: Option<&str>,
) -> String {
    let last = last_error
        .map(|e| format!(" (last error: {e})"))
        .unwrap_or_default();
    match down {
        Some(d) => format!(
            "broker unreachable for {}s; still re-creating the transactional producer \
             (attempt {attempt}){last}",
            d.as_secs()
        ),
        None if attempt == 1 => "re-creating the transactional producer".to_string(),
        None => format!(
            "re-creating the transactional producer for {}s (attempt {attempt}){last}",
            elapsed.as_secs()
        ),
    }
}

/// A fatal error from a re-created producer, with its cause and the fix. Authorization
/// failures stay as they are: `authz::explain` names the principal and the ACLs.
fn fatal_with_fix(e: RuntimeError) -> RuntimeError {
    let auth = e.to_string().to_ascii_lowercase().contains("authorization");
    if auth || !matches!(e, RuntimeError::Kafka(_)) {
        return e;
    }
    RuntimeError::Fatal(format!(
        "could not re-create the transactional producer: the broker refused it ({e}); check \
         that the broker supports transactions and that the transaction timeout \
         (kafka.transaction.timeout.ms, 60000 by default) is within the broker's \
         transaction.max.timeout.ms, then restart"
    ))
}

/// `init_transactions`, retrying transient failures with backoff until `patience` (None:
/// until shutdown) runs out; a fatal failure is returned at once. One call waits at most
/// `INIT_CALL` (a timed-out call is resumed by the next), so a SIGTERM is seen well within the
/// shutdown deadline.
fn init_transactions(
    producer: &TxProducer,
    ctx: &RunCtx,
    patience: Option<Duration>,
) -> Result<(), RuntimeError> {
    let start = Instant::now();
    let call_timeout = patience.map_or(INIT_CALL, |p| p.min(INIT_CALL));
    let mut backoff = Duration::from_millis(200);
    loop {
        match producer.init_transactions(call_timeout) {
            Ok(()) => return Ok(()),
            Err(e) if txn_failure(&e) == TxnFailure::Fatal => return Err(e.into()),
            Err(e) if patience.is_some_and(|p| start.elapsed() > p) => return Err(e.into()),
            Err(e) => {
                crate::lograte::warn_repeated(
                    "init_transactions",
                    &format!("init_transactions failed; retrying: {e}"),
                );
                if ctx.sleep(backoff) {
                    return Err(RuntimeError::Interrupted(
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

    #[test]
    fn recovery_status_says_how_long_the_broker_is_away_and_the_last_error() {
        let s = Duration::from_secs;
        assert_eq!(
            recovery_status(None, s(0), 1, None),
            "re-creating the transactional producer"
        );
        assert_eq!(
            recovery_status(Some(s(95)), s(90), 7, Some("Local: Timed out")),
            "broker unreachable for 95s; still re-creating the transactional producer \
             (attempt 7) (last error: Local: Timed out)"
        );
        // The broker is up but refuses: how long, and why.
        assert_eq!(
            recovery_status(None, s(40), 3, Some("Broker: Coordinator not available")),
            "re-creating the transactional producer for 40s (attempt 3) (last error: Broker: \
             Coordinator not available)"
        );
    }

    #[test]
    fn a_fatal_refusal_names_the_cause_and_the_fix_but_authorization_is_left_to_authz() {
        let e = RuntimeError::Kafka(KafkaError::MessageProduction(RDKafkaErrorCode::Fatal));
        let msg = fatal_with_fix(e).to_string();
        assert!(
            msg.contains("could not re-create the transactional producer"),
            "{msg}"
        );
        assert!(msg.contains("transaction.max.timeout.ms"), "{msg}");
        let auth = RuntimeError::Kafka(KafkaError::MessageProduction(
            RDKafkaErrorCode::TransactionalIdAuthorizationFailed,
        ));
        assert!(matches!(fatal_with_fix(auth), RuntimeError::Kafka(_)));
    }
}
