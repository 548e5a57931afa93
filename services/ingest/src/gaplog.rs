//! The log line of each WeCom `seq` gap: the range and how many messages are missing, the
//! alert id it raised in `chat.alerts` and the input position that revealed it — never a
//! conversation, participant or content. A producer with sparse `seq`s can reveal a gap per
//! record, so at most `PER_MINUTE` gaps are logged a minute; the rest are summed up in one
//! line when the next minute's first gap comes (every gap still has its alert and is
//! counted in `wcp_wecom_seq_gaps_total` / `wcp_wecom_seq_missing_total`).

/// Gap lines logged per minute at most.
pub const PER_MINUTE: u32 = 20;
const MINUTE_MS: i64 = 60_000;

/// What to log for one gap (the pure decision; the caller logs and keeps the clock).
#[derive(Debug, Default, PartialEq)]
pub struct GapLine {
    /// Log this gap's own line.
    pub log: bool,
    /// Gaps (and their missing messages) left out of the log in an earlier minute, to be
    /// summed up now.
    pub suppressed: Option<(u64, u64)>,
}

/// The rate limiter: a fixed one-minute window.
#[derive(Debug, Default)]
pub struct GapLog {
    window_start_ms: Option<i64>,
    logged: u32,
    suppressed_gaps: u64,
    suppressed_missing: u64,
}

impl GapLog {
    pub fn on_gap(&mut self, now_ms: i64, missing: u64) -> GapLine {
        let mut line = GapLine::default();
        let new_window = self
            .window_start_ms
            .is_none_or(|start| now_ms - start >= MINUTE_MS || now_ms < start);
        if new_window {
            if self.suppressed_gaps > 0 {
                line.suppressed = Some((self.suppressed_gaps, self.suppressed_missing));
            }
            *self = GapLog {
                window_start_ms: Some(now_ms),
                ..GapLog::default()
            };
        }
        if self.logged < PER_MINUTE {
            self.logged += 1;
            line.log = true;
        } else {
            self.suppressed_gaps += 1;
            self.suppressed_missing += missing;
        }
        line
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_gap_is_logged_up_to_the_limit_and_the_rest_summed_up_the_next_minute() {
        let mut g = GapLog::default();
        for i in 0..PER_MINUTE {
            let line = g.on_gap(1_000 + i as i64, 3);
            assert_eq!(
                line,
                GapLine {
                    log: true,
                    suppressed: None
                },
                "gap {i}"
            );
        }
        // Past the limit within the minute: not logged, remembered.
        for _ in 0..5 {
            assert_eq!(g.on_gap(30_000, 2), GapLine::default());
        }
        // The next minute: logged again, with the summary of the 5 left out (10 missing).
        assert_eq!(
            g.on_gap(61_000, 7),
            GapLine {
                log: true,
                suppressed: Some((5, 10))
            }
        );
        assert_eq!(
            g.on_gap(62_000, 1),
            GapLine {
                log: true,
                suppressed: None
            }
        );
        // A clock that went back starts a new window rather than staying silent.
        let mut g = GapLog::default();
        for _ in 0..PER_MINUTE + 1 {
            g.on_gap(100_000, 1);
        }
        assert_eq!(
            g.on_gap(50_000, 1),
            GapLine {
                log: true,
                suppressed: Some((1, 1))
            }
        );
    }
}
