//! What each service of the chain did during a phase, from two scrapes of its `/metrics`
//! (when the measurer was positioned, and when the phase ended) and its CPU time: does a hop
//! wait (small batches, long batch waits, little CPU) or work (big batches, busy CPU)?

use std::collections::HashMap;

use serde::{Deserialize, Serialize};

/// Prometheus text exposition → value per series (`name{labels}` exactly as exposed).
pub fn parse_prometheus(text: &str) -> HashMap<String, f64> {
    text.lines()
        .filter(|l| !l.starts_with('#'))
        .filter_map(|l| {
            let (series, value) = l.rsplit_once(' ')?;
            Some((series.trim().to_string(), value.trim().parse().ok()?))
        })
        .collect()
}

/// One scrape of a service: its metrics and its CPU seconds so far.
#[derive(Debug, Clone, Default)]
pub struct Scrape {
    pub series: HashMap<String, f64>,
    pub cpu_s: f64,
    pub at_s: f64,
}

impl Scrape {
    fn get(&self, series: &str) -> f64 {
        self.series.get(series).copied().unwrap_or(0.0)
    }
}

/// Per-phase figures of one service.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ServiceReport {
    pub name: String,
    pub input: String,
    /// CPU time / wall time between the scrapes, in % of one core.
    pub cpu_pct: f64,
    pub committed: f64,
    pub aborted: f64,
    pub batches: f64,
    /// Whether the service exposes the batch histograms (`wcp_batch_events`,
    /// `wcp_batch_wait_seconds`, `wcp_transaction_duration_seconds`); without them the three
    /// batch columns are not known (shown as n/a, never as 0).
    #[serde(default)]
    pub batch_metrics: bool,
    pub mean_batch_events: f64,
    pub mean_batch_wait_ms: f64,
    pub mean_transaction_ms: f64,
    /// Pure stage time per record.
    pub mean_stage_us: f64,
}

/// The difference between two scrapes of one service.
pub fn delta(name: &str, input: &str, a: &Scrape, b: &Scrape) -> ServiceReport {
    let d = |s: &str| b.get(s) - a.get(s);
    let mean = |sum: &str, count: &str, scale: f64| {
        let n = d(count);
        if n > 0.0 {
            d(sum) / n * scale
        } else {
            0.0
        }
    };
    let wall = b.at_s - a.at_s;
    ServiceReport {
        name: name.to_string(),
        input: input.to_string(),
        cpu_pct: if wall > 0.0 {
            100.0 * (b.cpu_s - a.cpu_s) / wall
        } else {
            0.0
        },
        committed: d("wcp_transactions_total{outcome=\"committed\"}"),
        aborted: d("wcp_transactions_total{outcome=\"aborted\"}"),
        batches: d("wcp_batch_events_count"),
        batch_metrics: b.series.contains_key("wcp_batch_events_count"),
        mean_batch_events: mean("wcp_batch_events_sum", "wcp_batch_events_count", 1.0),
        mean_batch_wait_ms: mean(
            "wcp_batch_wait_seconds_sum",
            "wcp_batch_wait_seconds_count",
            1e3,
        ),
        mean_transaction_ms: mean(
            "wcp_transaction_duration_seconds_sum",
            "wcp_transaction_duration_seconds_count",
            1e3,
        ),
        mean_stage_us: mean(
            "wcp_stage_duration_seconds_sum",
            "wcp_stage_duration_seconds_count",
            1e6,
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const A: &str = "# HELP x\n# TYPE x counter\n\
        wcp_transactions_total{outcome=\"committed\"} 10\n\
        wcp_batch_events_sum 100\nwcp_batch_events_count 10\n\
        wcp_batch_wait_seconds_sum 0.5\nwcp_batch_wait_seconds_count 10\n\
        wcp_transaction_duration_seconds_sum 0.2\nwcp_transaction_duration_seconds_count 10\n";
    const B: &str = "wcp_transactions_total{outcome=\"committed\"} 30\n\
        wcp_transactions_total{outcome=\"aborted\"} 1\n\
        wcp_batch_events_sum 1100\nwcp_batch_events_count 30\n\
        wcp_batch_wait_seconds_sum 0.7\nwcp_batch_wait_seconds_count 30\n\
        wcp_transaction_duration_seconds_sum 0.6\nwcp_transaction_duration_seconds_count 30\n\
        wcp_stage_duration_seconds_sum 0.002\nwcp_stage_duration_seconds_count 1000\n";

    #[test]
    fn deltas_between_scrapes() {
        let a = Scrape {
            series: parse_prometheus(A),
            cpu_s: 1.0,
            at_s: 100.0,
        };
        let b = Scrape {
            series: parse_prometheus(B),
            cpu_s: 3.0,
            at_s: 110.0,
        };
        let r = delta("ingest", "wecom.raw", &a, &b);
        assert_eq!((r.committed, r.aborted, r.batches), (20.0, 1.0, 20.0));
        assert!((r.cpu_pct - 20.0).abs() < 1e-9);
        assert!((r.mean_batch_events - 50.0).abs() < 1e-9);
        assert!((r.mean_batch_wait_ms - 10.0).abs() < 1e-9);
        assert!((r.mean_transaction_ms - 20.0).abs() < 1e-9);
        assert!((r.mean_stage_us - 2.0).abs() < 1e-9);
        assert!(r.batch_metrics);
    }

    #[test]
    fn batch_columns_unknown_without_the_batch_histograms() {
        let only_tx = |n: f64| Scrape {
            series: parse_prometheus(&format!(
                "wcp_transactions_total{{outcome=\"committed\"}} {n}\n"
            )),
            cpu_s: 0.0,
            at_s: n,
        };
        let r = delta("ingest", "wecom.raw", &only_tx(1.0), &only_tx(5.0));
        assert_eq!(r.committed, 4.0);
        assert!(!r.batch_metrics);
    }
}
