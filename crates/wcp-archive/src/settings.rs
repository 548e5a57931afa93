//! Archive settings as chained `config` records: the share of the archive one expiry run
//! may remove without a second approver, and the approvers' public keys. The `settings`
//! table is their projection (checked by `verify`); changing a setting is audited.

use serde::{Deserialize, Serialize};

use crate::approvals::{ChangeApproval, Rules, Standing};
use crate::chain::kind;
use crate::error::ArchiveError;
use crate::Archive;

/// Default share of the archive's messages one expiry run may remove alone (5 %).
pub const DEFAULT_EXPIRE_MAX_SHARE: f64 = 0.05;

/// One change of settings (the body of a `config` record).
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct ConfigChange {
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub expire_max_share: Option<f64>,
    /// (name, hex Ed25519 public key) of approvers to add or replace.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub add_approvers: Vec<(String, String)>,
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub remove_approvers: Vec<String>,
    /// A registered approver's signature over this change, needed once an approver exists
    /// for raising the share or changing the approvers (`approvals.rs`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub approval: Option<crate::approvals::ChangeApproval>,
}

impl ConfigChange {
    /// The settings rows it writes; a removed approver keeps a row with an empty key.
    pub fn values(&self) -> Vec<(String, String)> {
        let mut out = Vec::new();
        if let Some(s) = self.expire_max_share {
            out.push(("expire_max_share".to_string(), s.to_string()));
        }
        for (name, key) in &self.add_approvers {
            out.push((format!("approver.{name}"), key.clone()));
        }
        for name in &self.remove_approvers {
            out.push((format!("approver.{name}"), String::new()));
        }
        out
    }

    fn check(&self) -> Result<(), ArchiveError> {
        if let Some(s) = self.expire_max_share {
            if !(0.0..=1.0).contains(&s) {
                return Err(ArchiveError::Invalid(format!(
                    "expire_max_share {s}: expected a share between 0 and 1"
                )));
            }
        }
        for (name, key) in &self.add_approvers {
            if name.is_empty() || name.contains(char::is_whitespace) {
                return Err(ArchiveError::Invalid(format!("approver name {name:?}")));
            }
            crate::keys::parse_public_key(key)?;
        }
        Ok(())
    }
}

impl Archive {
    /// Chains a settings change (writers only) and audits it. Under the two-person rule
    /// (`approvals.rs`) a change that loosens expiry or changes the approvers needs an
    /// approval signed by an approver registered before it; the first approver is one
    /// person's step, and the audit record says so.
    pub fn configure(&mut self, change: &ConfigChange, actor: &str) -> Result<(), ArchiveError> {
        crate::audit::check_actor(actor)?;
        change.check()?;
        self.write(|conn, chain, key| {
            // Read inside the write lock, from the chain (not the settings table, which a
            // hand edit could empty to look like a new archive).
            let rules = Rules::from_chain(conn)?;
            if rules.leaves_no_approver(change) {
                return Err(ArchiveError::Invalid(
                    "this change removes the last registered approver, after which no one could \
                     approve a change or a large expiry again: register another approver first"
                        .into(),
                ));
            }
            let rule = match rules.standing(change) {
                Standing::Bootstrap(what) => {
                    format!("bootstrap: no approver was registered, one person {what}")
                }
                Standing::OnePerson => "one person: loosens nothing".to_string(),
                Standing::NeedsApproval(what) => {
                    let archive_key = crate::approvals::archive_key(conn)?;
                    let by = rules
                        .check(&archive_key, change, Some(actor))
                        .map_err(|e| {
                            ArchiveError::NeedsApproval(format!(
                                "this change {what}: a registered approver other than {actor} must sign it \
                                 (wcp archive configure-approve with the same options), then pass --approval TOKEN; {e}"
                            ))
                        })?;
                    format!("approved by {by}: {what}")
                }
            };
            let seq = chain.append(conn, key, kind::CONFIG, "", &serde_json::to_vec(change)?)?;
            for (k, v) in change.values() {
                crate::project::setting(conn, seq, &k, &v)?;
            }
            let mut detail = serde_json::to_value(change)?;
            detail["rule"] = rule.into();
            crate::audit::append(conn, chain, key, actor, "configure", detail)?;
            Ok(())
        })
    }

    /// An approver's token for `change` (read-only: the approver needs no signing key of the
    /// archive, only their own).
    pub fn approve_change(
        &self,
        change: &ConfigChange,
        approver: &str,
        key: &ed25519_dalek::SigningKey,
    ) -> Result<ChangeApproval, ArchiveError> {
        crate::audit::check_actor(approver)?;
        change.check()?;
        let rules = Rules::from_chain(&self.conn)?;
        if let Standing::Bootstrap(_) | Standing::OnePerson = rules.standing(change) {
            return Err(ArchiveError::Invalid(
                "this change needs no approval: run `wcp archive configure` without a token".into(),
            ));
        }
        rules.sign(
            &crate::approvals::archive_key(&self.conn)?,
            change,
            approver,
            key,
        )
    }

    /// A setting's current value.
    pub fn setting(&self, key: &str) -> Result<Option<String>, ArchiveError> {
        use rusqlite::OptionalExtension;
        Ok(self
            .conn
            .query_row("SELECT value FROM settings WHERE key = ?1", [key], |r| {
                r.get(0)
            })
            .optional()?)
    }

    pub fn expire_max_share(&self) -> Result<f64, ArchiveError> {
        Ok(self
            .setting("expire_max_share")?
            .and_then(|v| v.parse().ok())
            .unwrap_or(DEFAULT_EXPIRE_MAX_SHARE))
    }

    /// The registered approver's public key, unless removed.
    pub fn approver_key(&self, name: &str) -> Result<Option<String>, ArchiveError> {
        Ok(self
            .setting(&format!("approver.{name}"))?
            .filter(|k| !k.is_empty()))
    }
}
