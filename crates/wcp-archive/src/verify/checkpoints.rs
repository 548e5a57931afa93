//! Loading and checking the signed checkpoints.

use std::collections::HashMap;

use ed25519_dalek::{Signature, VerifyingKey};
use rusqlite::Connection;

use super::{bytes, problem, Problem, ProblemKind};
use crate::chain::{checkpoint_message, to_hash};
use crate::error::ArchiveError;

pub(super) struct Checkpoint {
    pub id: i64,
    pub hash: Vec<u8>,
}

pub(super) struct Checkpoints {
    pub by_seq: HashMap<i64, Checkpoint>,
    /// The highest seq covered by a correctly signed checkpoint.
    pub last_signed: i64,
    pub problem: Option<Problem>,
}

pub(super) fn load_checkpoints(
    conn: &Connection,
    key: Option<&VerifyingKey>,
) -> Result<Checkpoints, ArchiveError> {
    let mut stmt =
        conn.prepare("SELECT id, seq, hash, signed_at_ms, signature FROM checkpoints ORDER BY id")?;
    let rows = stmt.query_map([], |r| {
        // Wrong column types read as values that fail the signature check below.
        let int = |i: usize| r.get_ref(i).map(|v| v.as_i64().unwrap_or(-1));
        let blob = |i: usize| r.get_ref(i).map(|v| bytes(v).unwrap_or_default().to_vec());
        Ok((int(0)?, int(1)?, blob(2)?, int(3)?, blob(4)?))
    })?;
    let mut map = HashMap::new();
    let mut last_signed = 0;
    let mut first: Option<Problem> = None;
    let (mut next_id, mut prev_seq) = (1i64, 0i64);
    for row in rows {
        let (id, seq, hash, at, sig) = row?;
        // (where, why): a gap is placed just after the last good checkpoint.
        let bad = if id != next_id {
            Some((prev_seq + 1, format!("checkpoint {next_id} is missing")))
        } else if seq <= prev_seq {
            Some((prev_seq + 1, format!("checkpoint {id} goes backwards")))
        } else {
            match (key, to_hash(&hash), Signature::from_slice(&sig)) {
                (None, _, _) => Some((
                    seq,
                    "no public key to check checkpoints against".to_string(),
                )),
                (Some(k), Ok(h), Ok(s))
                    if k.verify_strict(&checkpoint_message(id, seq, &h, at), &s)
                        .is_ok() =>
                {
                    None
                }
                _ => Some((seq, format!("checkpoint {id} has a bad signature"))),
            }
        };
        if let Some((at_seq, detail)) = bad {
            if first.is_none() {
                first = Some(problem(at_seq, None, ProblemKind::BadCheckpoint, detail));
            }
            // Nothing after a broken checkpoint can be trusted as signed.
            break;
        }
        last_signed = seq;
        map.insert(seq, Checkpoint { id, hash });
        next_id += 1;
        prev_seq = seq;
    }
    Ok(Checkpoints {
        by_seq: map,
        last_signed,
        problem: first,
    })
}
