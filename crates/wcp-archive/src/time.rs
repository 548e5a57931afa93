//! RFC 3339 / RFC 2822 formatting and RFC 3339 parsing over epoch milliseconds (UTC), so the
//! crate needs no date library (the civil-date arithmetic is `wcp_model::civil`).

use wcp_model::civil::{civil_from_days, days_from_civil, MS_PER_DAY};

struct Parts {
    y: i64,
    mo: u32,
    d: u32,
    h: i64,
    mi: i64,
    s: i64,
    ms: i64,
    weekday: usize,
}

fn parts(ms: i64) -> Parts {
    let days = ms.div_euclid(MS_PER_DAY);
    let rest = ms.rem_euclid(MS_PER_DAY);
    let (y, mo, d) = civil_from_days(days);
    Parts {
        y,
        mo,
        d,
        h: rest / 3_600_000,
        mi: rest / 60_000 % 60,
        s: rest / 1000 % 60,
        ms: rest % 1000,
        // 1970-01-01 was a Thursday.
        weekday: (days + 4).rem_euclid(7) as usize,
    }
}

/// `2026-11-27T00:31:11.000Z`
pub fn rfc3339(ms: i64) -> String {
    let p = parts(ms);
    format!(
        "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}.{:03}Z",
        p.y, p.mo, p.d, p.h, p.mi, p.s, p.ms
    )
}

/// `2026-11-27`: the UTC day, used to split exports into one file per day.
pub fn day(ms: i64) -> String {
    let p = parts(ms);
    format!("{:04}-{:02}-{:02}", p.y, p.mo, p.d)
}

/// `Fri, 27 Nov 2026 00:31:11 +0000` for e-mail `Date:` headers.
pub fn rfc2822(ms: i64) -> String {
    const DAYS: [&str; 7] = ["Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat"];
    const MONTHS: [&str; 12] = [
        "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
    ];
    let p = parts(ms);
    format!(
        "{}, {:02} {} {:04} {:02}:{:02}:{:02} +0000",
        DAYS[p.weekday],
        p.d,
        MONTHS[p.mo as usize - 1],
        p.y,
        p.h,
        p.mi,
        p.s
    )
}

/// Parses `YYYY-MM-DDTHH:MM:SS[.fff…](Z|±HH:MM)` (a space may replace `T`) to epoch ms.
pub fn parse_rfc3339(s: &str) -> Result<i64, String> {
    let bad = || format!("not an RFC 3339 time: {s:?}");
    let b = s.as_bytes();
    if b.len() < 20 || b[4] != b'-' || b[7] != b'-' || !matches!(b[10], b'T' | b't' | b' ') {
        return Err(bad());
    }
    let num = |r: std::ops::Range<usize>| -> Result<i64, String> {
        s.get(r).and_then(|x| x.parse::<i64>().ok()).ok_or_else(bad)
    };
    let (y, mo, d) = (num(0..4)?, num(5..7)?, num(8..10)?);
    let (h, mi, sec) = (num(11..13)?, num(14..16)?, num(17..19)?);
    if !(1..=12).contains(&mo) || !(1..=31).contains(&d) || h > 23 || mi > 59 || sec > 60 {
        return Err(bad());
    }
    let mut i = 19;
    let mut frac_ms = 0i64;
    if b.get(i) == Some(&b'.') {
        let start = i + 1;
        i = start;
        while i < b.len() && b[i].is_ascii_digit() {
            i += 1;
        }
        let digits = &s[start..i];
        if digits.is_empty() {
            return Err(bad());
        }
        let padded = format!("{:0<3}", &digits[..digits.len().min(3)]);
        frac_ms = padded.parse().map_err(|_| bad())?;
    }
    let offset_min = match &s[i..] {
        "Z" | "z" => 0,
        tz if tz.len() == 6 && (tz.starts_with('+') || tz.starts_with('-')) => {
            let sign = if tz.starts_with('-') { -1 } else { 1 };
            sign * (num(i + 1..i + 3)? * 60 + num(i + 4..i + 6)?)
        }
        _ => return Err(bad()),
    };
    let days = days_from_civil(y, mo as u32, d as u32);
    Ok(days * MS_PER_DAY + (h * 3600 + mi * 60 + sec - offset_min * 60) * 1000 + frac_ms)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn known_instants() {
        assert_eq!(rfc3339(0), "1970-01-01T00:00:00.000Z");
        assert_eq!(rfc3339(1_764_203_471_123), "2025-11-27T00:31:11.123Z");
        assert_eq!(
            rfc2822(1_764_203_471_123),
            "Thu, 27 Nov 2025 00:31:11 +0000"
        );
        assert_eq!(day(951_782_400_000), "2000-02-29");
    }

    #[test]
    fn parse_round_trips_and_offsets() {
        for ms in [0, 951_782_400_000, 1_764_203_471_123, -86_400_001] {
            assert_eq!(parse_rfc3339(&rfc3339(ms)), Ok(ms));
        }
        assert_eq!(
            parse_rfc3339("2025-11-27T08:31:11+08:00"),
            Ok(1_764_203_471_000)
        );
        assert!(parse_rfc3339("2025-13-01T00:00:00Z").is_err());
        assert!(parse_rfc3339("yesterday").is_err());
        assert!(parse_rfc3339("2025-11-27T08:31:11").is_err());
    }
}
