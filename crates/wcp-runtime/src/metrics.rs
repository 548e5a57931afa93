//! The metric vocabulary of `docs/METRICS.md`, registered once per process.

use prometheus::{
    Encoder, Gauge, GaugeVec, Histogram, HistogramOpts, IntCounter, IntCounterVec, IntGauge,
    IntGaugeVec, Opts, Registry, TextEncoder,
};

/// Every metric a service may export. Services that do not use one leave it at zero.
#[derive(Clone)]
pub struct Metrics {
    pub registry: Registry,
    pub received: IntCounterVec,
    pub sent: IntCounterVec,
    pub dead_letters: IntCounterVec,
    pub errors: IntCounterVec,
    pub transactions: IntCounterVec,
    pub lag_messages: IntGaugeVec,
    pub lag_seconds: Gauge,
    pub end_to_end: Histogram,
    pub stage_duration: Histogram,
    pub batch_events: Histogram,
    pub batch_wait: Histogram,
    pub transaction_duration: Histogram,
    pub compliance_alerts: IntCounterVec,
    pub consent_violations: IntCounterVec,
    pub seq_gaps: IntCounter,
    pub seq_missing: IntCounter,
    pub duplicates: IntCounter,
    pub archive_write_failures: IntCounter,
    /// 1 while a batch write is failing and being retried, 0 from its first success: what
    /// `WcpArchiveWriteFailures` fires on (not readiness, which a broker outage also drops).
    pub archive_write_failing: IntGauge,
    pub archive_records: IntCounterVec,
    pub archive_size: IntGaugeVec,
    pub archive_wal: IntGaugeVec,
    pub archive_verify_failures: IntCounterVec,
    pub archive_last_verify: GaugeVec,
    pub ready: IntGauge,
    pub build_info: GaugeVec,
    /// Not a metric: whether any Kafka broker is up, from the same statistics as the lag
    /// (`brokers`); `/readyz` answers 503 while none is.
    pub brokers: crate::brokers::BrokerHealth,
}

fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    let c = IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric");
    r.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn counter(r: &Registry, name: &str, help: &str) -> IntCounter {
    let c = IntCounter::new(name, help).expect("valid metric");
    r.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn histogram(r: &Registry, name: &str, help: &str, buckets: Vec<f64>) -> Histogram {
    let h = Histogram::with_opts(HistogramOpts::new(name, help).buckets(buckets))
        .expect("valid metric");
    r.register(Box::new(h.clone())).expect("unique metric");
    h
}

impl Metrics {
    /// Registers the vocabulary in a fresh registry.
    pub fn new() -> Metrics {
        let r = Registry::new();
        let lag_messages = IntGaugeVec::new(
            Opts::new("wcp_consumer_lag_messages", "high watermark minus position"),
            &["topic", "partition"],
        )
        .expect("valid metric");
        r.register(Box::new(lag_messages.clone())).expect("unique");
        let lag_seconds = Gauge::new(
            "wcp_consumer_lag_seconds",
            "now minus the Kafka timestamp of the last record processed",
        )
        .expect("valid metric");
        r.register(Box::new(lag_seconds.clone())).expect("unique");
        let archive_size = IntGaugeVec::new(
            Opts::new("wcp_archive_size_bytes", "database file size"),
            &["region"],
        )
        .expect("valid metric");
        r.register(Box::new(archive_size.clone())).expect("unique");
        let archive_wal = IntGaugeVec::new(
            Opts::new(
                "wcp_archive_wal_bytes",
                "write-ahead log file size (its largest since the last truncation)",
            ),
            &["region"],
        )
        .expect("valid metric");
        r.register(Box::new(archive_wal.clone())).expect("unique");
        let archive_last_verify = GaugeVec::new(
            Opts::new(
                "wcp_archive_last_verify_success_timestamp_seconds",
                "unix time of the last successful verification (0: never)",
            ),
            &["region"],
        )
        .expect("valid metric");
        r.register(Box::new(archive_last_verify.clone()))
            .expect("unique");
        let archive_write_failing = IntGauge::new(
            "wcp_archive_write_failing",
            "1 while the last attempt to write a batch failed and it is being retried",
        )
        .expect("valid");
        r.register(Box::new(archive_write_failing.clone()))
            .expect("unique");
        let ready = IntGauge::new("wcp_ready", "1 when /readyz answers 200").expect("valid");
        r.register(Box::new(ready.clone())).expect("unique");
        let build_info =
            GaugeVec::new(Opts::new("wcp_build_info", "always 1"), &["version"]).expect("valid");
        r.register(Box::new(build_info.clone())).expect("unique");
        build_info
            .with_label_values(&[env!("CARGO_PKG_VERSION")])
            .set(1.0);
        // The conventional name (the process collectors' own): a rule can tell a counter
        // that grew before the first scrape of a new process from an old total
        // (WcpCaptureSdkChildRestarts: increase() does not count a series' first value).
        let started = Gauge::new(
            "process_start_time_seconds",
            "unix time this process started",
        )
        .expect("valid");
        r.register(Box::new(started.clone())).expect("unique");
        started.set(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .map(|d| d.as_secs_f64())
                .unwrap_or(0.0),
        );
        let latency_buckets = prometheus::exponential_buckets(0.001, 2.0, 16).expect("buckets");
        let stage_buckets = prometheus::exponential_buckets(0.000_001, 4.0, 12).expect("buckets");
        let m = Metrics {
            received: counter_vec(
                &r,
                "wcp_received_events_total",
                "records consumed",
                &["topic"],
            ),
            sent: counter_vec(&r, "wcp_sent_events_total", "records produced", &["topic"]),
            dead_letters: counter_vec(
                &r,
                "wcp_dead_letters_total",
                "records sent to chat.dlq",
                &["reason"],
            ),
            errors: counter_vec(&r, "wcp_errors_total", "errors by class", &["error_type"]),
            transactions: counter_vec(
                &r,
                "wcp_transactions_total",
                "Kafka transactions",
                &["outcome"],
            ),
            lag_messages,
            lag_seconds,
            end_to_end: histogram(
                &r,
                "wcp_end_to_end_latency_seconds",
                "now minus the timestamp of the originating wecom.raw record",
                latency_buckets.clone(),
            ),
            stage_duration: histogram(
                &r,
                "wcp_stage_duration_seconds",
                "pure stage time per record",
                stage_buckets,
            ),
            batch_events: histogram(
                &r,
                "wcp_batch_events",
                "records per batch (one transaction each in the Kafka-to-Kafka stages)",
                vec![1.0, 2.0, 5.0, 10.0, 20.0, 50.0, 100.0, 200.0, 500.0, 1000.0, 2000.0],
            ),
            batch_wait: histogram(
                &r,
                "wcp_batch_wait_seconds",
                "time from a batch's first record to its close (flush_interval_ms at most, unless more records were ready)",
                latency_buckets.clone(),
            ),
            transaction_duration: histogram(
                &r,
                "wcp_transaction_duration_seconds",
                "begin_transaction to commit_transaction returned, for committed transactions",
                latency_buckets,
            ),
            compliance_alerts: counter_vec(
                &r,
                "wcp_compliance_alerts_total",
                "alerts produced",
                &["category", "severity"],
            ),
            consent_violations: counter_vec(
                &r,
                "wcp_consent_violations_total",
                "external content without consent",
                &["action"],
            ),
            seq_gaps: counter(&r, "wcp_wecom_seq_gaps_total", "gaps in the capture seq"),
            seq_missing: counter(
                &r,
                "wcp_wecom_seq_missing_total",
                "messages missing inside seq gaps",
            ),
            duplicates: counter(
                &r,
                "wcp_duplicate_messages_total",
                "re-sent copies of a msgid already ingested: counted, no second event",
            ),
            archive_write_failures: counter(
                &r,
                "wcp_archive_write_failures_total",
                "SQLite batch transactions that failed",
            ),
            archive_write_failing,
            archive_records: counter_vec(
                &r,
                "wcp_archive_records_total",
                "rows inserted",
                &["region"],
            ),
            archive_size,
            archive_wal,
            archive_verify_failures: counter_vec(
                &r,
                "wcp_archive_verify_failures_total",
                "tamper-evidence verifications that failed",
                &["region"],
            ),
            archive_last_verify,
            ready,
            build_info,
            brokers: Default::default(),
            registry: r,
        };
        m.init_series();
        m
    }

    /// The same without the archive's series, for every service but the archiver: there they
    /// would be constant zeros, and `WcpArchiveVerifyStale` (time since the last verification)
    /// fired on services that have no archive at all (issue 15).
    pub fn without_archive(self) -> Metrics {
        let r = &self.registry;
        let _ = r.unregister(Box::new(self.archive_write_failures.clone()));
        let _ = r.unregister(Box::new(self.archive_write_failing.clone()));
        let _ = r.unregister(Box::new(self.archive_records.clone()));
        let _ = r.unregister(Box::new(self.archive_size.clone()));
        let _ = r.unregister(Box::new(self.archive_wal.clone()));
        let _ = r.unregister(Box::new(self.archive_verify_failures.clone()));
        let _ = r.unregister(Box::new(self.archive_last_verify.clone()));
        self
    }

    /// Makes every series of the closed label sets visible at zero from the start, so a
    /// scrape shows the whole vocabulary before the first error or dead letter.
    fn init_series(&self) {
        for c in ["transient", "poison", "fatal"] {
            self.errors.with_label_values(&[c]);
        }
        for r in wcp_model::DeadLetterReason::CODES {
            self.dead_letters.with_label_values(&[r]);
        }
        for o in ["committed", "aborted"] {
            self.transactions.with_label_values(&[o]);
        }
    }

    /// Marks partitions as assigned in `wcp_consumer_lag_messages` until the next statistics
    /// report replaces the value with the measured lag.
    pub fn touch_lag<'a>(&self, prefix: &str, parts: impl Iterator<Item = (&'a str, i32)>) {
        for (topic, p) in parts {
            let name = topic.strip_prefix(prefix).unwrap_or(topic);
            self.lag_messages.with_label_values(&[name, &p.to_string()]);
        }
    }

    /// `wcp_consumer_lag_seconds` once `batch` is processed: `now_ms` minus the Kafka
    /// timestamp of its last record, about the age of the oldest record still waiting. Every
    /// consumer sets it this way (the transactional loop, the archiver, the review console).
    pub fn set_lag_after(&self, batch: &[crate::InRecord], now_ms: i64) {
        if let Some(ts) = batch.last().and_then(|r| r.timestamp_ms) {
            self.lag_seconds.set((now_ms - ts).max(0) as f64 / 1000.0);
        }
    }

    /// Prometheus text exposition of every metric.
    pub fn render(&self) -> String {
        let mut buf = Vec::new();
        let enc = TextEncoder::new();
        if enc.encode(&self.registry.gather(), &mut buf).is_err() {
            return String::new();
        }
        String::from_utf8(buf).unwrap_or_default()
    }
}

impl Default for Metrics {
    fn default() -> Self {
        Metrics::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn renders_contract_names() {
        let m = Metrics::new();
        m.received.with_label_values(&["chat.events"]).inc();
        m.errors.with_label_values(&["transient"]).inc();
        m.lag_messages
            .with_label_values(&["chat.events", "0"])
            .set(3);
        let text = m.render();
        for name in [
            "wcp_received_events_total{topic=\"chat.events\"} 1",
            "wcp_errors_total{error_type=\"transient\"} 1",
            "wcp_consumer_lag_messages{partition=\"0\",topic=\"chat.events\"} 3",
            "wcp_build_info{version=",
            "wcp_ready 0",
            "wcp_dead_letters_total{reason=\"schema_decode\"} 0",
            "wcp_transactions_total{outcome=\"aborted\"} 0",
        ] {
            assert!(text.contains(name), "missing {name} in\n{text}");
        }
    }

    #[test]
    fn every_dead_letter_reason_is_shown_from_the_start() {
        let text = Metrics::new().render();
        for r in [
            "invalid_utf8",
            "record_too_large",
            "time_out_of_range",
            "invalid_id",
        ] {
            let series = format!("wcp_dead_letters_total{{reason=\"{r}\"}} 0");
            assert!(text.contains(&series), "{series} missing");
        }
    }

    #[test]
    fn archive_series_only_on_the_archiver() {
        let m = Metrics::new();
        m.archive_last_verify.with_label_values(&["cn"]).set(0.0);
        let archiver = m.render();
        assert!(
            archiver.contains("wcp_archive_last_verify_success_timestamp_seconds{region=\"cn\"} 0")
        );
        assert!(archiver.contains("wcp_archive_write_failures_total 0"));
        assert!(archiver.contains("wcp_archive_write_failing 0"));
        let other = Metrics::new().without_archive();
        other.archive_write_failures.inc();
        other.archive_write_failing.set(1);
        let text = other.render();
        assert!(!text.contains("wcp_archive_"), "{text}");
        assert!(text.contains("wcp_ready 0"));
    }
}
