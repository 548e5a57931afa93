//! One pass over the whole chain with the shared per-record check (`walk.rs`): every digest
//! and link, every signed checkpoint under the key in force at its position (rotations hand
//! over from one key to the next), the tail, every emptied body accounted for by a removal;
//! and every record fed to [`Expected`].

use std::collections::BTreeMap;
use std::hash::RandomState;

use ed25519_dalek::VerifyingKey;
use rusqlite::Connection;

use super::expected::Expected;
use super::walk::{bytes, Cp, Walk};
use super::{Problem, ProblemKind};
use crate::chain::GENESIS;
use crate::error::ArchiveError;

pub struct Scanned {
    pub records: u64,
    pub checkpoints: u64,
    pub last_signed: Option<(i64, String)>,
    pub expected: Expected,
    /// The `config` and `expiry` records (seq, kind, body) for the two-person rule and the
    /// clock checks (`approvals.rs`, `clock.rs`): collected here, not read again.
    pub rules: Vec<(i64, String, Vec<u8>)>,
    /// Records found elsewhere than their position (`Walk::placed`).
    pub placed: std::collections::HashMap<i64, Option<i64>>,
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
                format!(
                    "{} (deleted): {} a record after record {prev_seq} and before record {seq}; \
                     checkpoint {id} at record {seq} still covers those records",
                    if id - 1 > next_id {
                        format!("signed checkpoints {next_id} to {} are missing", id - 1)
                    } else {
                        format!("signed checkpoint {next_id} is missing")
                    },
                    if id - 1 > next_id {
                        "each signed"
                    } else {
                        "it signed"
                    },
                ),
            ));
        } else if seq <= prev_seq {
            // Named at a record that exists (trial 12a D19: "Record 66" of a 65-record chain).
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                if seq > 0 { seq } else { prev_seq },
                "checkpoints",
                format!(
                    "signed checkpoint {id} names record {seq}, but the checkpoint before it \
                     already signs record {prev_seq}: a copied or inserted checkpoint row"
                ),
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

/// Records with a problem held back, at most this many at once.
const MAX_PENDING: usize = 64;

struct Pending {
    seq: i64,
    pos: i64,
    kind: String,
    msgid: String,
    body: Option<Vec<u8>>,
    unknown: bool,
}

/// Feeds the held-back records to `expected` at the positions the walk found for them.
fn flush(pending: &mut Vec<Pending>, walk: &Walk<'_>, expected: &mut Expected) {
    for p in pending.drain(..) {
        let pos = match walk.placed.get(&p.seq) {
            Some(None) => continue,
            Some(Some(pos)) => *pos,
            None => p.pos,
        };
        expected.record(pos, &p.kind, &p.msgid, p.body.as_deref());
        if p.unknown {
            expected.unknown.insert(pos);
        }
    }
}

/// Walks the chain; `seed` hashes the expected rows (as [`super::tables::actual_sums`]).
pub fn scan(
    conn: &Connection,
    pinned: Option<&VerifyingKey>,
    seed: RandomState,
    found: &mut Vec<Problem>,
) -> Result<Scanned, ArchiveError> {
    let checkpoints = load_checkpoints(conn, found)?;
    let max_seq: i64 = conn.query_row("SELECT COALESCE(MAX(seq), 0) FROM records", [], |r| {
        r.get(0)
    })?;
    let mut expected = Expected::new(max_seq.max(0) as usize, seed);
    // The key in force: the one that signed the first checkpoint (`keys.rs`: the `keys`
    // table is checked against it), then each rotation's new key.
    let key: Option<VerifyingKey> = super::keys::first_key(conn, pinned)?;
    let mut walk = Walk::new(conn, checkpoints, 0, GENESIS, false, key);
    walk.end = max_seq;
    let mut stmt =
        conn.prepare("SELECT seq, kind, msgid, body, digest, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut rules = Vec::new();
    // Records with a problem wait until the next good one: it can still show that they were
    // inserted (no rows of their own) or belong elsewhere (`Walk::placed`).
    let mut pending: Vec<Pending> = Vec::new();
    while let Some(r) = rows.next()? {
        let Some(s) = walk.step(r, found)? else {
            continue;
        };
        if let (Some(b), crate::chain::kind::CONFIG | crate::chain::kind::EXPIRY) =
            (s.body, s.kind.as_str())
        {
            rules.push((s.seq, s.kind.clone(), b.to_vec()));
        }
        if s.problem && pending.len() < MAX_PENDING {
            pending.push(Pending {
                seq: s.seq,
                pos: s.pos,
                kind: s.kind,
                msgid: s.msgid,
                body: s.body.map(<[u8]>::to_vec),
                unknown: !s.body_ok || s.unexplained,
            });
            continue;
        }
        flush(&mut pending, &walk, &mut expected);
        let pos = match walk.placed.get(&s.seq) {
            Some(None) => continue,
            Some(Some(p)) => *p,
            None => s.pos,
        };
        expected.record(pos, &s.kind, &s.msgid, s.body);
        if !s.body_ok || s.unexplained {
            expected.unknown.insert(pos);
        }
    }
    flush(&mut pending, &walk, &mut expected);
    expected.unknown.extend(walk.unknown_pos.iter().copied());
    walk.finish(max_seq, true, found);
    let mut unexplained: Vec<i64> = walk
        .emptied
        .iter()
        .filter(|(s, d)| !walk.explained.contains(&(**s, **d)))
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
        if !walk.keys_seen.contains(p) {
            found.push(Problem::new(
                ProblemKind::BadCheckpoint,
                1,
                "checkpoints",
                "the key you pinned never signed this chain",
            ));
        }
    }
    Ok(Scanned {
        records: walk.records,
        checkpoints: walk.checkpoints_checked,
        last_signed: walk.last_signed,
        placed: walk.placed,
        expected,
        rules,
    })
}
