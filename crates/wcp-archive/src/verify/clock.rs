//! The clock, re-checked from the chain (trial 12a D14): a checkpoint signed earlier than one
//! before it (beyond `CLOCK_SLACK_MS`), an expiry run whose machine clock is later than a
//! checkpoint signed after it (the clock was set forward for the run, then back), and an
//! expiry run whose clock was more than `MAX_CLOCK_LEAD_MS` ahead of the checkpoint before it
//! without an approval (`clock_rule.rs`).

use rusqlite::Connection;

use super::{Problem, ProblemKind};
use crate::chain::kind;
use crate::clock_rule::{span, CLOCK_SLACK_MS, MAX_CLOCK_LEAD_MS};
use crate::error::ArchiveError;
use crate::time::rfc3339;

/// How many expired msgids a problem names before "and N more".
const NAMED: usize = 10;

/// `records`: the chain's config and expiry records (seq, kind, body), in order.
pub fn check(
    conn: &Connection,
    records: &[(i64, String, Vec<u8>)],
) -> Result<Vec<Problem>, ArchiveError> {
    let checkpoints = checkpoints(conn)?;
    let mut found = backwards(&checkpoints);
    for (seq, k, body) in records {
        if k != kind::EXPIRY {
            continue;
        }
        if let Ok(run) = serde_json::from_slice::<serde_json::Value>(body) {
            found.extend(expiry(*seq, &run, &checkpoints));
        }
    }
    Ok(found)
}

/// For a periodic verification of records `from + 1 ..= to`: the checkpoints among them that
/// go back in time, and the expiry records among them (a range read of the window).
pub fn after(conn: &Connection, from: i64, to: i64) -> Result<Vec<Problem>, ArchiveError> {
    let checkpoints = checkpoints(conn)?;
    let mut found = backwards(&checkpoints);
    // A pair is the window's when its later checkpoint is (`seq_to`).
    found.retain(|p| p.seq_to > from && p.seq_to <= to);
    let mut stmt = conn.prepare(
        "SELECT seq, body FROM records WHERE seq > ?1 AND seq <= ?2 AND kind = ?3 \
         AND body IS NOT NULL ORDER BY seq",
    )?;
    let rows = stmt.query_map(rusqlite::params![from, to, kind::EXPIRY], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Vec<u8>>(1)?))
    })?;
    for row in rows {
        let (seq, body) = row?;
        if let Ok(run) = serde_json::from_slice::<serde_json::Value>(&body) {
            found.extend(expiry(seq, &run, &checkpoints));
        }
    }
    Ok(found)
}

/// (id, seq, signed_at_ms) of every checkpoint, in order.
fn checkpoints(conn: &Connection) -> Result<Vec<(i64, i64, i64)>, ArchiveError> {
    let mut stmt = conn.prepare("SELECT id, seq, signed_at_ms FROM checkpoints ORDER BY id")?;
    let rows = stmt.query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?)))?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// A checkpoint signed more than the slack before the latest one signed ahead of it.
fn backwards(checkpoints: &[(i64, i64, i64)]) -> Vec<Problem> {
    let mut out = Vec::new();
    let mut latest: Option<(i64, i64, i64)> = None;
    for &(id, seq, at) in checkpoints {
        if let Some((lid, lseq, lat)) = latest {
            if at + CLOCK_SLACK_MS < lat {
                let mut p = Problem::new(
                    ProblemKind::ClockWrong,
                    lseq,
                    "checkpoints",
                    format!(
                        "signed checkpoint {lid} (record {lseq}) is dated {}, checkpoint {id} \
                         after it (record {seq}) {}, {} earlier: the machine's clock was set \
                         forward for the first or back for the second",
                        rfc3339(lat),
                        rfc3339(at),
                        span(lat - at)
                    ),
                );
                p.seq_to = seq;
                out.push(p);
            }
        }
        if latest.is_none_or(|(_, _, lat)| at > lat) {
            latest = Some((id, seq, at));
        }
    }
    out
}

/// An expiry run's clock against the checkpoints around it.
fn expiry(seq: i64, run: &serde_json::Value, checkpoints: &[(i64, i64, i64)]) -> Option<Problem> {
    let clock = run["clock_ms"].as_i64()?;
    let actor = run["actor"].as_str().unwrap_or("an unnamed actor");
    let went = names(run);
    // Checkpoints signed after the run (its own is signed with the same clock).
    let later = checkpoints
        .iter()
        .filter(|(_, s, at)| *s > seq && at + CLOCK_SLACK_MS < clock)
        .min_by_key(|(id, _, _)| *id);
    if let Some((id, s, at)) = later {
        return Some(Problem::new(
            ProblemKind::ClockWrong,
            seq,
            "records",
            format!(
                "an expiry by {actor} ran on a clock reading {}, but checkpoint {id} signed \
                 after it (record {s}) reads {}: the clock was set forward for the run, which \
                 expired {went}",
                rfc3339(clock),
                rfc3339(*at)
            ),
        ));
    }
    let before = checkpoints
        .iter()
        .filter(|(_, s, _)| *s < seq)
        .map(|(_, _, at)| *at)
        .max()?;
    let approved = run.get("approval").is_some_and(|a| !a.is_null());
    (clock - before > MAX_CLOCK_LEAD_MS && !approved).then(|| {
        Problem::new(
            ProblemKind::ClockWrong,
            seq,
            "records",
            format!(
                "an expiry by {actor} ran on a clock reading {}, {} after the newest checkpoint \
                 before it ({}), with no approver: it expired {went}",
                rfc3339(clock),
                span(clock - before),
                rfc3339(before)
            ),
        )
    })
}

/// "3 messages: a, b, c" (the first few msgids the run names).
fn names(run: &serde_json::Value) -> String {
    let ids: Vec<&str> = run["expired"]
        .as_array()
        .map(|v| v.iter().filter_map(|m| m.as_str()).collect())
        .unwrap_or_default();
    let shown = ids
        .iter()
        .take(NAMED)
        .copied()
        .collect::<Vec<_>>()
        .join(", ");
    let more = ids.len().saturating_sub(NAMED);
    format!(
        "{} message{}{}{}",
        ids.len(),
        if ids.len() == 1 { "" } else { "s" },
        if ids.is_empty() {
            String::new()
        } else {
            format!(": {shown}")
        },
        if more > 0 {
            format!(" and {more} more")
        } else {
            String::new()
        }
    )
}
