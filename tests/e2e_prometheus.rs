//! The shipped alert rules in a real Prometheus server (Debian's `prometheus`) scraping real
//! services (issue 15): `WcpServiceDown` fires after its `for: 2m` when a service is killed
//! and resolves once it is back, and the archive alerts do not fire on services that have no
//! archive (their `wcp_archive_*` series do not exist there). Skipped, saying so, without
//! `KAFKA_BOOTSTRAP` or without a `prometheus` binary on PATH (`apt-get install prometheus`).
mod e2e;

use std::process::{Child, Command, Stdio};
use std::time::Duration;

use e2e::ops::get;
use e2e::procs::{free_port, require_binaries, Pipeline};
use serde_json::Value;

const TEST: &str = "e2e_prometheus";
const SERVICES: [&str; 2] = ["ingest", "classifier"];

struct Prometheus(Child);

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The alerts Prometheus reports, pending and firing: (alertname, job, state).
fn alerts(addr: &str) -> Vec<(String, String, String)> {
    let Some(r) = get(addr, "/api/v1/alerts").filter(|r| r.status == 200) else {
        return Vec::new();
    };
    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    let s = |a: &Value, k: &str| a[k].as_str().unwrap_or("").to_string();
    v["data"]["alerts"]
        .as_array()
        .map(|list| {
            list.iter()
                .map(|a| {
                    (
                        s(&a["labels"], "alertname"),
                        s(&a["labels"], "job"),
                        s(a, "state"),
                    )
                })
                .collect()
        })
        .unwrap_or_default()
}

#[test]
fn service_down_fires_and_resolves_and_archive_alerts_stay_on_archivers() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    if Command::new("prometheus")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("{TEST}: SKIPPED: no `prometheus` on PATH (apt-get install prometheus)");
        return;
    }
    require_binaries(&SERVICES);
    let mut p = Pipeline::new(&bootstrap, "prometheus");
    p.create_topics(1);
    p.start(&SERVICES);
    let dir = tempfile::tempdir().unwrap();
    let rules = e2e::repo_root().join("ops/prometheus/rules/wcp-alerts.yml");
    let mut config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n",
        rules.display()
    );
    for name in SERVICES {
        let addr = p.service(name).ops_addr.clone();
        config.push_str(&format!(
            "  - job_name: wcp-{name}\n    static_configs:\n      - targets: ['{addr}']\n"
        ));
    }
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let _prom = Prometheus(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start prometheus"),
    );
    // Both targets scraped.
    e2e::wait_for("both targets up", Duration::from_secs(60), || {
        let r = get(&addr, "/api/v1/query?query=sum(up)")?;
        let v: Value = serde_json::from_str(&r.body).ok()?;
        (v["data"]["result"][0]["value"][1].as_str() == Some("2")).then_some(())
    });
    p.service("classifier").kill9();
    let fired = e2e::wait_for(
        "WcpServiceDown firing for wcp-classifier",
        Duration::from_secs(200),
        || {
            let now = alerts(&addr);
            now.iter()
                .any(|(n, j, s)| n == "WcpServiceDown" && j == "wcp-classifier" && s == "firing")
                .then_some(now)
        },
    );
    eprintln!("{TEST}: firing: {fired:?}");
    assert!(
        !fired.iter().any(|(n, _, _)| n.starts_with("WcpArchive")),
        "archive alerts pending or firing on services without an archive: {fired:?}"
    );
    assert!(
        !fired
            .iter()
            .any(|(n, j, _)| n == "WcpServiceDown" && j == "wcp-ingest"),
        "the running service is reported down: {fired:?}"
    );
    p.service("classifier").restart();
    e2e::wait_for("WcpServiceDown resolved", Duration::from_secs(60), || {
        let now = alerts(&addr);
        (!now.iter().any(|(n, _, _)| n == "WcpServiceDown")).then_some(())
    });
}

/// `msgid` as a `chat.tagged` record, through the same stages as upstream.
fn tagged(msgid: &str) -> Vec<u8> {
    let raw = format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["lina"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{{"content":"hello"}}}}"#
    );
    let ev = wcp_stages::ingest::ingest(raw.as_bytes(), None)
        .expect("ingest")
        .event;
    let policy = wcp_stages::Policy::builtin();
    let ev = wcp_stages::classify::Classifier::builtin().classify(ev);
    let ev = wcp_stages::consent::gate(ev, &Default::default(), &policy.consent);
    let ev = wcp_stages::retention::tag(ev, &policy.retention);
    wcp_schema::encode(&ev).expect("encode")
}

fn firing(addr: &str, alert: &str) -> bool {
    alerts(addr)
        .iter()
        .any(|(n, _, s)| n == alert && s == "firing")
}

/// Whether `alert` fires with label `group` = `group`.
fn firing_for_group(addr: &str, alert: &str, group: &str) -> bool {
    let Some(r) = get(addr, "/api/v1/alerts").filter(|r| r.status == 200) else {
        return false;
    };
    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    v["data"]["alerts"].as_array().is_some_and(|list| {
        list.iter().any(|a| {
            a["labels"]["alertname"] == alert
                && a["labels"]["group"] == group
                && a["state"] == "firing"
        })
    })
}

/// The broker-side lag alert and the archive-write alert in a real Prometheus scraping the
/// lag exporter and the archiver. Their windows (`for: 10m`/`5m`, 300 s of lag) are scaled
/// down to seconds in a copy of the shipped rules; the expressions are the shipped ones.
#[test]
fn lag_and_archive_write_alerts_fire_and_resolve_with_scaled_windows() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    if Command::new("prometheus")
        .arg("--version")
        .output()
        .is_err()
    {
        eprintln!("{TEST}: SKIPPED: no `prometheus` on PATH (apt-get install prometheus)");
        return;
    }
    require_binaries(&["ingest", "archiver", "lag-exporter"]);
    let mut p = Pipeline::new(&bootstrap, "prom-lag");
    p.create_topics(1);
    p.start(&["ingest", "archiver"]);
    let mut exporter = p.spawn_extra(
        "lag-exporter",
        "lag-exporter",
        &[("WCP_LAG_INTERVAL_S", "1")],
    );
    exporter.wait_ready(Duration::from_secs(60));
    p.services.push(exporter);
    let dir = tempfile::tempdir().unwrap();
    let shipped =
        std::fs::read_to_string(e2e::repo_root().join("ops/prometheus/rules/wcp-alerts.yml"))
            .unwrap();
    let lag_expr = "max by (namespace, group) (wcp_consumergroup_lag_seconds) > 300";
    assert!(shipped.contains(lag_expr), "the shipped lag rule changed");
    let scaled = shipped
        .replace(
            lag_expr,
            "max by (namespace, group) (wcp_consumergroup_lag_seconds) > 3",
        )
        .replace("for: 10m", "for: 5s")
        .replace("for: 5m", "for: 5s");
    let rules = dir.path().join("rules.yml");
    std::fs::write(&rules, scaled).unwrap();
    let mut config = format!(
        "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n",
        rules.display()
    );
    for name in ["ingest", "archiver", "lag-exporter"] {
        let addr = p.service(name).ops_addr.clone();
        config.push_str(&format!(
            "  - job_name: wcp-{name}\n    static_configs:\n      - targets: ['{addr}']\n"
        ));
    }
    std::fs::write(dir.path().join("prometheus.yml"), config).unwrap();
    let addr = format!("127.0.0.1:{}", free_port());
    let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
    let _prom = Prometheus(
        Command::new("prometheus")
            .arg(format!(
                "--config.file={}",
                dir.path().join("prometheus.yml").display()
            ))
            .arg(format!(
                "--storage.tsdb.path={}",
                dir.path().join("data").display()
            ))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start prometheus"),
    );
    e2e::wait_for("three targets up", Duration::from_secs(60), || {
        let r = get(&addr, "/api/v1/query?query=sum(up)")?;
        let v: Value = serde_json::from_str(&r.body).ok()?;
        (v["data"]["result"][0]["value"][1].as_str() == Some("3")).then_some(())
    });
    let producer = e2e::kafka::RawProducer::new(&p.bootstrap);
    let tagged_topic = p.topic("chat.tagged");
    producer.send(&tagged_topic, 0, b"m", &tagged("prom-1"));
    producer.flush();
    let fixture = e2e::repo_root().join("fixtures/wecom_samples.jsonl");
    p.produce_file(&fixture);
    let archive = p.archive_dir();
    let db = e2e::wait_for("an archive file", Duration::from_secs(60), || {
        std::fs::read_dir(&archive)
            .ok()?
            .flatten()
            .map(|e| e.path())
            .find(|f| f.extension().is_some_and(|x| x == "db"))
    });
    std::thread::sleep(Duration::from_secs(8));
    assert!(!firing(&addr, "WcpConsumerLagHigh"), "{:?}", alerts(&addr));

    // The ingest dies with records waiting; the archive gets locked by another process.
    p.service("ingest").kill9();
    p.produce_file(&fixture);
    let lock = rusqlite::Connection::open(&db).expect("open archive");
    lock.execute_batch("BEGIN IMMEDIATE").expect("lock");
    producer.send(&tagged_topic, 0, b"m", &tagged("prom-2"));
    producer.flush();
    let ingest_group = format!("{}wcp-ingest", p.prefix);
    e2e::wait_for(
        "WcpConsumerLagHigh firing for the ingest",
        Duration::from_secs(90),
        || firing_for_group(&addr, "WcpConsumerLagHigh", &ingest_group).then_some(()),
    );
    e2e::wait_for(
        "WcpArchiveWriteFailures firing",
        Duration::from_secs(90),
        || firing(&addr, "WcpArchiveWriteFailures").then_some(()),
    );

    // Both recover: the alerts resolve.
    p.service("ingest").restart();
    lock.execute_batch("ROLLBACK").expect("release");
    drop(lock);
    e2e::wait_for("both alerts resolved", Duration::from_secs(90), || {
        let now = alerts(&addr);
        (!now
            .iter()
            .any(|(n, _, _)| n == "WcpConsumerLagHigh" || n == "WcpArchiveWriteFailures"))
        .then_some(())
    });
    p.assert_all_running();
}
