//! The two-person rule, re-checked from the chain (trial 12a D13): every `config` record is
//! replayed in order (`crate::approvals::Rules`) and one that raised the expiry share or
//! changed the approvers after the first approver was registered must carry a valid
//! approval; every `expiry` record that removed more than the share then in force must carry
//! a valid approval of exactly what went. A record written with the signing key alone (the
//! tool bypassed) fails here. The bootstrap is reported as a note, not a problem.

use rusqlite::{Connection, OptionalExtension};

use super::{Problem, ProblemKind};
use crate::approvals::{archive_key, Rules, Standing};
use crate::chain::kind;
use crate::error::ArchiveError;
use crate::expire::Approval;
use crate::settings::ConfigChange;

/// What the check found: problems, and notes for the report (the one-person bootstrap).
pub struct Found {
    pub problems: Vec<Problem>,
    pub notes: Vec<String>,
}

/// `rules`: the chain's config and expiry records (seq, kind, body), in order.
pub fn check(conn: &Connection, records: &[(i64, String, Vec<u8>)]) -> Result<Found, ArchiveError> {
    let archive = archive_key(conn)?;
    let mut rules = Rules::default();
    let mut found = Found {
        problems: Vec::new(),
        notes: Vec::new(),
    };
    for (seq, k, body) in records {
        let seq = *seq;
        if k == kind::CONFIG {
            // An unreadable body is the projection check's to report.
            if let Ok(change) = serde_json::from_slice::<ConfigChange>(body) {
                config(conn, &archive, &rules, seq, &change, &mut found)?;
                rules.apply(seq, &change);
            }
        } else if let Ok(run) = serde_json::from_slice::<serde_json::Value>(body) {
            if let Some(p) = expiry(conn, &rules, seq, &run)? {
                found.problems.push(p);
            }
        }
    }
    Ok(found)
}

/// For a periodic verification of records `from + 1 ..= to`: when config or expiry records
/// were appended there (a range read of the window), the rules are replayed from every one
/// of them up to `to` (a full read, only then: such records are rare) and the problems of
/// the appended ones are returned.
pub fn after(conn: &Connection, from: i64, to: i64) -> Result<Vec<Problem>, ArchiveError> {
    let appended: i64 = conn.query_row(
        "SELECT COUNT(*) FROM records WHERE seq > ?1 AND seq <= ?2 AND kind IN (?3, ?4)",
        rusqlite::params![from, to, kind::CONFIG, kind::EXPIRY],
        |r| r.get(0),
    )?;
    if appended == 0 {
        return Ok(Vec::new());
    }
    let mut stmt = conn.prepare(
        "SELECT seq, kind, body FROM records WHERE seq <= ?1 AND kind IN (?2, ?3) \
         AND body IS NOT NULL ORDER BY seq",
    )?;
    let rows = stmt.query_map(rusqlite::params![to, kind::CONFIG, kind::EXPIRY], |r| {
        Ok((r.get(0)?, r.get(1)?, r.get(2)?))
    })?;
    let records = rows.collect::<Result<Vec<(i64, String, Vec<u8>)>, _>>()?;
    let mut found = check(conn, &records)?.problems;
    found.retain(|p| p.seq > from);
    Ok(found)
}

fn config(
    conn: &Connection,
    archive: &str,
    rules: &Rules,
    seq: i64,
    change: &ConfigChange,
    found: &mut Found,
) -> Result<(), ArchiveError> {
    let actor = configure_actor(conn, seq)?;
    let who = actor
        .as_deref()
        .unwrap_or("an unnamed actor (no audit record follows it)");
    match rules.standing(change) {
        Standing::Bootstrap(what) => found.notes.push(format!(
            "record {seq}: {who} {what} alone, before any approver was registered — the \
             two-person rule's bootstrap, the only settings change one person makes: check it \
             against what your compliance officer set up"
        )),
        Standing::OnePerson => {}
        Standing::NeedsApproval(what) => {
            if let Err(why) = rules.check(archive, change, actor.as_deref()) {
                found.problems.push(Problem::new(
                    ProblemKind::Unapproved,
                    seq,
                    "records",
                    format!("a settings change by {who} {what}, but {why}"),
                ));
            }
        }
    }
    Ok(())
}

/// The actor of the `configure` audit record that follows a config record.
fn configure_actor(conn: &Connection, seq: i64) -> Result<Option<String>, ArchiveError> {
    let body: Option<Option<Vec<u8>>> = conn
        .query_row(
            "SELECT body FROM records WHERE seq = ?1 AND kind = ?2",
            rusqlite::params![seq + 1, kind::AUDIT],
            |r| r.get(0),
        )
        .optional()?;
    Ok(body
        .flatten()
        .and_then(|b| serde_json::from_slice::<crate::audit::AuditEntry>(&b).ok())
        .filter(|e| e.action == "configure")
        .map(|e| e.actor))
}

/// An expiry run above the share in force needs a valid approval of what went: the seqs its
/// tombstones (the records right before it) removed, at its cutoff.
fn expiry(
    conn: &Connection,
    rules: &Rules,
    seq: i64,
    run: &serde_json::Value,
) -> Result<Option<Problem>, ArchiveError> {
    let actor = run["actor"].as_str().unwrap_or("an unnamed actor");
    let went = run["expired"].as_array().map(Vec::len).unwrap_or(0);
    let total = run["total"].as_u64().unwrap_or(0);
    let share = if total == 0 {
        0.0
    } else {
        went as f64 / total as f64
    };
    let approval = run
        .get("approval")
        .filter(|a| !a.is_null())
        .and_then(|a| serde_json::from_value::<Approval>(a.clone()).ok());
    let Some(a) = approval else {
        if share > rules.max_share {
            return Ok(Some(Problem::new(
                ProblemKind::Unapproved,
                seq,
                "records",
                format!(
                    "an expiry by {actor} removed {went} of {total} messages ({:.1} %), more than \
                     the {:.1} % one person may remove, and no approver signed it",
                    share * 100.0,
                    rules.max_share * 100.0
                ),
            )));
        }
        return Ok(None);
    };
    let cutoff = run["cutoff_ms"].as_i64().unwrap_or(0);
    let digest = crate::expire::plan_digest(cutoff, &removed_seqs(conn, seq, went)?);
    let wrong = if a.approver == actor {
        Some(format!("{actor} approved their own expiry"))
    } else if a.digest != digest || a.cutoff_ms != cutoff {
        Some(format!(
            "{}'s approval is for another plan than the records it removed",
            a.approver
        ))
    } else {
        match rules.approvers.get(&a.approver) {
            None => Some(format!("{} was not a registered approver then", a.approver)),
            Some(key) => {
                let signer = key_in_force(conn, seq)?;
                (!crate::expire::approval_holds(&a, key, &signer))
                    .then(|| format!("the approval's signature is not {}'s", a.approver))
            }
        }
    };
    Ok(wrong.map(|why| {
        Problem::new(
            ProblemKind::Unapproved,
            seq,
            "records",
            format!("an expiry by {actor} removed {went} of {total} messages, but {why}"),
        )
    }))
}

/// The seqs removed by the `n` tombstones right before record `seq`, in order.
fn removed_seqs(conn: &Connection, seq: i64, n: usize) -> Result<Vec<i64>, ArchiveError> {
    let mut stmt = conn.prepare(
        "SELECT body FROM records WHERE seq >= ?1 AND seq < ?2 AND kind = ?3 ORDER BY seq",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![seq - n as i64, seq, kind::TOMBSTONE],
        |r| r.get::<_, Option<Vec<u8>>>(0),
    )?;
    let mut out = Vec::new();
    for b in rows {
        if let Some(t) = b?.and_then(|b| serde_json::from_slice::<serde_json::Value>(&b).ok()) {
            out.push(t["target_seq"].as_i64().unwrap_or(0));
        }
    }
    Ok(out)
}

/// The archive's published signing key (hex) when record `seq` was written: the last key of
/// the lineage chained before it.
fn key_in_force(conn: &Connection, seq: i64) -> Result<String, ArchiveError> {
    Ok(conn
        .query_row(
            "SELECT public_key FROM keys WHERE seq < ?1 ORDER BY seq DESC LIMIT 1",
            [seq],
            |r| r.get(0),
        )
        .optional()?
        .unwrap_or_default())
}
