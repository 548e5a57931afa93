//! The `chat.alerts` consumer of the `wcp-review` service. Exactly-once into the review
//! stores: each region store records the source offsets in the same transaction as the
//! alerts it receives (every store gets the batch's offsets, so each knows how far it is);
//! partitions are assigned at the lowest offset the stores hold, and alert ids are
//! deterministic, so a redelivered alert is a no-op (the consume set-up is `wcp_runtime::local`). Poison records go to `chat.dlq` (flushed
//! before their offsets are stored). An alert goes to the region it names (`crate::route`),
//! with the message details from that archive if it holds the message within a few seconds
//! (`DETAILS_WAIT`), else from the alert; one
//! naming a region the console does not serve is dead-lettered with the reason. An alert
//! without region (revision 1-2) whose message no archive holds yet (the archiver lags)
//! waits up to `route_wait_ms`, then goes to the first region with a warning.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use wcp_model::Alert;
use wcp_review::items::{self, NewItem};
use wcp_runtime::local::{self, DeadLetters, OffsetStore};
use wcp_runtime::{codec, Config, InRecord, RunCtx, RuntimeError};

use crate::feed::{locate, message_in, to_item};
use crate::route::{route, unserved_reason, Route};
use crate::state::{lock, now_ms, Shared};

/// The review stores' offsets, for assignment.
struct Stores(Shared);

impl OffsetStore for Stores {
    fn resume(&self, topic: &str, partition: i32) -> Option<i64> {
        resume_offset(&self.0, topic, partition)
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

pub fn run(
    cfg: &Config,
    ctx: &RunCtx,
    console: Shared,
    route_wait: Duration,
) -> Result<(), RuntimeError> {
    let alerts_topic = cfg.topic(wcp_model::topics::ALERTS);
    let store = Box::new(Stores(console.clone()));
    let consumer = local::consumer(cfg, &ctx.metrics, store, &[&alerts_topic])?;
    let mut dlq = DeadLetters::new(cfg, "review")?;
    let mut batch: Vec<InRecord> = Vec::with_capacity(cfg.batch_max_events);
    loop {
        let stopping = local::next_batch(&consumer, cfg, ctx, &mut batch);
        if !batch.is_empty() {
            let next = write_batch(&console, &batch, &mut dlq, ctx, route_wait)?;
            // Like every consumer (it read 0 while thousands of alerts waited: trial 15e D4).
            ctx.metrics.set_lag_after(&batch, now_ms());
            // A batch closed before it was full: the consumer read all there was.
            let caught_up = batch.len() < cfg.batch_max_events;
            console.alerts_caught_up.store(caught_up, Ordering::SeqCst);
            console
                .alerts_last_batch_ms
                .store(now_ms(), Ordering::SeqCst);
            local::commit_positions(&consumer, &next);
            batch.clear();
        }
        if stopping {
            tracing::info!("stopped cleanly");
            return Ok(());
        }
    }
}

/// How long a batch waits at most for the archived message of an alert that names its region,
/// for the queue to show its sender: the alerter and the archiver read `chat.tagged` side by
/// side, so the alert usually arrives a moment before its message is archived. The region is
/// known either way: past this, the alert is queued there with what the alert itself says (a
/// blocked archive slows the consumer to a batch per 5 s, not a batch per `route_wait_ms`).
const DETAILS_WAIT: Duration = Duration::from_secs(5);

/// Each alert's queue item, per region: a region-named alert in its region (details from that
/// archive, waited for up to [`DETAILS_WAIT`]); one without region in the region whose archive
/// holds its message, waited for up to `route_wait`, then the first region.
fn place(
    console: &Shared,
    named: &[(usize, Alert)],
    lookup: &[Alert],
    route_wait: Duration,
    ctx: &RunCtx,
) -> Vec<Vec<NewItem>> {
    let started = Instant::now();
    let details_wait = route_wait.min(DETAILS_WAIT);
    loop {
        let mut out: Vec<Vec<NewItem>> = vec![Vec::new(); console.regions.len()];
        let mut no_details = 0;
        for (i, a) in named {
            let msg = message_in(console, *i, &a.msgid);
            if msg.is_none() && !a.msgid.is_empty() {
                no_details += 1;
            }
            out[*i].push(to_item(a, msg.as_ref()));
        }
        let mut missing = 0;
        for a in lookup {
            match locate(console, &a.msgid) {
                Some((i, msg)) => out[i].push(to_item(a, msg.as_ref())),
                None => {
                    missing += 1;
                    out[0].push(to_item(a, None));
                }
            }
        }
        let waited = started.elapsed();
        if (missing == 0 || waited >= route_wait) && (no_details == 0 || waited >= details_wait)
            || ctx.shutdown_requested()
        {
            if missing > 0 {
                tracing::warn!(
                    missing,
                    "alerts whose message no archive holds; queued in the first region"
                );
            }
            if no_details > 0 {
                tracing::info!(
                    no_details,
                    "alerts queued in their region before their message was archived there"
                );
            }
            return out;
        }
        std::thread::sleep(Duration::from_millis(500));
    }
}

/// Writes a batch into the stores; returns the positions stored with it.
fn write_batch(
    console: &Shared,
    batch: &[InRecord],
    dlq: &mut DeadLetters,
    ctx: &RunCtx,
    route_wait: Duration,
) -> Result<local::Positions, RuntimeError> {
    let m = &ctx.metrics;
    let served: Vec<&str> = console.regions.iter().map(|r| r.name.as_str()).collect();
    // Alerts naming a served region (with its index), and alerts to look up.
    let mut named: Vec<(usize, Alert)> = Vec::new();
    let mut lookup: Vec<Alert> = Vec::new();
    for rec in batch {
        m.received
            .with_label_values(&[wcp_model::topics::ALERTS])
            .inc();
        match codec::decode::<Alert>(rec) {
            Ok(a) => match route(&a, &served) {
                Route::Region(i) => named.push((i, a)),
                Route::Unserved(region) => {
                    // One line per kind and window, not one per alert (a batch holds 500).
                    wcp_runtime::lograte::warn_repeated(
                        &format!("unserved region {region}"),
                        &format!(
                            "alert for region {region}, which this console does not serve; dead-lettered"
                        ),
                    );
                    let why = unserved_reason(&region, &served);
                    dlq.send(rec, why.code(), &why.to_string(), m)?;
                }
                Route::Lookup => lookup.push(a),
            },
            Err(RuntimeError::Poison { code, detail }) => dlq.send(rec, code, &detail, m)?,
            Err(other) => return Err(other),
        }
    }
    dlq.flush(m)?;
    let mut per_region = place(console, &named, &lookup, route_wait, ctx);
    let next = wcp_runtime::batch::next_positions(batch);
    let offsets: Vec<(String, i32, i64)> =
        next.iter().map(|((t, p), o)| (t.clone(), *p, *o)).collect();
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
    Ok(next)
}
