//! Keeping a group's committed offsets level with a local store's positions (the archiver,
//! the review console: `local`). Their Kafka commit is for information only, but broker-side
//! lag (`wcp lag`, `wcp-lag-exporter`, Kafka Exporter) reads it: a commit lost in a broker
//! outage left the console's committed offset 9 behind a caught-up, idle console, and
//! `WcpConsumerLagHigh` fired (trial 15h D6). So a commit is not fire-and-forget: what Kafka
//! acknowledged is tracked, and whatever the store holds beyond it is committed again until
//! acknowledged, on the poll ticks of an idle consumer too. On every assignment the store's
//! positions of the assigned partitions are committed at once (the group's may be older:
//! another member's, or a commit lost before the rebalance).
//!
//! [`CommitSync`] is the pure bookkeeping (time passed in); `local` sends the commits.

use std::collections::BTreeSet;
use std::time::{Duration, Instant};

use crate::local::Positions;

/// How long an unacknowledged commit is left before it is sent again (an async commit can
/// fail unseen, or its answer come late).
pub const RETRY_AFTER: Duration = Duration::from_secs(5);

/// The store's positions of the assigned partitions against what Kafka acknowledged.
#[derive(Debug, Default, Clone)]
pub struct CommitSync {
    assigned: BTreeSet<(String, i32)>,
    /// The store's positions (assigned partitions only).
    want: Positions,
    /// The offsets Kafka acknowledged for this group since the assignment.
    acked: Positions,
    /// The last commit sent and when.
    sent: Option<(Positions, Instant)>,
}

impl CommitSync {
    /// Partitions assigned, each with the store's position (`None`: the store has none, the
    /// consumer starts from the beginning and nothing is committed for it yet). What Kafka
    /// holds for them is unknown from here on.
    pub fn assigned(&mut self, parts: impl IntoIterator<Item = ((String, i32), Option<i64>)>) {
        for (tp, stored) in parts {
            self.acked.remove(&tp);
            self.want.remove(&tp);
            if let Some(o) = stored {
                self.want.insert(tp.clone(), o);
            }
            self.assigned.insert(tp);
        }
        self.sent = None;
    }

    /// Every partition revoked: none is this member's to commit any more.
    pub fn revoked(&mut self) {
        *self = CommitSync::default();
    }

    /// The store now holds `positions` (a batch written); partitions not assigned to this
    /// member are left out (another member commits them).
    pub fn stored(&mut self, positions: &Positions) {
        for (tp, o) in positions {
            if self.assigned.contains(tp) {
                self.want.insert(tp.clone(), *o);
            }
        }
    }

    /// Kafka acknowledged these offsets.
    pub fn acknowledged(&mut self, offsets: &Positions) {
        for (tp, o) in offsets {
            if self.assigned.contains(tp) {
                self.acked.insert(tp.clone(), *o);
            }
        }
    }

    /// The offsets to commit at `now`, if any: the store's positions Kafka has not
    /// acknowledged, unless that very commit was sent less than [`RETRY_AFTER`] ago. Marks
    /// them sent.
    pub fn due(&mut self, now: Instant) -> Option<Positions> {
        let behind: Positions = self
            .want
            .iter()
            .filter(|(tp, o)| self.acked.get(*tp) != Some(*o))
            .map(|(tp, o)| (tp.clone(), *o))
            .collect();
        if behind.is_empty() {
            return None;
        }
        if let Some((last, at)) = &self.sent {
            if *last == behind && now.saturating_duration_since(*at) < RETRY_AFTER {
                return None;
            }
        }
        self.sent = Some((behind.clone(), now));
        Some(behind)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn pos(entries: &[(&str, i32, i64)]) -> Positions {
        entries
            .iter()
            .map(|(t, p, o)| ((t.to_string(), *p), *o))
            .collect()
    }

    fn tp(t: &str, p: i32) -> (String, i32) {
        (t.to_string(), p)
    }

    /// The trial's case: the console rejoins after an outage with its store at 1255, no new
    /// record comes; the store's position is committed at once, and again until Kafka says
    /// it has it.
    #[test]
    fn an_assignment_commits_the_stored_positions_until_acknowledged() {
        let t = Instant::now();
        let mut s = CommitSync::default();
        assert_eq!(s.due(t), None, "nothing assigned");
        s.assigned([(tp("alerts", 1), Some(1255)), (tp("alerts", 2), None)]);
        assert_eq!(s.due(t), Some(pos(&[("alerts", 1, 1255)])));
        // Sent, not answered yet: not again at once.
        assert_eq!(s.due(t + Duration::from_secs(1)), None);
        // Lost (the broker went away again): sent again.
        assert_eq!(s.due(t + RETRY_AFTER), Some(pos(&[("alerts", 1, 1255)])));
        s.acknowledged(&pos(&[("alerts", 1, 1255)]));
        assert_eq!(s.due(t + RETRY_AFTER * 3), None, "level: nothing to send");
    }

    #[test]
    fn each_batch_is_committed_at_once_and_an_older_acknowledgement_does_not_count() {
        let t = Instant::now();
        let mut s = CommitSync::default();
        s.assigned([(tp("a", 0), Some(10))]);
        assert_eq!(s.due(t), Some(pos(&[("a", 0, 10)])));
        s.stored(&pos(&[("a", 0, 20)]));
        // New positions go out at once, whatever was sent a moment ago.
        assert_eq!(s.due(t), Some(pos(&[("a", 0, 20)])));
        // The answer to the first commit arrives: 20 is still not acknowledged.
        s.acknowledged(&pos(&[("a", 0, 10)]));
        assert_eq!(s.due(t + RETRY_AFTER), Some(pos(&[("a", 0, 20)])));
        s.acknowledged(&pos(&[("a", 0, 20)]));
        assert_eq!(s.due(t + RETRY_AFTER * 2), None);
    }

    #[test]
    fn only_assigned_partitions_are_committed_and_a_reassignment_commits_again() {
        let t = Instant::now();
        let mut s = CommitSync::default();
        s.assigned([(tp("a", 0), Some(5))]);
        s.acknowledged(&pos(&[("a", 0, 5)]));
        // The archiver's store holds every partition it ever archived: only a/0 is this
        // member's.
        s.stored(&pos(&[("a", 0, 7), ("a", 1, 99)]));
        s.acknowledged(&pos(&[("a", 1, 99)]));
        assert_eq!(s.due(t), Some(pos(&[("a", 0, 7)])));
        s.acknowledged(&pos(&[("a", 0, 7)]));
        assert_eq!(s.due(t), None);
        // Revoked: nothing of it is committed any more, even a late store write.
        s.revoked();
        s.stored(&pos(&[("a", 0, 8)]));
        assert_eq!(s.due(t + RETRY_AFTER), None);
        // Assigned again at the same position: what the group holds now is unknown, so it
        // is committed again.
        s.assigned([(tp("a", 0), Some(8))]);
        assert_eq!(s.due(t + RETRY_AFTER), Some(pos(&[("a", 0, 8)])));
    }
}
