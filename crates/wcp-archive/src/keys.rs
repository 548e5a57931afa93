//! Signing keys on disk: 64 hex characters (the Ed25519 seed), public keys likewise.

use std::path::Path;

pub use ed25519_dalek::{SigningKey, VerifyingKey};

use crate::error::ArchiveError;

fn parse32(text: &str, what: &str) -> Result<[u8; 32], ArchiveError> {
    let bytes =
        hex::decode(text.trim()).map_err(|e| ArchiveError::InvalidKey(format!("{what}: {e}")))?;
    bytes.try_into().map_err(|_| {
        ArchiveError::InvalidKey(format!("{what}: expected 32 bytes as 64 hex characters"))
    })
}

pub fn parse_signing_key(text: &str) -> Result<SigningKey, ArchiveError> {
    Ok(SigningKey::from_bytes(&parse32(text, "signing key")?))
}

pub fn parse_public_key(text: &str) -> Result<VerifyingKey, ArchiveError> {
    VerifyingKey::from_bytes(&parse32(text, "public key")?)
        .map_err(|e| ArchiveError::InvalidKey(format!("public key: {e}")))
}

/// The form auditors receive and `--public-key` files hold.
pub fn public_key_hex(key: &VerifyingKey) -> String {
    hex::encode(key.as_bytes())
}

pub fn load_signing_key(path: &Path) -> Result<SigningKey, ArchiveError> {
    parse_signing_key(&std::fs::read_to_string(path)?)
}

pub fn load_public_key(path: &Path) -> Result<VerifyingKey, ArchiveError> {
    parse_public_key(&std::fs::read_to_string(path)?)
}

/// A fresh key from the operating system's random source.
pub fn generate_signing_key() -> Result<SigningKey, ArchiveError> {
    let mut seed = [0u8; 32];
    getrandom::fill(&mut seed)
        .map_err(|e| ArchiveError::InvalidKey(format!("no randomness: {e}")))?;
    Ok(SigningKey::from_bytes(&seed))
}

/// Loads the key at `path`, creating it (mode 0600 on Unix) when it does not exist yet.
pub fn load_or_create_signing_key(path: &Path) -> Result<SigningKey, ArchiveError> {
    if path.exists() {
        return load_signing_key(path);
    }
    let key = generate_signing_key()?;
    create_secret_file(path, &format!("{}\n", hex::encode(key.to_bytes())))?;
    Ok(key)
}

/// Writes a new secret file (a signing, review or tenant key): created, never overwritten
/// (`create_new`: an existing file is an error, so no command replaces a key it did not
/// write), readable by its owner only (0600 on Unix) from the first byte. Every key file of
/// wcp is written here.
pub fn create_secret_file(path: &Path, text: &str) -> std::io::Result<()> {
    let mut opts = std::fs::OpenOptions::new();
    opts.write(true).create_new(true);
    #[cfg(unix)]
    {
        use std::os::unix::fs::OpenOptionsExt;
        opts.mode(0o600);
    }
    use std::io::Write;
    opts.open(path)?.write_all(text.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn secret_files_are_new_and_private() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("k");
        create_secret_file(&p, "abc\n").unwrap();
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abc\n");
        #[cfg(unix)]
        {
            use std::os::unix::fs::PermissionsExt;
            let mode = std::fs::metadata(&p).unwrap().permissions().mode();
            assert_eq!(mode & 0o777, 0o600);
        }
        let err = create_secret_file(&p, "other").unwrap_err();
        assert_eq!(err.kind(), std::io::ErrorKind::AlreadyExists);
        assert_eq!(std::fs::read_to_string(&p).unwrap(), "abc\n");
    }

    #[test]
    fn created_key_loads_back() {
        let dir = tempfile::tempdir().unwrap();
        let path = dir.path().join("k");
        let a = load_or_create_signing_key(&path).unwrap();
        let b = load_or_create_signing_key(&path).unwrap();
        assert_eq!(a.to_bytes(), b.to_bytes());
        let public = hex::encode(a.verifying_key().as_bytes());
        assert_eq!(parse_public_key(&public).unwrap(), a.verifying_key());
        assert!(parse_public_key("abcd").is_err());
    }
}
