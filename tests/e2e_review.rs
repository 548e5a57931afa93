//! The `wcp-review` service against a real broker: it consumes `chat.alerts` into a review
//! store per region — every alert exactly once, in the region whose archive holds its
//! message — across a kill -9 and restart, stores the source offsets with the alerts, and its
//! console answers /healthz, /readyz and /metrics with the queue depth. Its
//! `wcp_consumer_lag_seconds` is the age of the alerts it consumes, as for every consumer.
mod e2e;

use std::collections::BTreeMap;
use std::path::Path;
use std::time::Duration;

use e2e::ops::{get, has_metric, metric_sum};
use e2e::outcome::Sinks;
use e2e::procs::{free_port, require_binaries, Pipeline, SERVICES};

const TEST: &str = "e2e_review";

/// alert_id → region, from the review stores.
fn queued(store_dir: &Path) -> BTreeMap<String, Vec<String>> {
    let mut out: BTreeMap<String, Vec<String>> = BTreeMap::new();
    for region in ["cn", "hk"] {
        let p = store_dir.join(format!("review-{region}.db"));
        let Ok(conn) =
            rusqlite::Connection::open_with_flags(&p, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
        else {
            continue;
        };
        let Ok(mut stmt) = conn.prepare("SELECT item_key FROM items WHERE kind = 'alert'") else {
            continue;
        };
        let keys: Vec<String> = stmt
            .query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect();
        for k in keys {
            out.entry(k).or_default().push(region.to_string());
        }
    }
    out
}

/// A risk alert of message `msgid`, archived in `region` (None: an alert of revision 1-2).
fn alert(msgid: &str, region: Option<&str>, time_ms: i64) -> wcp_model::Alert {
    wcp_model::Alert {
        alert_id: format!("{msgid}:guarantee_of_returns"),
        msgid: msgid.to_string(),
        conversation_id: "single:a|b".into(),
        category: "guarantee_of_returns".into(),
        severity: wcp_model::Severity::High,
        rule_id: "review-test".into(),
        time_ms,
        evidence: Vec::new(),
        region: region.map(String::from),
    }
}

/// Writes `alerts` to `chat.alerts` as the alerter would, the i-th with Kafka timestamp
/// `ts + i`.
fn produce_alerts(p: &Pipeline, alerts: &[wcp_model::Alert], ts: i64) {
    use rdkafka::producer::{BaseRecord, DefaultProducerContext, Producer, ThreadedProducer};
    let producer: ThreadedProducer<DefaultProducerContext> = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", &p.bootstrap)
        .create()
        .expect("producer");
    let topic = p.topic("chat.alerts");
    for (i, alert) in alerts.iter().enumerate() {
        let value = wcp_schema::encode(alert).expect("encode");
        let rec = BaseRecord::to(&topic)
            .key(&alert.msgid)
            .payload(&value)
            .timestamp(ts + i as i64);
        producer.send(rec).map_err(|(e, _)| e).expect("send");
    }
    producer.flush(Duration::from_secs(30)).expect("flush");
}

#[test]
fn review_service_consumes_alerts_exactly_once() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    let mut names: Vec<&str> = SERVICES.to_vec();
    require_binaries(&["review"]);
    require_binaries(&names);
    let mut p = Pipeline::new(&bootstrap, "review");
    p.create_topics(2);
    p.start(&names);
    let mut sinks = Sinks::new(&p);
    p.produce_file(&e2e::repo_root().join("fixtures/wecom_samples.jsonl"));
    let archive = p.archive_dir();
    e2e::wait_for("alerts and both archives", Duration::from_secs(120), || {
        sinks.poll();
        (!sinks.alerts.records.is_empty()
            && archive.join("archive-cn.db").exists()
            && archive.join("archive-hk.db").exists())
        .then_some(())
    });
    let store_dir = p.dir.path().join("review");
    let web = format!("127.0.0.1:{}", free_port());
    p.common_env.extend([
        (
            "WCP_REGIONS".to_string(),
            format!(
                "cn={},hk={}",
                archive.join("archive-cn.db").display(),
                archive.join("archive-hk.db").display()
            ),
        ),
        ("WCP_STORE_DIR".to_string(), store_dir.display().to_string()),
        ("WCP_LISTEN_ADDR".to_string(), web.clone()),
        ("WCP_ROUTE_WAIT_MS".to_string(), "20000".to_string()),
        ("WCP_SLA_HIGH_S".to_string(), "7200".to_string()),
    ]);
    p.start(&["review"]);
    names.push("review");
    // Kill -9 as soon as something is queued, then restart; more alerts arrive meanwhile.
    e2e::wait_for("first alerts queued", Duration::from_secs(60), || {
        (!queued(&store_dir).is_empty()).then_some(())
    });
    p.service("review").kill9();
    p.produce_file(&e2e::repo_root().join("fixtures/wecom_lenient.jsonl"));
    p.service("review").restart();
    p.service("review").wait_ready(Duration::from_secs(60));

    // Every alert of the topic once, in the region archiving its message.
    let got = e2e::wait_for("every alert queued", Duration::from_secs(120), || {
        sinks.poll();
        let q = queued(&store_dir);
        let want: std::collections::BTreeSet<String> = sinks
            .alerts
            .records
            .iter()
            .filter_map(|r| wcp_schema::decode::<wcp_model::Alert>(&r.value).ok())
            .map(|a| a.alert_id)
            .collect();
        (!want.is_empty()
            && q.keys().cloned().collect::<std::collections::BTreeSet<_>>() == want
            && sinks.alerts.caught_up())
        .then_some(q)
    });
    for (alert, regions) in &got {
        assert_eq!(regions.len(), 1, "{alert} queued in {regions:?}");
    }
    let rows = e2e::outcome::read_archive_dir(&archive);
    for (alert, regions) in &got {
        let msgid = alert.split(':').next().unwrap();
        if let Some(row) = rows.iter().find(|r| r.msgid == msgid) {
            assert_eq!(
                row.region, regions[0],
                "{alert} in the region of its message"
            );
        }
    }
    // The offsets stored with the alerts reach the end of the topic.
    let end: i64 = sinks.alerts.records.len() as i64;
    let mut stored = 0;
    let conn = rusqlite::Connection::open_with_flags(
        store_dir.join("review-cn.db"),
        rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
    )
    .unwrap();
    let mut stmt = conn.prepare("SELECT next_offset FROM offsets").unwrap();
    for o in stmt.query_map([], |r| r.get::<_, i64>(0)).unwrap() {
        stored += o.unwrap();
    }
    assert!(
        stored >= end,
        "offsets {stored} cover the {end} alert records (plus transaction markers)"
    );

    for path in ["/healthz", "/readyz"] {
        assert_eq!(
            get(&web, path).map(|r| r.status),
            Some(200),
            "console {path}"
        );
    }
    let m = get(&web, "/metrics").expect("console metrics");
    assert!(
        has_metric(&m.body, "wcp_review_queue_depth")
            && has_metric(&m.body, "wcp_review_oldest_pending_age_seconds"),
        "{}",
        m.body
    );
    // The configured SLA is exported for WcpReviewHighSeverityPastSla to compare against.
    assert!(
        m.body
            .lines()
            .any(|l| l == "wcp_review_sla_seconds{severity=\"high\"} 7200"),
        "sla_high_s exported: {}",
        m.body
    );
    // ... and on the ops port, the one Prometheus scrapes (compose, k8s): the SLA alert
    // reads them there.
    let ops = get(&p.service("review").ops_addr, "/metrics").expect("ops metrics");
    assert!(
        ops.body
            .lines()
            .any(|l| l == "wcp_review_sla_seconds{severity=\"high\"} 7200")
            && has_metric(&ops.body, "wcp_review_oldest_pending_age_seconds")
            && has_metric(&ops.body, "wcp_ready"),
        "the ops port has the console's metrics: {}",
        ops.body
    );
    p.assert_all_running();
    p.service("review").terminate(Duration::from_secs(20));
    let verify = std::process::Command::new(e2e::wcp_bin())
        .args(["review", "verify", "--dir"])
        .arg(&store_dir)
        .output()
        .unwrap();
    assert!(
        verify.status.success(),
        "{}",
        String::from_utf8_lossy(&verify.stdout)
    );
}

/// Issue 15, trial 15e D4: the console's `wcp_consumer_lag_seconds` read 0 while thousands of
/// `chat.alerts` records waited for it (it never set the gauge). 50 alerts written to the
/// broker ten minutes ago (their Kafka timestamps) wait for a console that starts now: once
/// it has queued them, its lag is their age, not 0.
#[test]
fn console_lag_is_the_age_of_the_alerts_it_consumed() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["review"]);
    let mut p = Pipeline::new(&bootstrap, "review-lag");
    p.create_topics(1);
    let sent_at = wcp_model::clock::now_ms() - 600_000;
    let alerts: Vec<_> = (0..50)
        .map(|i| alert(&format!("lag-{i}"), None, sent_at))
        .collect();
    produce_alerts(&p, &alerts, sent_at);

    // No archive yet: the alerts are queued in the first region after the route wait.
    let store_dir = p.dir.path().join("review");
    p.common_env.extend([
        (
            "WCP_REGIONS".to_string(),
            format!("cn={}", p.dir.path().join("archive-cn.db").display()),
        ),
        ("WCP_STORE_DIR".to_string(), store_dir.display().to_string()),
        (
            "WCP_LISTEN_ADDR".to_string(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("WCP_ROUTE_WAIT_MS".to_string(), "100".to_string()),
    ]);
    p.start(&["review"]);
    e2e::wait_for("the 50 alerts queued", Duration::from_secs(90), || {
        (queued(&store_dir).len() == 50).then_some(())
    });
    let ops = p.service("review").ops_addr.clone();
    let lag = e2e::wait_for("the console's lag", Duration::from_secs(10), || {
        let body = get(&ops, "/metrics")?.body;
        metric_sum(&body, "wcp_consumer_lag_seconds").filter(|v| *v > 0.0)
    });
    let age = (wcp_model::clock::now_ms() - sent_at) as f64 / 1000.0;
    assert!(
        lag >= 590.0 && lag <= age,
        "wcp_consumer_lag_seconds {lag}: the alerts were {age} s old when consumed"
    );
    p.assert_all_running();
}

/// Issue 15, trial 15d D9: while the archiver lagged (its database blocked for 7 minutes),
/// the console looked every alert's message up, waited `route_wait_ms`, then queued hk
/// alerts under cn, at 500 alerts a minute. Alerts now name their region: with no archive
/// written yet and a route wait of 10 minutes, hk alerts are queued under hk and cn alerts
/// under cn within seconds, and an alert for a region the console does not serve (sg) goes
/// to `chat.dlq` with its reason and bytes, queued nowhere.
#[test]
fn an_alert_is_queued_in_its_region_while_that_archive_lags() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["review"]);
    let mut p = Pipeline::new(&bootstrap, "review-region");
    p.create_topics(1);
    let now = wcp_model::clock::now_ms();
    let mut alerts: Vec<_> = (0..30)
        .map(|i| alert(&format!("hk-{i}"), Some("hk"), now))
        .collect();
    alerts.extend((0..10).map(|i| alert(&format!("cn-{i}"), Some("cn"), now)));
    let unserved = alert("sg-0", Some("sg"), now);
    alerts.push(unserved.clone());
    produce_alerts(&p, &alerts, now);

    // Neither archive exists yet (the archiver has not written them).
    let store_dir = p.dir.path().join("review");
    p.common_env.extend([
        (
            "WCP_REGIONS".to_string(),
            format!(
                "cn={},hk={}",
                p.dir.path().join("archive-cn.db").display(),
                p.dir.path().join("archive-hk.db").display()
            ),
        ),
        ("WCP_STORE_DIR".to_string(), store_dir.display().to_string()),
        (
            "WCP_LISTEN_ADDR".to_string(),
            format!("127.0.0.1:{}", free_port()),
        ),
        ("WCP_ROUTE_WAIT_MS".to_string(), "600000".to_string()),
    ]);
    let started = std::time::Instant::now();
    p.start(&["review"]);
    // Far below the 10-minute route wait: nothing waited for an archive.
    let got = e2e::wait_for("the 40 alerts queued", Duration::from_secs(60), || {
        let q = queued(&store_dir);
        (q.len() == 40).then_some(q)
    });
    for (id, regions) in &got {
        let want = &id[..2];
        assert_eq!(
            regions,
            &vec![want.to_string()],
            "{id} queued in {regions:?}"
        );
    }
    let mut dlq = e2e::kafka::TopicReader::new(&p.bootstrap, &p.topic("chat.dlq"));
    let letter = e2e::wait_for(
        "the sg alert dead-lettered",
        Duration::from_secs(30),
        || {
            dlq.poll_for(Duration::from_millis(500));
            dlq.records
                .iter()
                .filter_map(|r| wcp_schema::decode::<wcp_model::DeadLetter>(&r.value).ok())
                .find(|d| d.stage == "review")
        },
    );
    assert_eq!(letter.reason_code, "invalid_field");
    assert!(
        letter.reason.contains("region sg") && letter.reason.contains("WCP_REGIONS: cn, hk"),
        "{}",
        letter.reason
    );
    assert_eq!(
        wcp_schema::decode::<wcp_model::Alert>(&letter.original).ok(),
        Some(unserved),
        "the original bytes are kept for a replay"
    );
    assert!(
        started.elapsed() < Duration::from_secs(90),
        "routed without the route wait"
    );
    p.assert_all_running();
}
