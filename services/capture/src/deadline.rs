//! The deadline of one SDK call, counted in the parent's own watchdog ticks. A wall or
//! monotonic clock also runs while the parent itself is stopped (SIGSTOP, a VM pause, a host
//! stall): on resuming, every call in flight would look hung, and a healthy child would be
//! killed and counted as a `hang` restart (trial 19a D4). So the supervisor waits in short
//! ticks and reports how long each wait really took; a wait far longer than a tick means this
//! process was not scheduled, and says nothing about the child: the deadline starts again.
//! Pure logic: the supervisor measures, this decides.

use std::time::Duration;

/// How long the supervisor waits for an answer between two looks at the deadline.
pub const TICK: Duration = Duration::from_secs(1);
/// A wait this much longer than asked means the parent was not running meanwhile.
pub const SUSPEND_SLACK: Duration = Duration::from_secs(5);

#[derive(Debug, PartialEq, Eq)]
pub enum Verdict {
    /// Keep waiting, at most this long before reporting again.
    Wait(Duration),
    /// The parent was not scheduled for this long: the deadline was started again.
    Suspended(Duration),
    /// The call has run past its limit while the parent was watching: a hang.
    Hung,
}

#[derive(Debug)]
pub struct Deadline {
    limit: Duration,
    counted: Duration,
}

impl Deadline {
    pub fn new(limit: Duration) -> Deadline {
        Deadline {
            limit,
            counted: Duration::ZERO,
        }
    }

    /// How long to wait first.
    pub fn first_wait(&self) -> Duration {
        TICK.min(self.limit)
    }

    /// A wait for the answer timed out after `asked`, having really taken `took`.
    pub fn waited(&mut self, asked: Duration, took: Duration) -> Verdict {
        if took > asked + SUSPEND_SLACK {
            self.counted = Duration::ZERO;
            return Verdict::Suspended(took);
        }
        self.counted += took;
        if self.counted >= self.limit {
            return Verdict::Hung;
        }
        Verdict::Wait(TICK.min(self.limit - self.counted))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const S: fn(u64) -> Duration = Duration::from_secs;

    #[test]
    fn a_call_running_past_its_limit_is_a_hang() {
        let mut d = Deadline::new(S(3));
        assert_eq!(d.first_wait(), S(1));
        assert_eq!(d.waited(S(1), S(1)), Verdict::Wait(S(1)));
        assert_eq!(d.waited(S(1), S(1)), Verdict::Wait(S(1)));
        assert_eq!(d.waited(S(1), S(1)), Verdict::Hung);
    }

    #[test]
    fn a_slow_tick_counts_in_full() {
        // A loaded machine: the tick took 3 s instead of 1, which is still watching time.
        let mut d = Deadline::new(S(6));
        assert_eq!(d.waited(S(1), S(3)), Verdict::Wait(S(1)));
        assert_eq!(d.waited(S(1), S(3)), Verdict::Hung);
    }

    #[test]
    fn a_parent_stopped_for_longer_than_the_limit_does_not_call_the_child_hung() {
        // SIGSTOP for 43 s, SIGCONT (the trial): one tick took 43 s.
        let mut d = Deadline::new(S(6));
        assert_eq!(d.waited(S(1), S(1)), Verdict::Wait(S(1)));
        assert_eq!(d.waited(S(1), S(43)), Verdict::Suspended(S(43)));
        // The deadline starts again: the child gets its full limit once the parent watches.
        for _ in 0..5 {
            assert!(matches!(d.waited(S(1), S(1)), Verdict::Wait(_)));
        }
        assert_eq!(d.waited(S(1), S(1)), Verdict::Hung);
    }

    #[test]
    fn a_limit_below_a_tick_is_waited_exactly() {
        let ms = Duration::from_millis;
        let mut d = Deadline::new(ms(300));
        assert_eq!(d.first_wait(), ms(300));
        assert_eq!(d.waited(ms(300), ms(300)), Verdict::Hung);
    }
}
