//! The capture's metrics (docs/METRICS.md, "capture"), registered next to the shared
//! vocabulary of `wcp-runtime`. Labels come from closed sets only: child role, restart
//! reason, SDK call, return code, dead-letter reason.

use prometheus::{Gauge, IntCounter, IntCounterVec, IntGauge, Opts, Registry};

#[derive(Clone)]
pub struct CaptureMetrics {
    /// The last committed cursor (the highest seq written to `wecom.raw`).
    pub seq: IntGauge,
    /// Now minus the `msgtime` of the newest captured message.
    pub lag_seconds: Gauge,
    /// 1 while the last GetChatData answer was full (more is waiting at Tencent).
    pub behind: IntGauge,
    /// 1 on the instance that holds the corp's capture, 0 on a standby.
    pub active: IntGauge,
    pub messages: IntCounter,
    pub decrypt_failures: IntCounterVec,
    pub sdk_errors: IntCounterVec,
    pub child_restarts: IntCounterVec,
    pub data_expired: IntCounter,
    pub media_fetched: IntCounter,
    pub media_bytes: IntCounter,
    pub media_missing: IntCounterVec,
    pub media_backlog: IntGauge,
    pub media_backlog_seconds: Gauge,
    /// 1 while the media loop runs (0: media off, or stopped by an error and waiting).
    pub media_up: IntGauge,
    pub media_restarts: IntCounter,
    /// Requests to an S3 media store tried again (5xx, timeouts, refused connections).
    pub media_store_retries: IntCounter,
    /// The runtime's `wcp_compliance_alerts_total`: the capture's alerts are counted with every
    /// other service's, so the severity alert rules see them.
    pub compliance_alerts: IntCounterVec,
}

/// The (category, severity) of each alert the capture raises, shown at 0 from the start.
pub const ALERT_SERIES: [(&str, &str); 3] = [
    ("capture_decrypt_failure", "high"),
    ("capture_data_expired", "high"),
    ("media_missing", "medium"),
];

fn gauge(r: &Registry, name: &str, help: &str) -> IntGauge {
    reg(r, IntGauge::new(name, help).expect("valid"))
}

fn counter(r: &Registry, name: &str, help: &str) -> IntCounter {
    reg(r, IntCounter::new(name, help).expect("valid"))
}

fn reg<T: prometheus::core::Collector + Clone + 'static>(r: &Registry, c: T) -> T {
    r.register(Box::new(c.clone())).expect("unique metric");
    c
}

fn counter_vec(r: &Registry, name: &str, help: &str, labels: &[&str]) -> IntCounterVec {
    reg(
        r,
        IntCounterVec::new(Opts::new(name, help), labels).expect("valid metric"),
    )
}

impl CaptureMetrics {
    pub fn register(rt: &wcp_runtime::Metrics) -> CaptureMetrics {
        let r = &rt.registry;
        let m = CaptureMetrics {
            compliance_alerts: rt.compliance_alerts.clone(),
            seq: reg(
                r,
                IntGauge::new("wcp_capture_seq", "last committed capture cursor (seq)")
                    .expect("valid"),
            ),
            lag_seconds: reg(
                r,
                Gauge::new(
                    "wcp_capture_lag_seconds",
                    "now minus msgtime of the newest captured message",
                )
                .expect("valid"),
            ),
            behind: reg(
                r,
                IntGauge::new(
                    "wcp_capture_behind",
                    "1 while GetChatData answers full batches (more waiting)",
                )
                .expect("valid"),
            ),
            active: reg(
                r,
                IntGauge::new(
                    "wcp_capture_active",
                    "1 on the instance capturing the corp, 0 on a standby",
                )
                .expect("valid"),
            ),
            messages: reg(
                r,
                IntCounter::new(
                    "wcp_capture_messages_total",
                    "decrypted messages committed to wecom.raw",
                )
                .expect("valid"),
            ),
            decrypt_failures: counter_vec(
                r,
                "wcp_capture_decrypt_failures_total",
                "messages that could not be decrypted (sent to chat.dlq)",
                &["reason"],
            ),
            sdk_errors: counter_vec(
                r,
                "wcp_capture_sdk_errors_total",
                "non-zero SDK return codes",
                &["call", "code"],
            ),
            child_restarts: counter_vec(
                r,
                "wcp_capture_child_restarts_total",
                "SDK child processes restarted",
                &["child", "reason"],
            ),
            data_expired: reg(
                r,
                IntCounter::new(
                    "wcp_capture_data_expired_total",
                    "expired ranges at Tencent: GetChatData answered 10010, or served from a seq above the cursor + 1",
                )
                .expect("valid"),
            ),
            media_fetched: counter(
                r,
                "wcp_capture_media_fetched_total",
                "media files fetched, md5-checked and stored",
            ),
            media_bytes: counter(r, "wcp_capture_media_bytes_total", "bytes of media stored"),
            media_missing: counter_vec(
                r,
                "wcp_capture_media_missing_total",
                "media files marked media_missing, by reason",
                &["reason"],
            ),
            media_backlog: gauge(
                r,
                "wcp_capture_media_backlog",
                "wecom.raw records the media stage has not looked at yet",
            ),
            media_backlog_seconds: reg(
                r,
                Gauge::new(
                    "wcp_capture_media_backlog_seconds",
                    "age of the oldest wecom.raw record the media stage has not looked at",
                )
                .expect("valid"),
            ),
            media_up: gauge(r, "wcp_capture_media_up", "1 while the media loop runs"),
            media_restarts: counter(
                r,
                "wcp_capture_media_restarts_total",
                "media loop stopped by an error and restarted",
            ),
            media_store_retries: counter(
                r,
                "wcp_capture_media_store_retries_total",
                "requests to the S3 media store tried again after a transient failure",
            ),
        };
        for reason in crate::media_fetch::MISSING_REASONS {
            m.media_missing.with_label_values(&[reason]);
        }
        for reason in crate::decrypt::REASONS {
            m.decrypt_failures.with_label_values(&[reason]);
        }
        for (category, severity) in ALERT_SERIES {
            m.compliance_alerts.with_label_values(&[category, severity]);
        }
        for child in ["chat", "media"] {
            for reason in ["crash", "hang"] {
                m.child_restarts.with_label_values(&[child, reason]);
            }
        }
        m
    }
}

impl CaptureMetrics {
    /// This instance holds the corp's capture no more (lost it, fenced, or stopping): a
    /// standby never calls GetChatData, so a `behind` 1 left from its active term would stay
    /// 1 for good and page WcpCaptureStalled on a quiet corp (trial 19a D1).
    pub fn standing_by(&self) {
        self.active.set(0);
        self.behind.set(0);
    }

    /// Counts an alert written to `chat.alerts` (call once its transaction committed, or as
    /// the stage emits it under the runtime's loop, like the alerter).
    pub fn alert(&self, a: &wcp_model::Alert) {
        self.compliance_alerts
            .with_label_values(&[a.category.as_str(), a.severity.as_str()])
            .inc();
    }
}

/// A return code as a label: the documented codes as themselves, anything else `other`.
pub fn code_label(code: i32) -> String {
    if (10000..=10011).contains(&code) {
        code.to_string()
    } else {
        "other".into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn scrape(rt: &wcp_runtime::Metrics, name: &str) -> f64 {
        let text = rt.render();
        let line = text
            .lines()
            .find(|l| l.split(' ').next() == Some(name))
            .unwrap_or_else(|| panic!("{name} not exported:\n{text}"));
        line.rsplit(' ').next().unwrap().parse().unwrap()
    }

    #[test]
    fn a_standby_does_not_report_the_backlog_of_its_last_active_term() {
        let rt = wcp_runtime::Metrics::new();
        let m = CaptureMetrics::register(&rt);
        m.active.set(1);
        m.behind.set(1);
        m.standing_by();
        assert_eq!(scrape(&rt, "wcp_capture_active"), 0.0);
        assert_eq!(scrape(&rt, "wcp_capture_behind"), 0.0);
    }
}
