//! The archiver's own settings (beside the runtime's common keys).

use std::path::PathBuf;

use wcp_archive::seal::QuarantineKey;
use wcp_runtime::{PolicyKeySettings, RuntimeError, Settings};
use wcp_stages::key::TenantKey;
use wcp_stages::Policy;

/// How an operator sets `signing_key_file` (a config key, or its variable in the deployments),
/// for the errors about its key.
pub const SIGNING_KEY_SETTING: &str = "signing_key_file (WCP_SIGNING_KEY_FILE)";

/// `archive_dir` (one `archive-<region>.db` per residency region), `signing_key_file`
/// (default: the region's key in `archive_dir`), `quarantine_public_key_file`, `policy_file` (the anonymisation operators) and
/// the tenant key that reduces content without consent: `anon_key_file`, else
/// `$WCP_ANON_KEY`.
#[derive(Debug, Clone)]
pub struct ArchiverSettings {
    pub archive_dir: PathBuf,
    pub signing_key_file: Option<PathBuf>,
    /// The DPO's X25519 public key: quarantined content is sealed to it, else not kept.
    pub quarantine_public_key_file: Option<PathBuf>,
    /// Seconds between periodic verifications of each archive (`verify_interval_s`, default
    /// 6 h; `0` turns them off). The first runs as soon as an archive is found.
    pub verify_interval_s: u64,
    /// Older records re-verified per periodic run (`verify_sweep_records`, default 200,000;
    /// `0` = none): each run verifies what was appended since the last verified head plus the
    /// next window of older records, cycling, so every record is re-checked at least once
    /// per ceil(records / verify_sweep_records) runs.
    pub verify_sweep_records: u64,
    /// Start a new archive although `archive_dir` holds none and the group has committed
    /// offsets (`allow_new_archive`, default false: refused, `new_archive.rs`).
    pub allow_new_archive: bool,
    pub keys: PolicyKeySettings,
}

impl Default for ArchiverSettings {
    fn default() -> Self {
        ArchiverSettings {
            archive_dir: PathBuf::from("archive"),
            signing_key_file: None,
            quarantine_public_key_file: None,
            verify_interval_s: 6 * 3600,
            verify_sweep_records: 200_000,
            allow_new_archive: false,
            keys: PolicyKeySettings::default(),
        }
    }
}

impl Settings for ArchiverSettings {
    const KEYS: &'static [&'static str] = &[
        "archive_dir",
        "signing_key_file",
        "quarantine_public_key_file",
        "verify_interval_s",
        "verify_sweep_records",
        "allow_new_archive",
        "anon_key_file",
        "policy_file",
    ];
    /// The tenant key, the regions' signing keys (`WCP_ARCHIVE_KEY_<REGION>`,
    /// `wcp_archive::regions`) and their encryption keys (`wcp_archive::at_rest`).
    const ENV: &'static [&'static str] = &[
        "WCP_ANON_KEY",
        "WCP_ARCHIVE_KEY_*",
        "WCP_ARCHIVE_ENCRYPTION_KEY_*",
    ];

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "archive_dir" => self.archive_dir = PathBuf::from(v),
            "signing_key_file" => self.signing_key_file = Some(PathBuf::from(v)),
            "quarantine_public_key_file" => {
                self.quarantine_public_key_file = Some(PathBuf::from(v))
            }
            "verify_interval_s" => {
                self.verify_interval_s = v
                    .parse()
                    .map_err(|_| format!("not a whole number of seconds: {v:?}"))?
            }
            "verify_sweep_records" => {
                self.verify_sweep_records = v
                    .parse()
                    .map_err(|_| format!("not a whole number of records: {v:?}"))?
            }
            "allow_new_archive" => {
                self.allow_new_archive =
                    v.parse().map_err(|_| format!("not true or false: {v:?}"))?
            }
            _ => return self.keys.set(key, v),
        }
        Ok(())
    }

    /// The tenant key and the policy are needed before anything is consumed: a missing or
    /// malformed one is a configuration error at start-up (exit 2), not a failure after
    /// connecting.
    fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if let Err(RuntimeError::Config(list)) = self.tenant_key() {
            out.extend(list);
        }
        match Policy::load(self.keys.policy_file.as_deref()) {
            Ok(policy) => out.extend(region_var_problems(&policy)),
            Err(e) => out.push(format!("policy_file: {e}")),
        }
        if let Err(RuntimeError::Config(list)) = self.quarantine_key() {
            out.extend(list);
        }
        // Key files are read now, not when the first batch opens an archive: a missing
        // mounted secret is a configuration error (exit 2) that names the file and the fix.
        if let Some(f) = &self.signing_key_file {
            if let Err(e) = wcp_archive::keys::load_signing_key(f) {
                out.push(format!(
                    "signing_key_file {}: {e}; mount the archive's Ed25519 signing key there \
                     (64 hex characters), or unset {SIGNING_KEY_SETTING} to \
                     use archive_dir/archive-<region>.key",
                    f.display()
                ));
            }
        }
        for (var, value) in std::env::vars() {
            if var.starts_with("WCP_ARCHIVE_KEY_") {
                if let Err(e) = wcp_archive::keys::parse_signing_key(&value) {
                    out.push(format!("${var}: {e}"));
                }
            }
        }
        out.extend(wcp_archive::at_rest::env_key_problems(&["ARCHIVE"]));
        out
    }
}

/// Per-region variables whose `<REGION>` names no region of the policy (a typo such as
/// `WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM` would leave `cn` without its key in silence).
/// (`wcp run` makes the same check: `wcp_runtime::config_source::archive_region_var_problems`.)
fn region_var_problems(policy: &Policy) -> Vec<String> {
    wcp_runtime::config_source::archive_region_var_problems(&policy.retention.regions())
}

impl ArchiverSettings {
    /// The tenant key, parsed as `wcp run`, the anonymiser and the alerter do.
    pub fn tenant_key(&self) -> Result<TenantKey, RuntimeError> {
        self.keys.tenant_key(TenantKey::parse)
    }

    /// The DPO's public key, when configured.
    pub fn quarantine_key(&self) -> Result<Option<QuarantineKey>, RuntimeError> {
        let Some(p) = &self.quarantine_public_key_file else {
            return Ok(None);
        };
        QuarantineKey::load(p).map(Some).map_err(|e| {
            RuntimeError::Config(vec![format!(
                "quarantine_public_key_file {}: {e}",
                p.display()
            )])
        })
    }

    /// The pipeline policy (warnings logged).
    pub fn policy(&self) -> Result<Policy, RuntimeError> {
        self.keys.policy(Policy::load, Policy::warnings)
    }
}
