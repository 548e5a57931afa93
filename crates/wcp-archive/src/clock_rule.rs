//! How far the machine's clock is trusted (trial 12a D14: under `faketime` one person expired
//! 30 messages under 20-year retention, and verify said OK). Expiry takes the machine's clock,
//! so the clock is checked against the newest signed checkpoint, whose time the archive
//! signed when it was written:
//! - a clock more than [`CLOCK_SLACK_MS`] behind it was set back (or the file came from a
//!   machine whose clock ran ahead): expiry refuses;
//! - a clock more than [`MAX_CLOCK_LEAD_MS`] ahead of it is unvouched for (nothing was written
//!   for that long, or the clock was set forward): the run needs a second approver's token,
//!   whatever its share, and the approver sees the lead.
//!
//! `verify` (`verify/clock.rs`) flags checkpoint times that go backwards and expiry runs whose
//! clock is later than a checkpoint signed after them.

use rusqlite::Connection;

use crate::error::ArchiveError;

/// Backward steps this small are a clock's ordinary corrections (NTP), not tampering.
pub const CLOCK_SLACK_MS: i64 = 5 * 60 * 1000;

/// A week: an archive written by the archiver has a checkpoint per batch, so a longer silence
/// is a clock set forward or an idle archive; either way a second person looks.
pub const MAX_CLOCK_LEAD_MS: i64 = 7 * 24 * 3600 * 1000;

/// The machine's clock against the archive's newest signed checkpoint.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ClockStanding {
    /// Within the rule (or nothing signed yet).
    Fine,
    /// Behind the newest checkpoint (its time, in ms) by more than the slack.
    Behind { checkpoint_ms: i64 },
    /// Ahead of the newest checkpoint (its time) by more than the lead.
    Ahead { checkpoint_ms: i64 },
}

pub fn judge(clock_ms: i64, newest_checkpoint_ms: Option<i64>) -> ClockStanding {
    match newest_checkpoint_ms {
        Some(c) if clock_ms + CLOCK_SLACK_MS < c => ClockStanding::Behind { checkpoint_ms: c },
        Some(c) if clock_ms - c > MAX_CLOCK_LEAD_MS => ClockStanding::Ahead { checkpoint_ms: c },
        _ => ClockStanding::Fine,
    }
}

/// The latest time any signed checkpoint carries (None: no checkpoint yet).
pub fn newest_checkpoint_ms(conn: &Connection) -> Result<Option<i64>, ArchiveError> {
    Ok(
        conn.query_row("SELECT MAX(signed_at_ms) FROM checkpoints", [], |r| {
            r.get(0)
        })?,
    )
}

/// A duration in words for a sentence: "3 days", "2 hours", "40 minutes".
pub fn span(ms: i64) -> String {
    let m = ms.abs() / 60_000;
    match m {
        m if m >= 2 * 24 * 60 => format!("{} days", m / (24 * 60)),
        m if m >= 120 => format!("{} hours", m / 60),
        m => format!("{m} minutes"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_clock_is_judged_against_the_newest_checkpoint() {
        let c = 1_800_000_000_000;
        assert_eq!(judge(c, None), ClockStanding::Fine);
        assert_eq!(judge(c - CLOCK_SLACK_MS, Some(c)), ClockStanding::Fine);
        assert_eq!(
            judge(c - CLOCK_SLACK_MS - 1, Some(c)),
            ClockStanding::Behind { checkpoint_ms: c }
        );
        assert_eq!(judge(c + MAX_CLOCK_LEAD_MS, Some(c)), ClockStanding::Fine);
        assert_eq!(
            judge(c + MAX_CLOCK_LEAD_MS + 1, Some(c)),
            ClockStanding::Ahead { checkpoint_ms: c }
        );
        assert_eq!(span(19 * 365 * 24 * 3600 * 1000), "6935 days");
        assert_eq!(span(3 * 3600 * 1000), "3 hours");
    }
}
