//! Consumer-group lag as the broker sees it: each group's committed offsets against the
//! partitions' end offsets, and the age of the oldest record still waiting. Measured from
//! outside the consumers, so a dead or stuck consumer shows a growing lag (its own
//! `wcp_consumer_lag_*` gauges vanish with it or stop moving). Used by the `wcp-lag-exporter`
//! service and the `wcp lag` command.

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::Message;
use rdkafka::{ClientConfig, Offset, TopicPartitionList};

use crate::client_ctx::PlainCtx;
use crate::error::RuntimeError;

/// One partition of one group.
#[derive(Debug, Clone, PartialEq)]
pub struct PartitionLag {
    pub group: String,
    pub topic: String,
    pub partition: i32,
    /// The group's committed offset (the next record it will read).
    pub committed: i64,
    /// The partition's end offset (high watermark).
    pub end: i64,
    /// Records between the two (`end - max(committed, start)`, never negative). With
    /// transactional producers a commit marker can count as one record.
    pub lag: i64,
    /// Age of the first record the group has not consumed, at measurement time; 0 when no
    /// data record waits (nothing behind, or only a transaction marker).
    pub lag_seconds: f64,
    /// A data record was read at the committed offset: the group really has records waiting
    /// (not just the commit marker an idle, caught-up group is left behind).
    pub waiting: bool,
}

/// Records behind: from the committed offset (or the log start, when retention removed what
/// the group had not read) to the end. Pure.
pub fn records_behind(committed: i64, start: i64, end: i64) -> i64 {
    (end - committed.max(start)).max(0)
}

/// Measures every consumer group whose name starts with `group_prefix`, over every topic
/// whose name starts with `topic_prefix` (internal `__` topics excluded). `client` carries
/// the connection settings (bootstrap, TLS/SASL); `ctx` is the context of every client made
/// (each measurement makes fresh ones: librdkafka's repeats during an outage rate-limited,
/// its last error kept for the caller's message); `now_ms` is the clock the ages use.
pub fn measure(
    client: &ClientConfig,
    ctx: &PlainCtx,
    group_prefix: &str,
    topic_prefix: &str,
    timeout: Duration,
    now_ms: i64,
) -> Result<Vec<PartitionLag>, RuntimeError> {
    let admin: BaseConsumer<PlainCtx> = client
        .clone()
        .set("group.id", "wcp-lag-probe")
        .create_with_context(ctx.clone())?;
    let groups: Vec<String> = admin
        .fetch_group_list(None, timeout)?
        .groups()
        .iter()
        .map(|g| g.name().to_string())
        .filter(|g| g.starts_with(group_prefix))
        .collect();
    let md = admin.fetch_metadata(None, timeout)?;
    let mut all = TopicPartitionList::new();
    for t in md.topics() {
        if t.name().starts_with(topic_prefix) && !t.name().starts_with("__") {
            for p in t.partitions() {
                all.add_partition(t.name(), p.id());
            }
        }
    }
    let mut marks: BTreeMap<(String, i32), (i64, i64)> = BTreeMap::new();
    let mut out = Vec::new();
    for group in groups {
        // A consumer that never subscribes reads the group's offsets without joining it.
        // read_uncommitted: the offsets committed so far, not only once no transaction holds
        // offsets for the group (a killed stage's would stall the measurement until it
        // times out; see `TopicReader::open_before_committed`).
        let reader: BaseConsumer<PlainCtx> = client
            .clone()
            .set("group.id", &group)
            .set("isolation.level", "read_uncommitted")
            .create_with_context(ctx.clone())?;
        let committed = reader.committed_offsets(all.clone(), timeout)?;
        for e in committed.elements() {
            let Offset::Offset(c) = e.offset() else {
                continue; // this group never committed on this partition
            };
            let key = (e.topic().to_string(), e.partition());
            let (start, end) = match marks.get(&key) {
                Some(m) => *m,
                None => {
                    let m = admin.fetch_watermarks(e.topic(), e.partition(), timeout)?;
                    marks.insert(key, m);
                    m
                }
            };
            out.push(PartitionLag {
                group: group.clone(),
                topic: e.topic().to_string(),
                partition: e.partition(),
                committed: c,
                end,
                lag: records_behind(c, start, end),
                lag_seconds: 0.0,
                waiting: false,
            });
        }
    }
    waiting_ages(client, ctx, &mut out, timeout, now_ms)?;
    Ok(out)
}

/// Fills `lag_seconds`: reads the first record at each lagging group's committed offset
/// (read_committed, so aborted data and markers are skipped) and takes its timestamp.
fn waiting_ages(
    client: &ClientConfig,
    ctx: &PlainCtx,
    lags: &mut [PartitionLag],
    timeout: Duration,
    now_ms: i64,
) -> Result<(), RuntimeError> {
    // One read per distinct (topic, partition, offset): groups at the same place share it.
    let mut wanted: BTreeMap<(String, i32, i64), Option<i64>> = lags
        .iter()
        .filter(|l| l.lag > 0)
        .map(|l| ((l.topic.clone(), l.partition, l.committed), None))
        .collect();
    let mut left: Vec<(String, i32, i64)> = wanted.keys().cloned().collect();
    // Rounds: one consumer reads one offset per partition at a time.
    while !left.is_empty() {
        let mut round: BTreeMap<(String, i32), i64> = BTreeMap::new();
        left.retain(|(t, p, o)| {
            let taken = round.contains_key(&(t.clone(), *p));
            if !taken {
                round.insert((t.clone(), *p), *o);
            }
            taken
        });
        let peek: BaseConsumer<PlainCtx> = client
            .clone()
            .set("group.id", "wcp-lag-probe")
            .set("enable.auto.commit", "false")
            .set("isolation.level", "read_committed")
            .create_with_context(ctx.clone())?;
        let mut tpl = TopicPartitionList::new();
        for ((t, p), o) in &round {
            tpl.add_partition_offset(t, *p, Offset::Offset(*o))?;
        }
        peek.assign(&tpl)?;
        let until = Instant::now() + timeout.min(Duration::from_secs(3));
        while !round.is_empty() && Instant::now() < until {
            match peek.poll(Duration::from_millis(100)) {
                Some(Ok(m)) => {
                    if let Some(o) = round.remove(&(m.topic().to_string(), m.partition())) {
                        let key = (m.topic().to_string(), m.partition(), o);
                        wanted.insert(key, m.timestamp().to_millis());
                    }
                }
                Some(Err(e)) => return Err(e.into()),
                None => {}
            }
        }
    }
    for l in lags.iter_mut() {
        if let Some(Some(ts)) = wanted.get(&(l.topic.clone(), l.partition, l.committed)) {
            l.lag_seconds = ((now_ms - ts).max(0)) as f64 / 1000.0;
            l.waiting = true;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::records_behind;

    #[test]
    fn records_behind_counts_from_committed_or_log_start() {
        assert_eq!(records_behind(10, 0, 15), 5);
        assert_eq!(records_behind(15, 0, 15), 0);
        // retention removed records the group had not read: only what exists counts
        assert_eq!(records_behind(3, 8, 15), 7);
        // a committed offset past the end (topic recreated) is not negative lag
        assert_eq!(records_behind(20, 0, 15), 0);
    }
}
