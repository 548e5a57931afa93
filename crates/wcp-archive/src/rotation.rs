//! Signing-key rotation as a chained record signed by the old and the new key. Checkpoints
//! up to the rotation record are signed by the old key, from it on by the new one; `verify`
//! follows the lineage, and a reader's pinned key may be any key of it.

use ed25519_dalek::{Signature, Signer, SigningKey, VerifyingKey};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};

use crate::chain::{kind, now_ms, Hash};
use crate::error::ArchiveError;
use crate::keys::{parse_public_key, public_key_hex};
use crate::Archive;

/// The body of a `key_rotation` record.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Rotation {
    pub old_public_key: String,
    pub new_public_key: String,
    pub at_ms: i64,
    /// Hex of the chain head (seq, hash) the rotation follows.
    pub after_seq: i64,
    pub after_hash: String,
    pub old_signature: String,
    pub new_signature: String,
}

/// The bytes both keys sign.
pub fn message(old: &str, new: &str, after_seq: i64, after_hash: &str, at_ms: i64) -> Vec<u8> {
    let mut m = b"wcp-archive-key-rotation/v1".to_vec();
    for part in [old, new, after_hash] {
        m.extend_from_slice(&(part.len() as u32).to_be_bytes());
        m.extend_from_slice(part.as_bytes());
    }
    m.extend_from_slice(&after_seq.to_be_bytes());
    m.extend_from_slice(&at_ms.to_be_bytes());
    m
}

impl Rotation {
    pub fn sign(old: &SigningKey, new: &SigningKey, after_seq: i64, after: &Hash) -> Rotation {
        let (o, n) = (
            public_key_hex(&old.verifying_key()),
            public_key_hex(&new.verifying_key()),
        );
        let at_ms = now_ms();
        let after_hash = hex::encode(after);
        let m = message(&o, &n, after_seq, &after_hash, at_ms);
        Rotation {
            old_signature: hex::encode(old.sign(&m).to_bytes()),
            new_signature: hex::encode(new.sign(&m).to_bytes()),
            old_public_key: o,
            new_public_key: n,
            at_ms,
            after_seq,
            after_hash,
        }
    }

    /// Both signatures hold, and the rotation starts from `expected_old`.
    pub fn check(&self, expected_old: &VerifyingKey) -> Result<VerifyingKey, String> {
        let old = parse_public_key(&self.old_public_key).map_err(|e| e.to_string())?;
        let new = parse_public_key(&self.new_public_key).map_err(|e| e.to_string())?;
        if old != *expected_old {
            return Err("it rotates away from a key that was not in force".into());
        }
        let m = message(
            &self.old_public_key,
            &self.new_public_key,
            self.after_seq,
            &self.after_hash,
            self.at_ms,
        );
        for (k, s, who) in [
            (&old, &self.old_signature, "old"),
            (&new, &self.new_signature, "new"),
        ] {
            let sig = hex::decode(s)
                .ok()
                .and_then(|b| Signature::from_slice(&b).ok())
                .ok_or(format!("the {who} key's signature is unreadable"))?;
            k.verify_strict(&m, &sig)
                .map_err(|_| format!("the {who} key's signature does not hold"))?;
        }
        Ok(new)
    }
}

/// Every key the archive was signed with, oldest first (from the `keys` table, which
/// `verify` checks against the chain).
pub fn lineage(conn: &Connection) -> Result<Vec<VerifyingKey>, ArchiveError> {
    let mut stmt = conn.prepare("SELECT public_key FROM keys ORDER BY seq")?;
    let rows = stmt.query_map([], |r| r.get::<_, String>(0))?;
    let mut out = Vec::new();
    for r in rows {
        // An unreadable row is reported by `verify` (the keys table against the chain).
        if let Ok(k) = parse_public_key(&r?) {
            out.push(k);
        }
    }
    if out.is_empty() {
        if let Some(k) = crate::schema::meta_get(conn, "public_key")? {
            out.push(parse_public_key(&k)?);
        }
    }
    Ok(out)
}

/// A reader's pinned key must be one the archive was signed with.
pub fn check_pinned(conn: &Connection, pinned: &VerifyingKey) -> Result<(), ArchiveError> {
    let keys = lineage(conn)?;
    // The pinned key signs the chain even when the `keys` table was edited to name another:
    // that is tampering, which `verify` names (`verify/keys.rs`), not a wrong key (trial
    // 12a D5).
    if keys.contains(pinned) || crate::verify::signs_any(conn, pinned)? {
        return Ok(());
    }
    // No key at all is a new archive, not one signed by someone else (a trial: "signed by ,
    // not by the key you gave" for a region created a moment before).
    let Some(archive) = keys.last() else {
        return Err(ArchiveError::NotYetSigned);
    };
    Err(ArchiveError::WrongKey {
        pinned: public_key_hex(pinned),
        archive: public_key_hex(archive),
    })
}

impl Archive {
    /// Hands signing over to `new`: a `key_rotation` record signed by both keys, after which
    /// this handle signs with `new`. The old key's holder should then destroy it.
    pub fn rotate_key(&mut self, new: SigningKey, actor: &str) -> Result<Rotation, ArchiveError> {
        crate::audit::check_actor(actor)?;
        let new_for_tx = new.clone();
        let rotation = self.write(|conn, chain, key| {
            crate::audit::append(
                conn,
                chain,
                key,
                actor,
                "rotate_key",
                serde_json::json!({
                    "old_public_key": public_key_hex(&key.verifying_key()),
                    "new_public_key": public_key_hex(&new_for_tx.verifying_key()),
                }),
            )?;
            let r = Rotation::sign(key, &new_for_tx, chain.seq, &chain.hash);
            // From the rotation record on, checkpoints are the new key's.
            let seq = chain.append(
                conn,
                &new_for_tx,
                kind::KEY_ROTATION,
                "",
                &serde_json::to_vec(&r)?,
            )?;
            crate::project::apply_rotation(conn, seq, &r)?;
            chain.checkpoint(conn, &new_for_tx)?;
            Ok(r)
        })?;
        self.replace_key(new);
        Ok(rotation)
    }
}
