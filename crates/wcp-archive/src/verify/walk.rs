//! The per-record chain check, one for both walkers: the full scan (`scan.rs`, from the
//! genesis) and the stretch verification (`window.rs`, from a verified record). For each
//! record in seq order: a gap before it, unreadable columns, the body against its digest, the
//! link to the record before (a record that chains at a nearby position is reported as
//! reordered), key rotations, the signed checkpoint at its position under the key in force,
//! and which emptied bodies the removal records account for. At the end: signed checkpoints
//! past the last record (a cut-off tail) and records no valid checkpoint covers (an inserted
//! tail).

use std::collections::{BTreeMap, HashMap, HashSet};

use super::place::{self, Place};

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
    /// The chain position its rows belong to (its seq unless records before it were
    /// inserted, deleted or moved); a later record can still change it ([`Walk::placed`]).
    pub(super) pos: i64,
    /// It does not chain and nothing explains it: its rows cannot be derived.
    pub(super) unexplained: bool,
}

/// How many records a walk looks for elsewhere in the chain (`place.rs`): a few hundred
/// searches cost well under a second; an archive rewritten throughout is reported without.
const MAX_SEARCHES: u32 = 256;

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
    /// File position minus chain position of the records that chain in order (records
    /// inserted before them: positive; deleted and the rest renumbered: negative).
    shift: i64,
    /// The last record that chained in order: (file seq, chain position, hash).
    last_ok: (i64, i64, Hash),
    searches: u32,
    /// Records found elsewhere than their file position: Some(chain position), or None for
    /// a record that is no part of the chain (inserted, a copy).
    pub(super) placed: HashMap<i64, Option<i64>>,
    /// Signed checkpoints whose hash the chain no longer has: (id, position, the last valid
    /// checkpoint's position before it).
    mismatched: Vec<(i64, i64, i64)>,
    /// The last record the walk will read (a copy there was appended, not put in a place).
    pub(super) end: i64,
    /// Chain positions whose record was replaced: their rows cannot be derived.
    pub(super) unknown_pos: HashSet<i64>,
    /// The records walked since the last valid signed checkpoint (what `finish` reports as
    /// not covered): counted by record, never by seq range (a seq can be edited huge).
    tail: Vec<i64>,
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
            shift: 0,
            last_ok: (from, from, prev),
            searches: 0,
            placed: HashMap::new(),
            mismatched: Vec::new(),
            end: i64::MAX,
            unknown_pos: HashSet::new(),
            tail: Vec::new(),
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
        self.tail.push(seq);
        if seq > self.next {
            let mut p = Problem::new(
                ProblemKind::Removed,
                self.next,
                "records",
                if seq - 1 > self.next {
                    format!(
                        "records {} to {} are missing from the chain",
                        self.next,
                        seq - 1
                    )
                } else {
                    format!("record {} is missing from the chain", self.next)
                },
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
        let mut pos = seq.saturating_sub(self.shift);
        let mut unexplained = false;
        if link(&self.prev, pos, &k, &m, &d) == h {
            self.last_ok = (seq, pos, h);
        } else {
            let place = if self.searches < MAX_SEARCHES {
                self.searches += 1;
                place::find(self.conn, seq, pos, &self.prev, &k, &m, &d, &h)?
            } else {
                Place::Unknown
            };
            match self.place(seq, pos, h, place, problem, found) {
                Some(p) => {
                    pos = p;
                    problem |= self.placed.contains_key(&seq);
                }
                None => {
                    unexplained = true;
                    if !self.after_problem && !problem {
                        found.push(Problem::new(ProblemKind::Altered, seq, "records", "the record's kind, message id, fingerprint or link was changed: it no longer chains to the record before it"));
                    }
                    problem = true;
                }
            }
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
        if let Some(cp) = self.checkpoints.get(&pos) {
            self.checkpoints_checked += 1;
            if cp.hash[..] != h[..] {
                // A rewritten chain (a record changed and every later hash recomputed):
                // reported once, at the end, with the records it concerns. A record with a
                // problem of its own (replaced, moved) explains its checkpoint already.
                if !problem {
                    self.mismatched.push((cp.id, pos, self.last_good_cp));
                }
            } else {
                match check_checkpoint(cp, pos, &h, self.key.as_ref()) {
                    Ok(()) => {
                        self.last_good_cp = seq;
                        self.tail.clear();
                        self.last_signed = Some((seq, hex::encode(h)));
                    }
                    Err(why) => found.push(Problem::new(
                        ProblemKind::BadCheckpoint,
                        pos,
                        "checkpoints",
                        why,
                    )),
                }
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
            pos,
            unexplained,
        }))
    }

    /// Acts on where `place.rs` found the record at file position `seq` (expected as chain
    /// record `pos`): the chain position its rows belong to, or None when nothing explains
    /// it. Reports what was done to the chain (moved, copied, inserted, deleted).
    fn place(
        &mut self,
        seq: i64,
        pos: i64,
        h: Hash,
        place: Place,
        content_bad: bool,
        found: &mut Vec<Problem>,
    ) -> Option<i64> {
        let (ok_file, ok_pos, _) = self.last_ok;
        match place {
            Place::Unknown => None,
            Place::Here => {
                // Genuine where it is: the record before it was moved away.
                self.last_ok = (seq, pos, h);
                Some(pos)
            }
            Place::CopyOf(of) => {
                retract(found, seq, seq);
                // At the end it was appended; before the end it took a record's place (an
                // insertion before renumbered records is named by the next record).
                let (kind, what) = if seq >= self.end {
                    (ProblemKind::Inserted, "appended to the chain".to_string())
                } else {
                    self.unknown_pos.insert(pos);
                    (
                        ProblemKind::Altered,
                        format!("put in place of record {pos}, whose own content is gone"),
                    )
                };
                found.push(Problem::new(
                    kind,
                    seq,
                    "records",
                    format!(
                        "it is a copy of record {of} (the same message, fingerprint and link): \
                         a replayed copy of an earlier record was {what}"
                    ),
                ));
                self.placed.insert(seq, None);
                Some(pos)
            }
            Place::After { file, pos: t }
                if file == ok_file
                    && t == ok_pos + 1
                    && seq > file + 1
                    && (file + 1..seq).all(|f| !matches!(self.placed.get(&f), Some(Some(_)))) =>
            {
                // Records were put in after the last good one and the rest renumbered.
                retract(found, file + 1, seq - 1);
                for f in file + 1..seq {
                    self.unknown_pos.remove(&(f - self.shift));
                }
                let mut p = Problem::new(
                    ProblemKind::Inserted,
                    file + 1,
                    "records",
                    format!(
                        "{} no part of the signed chain: put in after record {ok_pos}, and \
                         the records after {} renumbered (record {t} of the chain is now \
                         record {seq})",
                        if seq - 1 > file + 1 {
                            "they are"
                        } else {
                            "it is"
                        },
                        if seq - 1 > file + 1 { "them" } else { "it" },
                    ),
                );
                p.seq_to = seq - 1;
                found.push(p);
                for f in file + 1..seq {
                    self.placed.insert(f, None);
                }
                self.shift = seq - t;
                self.last_ok = (seq, t, h);
                Some(t)
            }
            Place::After { file, pos: t }
                if file == seq - 1 && file != ok_file && t > pos && !content_bad =>
            {
                // It continues the record before it, numbered higher: records were deleted
                // before that one and the rest renumbered.
                retract(found, file, file);
                if t - 2 > ok_pos {
                    let mut p = Problem::new(
                        ProblemKind::Removed,
                        ok_pos + 1,
                        "records",
                        format!(
                            "records {} to {} were deleted from the chain and the records \
                             after them renumbered (record {t} of the chain is now record {seq})",
                            ok_pos + 1,
                            t - 2
                        ),
                    );
                    p.seq_to = t - 2;
                    found.push(p);
                }
                self.placed.insert(file, Some(t - 1));
                self.shift = seq - t;
                self.last_ok = (seq, t, h);
                Some(t)
            }
            Place::After { pos: t, .. } => {
                found.push(Problem::new(
                    ProblemKind::Reordered,
                    seq,
                    "records",
                    format!(
                        "a valid record from another position sits here (rows swapped or \
                         moved): it is record {t} of the signed chain"
                    ),
                ));
                self.placed.insert(seq, Some(t));
                Some(t)
            }
        }
    }

    /// Drops the problems reported so far of records `from..=to` themselves (they turned
    /// out to be consequences of an insertion, a deletion or a move named instead).
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
        let last_pos = last.saturating_sub(self.shift);
        let last_cp = self.checkpoints.keys().next_back().copied().unwrap_or(0);
        if last_cp > last_pos {
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
        // Records up to the last checkpoint whose hash the chain no longer has were
        // rewritten (named once); those after every checkpoint are not covered.
        let mut covered = self.last_good_cp;
        if let Some(&(id, at, good_before)) = self.mismatched.first() {
            let later: Vec<String> = self.mismatched[1..]
                .iter()
                .map(|(id, _, _)| id.to_string())
                .collect();
            let later = match later.len() {
                0 => String::new(),
                1 => format!(
                    "; signed checkpoint {} after it disagrees for the same reason",
                    later[0]
                ),
                _ => format!(
                    "; signed checkpoints {} after it disagree for the same reason",
                    later.join(", ")
                ),
            };
            let mut p = Problem::new(
                ProblemKind::Altered,
                good_before + 1,
                "records",
                format!(
                    "signed checkpoint {id} signed record {at} {REWRITTEN}: a record from {} to {at} was changed and the chain's hashes after \
                     it recomputed (that needs no key), so these records are not the ones \
                     that were signed{later}",
                    good_before + 1
                ),
            );
            p.seq_to = at;
            found.push(p);
            let rewritten = self.mismatched.iter().map(|m| m.1).max().unwrap_or(0);
            covered = covered.max(rewritten.saturating_add(self.shift));
        }
        if signed_end && last > covered {
            self.uncovered(covered + 1, last, found);
        }
    }

    /// Records `from..=to` that no valid signed checkpoint covers: records that do not chain
    /// were put in behind the archive's back; records that chain were signed once and their
    /// checkpoints deleted (trial 12a D4: this was called an insertion of the whole archive).
    fn uncovered(&self, from: i64, to: i64, found: &mut Vec<Problem>) {
        let mut bad_seqs = HashSet::new();
        for p in found.iter().filter(|p| p.table == "records") {
            if p.seq_to - p.seq < 1 << 20 {
                bad_seqs.extend(p.seq..=p.seq_to);
            }
        }
        let tail: Vec<i64> = self
            .tail
            .iter()
            .copied()
            .filter(|s| (from..=to).contains(s))
            .collect();
        let bad_count = tail.iter().filter(|s| bad_seqs.contains(*s)).count();
        let copies = found.iter().any(|p| {
            p.table == "records"
                && (from..=to).contains(&p.seq)
                && p.detail.contains("it is a copy of record")
        });
        let n = tail.len();
        let range = if to > from {
            format!("records {from} to {to}")
        } else {
            format!("record {from}")
        };
        if n == 0 || (bad_count == n && copies) {
            // Each copy is named already.
            return;
        }
        if bad_count == n {
            retract(found, from, to);
            let mut p = Problem::new(ProblemKind::Inserted, from, "records", format!(
                "{range} {} covered by no valid signed checkpoint and {} not chain onto the signed records: {} added behind the archive's back",
                if n > 1 { "are" } else { "is" },
                if n > 1 { "do" } else { "does" },
                if n > 1 { "they were" } else { "it was" },
            ));
            p.seq_to = to;
            found.push(p);
            return;
        }
        let before = self
            .checkpoints
            .range(..=self.last_good_cp.saturating_sub(self.shift))
            .next_back()
            .map(|(seq, cp)| {
                format!(
                    "the signed checkpoints after checkpoint {} (record {seq}) were deleted",
                    cp.id
                )
            })
            .unwrap_or_else(|| "every signed checkpoint was deleted".to_string());
        let (kind, detail) = if bad_count == 0 {
            (
                ProblemKind::CheckpointsDeleted,
                format!(
                    "{range} chain{} correctly but no signed checkpoint covers {} any more: \
                     {before} (if you never saw {range} signed — \
                     `--since`, `--anchors` — {} may instead have been appended behind the \
                     archive's back)",
                    if n > 1 { "" } else { "s" },
                    if n > 1 { "them" } else { "it" },
                    if n > 1 { "they" } else { "it" },
                ),
            )
        } else {
            (
                ProblemKind::Inserted,
                format!(
                    "{range} {} covered by no valid signed checkpoint: {before}, or records \
                     were added behind the archive's back",
                    if n > 1 { "are" } else { "is" }
                ),
            )
        };
        let table = if kind == ProblemKind::CheckpointsDeleted {
            "checkpoints"
        } else {
            "records"
        };
        let mut p = Problem::new(kind, from, table, detail);
        p.seq_to = to;
        found.push(p);
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

/// What a rewrite problem says of its checkpoint (found again by [`name_rewritten`]).
const REWRITTEN: &str = "with a hash the chain no longer has";

/// A rewritten range (records up to a checkpoint the chain no longer matches) names the
/// record that was changed when a full-text index still holds other content for exactly one
/// record in it: the index was built from the content that was signed (trial 12a D3: the
/// rewritten message was never named).
pub(super) fn name_rewritten(found: &mut [Problem]) {
    let witnesses: Vec<i64> = found
        .iter()
        .filter(|p| matches!(p.table.as_str(), "fts" | "id_tokens") && p.seq > 0)
        .map(|p| p.seq)
        .collect();
    for p in found.iter_mut() {
        if p.table != "records" || p.kind != ProblemKind::Altered || !p.detail.contains(REWRITTEN) {
            continue;
        }
        let mut inside: Vec<i64> = witnesses
            .iter()
            .copied()
            .filter(|s| (p.seq..=p.seq_to).contains(s))
            .collect();
        inside.dedup();
        if let [one] = inside[..] {
            let signed = p.detail.split(": a record from").next().unwrap_or_default();
            let later = p
                .detail
                .split("that were signed")
                .nth(1)
                .unwrap_or_default();
            p.detail = format!(
                "its content differs from what the signed checkpoints cover (the search index \
                 still holds other content for it), and the chain's hashes from it on were \
                 recomputed so that it chains (that needs no key): {signed}{later}"
            );
            p.seq = one;
            p.seq_to = one;
        }
    }
}

/// Drops the record problems reported so far of records `from..=to` (they turned out to be
/// consequences of an insertion, a deletion or a copy, which is named instead).
fn retract(found: &mut Vec<Problem>, from: i64, to: i64) {
    found.retain(|p| {
        !(p.table == "records"
            && p.seq == p.seq_to
            && (from..=to).contains(&p.seq)
            && matches!(
                p.kind,
                ProblemKind::Altered | ProblemKind::Reordered | ProblemKind::Inserted
            ))
    });
}
