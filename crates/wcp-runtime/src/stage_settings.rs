//! Settings of the services that read the pipeline policy and the tenant key. The runtime
//! carries paths and bytes only: the service passes the loader and parser of `wcp_stages`
//! (`Policy::load`, `TenantKey::parse`), so this crate does not depend on the stages.

use std::fmt::Display;
use std::path::{Path, PathBuf};

use crate::config::{secret, Settings};
use crate::error::RuntimeError;

/// The policy of `file` (or the built-in one) through `load`; a bad file is a configuration
/// error (exit 2). Acknowledged non-compliant settings (`warnings`) are logged at every start.
pub fn load_policy<P, E: Display>(
    file: Option<&Path>,
    load: impl FnOnce(Option<&Path>) -> Result<P, E>,
    warnings: impl FnOnce(&P) -> Vec<String>,
) -> Result<P, RuntimeError> {
    let policy = load(file).map_err(|e| RuntimeError::Config(vec![format!("policy_file: {e}")]))?;
    for w in warnings(&policy) {
        tracing::warn!(policy = %w, "non-compliant policy setting");
    }
    Ok(policy)
}

/// The tenant key: the bytes of `anon_key_file`, else `$WCP_ANON_KEY`, through `parse`
/// (which is given the source to name in its errors).
pub fn tenant_key<K, E: Display>(
    anon_key_file: Option<&Path>,
    parse: impl FnOnce(&[u8], &str) -> Result<K, E>,
) -> Result<K, RuntimeError> {
    let text = tenant_key_bytes(anon_key_file)?;
    let origin = match anon_key_file {
        Some(f) => format!("anon_key_file {}", f.display()),
        None => "WCP_ANON_KEY".to_string(),
    };
    parse(&text, &origin).map_err(|e| RuntimeError::Config(vec![e.to_string()]))
}

/// The tenant key's bytes; a missing file names the setting and what belongs there.
fn tenant_key_bytes(anon_key_file: Option<&Path>) -> Result<Vec<u8>, RuntimeError> {
    secret(
        anon_key_file,
        "anon_key_file",
        "WCP_ANON_KEY",
        "the tenant key",
    )
    .map_err(|e| match e {
        RuntimeError::Config(list) if anon_key_file.is_some() => RuntimeError::Config(
            list.into_iter()
                .map(|m| {
                    format!(
                        "{m}; mount the tenant key there (hex, the anonymiser's, so pseudonyms \
                         agree) or point anon_key_file (WCP_ANON_KEY_FILE) at it"
                    )
                })
                .collect(),
        ),
        e => e,
    })
}

/// `policy_file` and the tenant key (`anon_key_file`, else `WCP_ANON_KEY`).
#[derive(Debug, Clone, Default)]
pub struct PolicyKeySettings {
    pub policy_file: Option<PathBuf>,
    pub anon_key_file: Option<PathBuf>,
}

impl PolicyKeySettings {
    /// See [`load_policy`].
    pub fn policy<P, E: Display>(
        &self,
        load: impl FnOnce(Option<&Path>) -> Result<P, E>,
        warnings: impl FnOnce(&P) -> Vec<String>,
    ) -> Result<P, RuntimeError> {
        load_policy(self.policy_file.as_deref(), load, warnings)
    }

    /// See [`tenant_key`].
    pub fn tenant_key<K, E: Display>(
        &self,
        parse: impl FnOnce(&[u8], &str) -> Result<K, E>,
    ) -> Result<K, RuntimeError> {
        tenant_key(self.anon_key_file.as_deref(), parse)
    }
}

impl Settings for PolicyKeySettings {
    const KEYS: &'static [&'static str] = &["policy_file", "anon_key_file"];
    const ENV: &'static [&'static str] = &["WCP_ANON_KEY"];
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "policy_file" => self.policy_file = Some(PathBuf::from(v)),
            "anon_key_file" => self.anon_key_file = Some(PathBuf::from(v)),
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }

    /// A missing or unreadable key is a configuration error at start-up (exit 2), before
    /// anything connects.
    fn check(&self) -> Vec<String> {
        match tenant_key_bytes(self.anon_key_file.as_deref()) {
            Err(RuntimeError::Config(list)) => list,
            _ => Vec::new(),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn key_file_named_in_parse_errors_and_policy_errors_are_config() {
        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("k");
        std::fs::write(&f, b"zz").unwrap();
        let e =
            tenant_key(Some(&f), |_, origin| Err::<(), _>(format!("{origin}: bad"))).unwrap_err();
        assert!(
            matches!(&e, RuntimeError::Config(l) if l[0].starts_with("anon_key_file ")),
            "{e:?}"
        );
        let got = tenant_key(Some(&f), |b, _| Ok::<_, String>(b.to_vec())).unwrap();
        assert_eq!(got, b"zz");
        let missing = dir.path().join("none");
        let e = tenant_key(Some(&missing), |b, _| Ok::<_, String>(b.to_vec())).unwrap_err();
        assert!(matches!(e, RuntimeError::Config(_)));
        let e = load_policy(None, |_| Err::<(), _>("broken"), |_| Vec::new()).unwrap_err();
        assert!(matches!(&e, RuntimeError::Config(l) if l[0] == "policy_file: broken"));
        let s = PolicyKeySettings {
            anon_key_file: Some(missing),
            ..Default::default()
        };
        assert_eq!(s.check().len(), 1);
    }
}
