//! A private scripts/kafka.sh broker for a test that restarts its broker: its own home dir
//! (a temp dir; the jars are linked from the repo's cache), its own ports, stopped on drop.
//! Restarting the shared broker would break every other test running against it.

use std::path::PathBuf;
use std::process::Command;

pub struct PrivateBroker {
    home: tempfile::TempDir,
    pub bootstrap: String,
}

impl PrivateBroker {
    /// Starts one, or `None` when the jar cache of scripts/kafka.sh is absent (the tests then
    /// run against an outside broker and cannot restart it).
    pub fn start() -> Option<PrivateBroker> {
        let lib = super::repo_root().join(".cache/kafka/lib");
        // kafka.sh marks a complete download with a `.complete-*` stamp.
        let complete = std::fs::read_dir(&lib)
            .ok()?
            .flatten()
            .any(|e| e.file_name().to_string_lossy().starts_with(".complete-"));
        if !complete {
            return None;
        }
        let home = tempfile::tempdir().expect("broker home");
        std::os::unix::fs::symlink(&lib, home.path().join("lib")).expect("link jars");
        let mut b = PrivateBroker {
            home,
            bootstrap: String::new(),
        };
        b.bootstrap = b.script("start", None);
        Some(b)
    }

    /// Stops the broker, waits `down`, and starts it on the same port with the same log dir.
    pub fn restart(&self, down: std::time::Duration) {
        self.stop();
        std::thread::sleep(down);
        self.start_again();
    }

    /// Stops the broker (its data stays).
    pub fn stop(&self) {
        self.script("stop", None);
    }

    /// Starts the stopped broker on its old port with its old log dir.
    pub fn start_again(&self) {
        let port = self.bootstrap.rsplit(':').next().map(str::to_string);
        let again = self.script("start", port.as_deref());
        assert_eq!(again, self.bootstrap, "broker came back on another address");
    }

    fn script(&self, cmd: &str, port: Option<&str>) -> String {
        let mut c = Command::new(script_path());
        c.arg(cmd).env("KAFKA_HOME_DIR", self.home.path());
        if let Some(p) = port {
            c.env("KAFKA_PORT", p);
        }
        let out = c.output().expect("run scripts/kafka.sh");
        assert!(
            out.status.success(),
            "scripts/kafka.sh {cmd} failed: {}",
            String::from_utf8_lossy(&out.stderr)
        );
        String::from_utf8_lossy(&out.stdout)
            .lines()
            .last()
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

impl Drop for PrivateBroker {
    fn drop(&mut self) {
        let _ = Command::new(script_path())
            .arg("stop")
            .env("KAFKA_HOME_DIR", self.home.path())
            .output();
    }
}

fn script_path() -> PathBuf {
    super::repo_root().join("scripts/kafka.sh")
}
