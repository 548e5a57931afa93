//! What the capture tests share: a stand-in SDK script (`crates/wecom-sdk-standin`), the
//! `wcp-capture` process (several instances per corp, kill -9, restart) and reading what it
//! wrote. Used with the `e2e` harness (broker, topics, the other services).
#![allow(dead_code)] // each test file uses a different part

use std::fs::OpenOptions;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use serde_json::{json, Value};

use super::e2e::procs::{free_port, without_wcp_env, Pipeline};
use super::e2e::{bin_dir, ops, repo_root, wait_for};

pub const CORP: &str = "ww-e2e-corp";
pub const SECRET: &str = "e2e-archive-secret";

/// The stand-in library next to the binaries (built by scripts/test.sh).
pub fn library() -> PathBuf {
    let p = bin_dir().join("libWeWorkFinanceSdk_C.so");
    assert!(
        p.exists(),
        "{} is missing: build it (cargo build --release -p wecom-sdk-standin, as scripts/test.sh does)",
        p.display()
    );
    p
}

pub fn key_file(name: &str) -> PathBuf {
    repo_root().join("fixtures/capture/keys").join(name)
}

/// A stand-in script under construction, and the directory it lives in.
pub struct StandIn {
    pub dir: PathBuf,
    pub script: Value,
}

impl StandIn {
    /// Serves `lines` (one message each, seq 1..) with keys `(from_seq, version)`; public
    /// keys `v<N>.pub.pem` (or `bulk-v1.pub.pem` for version 1 when `bulk`).
    pub fn new(dir: &Path, lines: &[Vec<u8>], key_versions: &[(u64, u32)], bulk: bool) -> StandIn {
        std::fs::create_dir_all(dir).expect("stand-in dir");
        let mut msgs = Vec::new();
        for l in lines {
            msgs.extend_from_slice(l);
            msgs.push(b'\n');
        }
        std::fs::write(dir.join("messages.jsonl"), msgs).expect("messages");
        let mut public = serde_json::Map::new();
        for (_, v) in key_versions {
            let f = if bulk {
                format!("bulk-v{v}.pub.pem")
            } else {
                format!("v{v}.pub.pem")
            };
            public.insert(v.to_string(), json!(key_file(&f)));
        }
        StandIn {
            dir: dir.to_path_buf(),
            script: json!({
                "corpid": CORP,
                "secret": SECRET,
                "public_keys": public,
                "messages": dir.join("messages.jsonl"),
                "key_versions": key_versions,
                "state_dir": dir.join("state"),
                "faults": [],
            }),
        }
    }

    pub fn fault(&mut self, f: Value) -> &mut StandIn {
        self.script["faults"]
            .as_array_mut()
            .expect("faults")
            .push(f);
        self
    }

    pub fn set(&mut self, key: &str, v: Value) -> &mut StandIn {
        self.script[key] = v;
        self
    }

    /// Writes the script; its path.
    pub fn write(&self) -> PathBuf {
        let p = self.dir.join("script.json");
        std::fs::write(&p, serde_json::to_vec_pretty(&self.script).expect("json")).expect("script");
        p
    }

    /// The stand-in's call log (`GetChatData SEQ LIMIT`, `fault N …`).
    pub fn calls(&self) -> String {
        std::fs::read_to_string(self.dir.join("state/calls.log")).unwrap_or_default()
    }
}

/// A directory with copies of the named private keys (as a Secret volume would hold them).
pub fn key_dir(dir: &Path, keys: &[(&str, &str)]) -> PathBuf {
    std::fs::create_dir_all(dir).expect("key dir");
    for (from, to) in keys {
        std::fs::copy(key_file(from), dir.join(to)).expect("copy key");
    }
    dir.to_path_buf()
}

/// One `wcp-capture` process.
pub struct Capture {
    pub name: String,
    pub ops_addr: String,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    pub starts: u32,
}

impl Capture {
    /// Configured for `CORP` on the broker and topics of `p`, its log in `p`'s directory;
    /// `extra` env on top.
    pub fn new(
        name: &str,
        p: &Pipeline,
        script: &Path,
        keys: &Path,
        extra: &[(&str, &str)],
    ) -> Capture {
        let (bootstrap, prefix, dir) = (&p.bootstrap, &p.prefix, p.dir.path());
        let ops_addr = format!("127.0.0.1:{}", free_port());
        let mut env: Vec<(String, String)> = vec![
            ("WCP_KAFKA_BOOTSTRAP", bootstrap.to_string()),
            ("WCP_TOPIC_PREFIX", prefix.to_string()),
            ("WCP_GROUP_ID", format!("{prefix}wcp-capture")),
            ("WCP_INSTANCE_ID", name.to_string()),
            ("WCP_OPS_ADDR", ops_addr.clone()),
            ("WCP_CORP_ID", CORP.to_string()),
            ("WCP_SDK_LIBRARY", library().display().to_string()),
            ("WCP_PRIVATE_KEYS_DIR", keys.display().to_string()),
            ("WCP_SDK_SECRET", SECRET.to_string()),
            ("WCP_POLL_INTERVAL_MS", "100".to_string()),
            ("WECOM_STANDIN_SCRIPT", script.display().to_string()),
            ("RUST_LOG", "info".to_string()),
        ]
        .into_iter()
        .map(|(k, v)| (k.to_string(), v))
        .collect();
        for (k, v) in extra {
            env.retain(|(ek, _)| ek != k);
            env.push((k.to_string(), v.to_string()));
        }
        Capture {
            name: name.to_string(),
            ops_addr,
            env,
            log: dir.join(format!("capture-{name}.log")),
            child: None,
            starts: 0,
        }
    }

    pub fn spawn(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("log");
        let err = log.try_clone().expect("log");
        let mut cmd = Command::new(bin_dir().join("wcp-capture"));
        without_wcp_env(&mut cmd);
        let child = cmd
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .expect("spawn wcp-capture");
        self.child = Some(child);
        self.starts += 1;
    }

    /// Runs `line` through `sh -c` with this instance's configuration (as an operator does
    /// in the capture's pod), `wcp-capture` first on PATH: success and stdout + stderr.
    pub fn sh(&self, line: &str) -> (bool, String) {
        let path = format!(
            "{}:{}",
            bin_dir().display(),
            std::env::var("PATH").unwrap_or_default()
        );
        let mut cmd = Command::new("sh");
        without_wcp_env(&mut cmd);
        let out = cmd
            .arg("-c")
            .arg(line)
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .env("PATH", path)
            .stdin(Stdio::null())
            .output()
            .expect("run sh");
        let text = format!(
            "{}{}",
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
        (out.status.success(), text)
    }

    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM, then waits for the exit; its exit code (None: still running after `limit`,
    /// then killed).
    pub fn terminate(&mut self, limit: Duration) -> Option<i32> {
        let pid = self.child.as_ref()?.id().to_string();
        let _ = Command::new("kill").args(["-TERM", &pid]).status();
        let c = self.child.as_mut()?;
        let start = std::time::Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(s)) = c.try_wait() {
                self.child = None;
                return Some(s.code().unwrap_or(-1));
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        self.kill9();
        None
    }

    /// The log lines at ERROR level.
    pub fn error_lines(&self) -> Vec<String> {
        self.log()
            .lines()
            .filter(|l| l.contains(" ERROR "))
            .map(str::to_string)
            .collect()
    }

    pub fn running(&mut self) -> bool {
        matches!(self.child.as_mut().map(|c| c.try_wait()), Some(Ok(None)))
    }

    /// Waits for the process to exit on its own; its exit code.
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let c = self.child.as_mut()?;
        let code = wait_for(&format!("wcp-capture {} to exit", self.name), limit, || {
            c.try_wait().ok().flatten().map(|s| s.code().unwrap_or(-1))
        });
        self.child = None;
        Some(code)
    }

    pub fn metrics(&self) -> String {
        ops::get(&self.ops_addr, "/metrics")
            .map(|r| r.body)
            .unwrap_or_default()
    }

    pub fn metric(&self, name: &str) -> f64 {
        ops::metric_sum(&self.metrics(), name).unwrap_or(0.0)
    }

    /// A metric's value for one label set (`name{labels}` as exposed).
    pub fn sample(&self, series: &str) -> f64 {
        self.metrics()
            .lines()
            .find(|l| l.starts_with(series) && l[series.len()..].starts_with(' '))
            .and_then(|l| l.rsplit(' ').next()?.parse().ok())
            .unwrap_or(0.0)
    }

    pub fn is_active(&self) -> bool {
        self.sample("wcp_capture_active") == 1.0
    }

    pub fn log(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    pub fn log_tail(&self, n: usize) -> String {
        let text = self.log();
        let lines: Vec<String> = text
            .lines()
            .map(|l| l.chars().take(300).collect())
            .collect();
        lines[lines.len().saturating_sub(n)..].join("\n")
    }
}

impl Drop for Capture {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- wcp-capture {} log tail ---\n{}",
                self.name,
                self.log_tail(30)
            );
        }
        self.kill9();
    }
}

/// A synthetic chat line with msgid `m<seq>` (unique; what the exactly-once count checks).
pub fn synthetic_line(seq: u64) -> Vec<u8> {
    format!(
        "{{\"msgid\":\"m{seq}\",\"action\":\"send\",\"from\":\"zhangwei\",\"tolist\":[\"wmE2eClient{}\"],\"roomid\":\"\",\"msgtime\":{},\"msgtype\":\"text\",\"text\":{{\"content\":\"报价 {seq} 已发送\"}}}}",
        seq % 17,
        1_764_000_000_000u64 + seq * 1000
    )
    .into_bytes()
}

/// The `seq` header of a record.
pub fn seq_of(r: &super::e2e::kafka::Record) -> Option<u64> {
    header(r, "seq")?.parse().ok()
}

pub fn header(r: &super::e2e::kafka::Record, name: &str) -> Option<String> {
    r.headers
        .iter()
        .find(|(k, _)| k == name)
        .map(|(_, v)| String::from_utf8_lossy(v).into_owned())
}

/// Creates `p`'s topics (`partitions` each) and waits until the capture's cursor topic is
/// visible, so a capture started next finds it.
pub fn create_topics(p: &Pipeline, partitions: u32) {
    p.create_topics(partitions);
    wait_topic(&p.bootstrap, &p.topic(wcp_model::topics::CAPTURE_CURSOR));
}

/// Waits until the broker's metadata shows `topic` with partitions (right after
/// `wcp topics create` it may not yet).
pub fn wait_topic(bootstrap: &str, topic: &str) {
    use rdkafka::consumer::{BaseConsumer, Consumer};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("metadata client");
    wait_for(&format!("topic {topic}"), Duration::from_secs(60), || {
        let md = c.fetch_metadata(Some(topic), Duration::from_secs(5)).ok()?;
        let t = md.topics().iter().find(|t| t.name() == topic)?;
        (t.error().is_none() && !t.partitions().is_empty()).then_some(())
    });
}
