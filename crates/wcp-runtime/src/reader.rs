//! Reading a whole topic outside the consumer group: the consent-gate's ledger and the
//! alerter's own past alerts; or its tail ([`TopicReader::open_tail`]: the ingest's recent
//! msgids). A manually assigned consumer (all partitions, from the beginning or the tail,
//! read_committed, never committing) so every instance sees everything, and a restart or
//! rebalance never loses the state rebuilt from it.

use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::Message;
use rdkafka::{Offset, TopicPartitionList};

use crate::config::Config;
use crate::error::{retry_transient, RuntimeError};
use crate::kafka;
use crate::record::InRecord;
use crate::shutdown::RunCtx;

const META_TIMEOUT: Duration = Duration::from_secs(10);

/// How long [`TopicReader::read_to_end`] waits, receiving nothing, on a partition short of
/// its end before taking its position as final (an aborted transaction's tail is never
/// delivered).
const SETTLE_QUIET: Duration = Duration::from_secs(10);

/// A consumer over every partition of one topic.
pub struct TopicReader {
    consumer: BaseConsumer<kafka::PlainCtx>,
    topic: String,
    partitions: Vec<i32>,
    /// Partitions a previous catch-up accepted short of their end (a commit marker, never
    /// delivered, takes the last offset) or gave up on (an aborted transaction's tail), with
    /// their (position, end) then: when nothing moved since, they do not make every later
    /// catch-up wait again (300 ms of quiet, then up to `max_wait`).
    settled: std::collections::HashMap<i32, (i64, i64)>,
    /// Where each partition was assigned from when not its beginning (a tail read): the
    /// position a partition has before its first record.
    from: std::collections::HashMap<i32, i64>,
    /// Where a range read ([`TopicReader::open_before_committed`]) ends per partition
    /// (exclusive).
    until: std::collections::HashMap<i32, i64>,
    /// What [`TopicReader::reopen`] needs to build the consumer again.
    cfg: Config,
    group: String,
}

/// Failed end-offset queries in a row after which a reader drops its consumer for a new one
/// (see [`TopicReader::reopen`]).
const REOPEN_AFTER: u32 = 3;

impl TopicReader {
    /// Assigns every partition of `logical_topic` from the beginning.
    pub fn open(cfg: &Config, logical_topic: &str) -> Result<TopicReader, RuntimeError> {
        Self::open_at(cfg, logical_topic, None)
    }

    /// Assigns every partition of `logical_topic` from its tail: of `last` offsets in all,
    /// ⌈last / partitions⌉ per partition (records and transaction markers: a little fewer
    /// records), or from its beginning when it has fewer.
    pub fn open_tail(
        cfg: &Config,
        logical_topic: &str,
        last: u64,
    ) -> Result<TopicReader, RuntimeError> {
        Self::open_at(cfg, logical_topic, Some(last))
    }

    /// The last `window` offsets (at most) before the offset `cfg.group()` committed on each
    /// partition of `logical_topic`: the records the group consumed most recently (the
    /// alerter's recalls still waiting for their original). Partitions with nothing committed
    /// are left out; `None` when no partition has anything before its committed offset.
    pub fn open_before_committed(
        cfg: &Config,
        logical_topic: &str,
        window: u64,
    ) -> Result<Option<TopicReader>, RuntimeError> {
        let mut r = Self::open_at(cfg, logical_topic, Some(0))?;
        let group: BaseConsumer = kafka::consumer_config(cfg, &cfg.group())
            .set("statistics.interval.ms", "0")
            // Under read_committed librdkafka asks for stable offsets only, and the broker
            // answers "unstable" for as long as a killed predecessor's transaction holds
            // offsets for the group (until it times out: a restarted alerter stalled ~50 s
            // on OperationTimedOut). The offsets committed so far are what is wanted: the
            // pending ones are about to be aborted by this instance's producer.
            .set("isolation.level", "read_uncommitted")
            .create()?;
        let mut tpl = TopicPartitionList::new();
        for p in &r.partitions {
            tpl.add_partition(&r.topic, *p);
        }
        let committed = retry_transient("committed offsets", || {
            Ok(group.committed_offsets(tpl.clone(), META_TIMEOUT)?)
        })?;
        let mut assign = TopicPartitionList::new();
        r.from.clear();
        for e in committed.elements() {
            let Offset::Offset(end) = e.offset() else {
                continue;
            };
            let (low, _) = retry_transient("watermarks", || {
                Ok(r.consumer
                    .fetch_watermarks(&r.topic, e.partition(), META_TIMEOUT)?)
            })?;
            let start = end
                .saturating_sub(i64::try_from(window).unwrap_or(i64::MAX))
                .max(low);
            if start < end {
                r.from.insert(e.partition(), start);
                r.until.insert(e.partition(), end);
                assign.add_partition_offset(&r.topic, e.partition(), Offset::Offset(start))?;
            }
        }
        if assign.count() == 0 {
            return Ok(None);
        }
        r.partitions = r.until.keys().copied().collect();
        r.consumer.assign(&assign)?;
        Ok(Some(r))
    }

    fn open_at(
        cfg: &Config,
        logical_topic: &str,
        tail: Option<u64>,
    ) -> Result<TopicReader, RuntimeError> {
        let topic = cfg.topic(logical_topic);
        // A group id is required by librdkafka even though nothing is ever committed.
        let group = format!("{}-reader-{}", cfg.group(), cfg.instance_id);
        let consumer = Self::consumer(cfg, &group)?;
        let partitions: Vec<i32> = retry_transient("topic metadata", || {
            let md = consumer.fetch_metadata(Some(&topic), META_TIMEOUT)?;
            // A principal without access sees the topic with an authorization error and no
            // partitions: say that (authz::explain names the principal and the ACL table),
            // not "create topics first".
            let denied = md.topics().iter().any(|t| {
                t.name() == topic
                    && t.error().map(RDKafkaErrorCode::from)
                        == Some(RDKafkaErrorCode::TopicAuthorizationFailed)
            });
            if denied {
                return Err(RuntimeError::Kafka(KafkaError::MetadataFetch(
                    RDKafkaErrorCode::TopicAuthorizationFailed,
                )));
            }
            let found: Vec<i32> = md
                .topics()
                .iter()
                .filter(|t| t.name() == topic && t.error().is_none())
                .flat_map(|t| t.partitions().iter().map(|p| p.id()))
                .collect();
            Ok(found)
        })?;
        if partitions.is_empty() {
            return Err(RuntimeError::Fatal(format!(
                "topic {topic} has no partitions (create topics first: wcp topics create)"
            )));
        }
        let mut tpl = TopicPartitionList::new();
        let mut from = std::collections::HashMap::new();
        for p in &partitions {
            let offset = match tail {
                None => Offset::Beginning,
                Some(last) => {
                    let last = last.div_ceil(partitions.len() as u64);
                    let (low, high) = retry_transient("watermarks", || {
                        Ok(consumer.fetch_watermarks(&topic, *p, META_TIMEOUT)?)
                    })?;
                    let start = high.saturating_sub(i64::try_from(last).unwrap_or(i64::MAX));
                    let start = start.max(low);
                    from.insert(*p, start);
                    Offset::Offset(start)
                }
            };
            tpl.add_partition_offset(&topic, *p, offset)?;
        }
        consumer.assign(&tpl)?;
        Ok(TopicReader {
            consumer,
            topic,
            partitions,
            settled: Default::default(),
            from,
            until: Default::default(),
            cfg: cfg.clone(),
            group,
        })
    }

    fn consumer(cfg: &Config, group: &str) -> Result<BaseConsumer<kafka::PlainCtx>, RuntimeError> {
        Ok(kafka::consumer_config(cfg, group)
            // Kafka answers one connection's requests in order, so the watermark query of
            // each catch-up waits behind the idle fetch long-poll: keep that poll short.
            .set("fetch.wait.max.ms", "10")
            // No lag metric here.
            .set("statistics.interval.ms", "0")
            // librdkafka's repeats during an outage under the rate limit.
            .create_with_context(kafka::PlainCtx::default())?)
    }

    /// Replaces the consumer with a new one assigned where the old one stood: at its position
    /// for a partition it has read from, else where the read began. Nothing is lost or read
    /// twice (a position is the next record `poll` would have handed over). Why: after the
    /// shared test broker froze for 12–17 s, a reader's consumer answered every end-offset
    /// query `UnknownPartition` for over 90 s although its metadata was refreshed; a new
    /// client bootstraps afresh.
    pub fn reopen(&mut self) -> Result<(), RuntimeError> {
        let positions = self.consumer.position()?;
        let mut tpl = TopicPartitionList::new();
        for p in &self.partitions {
            let at = match positions
                .find_partition(&self.topic, *p)
                .map(|e| e.offset())
            {
                Some(Offset::Offset(n)) => Offset::Offset(n),
                _ => self
                    .from
                    .get(p)
                    .map_or(Offset::Beginning, |n| Offset::Offset(*n)),
            };
            tpl.add_partition_offset(&self.topic, *p, at)?;
        }
        // A list librdkafka filled holds references to the old client's partitions: its
        // destroy would wait for them forever.
        drop(positions);
        let fresh = Self::consumer(&self.cfg, &self.group)?;
        fresh.assign(&tpl)?;
        self.consumer = fresh;
        // What was settled was measured against the old client's positions.
        self.settled.clear();
        tracing::info!(topic = %self.topic, "reader consumer re-created after failed end-offset queries");
        Ok(())
    }

    /// Asks the broker for the topic's metadata again. After a broker restart librdkafka may
    /// cache the topic without its partitions (a KRaft broker answering before it loaded
    /// them) and answer every end-offset query `UnknownPartition` until that entry expires
    /// (metadata.max.age.ms, 15 min): a consent-gate stuck that long after an outage (e2e_faults).
    fn refresh_metadata(&self) {
        if let Err(e) = self
            .consumer
            .fetch_metadata(Some(&self.topic), META_TIMEOUT)
        {
            tracing::debug!(error = %e, "topic metadata refresh failed");
        }
    }

    /// (partition, low, end) per partition. The ends of all partitions come from one
    /// ListOffsets request (latest offset, under read_committed the last stable offset), so a
    /// catch-up with nothing new costs one round trip; the low watermark (another request per
    /// partition) is only needed for a partition this reader has no position on yet.
    fn targets(&self) -> Result<Vec<(i32, i64, i64)>, RuntimeError> {
        let mut tpl = TopicPartitionList::new();
        for p in &self.partitions {
            tpl.add_partition_offset(&self.topic, *p, Offset::End)?;
        }
        let ends = self.consumer.offsets_for_times(tpl, META_TIMEOUT)?;
        let positions = self.consumer.position()?;
        let mut out = Vec::with_capacity(self.partitions.len());
        for p in &self.partitions {
            let end = match ends
                .find_partition(&self.topic, *p)
                .map(|e| (e.error(), e.offset()))
            {
                Some((Ok(()), Offset::Offset(n))) => self.until.get(p).map_or(n, |u| n.min(*u)),
                _ => {
                    return Err(RuntimeError::Abortable(format!(
                        "no end offset for partition {p}"
                    )))
                }
            };
            let known = matches!(
                positions
                    .find_partition(&self.topic, *p)
                    .map(|e| e.offset()),
                Some(Offset::Offset(_))
            );
            let low = if known {
                0
            } else if let Some(start) = self.from.get(p) {
                *start
            } else {
                self.consumer
                    .fetch_watermarks(&self.topic, *p, META_TIMEOUT)?
                    .0
            };
            out.push((*p, low, end));
        }
        Ok(out)
    }

    /// Reads until every partition's position reaches the end it had when called (the last
    /// stable offset: the consumer reads committed data only), handing each record to `f`.
    /// Returns false when `max_wait` passed first (e.g. a producer holds a transaction open).
    pub fn catch_up(
        &mut self,
        max_wait: Duration,
        mut f: impl FnMut(&InRecord),
    ) -> Result<bool, RuntimeError> {
        let mut quiet_since = Instant::now();
        self.round(max_wait, max_wait, &mut quiet_since, &|| false, &mut f)
    }

    /// Reads to the end as [`TopicReader::catch_up`] does, in rounds of up to `round`, until
    /// every partition is read, however long that takes under load: a start-up read that
    /// gave up early would leave its state silently incomplete (the alerter's flagged
    /// messages, the ingest's msgid window, the capture's cursor). Logs its progress (counts
    /// only) after every round. Returns the number of records read, or a fatal error when
    /// shutdown is requested first (`what`, e.g. "rebuilding the recall state", names it).
    pub fn read_to_end(
        &mut self,
        ctx: &RunCtx,
        what: &str,
        round: Duration,
        mut f: impl FnMut(&InRecord),
    ) -> Result<u64, RuntimeError> {
        let start = Instant::now();
        let mut quiet_since = start;
        let mut records = 0u64;
        let stop = || ctx.shutdown_requested();
        for rounds in 1u64.. {
            let done = self.round(
                round,
                round.max(SETTLE_QUIET),
                &mut quiet_since,
                &stop,
                &mut |r| {
                    records += 1;
                    f(r)
                },
            )?;
            if ctx.shutdown_requested() {
                return Err(RuntimeError::Interrupted(format!("shutdown while {what}")));
            }
            tracing::info!(
                topic = %self.topic,
                what,
                records,
                rounds,
                elapsed_ms = start.elapsed().as_millis() as u64,
                done,
                "start-up read progress"
            );
            if done {
                break;
            }
        }
        Ok(records)
    }

    /// One catch-up of up to `max_wait`. A partition still short of its end then is taken as
    /// read to its end (settled) only when nothing was received for `settle_after` since
    /// `quiet_since`: a round cut short while records still arrive must be continued, not
    /// mistaken for an aborted tail. `stop` ends the round early (not settled).
    fn round(
        &mut self,
        max_wait: Duration,
        settle_after: Duration,
        quiet_since: &mut Instant,
        stop: &dyn Fn() -> bool,
        f: &mut dyn FnMut(&InRecord),
    ) -> Result<bool, RuntimeError> {
        let mut failed = 0u32;
        let targets = retry_transient("end offsets", || {
            self.targets().inspect_err(|_| {
                failed += 1;
                if failed % REOPEN_AFTER != 0 {
                    self.refresh_metadata();
                } else if let Err(e) = self.reopen() {
                    tracing::warn!(error = %e, "cannot re-create the reader's consumer");
                }
            })
        })?;
        let start = Instant::now();
        let mut saw_error = false;
        loop {
            let positions = self.consumer.position()?;
            let mut unknown = Vec::new();
            let behind: Vec<(i32, i64, i64)> = targets
                .iter()
                .filter_map(|&(p, low, high)| {
                    let pos = match positions.find_partition(&self.topic, p).map(|e| e.offset()) {
                        Some(Offset::Offset(n)) => n,
                        _ => {
                            unknown.push(p);
                            low
                        }
                    };
                    let done =
                        pos >= high || high <= low || self.settled.get(&p) == Some(&(pos, high));
                    (!done).then_some((p, pos, high))
                })
                .collect();
            // A transaction's commit marker takes the last offset and is never delivered, so
            // a quiet partition one short of its end is caught up.
            let quiet = quiet_since.elapsed() > Duration::from_millis(300);
            if behind
                .iter()
                .all(|&(_, pos, high)| quiet && pos + 1 >= high)
            {
                // Remembered: the next catch-up with nothing new does not wait again.
                for (p, pos, high) in behind {
                    self.settled.insert(p, (pos, high));
                }
                return Ok(true);
            }
            if stop() {
                return Ok(false);
            }
            if start.elapsed() > max_wait {
                tracing::warn!(topic = %self.topic, behind = behind.len(), "catch-up timed out");
                // Settled only when the broker answered throughout and gave nothing for a
                // while: a position stuck because the broker was away or slow must be read
                // again, not taken as an aborted tail.
                if !saw_error && quiet_since.elapsed() >= settle_after {
                    for (p, pos, high) in behind {
                        // A partition this consumer has delivered nothing from has no
                        // position yet: a short catch-up (settle_after = its 1-50 ms wait)
                        // saw nothing of it because the fetch had not begun, not because its
                        // tail was aborted. Settled at `low`, it read as done for the whole
                        // start-up read (CI: 5,714 of 20,000 records after a reopen). Only the
                        // start-up read's 10 s of quiet settles such a partition.
                        if unknown.contains(&p) && settle_after < SETTLE_QUIET {
                            continue;
                        }
                        self.settled.insert(p, (pos, high));
                    }
                }
                return Ok(false);
            }
            // Short: a poll that only serves the commit marker after the last record (which
            // moves the position to the end but returns nothing) waits its whole timeout, and
            // the consent-gate catches up before every batch.
            match self.consumer.poll(Duration::from_millis(2)) {
                Some(Ok(m)) => {
                    // A range read hands over nothing at or past its end.
                    let past = self
                        .until
                        .get(&m.partition())
                        .is_some_and(|u| m.offset() >= *u);
                    if !past {
                        f(&kafka::to_record(&m));
                    }
                    *quiet_since = Instant::now();
                }
                Some(Err(e)) => {
                    // A denied read never heals by itself: retried, it timed out into an
                    // empty state the service then ran on (trial 17a D2: ingest and alerter
                    // restarted without Read on their own topic, 500 re-sent messages went
                    // downstream twice).
                    if let Some(fatal) = stops_read(&self.topic, &e) {
                        return Err(fatal);
                    }
                    saw_error = true;
                    // Under the rate limit: this loop polls every 2 ms, and a trial saw
                    // 13,059 "AllBrokersDown" lines in 0.2 s after an outage.
                    let kind = format!("reader poll {:?}", e.rdkafka_error_code());
                    crate::lograte::warn_repeated(
                        &kind,
                        &format!("reader poll error on {}: {e}", self.topic),
                    );
                }
                None => {}
            }
        }
    }
}

/// The error that ends a read of `topic` for good, or `None` for one worth retrying (the
/// broker away, a leader moving). An authorization failure is fatal ("any authorization
/// failure stops the service", docs/SECURITY.md); its text keeps librdkafka's "Topic
/// authorization failed", which `authz::explain` turns into the principal and the fix.
fn stops_read(topic: &str, e: &KafkaError) -> Option<RuntimeError> {
    let fatal = RuntimeError::Kafka(e.clone()).class() == crate::error::ErrorClass::Fatal;
    fatal.then(|| {
        RuntimeError::Fatal(format!(
            "reading topic {topic} (this service reads it back to rebuild its state; it needs \
             Read on it): {e}"
        ))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_denied_read_stops_and_an_outage_is_retried() {
        let denied = KafkaError::MessageConsumption(RDKafkaErrorCode::TopicAuthorizationFailed);
        let e = stops_read("chat.events", &denied).expect("an authorization failure is fatal");
        assert_eq!(e.class(), crate::error::ErrorClass::Fatal);
        let msg = e.to_string();
        assert!(
            msg.contains("topic chat.events") && msg.contains("Read"),
            "{msg}"
        );
        // authz::explain recognises it and names the principal and the table.
        assert!(
            msg.to_ascii_lowercase()
                .contains("topic authorization failed"),
            "{msg}"
        );
        for code in [
            RDKafkaErrorCode::AllBrokersDown,
            RDKafkaErrorCode::NotLeaderForPartition,
            RDKafkaErrorCode::UnknownTopicOrPartition,
            RDKafkaErrorCode::OperationTimedOut,
        ] {
            let e = KafkaError::MessageConsumption(code);
            assert!(
                stops_read("chat.events", &e).is_none(),
                "{code:?} is retried"
            );
        }
    }
}
