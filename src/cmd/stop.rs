//! What a long-running Kafka command (`wcp produce --synthetic … --rate …`, the load
//! generator) needs to end well: SIGINT and SIGTERM stop it so it can still flush and print
//! its summary (a trial's SIGINT was ignored: a shell's background job inherits SIGINT
//! ignored, and without a handler SIGTERM killed it with no summary), and a line when
//! deliveries start failing, at most one per [`EVERY`] (12 minutes of broker outage and
//! 9,769 failed deliveries logged nothing).

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

/// At most one "not delivered" line in this long.
pub const EVERY: Duration = Duration::from_secs(30);

/// Set (to the signal's name) once SIGINT or SIGTERM arrives; a second one ends the process
/// at once (exit 1), for whoever does not want to wait for the flush.
#[derive(Clone)]
pub struct Stop(Arc<AtomicBool>, Arc<std::sync::Mutex<&'static str>>);

impl Stop {
    /// Installs the handlers now (replacing an inherited "ignore"), served on a thread.
    pub fn on_signals() -> anyhow::Result<Stop> {
        use tokio::signal::unix::{signal, SignalKind};
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()?;
        let (mut term, mut int) = {
            let _in = rt.enter();
            (
                signal(SignalKind::terminate())?,
                signal(SignalKind::interrupt())?,
            )
        };
        let stop = Stop(Arc::default(), Arc::new(std::sync::Mutex::new("")));
        let s = stop.clone();
        std::thread::spawn(move || {
            rt.block_on(async {
                for n in 0.. {
                    let name = tokio::select! {
                        _ = term.recv() => "SIGTERM",
                        _ = int.recv() => "SIGINT",
                    };
                    if n > 0 {
                        eprintln!(
                            "wcp: {name} again: exiting without waiting for delivery reports"
                        );
                        std::process::exit(1);
                    }
                    if let Ok(mut w) = s.1.lock() {
                        *w = name;
                    }
                    s.0.store(true, Ordering::SeqCst);
                }
            });
        });
        Ok(stop)
    }

    pub fn requested(&self) -> bool {
        self.0.load(Ordering::SeqCst)
    }

    /// The signal that stopped it ("" before one).
    pub fn signal(&self) -> &'static str {
        self.1.lock().map(|s| *s).unwrap_or("")
    }
}

/// Says when deliveries fail: the first failure at once, then at most one line per
/// [`EVERY`] while more fail, each with the count so far. Pure: counts and time passed in.
#[derive(Default)]
pub struct FailureLog {
    reported: u64,
    last_line: Option<Instant>,
}

impl FailureLog {
    /// The line to print for `failed` failures so far at `now`, if one is due.
    pub fn due(&mut self, failed: u64, now: Instant) -> Option<u64> {
        if failed <= self.reported {
            return None;
        }
        if self
            .last_line
            .is_some_and(|t| now.saturating_duration_since(t) < EVERY)
        {
            return None;
        }
        self.reported = failed;
        self.last_line = Some(now);
        Some(failed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_first_failure_at_once_then_one_line_per_window_while_more_fail() {
        let t = Instant::now();
        let s = |n| t + Duration::from_secs(n);
        let mut log = FailureLog::default();
        assert_eq!(log.due(0, t), None);
        assert_eq!(log.due(3, s(1)), Some(3));
        assert_eq!(log.due(500, s(2)), None);
        assert_eq!(log.due(900, s(30)), None);
        assert_eq!(log.due(901, s(31)), Some(901));
        // No new failure: nothing to say, however long.
        assert_eq!(log.due(901, s(500)), None);
        assert_eq!(log.due(902, s(501)), Some(902));
    }
}
