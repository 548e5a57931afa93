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
    let mut stmt =
        conn.prepare("SELECT seq, kind, msgid, body, digest, hash FROM records ORDER BY seq")?;
    let mut rows = stmt.query([])?;
    let mut rules = Vec::new();
    while let Some(r) = rows.next()? {
        let Some(s) = walk.step(r, found)? else {
            continue;
        };
        expected.record(s.seq, &s.kind, &s.msgid, s.body);
        if let (Some(b), crate::chain::kind::CONFIG | crate::chain::kind::EXPIRY) =
            (s.body, s.kind.as_str())
        {
            rules.push((s.seq, s.kind.clone(), b.to_vec()));
        }
        if !s.body_ok {
            expected.unknown.insert(s.seq);
        }
    }
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
        expected,
        rules,
    })
}
