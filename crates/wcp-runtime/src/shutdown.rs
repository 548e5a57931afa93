//! Shutdown and readiness flags shared between the async side (signals, ops server) and the
//! blocking Kafka loop thread.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use crate::metrics::Metrics;

/// Process state visible to every part of a service.
#[derive(Clone)]
pub struct RunCtx {
    inner: Arc<Inner>,
    pub metrics: Metrics,
}

struct Inner {
    shutdown: AtomicBool,
    ready: AtomicBool,
    deadline_ms: u64,
    requested_at: std::sync::Mutex<Option<Instant>>,
    /// Why `/readyz` answers 503 (shown in its body).
    not_ready: std::sync::Mutex<String>,
    /// Not ready whatever the loop's polling says (see [`RunCtx::hold_not_ready`]).
    held: AtomicBool,
}

impl RunCtx {
    pub fn new(metrics: Metrics, shutdown_deadline_ms: u64) -> RunCtx {
        RunCtx {
            inner: Arc::new(Inner {
                shutdown: AtomicBool::new(false),
                ready: AtomicBool::new(false),
                deadline_ms: shutdown_deadline_ms,
                requested_at: std::sync::Mutex::new(None),
                not_ready: std::sync::Mutex::new("starting".into()),
                held: AtomicBool::new(false),
            }),
            metrics,
        }
    }

    /// Asks the loop to finish its batch and stop.
    pub fn request_shutdown(&self) {
        if let Ok(mut at) = self.inner.requested_at.lock() {
            at.get_or_insert_with(Instant::now);
        }
        self.inner.shutdown.store(true, Ordering::SeqCst);
        crate::lograte::stopping();
        self.set_not_ready("shutting down");
    }

    pub fn shutdown_requested(&self) -> bool {
        self.inner.shutdown.load(Ordering::SeqCst)
    }

    /// Time left before the shutdown deadline (the full deadline while running), used as the
    /// timeout of transactional calls so a stop never overruns it.
    pub fn time_left(&self) -> Duration {
        let full = Duration::from_millis(self.inner.deadline_ms);
        match self.inner.requested_at.lock().ok().and_then(|at| *at) {
            Some(at) => full.saturating_sub(at.elapsed()),
            None => full,
        }
    }

    pub fn deadline(&self) -> Duration {
        Duration::from_millis(self.inner.deadline_ms)
    }

    pub fn set_ready(&self, ready: bool) {
        if ready && self.inner.held.load(Ordering::SeqCst) {
            return;
        }
        if !ready && self.is_ready() {
            self.set_reason("stopped processing");
        }
        self.inner.ready.store(ready, Ordering::SeqCst);
        // The gauge says what /readyz says: the loop calls this at every poll while the
        // broker is down, and a scrape that gathered slowly (the review console's queue
        // gauges) saw 1 between the handler's refresh and the encoding (trial 15e D1:
        // `wcp_ready 1` mid-outage, so WcpServiceNotReady never fired for the console).
        self.metrics.ready.set(i64::from(self.is_ready()));
    }

    /// Not ready, and why (the `/readyz` body: an operator reads it in `kubectl describe`).
    pub fn set_not_ready(&self, reason: impl Into<String>) {
        self.set_reason(reason);
        self.inner.ready.store(false, Ordering::SeqCst);
        self.metrics.ready.set(0);
    }

    /// Not ready with `reason` until [`RunCtx::release_hold`], even while the loop keeps
    /// polling (which otherwise marks the service ready): for a failure on another thread,
    /// such as the archiver's SQLite writes being retried.
    pub fn hold_not_ready(&self, reason: impl Into<String>) {
        self.inner.held.store(true, Ordering::SeqCst);
        self.set_not_ready(reason);
    }

    /// Ends [`RunCtx::hold_not_ready`] and marks the service ready.
    pub fn release_hold(&self) {
        self.inner.held.store(false, Ordering::SeqCst);
        self.set_ready(true);
    }

    fn set_reason(&self, reason: impl Into<String>) {
        if let Ok(mut r) = self.inner.not_ready.lock() {
            *r = reason.into();
        }
    }

    /// Why the service is not ready (meaningless while it is).
    pub fn not_ready_reason(&self) -> String {
        if let Some(why) = self.metrics.brokers.down_reason(Instant::now()) {
            return why;
        }
        self.inner
            .not_ready
            .lock()
            .map(|r| r.clone())
            .unwrap_or_default()
    }

    /// Ready, and a Kafka broker up (a loop keeps polling while librdkafka retries a lost
    /// broker: it must not look ready then).
    pub fn is_ready(&self) -> bool {
        self.inner.ready.load(Ordering::SeqCst) && !self.metrics.brokers.is_down()
    }

    /// Sleeps up to `d`, waking early on shutdown; returns true when shutdown was requested.
    pub fn sleep(&self, d: Duration) -> bool {
        let end = Instant::now() + d;
        while Instant::now() < end {
            if self.shutdown_requested() {
                return true;
            }
            std::thread::sleep(Duration::from_millis(20).min(end - Instant::now()));
        }
        self.shutdown_requested()
    }
}

/// Waits for SIGTERM or SIGINT, then requests shutdown.
pub async fn wait_for_signal(ctx: RunCtx) {
    #[cfg(unix)]
    {
        use tokio::signal::unix::{signal, SignalKind};
        let mut term = match signal(SignalKind::terminate()) {
            Ok(s) => s,
            Err(e) => {
                tracing::error!(error = %e, "cannot install SIGTERM handler");
                return;
            }
        };
        // A file-size limit (ulimit -f, systemd LimitFSIZE) reached by a write raises
        // SIGXFSZ, whose default action kills the process. Handled (and held until the
        // shutdown), the write fails with EFBIG instead, which the archiver retries as a
        // full disk (issue 17 item 7, tests/e2e_faults.rs).
        let _file_size_limit = signal(SignalKind::from_raw(libc::SIGXFSZ));
        tokio::select! {
            _ = term.recv() => {}
            _ = tokio::signal::ctrl_c() => {}
        }
    }
    #[cfg(not(unix))]
    let _ = tokio::signal::ctrl_c().await;
    tracing::info!("shutdown requested");
    ctx.request_shutdown();
}

/// For a process without the services' signal task (the `wcp` CLI): a write past a
/// file-size limit (`ulimit -f`, systemd `LimitFSIZE`) fails with EFBIG, which the command
/// reports naming the file, instead of SIGXFSZ killing it mid-write with a half-made output
/// (exit 153, no message: seen with `ulimit -f 600; wcp run`, 8 Dec 2026). tokio's handler,
/// once installed, stays for the life of the process; the runtime is only needed to install it.
#[cfg(unix)]
pub fn file_size_limit_as_error() {
    use tokio::signal::unix::{signal, SignalKind};
    let Ok(rt) = tokio::runtime::Builder::new_current_thread()
        .enable_io()
        .build()
    else {
        return;
    };
    rt.block_on(async {
        if let Err(e) = signal(SignalKind::from_raw(libc::SIGXFSZ)) {
            eprintln!("warning: cannot handle SIGXFSZ ({e}): a file-size limit kills wcp");
        }
    });
}

/// The process's file-size limit in bytes (RLIMIT_FSIZE), `None` when unlimited: SQLite
/// reports a write past it only as "disk I/O error" (EFBIG is not one of the errors it names),
/// so the CLI asks whether a limit is set before it calls such an error the limit's.
#[cfg(unix)]
pub fn file_size_limit() -> Option<u64> {
    rustix::process::getrlimit(rustix::process::Resource::Fsize).current
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn deadline_counts_down_after_request() {
        let ctx = RunCtx::new(Metrics::new(), 1000);
        assert_eq!(ctx.time_left(), Duration::from_millis(1000));
        assert_eq!(ctx.not_ready_reason(), "starting");
        ctx.set_not_ready("connecting to Kafka at x:1");
        assert_eq!(ctx.not_ready_reason(), "connecting to Kafka at x:1");
        ctx.set_ready(true);
        assert!(ctx.is_ready());
        ctx.request_shutdown();
        assert!(ctx.shutdown_requested());
        assert!(ctx.sleep(Duration::from_secs(5)));
        assert!(ctx.time_left() <= Duration::from_millis(1000));
    }

    #[test]
    fn the_ready_gauge_stays_0_while_the_broker_is_down() {
        use crate::brokers::{BrokerView, Client};
        let ctx = RunCtx::new(Metrics::new(), 1000);
        ctx.set_ready(true);
        assert_eq!(ctx.metrics.ready.get(), 1);
        let down = BrokerView {
            up: 0,
            addrs: vec!["127.0.0.1:9092".into()],
        };
        ctx.metrics
            .brokers
            .observe(Client::Consumer, &down, std::time::Instant::now());
        ctx.set_ready(true); // the polling loop's call at every poll during the outage
        assert!(!ctx.is_ready());
        assert_eq!(ctx.metrics.ready.get(), 0, "the gauge follows /readyz");
    }

    #[test]
    fn a_hold_keeps_the_service_not_ready_until_released() {
        let ctx = RunCtx::new(Metrics::new(), 1000);
        ctx.set_ready(true);
        ctx.hold_not_ready("archive writes failing");
        ctx.set_ready(true); // the polling loop's call
        assert!(!ctx.is_ready());
        assert_eq!(ctx.not_ready_reason(), "archive writes failing");
        ctx.release_hold();
        assert!(ctx.is_ready());
    }
}
