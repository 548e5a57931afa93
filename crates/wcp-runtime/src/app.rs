//! Process scaffolding: config, logs, ops server, signals, the start-up checks and the loop
//! thread with the shutdown deadline. Each service's `main` is [`main`] with its settings
//! type and its body.
//!
//! Exit codes (docs/OPERATIONS.md): 0 stopped on SIGTERM/SIGINT; 1 a fatal error at run time
//! (fenced, another instance with this id, Kafka unreachable or refusing the credentials,
//! archive lost, shutdown deadline exceeded); 2 invalid configuration (every problem listed).

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use crate::config::{Config, Settings, COMMON_KEYS, PROCESS_ENV};
use crate::error::RuntimeError;
use crate::metrics::Metrics;
use crate::shutdown::{self, RunCtx};
use crate::telemetry;

/// Configuration errors (also those found after start, e.g. an unreadable key file).
pub const EXIT_CONFIG: u8 = 2;

/// A started service process.
pub struct App<S: Settings> {
    pub cfg: Config,
    pub settings: S,
    pub ctx: RunCtx,
    rt: tokio::runtime::Runtime,
}

impl<S: Settings> App<S> {
    /// Loads the config (exit code 2 with every error listed when invalid), installs logs,
    /// signal handlers and the ops server.
    pub fn start(service: &str) -> Result<App<S>, ExitCode> {
        if std::env::args().any(|a| a == "--help" || a == "-h") {
            println!("{}", usage::<S>(service));
            return Err(ExitCode::SUCCESS);
        }
        // Before anything is created: archives, dead letters and logs are the owner's only.
        crate::private_files::owner_only();
        telemetry::init_logs();
        let (cfg, settings) = match Config::load::<S>(service) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("wcp-{service}: {e}\n(wcp-{service} --help lists the settings)");
                return Err(ExitCode::from(EXIT_CONFIG));
            }
        };
        tracing::info!(config = ?cfg, settings = ?settings, "starting");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| {
                eprintln!("wcp-{service}: cannot start runtime: {e}");
                ExitCode::FAILURE
            })?;
        let metrics = match service {
            "archiver" => Metrics::new(),
            _ => Metrics::new().without_archive(),
        };
        let ctx = RunCtx::new(metrics, cfg.shutdown_deadline_ms);
        let listener = rt
            .block_on(tokio::net::TcpListener::bind(cfg.ops_addr))
            .map_err(|e| {
                eprintln!("wcp-{service}: cannot bind ops_addr {}: {e}", cfg.ops_addr);
                ExitCode::FAILURE
            })?;
        let router = crate::ops::router(ctx.clone());
        rt.spawn(async move {
            if let Err(e) = axum::serve(listener, router).await {
                tracing::error!(error = %e, "ops server failed");
            }
        });
        rt.spawn(shutdown::wait_for_signal(ctx.clone()));
        Ok(App {
            cfg,
            settings,
            ctx,
            rt,
        })
    }

    /// Runs the start-up checks (`preflight`), then `body`, on a thread of their own until
    /// `body` returns. After a shutdown request the body has `shutdown_deadline_ms` to
    /// finish; past that the process exits with failure.
    pub fn run<F>(self, body: F) -> ExitCode
    where
        F: FnOnce(&Config, &S, &RunCtx) -> Result<(), RuntimeError> + Send + 'static,
    {
        // One message (the body's result): bounded like every queue.
        let (tx, rx) = mpsc::sync_channel(1);
        let cfg = self.cfg.clone();
        let settings = self.settings.clone();
        let ctx = self.ctx.clone();
        let worker = std::thread::Builder::new()
            .name("wcp-loop".into())
            .spawn(move || {
                let r = match crate::preflight::check(&cfg, &ctx) {
                    // SIGTERM while waiting for the broker: a clean stop, not a failure.
                    Err(_) if ctx.shutdown_requested() => Ok(()),
                    Err(e) => Err(e),
                    Ok(()) => body(&cfg, &settings, &ctx),
                }
                .map_err(|e| crate::authz::explain(e, &cfg));
                let _ = tx.send(r);
            });
        if let Err(e) = worker {
            eprintln!("cannot spawn loop thread: {e}");
            return ExitCode::FAILURE;
        }
        let result = loop {
            match rx.recv_timeout(Duration::from_millis(100)) {
                Ok(r) => break Some(r),
                Err(mpsc::RecvTimeoutError::Disconnected) => break None,
                Err(mpsc::RecvTimeoutError::Timeout) => {
                    if self.ctx.shutdown_requested() && self.ctx.time_left().is_zero() {
                        tracing::error!("shutdown deadline exceeded");
                        return ExitCode::FAILURE;
                    }
                }
            }
        };
        self.ctx.set_ready(false);
        self.rt.shutdown_timeout(Duration::from_millis(200));
        if let Some(Err(e)) = &result {
            if matches!(e, RuntimeError::Interrupted(_)) {
                tracing::info!("stopped cleanly ({e})");
            } else {
                tracing::error!(error = %e, class = e.class().label(), "stopped on error");
                // Also on stderr unformatted: the last line an operator sees in `kubectl logs`.
                eprintln!("wcp-{}: {e}", self.cfg.service);
            }
        }
        if result.is_none() {
            tracing::error!("loop thread panicked");
        }
        ExitCode::from(exit_status(result.as_ref()))
    }
}

/// The process's exit status for how the body ended (`None`: it panicked): 0 on a clean
/// stop, including a SIGTERM that interrupted a start-up read or an `init_transactions`
/// wait; `EXIT_CONFIG` for a configuration error; 1 for anything else (an orchestrator
/// restarts it).
fn exit_status(result: Option<&Result<(), RuntimeError>>) -> u8 {
    match result {
        Some(Ok(())) | Some(Err(RuntimeError::Interrupted(_))) => 0,
        Some(Err(RuntimeError::Config(_))) => EXIT_CONFIG,
        Some(Err(_)) | None => 1,
    }
}

/// `--help` text: where settings come from and which keys exist.
fn usage<S: Settings>(service: &str) -> String {
    let keys = COMMON_KEYS.iter().chain(S::KEYS);
    let list: Vec<String> = keys
        .map(|k| format!("  {k:<22} env WCP_{}", k.to_ascii_uppercase()))
        .collect();
    let mut env: Vec<&str> = PROCESS_ENV.to_vec();
    env.extend_from_slice(S::ENV);
    format!(
        "wcp-{service}: a wcp pipeline service (see docs/SERVICES.md, docs/DELIVERY.md)\n\n\
         Usage: wcp-{service} [--config FILE] [--<key> VALUE]...\n\n\
         Settings: defaults, then the TOML file (--config or WCP_CONFIG), then WCP_<KEY>\n\
         environment variables, then --<key> arguments. librdkafka properties (TLS, SASL):\n\
         a [kafka] table or WCP_KAFKA__<PROPERTY> (dots as underscores); secrets only from\n\
         the environment. Any other WCP_* variable is an error.\n\nKeys:\n{}\n\n\
         Other variables: {}\n\n\
         Exit codes: 0 stopped on SIGTERM, 1 fatal error, 2 invalid configuration.\n\n\
         Example:\n  WCP_KAFKA_BOOTSTRAP=127.0.0.1:9092 wcp-{service} --ops-addr 127.0.0.1:9091",
        list.join("\n"),
        env.join(", ")
    )
}

/// A whole service `main`: start, then run `body`; the exit code to return.
pub fn main<S, F>(service: &str, body: F) -> ExitCode
where
    S: Settings,
    F: FnOnce(&Config, &S, &RunCtx) -> Result<(), RuntimeError> + Send + 'static,
{
    match App::<S>::start(service) {
        Ok(app) => app.run(body),
        Err(code) => code,
    }
}

#[cfg(test)]
mod exit_tests {
    use super::*;

    #[test]
    fn a_shutdown_that_interrupts_work_is_a_clean_stop() {
        let interrupted = Err(RuntimeError::Interrupted(
            "shutdown while reading the cursor".into(),
        ));
        assert_eq!(exit_status(Some(&interrupted)), 0);
        assert_eq!(exit_status(Some(&Ok(()))), 0);
        let fatal = Err(RuntimeError::Fatal("fenced".into()));
        assert_eq!(exit_status(Some(&fatal)), 1);
        let config = Err(RuntimeError::Config(vec!["bad".into()]));
        assert_eq!(exit_status(Some(&config)), EXIT_CONFIG);
        assert_eq!(exit_status(None), 1);
    }
}
