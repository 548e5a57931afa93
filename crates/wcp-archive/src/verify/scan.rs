//! One pass over the chain: every digest and link, every signed checkpoint under the key in
//! force at its position (rotations hand over from one key to the next), every removal
//! accounted for; and every record fed to [`Expected`].

use std::collections::{BTreeMap, HashMap, HashSet};

use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::types::ValueRef;
use rusqlite::Connection;

use super::expected::Expected;
use super::{Problem, ProblemKind};
use crate::chain::{checkpoint_message, digest, kind, link, to_hash, Hash, GENESIS};
use crate::error::ArchiveError;
use crate::project::Removal;

pub struct Scanned {
    pub records: u64,
    pub checkpoints: u64,
    pub last_signed: Option<(i64, String)>,
    pub expected: Expected,
}

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

/// Checkpoints by seq, after the structural checks (ids 1, 2, 3…, seqs increasing).
fn load_checkpoints(
    conn: &Connection,
    found: &mut Vec<Problem>,
) -> Result<BTreeMap<i64, Cp>, ArchiveError> {
    let mut stmt =
        conn.prepare("SELECT id, seq, hash, signed_at_ms, signature FROM checkpoints ORDER BY id")?;
    let mut rows = stmt.query([])?;
    let mut out = BTreeMap::new();
    let (mut next_id, mut prev_seq) = (1i64, 0i64);
    while let Some(r) = rows.next()? {
        let int = |i: usize| r.get_ref(i).map(|v| v.as_i64().unwrap_or(-1));
        let blob = |i: usize| r.get_ref(i).map(|v| bytes(v).unwrap_or_default().to_vec());
        let (id, seq, hash, at, sig) = (int(0)?, int(1)?, blob(2)?, int(3)?, blob(4)?);
        if id != next_id {
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                prev_seq + 1,
                "checkpoints",
                format!("signed checkpoint {next_id} is missing (the next one is {id})"),
            ));
        } else if seq <= prev_seq {
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                prev_seq + 1,
                "checkpoints",
                format!("signed checkpoint {id} goes back to record {seq}"),
            ));
            next_id = id + 1;
            continue;
        }
        next_id = id + 1;
        prev_seq = seq;
        out.insert(seq, Cp { id, hash, at, sig });
    }
    Ok(out)
}

pub fn scan(
    conn: &Connection,
    pinned: Option<&VerifyingKey>,
    found: &mut Vec<Problem>,
) -> Result<Scanned, ArchiveError> {
    let checkpoints = load_checkpoints(conn, found)?;
    let max_seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
        r.get(0)
    })?;
    let mut expected = Expected::new(max_seq.max(0) as usize);
    // The key in force: the first of the lineage, then each rotation's new key.
    let lineage = crate::rotation::lineage(conn)?;
    let mut key: Option<VerifyingKey> = lineage.first().copied().or(pinned.copied());
    let mut keys_seen: Vec<VerifyingKey> = key.into_iter().collect();

    let mut stmt =
        conn.prepare("SELECT seq, kind, msgid, body, digest, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let (mut prev, mut expected_seq, mut checked) = (GENESIS, 1i64, 0u64);
    // The previous record had a problem: a link failure here is its consequence.
    let mut after_problem = false;
    let mut last_good_cp: i64 = 0;
    let mut last_signed: Option<(i64, String)> = None;
    let mut cps_checked = 0u64;
    let mut emptied: HashMap<i64, Hash> = HashMap::new();
    let mut explained: HashSet<(i64, Hash)> = HashSet::new();
    while let Some(r) = rows.next()? {
        let seq: i64 = r.get(0)?;
        let cols = (
            bytes(r.get_ref(1)?),
            bytes(r.get_ref(2)?),
            r.get_ref(3)?,
            bytes(r.get_ref(4)?),
            bytes(r.get_ref(5)?),
        );
        let (Some(kind_b), Some(msgid_b), body, Some(d), Some(stored_hash)) = cols else {
            found.push(Problem::new(
                ProblemKind::Altered,
                seq,
                "records",
                "the record's columns were rewritten with values of the wrong type",
            ));
            after_problem = true;
            expected_seq = seq + 1;
            continue;
        };
        let (kind_s, msgid_s) = (
            String::from_utf8_lossy(kind_b).into_owned(),
            String::from_utf8_lossy(msgid_b).into_owned(),
        );
        let body = match body {
            ValueRef::Null => None,
            other => bytes(other),
        };
        if seq > expected_seq {
            let mut p = Problem::new(
                ProblemKind::Removed,
                expected_seq,
                "records",
                format!(
                    "records {expected_seq} to {} are missing from the chain",
                    seq - 1
                ),
            );
            p.seq_to = seq - 1;
            found.push(p);
            after_problem = true;
        }
        expected_seq = seq + 1;
        let (Ok(stored_digest), Ok(stored_h)) = (to_hash(d), to_hash(stored_hash)) else {
            found.push(Problem::new(
                ProblemKind::Altered,
                seq,
                "records",
                "the record's digest or hash has the wrong length",
            ));
            after_problem = true;
            continue;
        };
        let mut problem_here = false;
        let body_ok = match body {
            Some(b) if digest(b) != stored_digest => {
                found.push(Problem::new(
                    ProblemKind::Altered,
                    seq,
                    "records",
                    "its content no longer matches the fingerprint sealed into the chain",
                ));
                problem_here = true;
                false
            }
            Some(_) => true,
            None => {
                emptied.insert(seq, stored_digest);
                true
            }
        };
        let computed = link(&prev, seq, &kind_s, &msgid_s, &stored_digest);
        if computed != stored_h && !after_problem {
            let (k, why) = if super::words::misplaced(
                conn,
                seq,
                &prev,
                &kind_s,
                &msgid_s,
                &stored_digest,
            )? {
                (
                    ProblemKind::Reordered,
                    "a valid record from another position sits here (rows swapped or moved)",
                )
            } else {
                (ProblemKind::Altered, "the record's kind, message id, fingerprint or link was changed: it no longer chains to the record before it")
            };
            found.push(Problem::new(k, seq, "records", why));
            problem_here = true;
        }
        // Removals (tombstone, release, purge) account for the bodies they emptied.
        if body_ok
            && matches!(
                kind_s.as_str(),
                kind::TOMBSTONE | kind::PURGE | kind::RELEASE
            )
        {
            if let Some(r) = body.and_then(|b| serde_json::from_slice::<Removal>(b).ok()) {
                if let Ok(h) = to_hash(&hex::decode(&r.digest).unwrap_or_default()) {
                    explained.insert((r.target_seq, h));
                }
            }
        }
        if body_ok && kind_s == kind::KEY_ROTATION {
            rotate(
                body,
                &mut key,
                &mut keys_seen,
                seq,
                &prev,
                found,
                &mut problem_here,
            );
        }
        if let Some(cp) = checkpoints.get(&seq) {
            cps_checked += 1;
            match check_checkpoint(cp, seq, &stored_h, key.as_ref()) {
                Ok(()) => {
                    last_good_cp = seq;
                    last_signed = Some((seq, hex::encode(stored_h)));
                }
                Err(why) => found.push(Problem::new(
                    ProblemKind::BadCheckpoint,
                    seq,
                    "checkpoints",
                    why,
                )),
            }
        }
        expected.record(seq, &kind_s, &msgid_s, if body_ok { body } else { None });
        if !body_ok {
            expected.unknown.insert(seq);
        }
        after_problem = problem_here;
        prev = stored_h;
        checked += 1;
    }
    let last_cp_seq = checkpoints.keys().next_back().copied().unwrap_or(0);
    if last_cp_seq > max_seq {
        let mut p = Problem::new(ProblemKind::Removed, max_seq + 1, "records",
            format!("records {} to {last_cp_seq} were signed but are gone: the end of the chain was cut off", max_seq + 1));
        p.seq_to = last_cp_seq;
        found.push(p);
    }
    if max_seq > last_good_cp {
        let mut p = Problem::new(ProblemKind::Inserted, last_good_cp + 1, "records",
            format!("records {} to {max_seq} are covered by no valid signed checkpoint: they were added behind the archive's back", last_good_cp + 1));
        p.seq_to = max_seq;
        found.push(p);
    }
    let mut unexplained: Vec<i64> = emptied
        .iter()
        .filter(|(s, d)| !explained.contains(&(**s, **d)))
        .map(|(s, _)| *s)
        .collect();
    unexplained.sort_unstable();
    for seq in unexplained {
        // Its rows cannot be expected either: reported once, here.
        expected.unknown.insert(seq);
        found.push(Problem::new(
            ProblemKind::Removed,
            seq,
            "records",
            "its content was deleted without a tombstone, release or purge record",
        ));
    }
    if let Some(p) = pinned {
        if !keys_seen.contains(p) {
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                1,
                "checkpoints",
                "the key you pinned never signed this chain",
            ));
        }
    }
    Ok(Scanned {
        records: checked,
        checkpoints: cps_checked,
        last_signed,
        expected,
    })
}

pub(super) fn check_checkpoint(
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

pub(super) fn rotate(
    body: Option<&[u8]>,
    key: &mut Option<VerifyingKey>,
    seen: &mut Vec<VerifyingKey>,
    seq: i64,
    prev: &Hash,
    found: &mut Vec<Problem>,
    problem_here: &mut bool,
) {
    let parsed = body.and_then(|b| serde_json::from_slice::<crate::rotation::Rotation>(b).ok());
    let result = match (parsed, key.as_ref()) {
        (Some(r), Some(k)) if r.after_seq == seq - 1 && r.after_hash == hex::encode(prev) => {
            r.check(k)
        }
        (Some(_), Some(_)) => Err("it does not follow the record it names".into()),
        (None, _) => Err("it cannot be read".into()),
        (_, None) => Err("there is no key to rotate from".into()),
    };
    match result {
        Ok(new) => {
            *key = Some(new);
            seen.push(new);
        }
        Err(why) => {
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                seq,
                "records",
                format!("key rotation: {why}"),
            ));
            *problem_here = true;
        }
    }
}
