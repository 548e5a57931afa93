//! The review store's hash chain. Every state change (an item entering the queue, each
//! disposition, each access record, each account change) is an `events` row whose hash is
//! SHA-256(prev ‖ seq ‖ kind ‖ SHA-256(body)); every write transaction ends with an Ed25519
//! signature over the head (a `checkpoints` row). Editing, deleting or inserting a row breaks
//! a hash; cutting the tail back leaves a signed checkpoint past the head; re-hashing needs
//! the key. The tables that pages read (items, users) are projections that `verify` rebuilds
//! from these events and compares.

use ed25519_dalek::{Signer, SigningKey, VerifyingKey};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::ReviewError;

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0u8; 32];

pub const DDL: &str = "
CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
CREATE TABLE IF NOT EXISTS events (
    seq INTEGER PRIMARY KEY,
    kind TEXT NOT NULL,
    at_ms INTEGER NOT NULL,
    body BLOB NOT NULL,
    hash BLOB NOT NULL
);
CREATE INDEX IF NOT EXISTS events_kind ON events (kind, seq);
CREATE TABLE IF NOT EXISTS checkpoints (
    id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL,
    hash BLOB NOT NULL,
    signed_at_ms INTEGER NOT NULL,
    signature BLOB NOT NULL
);
";

pub fn link(prev: &Hash, seq: i64, kind: &str, at_ms: i64, body: &[u8]) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    h.update((kind.len() as u32).to_be_bytes());
    h.update(kind.as_bytes());
    h.update(at_ms.to_be_bytes());
    h.update(Sha256::digest(body));
    h.finalize().into()
}

/// The bytes a checkpoint signature covers.
pub fn checkpoint_message(id: i64, seq: i64, hash: &Hash, signed_at_ms: i64) -> Vec<u8> {
    let mut m = b"wcp-review-checkpoint/v1".to_vec();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&signed_at_ms.to_be_bytes());
    m
}

/// The head as read inside a write transaction (so another writer's appends are seen).
pub struct Head {
    pub seq: i64,
    pub hash: Hash,
}

impl Head {
    pub fn load(conn: &Connection) -> Result<Head, ReviewError> {
        let row: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, hash FROM events ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        Ok(match row {
            Some((seq, h)) => Head {
                seq,
                hash: to_hash(&h)?,
            },
            None => Head {
                seq: 0,
                hash: GENESIS,
            },
        })
    }

    pub fn append(
        &mut self,
        conn: &Connection,
        kind: &str,
        at_ms: i64,
        body: &[u8],
    ) -> Result<i64, ReviewError> {
        let seq = self.seq + 1;
        let hash = link(&self.hash, seq, kind, at_ms, body);
        conn.prepare_cached(
            "INSERT INTO events (seq, kind, at_ms, body, hash) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![seq, kind, at_ms, body, &hash[..]])?;
        self.seq = seq;
        self.hash = hash;
        Ok(seq)
    }

    /// Signs the head unless the last checkpoint already covers it.
    pub fn checkpoint(
        &self,
        conn: &Connection,
        key: &SigningKey,
        now_ms: i64,
    ) -> Result<(), ReviewError> {
        let (id, seq): (i64, i64) = conn.query_row(
            "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(seq), 0) FROM checkpoints",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        if seq == self.seq {
            return Ok(());
        }
        let id = id + 1;
        let sig = key.sign(&checkpoint_message(id, self.seq, &self.hash, now_ms));
        conn.prepare_cached(
            "INSERT INTO checkpoints (id, seq, hash, signed_at_ms, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, self.seq, &self.hash[..], now_ms, &sig.to_bytes()[..]])?;
        Ok(())
    }
}

pub fn to_hash(bytes: &[u8]) -> Result<Hash, ReviewError> {
    bytes
        .try_into()
        .map_err(|_| ReviewError::Invalid(format!("hash of {} bytes", bytes.len())))
}

/// Publishes the store's public key on first use and refuses another key later.
pub fn pin_key(conn: &Connection, key: &VerifyingKey) -> Result<(), ReviewError> {
    let public = hex::encode(key.as_bytes());
    let stored: Option<String> = conn
        .query_row("SELECT value FROM meta WHERE key = 'public_key'", [], |r| {
            r.get(0)
        })
        .optional()?;
    match stored {
        None => {
            conn.execute(
                "INSERT INTO meta (key, value) VALUES ('public_key', ?1)",
                [&public],
            )?;
            Ok(())
        }
        Some(p) if p == public => Ok(()),
        Some(p) => Err(ReviewError::KeyMismatch(p)),
    }
}

/// Loads the key at `path`, creating it (mode 0600) when it does not exist yet.
pub fn load_or_create_key(path: &std::path::Path) -> Result<SigningKey, ReviewError> {
    if path.exists() {
        let text = std::fs::read_to_string(path)?;
        let bytes = hex::decode(text.trim())
            .map_err(|e| ReviewError::Key(format!("{}: {e}", path.display())))?;
        let seed: [u8; 32] = bytes.try_into().map_err(|_| {
            ReviewError::Key(format!("{}: expected 64 hex characters", path.display()))
        })?;
        return Ok(SigningKey::from_bytes(&seed));
    }
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed).map_err(|e| ReviewError::Key(format!("no randomness: {e}")))?;
    wcp_archive::keys::create_secret_file(path, &format!("{}\n", hex::encode(seed)))?;
    Ok(SigningKey::from_bytes(&seed))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_depends_on_every_field() {
        let base = link(&GENESIS, 1, "action", 5, b"x");
        assert_ne!(base, link(&GENESIS, 2, "action", 5, b"x"));
        assert_ne!(base, link(&GENESIS, 1, "access", 5, b"x"));
        assert_ne!(base, link(&GENESIS, 1, "action", 6, b"x"));
        assert_ne!(base, link(&GENESIS, 1, "action", 5, b"y"));
        assert_ne!(base, link(&[1; 32], 1, "action", 5, b"x"));
    }
}
