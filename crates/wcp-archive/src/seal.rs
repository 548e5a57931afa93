//! Quarantine envelopes. Content held back by the consent gate is sealed to the quarantine
//! (DPO) public key with a libsodium sealed box (X25519 + XSalsa20-Poly1305, an ephemeral
//! sender key per message): the writer holds only the public key and cannot open what it
//! wrote; the data-protection officer's private key opens it for `quarantine release`.
//! Without a quarantine key the content is not kept at all (metadata only).

use base64::Engine;
use crypto_box::{PublicKey, SecretKey};
use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;

/// The public half, given to writers (`quarantine_public_key_file`).
#[derive(Clone)]
pub struct QuarantineKey(PublicKey);

/// The private half, held by the DPO only.
pub struct DpoKey(SecretKey);

/// What a sealed box holds: the content fields a quarantined record leaves empty.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct SealedContent {
    pub text: String,
    pub payload_json: String,
    pub raw_utf8: Option<String>,
    pub raw_hex: Option<String>,
    /// The clear ids the stored record names by pseudonym (`EnrichedEvent::sealed_ids`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub ids: Option<wcp_model::ClearIds>,
}

fn parse32(text: &str, what: &str) -> Result<[u8; 32], ArchiveError> {
    let bytes =
        hex::decode(text.trim()).map_err(|e| ArchiveError::InvalidKey(format!("{what}: {e}")))?;
    bytes.try_into().map_err(|_| {
        ArchiveError::InvalidKey(format!("{what}: expected 32 bytes as 64 hex characters"))
    })
}

impl QuarantineKey {
    pub fn parse(hex_text: &str) -> Result<QuarantineKey, ArchiveError> {
        Ok(QuarantineKey(PublicKey::from(parse32(
            hex_text,
            "quarantine public key",
        )?)))
    }

    pub fn load(path: &std::path::Path) -> Result<QuarantineKey, ArchiveError> {
        QuarantineKey::parse(&std::fs::read_to_string(path)?)
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.as_bytes())
    }

    /// The sealed box of `content`, base64 (standard alphabet, padded).
    pub fn seal(&self, content: &SealedContent) -> Result<String, ArchiveError> {
        let plain = serde_json::to_vec(content)?;
        let sealed = self
            .0
            .seal(&mut crypto_box::aead::OsRng, &plain)
            .map_err(|_| ArchiveError::InvalidKey("quarantine key: sealing failed".into()))?;
        Ok(base64::engine::general_purpose::STANDARD.encode(sealed))
    }
}

impl DpoKey {
    pub fn parse(hex_text: &str) -> Result<DpoKey, ArchiveError> {
        Ok(DpoKey(SecretKey::from(parse32(
            hex_text,
            "quarantine private key",
        )?)))
    }

    pub fn load(path: &std::path::Path) -> Result<DpoKey, ArchiveError> {
        DpoKey::parse(&std::fs::read_to_string(path)?)
    }

    /// A new key pair from the operating system's random source.
    pub fn generate() -> DpoKey {
        DpoKey(SecretKey::generate(&mut crypto_box::aead::OsRng))
    }

    pub fn to_hex(&self) -> String {
        hex::encode(self.0.to_bytes())
    }

    pub fn public(&self) -> QuarantineKey {
        QuarantineKey(self.0.public_key())
    }

    pub fn open(&self, sealed_b64: &str) -> Result<SealedContent, ArchiveError> {
        let sealed = base64::engine::general_purpose::STANDARD
            .decode(sealed_b64)
            .map_err(|e| ArchiveError::Invalid(format!("sealed content: {e}")))?;
        let plain = self.0.unseal(&sealed).map_err(|_| {
            ArchiveError::InvalidKey(
                "this quarantine private key does not open the sealed content".into(),
            )
        })?;
        Ok(serde_json::from_slice(&plain)?)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_the_dpo_key_opens_what_writers_seal() {
        let dpo = DpoKey::generate();
        let public = QuarantineKey::parse(&dpo.public().to_hex()).unwrap();
        let content = SealedContent {
            text: "手机 13812345678".into(),
            ..SealedContent::default()
        };
        let sealed = public.seal(&content).unwrap();
        assert!(!sealed.contains("13812345678"));
        assert_eq!(dpo.open(&sealed).unwrap(), content);
        // Every seal uses a fresh ephemeral key: equal content, different boxes.
        assert_ne!(public.seal(&content).unwrap(), sealed);
        assert!(DpoKey::generate().open(&sealed).is_err());
        let again = DpoKey::parse(&dpo.to_hex()).unwrap();
        assert_eq!(again.open(&sealed).unwrap(), content);
    }
}
