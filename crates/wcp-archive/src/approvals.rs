//! The two-person rule over the rule itself (trial 12a D13): once an approver is registered,
//! a settings change that loosens expiry (raising `expire_max_share`) or changes who may
//! approve (adding, replacing or removing an approver) needs the signature of an approver
//! registered before the change, over exactly that change. Otherwise the one person who
//! holds the archive's signing key could raise the share to 100 %, or register a second key
//! of their own and approve themself.
//!
//! The bootstrap (the first approver) is the one step one person takes alone; `verify` notes
//! it and `wcp archive audit` shows it. `verify` replays every `config` record from the
//! chain with [`Rules`] (`verify/approvals.rs`), so a config record written with the signing
//! key alone, behind the tool's back, fails verification too.

use std::collections::BTreeMap;

use base64::Engine;
use ed25519_dalek::{Signature, Signer, SigningKey};
use rusqlite::Connection;
use serde::{Deserialize, Serialize};
use sha2::{Digest, Sha256};

use crate::chain::kind;
use crate::error::ArchiveError;
use crate::settings::{ConfigChange, DEFAULT_EXPIRE_MAX_SHARE};

/// A registered approver's consent to one settings change: `wcp archive configure-approve`
/// makes it, `wcp archive configure --approval TOKEN` spends it.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ChangeApproval {
    pub approver: String,
    /// The seq of the last `config` record before the change (0: none): a token is good for
    /// one change at one point and cannot be replayed after another change.
    pub after_seq: i64,
    /// Hex SHA-256 of the change (without its approval).
    pub digest: String,
    /// Hex Ed25519 signature by the approver's registered key.
    pub signature: String,
}

impl ChangeApproval {
    /// The token an approver hands over (base64 of the JSON).
    pub fn to_token(&self) -> String {
        encode_token(self)
    }

    pub fn from_token(token: &str) -> Result<ChangeApproval, ArchiveError> {
        decode_token(token)
    }
}

/// A token as approvers hand them over: URL-safe base64 of the JSON (expiry and settings
/// approvals alike).
pub(crate) fn encode_token<T: Serialize>(t: &T) -> String {
    let json = serde_json::to_vec(t).unwrap_or_default();
    base64::engine::general_purpose::URL_SAFE_NO_PAD.encode(json)
}

pub(crate) fn decode_token<T: serde::de::DeserializeOwned>(token: &str) -> Result<T, ArchiveError> {
    let bytes = base64::engine::general_purpose::URL_SAFE_NO_PAD
        .decode(token.trim())
        .map_err(|e| ArchiveError::Invalid(format!("approval token: {e}")))?;
    serde_json::from_slice(&bytes)
        .map_err(|e| ArchiveError::Invalid(format!("approval token: {e}")))
}

/// Hex SHA-256 of a change without its approval: what an approval is bound to.
pub fn change_digest(change: &ConfigChange) -> String {
    let bare = ConfigChange {
        approval: None,
        ..change.clone()
    };
    hex::encode(Sha256::digest(
        serde_json::to_vec(&bare).unwrap_or_default(),
    ))
}

/// The bytes an approver signs: the archive (its first key), the point in the settings'
/// history and the change.
fn message(archive_key: &str, after_seq: i64, digest: &str) -> Vec<u8> {
    let mut m = b"wcp-archive-config-approval/v1".to_vec();
    m.extend_from_slice(archive_key.as_bytes());
    m.extend_from_slice(&after_seq.to_be_bytes());
    m.extend_from_slice(digest.as_bytes());
    m
}

/// The archive's identity for approvals: its first signing key (hex), which no rotation
/// changes; empty for an archive that has published none.
pub fn archive_key(conn: &Connection) -> Result<String, ArchiveError> {
    Ok(crate::rotation::lineage(conn)?
        .first()
        .map(crate::keys::public_key_hex)
        .unwrap_or_default())
}

/// The settings that govern approvals, as the chain's `config` records set them.
#[derive(Debug, Clone, PartialEq)]
pub struct Rules {
    pub max_share: f64,
    /// name → hex public key of every registered approver.
    pub approvers: BTreeMap<String, String>,
    /// The last `config` record applied (0: none).
    pub last_seq: i64,
    /// An approver was registered at some point: the bootstrap is over for good, even if
    /// every approver was later removed (else removing them all, with one approval, would
    /// reopen the one-person step).
    pub bootstrapped: bool,
}

impl Default for Rules {
    fn default() -> Rules {
        Rules {
            max_share: DEFAULT_EXPIRE_MAX_SHARE,
            approvers: BTreeMap::new(),
            last_seq: 0,
            bootstrapped: false,
        }
    }
}

/// How a change stands under the rules in force before it.
#[derive(Debug, Clone, PartialEq)]
pub enum Standing {
    /// No approver yet: one person registers the first (and sets anything else). Says what.
    Bootstrap(String),
    /// Nothing the rule protects is loosened (e.g. the share lowered).
    OnePerson,
    /// An approver must sign: says why.
    NeedsApproval(String),
}

impl Rules {
    /// Replays every `config` record of the chain, in order.
    pub fn from_chain(conn: &Connection) -> Result<Rules, ArchiveError> {
        let mut rules = Rules::default();
        for (seq, change) in config_records(conn)? {
            rules.apply(seq, &change);
        }
        Ok(rules)
    }

    pub fn apply(&mut self, seq: i64, change: &ConfigChange) {
        if let Some(s) = change.expire_max_share {
            self.max_share = s;
        }
        for (name, key) in &change.add_approvers {
            self.approvers.insert(name.clone(), key.clone());
        }
        for name in &change.remove_approvers {
            self.approvers.remove(name);
        }
        self.bootstrapped |= !self.approvers.is_empty();
        self.last_seq = seq;
    }

    /// Whether `change` needs an approver's signature under these rules, and why.
    pub fn standing(&self, change: &ConfigChange) -> Standing {
        let mut why = Vec::new();
        if let Some(s) = change.expire_max_share {
            if s > self.max_share {
                why.push(format!(
                    "raises expire_max_share from {} to {s}",
                    self.max_share
                ));
            }
        }
        for (name, _) in &change.add_approvers {
            if self.approvers.contains_key(name) {
                why.push(format!("replaces approver {name}'s key"));
            } else {
                why.push(format!("adds approver {name}"));
            }
        }
        for name in &change.remove_approvers {
            why.push(format!("removes approver {name}"));
        }
        if why.is_empty() {
            Standing::OnePerson
        } else if !self.bootstrapped {
            Standing::Bootstrap(why.join(", "))
        } else {
            Standing::NeedsApproval(why.join(", "))
        }
    }

    /// True when `change` would remove the last registered approver: refused by `configure`
    /// (no one could approve anything again, and no one may bootstrap again).
    pub fn leaves_no_approver(&self, change: &ConfigChange) -> bool {
        let mut after = self.clone();
        after.apply(self.last_seq, change);
        !self.approvers.is_empty() && after.approvers.is_empty()
    }

    /// Checks `change`'s approval: signed by an approver registered before it (not the
    /// actor), over this change at this point. Returns the approver, or what is wrong.
    pub fn check(
        &self,
        archive_key: &str,
        change: &ConfigChange,
        actor: Option<&str>,
    ) -> Result<String, String> {
        let Some(a) = &change.approval else {
            return Err("no approver signed it".into());
        };
        if Some(a.approver.as_str()) == actor {
            return Err(format!("{} approved their own change", a.approver));
        }
        let Some(key) = self.approvers.get(&a.approver) else {
            return Err(format!(
                "{} was not a registered approver before it",
                a.approver
            ));
        };
        if a.after_seq != self.last_seq || a.digest != change_digest(change) {
            return Err(format!(
                "{}'s approval is for another change (after settings record {}, change {})",
                a.approver, a.after_seq, a.digest
            ));
        }
        let key = crate::keys::parse_public_key(key).map_err(|e| e.to_string())?;
        let sig = hex::decode(&a.signature)
            .ok()
            .and_then(|b| Signature::from_slice(&b).ok());
        match sig {
            Some(s)
                if key
                    .verify_strict(&message(archive_key, a.after_seq, &a.digest), &s)
                    .is_ok() =>
            {
                Ok(a.approver.clone())
            }
            _ => Err(format!("the signature is not {}'s", a.approver)),
        }
    }

    /// An approver's signature over `change` at this point, with their own key (checked
    /// against the registered one first).
    pub fn sign(
        &self,
        archive_key: &str,
        change: &ConfigChange,
        approver: &str,
        key: &SigningKey,
    ) -> Result<ChangeApproval, ArchiveError> {
        let registered = self.approvers.get(approver).ok_or_else(|| {
            ArchiveError::Invalid(format!(
                "{approver} is not a registered approver of this archive"
            ))
        })?;
        if *registered != crate::keys::public_key_hex(&key.verifying_key()) {
            return Err(ArchiveError::Invalid(format!(
                "this key is not the one registered for {approver}"
            )));
        }
        let digest = change_digest(change);
        let sig = key.sign(&message(archive_key, self.last_seq, &digest));
        Ok(ChangeApproval {
            approver: approver.to_string(),
            after_seq: self.last_seq,
            digest,
            signature: hex::encode(sig.to_bytes()),
        })
    }
}

/// Every `config` record (seq, change), in chain order. A body that does not parse is
/// reported by the projection check; it is skipped here.
pub fn config_records(conn: &Connection) -> Result<Vec<(i64, ConfigChange)>, ArchiveError> {
    let mut stmt = conn.prepare("SELECT seq, body FROM records WHERE kind = ?1 ORDER BY seq")?;
    let rows = stmt.query_map([kind::CONFIG], |r| {
        Ok((r.get::<_, i64>(0)?, r.get::<_, Option<Vec<u8>>>(1)?))
    })?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, body) = row?;
        if let Some(c) = body.and_then(|b| serde_json::from_slice::<ConfigChange>(&b).ok()) {
            out.push((seq, c));
        }
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(seed: u8) -> SigningKey {
        SigningKey::from_bytes(&[seed; 32])
    }

    fn add(name: &str, k: &SigningKey) -> ConfigChange {
        ConfigChange {
            add_approvers: vec![(name.into(), crate::keys::public_key_hex(&k.verifying_key()))],
            ..ConfigChange::default()
        }
    }

    #[test]
    fn only_the_first_approver_is_one_persons_step() {
        let (bob, me2) = (key(1), key(2));
        let mut rules = Rules::default();
        assert!(matches!(
            rules.standing(&add("bob", &bob)),
            Standing::Bootstrap(_)
        ));
        rules.apply(3, &add("bob", &bob));
        // Lowering the share stays one person's; raising it, or a second key, does not.
        let lower = ConfigChange {
            expire_max_share: Some(0.01),
            ..ConfigChange::default()
        };
        assert_eq!(rules.standing(&lower), Standing::OnePerson);
        let raise = ConfigChange {
            expire_max_share: Some(1.0),
            ..ConfigChange::default()
        };
        assert!(
            matches!(rules.standing(&raise), Standing::NeedsApproval(w) if w.contains("raises"))
        );
        let mut sneak = add("officer2", &me2);
        assert!(matches!(rules.standing(&sneak), Standing::NeedsApproval(_)));
        // The would-be approver cannot sign their own registration; bob can, once.
        assert!(rules.sign("k", &sneak, "officer2", &me2).is_err());
        sneak.approval = Some(rules.sign("k", &sneak, "bob", &bob).unwrap());
        assert_eq!(rules.check("k", &sneak, Some("officer")), Ok("bob".into()));
        assert!(rules.check("k", &sneak, Some("bob")).is_err());
        assert!(rules
            .check("other-archive", &sneak, Some("officer"))
            .is_err());
        // Bound to the change and the point: not another change, not after another record.
        let mut other = add("officer3", &me2);
        other.approval = sneak.approval.clone();
        assert!(rules.check("k", &other, Some("officer")).is_err());
        rules.apply(9, &lower);
        assert!(rules.check("k", &sneak, Some("officer")).is_err());
        // Removing every approver does not reopen the bootstrap.
        let gone = ConfigChange {
            remove_approvers: vec!["bob".into()],
            ..ConfigChange::default()
        };
        assert!(rules.leaves_no_approver(&gone));
        rules.apply(10, &gone);
        assert!(matches!(
            rules.standing(&add("officer2", &me2)),
            Standing::NeedsApproval(_)
        ));
    }
}
