//! The private keys of every `publickey_ver`, read from directories (plain files, or a
//! Kubernetes Secret mounted as a volume: one file per key, `..data` symlinks skipped).
//!
//! A file's name gives its version: `3`, `3.pem`, `v3`, `v3.pem` or `publickey_ver_3.pem`.
//! PKCS#1 (`BEGIN RSA PRIVATE KEY`, what WeCom's documentation generates) and PKCS#8 are
//! accepted. A version missing at decryption time makes the ring re-read its directories
//! once (a rotated Secret shows up without a restart) before the message is dead-lettered.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPrivateKey;
use rsa::pkcs8::DecodePrivateKey;
use rsa::PrivateKey;

/// Why a message's random key could not be recovered.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("no private key for publickey_ver {0}: install it (docs/CAPTURE.md, keys)")]
    UnknownVersion(u32),
    #[error("encrypt_random_key is not base64")]
    NotBase64,
    #[error("RSA decryption of encrypt_random_key with the key of publickey_ver {0} failed (wrong key for this version?)")]
    Rsa(u32),
}

impl KeyError {
    /// Dead-letter reason code (a metric label).
    pub fn code(&self) -> &'static str {
        match self {
            KeyError::UnknownVersion(_) => "unknown_publickey_ver",
            KeyError::NotBase64 | KeyError::Rsa(_) => "rsa_decrypt_failed",
        }
    }
}

pub struct KeyRing {
    dirs: Vec<PathBuf>,
    keys: BTreeMap<u32, PrivateKey>,
}

impl KeyRing {
    /// Loads every key of `dirs`; every problem found is reported at once.
    pub fn load(dirs: &[PathBuf]) -> Result<KeyRing, Vec<String>> {
        let keys = read_dirs(dirs)?;
        if keys.is_empty() {
            let names: Vec<String> = dirs.iter().map(|d| d.display().to_string()).collect();
            return Err(vec![format!(
                "private_keys_dir: no private key found in {}",
                names.join(", ")
            )]);
        }
        Ok(KeyRing {
            dirs: dirs.to_vec(),
            keys,
        })
    }

    pub fn versions(&self) -> Vec<u32> {
        self.keys.keys().copied().collect()
    }

    pub fn has(&self, ver: u32) -> bool {
        self.keys.contains_key(&ver)
    }

    /// Re-reads the directories (after a key rotation); keeps the old ring when the new
    /// one has problems.
    pub fn reload(&mut self) {
        match read_dirs(&self.dirs) {
            Ok(keys) if !keys.is_empty() => {
                if keys.len() != self.keys.len() {
                    tracing::info!(versions = ?keys.keys().collect::<Vec<_>>(), "private keys reloaded");
                }
                self.keys = keys;
            }
            Ok(_) => tracing::warn!("key reload found no keys; keeping the loaded ones"),
            Err(errors) => tracing::warn!(?errors, "key reload failed; keeping the loaded ones"),
        }
    }

    /// The message's random key: `encrypt_random_key` (base64) RSA-decrypted (PKCS#1 v1.5)
    /// with the private key of `ver`.
    pub fn random_key(&self, ver: u32, encrypted_b64: &str) -> Result<String, KeyError> {
        let key = self.keys.get(&ver).ok_or(KeyError::UnknownVersion(ver))?;
        let ct = B64
            .decode(encrypted_b64.trim())
            .map_err(|_| KeyError::NotBase64)?;
        let pt = key.pkcs1v15_decrypt(&ct).map_err(|_| KeyError::Rsa(ver))?;
        String::from_utf8(pt).map_err(|_| KeyError::Rsa(ver))
    }
}

fn read_dirs(dirs: &[PathBuf]) -> Result<BTreeMap<u32, PrivateKey>, Vec<String>> {
    let mut keys = BTreeMap::new();
    let mut errors = Vec::new();
    for dir in dirs {
        let entries = match std::fs::read_dir(dir) {
            Ok(e) => e,
            Err(e) => {
                errors.push(format!("private_keys_dir {}: {e}", dir.display()));
                continue;
            }
        };
        let mut paths: Vec<PathBuf> = entries.filter_map(|e| e.ok().map(|e| e.path())).collect();
        paths.sort();
        for path in paths {
            let Some(name) = path.file_name().and_then(|n| n.to_str()) else {
                continue;
            };
            // Hidden files and a Secret volume's `..data` / `..2024_…` entries.
            if name.starts_with('.') || name.ends_with(".pub.pem") || path.is_dir() {
                continue;
            }
            let Some(ver) = version_of(name) else {
                errors.push(format!(
                    "{}: the file name must give the key version (e.g. v3.pem)",
                    path.display()
                ));
                continue;
            };
            match read_key(&path) {
                Ok(k) => {
                    if keys.insert(ver, k).is_some() {
                        errors.push(format!(
                            "{}: a second key for version {ver}",
                            path.display()
                        ));
                    }
                }
                Err(e) => errors.push(e),
            }
        }
    }
    if errors.is_empty() {
        Ok(keys)
    } else {
        Err(errors)
    }
}

/// `3`, `3.pem`, `v3`, `v3.key`, `publickey_ver_3.pem` → 3.
pub fn version_of(file_name: &str) -> Option<u32> {
    let stem = file_name
        .strip_suffix(".pem")
        .or_else(|| file_name.strip_suffix(".key"))
        .unwrap_or(file_name);
    let digits = stem
        .strip_prefix("publickey_ver_")
        .or_else(|| stem.strip_prefix('v'))
        .unwrap_or(stem);
    digits.parse().ok()
}

fn read_key(path: &Path) -> Result<PrivateKey, String> {
    let pem = std::fs::read_to_string(path).map_err(|e| format!("{}: {e}", path.display()))?;
    PrivateKey::from_pkcs1_pem(&pem)
        .or_else(|_| PrivateKey::from_pkcs8_pem(&pem))
        .map_err(|_| {
            format!(
                "{}: not an RSA private key in PEM (PKCS#1 or PKCS#8)",
                path.display()
            )
        })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fixture_keys() -> PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR")).join("../../fixtures/capture/keys")
    }

    #[test]
    fn versions_from_file_names() {
        assert_eq!(version_of("3"), Some(3));
        assert_eq!(version_of("3.pem"), Some(3));
        assert_eq!(version_of("v12.pem"), Some(12));
        assert_eq!(version_of("v2.key"), Some(2));
        assert_eq!(version_of("publickey_ver_7.pem"), Some(7));
        assert_eq!(version_of("README.md"), None);
        assert_eq!(version_of("bulk-v1.pem"), None);
    }

    #[test]
    fn loads_a_secret_like_dir_and_rotates() {
        let dir = tempfile::tempdir().unwrap();
        let k = fixture_keys();
        std::fs::copy(k.join("v1.pem"), dir.path().join("v1.pem")).unwrap();
        std::fs::create_dir(dir.path().join("..2026_01_01")).unwrap();
        std::fs::write(dir.path().join(".hidden"), "x").unwrap();
        let mut ring = KeyRing::load(&[dir.path().to_path_buf()]).unwrap();
        assert_eq!(ring.versions(), vec![1]);
        assert!(!ring.has(2));
        std::fs::copy(k.join("v2.pem"), dir.path().join("2")).unwrap();
        ring.reload();
        assert_eq!(ring.versions(), vec![1, 2]);
    }

    #[test]
    fn recovers_the_random_key_and_names_what_fails() {
        use rsa::pkcs8::DecodePublicKey;
        let dir = tempfile::tempdir().unwrap();
        let k = fixture_keys();
        std::fs::copy(k.join("bulk-v1.pem"), dir.path().join("v1.pem")).unwrap();
        let ring = KeyRing::load(&[dir.path().to_path_buf()]).unwrap();
        let pem = std::fs::read_to_string(k.join("bulk-v1.pub.pem")).unwrap();
        let public = rsa::PublicKey::from_public_key_pem(&pem).unwrap();
        let wrapped = B64.encode(
            public
                .pkcs1v15_encrypt(b"0123456789abcdefghijKLMNOPQRSTUV")
                .unwrap(),
        );
        assert_eq!(
            ring.random_key(1, &wrapped).unwrap(),
            "0123456789abcdefghijKLMNOPQRSTUV"
        );
        assert_eq!(
            ring.random_key(4, &wrapped),
            Err(KeyError::UnknownVersion(4))
        );
        assert_eq!(ring.random_key(1, "%%%"), Err(KeyError::NotBase64));
        assert_eq!(
            ring.random_key(1, &B64.encode([7u8; 128])),
            Err(KeyError::Rsa(1))
        );
        assert_eq!(KeyError::UnknownVersion(4).code(), "unknown_publickey_ver");
    }

    #[test]
    fn every_problem_is_reported() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("v1.pem"), "not a key").unwrap();
        std::fs::write(dir.path().join("notes.txt"), "x").unwrap();
        let errs = KeyRing::load(&[dir.path().to_path_buf(), "/nonexistent".into()])
            .err()
            .unwrap();
        assert_eq!(errs.len(), 3, "{errs:?}");
        let empty = tempfile::tempdir().unwrap();
        let errs = KeyRing::load(&[empty.path().to_path_buf()]).err().unwrap();
        assert!(errs[0].contains("no private key"), "{errs:?}");
    }
}
