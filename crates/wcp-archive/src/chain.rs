//! The hash chain and its signed checkpoints.
//!
//! Record hash = SHA-256(prev_hash ‖ seq ‖ kind ‖ msgid ‖ SHA-256(body)). Chaining the body's
//! digest rather than the body lets expiry delete content (the body) while the chain, and
//! the proof that something was there, stays intact. Every append ends in a signed
//! checkpoint before its transaction commits, so a record past the last checkpoint can only
//! have been added behind the archive's back.

use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{params, Connection, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::error::ArchiveError;
pub use wcp_model::clock::now_ms;

pub type Hash = [u8; 32];
pub const GENESIS: Hash = [0u8; 32];

/// Kinds of chained records (the `records.kind` column).
pub mod kind {
    pub const MESSAGE: &str = "message";
    pub const QUARANTINE: &str = "quarantine";
    pub const RECALL: &str = "recall";
    pub const HOLD_PLACE: &str = "hold_place";
    pub const HOLD_RELEASE: &str = "hold_release";
    pub const AUDIT: &str = "audit";
    pub const TOMBSTONE: &str = "tombstone";
    /// One expiry run: who, the cutoff, the machine's clock, what went, the approval.
    pub const EXPIRY: &str = "expiry";
    /// The Kafka (or file) positions stored with a batch.
    pub const OFFSETS: &str = "offsets";
    /// Archive settings (expiry share, approvers, quarantine key).
    pub const CONFIG: &str = "config";
    /// A new signing key, signed by the old and the new key.
    pub const KEY_ROTATION: &str = "key_rotation";
    /// Quarantined content released (clear copy) after consent arrived.
    pub const RELEASE: &str = "release";
    /// Quarantined content purged after its deadline.
    pub const PURGE: &str = "purge";
}

pub fn digest(body: &[u8]) -> Hash {
    Sha256::digest(body).into()
}

pub fn link(prev: &Hash, seq: i64, kind: &str, msgid: &str, digest: &Hash) -> Hash {
    let mut h = Sha256::new();
    h.update(prev);
    h.update(seq.to_be_bytes());
    // Length prefixes keep (kind, msgid) pairs unambiguous.
    h.update((kind.len() as u32).to_be_bytes());
    h.update(kind.as_bytes());
    h.update((msgid.len() as u32).to_be_bytes());
    h.update(msgid.as_bytes());
    h.update(digest);
    h.finalize().into()
}

/// The bytes a checkpoint signature covers.
pub fn checkpoint_message(id: i64, seq: i64, hash: &Hash, signed_at_ms: i64) -> Vec<u8> {
    let mut m = b"wcp-archive-checkpoint/v1".to_vec();
    m.extend_from_slice(&id.to_be_bytes());
    m.extend_from_slice(&seq.to_be_bytes());
    m.extend_from_slice(hash);
    m.extend_from_slice(&signed_at_ms.to_be_bytes());
    m
}

/// The writer's view of the chain head. Restored from the database after a failed
/// transaction (see `Archive::write`).
#[derive(Clone)]
pub struct Chain {
    pub seq: i64,
    pub hash: Hash,
    checkpoint_id: i64,
    checkpoint_seq: i64,
    every: u64,
}

impl Chain {
    pub fn load(conn: &Connection, every: u64) -> Result<Chain, ArchiveError> {
        let head: Option<(i64, Vec<u8>)> = conn
            .query_row(
                "SELECT seq, hash FROM records ORDER BY seq DESC LIMIT 1",
                [],
                |r| Ok((r.get(0)?, r.get(1)?)),
            )
            .optional()?;
        let (seq, hash) = match head {
            Some((seq, h)) => (seq, to_hash(&h)?),
            None => (0, GENESIS),
        };
        let (checkpoint_id, checkpoint_seq): (i64, i64) = conn.query_row(
            "SELECT COALESCE(MAX(id), 0), COALESCE(MAX(seq), 0) FROM checkpoints",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )?;
        Ok(Chain {
            seq,
            hash,
            checkpoint_id,
            checkpoint_seq,
            every: every.max(1),
        })
    }

    /// Re-reads the head inside a write transaction: another process (the archiver, or a
    /// reviewer's audited search) may have appended since this handle last wrote.
    pub fn reload(&mut self, conn: &Connection) -> Result<(), ArchiveError> {
        *self = Chain::load(conn, self.every)?;
        Ok(())
    }

    /// Appends one record; signs a checkpoint every `every` records.
    pub fn append(
        &mut self,
        conn: &Connection,
        key: &SigningKey,
        kind: &str,
        msgid: &str,
        body: &[u8],
    ) -> Result<i64, ArchiveError> {
        let d = digest(body);
        let seq = self.seq + 1;
        let hash = link(&self.hash, seq, kind, msgid, &d);
        conn.prepare_cached(
            "INSERT INTO records (seq, kind, msgid, body, digest, hash) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        )?
        .execute(params![seq, kind, msgid, body, &d[..], &hash[..]])?;
        self.seq = seq;
        self.hash = hash;
        if (self.seq - self.checkpoint_seq) as u64 >= self.every {
            self.checkpoint(conn, key)?;
        }
        Ok(seq)
    }

    /// Signs the current head unless it is already signed.
    pub fn checkpoint(&mut self, conn: &Connection, key: &SigningKey) -> Result<(), ArchiveError> {
        if self.seq == self.checkpoint_seq {
            return Ok(());
        }
        let id = self.checkpoint_id + 1;
        let at = now_ms();
        let sig = key.sign(&checkpoint_message(id, self.seq, &self.hash, at));
        conn.prepare_cached(
            "INSERT INTO checkpoints (id, seq, hash, signed_at_ms, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        )?
        .execute(params![id, self.seq, &self.hash[..], at, &sig.to_bytes()[..]])?;
        self.checkpoint_id = id;
        self.checkpoint_seq = self.seq;
        Ok(())
    }
}

pub fn to_hash(bytes: &[u8]) -> Result<Hash, ArchiveError> {
    bytes
        .try_into()
        .map_err(|_| ArchiveError::Schema(format!("hash of {} bytes", bytes.len())))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn link_depends_on_every_field() {
        let d = digest(b"body");
        let base = link(&GENESIS, 1, "message", "m1", &d);
        assert_ne!(base, link(&GENESIS, 2, "message", "m1", &d));
        assert_ne!(base, link(&GENESIS, 1, "recall", "m1", &d));
        assert_ne!(base, link(&GENESIS, 1, "message", "m2", &d));
        assert_ne!(base, link(&GENESIS, 1, "message", "m1", &digest(b"bodz")));
        assert_ne!(base, link(&[1u8; 32], 1, "message", "m1", &d));
        // Length prefixes: moving a byte between kind and msgid changes the hash.
        assert_ne!(
            link(&GENESIS, 1, "ab", "c", &d),
            link(&GENESIS, 1, "a", "bc", &d)
        );
    }
}
