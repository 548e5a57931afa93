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
