//! Which lag series to serve after each measurement. Pure: no Kafka, no clock.
//!
//! Two things a broker outage does to a naive exporter (trial 15i D3): while the broker is
//! down every measurement fails and the last values stay frozen, so a dead consumer's lag in
//! seconds stops growing; and just after the broker returns, a measurement can succeed with
//! groups missing (the group coordinator is still loading), so every series vanishes for a
//! scrape or two and Prometheus resolves `WcpConsumerLagHigh` for a consumer still dead. Here
//! a series missing from a measurement is kept for `GRACE` measurements (a deleted group or
//! topic still goes, a minute later), and a kept series with records waiting ages with the time
//! since it was last measured: its oldest waiting record is still waiting. "Waiting" means a data
//! record was read at the committed offset, not a lag above 0: an idle, caught-up group on a
//! transactional topic has lag 1 for ever (the last commit marker), and aging that paged every
//! stage after a 15-minute outage (trial 15j D1).

use std::collections::BTreeMap;

/// Measurements a series may be missing from before it is removed.
pub const GRACE: u32 = 4;

/// group, topic, partition.
pub type Key = [String; 3];

/// One measured partition.
#[derive(Debug, Clone, PartialEq)]
pub struct Lag {
    pub records: i64,
    pub seconds: f64,
    /// A data record waits at the committed offset (its age is `seconds`).
    pub waiting: bool,
}

#[derive(Debug)]
struct Last {
    lag: Lag,
    at_ms: i64,
    missing: u32,
}

/// What to set and what to remove on the gauges.
#[derive(Debug, Default, PartialEq)]
pub struct Update {
    pub set: Vec<(Key, Lag)>,
    pub remove: Vec<Key>,
}

#[derive(Debug, Default)]
pub struct Series {
    last: BTreeMap<Key, Last>,
}

impl Series {
    /// A measurement that worked at `now_ms`, with the partitions it found.
    pub fn measured(&mut self, found: Vec<(Key, Lag)>, now_ms: i64) -> Update {
        let mut up = Update::default();
        let mut fresh = BTreeMap::new();
        for (key, lag) in found {
            up.set.push((key.clone(), lag.clone()));
            fresh.insert(
                key,
                Last {
                    lag,
                    at_ms: now_ms,
                    missing: 0,
                },
            );
        }
        for (key, mut last) in std::mem::take(&mut self.last) {
            if fresh.contains_key(&key) {
                continue;
            }
            last.missing += 1;
            if last.missing > GRACE {
                up.remove.push(key);
            } else {
                up.set.push((key.clone(), aged(&last, now_ms)));
                fresh.insert(key, last);
            }
        }
        self.last = fresh;
        up
    }

    /// A measurement that failed at `now_ms` (the broker unreachable): every series stays, a
    /// partition with records waiting ages.
    pub fn failed(&self, now_ms: i64) -> Vec<(Key, Lag)> {
        self.last
            .iter()
            .map(|(k, last)| (k.clone(), aged(last, now_ms)))
            .collect()
    }
}

fn aged(last: &Last, now_ms: i64) -> Lag {
    let mut lag = last.lag.clone();
    if lag.waiting {
        lag.seconds += (now_ms - last.at_ms).max(0) as f64 / 1000.0;
    }
    lag
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(g: &str) -> Key {
        [g.to_string(), "chat.events".to_string(), "0".to_string()]
    }

    fn lag(records: i64, seconds: f64) -> Lag {
        Lag {
            records,
            seconds,
            waiting: records > 0,
        }
    }

    /// The commit marker an idle, caught-up group leaves behind on a transactional topic.
    fn marker_only() -> Lag {
        Lag {
            records: 1,
            seconds: 0.0,
            waiting: false,
        }
    }

    /// An idle group's lag of 1 (the marker) stays 0 s old through an outage; a group with a
    /// record waiting beside it ages (trial 15j D1: every idle stage paged after 15 minutes).
    #[test]
    fn an_outage_does_not_age_a_marker_only_lag() {
        let mut s = Series::default();
        s.measured(
            vec![(key("idle"), marker_only()), (key("dead"), lag(2, 10.0))],
            0,
        );
        assert_eq!(
            s.failed(900_000),
            vec![(key("dead"), lag(2, 910.0)), (key("idle"), marker_only())]
        );
        let up = s.measured(vec![], 915_000);
        assert!(up.set.contains(&(key("idle"), marker_only())));
        assert!(up.set.contains(&(key("dead"), lag(2, 925.0))));
    }

    /// A broker outage and its return: the dead consumer's lag keeps growing while nothing
    /// can be measured, and survives a measurement that comes back without its group.
    #[test]
    fn an_outage_ages_the_lag_and_a_partial_answer_keeps_it() {
        let mut s = Series::default();
        let up = s.measured(
            vec![(key("anon"), lag(2700, 900.0)), (key("idle"), lag(0, 0.0))],
            0,
        );
        assert_eq!(up.set.len(), 2);
        assert_eq!(
            s.failed(30_000),
            vec![(key("anon"), lag(2700, 930.0)), (key("idle"), lag(0, 0.0))]
        );
        // The broker is back but its answer has no groups yet.
        let up = s.measured(vec![], 240_000);
        assert!(up.remove.is_empty());
        assert!(up.set.contains(&(key("anon"), lag(2700, 1140.0))));
        // Then the group is measured again.
        let up = s.measured(vec![(key("anon"), lag(2800, 1160.0))], 255_000);
        assert_eq!(up.set[0], (key("anon"), lag(2800, 1160.0)));
        assert!(up.remove.is_empty());
    }

    /// A deleted group's series goes after GRACE measurements without it.
    #[test]
    fn a_series_missing_from_more_than_grace_measurements_is_removed() {
        let mut s = Series::default();
        s.measured(vec![(key("gone"), lag(0, 0.0))], 0);
        for i in 1..=GRACE {
            let up = s.measured(vec![], i as i64 * 15_000);
            assert!(up.remove.is_empty(), "measurement {i}");
            assert_eq!(up.set, vec![(key("gone"), lag(0, 0.0))]);
        }
        let up = s.measured(vec![], 99_000);
        assert_eq!(up.remove, vec![key("gone")]);
        assert!(up.set.is_empty());
        assert!(s.failed(100_000).is_empty());
    }
}
