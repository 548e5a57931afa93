//! Calendar arithmetic on epoch milliseconds (UTC), without a clock or a time-zone database:
//! the one copy the stages (retention dates, working hours) and the archive (RFC 3339 / 2822
//! formatting) share. Days-from-civil and civil-from-days after Howard Hinnant's public-domain
//! algorithms.

pub const MS_PER_DAY: i64 = 86_400_000;

pub fn days_from_civil(y: i64, m: u32, d: u32) -> i64 {
    let y = if m <= 2 { y - 1 } else { y };
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let doy = (153 * (if m > 2 { m - 3 } else { m + 9 }) + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

pub fn civil_from_days(z: i64) -> (i64, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let y = yoe + era * 400;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    (if m <= 2 { y + 1 } else { y }, m, d)
}

fn is_leap(y: i64) -> bool {
    y % 4 == 0 && (y % 100 != 0 || y % 400 == 0)
}

/// Same calendar date `years` later (29 Feb → 28 Feb in a common year), same time of day.
pub fn add_years_ms(ms: i64, years: u32) -> i64 {
    let days = ms.div_euclid(MS_PER_DAY);
    let time_of_day = ms.rem_euclid(MS_PER_DAY);
    let (y, m, d) = civil_from_days(days);
    let ny = y + i64::from(years);
    let nd = if m == 2 && d == 29 && !is_leap(ny) {
        28
    } else {
        d
    };
    days_from_civil(ny, m, nd) * MS_PER_DAY + time_of_day
}

/// Local hour (0–23) and weekday (0 = Monday) at UTC offset `offset_minutes` (480 = China).
pub fn local_hour_weekday(ms: i64, offset_minutes: i32) -> (u8, u8) {
    let local = ms + i64::from(offset_minutes) * 60_000;
    let days = local.div_euclid(MS_PER_DAY);
    let hour = (local.rem_euclid(MS_PER_DAY) / 3_600_000) as u8;
    // 1970-01-01 was a Thursday (weekday 3 with Monday = 0).
    let weekday = (days + 3).rem_euclid(7) as u8;
    (hour, weekday)
}

/// `YYYY-MM-DD` of an instant (UTC).
pub fn date_string(ms: i64) -> String {
    let (y, m, d) = civil_from_days(ms.div_euclid(MS_PER_DAY));
    format!("{y:04}-{m:02}-{d:02}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn round_trip_and_known_dates() {
        assert_eq!(days_from_civil(1970, 1, 1), 0);
        assert_eq!(civil_from_days(0), (1970, 1, 1));
        assert_eq!(days_from_civil(2024, 11, 26), 20_053);
        for z in [-1_000_000, -1, 0, 59, 60, 11_016, 20_053, 2_000_000] {
            let (y, m, d) = civil_from_days(z);
            assert_eq!(days_from_civil(y, m, d), z);
        }
    }

    #[test]
    fn add_years_keeps_the_date() {
        let t = days_from_civil(2024, 11, 26) * MS_PER_DAY + 3_600_000;
        assert_eq!(
            add_years_ms(t, 6),
            days_from_civil(2030, 11, 26) * MS_PER_DAY + 3_600_000
        );
        let leap = days_from_civil(2024, 2, 29) * MS_PER_DAY;
        assert_eq!(
            add_years_ms(leap, 1),
            days_from_civil(2025, 2, 28) * MS_PER_DAY
        );
        assert_eq!(
            add_years_ms(leap, 4),
            leap + days_from_civil(2028, 2, 29) * MS_PER_DAY - leap
        );
        assert_eq!(date_string(1_732_600_037_000), "2024-11-26");
    }

    #[test]
    fn local_hour_and_weekday() {
        // 2024-11-26 05:47:17 UTC is a Tuesday; 13:47 in Shanghai (UTC+8).
        assert_eq!(local_hour_weekday(1_732_600_037_000, 0), (5, 1));
        assert_eq!(local_hour_weekday(1_732_600_037_000, 480), (13, 1));
    }
}
