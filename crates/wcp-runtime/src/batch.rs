//! Batch plumbing shared by the transactional loop and the archiver: filling a batch from
//! the consumer, the offsets that follow it, and rewinding to the committed offsets.

use std::sync::atomic::Ordering;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};

use crate::config::Config;
use crate::error::RuntimeError;
use crate::kafka;
use crate::record::InRecord;
use crate::shutdown::RunCtx;

/// Polls into `batch` until it holds `batch_max_events`, or `flush_interval_ms` has passed
/// since its first record and no further record is ready, or `revoked` is set, or shutdown
/// was requested (returns true then). Marks the service ready after the first poll
/// (subscribed, and the caller's producer initialised).
///
/// Records that arrived while the previous batch was committed are all taken, whatever the
/// interval: an interval of 0 closes the batch as soon as the consumer's queue is empty, so
/// the batch size (and the commit cadence) follows the input rate. A longer interval trades
/// latency for fewer, larger transactions when the input is slow.
pub fn fill_batch<C: rdkafka::consumer::ConsumerContext>(
    consumer: &BaseConsumer<C>,
    cfg: &Config,
    ctx: &RunCtx,
    batch: &mut Vec<InRecord>,
    revoked: &std::sync::atomic::AtomicBool,
) -> bool {
    fill_batch_with(consumer, cfg, ctx, batch, revoked, &mut || {})
}

/// [`fill_batch`], calling `idle` after every poll that returned nothing (an idle consumer
/// polls every 100 ms and this loop does not return until a record comes: `local` keeps the
/// group's commits level from here).
pub fn fill_batch_with<C: rdkafka::consumer::ConsumerContext>(
    consumer: &BaseConsumer<C>,
    cfg: &Config,
    ctx: &RunCtx,
    batch: &mut Vec<InRecord>,
    revoked: &std::sync::atomic::AtomicBool,
    idle: &mut dyn FnMut(),
) -> bool {
    let flush = Duration::from_millis(cfg.flush_interval_ms);
    let mut first: Option<Instant> = None;
    while batch.len() < cfg.batch_max_events {
        if ctx.shutdown_requested() {
            return true;
        }
        // Idle: wait for a first record. Past the interval: only what is already there.
        let wait = match first {
            Some(t) => flush
                .saturating_sub(t.elapsed())
                .min(Duration::from_millis(100)),
            None => Duration::from_millis(100),
        };
        match consumer.poll(wait) {
            Some(Ok(m)) => {
                batch.push(kafka::to_record(&m));
                first.get_or_insert_with(Instant::now);
            }
            Some(Err(e)) => {
                ctx.metrics.errors.with_label_values(&["transient"]).inc();
                // librdkafka also hands a broker outage to every poll: limited (`lograte`).
                let kind = format!("consumer poll {:?}", e.rdkafka_error_code());
                crate::lograte::warn_repeated(&kind, &format!("consumer error: {e}"));
            }
            None if first.is_some_and(|t| t.elapsed() >= flush) => break,
            None => idle(),
        }
        if !ctx.is_ready() {
            ctx.set_ready(true);
        }
        if revoked.load(Ordering::SeqCst) {
            break;
        }
    }
    if let Some(t) = first {
        ctx.metrics.batch_wait.observe(t.elapsed().as_secs_f64());
        ctx.metrics.batch_events.observe(batch.len() as f64);
    }
    ctx.shutdown_requested()
}

/// Seeks each assigned partition to its committed offset (the beginning when none).
pub fn rewind<C: rdkafka::consumer::ConsumerContext>(
    consumer: &BaseConsumer<C>,
    timeout: Duration,
) -> Result<(), RuntimeError> {
    let committed = consumer.committed(timeout)?;
    let mut tpl = TopicPartitionList::new();
    for e in committed.elements() {
        let off = match e.offset() {
            Offset::Offset(n) => Offset::Offset(n),
            _ => Offset::Beginning,
        };
        tpl.add_partition_offset(e.topic(), e.partition(), off)?;
    }
    if tpl.count() > 0 {
        // A partition left at its current position would skip the dropped batch: a failed
        // seek fails the rewind (the caller retries it).
        for e in consumer.seek_partitions(tpl, timeout)?.elements() {
            if let Err(err) = e.error() {
                tracing::warn!(topic = e.topic(), partition = e.partition(), error = %err, "seek failed");
                return Err(RuntimeError::Abortable(format!("seek failed: {err}")));
            }
        }
    }
    Ok(())
}

/// The positions after `batch`: last offset + 1 for each partition in it.
pub fn next_positions(batch: &[InRecord]) -> crate::local::Positions {
    let mut next = crate::local::Positions::new();
    for r in batch {
        let e = next
            .entry((r.topic.clone(), r.partition))
            .or_insert(r.offset + 1);
        *e = (*e).max(r.offset + 1);
    }
    next
}

/// The offsets to commit: last offset + 1 for each partition in the batch.
pub fn next_offsets(batch: &[InRecord]) -> Result<TopicPartitionList, RuntimeError> {
    let mut tpl = TopicPartitionList::new();
    for ((t, p), o) in next_positions(batch) {
        tpl.add_partition_offset(&t, p, Offset::Offset(o))?;
    }
    Ok(tpl)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn rec(topic: &str, p: i32, o: i64) -> InRecord {
        InRecord {
            topic: topic.into(),
            partition: p,
            offset: o,
            key: None,
            value: None,
            headers: vec![],
            timestamp_ms: None,
        }
    }

    #[test]
    fn next_offsets_are_max_plus_one() {
        let b = vec![
            rec("a", 0, 5),
            rec("a", 0, 7),
            rec("a", 1, 2),
            rec("b", 0, 0),
        ];
        let tpl = next_offsets(&b).unwrap();
        assert_eq!(tpl.count(), 3);
        assert_eq!(
            tpl.find_partition("a", 0).unwrap().offset(),
            Offset::Offset(8)
        );
        assert_eq!(
            tpl.find_partition("a", 1).unwrap().offset(),
            Offset::Offset(3)
        );
        assert_eq!(
            tpl.find_partition("b", 0).unwrap().offset(),
            Offset::Offset(1)
        );
    }
}
