//! One meaning of a date across wcp (trial 18 D2, D3): the CLI (`wcp archive search`,
//! `export`, `audit`) and the review console read `--from`/`--to` and their From/To fields
//! alike. A date `YYYY-MM-DD` is a local calendar day in the policy's zone
//! (`utc_offset_minutes`, UTC+08:00 by default): From starts at its local midnight, and To
//! takes in the whole day, up to the next local midnight, as a person reads "from 26 Nov to
//! 26 Nov". An RFC 3339 time is an instant: From includes it, To excludes it. Times are shown
//! in the same zone with the offset written out, so no reader has to guess which day a
//! message belongs to.

use wcp_model::civil::MS_PER_DAY;

use crate::time::{parse_rfc3339, rfc3339};

/// Which end of a range a value gives.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum End {
    /// Inclusive start.
    From,
    /// Exclusive end; a date is the end of that day.
    To,
}

/// A date (local, per `offset_min`) or RFC 3339 time as the epoch-ms bound of a range: the
/// range is `from <= t < to`.
pub fn bound(s: &str, offset_min: i32, end: End) -> Result<i64, String> {
    let s = s.trim();
    if s.len() == 10 {
        let midnight = parse_rfc3339(&format!("{s}T00:00:00Z"))
            .map_err(|_| format!("not a date: {s:?} (give YYYY-MM-DD)"))?
            - i64::from(offset_min) * 60_000;
        return Ok(match end {
            End::From => midnight,
            End::To => midnight + MS_PER_DAY,
        });
    }
    parse_rfc3339(s).map_err(|e| {
        format!("{e}: give a date (2025-11-24) or an RFC 3339 time (2025-11-24T09:30:00+08:00)")
    })
}

/// `UTC+08:00`: the zone's name as pages and tables show it.
pub fn zone(offset_min: i32) -> String {
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!("UTC{sign}{:02}:{:02}", a / 60, a % 60)
}

/// `2024-11-28 01:30:00 +08:00`: an instant in local time with its offset visible.
pub fn local(ms: i64, offset_min: i32) -> String {
    let t = rfc3339(ms + i64::from(offset_min) * 60_000);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!(
        "{} {} {sign}{:02}:{:02}",
        &t[..10],
        &t[11..19],
        a / 60,
        a % 60
    )
}

/// `+08:00` (`Z` for UTC, as wcp wrote before exports took a zone).
fn offset(offset_min: i32) -> String {
    if offset_min == 0 {
        return "Z".into();
    }
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!("{sign}{:02}:{:02}", a / 60, a % 60)
}

/// `2026-12-01T09:10:00.000+08:00`: RFC 3339 in the zone, for exports (RSMF timestamps,
/// EML transcripts), so they read as the console and the CLI show the same instant.
pub fn rfc3339_in(ms: i64, offset_min: i32) -> String {
    let t = rfc3339(ms + i64::from(offset_min) * 60_000);
    format!("{}{}", t.trim_end_matches('Z'), offset(offset_min))
}

/// `Tue, 01 Dec 2026 09:10:00 +0800`: an RFC 5322 `Date:` in the zone.
pub fn rfc2822_in(ms: i64, offset_min: i32) -> String {
    let t = crate::time::rfc2822(ms + i64::from(offset_min) * 60_000);
    let sign = if offset_min < 0 { '-' } else { '+' };
    let a = offset_min.unsigned_abs();
    format!(
        "{}{sign}{:02}{:02}",
        t.trim_end_matches("+0000"),
        a / 60,
        a % 60
    )
}

/// `2026-12-01`: the local day in the zone (an export's file per conversation per day).
pub fn day_in(ms: i64, offset_min: i32) -> String {
    crate::time::day(ms + i64::from(offset_min) * 60_000)
}

#[cfg(test)]
mod tests {
    use super::*;

    const MIDNIGHT_26_UTC: i64 = 1_732_579_200_000; // 2024-11-26T00:00:00Z
    const H: i64 = 3_600_000;

    #[test]
    fn a_date_is_a_whole_local_day_at_both_ends() {
        let from = bound("2024-11-26", 480, End::From).unwrap();
        let to = bound("2024-11-26", 480, End::To).unwrap();
        assert_eq!(from, MIDNIGHT_26_UTC - 8 * H, "local midnight, +08:00");
        assert_eq!(to - from, MS_PER_DAY, "From = To = one day, not none");
        // 2024-11-27T17:30Z is 01:30 on 28 Nov in Beijing: in 28 Nov, not in 27 Nov.
        let t = MIDNIGHT_26_UTC + MS_PER_DAY + 17 * H + 30 * 60_000;
        let day28 = (
            bound("2024-11-28", 480, End::From).unwrap(),
            bound("2024-11-28", 480, End::To).unwrap(),
        );
        assert!(day28.0 <= t && t < day28.1);
        assert!(t >= bound("2024-11-27", 480, End::To).unwrap());
        assert_eq!(bound("2024-11-26", 0, End::From), Ok(MIDNIGHT_26_UTC));
        assert_eq!(
            bound("2024-11-26", -300, End::To),
            Ok(MIDNIGHT_26_UTC + MS_PER_DAY + 5 * H)
        );
    }

    #[test]
    fn a_time_is_an_instant_and_bad_input_is_named() {
        for end in [End::From, End::To] {
            assert_eq!(
                bound("2024-11-26T09:30:00+08:00", 0, end),
                Ok(MIDNIGHT_26_UTC + 3 * H / 2)
            );
        }
        assert!(bound("2024-13-01", 480, End::From)
            .unwrap_err()
            .contains("not a date"));
        assert!(bound("yesterday", 480, End::To).is_err());
    }

    #[test]
    fn local_times_show_their_offset() {
        let t = MIDNIGHT_26_UTC + MS_PER_DAY + 17 * H + 30 * 60_000;
        assert_eq!(local(t, 480), "2024-11-28 01:30:00 +08:00");
        assert_eq!(local(t, 0), "2024-11-27 17:30:00 +00:00");
        assert_eq!(local(t, -330), "2024-11-27 12:00:00 -05:30");
        assert_eq!(zone(480), "UTC+08:00");
        // 2026-12-01T01:10Z, the trial's EML time: 09:10 in Beijing.
        let t = 1_796_087_400_000;
        assert_eq!(rfc3339_in(t, 480), "2026-12-01T09:10:00.000+08:00");
        assert_eq!(rfc3339_in(t, 0), "2026-12-01T01:10:00.000Z");
        assert_eq!(rfc3339_in(t, -330), "2026-11-30T19:40:00.000-05:30");
        assert_eq!(rfc2822_in(t, 480), "Tue, 01 Dec 2026 09:10:00 +0800");
        assert_eq!(rfc2822_in(t, 0), "Tue, 01 Dec 2026 01:10:00 +0000");
        assert_eq!(day_in(t - 2 * H, 480), "2026-12-01");
        assert_eq!(day_in(t - 2 * H, 0), "2026-11-30");
        assert_eq!(zone(-330), "UTC-05:30");
    }
}
