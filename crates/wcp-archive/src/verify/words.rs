//! Problems in words: which message (id, time, conversation, sender), what happened to it,
//! where in the chain — a sentence that can go into a letter to a regulator.

use std::collections::HashSet;

use rusqlite::{Connection, OptionalExtension};

use super::{Problem, ProblemKind};
use crate::chain::{link, to_hash, Hash};
use crate::error::ArchiveError;
use crate::stored::StoredMessage;

/// Fills in the message a problem concerns, from its record (the evidence) or, when that is
/// gone or unreadable, from the message tables.
pub fn locate(conn: &Connection, p: &mut Problem) {
    if p.seq <= 0 || p.msgid.is_some() {
        return;
    }
    let body: Option<(String, Option<Vec<u8>>)> = conn
        .query_row(
            "SELECT msgid, body FROM records WHERE seq = ?1",
            [p.seq],
            |r| {
                Ok((
                    r.get::<_, String>(0).unwrap_or_default(),
                    r.get::<_, Option<Vec<u8>>>(1).unwrap_or(None),
                ))
            },
        )
        .optional()
        .ok()
        .flatten();
    if let Some((msgid, body)) = body {
        if !msgid.is_empty() {
            p.msgid = Some(msgid);
        }
        if let Some(m) = body.and_then(|b| serde_json::from_slice::<StoredMessage>(&b).ok()) {
            p.time_ms = Some(m.time_ms);
            p.conversation = Some(m.conversation_id);
            p.sender = Some(m.from.id);
            return;
        }
    }
    for t in ["messages", "quarantine"] {
        let from = if t == "messages" { "from_id" } else { "''" };
        let row: Option<(String, i64, String, String)> = conn
            .query_row(
                &format!("SELECT msgid, time_ms, conversation_id, {from} FROM {t} WHERE seq = ?1"),
                [p.seq],
                |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)),
            )
            .optional()
            .ok()
            .flatten();
        if let Some((msgid, time, conv, from)) = row {
            p.msgid.get_or_insert(msgid);
            p.time_ms = Some(time);
            p.conversation = Some(conv);
            if !from.is_empty() {
                p.sender = Some(from);
            }
            return;
        }
    }
}

/// "Record 7 (message m06 sent 2025-11-24T16:06:00.000Z by zhangsan in conversation
/// wmCLIENT|zhangsan) was altered: …"
pub fn sentence(p: &Problem) -> String {
    if p.kind == ProblemKind::FileDamaged {
        let file = match p.table.as_str() {
            "WAL" => "write-ahead log (WAL)",
            "saved WAL" => "write-ahead log (WAL), in the copy the archiver saved,",
            _ => "database file",
        };
        return format!("The archive's {file} is damaged: {}.", p.detail);
    }
    if p.seq == 0 {
        return format!("{}: {}.", whole_table(p), p.detail);
    }
    let place = match (p.seq, p.seq_to) {
        (a, b) if b > a => format!("Records {a} to {b}"),
        (a, _) if p.table == "records" || p.table == "checkpoints" => format!("Record {a}"),
        (a, _) => format!("The `{}` row of record {a}", p.table),
    };
    let mut about = Vec::new();
    if let Some(m) = &p.msgid {
        about.push(format!("message {m}"));
    }
    if let Some(t) = p.time_ms {
        about.push(format!("sent {}", crate::time::rfc3339(t)));
    }
    if let Some(s) = &p.sender {
        about.push(format!("by {s}"));
    }
    if let Some(c) = &p.conversation {
        about.push(format!("in conversation {c}"));
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(" "))
    };
    let verb = match p.kind {
        ProblemKind::Altered => "was altered",
        ProblemKind::Removed => "was removed",
        ProblemKind::Inserted => "was inserted",
        ProblemKind::Reordered => "is out of order",
        ProblemKind::BadCheckpoint => "has a bad signed checkpoint",
        ProblemKind::Changed => "was changed",
        ProblemKind::Missing => "is missing",
        ProblemKind::Added => "has an extra row",
        ProblemKind::IndexBroken => "is broken",
        // "Records 3856 to 3866 were cut off" (trial 15g D7).
        ProblemKind::Truncated if p.seq_to > p.seq && p.seq > 0 => "were cut off",
        ProblemKind::Truncated => "was cut off",
        ProblemKind::AccessLogBroken => "was tampered with",
        ProblemKind::FileDamaged => "is damaged",
        ProblemKind::Unapproved => "breaks the two-person rule",
        ProblemKind::ClockWrong if p.table == "checkpoints" => "go back in time",
        ProblemKind::ClockWrong => "was written under a wrong clock",
    };
    format!("{place}{about} {verb}: {}.", p.detail)
}

/// A problem of a table as a whole (no record concerned) as the subject of a sentence:
/// "In table `fts` is broken" was not one (trial 15j D7).
fn whole_table(p: &Problem) -> String {
    let t = &p.table;
    match p.kind {
        ProblemKind::IndexBroken => format!("The search index `{t}` is broken"),
        ProblemKind::Missing => format!("A row of table `{t}` is missing"),
        ProblemKind::Changed => format!("A row of table `{t}` was changed"),
        ProblemKind::Added => format!("Table `{t}` has a row no record accounts for"),
        ProblemKind::AccessLogBroken => format!("The {t} was tampered with"),
        ProblemKind::Truncated => format!("The end of `{t}` was cut off"),
        _ => format!("Table `{t}` is wrong"),
    }
}

/// Whether the record at `seq` chains correctly at some nearby position (rows swapped).
pub fn misplaced(
    conn: &Connection,
    seq: i64,
    prev: &Hash,
    kind: &str,
    msgid: &str,
    d: &Hash,
) -> Result<bool, ArchiveError> {
    const WINDOW: i64 = 16;
    let mut stmt = conn.prepare("SELECT seq, hash FROM records WHERE seq BETWEEN ?1 AND ?2")?;
    let near: Vec<(i64, Vec<u8>)> = stmt
        .query_map([seq - WINDOW, seq + WINDOW], |r| Ok((r.get(0)?, r.get(1)?)))?
        .filter_map(Result::ok)
        .collect();
    let hashes: HashSet<&[u8]> = near.iter().map(|(_, h)| h.as_slice()).collect();
    let prevs: Vec<&[u8]> = near
        .iter()
        .map(|(_, h)| h.as_slice())
        .chain(std::iter::once(&prev[..]))
        .collect();
    for (t, _) in &near {
        for p in &prevs {
            let Ok(p) = to_hash(p) else { continue };
            if *t != seq && hashes.contains(&link(&p, *t, kind, msgid, d)[..]) {
                return Ok(true);
            }
        }
    }
    Ok(false)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_table_problem_is_a_sentence() {
        let p = Problem::new(ProblemKind::IndexBroken, 0, "fts", "it disagrees");
        assert_eq!(p.words(), "The search index `fts` is broken: it disagrees.");
        let p = Problem::new(ProblemKind::Missing, 0, "holds", "hold 1 was deleted");
        assert_eq!(
            p.words(),
            "A row of table `holds` is missing: hold 1 was deleted."
        );
        let p = Problem::new(ProblemKind::AccessLogBroken, 0, "access log", "x: edited");
        assert_eq!(p.words(), "The access log was tampered with: x: edited.");
    }

    #[test]
    fn a_cut_off_range_agrees_in_number() {
        let mut p = Problem::new(ProblemKind::Truncated, 3856, "records", "the end is gone");
        assert_eq!(p.words(), "Record 3856 was cut off: the end is gone.");
        p.seq_to = 3866;
        assert_eq!(
            p.words(),
            "Records 3856 to 3866 were cut off: the end is gone."
        );
    }
}
