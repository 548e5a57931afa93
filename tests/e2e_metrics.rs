//! Every service answers `/healthz`, `/readyz` and `/metrics` on its ops port, and the
//! exposition carries the counters of docs/METRICS.md (received, sent, dead-lettered, errors)
//! and the consumer lag gauge, with no message ids in it.
mod e2e;

use std::time::Duration;

use e2e::ops::{get, has_metric, metric_sum};
use e2e::outcome::{read_archive_dir, Sinks};
use e2e::procs::{require_binaries, Pipeline, SERVICES};

const TEST: &str = "e2e_metrics";

#[test]
fn every_service_exposes_health_and_the_metric_vocabulary() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&SERVICES);
    let mut p = Pipeline::new(&bootstrap, "metrics");
    p.create_topics(2);
    p.start(&SERVICES);
    let mut sinks = Sinks::new(&p);
    let fixtures = e2e::repo_root().join("fixtures");
    p.produce_file(&fixtures.join("wecom_samples.jsonl"));
    p.produce_file(&fixtures.join("wecom_malformed.jsonl"));
    let archive = p.archive_dir();
    e2e::wait_for(
        "archive rows, alerts, anonymised events, dead letters",
        Duration::from_secs(120),
        || {
            sinks.poll();
            (!read_archive_dir(&archive).is_empty()
                && !sinks.alerts.records.is_empty()
                && !sinks.anonymised.records.is_empty()
                && !sinks.dlq.records.is_empty())
            .then_some(())
        },
    );
    p.assert_all_running();

    let samples = std::fs::read_to_string(fixtures.join("wecom_samples.jsonl")).expect("fixture");
    let msgids: Vec<String> = samples
        .lines()
        .filter_map(|l| serde_json::from_str::<serde_json::Value>(l).ok())
        .filter_map(|v| v["msgid"].as_str().map(str::to_string))
        .collect();
    let mut problems = Vec::new();
    for s in &p.services {
        let name = &s.name;
        for path in ["/healthz", "/readyz"] {
            let status = get(&s.ops_addr, path).map(|r| r.status);
            if status != Some(200) {
                problems.push(format!("wcp-{name} {path}: {status:?}"));
            }
        }
        let Some(m) = get(&s.ops_addr, "/metrics").filter(|r| r.status == 200) else {
            problems.push(format!("wcp-{name} /metrics did not answer 200"));
            continue;
        };
        let mut required = vec![
            "wcp_received_events_total",
            "wcp_dead_letters_total",
            "wcp_errors_total",
            "wcp_consumer_lag_messages",
        ];
        // The archiver writes to SQLite; every other service produces to a topic.
        if name != "archiver" {
            required.push("wcp_sent_events_total");
        }
        for metric in required {
            if !has_metric(&m.body, metric) {
                problems.push(format!("wcp-{name} /metrics lacks {metric}"));
            }
        }
        // The archive's series (and so the archive alerts) only where there is an archive.
        // (The verify series carry a region label and appear once the verifier found the
        // archive: tests/e2e_archiver_ops.rs.)
        let archive_series = has_metric(&m.body, "wcp_archive_write_failures_total");
        if (name == "archiver") != archive_series {
            problems.push(format!(
                "wcp-{name}: archive series present = {archive_series} (only the archiver has them)"
            ));
        }
        if name != "archiver" && m.body.contains("wcp_archive_") {
            problems.push(format!("wcp-{name} exports wcp_archive_* series"));
        }
        if metric_sum(&m.body, "wcp_received_events_total").unwrap_or(0.0) <= 0.0 {
            problems.push(format!(
                "wcp-{name} received nothing according to its metrics"
            ));
        }
        if name != "archiver" && metric_sum(&m.body, "wcp_sent_events_total").unwrap_or(0.0) <= 0.0
        {
            problems.push(format!("wcp-{name} sent nothing according to its metrics"));
        }
        if let Some(id) = msgids.iter().find(|id| m.body.contains(id.as_str())) {
            problems.push(format!("wcp-{name} /metrics contains the message id {id}"));
        }
    }
    let ingest = p.service("ingest").ops_addr.clone();
    let body = get(&ingest, "/metrics").map(|r| r.body).unwrap_or_default();
    if metric_sum(&body, "wcp_dead_letters_total").unwrap_or(0.0) <= 0.0 {
        problems.push("wcp-ingest counted no dead letter for the malformed fixture".into());
    }
    assert!(
        problems.is_empty(),
        "metrics problems:\n{}",
        problems.join("\n")
    );
}
