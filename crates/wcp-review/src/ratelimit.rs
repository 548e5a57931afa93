//! Sign-in throttling: at most `max` failures per key (a user name, a client address) in a
//! sliding window. Pure: the caller passes the time.

use std::collections::{HashMap, VecDeque};

pub struct Limiter {
    max: usize,
    window_ms: i64,
    failures: HashMap<String, VecDeque<i64>>,
    /// Bounded memory: at most this many keys are tracked (oldest forgotten first).
    max_keys: usize,
}

impl Limiter {
    pub fn new(max: usize, window_ms: i64) -> Limiter {
        Limiter {
            max,
            window_ms,
            failures: HashMap::new(),
            max_keys: 100_000,
        }
    }

    fn prune(&mut self, key: &str, now_ms: i64) {
        if let Some(q) = self.failures.get_mut(key) {
            while q.front().is_some_and(|t| *t <= now_ms - self.window_ms) {
                q.pop_front();
            }
            if q.is_empty() {
                self.failures.remove(key);
            }
        }
    }

    /// True when another attempt for `key` is allowed now.
    pub fn allowed(&mut self, key: &str, now_ms: i64) -> bool {
        self.prune(key, now_ms);
        self.failures.get(key).is_none_or(|q| q.len() < self.max)
    }

    pub fn failed(&mut self, key: &str, now_ms: i64) {
        if self.failures.len() >= self.max_keys && !self.failures.contains_key(key) {
            let w = self.window_ms;
            self.failures
                .retain(|_, q| q.back().is_some_and(|t| *t > now_ms - w));
            if self.failures.len() >= self.max_keys {
                return;
            }
        }
        self.failures
            .entry(key.to_string())
            .or_default()
            .push_back(now_ms);
    }

    pub fn succeeded(&mut self, key: &str) {
        self.failures.remove(key);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn blocks_after_max_failures_until_the_window_passes() {
        let mut l = Limiter::new(3, 1000);
        for t in 0..3 {
            assert!(l.allowed("ann", t));
            l.failed("ann", t);
        }
        assert!(!l.allowed("ann", 10));
        assert!(l.allowed("bob", 10));
        assert!(!l.allowed("ann", 999));
        assert!(l.allowed("ann", 1001));
        l.failed("ann", 1001);
        l.succeeded("ann");
        assert!(l.allowed("ann", 1002));
    }
}
