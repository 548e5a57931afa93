//! Service processes: spawn with env config, kill -9, SIGTERM, restart; all killed on drop.

use std::fs::{File, OpenOptions};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use super::{bin_dir, ops, random_token, wait_for, wcp_bin};

/// Every service of the pipeline, in flow order.
pub const SERVICES: [&str; 7] = [
    "ingest",
    "classifier",
    "consent-gate",
    "retention-tagger",
    "archiver",
    "alerter",
    "anonymiser",
];

/// Panics unless every service binary in `names` and the `wcp` CLI are built: the tests
/// run the real binaries (`cargo build --workspace --bins`, or scripts/test.sh).
pub fn require_binaries(names: &[&str]) {
    for bin in names
        .iter()
        .map(|n| bin_dir().join(format!("wcp-{n}")))
        .chain([wcp_bin()])
    {
        assert!(
            bin.exists(),
            "{} is missing: build the binaries first (cargo build --workspace --bins)",
            bin.display()
        );
    }
}

pub use super::ports::free_port;

/// One service process with the env it was started with, so it can be restarted as is.
pub struct Service {
    pub name: String,
    pub ops_addr: String,
    env: Vec<(String, String)>,
    log: PathBuf,
    child: Option<Child>,
    pub starts: u32,
}

impl Service {
    fn spawn(&mut self) {
        let log = OpenOptions::new()
            .create(true)
            .append(true)
            .open(&self.log)
            .expect("open service log");
        let err = log.try_clone().expect("clone log handle");
        let bin = bin_dir().join(format!("wcp-{}", self.name));
        let mut cmd = Command::new(&bin);
        without_wcp_env(&mut cmd);
        let child = cmd
            .envs(self.env.iter().map(|(k, v)| (k.as_str(), v.as_str())))
            .stdin(Stdio::null())
            .stdout(Stdio::from(log))
            .stderr(Stdio::from(err))
            .spawn()
            .unwrap_or_else(|e| panic!("spawn {}: {e}", bin.display()));
        self.child = Some(child);
        self.starts += 1;
    }

    pub fn pid(&self) -> Option<u32> {
        self.child.as_ref().map(Child::id)
    }

    /// SIGKILL: no shutdown code runs, the open transaction is left to the broker to abort.
    pub fn kill9(&mut self) {
        if let Some(mut c) = self.child.take() {
            let _ = c.kill();
            let _ = c.wait();
        }
    }

    /// SIGTERM and wait up to `limit` for a clean exit; returns whether it exited with 0.
    pub fn terminate(&mut self, limit: Duration) -> bool {
        let Some(mut c) = self.child.take() else {
            return true;
        };
        let _ = Command::new("kill")
            .args(["-TERM", &c.id().to_string()])
            .status();
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Ok(Some(status)) = c.try_wait() {
                return status.success();
            }
            std::thread::sleep(Duration::from_millis(50));
        }
        let _ = c.kill();
        let _ = c.wait();
        false
    }

    pub fn restart(&mut self) {
        self.kill9();
        self.spawn();
    }

    /// Panics (with the log tail) when the process has exited on its own.
    pub fn assert_running(&mut self) {
        let exited = self
            .child
            .as_mut()
            .and_then(|c| c.try_wait().ok().flatten());
        if let Some(status) = exited {
            panic!(
                "wcp-{} exited unexpectedly ({status}); log tail:\n{}",
                self.name,
                tail(&self.log, 40)
            );
        }
    }

    pub fn wait_ready(&mut self, limit: Duration) {
        let addr = self.ops_addr.clone();
        let name = self.name.clone();
        wait_for(&format!("wcp-{name} /readyz"), limit, || {
            self.assert_running();
            (ops::get(&addr, "/readyz").map(|r| r.status) == Some(200)).then_some(())
        });
    }

    pub fn log_tail(&self, lines: usize) -> String {
        tail(&self.log, lines)
    }

    /// The whole log so far.
    pub fn log_text(&self) -> String {
        std::fs::read_to_string(&self.log).unwrap_or_default()
    }

    /// Waits up to `limit` for the process to exit on its own; its exit code, or `None`
    /// when it still runs (or was killed by a signal).
    pub fn wait_exit(&mut self, limit: Duration) -> Option<i32> {
        let start = Instant::now();
        while start.elapsed() < limit {
            if let Some(Ok(Some(status))) = self.child.as_mut().map(|c| c.try_wait()) {
                self.child = None;
                return status.code();
            }
            std::thread::sleep(Duration::from_millis(100));
        }
        None
    }
}

impl Drop for Service {
    fn drop(&mut self) {
        self.kill9();
    }
}

fn tail(path: &Path, lines: usize) -> String {
    let text = std::fs::read_to_string(path).unwrap_or_default();
    // Long lines (librdkafka statistics dumps) are cut: the tail is for a quick diagnosis.
    let all: Vec<String> = text
        .lines()
        .map(|l| l.chars().take(300).collect())
        .collect();
    all[all.len().saturating_sub(lines)..].join("\n")
}

/// One isolated pipeline: a random topic prefix, group ids and a temp dir for the archive
/// and the logs.
pub struct Pipeline {
    pub bootstrap: String,
    pub prefix: String,
    pub dir: tempfile::TempDir,
    pub services: Vec<Service>,
    /// Extra env given to every service (e.g. batch sizes).
    pub common_env: Vec<(String, String)>,
}

/// The anonymiser's tenant key in tests; `wcp run` gets the same one.
pub const ANON_KEY: &str = "e2e7e57e7e4a4e7c0123456789abcdef";

impl Pipeline {
    pub fn new(bootstrap: &str, test: &str) -> Pipeline {
        let prefix = format!("e2e-{test}-{}.", random_token());
        let dir = tempfile::Builder::new()
            .prefix(&format!("wcp-e2e-{test}-"))
            .tempdir()
            .expect("temp dir");
        std::fs::create_dir_all(dir.path().join("archive")).expect("archive dir");
        Pipeline {
            bootstrap: bootstrap.to_string(),
            prefix,
            dir,
            services: Vec::new(),
            common_env: Vec::new(),
        }
    }

    pub fn topic(&self, name: &str) -> String {
        format!("{}{name}", self.prefix)
    }

    pub fn archive_dir(&self) -> PathBuf {
        self.dir.path().join("archive")
    }

    /// Creates every topic with `wcp topics create`.
    pub fn create_topics(&self, partitions: u32) {
        let out = Command::new(wcp_bin())
            .args([
                "topics",
                "create",
                "--bootstrap",
                &self.bootstrap,
                "--prefix",
                &self.prefix,
            ])
            .args([
                "--partitions",
                &partitions.to_string(),
                "--replication-factor",
                "1",
            ])
            .output()
            .expect("run wcp topics create");
        assert!(
            out.status.success(),
            "wcp topics create failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Sends a file of raw WeCom JSON lines with `wcp produce --file`.
    pub fn produce_file(&self, file: &Path) {
        let out = Command::new(wcp_bin())
            .args([
                "produce",
                "--bootstrap",
                &self.bootstrap,
                "--prefix",
                &self.prefix,
                "--file",
            ])
            .arg(file)
            .output()
            .expect("run wcp produce");
        assert!(
            out.status.success(),
            "wcp produce failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }

    /// Starts one more process of service `name` with `env` over the pipeline's settings
    /// (a second instance, a misspelt variable, ...), logging to `<label>.log`; does not wait.
    pub fn spawn_extra(&mut self, name: &str, label: &str, env: &[(&str, &str)]) -> Service {
        let mut all = self.env_for(name);
        for (k, v) in env {
            all.retain(|(a, _)| a != k);
            all.push((k.to_string(), v.to_string()));
        }
        self.spawn_with(name, label, all)
    }

    fn spawn_with(&self, name: &str, label: &str, env: Vec<(String, String)>) -> Service {
        let mut svc = Service {
            name: name.to_string(),
            ops_addr: env
                .iter()
                .find(|(k, _)| k == "WCP_OPS_ADDR")
                .map(|(_, v)| v.clone())
                .expect("ops addr"),
            env,
            log: self.dir.path().join(format!("{label}.log")),
            child: None,
            starts: 0,
        };
        svc.spawn();
        svc
    }

    /// Starts `names` (each once) and waits until each answers `/readyz` with 200.
    pub fn start(&mut self, names: &[&str]) {
        for name in names {
            let svc = self.spawn_with(name, name, self.env_for(name));
            self.services.push(svc);
        }
        for name in names {
            self.service(name).wait_ready(Duration::from_secs(90));
        }
    }

    fn env_for(&self, name: &str) -> Vec<(String, String)> {
        // The topic prefix also prefixes the default group id (wcp-<name>).
        let mut env = vec![
            ("WCP_KAFKA_BOOTSTRAP".into(), self.bootstrap.clone()),
            ("WCP_TOPIC_PREFIX".into(), self.prefix.clone()),
            ("WCP_OPS_ADDR".into(), format!("127.0.0.1:{}", free_port())),
            ("RUST_LOG".into(), "info".into()),
        ];
        // The tenant key goes to the services that pseudonymise (the alerter names
        // conversations by pseudonyms): any other service refuses a WCP_* variable that is not
        // its own.
        if name == "archiver" || name == "anonymiser" || name == "alerter" {
            env.push(("WCP_ANON_KEY".into(), ANON_KEY.into()));
        }
        if name == "archiver" {
            env.push((
                "WCP_ARCHIVE_DIR".into(),
                self.archive_dir().display().to_string(),
            ));
        }
        env.extend(self.common_env.iter().cloned());
        env
    }

    pub fn service(&mut self, name: &str) -> &mut Service {
        self.services
            .iter_mut()
            .find(|s| s.name == name)
            .unwrap_or_else(|| panic!("service {name} not started"))
    }

    /// Panics with the log tail of any service that died on its own.
    pub fn assert_all_running(&mut self) {
        for s in &mut self.services {
            s.assert_running();
        }
    }

    pub fn log_file(&self, name: &str) -> File {
        File::open(self.dir.path().join(format!("{name}.log"))).expect("log file")
    }
}

impl Drop for Pipeline {
    fn drop(&mut self) {
        if std::thread::panicking() {
            eprintln!(
                "--- e2e failure: topic prefix {} dir {} ---",
                self.prefix,
                self.dir.path().display()
            );
            for s in &self.services {
                eprintln!(
                    "--- wcp-{} (started {}x) log tail ---\n{}",
                    s.name,
                    s.starts,
                    s.log_tail(25)
                );
            }
        }
        for s in &mut self.services {
            s.kill9();
        }
    }
}

/// Exactly the settings given: a service refuses WCP_* variables that are not its own, and
/// this process may have some (WCP_E2E_BIN_DIR from scripts/test.sh).
pub fn without_wcp_env(cmd: &mut Command) {
    for (k, _) in std::env::vars_os() {
        if k.to_string_lossy().starts_with("WCP_") {
            cmd.env_remove(k);
        }
    }
}
