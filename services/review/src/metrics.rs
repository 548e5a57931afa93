//! The console's metrics (docs/METRICS.md): queue depth per region, category and severity,
//! age of the oldest pending item, dispositions per reviewer, access records per action.
//! Queue gauges are refreshed from the stores on each scrape.

use prometheus::{Encoder, IntCounter, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder};

use crate::state::{lock, now_ms, Console, Shared};

pub struct ConsoleMetrics {
    registry: Registry,
    depth: IntGaugeVec,
    oldest: IntGaugeVec,
    sla: IntGaugeVec,
    dispositions: IntCounterVec,
    access: IntCounterVec,
    searches: IntCounter,
    pub ingested: IntCounterVec,
}

fn must<T>(r: prometheus::Result<T>) -> T {
    // Static metric definitions: an error here is a programming error caught by any test.
    r.unwrap_or_else(|e| panic!("metric definition: {e}"))
}

impl ConsoleMetrics {
    pub fn new() -> ConsoleMetrics {
        let registry = Registry::new();
        let depth = must(IntGaugeVec::new(
            Opts::new(
                "wcp_review_queue_depth",
                "Open review items (pending, in review, escalated)",
            ),
            &["region", "category", "severity"],
        ));
        let oldest = must(IntGaugeVec::new(
            Opts::new(
                "wcp_review_oldest_pending_age_seconds",
                "Age of the oldest pending item since it entered the queue (0 when none)",
            ),
            &["region", "severity"],
        ));
        let sla = must(IntGaugeVec::new(
            Opts::new(
                "wcp_review_sla_seconds",
                "How long a pending item of this severity may wait (the console's sla_* setting)",
            ),
            &["severity"],
        ));
        let dispositions = must(IntCounterVec::new(
            Opts::new("wcp_review_dispositions_total", "Actions on review items"),
            &["reviewer", "action"],
        ));
        let access = must(IntCounterVec::new(
            Opts::new(
                "wcp_review_access_records_total",
                "Access audit records written",
            ),
            &["action"],
        ));
        let searches = must(IntCounter::new(
            "wcp_review_searches_total",
            "Archive searches run from the console",
        ));
        let ingested = must(IntCounterVec::new(
            Opts::new(
                "wcp_review_items_ingested_total",
                "Alerts and samples added to the queue",
            ),
            &["region", "kind"],
        ));
        for c in [
            Box::new(depth.clone()) as Box<dyn prometheus::core::Collector>,
            Box::new(oldest.clone()),
            Box::new(sla.clone()),
            Box::new(dispositions.clone()),
            Box::new(access.clone()),
            Box::new(searches.clone()),
            Box::new(ingested.clone()),
        ] {
            must(registry.register(c));
        }
        ConsoleMetrics {
            registry,
            depth,
            oldest,
            sla,
            dispositions,
            access,
            searches,
            ingested,
        }
    }

    pub fn disposition(&self, reviewer: &str, action: &str) {
        self.dispositions
            .with_label_values(&[reviewer, action])
            .inc();
    }

    pub fn access(&self, action: &str) {
        self.access.with_label_values(&[action]).inc();
    }

    pub fn search(&self) {
        self.searches.inc();
    }

    /// Refreshes the queue gauges and renders the text exposition.
    pub fn render(&self, c: &Console) -> String {
        let mut buf = Vec::new();
        let _ = TextEncoder::new().encode(&self.gather(c), &mut buf);
        String::from_utf8(buf).unwrap_or_default()
    }

    /// Refreshes the queue gauges from the stores and gathers every console metric.
    fn gather(&self, c: &Console) -> Vec<prometheus::proto::MetricFamily> {
        self.depth.reset();
        self.oldest.reset();
        let now = now_ms();
        self.sla
            .with_label_values(&["high"])
            .set(i64::try_from(c.settings.sla_high_s).unwrap_or(i64::MAX));
        for r in &c.regions {
            let store = lock(&r.store);
            if let Ok((depth, _)) = wcp_review::queue::depth(&store) {
                for (cat, sev, n) in depth {
                    self.depth
                        .with_label_values(&[r.name.as_str(), cat.as_str(), sev_name(sev)])
                        .set(n as i64);
                }
            }
            for sev in ["low", "medium", "high"] {
                self.oldest
                    .with_label_values(&[r.name.as_str(), sev])
                    .set(0);
            }
            if let Ok(oldest) = wcp_review::queue::oldest_pending_by_severity(&store) {
                for (sev, created) in oldest {
                    self.oldest
                        .with_label_values(&[r.name.as_str(), sev_name(sev)])
                        .set(((now - created) / 1000).max(0));
                }
            }
        }
        self.registry.gather()
    }
}

/// The console's metrics as a collector of the service's ops registry, so the `/metrics`
/// Prometheus scrapes (the ops port, as for every service) has them, refreshed at each
/// scrape: on the console's port only, the SLA alert had nothing to fire on.
pub struct OpsCollector(pub Shared);

impl prometheus::core::Collector for OpsCollector {
    fn desc(&self) -> Vec<&prometheus::core::Desc> {
        let m = &self.0.metrics;
        let mut d = m.depth.desc();
        for more in [
            m.oldest.desc(),
            m.sla.desc(),
            m.dispositions.desc(),
            m.access.desc(),
            m.searches.desc(),
            m.ingested.desc(),
        ] {
            d.extend(more);
        }
        d
    }

    fn collect(&self) -> Vec<prometheus::proto::MetricFamily> {
        self.0.metrics.gather(&self.0)
    }
}

impl Default for ConsoleMetrics {
    fn default() -> Self {
        ConsoleMetrics::new()
    }
}

fn sev_name(rank: i64) -> &'static str {
    match rank {
        2 => "high",
        1 => "medium",
        _ => "low",
    }
}
