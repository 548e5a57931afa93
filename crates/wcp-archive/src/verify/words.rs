//! Problems in words: which message (id, time, conversation, sender), what happened to it,
//! where in the chain — a sentence that can go into a letter to a regulator.

use rusqlite::types::ValueRef;
use rusqlite::{Connection, OptionalExtension};

use super::{Problem, ProblemKind};
use crate::audit::AuditEntry;
use crate::chain::kind;
use crate::stored::StoredMessage;

/// The record at `seq` as stored: (kind, msgid column, body), any storage class.
fn record_at(conn: &Connection, seq: i64) -> Option<(String, String, Option<Vec<u8>>)> {
    let text = |v: ValueRef<'_>| match v {
        ValueRef::Text(b) | ValueRef::Blob(b) => String::from_utf8_lossy(b).into_owned(),
        _ => String::new(),
    };
    conn.query_row(
        "SELECT kind, msgid, body FROM records WHERE seq = ?1",
        [seq],
        |r| {
            let body = match r.get_ref(2)? {
                ValueRef::Text(b) | ValueRef::Blob(b) => Some(b.to_vec()),
                _ => None,
            };
            Ok((text(r.get_ref(0)?), text(r.get_ref(1)?), body))
        },
    )
    .optional()
    .ok()
    .flatten()
}

/// Fills in the message (or audit entry) a problem concerns, from its record (the evidence)
/// or, when that is gone or unreadable, from the message tables. A row that no record
/// accounts for is not attributed to the record it claims (trial 12a D8: a forged `msgids`
/// row was reported as a genuine message's): what the chain holds there is added instead.
pub fn locate(conn: &Connection, p: &mut Problem) {
    // A range names no one message (trial 12a D3: "Records 1 to 65 (message …951 …)").
    if p.seq <= 0 || p.msgid.is_some() || p.seq_to > p.seq {
        return;
    }
    let rec = record_at(conn, p.seq);
    if p.kind == ProblemKind::Added && !matches!(p.table.as_str(), "records" | "checkpoints") {
        let there = match &rec {
            // A cut-off tail leaves its records' rows behind as well as a forger adds some.
            None => format!(
                "there is no record {} (it was deleted, or the row was made up)",
                p.seq
            ),
            Some((k, m, body)) => {
                let m = body
                    .as_deref()
                    .and_then(|b| serde_json::from_slice::<StoredMessage>(b).ok())
                    .map_or_else(|| m.clone(), |s| s.msgid.to_string());
                format!("record {} of the chain is {k} {m}", p.seq)
            }
        };
        p.detail = format!("{}; {there}", p.detail);
        return;
    }
    if let Some((k, msgid, body)) = rec {
        if k == kind::AUDIT {
            if let Some(e) = body.and_then(|b| serde_json::from_slice::<AuditEntry>(&b).ok()) {
                p.time_ms = Some(e.at_ms);
                p.sender = Some(e.actor);
                let query = e
                    .detail
                    .get("query")
                    .map(|q| format!(" {q}"))
                    .unwrap_or_default();
                p.action = Some(format!("{}{query}", e.action));
            }
            return;
        }
        // The chain's message id is the one in the body: the msgid column may be the
        // changed part (trial 12a D8: "Record 29 (message X …)").
        if let Some(m) = body.and_then(|b| serde_json::from_slice::<StoredMessage>(&b).ok()) {
            p.msgid = Some(m.msgid.to_string());
            p.time_ms = Some(m.time_ms);
            p.conversation = Some(m.conversation_id);
            p.sender = Some(m.from.id);
            return;
        }
        if !msgid.is_empty() {
            p.msgid = Some(msgid);
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
pub fn sentence(p: &Problem, zone: Option<i32>) -> String {
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
    let chain = p.table == "records" || p.table == "checkpoints";
    let place = match (p.seq, p.seq_to) {
        (a, b) if b > a => format!("Records {a} to {b}"),
        (a, _) if chain => format!("Record {a}"),
        // A row no record accounts for only claims its record (trial 12a D8).
        (a, _) if p.kind == ProblemKind::Added => {
            format!("A row of `{}` that claims record {a}", p.table)
        }
        (a, _) => format!("The `{}` row of record {a}", p.table),
    };
    // Local time as search prints it, with the UTC instant beside (trial 12a D19).
    let when = |t: i64| match zone {
        Some(z) => format!(
            "{} ({})",
            crate::dates::local(t, z),
            crate::time::rfc3339(t)
        ),
        None => crate::time::rfc3339(t),
    };
    let mut about = Vec::new();
    if let Some(a) = &p.action {
        about.push(format!(
            "the audit entry of {}'s {a}",
            p.sender.as_deref().unwrap_or("?")
        ));
        if let Some(t) = p.time_ms {
            about.push(format!("at {}", when(t)));
        }
    } else {
        if let Some(m) = &p.msgid {
            about.push(format!("message {m}"));
        }
        if let Some(t) = p.time_ms {
            about.push(format!("sent {}", when(t)));
        }
        if let Some(s) = &p.sender {
            about.push(format!("by {s}"));
        }
        if let Some(c) = &p.conversation {
            about.push(format!("in conversation {c}"));
        }
    }
    let about = if about.is_empty() {
        String::new()
    } else {
        format!(" ({})", about.join(" "))
    };
    // "Records 64 to 65 were inserted", not "was" (trial 12a D19).
    let many = p.seq_to > p.seq;
    let verb = match p.kind {
        ProblemKind::Altered if many => "were altered",
        ProblemKind::Altered => "was altered",
        ProblemKind::Removed if many => "were removed",
        ProblemKind::Removed => "was removed",
        ProblemKind::Inserted if many => "were inserted",
        ProblemKind::Inserted => "was inserted",
        ProblemKind::Reordered if many => "are out of order",
        ProblemKind::Reordered => "is out of order",
        ProblemKind::BadCheckpoint if many => "have a bad signed checkpoint",
        ProblemKind::BadCheckpoint => "has a bad signed checkpoint",
        ProblemKind::CheckpointsDeleted if many => "lost their signed checkpoint",
        ProblemKind::CheckpointsDeleted => "lost its signed checkpoint",
        ProblemKind::Changed => "was changed",
        ProblemKind::Missing => "is missing",
        ProblemKind::Added if !chain && p.seq > 0 && !many => "has no record behind it",
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
