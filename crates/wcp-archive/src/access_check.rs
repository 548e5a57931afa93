//! Which access-log entries were tampered with, and how (trial 12a D10, D11): each entry
//! that breaks the log's hash chain is named (number, time, actor, action, as it reads now)
//! with what happened to it — edited, inserted, deleted, swapped — and the log's head row
//! (the number and hash of the newest entry written) is held against the entries, so that
//! the newest entries deleted, or the head changed, are found too.
//!
//! What stays undetectable, and why: a reader holds no signing key, so until the writer
//! seals the entries into the archive's signed chain they are protected by the log's own
//! hash chain only, which anyone who can write the file can recompute. Entries not yet
//! sealed that are deleted together with a head row set back consistently (to the last
//! remaining entry, or to the last sealed one), or a whole log file deleted before any of
//! its entries was sealed, leave nothing the archive knows of. What the archive does know
//! is the last entry it sealed (number and hash, in its signed `audit` records): a log that
//! no longer reaches it (deleted, replaced, head set back behind it) is reported.

use std::path::Path;

use crate::access::{head, link, open, Row};
use crate::audit::AuditEntry;
use crate::chain::{to_hash, Hash, GENESIS};
use crate::error::ArchiveError;
use crate::verify::{Problem, ProblemKind};

const TABLE: &str = "access log";

fn problem(detail: String) -> Problem {
    Problem::new(ProblemKind::AccessLogBroken, 0, TABLE, detail)
}

/// "entry 5 (2026-12-07T21:11:13.382Z, auditor1, search)", as the entry reads now.
fn describe(r: &Row) -> String {
    match serde_json::from_slice::<AuditEntry>(&r.body) {
        Ok(e) => format!(
            "entry {} ({}, {}, {})",
            r.id,
            crate::time::rfc3339(e.at_ms),
            e.actor,
            e.action
        ),
        Err(_) => format!("entry {} (unreadable)", r.id),
    }
}

/// The position whose link `r`'s body and hash hold at, if another than its own: the row
/// was swapped with another or moved.
fn moved(r: &Row, prevs: &[Hash]) -> Option<i64> {
    const NEAR: i64 = 16;
    (r.id - NEAR..=r.id + NEAR)
        .filter(|j| *j > 0 && *j != r.id)
        .find(|j| prevs.iter().any(|p| link(p, *j, &r.body)[..] == r.hash[..]))
}

/// The entries after `after` (the last sealed: number, hash) and the log's problems.
pub fn check(path: &Path, after: (i64, Hash)) -> Result<(u64, Vec<Problem>), ArchiveError> {
    let shown = path.display();
    let mut out = Vec::new();
    if !path.exists() {
        if after.0 > 0 {
            out.push(problem(format!(
                "{shown} is gone: the archive sealed its entries up to entry {} from it, so it \
                 existed; entries readers wrote after those and that were not sealed yet, if \
                 any, went with it and cannot be counted",
                after.0
            )));
        }
        return Ok((0, out));
    }
    let conn = open(path)?;
    let rows: Vec<Row> = {
        let mut stmt =
            conn.prepare("SELECT id, body, hash FROM access WHERE id > ?1 ORDER BY id")?;
        let mut q = stmt.query([after.0])?;
        let mut v = Vec::new();
        while let Some(r) = q.next()? {
            v.push(Row::read(r)?);
        }
        v
    };
    let head = head(&conn)?;
    let mut prevs: Vec<Hash> = vec![after.1, GENESIS];
    prevs.extend(rows.iter().filter_map(|r| to_hash(&r.hash).ok()));
    let (mut prev_id, mut prev, mut before) = (after.0, after.1, None::<String>);
    let mut broken = 0;
    for (k, r) in rows.iter().enumerate() {
        let what = describe(r);
        let behind = before
            .clone()
            .unwrap_or_else(|| format!("the last sealed entry ({})", after.0));
        if !r.blobs {
            out.push(problem(format!(
                "{what} was edited: its content or hash is stored as text, not as the bytes \
                 the reader wrote"
            )));
        }
        if r.id != prev_id + 1 {
            out.push(problem(format!(
                "entries {} to {} were deleted (between {behind} and {what})",
                prev_id + 1,
                r.id - 1
            )));
        } else if link(&prev, r.id, &r.body)[..] != r.hash[..] && broken < 100 {
            broken += 1;
            let next_holds = rows.get(k + 1).map_or_else(
                || head.as_ref().is_some_and(|(_, h)| *h == r.hash),
                |n| to_hash(&r.hash).is_ok_and(|h| link(&h, n.id, &n.body)[..] == n.hash[..]),
            );
            let how = if let Some(j) = moved(r, &prevs) {
                format!("{what} was swapped: it holds what entry {j} was written with")
            } else if head.as_ref().is_some_and(|(l, _)| r.id > *l) {
                format!("{what} was inserted: it comes after the newest entry the log's head names")
            } else if next_holds {
                format!("{what} was edited: its content no longer matches its hash")
            } else {
                format!("{what} was edited or inserted: it does not chain to {behind}")
            };
            out.push(problem(how));
        }
        prev_id = r.id;
        prev = to_hash(&r.hash).unwrap_or(GENESIS);
        before = Some(what);
    }
    let newest = rows.last();
    let max = newest.map_or(after.0, |r| r.id);
    match &head {
        None if max > 0 => out.push(problem(format!(
            "its head row (the number and hash of the newest entry written) was deleted; the \
             newest entry is {max}"
        ))),
        None => {}
        Some((l, _)) if *l < after.0 => out.push(problem(format!(
            "{shown} was replaced or set back: its head names entry {l}, but the archive has \
             already sealed entries up to {}",
            after.0
        ))),
        Some((l, _)) if *l > max => out.push(problem(format!(
            "the newest entries {} to {l} were deleted: the log's head says entry {l} was \
             written, and they are neither in the log nor sealed in the archive (deleted from \
             the log, or sealed in records that are gone)",
            max + 1
        ))),
        Some((l, _)) if *l < max => out.push(problem(format!(
            "entries {} to {max} come after the newest entry its head names ({l}): they were \
             inserted, or the head row was set back",
            l + 1
        ))),
        Some((_, h)) => {
            let want: &[u8] = newest.map_or(&after.1[..], |r| &r.hash[..]);
            if h[..] != want[..] {
                out.push(problem(format!(
                    "its head row was changed: its hash is not that of entry {max}"
                )));
            }
        }
    }
    Ok((rows.len() as u64, out))
}
