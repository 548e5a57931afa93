//! The tenant pseudonymisation key as every runner loads it (`wcp run`, the anonymiser, the
//! archiver and the alerter), wherever it came from (a file or `WCP_ANON_KEY`): one parse,
//! `wcp_pii::anonymise::parse_key` (hex, trailing whitespace ignored, ≥ 128 bits; docs/PII.md),
//! with the source named in the error. An empty `WCP_ANON_KEY` is refused like any bad key.

use wcp_pii::anonymise::parse_key;

#[derive(Debug, thiserror::Error, PartialEq, Eq)]
#[error("tenant key from {origin}: {source}")]
pub struct KeyError {
    pub origin: String,
    pub source: wcp_pii::anonymise::KeyError,
}

#[derive(Clone, PartialEq, Eq)]
pub struct TenantKey(Vec<u8>);

impl TenantKey {
    /// `origin` names the source in errors (`file /run/secrets/k`, `WCP_ANON_KEY`).
    pub fn parse(text: &[u8], origin: &str) -> Result<TenantKey, KeyError> {
        parse_key(text).map(TenantKey).map_err(|source| KeyError {
            origin: origin.to_string(),
            source,
        })
    }

    /// The text of a new key file: 32 random bytes in hex.
    pub fn new_file_text(random: &[u8; 32]) -> String {
        random.iter().map(|b| format!("{b:02x}")).collect()
    }

    /// The HMAC key bytes.
    pub fn as_bytes(&self) -> &[u8] {
        &self.0
    }
}

/// Never printed: the key is the only secret between a pseudonym and a person.
impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TenantKey(<{} bytes redacted>)", self.0.len())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_parse_with_the_source_named() {
        let hex = TenantKey::new_file_text(&[0xab; 32]);
        assert_eq!(hex.len(), 64);
        let k = TenantKey::parse(format!("{hex}\n").as_bytes(), "f").unwrap();
        assert_eq!(k.as_bytes(), &[0xab; 32]);
        let e = TenantKey::parse(b"", "WCP_ANON_KEY").unwrap_err();
        assert!(
            e.to_string().starts_with("tenant key from WCP_ANON_KEY: "),
            "{e}"
        );
        assert!(TenantKey::parse(b"not hex at all, not hex at all!!", "f").is_err());
        assert!(!format!("{k:?}").contains("ab"));
    }
}
