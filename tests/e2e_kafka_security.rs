//! Kafka security end to end, against the SASL_SSL broker of `scripts/kafka.sh secure start`
//! (SCRAM-SHA-512 over TLS with the script's own CA, the StandardAuthorizer, ACLs from
//! ops/kafka/acls.txt — the table the k8s KafkaUser ACLs are checked against):
//! - a service with a wrong password stops at once with an error that names the cause
//!   (refused credentials) and the fix, and moves no data;
//! - a service whose principal has no ACL stops with an error that names the principal, the
//!   resource it was denied and the table to fix, and moves no data;
//! - the seven services, each with its own principal, run the pipeline over SASL_SSL: every
//!   event reaches the archive and `chat.anonymised`.
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
            "msgid": format!("sec-{i}"), "action": "send", "from": "zhangwei",
            "tolist": [if i % 2 == 0 { "lisi" } else { "wangfang" }], "roomid": "",
            "msgtime": t0 + i as i64 * 1_000, "msgtype": "text",
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
    s.wcp_admin(&[
        "produce",
        "--bootstrap",
        &s.bootstrap,
        "--prefix",
        &prefix,
        "--file",
        &file_arg,
    ]);

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
}

fn spawn(p: &mut Pipeline, name: &str, label: &str, env: &[(String, String)]) -> Service {
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (k.as_str(), v.as_str())).collect();
    p.spawn_extra(name, label, &env)
}
