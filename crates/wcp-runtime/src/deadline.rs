//! A deadline for calls whose library ignores its own timeout.
//!
//! librdkafka's `send_offsets_to_transaction` can wait forever for a group coordinator that
//! went away with a broker restart (confluentinc/librdkafka#5456: the coordinator request's
//! timeout is never checked; #5511: a decommissioned broker stays cached as coordinator).
//! Seen here: a stage stuck in that call after a broker restart, silent, its partitions
//! stalled for good. The transaction loop starts the call with [`start`], processes the batch
//! meanwhile, collects it with [`Pending::wait`] and treats an overstay like a fatal producer
//! error: it replaces the producer, whose new `init_transactions` fences the stuck one and
//! aborts its transaction.

use std::sync::mpsc::{sync_channel, Receiver};
use std::time::{Duration, Instant};

/// A call running on a thread of its own (see [`start`]).
pub struct Pending<T> {
    rx: Receiver<T>,
    started: Instant,
}

/// Starts `f` on a thread of its own; the caller goes on with other work and collects the
/// result with [`Pending::wait`].
pub fn start<T: Send + 'static>(
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<Pending<T>> {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            // The receiver is gone when the caller stopped waiting: nothing to tell.
            let _ = tx.send(f());
        })?;
    Ok(Pending {
        rx,
        started: Instant::now(),
    })
}

impl<T> Pending<T> {
    /// Waits until `limit` after the start. `None`: it overstayed (or panicked). An
    /// overstaying thread is left behind holding what `f` captured until the call returns, if
    /// ever; callers bound how often that can happen (the loop gives up after
    /// `MAX_RECREATIONS` replacements without a commit).
    pub fn wait(self, limit: Duration) -> Option<T> {
        let left = limit.saturating_sub(self.started.elapsed());
        self.rx.recv_timeout(left).ok()
    }
}

/// Runs `f` on a thread of its own and waits up to `limit` for it (see [`Pending::wait`]).
pub fn call_within<T: Send + 'static>(
    limit: Duration,
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<Option<T>> {
    Ok(start(name, f)?.wait(limit))
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::time::Instant;

    #[test]
    fn a_call_in_time_returns_its_value() {
        let r = call_within(Duration::from_secs(5), "t", || 6 * 7).unwrap();
        assert_eq!(r, Some(42));
    }

    #[test]
    fn an_overstaying_call_is_left_behind() {
        let t = Instant::now();
        let r = call_within(Duration::from_millis(50), "t", || {
            std::thread::sleep(Duration::from_secs(3));
            1
        })
        .unwrap();
        assert_eq!(r, None);
        assert!(t.elapsed() < Duration::from_secs(2), "{:?}", t.elapsed());
    }

    #[test]
    fn work_done_meanwhile_counts_against_the_limit() {
        let p = start("t", || {
            std::thread::sleep(Duration::from_millis(300));
            1
        })
        .unwrap();
        std::thread::sleep(Duration::from_millis(200));
        let t = Instant::now();
        // 250 ms after the start: 50 ms left, the call needs 100 more.
        assert_eq!(p.wait(Duration::from_millis(250)), None);
        assert!(
            t.elapsed() < Duration::from_millis(200),
            "{:?}",
            t.elapsed()
        );
        // A call that finished while the caller was busy past the limit still counts.
        let p = start("t", || 2).unwrap();
        std::thread::sleep(Duration::from_millis(50));
        assert_eq!(p.wait(Duration::from_millis(10)), Some(2));
    }

    #[test]
    fn a_panicking_call_is_none() {
        let r: Option<()> = call_within(Duration::from_secs(5), "t", || panic!("boom")).unwrap();
        assert_eq!(r, None);
    }
}
