//! Recognising a re-sent message: a record whose msgid the ingest step already turned into an
//! event. The capture re-reads a range after a restart, an operator replays a file, the SDK
//! returns a message twice: the first copy went through the pipeline and is archived; a second
//! copy must not raise a second alert, a second `chat.anonymised` record or a second ledger
//! record. Both runners decide it here, through [`crate::ingest::IngestStep`].
//!
//! The window is bounded: it holds the `capacity` most recently seen msgids (oldest forgotten
//! first). Each is kept as 128 bits of its SHA-256 (a collision between two real msgids, which
//! would drop a message, is about 2^-88 likely in a full window of a million), once, in a ring
//! (oldest first); the lookup table holds only each one's position in the ring (32 bits) and
//! uses the fingerprint's own low bits as its hash. A full window of 1,000,000 costs about
//! 27 MB whatever the msgids' length (computed: a ring of 2^20 slots of 16 bytes plus a table
//! of 2^21 buckets of 5 bytes), where a set of the fingerprints beside the ring cost about 52.
//! A copy re-sent after `capacity` newer messages is not recognised here; the archive still
//! keeps one row per msgid (the archiver's and `wcp run`'s msgid check), so the archives agree
//! either way.
//!
//! Commit and abort like the other steps' state: msgids noted since the last commit are
//! forgotten by [`SeenMsgids::abort`], so a replayed batch decides the same way. Eviction
//! waits for the commit, so an abort never has to bring an evicted msgid back; between
//! commits the window holds at most `capacity` plus one batch.

use std::collections::VecDeque;

use hashbrown::HashTable;
use sha2::{Digest, Sha256};

#[derive(Debug, Clone)]
pub struct SeenMsgids {
    capacity: usize,
    /// Oldest first; the last `pending` entries were noted since the last commit.
    order: VecDeque<u128>,
    /// The position of `order[0]` counted from the first msgid ever noted (wrapping: the
    /// window never holds 2^32 msgids, so `position - front` is always its index in `order`).
    front: u32,
    /// The positions of the msgids in `order`, hashed by their fingerprints' low 64 bits
    /// (SHA-256 bits: already uniform).
    index: HashTable<u32>,
    pending: usize,
}

pub(crate) fn fingerprint(msgid: &str) -> u128 {
    let d = Sha256::digest(msgid.as_bytes());
    let mut b = [0u8; 16];
    b.copy_from_slice(&d[..16]);
    u128::from_le_bytes(b)
}

/// The table's hash of a fingerprint: its low 64 bits.
fn hash(f: u128) -> u64 {
    f as u64
}

impl SeenMsgids {
    /// A window of `capacity` msgids; 0 turns recognition off (every copy goes through).
    pub fn new(capacity: usize) -> SeenMsgids {
        SeenMsgids {
            capacity,
            order: VecDeque::new(),
            front: 0,
            index: HashTable::new(),
            pending: 0,
        }
    }

    fn contains(&self, f: u128) -> bool {
        let (order, front) = (&self.order, self.front);
        self.index
            .find(hash(f), |&p| order[p.wrapping_sub(front) as usize] == f)
            .is_some()
    }

    /// Appends `f` (not in the window) as the newest.
    fn push(&mut self, f: u128) {
        let position = self.front.wrapping_add(self.order.len() as u32);
        self.order.push_back(f);
        let (order, front) = (&self.order, self.front);
        self.index.insert_unique(hash(f), position, |&p| {
            hash(order[p.wrapping_sub(front) as usize])
        });
    }

    /// Forgets the oldest.
    fn pop_front(&mut self) {
        if let Some(f) = self.order.pop_front() {
            let front = self.front;
            if let Ok(e) = self.index.find_entry(hash(f), |&p| p == front) {
                e.remove();
            }
            self.front = self.front.wrapping_add(1);
        }
    }

    /// Forgets the newest.
    fn pop_back(&mut self) {
        let position = self
            .front
            .wrapping_add(self.order.len() as u32)
            .wrapping_sub(1);
        if let Some(f) = self.order.pop_back() {
            if let Ok(e) = self.index.find_entry(hash(f), |&p| p == position) {
                e.remove();
            }
        }
    }

    /// True when `msgid` is in the window (a re-sent copy); otherwise notes it (pending
    /// until the next commit) and returns false.
    pub fn seen_else_note(&mut self, msgid: &str) -> bool {
        if self.capacity == 0 {
            return false;
        }
        let f = fingerprint(msgid);
        if self.contains(f) {
            return true;
        }
        self.push(f);
        self.pending += 1;
        false
    }

    /// Notes `msgid` as already committed (start-up seeding from what was published before):
    /// the window stays within its capacity, the oldest forgotten first.
    /// Call it outside a batch (nothing pending), as a runner does at start.
    pub fn remember(&mut self, msgid: &str) {
        debug_assert_eq!(self.pending, 0, "remember() inside a batch");
        if self.capacity == 0 {
            return;
        }
        let f = fingerprint(msgid);
        if !self.contains(f) {
            self.push(f);
        }
        self.evict();
    }

    /// The batch's outputs were committed: keep what it noted, forget the oldest beyond the
    /// capacity.
    pub fn commit(&mut self) {
        self.pending = 0;
        self.evict();
    }

    /// The batch was aborted: forget what it noted.
    pub fn abort(&mut self) {
        for _ in 0..self.pending {
            self.pop_back();
        }
        self.pending = 0;
    }

    pub fn len(&self) -> usize {
        self.order.len()
    }

    pub fn is_empty(&self) -> bool {
        self.order.is_empty()
    }

    fn evict(&mut self) {
        while self.order.len() > self.capacity {
            self.pop_front();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_second_copy_is_seen_the_first_is_not() {
        let mut w = SeenMsgids::new(10);
        assert!(!w.seen_else_note("a"));
        assert!(w.seen_else_note("a"), "same batch");
        w.commit();
        assert!(w.seen_else_note("a"), "after the commit");
        assert!(!w.seen_else_note("b"));
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn bounded_and_oldest_forgotten_first() {
        let mut w = SeenMsgids::new(3);
        for m in ["m1", "m2", "m3", "m4"] {
            assert!(!w.seen_else_note(m));
        }
        // Eviction waits for the commit: an abort may still need every entry.
        assert_eq!(w.len(), 4);
        w.commit();
        assert_eq!(w.len(), 3);
        assert!(!w.seen_else_note("m1"), "m1 was the oldest: forgotten");
        w.commit();
        // m1 came back as the newest, so m2 went next.
        for (m, seen) in [("m3", true), ("m4", true), ("m1", true), ("m2", false)] {
            assert_eq!(w.seen_else_note(m), seen, "{m}");
        }
        w.commit();
        assert_eq!(w.len(), 3);
        // A lookup does not refresh: m4 is the oldest and goes first, seen just now or not.
        assert!(w.seen_else_note("m4"));
        w.seen_else_note("m5");
        w.commit();
        assert!(!w.seen_else_note("m4"));
    }

    #[test]
    fn abort_forgets_what_the_batch_noted_only() {
        let mut w = SeenMsgids::new(2);
        w.seen_else_note("a");
        w.seen_else_note("b");
        w.commit();
        w.seen_else_note("c");
        w.seen_else_note("d");
        assert!(w.seen_else_note("a"), "not evicted before the commit");
        w.abort();
        assert_eq!(w.len(), 2);
        for (m, seen) in [("a", true), ("b", true)] {
            assert_eq!(w.seen_else_note(m), seen, "{m}");
        }
        assert!(
            !w.seen_else_note("c"),
            "the aborted batch's msgid is unknown"
        );
        w.abort();
        assert!(!w.seen_else_note("c"));
    }

    #[test]
    fn seeding_is_bounded_and_committed() {
        let mut w = SeenMsgids::new(2);
        for m in ["s1", "s2", "s3"] {
            w.remember(m);
        }
        assert_eq!(w.len(), 2);
        w.abort();
        assert!(w.seen_else_note("s2") && w.seen_else_note("s3"));
        assert!(!w.seen_else_note("s1"));
        w.commit();
        w.remember("s3");
        w.commit();
        assert_eq!(w.len(), 2);
    }

    #[test]
    fn positions_wrap_around() {
        // As after 2^32 - 2 msgids went through: positions wrap past u32::MAX.
        let mut w = SeenMsgids::new(3);
        w.front = u32::MAX - 1;
        for m in ["a", "b", "c", "d", "e"] {
            assert!(!w.seen_else_note(m));
            w.commit();
        }
        for (m, seen) in [("c", true), ("d", true), ("e", true)] {
            assert_eq!(w.seen_else_note(m), seen, "{m}");
        }
        w.seen_else_note("f");
        w.abort();
        assert_eq!(w.len(), 3);
        assert!(!w.seen_else_note("a") && !w.seen_else_note("f"));
        w.commit();
        assert_eq!(w.len(), 3);
        assert!(w.seen_else_note("e") && w.seen_else_note("a") && w.seen_else_note("f"));
    }

    #[test]
    fn capacity_zero_recognises_nothing() {
        let mut w = SeenMsgids::new(0);
        w.remember("a");
        assert!(!w.seen_else_note("a"));
        assert!(!w.seen_else_note("a"));
        assert!(w.is_empty());
    }
}
