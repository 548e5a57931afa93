//! Process scaffolding: config, logs, ops server, signals, and the loop thread with the
//! shutdown deadline. Each service's `main` is `App::start(..)` then `app.run(..)`.

use std::process::ExitCode;
use std::sync::mpsc;
use std::time::Duration;

use crate::config::Config;
use crate::error::RuntimeError;
use crate::metrics::Metrics;
use crate::shutdown::{self, RunCtx};
use crate::telemetry;

/// A started service process.
pub struct App {
    pub cfg: Config,
    pub ctx: RunCtx,
    rt: tokio::runtime::Runtime,
}

impl App {
    /// Loads the config (exit code 2 with every error listed when invalid), installs logs,
    /// signal handlers and the ops server.
    pub fn start(service: &str, extra_keys: &[&str]) -> Result<App, ExitCode> {
        if std::env::args().any(|a| a == "--help" || a == "-h") {
            println!("{}", usage(service, extra_keys));
            return Err(ExitCode::SUCCESS);
        }
        telemetry::init_logs();
        let cfg = match Config::load(service, extra_keys) {
            Ok(c) => c,
            Err(e) => {
                eprintln!("wcp-{service}: {e}");
                return Err(ExitCode::from(2));
            }
        };
        tracing::info!(config = ?cfg, "starting");
        let rt = tokio::runtime::Builder::new_multi_thread()
            .worker_threads(1)
            .enable_all()
            .build()
            .map_err(|e| {
                eprintln!("wcp-{service}: cannot start runtime: {e}");
                ExitCode::FAILURE
            })?;
        let ctx = RunCtx::new(Metrics::new(), cfg.shutdown_deadline_ms);
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
        Ok(App { cfg, ctx, rt })
    }

    /// Runs `body` on its own thread until it returns. After a shutdown request the body has
    /// `shutdown_deadline_ms` to finish; past that the process exits with failure.
    pub fn run<F>(self, body: F) -> ExitCode
    where
        F: FnOnce(&Config, &RunCtx) -> Result<(), RuntimeError> + Send + 'static,
    {
        let (tx, rx) = mpsc::channel();
        let cfg = self.cfg.clone();
        let ctx = self.ctx.clone();
        let worker = std::thread::Builder::new()
            .name("wcp-loop".into())
            .spawn(move || {
                let r = body(&cfg, &ctx);
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
        match result {
            Some(Ok(())) => ExitCode::SUCCESS,
            Some(Err(e)) => {
                tracing::error!(error = %e, class = e.class().label(), "stopped on error");
                ExitCode::FAILURE
            }
            None => {
                tracing::error!("loop thread panicked");
                ExitCode::FAILURE
            }
        }
    }
}

/// `--help` text: where settings come from and which keys exist.
fn usage(service: &str, extra_keys: &[&str]) -> String {
    let mut keys: Vec<&str> = crate::config::COMMON_KEYS.to_vec();
    keys.extend_from_slice(extra_keys);
    let list: Vec<String> = keys
        .iter()
        .map(|k| format!("  {k:<22} env WCP_{}", k.to_ascii_uppercase()))
        .collect();
    format!(
        "wcp-{service}: a wcp pipeline service (see docs/SERVICES.md, docs/DELIVERY.md)\n\n\
         Usage: wcp-{service} [--config FILE] [--<key> VALUE]...\n\n\
         Settings: defaults, then the TOML file (--config or WCP_CONFIG), then WCP_<KEY>\n\
         environment variables, then --<key> arguments. librdkafka properties (TLS, SASL):\n\
         a [kafka] table or WCP_KAFKA__<PROPERTY> (dots as underscores); secrets only from\n\
         the environment.\n\nKeys:\n{}\n\n\
         Example:\n  WCP_KAFKA_BOOTSTRAP=127.0.0.1:9092 wcp-{service} --ops-addr 127.0.0.1:9091",
        list.join("\n")
    )
}

/// A whole service `main`: start, then run `body`; the exit code to return.
pub fn main<F>(service: &str, extra_keys: &[&str], body: F) -> ExitCode
where
    F: FnOnce(&Config, &RunCtx) -> Result<(), RuntimeError> + Send + 'static,
{
    match App::start(service, extra_keys) {
        Ok(app) => app.run(body),
        Err(code) => code,
    }
}
