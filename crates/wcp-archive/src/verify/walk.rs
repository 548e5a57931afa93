//! The per-record chain check, one for both walkers: the full scan (`scan.rs`, from the
//! genesis) and the stretch verification (`window.rs`, from a verified record). For each
//! record in seq order: a gap before it, unreadable columns, the body against its digest, the
//! link to the record before (a record that chains at a nearby position is reported as
//! reordered), key rotations, the signed checkpoint at its position under the key in force,
//! and which emptied bodies the removal records account for. At the end: signed checkpoints
//! past the last record (a cut-off tail) and records no valid checkpoint covers (an inserted
//! tail).

use std::collections::{BTreeMap, HashMap, HashSet};

use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::types::ValueRef;
use rusqlite::{Connection, Row};

use super::{Problem, ProblemKind};
use crate::chain::{checkpoint_message, digest, kind, link, to_hash, Hash};
use crate::error::ArchiveError;
use crate::project::Removal;

pub(super) struct Cp {
    pub(super) id: i64,
    pub(super) hash: Vec<u8>,
    pub(super) at: i64,
    pub(super) sig: Vec<u8>,
}

pub(super) fn bytes(v: ValueRef<'_>) -> Option<&[u8]> {
    match v {
        ValueRef::Blob(b) | ValueRef::Text(b) => Some(b),
        _ => None,
    }
}

/// One record as the walk read it (only for records whose columns could be read).
pub(super) struct Step<'r> {
    pub(super) seq: i64,
    pub(super) kind: String,
    pub(super) msgid: String,
    /// The body, when present and still matching its digest.
    pub(super) body: Option<&'r [u8]>,
    /// False when the body no longer matches its digest.
    pub(super) body_ok: bool,
    /// Something about this record itself is wrong (content, link or rotation).
    pub(super) problem: bool,
}

/// The walk's state between records; the counters and findings are read after the walk.
pub(super) struct Walk<'c> {
    conn: &'c Connection,
    checkpoints: BTreeMap<i64, Cp>,
    prev: Hash,
    next: i64,
    /// The previous record had a problem: a link failure here is its consequence.
    after_problem: bool,
    key: Option<VerifyingKey>,
    pub(super) keys_seen: Vec<VerifyingKey>,
    pub(super) last_good_cp: i64,
    pub(super) last_signed: Option<(i64, String)>,
    pub(super) records: u64,
    pub(super) checkpoints_checked: u64,
    /// Records whose body is gone, with their digest.
    pub(super) emptied: HashMap<i64, Hash>,
    /// (target, digest) of every body a removal record says it emptied.
    pub(super) explained: HashSet<(i64, Hash)>,
}

impl<'c> Walk<'c> {
    /// A walk of the records after `from`, whose hash is `prev` (`broken`: record `from`
    /// could not be read, so the first link failure is its consequence), with the signed
    /// `checkpoints` the walk may meet and the `key` in force at `from`.
    pub(super) fn new(
        conn: &'c Connection,
        checkpoints: BTreeMap<i64, Cp>,
        from: i64,
        prev: Hash,
        broken: bool,
        key: Option<VerifyingKey>,
    ) -> Walk<'c> {
        Walk {
            conn,
            checkpoints,
            prev,
            next: from + 1,
            after_problem: broken,
            key,
            keys_seen: key.into_iter().collect(),
            last_good_cp: from,
            last_signed: None,
            records: 0,
            checkpoints_checked: 0,
            emptied: HashMap::new(),
            explained: HashSet::new(),
        }
    }

    /// Checks one record (columns: seq, kind, msgid, body, digest, hash); `None` when its
    /// columns cannot be read (reported).
    pub(super) fn step<'r>(
        &mut self,
        r: &'r Row<'_>,
        found: &mut Vec<Problem>,
    ) -> Result<Option<Step<'r>>, ArchiveError> {
        let seq: i64 = r.get(0)?;
        self.records += 1;
        if seq > self.next {
            let mut p = Problem::new(
                ProblemKind::Removed,
                self.next,
                "records",
                format!(
                    "records {} to {} are missing from the chain",
                    self.next,
                    seq - 1
                ),
            );
            p.seq_to = seq - 1;
            found.push(p);
            self.after_problem = true;
        }
        self.next = seq.saturating_add(1);
        let cols = (
            bytes(r.get_ref(1)?),
            bytes(r.get_ref(2)?),
            r.get_ref(3)?,
            bytes(r.get_ref(4)?),
            bytes(r.get_ref(5)?),
        );
        let (Some(kind_b), Some(msgid_b), body, Some(d), Some(h)) = cols else {
            return Ok(self.unreadable(seq, "type", found));
        };
        let (Ok(d), Ok(h)) = (to_hash(d), to_hash(h)) else {
            return Ok(self.unreadable(seq, "length", found));
        };
        let k = String::from_utf8_lossy(kind_b).into_owned();
        let m = String::from_utf8_lossy(msgid_b).into_owned();
        let body = match body {
            ValueRef::Null => None,
            other => bytes(other),
        };
        let mut problem = false;
        let body_ok = match body {
            Some(b) if digest(b) != d => {
                found.push(Problem::new(
                    ProblemKind::Altered,
                    seq,
                    "records",
                    "its content no longer matches the fingerprint sealed into the chain",
                ));
                problem = true;
                false
            }
            Some(_) => true,
            None => {
                self.emptied.insert(seq, d);
                true
            }
        };
        if link(&self.prev, seq, &k, &m, &d) != h && !self.after_problem {
            let p = if super::words::misplaced(self.conn, seq, &self.prev, &k, &m, &d)? {
                Problem::new(
                    ProblemKind::Reordered,
                    seq,
                    "records",
                    "a valid record from another position sits here (rows swapped or moved)",
                )
            } else {
                Problem::new(ProblemKind::Altered, seq, "records", "the record's kind, message id, fingerprint or link was changed: it no longer chains to the record before it")
            };
            found.push(p);
            problem = true;
        }
        let body = if body_ok { body } else { None };
        // Removals (tombstone, release, purge) account for the bodies they emptied.
        if matches!(k.as_str(), kind::TOMBSTONE | kind::PURGE | kind::RELEASE) {
            if let Some(r) = body.and_then(|b| serde_json::from_slice::<Removal>(b).ok()) {
                if let Ok(t) = to_hash(&hex::decode(&r.digest).unwrap_or_default()) {
                    self.explained.insert((r.target_seq, t));
                }
            }
        }
        if body_ok && k == kind::KEY_ROTATION {
            problem |= !self.rotate(body, seq, found);
        }
        if let Some(cp) = self.checkpoints.get(&seq) {
            self.checkpoints_checked += 1;
            match check_checkpoint(cp, seq, &h, self.key.as_ref()) {
                Ok(()) => {
                    self.last_good_cp = seq;
                    self.last_signed = Some((seq, hex::encode(h)));
                }
                Err(why) => found.push(Problem::new(
                    ProblemKind::BadCheckpoint,
                    seq,
                    "checkpoints",
                    why,
                )),
            }
        }
        self.after_problem = problem;
        self.prev = h;
        Ok(Some(Step {
            seq,
            kind: k,
            msgid: m,
            body,
            body_ok,
            problem,
        }))
    }

    fn unreadable<'r>(
        &mut self,
        seq: i64,
        what: &str,
        found: &mut Vec<Problem>,
    ) -> Option<Step<'r>> {
        found.push(Problem::new(
            ProblemKind::Altered,
            seq,
            "records",
            format!("the record's columns were rewritten with values of the wrong {what}"),
        ));
        self.after_problem = true;
        None
    }

    /// The end of the walk, at `to`: signed checkpoints past the last record (the tail was
    /// cut off), records up to `to` missing, and, when `to` is the end of what must be signed
    /// (`signed_end`), records after the last valid checkpoint (added behind its back).
    pub(super) fn finish(&self, to: i64, signed_end: bool, found: &mut Vec<Problem>) {
        let last = self.next - 1;
        let last_cp = self.checkpoints.keys().next_back().copied().unwrap_or(0);
        if last_cp > last {
            let mut p = Problem::new(ProblemKind::Removed, last + 1, "records",
                format!("records {} to {last_cp} were signed but are gone: the end of the chain was cut off", last + 1));
            p.seq_to = last_cp;
            found.push(p);
        }
        let end = last.max(last_cp);
        if to > end {
            let mut p = Problem::new(
                ProblemKind::Removed,
                end + 1,
                "records",
                format!("records {} to {to} are missing from the chain", end + 1),
            );
            p.seq_to = to;
            found.push(p);
        }
        if signed_end && last > self.last_good_cp {
            let mut p = Problem::new(ProblemKind::Inserted, self.last_good_cp + 1, "records",
                format!("records {} to {last} are covered by no valid signed checkpoint: they were added behind the archive's back", self.last_good_cp + 1));
            p.seq_to = last;
            found.push(p);
        }
    }

    /// A key rotation record: hands over to its new key; false (reported) when it fails.
    fn rotate(&mut self, body: Option<&[u8]>, seq: i64, found: &mut Vec<Problem>) -> bool {
        let parsed = body.and_then(|b| serde_json::from_slice::<crate::rotation::Rotation>(b).ok());
        let result = match (parsed, self.key.as_ref()) {
            (Some(r), Some(k))
                if r.after_seq == seq - 1 && r.after_hash == hex::encode(self.prev) =>
            {
                r.check(k)
            }
            (Some(_), Some(_)) => Err("it does not follow the record it names".into()),
            (None, _) => Err("it cannot be read".into()),
            (_, None) => Err("there is no key to rotate from".into()),
        };
        match result {
            Ok(new) => {
                self.key = Some(new);
                self.keys_seen.push(new);
                true
            }
            Err(why) => {
                found.push(Problem::new(
                    ProblemKind::BadCheckpoint,
                    seq,
                    "records",
                    format!("key rotation: {why}"),
                ));
                false
            }
        }
    }
}

fn check_checkpoint(
    cp: &Cp,
    seq: i64,
    chain_hash: &Hash,
    key: Option<&VerifyingKey>,
) -> Result<(), String> {
    if cp.hash[..] != chain_hash[..] {
        return Err(format!(
            "signed checkpoint {} disagrees with the chain at record {seq}",
            cp.id
        ));
    }
    let Some(k) = key else {
        return Err("no public key to check the signatures against".into());
    };
    let ok = to_hash(&cp.hash)
        .ok()
        .zip(Signature::from_slice(&cp.sig).ok())
        .is_some_and(|(h, s)| {
            k.verify_strict(&checkpoint_message(cp.id, seq, &h, cp.at), &s)
                .is_ok()
        });
    if ok {
        Ok(())
    } else {
        Err(format!(
            "signed checkpoint {} does not carry a valid signature of the key in force",
            cp.id
        ))
    }
}
