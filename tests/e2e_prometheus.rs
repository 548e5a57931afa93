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
