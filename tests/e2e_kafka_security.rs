//! Kafka security end to end, against the SASL_SSL broker of `scripts/kafka.sh secure start`
//! (SCRAM-SHA-512 over TLS with the script's own CA, the StandardAuthorizer, ACLs from
//! ops/kafka/acls.txt — the table the k8s KafkaUser ACLs are checked against):
//! - a service with a wrong password stops at once with an error that names the cause
//!   (refused credentials) and the fix, and moves no data;
//! - a service whose principal has no ACL stops with an error that names the principal, the
//!   resource it was denied and the table to fix, and moves no data;
//! - the seven services, each with its own principal, run the pipeline over SASL_SSL: every
//!   event reaches the archive and `chat.anonymised`;
//! - restarted, ingest and the alerter rebuild their state from their own topics (the table
//!   grants them Read there; trial 17a D2: without it both came back empty, and every re-sent
//!   message went downstream twice): a re-sent file is recognised as duplicates;
//! - the lag exporter, with its own Describe-only principal, reports a stopped stage's lag
//!   in records and seconds, and its credential cannot read a record (trial 17a D3).
//!
//! Needs `KAFKA_SECURE_BOOTSTRAP` and `KAFKA_SECURE_DIR` (scripts/test.sh sets both from
//! `scripts/kafka.sh secure start` / `secure dir`); skipped loudly otherwise.
mod e2e;

use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::Duration;

use e2e::kafka::TopicReader;
use e2e::outcome::{counts, read_archive_dir};
use e2e::procs::{require_binaries, Pipeline, Service, SERVICES};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::TopicPartitionList;

const TEST: &str = "e2e_kafka_security";
const EVENTS: usize = 300;

struct Secure {
    bootstrap: String,
    dir: PathBuf,
}

impl Secure {
    fn from_env() -> Option<Secure> {
        let b = std::env::var("KAFKA_SECURE_BOOTSTRAP").unwrap_or_default();
        let d = std::env::var("KAFKA_SECURE_DIR").unwrap_or_default();
        if b.trim().is_empty() || d.trim().is_empty() {
            eprintln!(
                "\n*** {TEST}: SKIPPED: KAFKA_SECURE_BOOTSTRAP / KAFKA_SECURE_DIR not set (run \
                 scripts/test.sh, or scripts/kafka.sh secure start and export both from \
                 scripts/kafka.sh secure bootstrap / secure dir) ***\n"
            );
            return None;
        }
        Some(Secure {
            bootstrap: b.trim().to_string(),
            dir: PathBuf::from(d.trim()),
        })
    }

    fn password(&self, user: &str) -> String {
        let f = self.dir.join(format!("secrets/{user}.password"));
        std::fs::read_to_string(&f)
            .unwrap_or_else(|e| panic!("{}: {e}", f.display()))
            .trim()
            .to_string()
    }

    /// The `WCP_KAFKA__*` variables of a client that logs in as `user` with `password`.
    fn env(&self, user: &str, password: &str) -> Vec<(String, String)> {
        [
            ("SECURITY_PROTOCOL", "SASL_SSL".to_string()),
            ("SASL_MECHANISM", "SCRAM-SHA-512".to_string()),
            ("SASL_USERNAME", user.to_string()),
            ("SASL_PASSWORD", password.to_string()),
            (
                "SSL_CA_LOCATION",
                self.dir.join("tls/ca.pem").display().to_string(),
            ),
        ]
        .into_iter()
        .map(|(k, v)| (format!("WCP_KAFKA__{k}"), v))
        .collect()
    }

    /// The same settings as librdkafka properties, for the test's own clients (as admin).
    fn admin_props(&self) -> Vec<(String, String)> {
        self.env("admin", &self.password("admin"))
            .into_iter()
            .map(|(k, v)| {
                let prop = k["WCP_KAFKA__".len()..]
                    .to_ascii_lowercase()
                    .replace('_', ".");
                (prop, v)
            })
            .collect()
    }

    /// `wcp produce --file file` as admin into the topics of `prefix`.
    fn produce(&self, prefix: &str, file: &str) {
        let args = [
            "produce",
            "--bootstrap",
            &self.bootstrap,
            "--prefix",
            prefix,
        ];
        self.wcp_admin(&[&args[..], &["--file", file]].concat());
    }

    /// Runs `wcp <args>` as admin; panics with its stderr on failure.
    fn wcp_admin(&self, args: &[&str]) {
        let mut cmd = Command::new(e2e::wcp_bin());
        e2e::procs::without_wcp_env(&mut cmd);
        let out = cmd
            .args(args)
            .envs(self.env("admin", &self.password("admin")))
            .output()
            .expect("run wcp");
        assert!(
            out.status.success(),
            "wcp {args:?} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

fn input(path: &Path) {
    input_from(path, "sec", 0);
}

/// `EVENTS` lines with msgids `<id>-<i>`, times from `t0` + `from` s.
fn input_from(path: &Path, id: &str, from: i64) {
    let t0: i64 = 1_732_600_000_000;
    let texts = [
        "The settlement for order 4471 is scheduled for T+2.",
        "放心，这个肯定稳赚，年化8%保底",
        "明天上午十点开会讨论季度配置方案。",
        "我的手机号是13812345678",
    ];
    let mut out = String::new();
    for i in 0..EVENTS {
        let line = serde_json::json!({
            "msgid": format!("{id}-{i}"), "action": "send", "from": "zhangwei",
            "tolist": [if i % 2 == 0 { "lisi" } else { "wangfang" }], "roomid": "",
            "msgtime": t0 + (from + i as i64) * 1_000, "msgtype": "text",
            "text": {"content": texts[i % texts.len()]},
        });
        out.push_str(&line.to_string());
        out.push('\n');
    }
    std::fs::write(path, out).expect("write input");
}

/// The highest offset `group` committed on the two partitions of `topic` (negative: none).
fn committed(s: &Secure, group: &str, topic: &str) -> i64 {
    let mut config = ClientConfig::new();
    for (k, v) in s.admin_props() {
        config.set(k, v);
    }
    let c: BaseConsumer = config
        .set("bootstrap.servers", &s.bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("offset reader");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, 0);
    tpl.add_partition(topic, 1);
    let got = c
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    (0..2)
        .filter_map(|p| got.find_partition(topic, p)?.offset().to_raw())
        .max()
        .unwrap_or(-1)
}

/// Waits for `svc` to exit on its own; asserts a failure exit and returns its log.
fn stops_with_error(svc: &mut Service, why: &str) -> String {
    let code = svc.wait_exit(Duration::from_secs(90));
    let log = svc.log_text();
    assert!(
        matches!(code, Some(c) if c != 0),
        "{why}: wcp-{} did not stop with an error (exit {code:?}); log:\n{}",
        svc.name,
        svc.log_tail(30)
    );
    log
}

/// Nothing was written by ingest and its group committed nothing.
fn no_data_moved(s: &Secure, p: &Pipeline, after: &str) {
    for t in ["chat.events", "consent.ledger", "chat.dlq", "chat.alerts"] {
        let mut r = TopicReader::with_config(&s.bootstrap, &p.topic(t), &s.admin_props());
        r.drain(0, Duration::from_secs(20));
        assert_eq!(r.records.len(), 0, "{after}: {t} got records");
    }
    let at = committed(s, &format!("{}wcp-ingest", p.prefix), &p.topic("wecom.raw"));
    assert!(at < 0, "{after}: the ingest group committed offset {at}");
}

#[test]
fn pipeline_over_sasl_ssl_and_refusals() {
    let Some(s) = Secure::from_env() else {
        return;
    };
    require_binaries(&SERVICES);
    require_binaries(&["lag-exporter"]);
    let mut p = Pipeline::new(&s.bootstrap, "sec");
    // This test's topics, groups and transactional ids get the table's ACLs.
    let out = Command::new(e2e::repo_root().join("scripts/kafka.sh"))
        .args(["secure", "acls", &p.prefix])
        .env("KAFKA_HOME_DIR", &s.dir)
        .output()
        .expect("run scripts/kafka.sh secure acls");
    assert!(
        out.status.success(),
        "granting the ACLs failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    let prefix = p.prefix.clone();
    s.wcp_admin(&[
        "topics",
        "create",
        "--bootstrap",
        &s.bootstrap,
        "--prefix",
        &prefix,
        "--partitions",
        "2",
        "--replication-factor",
        "1",
    ]);
    let file = p.dir.path().join("input.jsonl");
    input(&file);
    let file_arg = file.display().to_string();
    s.produce(&prefix, &file_arg);

    // 1. A wrong password.
    let mut env = s.env("wcp-ingest", "not-the-password");
    let mut svc = spawn(&mut p, "ingest", "ingest-wrong-password", &env);
    let log = stops_with_error(&mut svc, "wrong password");
    assert!(
        log.contains("refused the credentials") && log.contains("WCP_KAFKA__SASL_PASSWORD"),
        "the wrong-password error names the cause and the fix; log:\n{}",
        svc.log_tail(20)
    );
    no_data_moved(&s, &p, "after the wrong password");

    // 2. A principal without an ACL (right password).
    env = s.env("wcp-no-acl", &s.password("wcp-no-acl"));
    let mut svc = spawn(&mut p, "ingest", "ingest-no-acl", &env);
    let log = stops_with_error(&mut svc, "no ACL");
    assert!(
        log.contains("not authorized")
            && log.contains("User:wcp-no-acl")
            && log.contains("ops/kafka/acls.txt"),
        "the missing-ACL error names the principal, the denial and the table; log:\n{}",
        svc.log_tail(20)
    );
    no_data_moved(&s, &p, "after the missing ACL");

    // 3. The whole pipeline, each service with its own principal.
    let mut started = Vec::new();
    for name in SERVICES {
        let user = format!("wcp-{name}");
        let env = s.env(&user, &s.password(&user));
        started.push(spawn(&mut p, name, name, &env));
    }
    p.services.extend(started);
    for name in SERVICES {
        p.service(name).wait_ready(Duration::from_secs(90));
    }
    let mut anonymised =
        TopicReader::with_config(&s.bootstrap, &p.topic("chat.anonymised"), &s.admin_props());
    assert!(
        anonymised.drain(EVENTS, Duration::from_secs(120)),
        "chat.anonymised got {} of {EVENTS} events over SASL_SSL",
        anonymised.records.len()
    );
    let archive = p.archive_dir();
    let rows = e2e::wait_for("every event archived", Duration::from_secs(120), || {
        let rows = read_archive_dir(&archive);
        (rows.len() >= EVENTS).then_some(rows)
    });
    let ids: Vec<String> = rows.iter().map(|r| r.msgid.clone()).collect();
    let c = counts(&ids);
    assert_eq!(c.len(), EVENTS, "distinct archived messages");
    assert!(c.values().all(|n| *n == 1), "an event archived twice");
    let mut alerts =
        TopicReader::with_config(&s.bootstrap, &p.topic("chat.alerts"), &s.admin_props());
    assert!(
        alerts.drain(1, Duration::from_secs(60)),
        "no alert over SASL_SSL (a quarter of the events are risky)"
    );
    // The RUNBOOK's first diagnosis, over SASL_SSL: `wcp lag` with the WCP_KAFKA__*
    // properties (it used to ignore them and could not reach a secured cluster).
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    let out = cmd
        .args(["lag", "--bootstrap", &s.bootstrap, "--prefix", &prefix])
        .envs(s.env("admin", &s.password("admin")))
        .output()
        .expect("run wcp lag");
    let table = String::from_utf8_lossy(&out.stdout);
    assert!(
        table.contains("wcp-ingest"),
        "wcp lag over SASL_SSL: {table}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    p.assert_all_running();

    restarts_rebuild_their_state(&s, &mut p, &file_arg);
    lag_exporter_describes_and_cannot_read(&s, &mut p);
    p.assert_all_running();
}

/// The number after `key=` on the log line holding `what`, in `log`.
fn logged_count(log: &str, what: &str, key: &str) -> Option<u64> {
    let line = log.lines().rev().find(|l| l.contains(what))?;
    let rest = &line[line.find(&format!("{key}="))? + key.len() + 1..];
    rest.chars()
        .take_while(char::is_ascii_digit)
        .collect::<String>()
        .parse()
        .ok()
}

/// Trial 17a D2: ingest and the alerter, restarted with their own principals, read their own
/// topics back (Read granted by the table); a denial would now stop them. A re-sent file
/// then produces nothing new.
fn restarts_rebuild_their_state(s: &Secure, p: &mut Pipeline, file_arg: &str) {
    for (name, what, key) in [
        ("ingest", "re-sent window seeded from chat.events", "msgids"),
        ("alerter", "recall state rebuilt from chat.alerts", "alerts"),
    ] {
        let svc = p.service(name);
        assert!(svc.terminate(Duration::from_secs(30)), "wcp-{name} stops");
        let before = svc.log_text().len();
        svc.restart();
        svc.wait_ready(Duration::from_secs(90));
        let log = svc.log_text()[before..].to_string();
        let n = logged_count(&log, what, key);
        assert!(
            n.is_some_and(|n| n > 0),
            "restarted wcp-{name} rebuilt nothing from its own topic ({key}={n:?}); log:\n{}",
            svc.log_tail(30)
        );
    }
    s.produce(&p.prefix, file_arg);
    let addr = p.service("ingest").ops_addr.clone();
    e2e::wait_for(
        "the re-sent file counted as duplicates",
        Duration::from_secs(120),
        || {
            let body = e2e::ops::get(&addr, "/metrics")?.body;
            let n = e2e::ops::metric_sum(&body, "wcp_duplicate_messages_total")?;
            (n >= EVENTS as f64).then_some(())
        },
    );
    let mut events =
        TopicReader::with_config(&s.bootstrap, &p.topic("chat.events"), &s.admin_props());
    events.drain(EVENTS + 1, Duration::from_secs(10));
    assert_eq!(
        events.records.len(),
        EVENTS,
        "chat.events after the re-send"
    );
}

/// `metric{group="<group>",partition=..,topic="<topic>"}`: the largest value over partitions.
fn max_sample(text: &str, metric: &str, group: &str, topic: &str) -> Option<f64> {
    let (g, t) = (format!("group=\"{group}\""), format!("topic=\"{topic}\""));
    text.lines()
        .filter(|l| l.starts_with(&format!("{metric}{{")) && l.contains(&g) && l.contains(&t))
        .filter_map(|l| l.rsplit_once(' ')?.1.trim().parse::<f64>().ok())
        .reduce(f64::max)
}

/// Trial 17a D3: the lag exporter's principal may Describe, not Read. It still measures a
/// stopped stage's lag in records and seconds (offsets by time, no record read), and a read
/// of a topic with its credential is refused.
fn lag_exporter_describes_and_cannot_read(s: &Secure, p: &mut Pipeline) {
    let user = "wcp-lag-exporter";
    let mut env = s.env(user, &s.password(user));
    env.push(("WCP_LAG_INTERVAL_S".into(), "1".into()));
    let mut exporter = spawn(p, "lag-exporter", "lag-exporter", &env);
    exporter.wait_ready(Duration::from_secs(60));
    let addr = exporter.ops_addr.clone();
    p.services.push(exporter);
    assert!(p.service("anonymiser").terminate(Duration::from_secs(30)));
    let more = p.dir.path().join("more.jsonl");
    input_from(&more, "sec-more", EVENTS as i64);
    let more_arg = more.display().to_string();
    let prefix = p.prefix.clone();
    s.produce(&prefix, &more_arg);
    let (group, topic) = (format!("{prefix}wcp-anonymiser"), p.topic("chat.tagged"));
    let (records, first) = e2e::wait_for(
        "the stopped anonymiser's lag",
        Duration::from_secs(120),
        || {
            let body = e2e::ops::get(&addr, "/metrics")?.body;
            let n = max_sample(&body, "wcp_consumergroup_lag", &group, &topic)?;
            let secs = max_sample(&body, "wcp_consumergroup_lag_seconds", &group, &topic)?;
            (n >= 2.0 && secs > 0.0).then_some((n, secs))
        },
    );
    e2e::wait_for("the waiting record ages", Duration::from_secs(30), || {
        let body = e2e::ops::get(&addr, "/metrics")?.body;
        let secs = max_sample(&body, "wcp_consumergroup_lag_seconds", &group, &topic)?;
        (secs >= first + 2.0).then_some(())
    });
    assert!(records >= 2.0);
    p.service("anonymiser").restart();
    // Its credential reads no record.
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    let out = cmd
        .args(["tail", "--bootstrap", &s.bootstrap, "--prefix", &prefix])
        .args(["chat.events", "--from-beginning", "--json", "--max", "1"])
        .args(["--exit-when-idle", "10"])
        .envs(s.env(user, &s.password(user)))
        .output()
        .expect("run wcp tail");
    let stdout = String::from_utf8_lossy(&out.stdout);
    assert!(
        !out.status.success() && !stdout.contains("sec-"),
        "the lag exporter's credential read chat.events (exit {:?}): {stdout}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

fn spawn(p: &mut Pipeline, name: &str, label: &str, env: &[(String, String)]) -> Service {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    p.spawn_extra(name, label, &env)
}

/// A CA of the test's own, which did not sign the broker's certificate.
fn other_ca(dir: &Path) -> PathBuf {
    let (key, pem) = (dir.join("other-ca.key"), dir.join("other-ca.pem"));
    let out = Command::new("openssl")
        .args([
            "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2",
        ])
        .args(["-subj", "/CN=not the broker's CA", "-keyout"])
        .arg(&key)
        .arg("-out")
        .arg(&pem)
        .output()
        .expect("run openssl (secure mode needs it)");
    assert!(
        out.status.success(),
        "openssl: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    pem
}

/// Trial 17a D14: a service trusting another CA than the one that signed the broker's
/// certificate retried for ever. It stops (exit 1) naming the CA file, the broker and the
/// fix, as for a wrong password; and a client whose security.protocol does not match the
/// listener is told the mismatch (D5 and its reverse), not "check that the broker is up".
#[test]
fn an_untrusted_ca_stops_and_protocol_mismatches_are_named() {
    let Some(s) = Secure::from_env() else {
        return;
    };
    require_binaries(&["ingest"]);
    let mut p = Pipeline::new(&s.bootstrap, "sec-ca");
    let ca = other_ca(p.dir.path());
    let ca_text = ca.display().to_string();
    let mut env = s.env("wcp-ingest", &s.password("wcp-ingest"));
    env.retain(|(k, _)| k != "WCP_KAFKA__SSL_CA_LOCATION");
    env.push(("WCP_KAFKA__SSL_CA_LOCATION".into(), ca_text.clone()));
    let mut svc = spawn(&mut p, "ingest", "ingest-untrusted-ca", &env);
    // Well before the start-up's 60 s patience for an unreachable broker runs out.
    let code = svc.wait_exit(Duration::from_secs(30));
    assert_eq!(
        code,
        Some(1),
        "an untrusted CA: wcp-ingest did not stop with exit 1; log:\n{}",
        svc.log_tail(20)
    );
    let log = svc.log_text();
    assert!(
        log.contains("does not trust")
            && log.contains(&ca_text)
            && log.contains(&format!("Kafka at {}", s.bootstrap))
            && log.contains("WCP_KAFKA__SSL_CA_LOCATION"),
        "the untrusted-CA error names the CA file, the broker and the fix; log:\n{}",
        svc.log_tail(20)
    );

    // The CLI says the same (`wcp lag` read "OperationTimedOut" without the cause).
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    let out = cmd
        .args(["lag", "--bootstrap", &s.bootstrap])
        .envs(env.iter().cloned())
        .output()
        .expect("run wcp lag");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("does not trust") && err.contains(&ca_text),
        "wcp lag with an untrusted CA: {err}"
    );

    // The CLI over the SASL_SSL listener with a protocol that does not match it.
    let wcp = |protocol: &str, bootstrap: &str| {
        let mut cmd = Command::new(e2e::wcp_bin());
        e2e::procs::without_wcp_env(&mut cmd);
        let mut env = s.env("admin", &s.password("admin"));
        env.retain(|(k, _)| {
            k != "WCP_KAFKA__SECURITY_PROTOCOL"
                && (protocol.starts_with("SASL") || !k.starts_with("WCP_KAFKA__SASL"))
                && (protocol.ends_with("SSL") || k != "WCP_KAFKA__SSL_CA_LOCATION")
        });
        env.push(("WCP_KAFKA__SECURITY_PROTOCOL".into(), protocol.into()));
        let out = cmd
            .args(["topics", "create", "--bootstrap", bootstrap])
            .args(["--prefix", &p.prefix])
            .envs(env)
            .output()
            .expect("run wcp topics create");
        assert_eq!(out.status.code(), Some(2), "{protocol} at {bootstrap}");
        String::from_utf8_lossy(&out.stderr).to_string()
    };
    let e = wcp("SASL_PLAINTEXT", &s.bootstrap);
    assert!(
        e.contains(&format!(
            "{} closed the connection at Kafka's first request",
            s.bootstrap
        )) && e.contains("WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL"),
        "SASL_PLAINTEXT at SASL_SSL: {e}"
    );
    let e = wcp("SSL", &s.bootstrap);
    assert!(
        e.contains("as a SASL_SSL listener does to a client that does not sign in"),
        "SSL at SASL_SSL: {e}"
    );
    // A TLS client at a PLAINTEXT listener: the ordinary test broker, when there is one.
    match std::env::var("KAFKA_BOOTSTRAP") {
        Ok(plain) if !plain.trim().is_empty() => {
            let e = wcp("SASL_SSL", plain.trim());
            assert!(
                e.contains("closed the connection during the TLS handshake")
                    && e.contains("WCP_KAFKA__SECURITY_PROTOCOL=PLAINTEXT")
                    && !e.contains("that the broker is up"),
                "SASL_SSL at PLAINTEXT: {e}"
            );
        }
        _ => eprintln!("{TEST}: KAFKA_BOOTSTRAP not set: the TLS-at-PLAINTEXT case is skipped"),
    }
}
