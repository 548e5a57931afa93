//! A real Prometheus server (Debian's `prometheus`) for the alert-rule tests: started on a
//! free port with a rules file and a list of scrape targets, killed on drop, and queried for
//! its alerts. `available` prints a loud SKIPPED line when no `prometheus` is on PATH.

use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::Value;

use super::ops::get;
use super::procs::{free_port, Pipeline};

/// Whether a `prometheus` binary runs; if not, prints why `test` is skipped.
pub fn available(test: &str) -> bool {
    let ok = Command::new("prometheus").arg("--version").output().is_ok();
    if !ok {
        eprintln!("{test}: SKIPPED: no `prometheus` on PATH (apt-get install prometheus)");
    }
    ok
}

/// The shipped alert rules (`ops/prometheus/rules/wcp-alerts.yml`), to start with as they
/// are or with their windows scaled down.
pub fn shipped_rules() -> String {
    std::fs::read_to_string(super::repo_root().join("ops/prometheus/rules/wcp-alerts.yml"))
        .expect("read the shipped alert rules")
}

/// A running Prometheus; its config, data and log live in a temporary directory.
pub struct Prometheus {
    child: Child,
    /// `host:port` of its HTTP API.
    pub addr: String,
    pub dir: tempfile::TempDir,
}

impl Prometheus {
    /// Starts Prometheus scraping every `(job, addr)` each second and evaluating `rules`
    /// (YAML text) each second, then waits until every target is up.
    pub fn start(rules: &str, targets: &[(String, String)]) -> Prometheus {
        let dir = tempfile::tempdir().unwrap();
        let rules_path = dir.path().join("rules.yml");
        std::fs::write(&rules_path, rules).unwrap();
        let mut config = format!(
            "global:\n  scrape_interval: 1s\n  evaluation_interval: 1s\nrule_files:\n  - {}\nscrape_configs:\n",
            rules_path.display()
        );
        for (job, addr) in targets {
            config.push_str(&format!(
                "  - job_name: {job}\n    static_configs:\n      - targets: ['{addr}']\n"
            ));
        }
        let config_path = dir.path().join("prometheus.yml");
        std::fs::write(&config_path, config).unwrap();
        let addr = format!("127.0.0.1:{}", free_port());
        let log = std::fs::File::create(dir.path().join("prometheus.log")).unwrap();
        let data: PathBuf = dir.path().join("data");
        let child = Command::new("prometheus")
            .arg(format!("--config.file={}", config_path.display()))
            .arg(format!("--storage.tsdb.path={}", data.display()))
            .arg(format!("--web.listen-address={addr}"))
            .stdin(Stdio::null())
            .stdout(log.try_clone().unwrap())
            .stderr(log)
            .spawn()
            .expect("start prometheus");
        let prom = Prometheus { child, addr, dir };
        let want = targets.len().to_string();
        super::wait_for("every target up", Duration::from_secs(60), || {
            let r = get(&prom.addr, "/api/v1/query?query=sum(up)")?;
            let v: Value = serde_json::from_str(&r.body).ok()?;
            (v["data"]["result"][0]["value"][1].as_str() == Some(want.as_str())).then_some(())
        });
        prom
    }
}

/// `(wcp-<name>, ops address)` of each named service of `p`, as scrape targets.
pub fn targets(p: &mut Pipeline, names: &[&str]) -> Vec<(String, String)> {
    names
        .iter()
        .map(|n| (format!("wcp-{n}"), p.service(n).ops_addr.clone()))
        .collect()
}

/// The alerts the Prometheus at `addr` reports, pending and firing, as their JSON objects
/// (`labels`, `state`, …).
pub fn alert_objects(addr: &str) -> Vec<Value> {
    let Some(r) = get(addr, "/api/v1/alerts").filter(|r| r.status == 200) else {
        return Vec::new();
    };
    let v: Value = serde_json::from_str(&r.body).unwrap_or(Value::Null);
    v["data"]["alerts"].as_array().cloned().unwrap_or_default()
}

/// The alerts the Prometheus at `addr` reports, pending and firing: (alertname, job, state).
pub fn alerts(addr: &str) -> Vec<(String, String, String)> {
    let s = |a: &Value, k: &str| a[k].as_str().unwrap_or("").to_string();
    alert_objects(addr)
        .iter()
        .map(|a| {
            (
                s(&a["labels"], "alertname"),
                s(&a["labels"], "job"),
                s(a, "state"),
            )
        })
        .collect()
}

/// Whether `alert` fires (for any labels).
pub fn firing(addr: &str, alert: &str) -> bool {
    alerts(addr)
        .iter()
        .any(|(n, _, s)| n == alert && s == "firing")
}

/// Whether `alert` fires with label `label` = `value`.
pub fn firing_with(addr: &str, alert: &str, label: &str, value: &str) -> bool {
    alert_objects(addr).iter().any(|a| {
        a["labels"]["alertname"] == alert && a["labels"][label] == value && a["state"] == "firing"
    })
}

impl Drop for Prometheus {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}
