//! Re-checks the whole hash chain and every signed checkpoint, and names the first place
//! where the evidence no longer holds.

use std::collections::{HashMap, HashSet};

use ed25519_dalek::VerifyingKey;
use rusqlite::types::ValueRef;
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::chain::{digest, link, to_hash, Hash, GENESIS};
use crate::error::ArchiveError;
use crate::hold::Tombstone;

mod checkpoints;
use checkpoints::{load_checkpoints, Checkpoints};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ProblemKind {
    /// The record's bytes (or its kind/msgid) changed after it was chained.
    Altered,
    /// A record, or its content, is missing without a tombstone.
    Removed,
    /// A record is present that no signed checkpoint covers.
    Inserted,
    /// A valid record sits at the wrong position.
    Reordered,
    /// A checkpoint's signature, numbering or hash does not hold.
    BadCheckpoint,
}

impl ProblemKind {
    pub fn as_str(self) -> &'static str {
        match self {
            ProblemKind::Altered => "altered",
            ProblemKind::Removed => "removed",
            ProblemKind::Inserted => "inserted",
            ProblemKind::Reordered => "reordered",
            ProblemKind::BadCheckpoint => "bad_checkpoint",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Problem {
    /// Chain position of the first broken record (or of the bad checkpoint).
    pub seq: i64,
    pub msgid: Option<String>,
    pub kind: ProblemKind,
    pub detail: String,
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct VerifyReport {
    pub ok: bool,
    pub records_checked: u64,
    pub checkpoints_checked: u64,
    /// The last correctly signed checkpoint: (seq, hex hash). Auditors keep it; a later
    /// verify whose chain no longer reaches it (`Archive::verify_since`) proves a tail was cut
    /// together with its checkpoints, which the archive alone cannot show.
    pub last_signed: Option<(i64, String)>,
    pub first_problem: Option<Problem>,
}

fn problem(seq: i64, msgid: Option<String>, kind: ProblemKind, detail: String) -> Problem {
    Problem {
        seq,
        msgid,
        kind,
        detail,
    }
}

/// Checks the chain in `conn` against `key` (the auditor's copy, or the published one).
pub fn verify(conn: &Connection, key: Option<&VerifyingKey>) -> Result<VerifyReport, ArchiveError> {
    let mut problems: Vec<Problem> = Vec::new();
    let Checkpoints {
        by_seq: checkpoints,
        last_signed,
        problem: cp_problem,
    } = load_checkpoints(conn, key)?;
    // With a broken checkpoint, coverage is unknowable: report the checkpoint, not the
    // records after it as inserted.
    let covered_to = if cp_problem.is_some() {
        i64::MAX
    } else {
        last_signed
    };
    problems.extend(cp_problem);
    let checkpoints_checked = checkpoints.len() as u64;

    let mut stmt =
        conn.prepare("SELECT seq, kind, msgid, body, digest, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut prev: Hash = GENESIS;
    let mut expected: i64 = 1;
    let mut checked = 0u64;
    // Expired records (body NULL) awaiting the tombstone that must name them.
    let mut emptied: HashMap<i64, Hash> = HashMap::new();
    let mut tombstoned: HashSet<i64> = HashSet::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        // Columns are read as raw bytes whatever their SQLite type: a value rewritten with
        // another type is tampering to report, not an error to stop on.
        let cols = (
            bytes(r.get_ref(1)?),
            bytes(r.get_ref(2)?),
            r.get_ref(3)?,
            bytes(r.get_ref(4)?),
            bytes(r.get_ref(5)?),
        );
        let (Some(kind), Some(msgid), body, Some(stored_digest), Some(stored_hash)) = cols else {
            problems.push(problem(
                seq,
                msgid_at(conn, seq),
                ProblemKind::Altered,
                "record columns have the wrong type".into(),
            ));
            break;
        };
        let (kind, msgid) = (
            String::from_utf8_lossy(kind),
            String::from_utf8_lossy(msgid),
        );
        let (kind, msgid) = (kind.as_ref(), msgid.as_ref());
        let body = match body {
            ValueRef::Null => None,
            other => bytes(other),
        };
        let Ok(stored_digest) = to_hash(stored_digest) else {
            problems.push(problem(
                seq,
                Some(msgid.to_string()),
                ProblemKind::Altered,
                "record digest has the wrong length".into(),
            ));
            break;
        };
        let name = || Some(msgid.to_string());
        if seq < expected || expected > covered_to {
            problems.push(problem(seq, name(), ProblemKind::Inserted,
                format!("record {seq} is not covered by any signed checkpoint (last signed: {last_signed})")));
            break;
        }
        if seq > expected {
            problems.push(problem(
                expected,
                msgid_at(conn, expected),
                ProblemKind::Removed,
                format!("records {expected}..{} are missing", seq - 1),
            ));
            break;
        }
        match body {
            Some(b) if digest(b) != stored_digest => {
                problems.push(problem(
                    seq,
                    name(),
                    ProblemKind::Altered,
                    "record body does not match its digest".into(),
                ));
                break;
            }
            Some(_) => {}
            None => {
                emptied.insert(seq, stored_digest);
            }
        }
        let h = link(&prev, seq, kind, msgid, &stored_digest);
        if h[..] != *stored_hash {
            let (kind_found, detail) = if misplaced(conn, seq, &prev, kind, msgid, &stored_digest)?
            {
                (
                    ProblemKind::Reordered,
                    "a valid record from another position sits here",
                )
            } else {
                (
                    ProblemKind::Altered,
                    "record does not chain to its predecessor",
                )
            };
            problems.push(problem(seq, name(), kind_found, detail.into()));
            break;
        }
        if kind == crate::chain::kind::TOMBSTONE {
            if let Some(t) = body.and_then(|b| serde_json::from_slice::<Tombstone>(b).ok()) {
                if emptied.get(&t.target_seq)
                    == Some(
                        &to_hash(&hex::decode(&t.digest).unwrap_or_default()).unwrap_or(GENESIS),
                    )
                {
                    tombstoned.insert(t.target_seq);
                }
            }
        }
        if let Some(cp) = checkpoints.get(&seq) {
            if cp.hash[..] != h[..] {
                problems.push(problem(
                    seq,
                    name(),
                    ProblemKind::BadCheckpoint,
                    format!(
                        "checkpoint {} disagrees with the chain at record {seq}",
                        cp.id
                    ),
                ));
                break;
            }
        }
        prev = h;
        expected += 1;
        checked += 1;
    }
    if problems.is_empty() && expected <= last_signed {
        problems.push(problem(
            expected,
            msgid_at(conn, expected),
            ProblemKind::Removed,
            format!("records {expected}..{last_signed} are signed but missing"),
        ));
    }
    let mut unexplained: Vec<i64> = emptied
        .keys()
        .filter(|s| !tombstoned.contains(s))
        .copied()
        .collect();
    unexplained.sort_unstable();
    if let Some(&seq) = unexplained.first() {
        problems.push(problem(
            seq,
            msgid_at(conn, seq),
            ProblemKind::Removed,
            "record content deleted without a tombstone".into(),
        ));
    }
    problems.sort_by_key(|p| p.seq);
    let first_problem = problems.into_iter().next();
    let last_signed = checkpoints
        .get(&last_signed)
        .map(|cp| (last_signed, hex::encode(&cp.hash)));
    Ok(VerifyReport {
        ok: first_problem.is_none(),
        records_checked: checked,
        checkpoints_checked,
        last_signed,
        first_problem,
    })
}

/// Whether the record at `seq` chains correctly at some nearby position (rows swapped).
fn misplaced(
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
        .collect::<Result<_, _>>()?;
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

fn bytes(v: ValueRef<'_>) -> Option<&[u8]> {
    match v {
        ValueRef::Blob(b) | ValueRef::Text(b) => Some(b),
        _ => None,
    }
}

fn msgid_at(conn: &Connection, seq: i64) -> Option<String> {
    conn.query_row("SELECT msgid FROM msgids WHERE seq = ?1", [seq], |r| {
        r.get(0)
    })
    .ok()
}

impl crate::Archive {
    /// Verifies against the public key published in the archive.
    pub fn verify(&self) -> Result<VerifyReport, ArchiveError> {
        let key = self.public_key()?;
        verify(&self.conn, key.as_ref())
    }

    /// Verifies, and also that the chain still contains the head an auditor saw before
    /// (`seq`, hex `hash` from an earlier report's `last_signed`).
    pub fn verify_since(
        &self,
        key: Option<&VerifyingKey>,
        seq: i64,
        hash: &str,
    ) -> Result<VerifyReport, ArchiveError> {
        let published = self.public_key()?;
        let mut report = verify(&self.conn, key.or(published.as_ref()))?;
        if report.first_problem.is_none() {
            let stored: Option<Vec<u8>> = self
                .conn
                .query_row("SELECT hash FROM records WHERE seq = ?1", [seq], |r| {
                    r.get(0)
                })
                .ok();
            let found = match stored {
                None => Some((ProblemKind::Removed, "is gone")),
                Some(h) if hex::encode(&h) != hash.to_ascii_lowercase() => {
                    Some((ProblemKind::Altered, "differs from its hash"))
                }
                Some(_) => None,
            };
            if let Some((kind, what)) = found {
                let detail = format!("record {seq}, seen by an earlier verify, {what}");
                report.first_problem = Some(problem(seq, msgid_at(&self.conn, seq), kind, detail));
                report.ok = false;
            }
        }
        Ok(report)
    }

    /// Verifies against an auditor's own copy of the public key (the published one could
    /// have been replaced together with re-signed checkpoints).
    pub fn verify_with(&self, key: &VerifyingKey) -> Result<VerifyReport, ArchiveError> {
        verify(&self.conn, Some(key))
    }
}
