//! Verification of one stretch of the chain, `(from, to]`, for the archiver's periodic runs:
//! the records appended since the last verified head (incremental), or a window of older
//! records (the rolling re-verification). Cost is proportional to the stretch, not the
//! archive: the records are read by their key range, the projections by their `seq`.
//!
//! Checked, by the same per-record check as the full scan (`walk.rs`): each record's digest
//! and link, starting from the stored hash of record `from` (so consecutive windows check
//! every link once), a valid record at the wrong position (reordered); every signed
//! checkpoint in the stretch under the key in force at `from` (rotations in the stretch hand
//! over); signed records cut off the end; for a stretch up to the newest record, records no
//! valid checkpoint covers (an inserted tail); and, row by row,
//! every projection row the stretch's records created (messages, quarantine, recall marks,
//! msgids, risks, pii, audit) — a row edited, deleted or added there is found. A removal
//! record in the stretch must have removed its target's row, wherever that is.
//! Not checked here (the full `verify`, `wcp archive verify`, does): the small tables (holds,
//! settings, offsets, keys, pending recalls), the full-text indexes, and a body emptied
//! without any removal record. For an older window, a row a *later* record removed or
//! recalled is accepted as the msgids table says (that later record's own window checks it).

use std::collections::{BTreeMap, BTreeSet};

use ed25519_dalek::VerifyingKey;
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::expected::{hash_row, Expected, Slot};
use super::walk::{bytes, Cp, Walk};
use super::{Problem, ProblemKind, VerifyReport};
use crate::chain::{kind, to_hash, GENESIS};
use crate::error::ArchiveError;
use crate::project::{Release, Removal};

/// Verifies records `from + 1 ..= to`. `older`: later records exist (a sweep window), so a
/// row they removed or recalled is not expected as the window's own records left it.
pub fn verify_window(
    conn: &Connection,
    pinned: Option<&VerifyingKey>,
    from: i64,
    to: i64,
    older: bool,
    limit: usize,
) -> Result<VerifyReport, ArchiveError> {
    if let Some(k) = pinned {
        crate::rotation::check_pinned(conn, k)?;
    }
    let mut found = Vec::new();
    let mut report = VerifyReport::empty();
    let (e, msgids) = chain(conn, pinned, (from, to), older, &mut report, &mut found)?;
    rows(conn, from, to, older, &e, &msgids, &mut found)?;
    found.sort_by_key(|p| (p.seq, p.table.clone()));
    for p in found {
        report.push(p, limit);
    }
    Ok(report)
}

/// The key that signed checkpoints at `from`: the newest rotation at or before it.
fn key_at(conn: &Connection, from: i64) -> Result<Option<VerifyingKey>, ArchiveError> {
    let hex: Option<String> = conn
        .query_row(
            "SELECT public_key FROM keys WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1",
            [from],
            |r| r.get(0),
        )
        .ok();
    Ok(match hex {
        Some(h) => crate::keys::parse_public_key(&h).ok(),
        None => crate::rotation::lineage(conn)?.first().copied(),
    })
}

/// The chain part, with the per-record check the full scan uses (`walk.rs`); returns what
/// the stretch's records call for and the msgid of each message or quarantine record.
fn chain(
    conn: &Connection,
    pinned: Option<&VerifyingKey>,
    (from, to): (i64, i64),
    older: bool,
    report: &mut VerifyReport,
    found: &mut Vec<Problem>,
) -> Result<(Expected, BTreeMap<i64, String>), ArchiveError> {
    let mut e = Expected::window(from, (to - from).clamp(0, 1 << 20) as usize);
    let (mut prev, mut broken) = (GENESIS, false);
    if from > 0 {
        let h: Option<Vec<u8>> = conn
            .query_row("SELECT hash FROM records WHERE seq = ?1", [from], |r| {
                r.get(0)
            })
            .ok();
        match h.as_deref().map(to_hash) {
            Some(Ok(h)) => prev = h,
            _ => {
                broken = true;
                found.push(Problem::new(
                    ProblemKind::Removed,
                    from,
                    "records",
                    "the record this stretch chains from is missing or unreadable",
                ))
            }
        }
    }
    let key = key_at(conn, from)?.or(pinned.copied());
    let mut cps: BTreeMap<i64, Cp> = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT id, seq, hash, signed_at_ms, signature FROM checkpoints WHERE seq > ?1 AND seq <= ?2",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let blob = |i: usize| r.get_ref(i).map(|v| bytes(v).unwrap_or_default().to_vec());
        let cp = Cp {
            id: r.get_ref(0)?.as_i64().unwrap_or(-1),
            hash: blob(2)?,
            at: r.get_ref(3)?.as_i64().unwrap_or(-1),
            sig: blob(4)?,
        };
        cps.insert(r.get_ref(1)?.as_i64().unwrap_or(-1), cp);
    }
    let mut walk = Walk::new(conn, cps, from, prev, broken, key);
    walk.end = to;
    let mut msgids = BTreeMap::new();
    let mut stmt = conn.prepare(
        "SELECT seq, kind, msgid, body, digest, hash FROM records WHERE seq > ?1 AND seq <= ?2 ORDER BY seq",
    )?;
    let mut rows = stmt.query([from, to])?;
    while let Some(r) = rows.next()? {
        let Some(s) = walk.step(r, found)? else {
            continue;
        };
        if matches!(s.kind.as_str(), kind::MESSAGE | kind::QUARANTINE) {
            msgids.insert(s.seq, s.msgid.clone());
        }
        if let Some(b) = s.body {
            removed_target(conn, s.seq, &s.kind, b, from, found)?;
        }
        e.record(s.seq, &s.kind, &s.msgid, s.body);
        if !s.body_ok || s.problem {
            e.unknown.insert(s.seq);
        }
    }
    e.unknown.extend(walk.unknown_pos.iter().copied());
    // A stretch up to the newest record must end on a valid checkpoint, as the full scan.
    walk.finish(to, !older, found);
    report.records_checked = walk.records;
    report.checkpoints_checked = walk.checkpoints_checked;
    report.last_signed = walk.last_signed;
    Ok((e, msgids))
}

/// A removal in the stretch whose target lies before it: the target's row must be gone.
fn removed_target(
    conn: &Connection,
    seq: i64,
    k: &str,
    body: &[u8],
    from: i64,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    let target = match k {
        kind::TOMBSTONE | kind::PURGE => serde_json::from_slice::<Removal>(body)
            .ok()
            .map(|r| r.target_seq),
        kind::RELEASE => serde_json::from_slice::<Release>(body)
            .ok()
            .map(|r| r.target_seq),
        _ => None,
    };
    let Some(t) = target.filter(|t| *t <= from) else {
        return Ok(());
    };
    for table in ["messages", "quarantine"] {
        let sql = format!("SELECT 1 FROM {table} WHERE seq = ?1");
        if conn.prepare(&sql)?.exists([t])? {
            found.push(Problem::new(
                ProblemKind::Added,
                t,
                table,
                format!("record {seq} removed this row, but it is back"),
            ));
        }
    }
    Ok(())
}

/// What one table holds per seq in the stretch: (sum of row hashes, rows).
type PerSeq = BTreeMap<i64, (u64, i64)>;

fn actual(
    conn: &Connection,
    e: &Expected,
    table: &str,
    from: i64,
    to: i64,
) -> Result<PerSeq, ArchiveError> {
    let base = super::tables::select(table);
    // risks and pii carry seq second, msgids too; the others first.
    let seq_col = if matches!(table, "risks" | "pii" | "msgids") {
        1
    } else {
        0
    };
    // SQLite flattens the subquery: still a range scan of the table's key or seq index.
    let sql = format!("SELECT * FROM ({base}) WHERE seq > ?1 AND seq <= ?2");
    let mut stmt = conn.prepare(&sql)?;
    let n = stmt.column_count();
    let mut rows = stmt.query([from, to])?;
    let mut out = PerSeq::new();
    while let Some(r) = rows.next()? {
        let vals: Vec<ValueRef<'_>> = (0..n).map(|i| r.get_ref(i)).collect::<Result<_, _>>()?;
        let seq = vals[seq_col].as_i64().unwrap_or(-1);
        let slot = out.entry(seq).or_default();
        slot.0 = slot.0.wrapping_add(hash_row(e.seed(), table, &vals));
        slot.1 += 1;
    }
    Ok(out)
}

/// What the stretch's records say table `table` holds at `seq`.
fn wanted(table: &str, s: &Slot) -> (u64, i64) {
    let one = |h: u64| if h == 0 { (0, 0) } else { (h, 1) };
    match table {
        "messages" if s.table == 1 => (s.main, 1),
        "quarantine" if s.table == 2 => (s.main, 1),
        "messages.recall" if s.table == 1 => one(s.recall),
        "quarantine.recall" if s.table == 2 => one(s.recall),
        "msgids" => one(s.msgid_row),
        "risks" => (s.risks, s.nrisks),
        "pii" => (s.pii, s.npii),
        "audit" => one(s.audit),
        _ => (0, 0),
    }
}

/// The projections row by row against the stretch's records.
fn rows(
    conn: &Connection,
    from: i64,
    to: i64,
    older: bool,
    e: &Expected,
    msgids: &BTreeMap<i64, String>,
    found: &mut Vec<Problem>,
) -> Result<(), ArchiveError> {
    // Removed or released by a later record, as msgids says (older windows only).
    let mut later = BTreeSet::new();
    if older {
        let mut stmt = conn.prepare("SELECT seq, state FROM msgids WHERE msgid = ?1")?;
        for (seq, m) in msgids {
            let now: Option<(i64, String)> =
                stmt.query_row([m], |r| Ok((r.get(0)?, r.get(1)?))).ok();
            if now.is_some_and(|(s, st)| s != *seq || st == "x") {
                later.insert(*seq);
            }
        }
    }
    for table in super::expected::HASHED {
        let got = actual(conn, e, table, from, to)?;
        let seqs: BTreeSet<i64> = got.keys().copied().chain(from + 1..=to).collect();
        for seq in seqs {
            if e.unknown.contains(&seq) {
                continue;
            }
            let want = wanted(table, &e.slot_of(seq));
            let have = got.get(&seq).copied().unwrap_or((0, 0));
            if want == have {
                continue;
            }
            let removed_later = later.contains(&seq);
            // A later record may remove a row, mark a recall, or mark msgids expired.
            let excused = older
                && ((removed_later && have.1 <= want.1)
                    || (table.ends_with(".recall") && want.1 == 0 && have.1 == 1)
                    || (table == "msgids" && removed_later));
            if excused {
                continue;
            }
            let (k, why) = if have.1 == 0 {
                (
                    ProblemKind::Missing,
                    "the row the record calls for was deleted",
                )
            } else if want.1 == 0 {
                (ProblemKind::Added, "no record accounts for this row")
            } else {
                (
                    ProblemKind::Changed,
                    "the row differs from what the record says",
                )
            };
            found.push(Problem::new(
                k,
                seq,
                table.split('.').next().unwrap_or(table),
                why,
            ));
        }
    }
    Ok(())
}
