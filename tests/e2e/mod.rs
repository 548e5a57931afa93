//! Shared harness of the end-to-end tests (`tests/e2e_*.rs`): every service runs as its own
//! process against a real Kafka broker named by `KAFKA_BOOTSTRAP` (`scripts/kafka.sh start`).
//!
//! Layout: `broker` runs a private scripts/kafka.sh broker (for a test that restarts it);
//! `procs` spawns, kills (-9), stops and restarts service processes and cleans them up
//! on drop; `kafka` creates topics, produces raw bytes and reads topics read_committed;
//! `outcome` gathers what a run produced (archive rows, alerts, anonymised events, dead
//! letters) from the services or from `wcp run`, and diffs two outcomes; `delivery` counts
//! what a run lost and duplicated against `wcp run` and verifies its archives; `ops` scrapes the
//! ops port; `prometheus` runs a real Prometheus with the alert rules. Each test isolates itself with a random topic prefix and group ids, so tests run
//! in parallel against one broker.
#![allow(dead_code)] // each test file uses a different part of the harness

pub mod broker;
pub mod delivery;
pub mod kafka;
pub mod ops;
pub mod outcome;
pub mod ports;
pub mod procs;
pub mod prometheus;

use std::path::{Path, PathBuf};
use std::time::{Duration, Instant};

/// The broker to test against, or `None` after printing a loud SKIPPED line.
pub fn bootstrap_or_skip(test: &str) -> Option<String> {
    match std::env::var("KAFKA_BOOTSTRAP") {
        Ok(b) if !b.trim().is_empty() => Some(b.trim().to_string()),
        _ => {
            eprintln!(
                "\n*** {test}: SKIPPED: KAFKA_BOOTSTRAP not set (run scripts/test.sh, or \
                 scripts/kafka.sh start and export KAFKA_BOOTSTRAP=$(scripts/kafka.sh bootstrap)) ***\n"
            );
            None
        }
    }
}

/// The repository root (the root package's manifest dir).
pub fn repo_root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// Where the service binaries are: `WCP_E2E_BIN_DIR` (e.g. `target/release` for the
/// exactly-once run) or next to the `wcp` binary cargo built for this test.
pub fn bin_dir() -> PathBuf {
    match std::env::var_os("WCP_E2E_BIN_DIR") {
        Some(d) => PathBuf::from(d),
        None => Path::new(env!("CARGO_BIN_EXE_wcp"))
            .parent()
            .expect("binary has a parent dir")
            .to_path_buf(),
    }
}

/// The `wcp` CLI next to the service binaries.
pub fn wcp_bin() -> PathBuf {
    let p = bin_dir().join("wcp");
    if p.exists() {
        p
    } else {
        PathBuf::from(env!("CARGO_BIN_EXE_wcp"))
    }
}

/// A short random token for topic prefixes and group ids (no `rand` dependency needed:
/// std's per-process random hash keys plus the clock).
pub fn random_token() -> String {
    format!("{:012x}", Rng::new().next() & 0xffff_ffff_ffff)
}

/// Small xorshift generator seeded from std's random hash keys, for kill timings.
pub struct Rng(u64);

impl Rng {
    pub fn new() -> Rng {
        use std::hash::{BuildHasher, Hasher};
        let mut h = std::collections::hash_map::RandomState::new().build_hasher();
        h.write_u128(
            std::time::SystemTime::now()
                .duration_since(std::time::UNIX_EPOCH)
                .unwrap_or_default()
                .as_nanos(),
        );
        Rng(h.finish() | 1)
    }

    pub fn next(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Uniform-ish in `lo..hi` (milliseconds for sleeps; bias is irrelevant here).
    pub fn range(&mut self, lo: u64, hi: u64) -> u64 {
        lo + self.next() % (hi - lo).max(1)
    }
}

/// Polls `check` every 200 ms until it returns `Some`, or panics with `what` after `limit`.
pub fn wait_for<T>(what: &str, limit: Duration, mut check: impl FnMut() -> Option<T>) -> T {
    let start = Instant::now();
    loop {
        if let Some(v) = check() {
            return v;
        }
        assert!(
            start.elapsed() < limit,
            "timed out after {limit:?} waiting for {what}"
        );
        std::thread::sleep(Duration::from_millis(200));
    }
}
