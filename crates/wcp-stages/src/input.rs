//! Bounds on hostile or careless input (`[input]` in the policy): record size, a sane window
//! for event times and usable ids. A record outside them is dead-lettered with the reason,
//! never archived (a `msgtime` of 99999999999999999999 once became the year 292,277,026,596).

use serde::Deserialize;
use wcp_model::{ChatEvent, DeadLetterReason, EventKind};

use crate::civil::days_from_civil;

const MS_PER_HOUR: i64 = 3_600_000;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct InputPolicy {
    /// Records larger than this are dead-lettered (`record_too_large`) without being parsed.
    #[serde(default = "default_max_record_bytes")]
    pub max_record_bytes: u64,
    /// Event and consent times before this date (UTC, `YYYY-MM-DD`) are dead-lettered.
    #[serde(default = "default_earliest")]
    pub earliest: String,
    /// ... and so are times more than this many hours after the capture time.
    #[serde(default = "default_max_future_hours")]
    pub max_future_hours: u32,
    /// Ids (msgid, from, tolist, roomid, contact, recalled msgid) longer than this many
    /// characters, or holding control characters, are dead-lettered (`invalid_id`).
    #[serde(default = "default_max_id_chars")]
    pub max_id_chars: usize,
    /// How many of the most recently ingested msgids a re-sent copy is recognised against
    /// (`wcp_stages::resent`): such a copy is counted, not turned into a second event. 0 turns
    /// it off. About 52 MB for the default million (`resent` module doc).
    #[serde(default = "default_duplicate_window")]
    pub duplicate_window: usize,
}

fn default_max_record_bytes() -> u64 {
    16 * 1024 * 1024
}
fn default_earliest() -> String {
    "2000-01-01".to_string()
}
fn default_max_future_hours() -> u32 {
    24
}
fn default_max_id_chars() -> usize {
    256
}
fn default_duplicate_window() -> usize {
    1_000_000
}

impl Default for InputPolicy {
    fn default() -> Self {
        InputPolicy {
            max_record_bytes: default_max_record_bytes(),
            earliest: default_earliest(),
            max_future_hours: default_max_future_hours(),
            max_id_chars: default_max_id_chars(),
            duplicate_window: default_duplicate_window(),
        }
    }
}

/// `YYYY-MM-DD` → epoch ms of its midnight UTC.
/// `YYYY-MM-DD HH:MM UTC` of a window bound, for the person reading a dead letter.
fn instant(ms: i64) -> String {
    let minutes = ms.rem_euclid(wcp_model::civil::MS_PER_DAY) / 60_000;
    format!(
        "{} {:02}:{:02} UTC",
        wcp_model::civil::date_string(ms),
        minutes / 60,
        minutes % 60
    )
}

pub fn parse_date_ms(s: &str) -> Option<i64> {
    let mut it = s.splitn(3, '-');
    let y: i64 = it.next()?.parse().ok()?;
    let m: u32 = it.next()?.parse().ok()?;
    let d: u32 = it.next()?.parse().ok()?;
    if !(1..=12).contains(&m) || !(1..=31).contains(&d) || s.len() != 10 {
        return None;
    }
    Some(days_from_civil(y, m, d) * 86_400_000)
}

impl InputPolicy {
    /// Problems for the policy loader (reported with every other problem at once).
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        if parse_date_ms(&self.earliest).is_none() {
            out.push(format!(
                "input.earliest = {:?} is not a YYYY-MM-DD date",
                self.earliest
            ));
        }
        if self.max_record_bytes == 0 {
            out.push("input.max_record_bytes must be at least 1".into());
        }
        if self.max_id_chars == 0 {
            out.push("input.max_id_chars must be at least 1".into());
        }
        out
    }

    /// The size check, before any parsing.
    pub fn check_size(&self, len: u64) -> Result<(), DeadLetterReason> {
        if len > self.max_record_bytes {
            return Err(DeadLetterReason::RecordTooLarge {
                bytes: len,
                limit: self.max_record_bytes,
            });
        }
        Ok(())
    }

    /// Times and ids of a parsed event. `capture_ms` is when the capture wrote the record
    /// (the Kafka timestamp of `wecom.raw`, or the start of a `wcp run`).
    pub fn check_event(&self, ev: &ChatEvent, capture_ms: i64) -> Result<(), DeadLetterReason> {
        let earliest = parse_date_ms(&self.earliest).unwrap_or(i64::MIN);
        let latest = capture_ms.saturating_add(i64::from(self.max_future_hours) * MS_PER_HOUR);
        let time = |field: &str, value_ms: i64| {
            if (earliest..=latest).contains(&value_ms) {
                return Ok(());
            }
            // The value as the record holds it: `value_ms` is clamped (99999999999999999999
            // reads as i64::MAX) and scaled from seconds.
            let written = (field == "msgtime")
                .then(|| wcp_model::parse::written_value(&ev.raw, field))
                .flatten()
                .unwrap_or_else(|| value_ms.to_string());
            let rule = if value_ms < earliest {
                format!("before {} (input.earliest)", self.earliest)
            } else {
                format!(
                    "more than {} hours after capture (input.max_future_hours)",
                    self.max_future_hours
                )
            };
            Err(DeadLetterReason::TimeOutOfRange {
                field: field.to_string(),
                written,
                rule,
                earliest: instant(earliest),
                latest: instant(latest),
            })
        };
        time("msgtime", ev.time_ms)?;
        self.id("msgid", &ev.msgid)?;
        self.id("from", &ev.from.id)?;
        for p in &ev.to {
            self.id("tolist", &p.id)?;
        }
        if let Some(room) = &ev.roomid {
            self.id("roomid", room)?;
        }
        match &ev.kind {
            EventKind::Recall { pre_msgid } => self.id("revoke.pre_msgid", pre_msgid)?,
            EventKind::Consent { contact, at_ms, .. } => {
                self.id("userid", contact)?;
                time("consent time", *at_ms)?;
            }
            EventKind::Switch { .. } | EventKind::Message => {}
        }
        Ok(())
    }

    fn id(&self, field: &str, id: &str) -> Result<(), DeadLetterReason> {
        let problem = if id.chars().any(char::is_control) {
            "holds a control character".to_string()
        } else if id.chars().count() > self.max_id_chars {
            format!("longer than {} characters", self.max_id_chars)
        } else {
            return Ok(());
        };
        Err(DeadLetterReason::InvalidId {
            field: field.to_string(),
            problem,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::parse_wecom;

    const NOW: i64 = 1_732_600_040_000;

    fn ev(msgid: &str, time: &str) -> Result<ChatEvent, DeadLetterReason> {
        let raw = format!(
            r#"{{"msgid":"{msgid}","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":{time},"msgtype":"text","text":{{"content":"hi"}}}}"#
        );
        parse_wecom(raw.as_bytes(), None)
    }

    fn code(r: Result<(), DeadLetterReason>) -> &'static str {
        r.err().map(|e| e.code()).unwrap_or("ok")
    }

    #[test]
    fn window_ids_and_size() {
        let p = InputPolicy::default();
        let cases = [
            ("m1", "1732600037000", "ok"),
            ("m1", "1732600037", "ok"),
            ("m1", "99999999999999999999", "time_out_of_range"),
            ("m1", "946684799000", "time_out_of_range"),
            ("m1", "946684800000", "ok"),
            ("m1", &(NOW + 24 * MS_PER_HOUR).to_string(), "ok"),
            (
                "m1",
                &(NOW + 24 * MS_PER_HOUR + 1).to_string(),
                "time_out_of_range",
            ),
            ("m\\u0001x", "1732600037000", "invalid_id"),
            (&"x".repeat(257), "1732600037000", "invalid_id"),
            (&"长".repeat(256), "1732600037000", "ok"),
        ];
        for (msgid, time, want) in cases {
            let e = ev(msgid, time).unwrap();
            assert_eq!(code(p.check_event(&e, NOW)), want, "{msgid} {time}");
        }
        assert_eq!(code(p.check_size(16 * 1024 * 1024)), "ok");
        assert_eq!(code(p.check_size(16 * 1024 * 1024 + 1)), "record_too_large");
    }

    #[test]
    fn a_time_out_of_the_window_is_quoted_as_written_with_the_rule_it_breaks() {
        // Trial 17a D7: 0 and -1000 were "expected epoch milliseconds or seconds, found a
        // number"; 99999999999999999999 was quoted as 9223372036854775807.
        let p = InputPolicy::default();
        let reason = |time: &str| p.check_event(&ev("m1", time)?, NOW).map(|()| String::new());
        let window = "accepted from 2000-01-01 00:00 UTC to 2024-11-27 05:47 UTC, in epoch \
                      milliseconds or seconds (policy [input])";
        for (time, rule) in [
            ("0", "before 2000-01-01 (input.earliest)"),
            ("-1000", "before 2000-01-01 (input.earliest)"),
            ("\"-5\"", "before 2000-01-01 (input.earliest)"),
            ("946684799000", "before 2000-01-01 (input.earliest)"),
            (
                "99999999999999999999",
                "more than 24 hours after capture (input.max_future_hours)",
            ),
            (
                "\"99999999999999999999\"",
                "more than 24 hours after capture (input.max_future_hours)",
            ),
            (
                "1764136040000",
                "more than 24 hours after capture (input.max_future_hours)",
            ),
        ] {
            let err = reason(time).unwrap_err();
            assert_eq!(err.code(), "time_out_of_range", "{time}: {err}");
            assert_eq!(
                err.to_string(),
                format!("field `msgtime` is {time} as written: {rule}; {window}")
            );
        }
        for time in ["\"soon\"", "1.5e400x", "null", "[1]"] {
            let err = reason(time).unwrap_err();
            assert!(
                err.code() == "invalid_field" || err.code() == "invalid_json",
                "{time}: {err}"
            );
            if err.code() == "invalid_field" {
                assert!(err.to_string().contains("not an integer"), "{err}");
            }
        }
    }

    #[test]
    fn consent_time_is_checked_too() {
        let raw = br#"{"msgid":"c1","action":"send","from":"wmX","tolist":["zw"],"roomid":"","msgtime":1732600037000,"msgtype":"agree","agree":{"userid":"wmX","agree_time":5}}"#;
        let e = parse_wecom(raw, None).unwrap();
        let err = InputPolicy::default().check_event(&e, NOW).unwrap_err();
        assert!(err.to_string().contains("consent time"), "{err}");
    }

    #[test]
    fn dates_and_problems() {
        assert_eq!(parse_date_ms("1970-01-01"), Some(0));
        assert_eq!(parse_date_ms("2000-1-1"), None);
        let bad = InputPolicy {
            earliest: "yesterday".into(),
            max_record_bytes: 0,
            ..InputPolicy::default()
        };
        assert_eq!(bad.problems().len(), 2);
    }
}
