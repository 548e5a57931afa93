//! One phase of the bench: each measured event seen on each topic of the chain → where the
//! time went.
//!
//! For every topic the measuring consumer records two clocks per record (same machine,
//! same wall clock): the record's Kafka timestamp (`create`: when its producer called
//! `produce`, i.e. after the hop's service had polled and processed it, before its
//! transaction committed) and the time the record became visible to a read_committed consumer
//! (`recv`). Per hop i ≥ 1 (topic i−1 → topic i):
//! - `in_service` = create(i) − recv(i−1): the service's fetch wait, the time the record sat
//!   in a batch (behind the batch before it and waiting for its own to close) and the stage;
//! - `commit` = recv(i) − create(i): delivery, offsets, commit, markers until visible;
//! - `hop` = recv(i) − recv(i−1), the two together.
//!
//! For the input topic (hop 0) only `commit` applies: the load generator's linger and the
//! broker's append until visible. End to end = recv(last) − create(0).

use serde::{Deserialize, Serialize};

use crate::dist::Dist;
use crate::service::ServiceReport;

/// One sighting of an event on one topic (unix ms).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Seen {
    pub create_ms: i64,
    pub recv_ms: i64,
}

/// One event along the chain: index 0 is the input topic, the last index the end topic.
pub type Trace = Vec<Option<Seen>>;

/// Figures for one topic of the chain.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct HopReport {
    pub topic: String,
    /// Measured events seen on this topic.
    pub reached: usize,
    pub in_service: Dist,
    pub commit: Dist,
    pub hop: Dist,
    /// recv(this topic) − create(input): the latency accumulated up to here.
    pub since_produce: Dist,
}

/// One phase (one chain at one input rate) of one run.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PhaseReport {
    pub chain: String,
    /// `1000/s`, `5000/s`… or `max` (as fast as the load generator sends).
    pub phase: String,
    pub requested_rate: Option<f64>,
    /// Events per second over the measured events' input timestamps.
    pub achieved_rate: f64,
    /// Measured events (after the warm-up) on the input topic.
    pub events: usize,
    pub reached_end: usize,
    pub end_to_end: Dist,
    /// Events at the end topic / (last visible there − first input timestamp).
    pub throughput_eps: f64,
    pub hops: Vec<HopReport>,
    /// What each service did during the phase (when the runner named them).
    #[serde(default)]
    pub services: Vec<ServiceReport>,
    /// Free text from the runner: date, `uptime`, settings.
    #[serde(default)]
    pub context: String,
}

impl PhaseReport {
    /// False when the load generator fell more than 5% short of the requested rate.
    pub fn rate_ok(&self) -> bool {
        self.requested_rate
            .is_none_or(|r| self.achieved_rate >= 0.95 * r)
    }
}

/// Per-hop and end-to-end figures over `traces` (all of them measured events: the caller
/// leaves the warm-up out). `topics` names the chain's topics in order.
pub fn analyse(
    chain: &str,
    phase: &str,
    requested_rate: Option<f64>,
    topics: &[String],
    traces: &[Trace],
) -> PhaseReport {
    let last = topics.len().saturating_sub(1);
    let mut hops = Vec::with_capacity(topics.len());
    for (i, topic) in topics.iter().enumerate() {
        let (mut in_service, mut commit, mut hop, mut since) = (vec![], vec![], vec![], vec![]);
        let mut reached = 0;
        for t in traces {
            let (Some(Some(here)), Some(Some(input))) = (t.get(i), t.first()) else {
                continue;
            };
            reached += 1;
            commit.push(here.recv_ms - here.create_ms);
            since.push(here.recv_ms - input.create_ms);
            if let Some(Some(prev)) = i.checked_sub(1).and_then(|p| t.get(p)) {
                in_service.push(here.create_ms - prev.recv_ms);
                hop.push(here.recv_ms - prev.recv_ms);
            }
        }
        hops.push(HopReport {
            topic: topic.clone(),
            reached,
            in_service: Dist::of(in_service),
            commit: Dist::of(commit),
            hop: Dist::of(hop),
            since_produce: Dist::of(since),
        });
    }
    let created: Vec<i64> = traces
        .iter()
        .filter_map(|t| t.first().copied().flatten())
        .map(|s| s.create_ms)
        .collect();
    let end_to_end = hops.get(last).map(|h| h.since_produce).unwrap_or_default();
    let first_in = created.iter().min().copied();
    let last_end = traces
        .iter()
        .filter_map(|t| t.get(last).copied().flatten())
        .map(|s| s.recv_ms)
        .max();
    PhaseReport {
        chain: chain.to_string(),
        phase: phase.to_string(),
        requested_rate,
        achieved_rate: rate(&created),
        events: created.len(),
        reached_end: end_to_end.n,
        end_to_end,
        throughput_eps: match (first_in, last_end) {
            (Some(a), Some(b)) if b > a => end_to_end.n as f64 * 1000.0 / (b - a) as f64,
            _ => 0.0,
        },
        hops,
        services: Vec::new(),
        context: String::new(),
    }
}

/// Events per second between the first and the last timestamp ((n − 1) intervals).
fn rate(ts: &[i64]) -> f64 {
    let (Some(a), Some(b)) = (ts.iter().min(), ts.iter().max()) else {
        return 0.0;
    };
    if b <= a {
        return 0.0;
    }
    (ts.len() - 1) as f64 * 1000.0 / (b - a) as f64
}

#[cfg(test)]
mod tests {
    use super::*;

    fn seen(create_ms: i64, recv_ms: i64) -> Option<Seen> {
        Some(Seen { create_ms, recv_ms })
    }

    #[test]
    fn hops_split_into_service_and_commit() {
        let topics: Vec<String> = ["raw", "a", "end"].iter().map(|s| s.to_string()).collect();
        // Event k produced at 1000 + 10k (100 ev/s); raw visible 2 ms later, the service
        // emits 20 ms after that, the commit takes 8 ms; the second hop 5 + 15.
        let traces: Vec<Trace> = (0..11)
            .map(|k| {
                let t = 1000 + 10 * k;
                vec![seen(t, t + 2), seen(t + 22, t + 30), seen(t + 35, t + 50)]
            })
            .collect();
        let r = analyse("c", "100/s", Some(100.0), &topics, &traces);
        assert_eq!((r.events, r.reached_end), (11, 11));
        assert!((r.achieved_rate - 100.0).abs() < 1e-9);
        assert!(r.rate_ok());
        assert_eq!(r.end_to_end.p99, 50);
        assert_eq!(r.hops[0].commit.p50, 2);
        assert_eq!(r.hops[0].in_service.n, 0);
        assert_eq!((r.hops[1].in_service.p50, r.hops[1].commit.p50), (20, 8));
        assert_eq!((r.hops[2].in_service.p50, r.hops[2].commit.p50), (5, 15));
        assert_eq!(r.hops[2].hop.p50, 20);
        assert_eq!(r.hops[1].since_produce.p50, 30);
        // 11 events from 1000 to 1150 (last visible).
        assert!((r.throughput_eps - 11.0 * 1000.0 / 150.0).abs() < 1e-9);
    }

    #[test]
    fn lost_events_and_a_slow_generator_show() {
        let topics: Vec<String> = ["raw", "end"].iter().map(|s| s.to_string()).collect();
        // 1,000 ev/s asked, 11 events over 20 ms intervals = 50 ev/s; one never reached the end.
        let mut traces: Vec<Trace> = (0..11)
            .map(|k| vec![seen(20 * k, 20 * k + 1), seen(20 * k + 5, 20 * k + 9)])
            .collect();
        traces[3][1] = None;
        let r = analyse("c", "1000/s", Some(1000.0), &topics, &traces);
        assert_eq!((r.events, r.reached_end, r.hops[1].reached), (11, 10, 10));
        assert!((r.achieved_rate - 50.0).abs() < 1e-9);
        assert!(!r.rate_ok());
        let max = analyse("c", "max", None, &topics, &traces);
        assert!(max.rate_ok());
    }
}
