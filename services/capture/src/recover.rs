//! The recovery commands, one-shot runs of the capture's binary with its usual config and
//! environment: `wcp-capture redecrypt` (dead-lettered envelopes, after a key was installed)
//! and `wcp-capture refetch --from A --to B` (a seq range the live capture already passed).
//! Both write with a transactional producer of their own (`<prefix>wcp-capture-<corp>.recover`:
//! two runs fence each other; the live capture's id and cursor are untouched), and check what
//! `wecom.raw` and `chat.dlq` hold after fencing, so a run repeated, or killed and run again,
//! writes nothing twice.
//!
//! Exit codes: 0 done (the report says what was recovered and what still fails), 1 a
//! failure at run time (nothing half-written: a batch is one transaction), 2 a usage or
//! configuration error.

use std::process::ExitCode;
use std::time::Duration;

use wcp_runtime::reader::TopicReader;
use wcp_runtime::{Config, Metrics, OutRecord, RunCtx, RuntimeError};

use crate::keys::KeyRing;
use crate::metrics::CaptureMetrics;
use crate::records::{self, CURSOR_TOPIC, RAW_TOPIC};
use crate::seen::Seen;
use crate::settings::{CaptureKeys, Settings};
use crate::supervisor::{ChildSpec, Supervisor};
use crate::tx::{Tx, TxError};

pub const USAGE: &str = "wcp-capture redecrypt [--<config key> <value> ...]
    Decrypts the capture's dead letters in chat.dlq (this corp's) with the keys now
    installed and writes each message to wecom.raw once; reports recovered / still failing.
wcp-capture refetch --from <seq> --to <seq> [--<config key> <value> ...]
    Fetches the seqs FROM..TO again from the SDK into wecom.raw, skipping messages already
    there; the live cursor does not move. TO must not be past the committed cursor.
wcp-capture consent-import --input <file> [--<config key> <value> ...]
    Asks WeCom's check_single_agree / check_room_agree about each line of FILE
    (JSON: userid + external_userid, or roomid) and writes the answers to consent.ledger.
All read the capture's config (file, WCP_* env, --key flags; wcp-capture --help).";

/// How long a topic may take to be read to its end before the command gives up.
const CATCH_UP: Duration = Duration::from_secs(120);

/// Everything a recovery run uses.
pub struct Tool {
    pub cfg: Config,
    pub ctx: RunCtx,
    pub s: Settings,
    pub keys: KeyRing,
    pub sup: Supervisor,
    pub tx: Tx,
}

/// A failed run: a usage or configuration problem (exit 2) or a run-time failure (exit 1).
pub enum Failure {
    Usage(String),
    Run(String),
}

impl From<RuntimeError> for Failure {
    fn from(e: RuntimeError) -> Failure {
        match e {
            RuntimeError::Config(list) => Failure::Usage(list.join("\n")),
            e => Failure::Run(e.to_string()),
        }
    }
}

/// Runs `wcp-capture <sub> <args>`.
pub fn main(sub: &str, args: &[String]) -> ExitCode {
    if args.iter().any(|a| a == "--help" || a == "-h") {
        println!("{USAGE}");
        return ExitCode::SUCCESS;
    }
    wcp_runtime::telemetry::init_logs();
    let res = match sub {
        "redecrypt" => crate::redecrypt::run(args).map(|r| r.to_string()),
        "consent-import" => crate::consent_import::run(args),
        _ => crate::refetch::run(args).map(|r| r.to_string()),
    };
    match res {
        Ok(report) => {
            println!("{report}");
            ExitCode::SUCCESS
        }
        Err(Failure::Usage(msg)) => {
            eprintln!("wcp-capture {sub}: {msg}\n\n{USAGE}");
            ExitCode::from(wcp_runtime::app::EXIT_CONFIG)
        }
        Err(Failure::Run(msg)) => {
            eprintln!("wcp-capture {sub}: {msg}");
            ExitCode::FAILURE
        }
    }
}

impl Tool {
    /// Loads the capture's config from `args` and the environment, the keys, the SDK child,
    /// and the producer (which fences an earlier run still writing).
    pub fn start(args: &[String]) -> Result<Tool, Failure> {
        let env: Vec<(String, String)> = std::env::vars().collect();
        let (cfg, raw) = Config::from_sources::<CaptureKeys>("capture", args, &env)?;
        let s = Settings::resolve(&raw, &|k| std::env::var(k).ok())?;
        let keys = KeyRing::load(&s.key_dirs).map_err(|e| Failure::Usage(e.join("\n")))?;
        tracing::info!(versions = ?keys.versions(), "private keys loaded");
        let metrics = Metrics::new().without_archive();
        let m = CaptureMetrics::register(&metrics);
        let ctx = RunCtx::new(metrics, cfg.shutdown_deadline_ms);
        let spec = ChildSpec {
            role: "chat",
            exe: std::env::current_exe().map_err(|e| Failure::Run(e.to_string()))?,
            library: s.library.clone(),
            corp_id: s.corp_id.clone(),
            secret: s.secret.clone(),
        };
        let mut sup = Supervisor::new(spec, m);
        sup.start().map_err(|e| Failure::Run(e.to_string()))?;
        let tx = Tx::start(&cfg, &format!("{}.recover", s.corp_id), &ctx)?;
        Ok(Tool {
            cfg,
            ctx,
            s,
            keys,
            sup,
            tx,
        })
    }

    /// Reads `wecom.raw` and `chat.dlq` to their ends (committed data only).
    pub fn scan(&self) -> Result<Seen, Failure> {
        let mut seen = Seen::new(&self.s.corp_id);
        let mut raw = TopicReader::open(&self.cfg, RAW_TOPIC)?;
        let done = raw.catch_up(CATCH_UP, |r| {
            seen.note_raw(r.header_u64("seq"), r.header("corp_id"), r.payload())
        })?;
        let mut dlq = TopicReader::open(&self.cfg, wcp_runtime::codec::DLQ_TOPIC)?;
        let done = done && dlq.catch_up(CATCH_UP, |r| seen.note_dead_letter(r.payload()))?;
        if !done {
            return Err(Failure::Run(format!(
                "wecom.raw or chat.dlq could not be read to its end within {CATCH_UP:?} (a transaction held open?); nothing was written"
            )));
        }
        Ok(seen)
    }

    /// The live capture's committed cursor (0 when it never committed).
    pub fn cursor(&self) -> Result<u64, Failure> {
        let mut reader = TopicReader::open(&self.cfg, CURSOR_TOPIC)?;
        let mut last = 0;
        let corp = &self.s.corp_id;
        let done = reader.catch_up(CATCH_UP, |r| {
            if let Some(seq) = records::read_cursor(corp, r.key.as_deref(), r.payload()) {
                last = seq;
            }
        })?;
        if !done {
            return Err(Failure::Run(
                "capture.cursor could not be read to its end".into(),
            ));
        }
        Ok(last)
    }

    /// Writes `outs` in one transaction. A failed commit ends the run: its batch is not
    /// written, and a new run skips what earlier batches wrote.
    pub fn commit(&mut self, outs: &[OutRecord]) -> Result<(), Failure> {
        if outs.is_empty() {
            return Ok(());
        }
        match self.tx.commit(&self.ctx, outs) {
            Ok(()) => Ok(()),
            Err(TxError::Fenced) => Err(Failure::Run(
                "another recovery run of this corp took over (fenced); it continues the work"
                    .into(),
            )),
            Err(TxError::Retry) => Err(Failure::Run(
                "a transaction was aborted; run the command again (nothing is written twice)"
                    .into(),
            )),
            Err(TxError::Fatal(e)) => Err(Failure::Run(e.to_string())),
        }
    }

    /// The per-call deadline of the SDK child.
    pub fn call_limit(&self) -> Duration {
        self.s.call_limit(self.s.sdk_timeout_s)
    }
}

/// `reason: count` pairs, for the report.
pub fn counts(reasons: &std::collections::BTreeMap<String, usize>) -> String {
    if reasons.is_empty() {
        return "none".into();
    }
    let parts: Vec<String> = reasons.iter().map(|(r, n)| format!("{r}: {n}")).collect();
    parts.join(", ")
}
