//! A deadline for calls whose library ignores its own timeout.
//!
//! librdkafka's `send_offsets_to_transaction` can wait forever for a group coordinator that
//! went away with a broker restart (confluentinc/librdkafka#5456: the coordinator request's
//! timeout is never checked; #5511: a decommissioned broker stays cached as coordinator).
//! Seen here: a stage stuck in that call after a broker restart, silent, its partitions
//! stalled for good. The transaction loop runs the call through [`call_within`] and treats an
//! overstay like a fatal producer error: it replaces the producer, whose new
//! `init_transactions` fences the stuck one and aborts its transaction.

use std::sync::mpsc::sync_channel;
use std::time::Duration;

/// Runs `f` on a thread of its own and waits up to `limit` for it. `None`: it overstayed (or
/// panicked). An overstaying thread is left behind holding what `f` captured until the call
/// returns, if ever; callers bound how often that can happen (the loop gives up after
/// `MAX_RECREATIONS` replacements without a commit).
pub fn call_within<T: Send + 'static>(
    limit: Duration,
    name: &str,
    f: impl FnOnce() -> T + Send + 'static,
) -> std::io::Result<Option<T>> {
    let (tx, rx) = sync_channel(1);
    std::thread::Builder::new()
        .name(name.to_string())
        .spawn(move || {
            // The receiver is gone when the caller stopped waiting: nothing to tell.
            let _ = tx.send(f());
        })?;
    Ok(rx.recv_timeout(limit).ok())
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
    fn a_panicking_call_is_none() {
        let r: Option<()> = call_within(Duration::from_secs(5), "t", || panic!("boom")).unwrap();
        assert_eq!(r, None);
    }
}
