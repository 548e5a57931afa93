//! Keyed pseudonyms that join and never collide, and the tenant key they are keyed with.
//!
//! A pseudonym is `ENTITY_` + the first 64 bits (16 hex characters) of
//! HMAC-SHA256(tenant key, entity ‖ 0 ‖ canonical value). 64 bits keep the chance of any
//! collision below one in a million up to ~6 million distinct values per entity (birthday
//! bound n²/2⁶⁵); 32 bits became likely past ~77,000.
//!
//! The value is put in canonical form first, so the same person written two ways joins:
//! phones in E.164 (`+86 138-1234-5678`, `008613812345678`, `１３８１２３４５６７８` and
//! `13812345678` are one number), card/account/id numbers as upper-case letters and digits
//! without separators, e-mail addresses lower-cased, names with case and spacing folded.
//!
//! The tenant key is text: hexadecimal, at least [`KEY_MIN_BYTES`] bytes (the tools create
//! 32), surrounding whitespace ignored so a trailing newline changes nothing; the HMAC key
//! is the decoded bytes. [`parse_key`] rejects anything else with the reason.

use crate::normalize::fold_char;
use hmac::{Hmac, KeyInit, Mac};
use sha2::Sha256;

/// Shortest tenant key accepted (128 bits).
pub const KEY_MIN_BYTES: usize = 16;

/// Why a tenant key was refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum KeyError {
    #[error("the key is empty (expected {min} or more bytes written as hexadecimal)", min = KEY_MIN_BYTES * 2)]
    Empty,
    #[error("character {pos} is not a hexadecimal digit (the key must be written in hex, e.g. 64 characters 0-9a-f)")]
    NotHex { pos: usize },
    #[error("odd number of hexadecimal digits ({len}): two per byte")]
    OddLength { len: usize },
    #[error("the key has {bytes} bytes; at least {min} are required", min = KEY_MIN_BYTES)]
    TooShort { bytes: usize },
}

/// Decode a tenant key file's (or `WCP_ANON_KEY`'s) text into the HMAC key bytes.
pub fn parse_key(text: &[u8]) -> Result<Vec<u8>, KeyError> {
    let t = text.trim_ascii();
    if t.is_empty() {
        return Err(KeyError::Empty);
    }
    if let Some(pos) = t.iter().position(|c| !c.is_ascii_hexdigit()) {
        return Err(KeyError::NotHex { pos: pos + 1 });
    }
    if t.len() % 2 == 1 {
        return Err(KeyError::OddLength { len: t.len() });
    }
    let bytes = hex::decode(t).map_err(|_| KeyError::NotHex { pos: 0 })?;
    if bytes.len() < KEY_MIN_BYTES {
        return Err(KeyError::TooShort { bytes: bytes.len() });
    }
    Ok(bytes)
}

/// `ENTITY_` + 16 hex characters, keyed by the tenant key, over the canonical value.
pub fn pseudonym(value: &str, entity: &str, tenant_key: &[u8]) -> String {
    let canon = canonical(entity, value);
    // HMAC accepts keys of any length, so this cannot fail.
    let mut mac =
        <Hmac<Sha256> as KeyInit>::new_from_slice(tenant_key).expect("HMAC takes any key length");
    mac.update(entity.as_bytes());
    mac.update(&[0]);
    mac.update(canon.as_bytes());
    let tag = mac.finalize().into_bytes();
    format!("{entity}_{}", hex::encode(&tag[..8]))
}

/// The form a value is keyed in: equal for every way of writing the same value.
pub fn canonical(entity: &str, value: &str) -> String {
    let folded: String = value.chars().map(fold_char).map(cn_digit).collect();
    match entity {
        "PHONE_NUMBER" => e164(&folded),
        "EMAIL_ADDRESS" => folded.trim().to_lowercase(),
        "PERSON" | "LOCATION" => folded
            .split_whitespace()
            .collect::<Vec<_>>()
            .join(" ")
            .trim_end_matches('.')
            .to_lowercase(),
        "WECHAT_ID" | "URL" => folded.trim().to_string(),
        // ids, cards, accounts: letters and digits only, upper case
        _ => folded
            .chars()
            .filter(|c| c.is_alphanumeric())
            .flat_map(char::to_uppercase)
            .collect(),
    }
}

/// Chinese numerals written for digits (`一三八…`, `幺` for one) fold to ASCII digits.
fn cn_digit(c: char) -> char {
    crate::normalize::numeral_digit(c).unwrap_or(c)
}

/// E.164 where the number says its country (`+…`, `00…`) or has a mainland China shape
/// (11-digit mobile `1[3-9]…`, `0`-trunk landline); other national numbers keep their
/// digits, which still join every spacing and punctuation of the same number.
fn e164(v: &str) -> String {
    let plus = v.trim_start().starts_with('+');
    let d: String = v.chars().filter(char::is_ascii_digit).collect();
    let b = d.as_bytes();
    if plus {
        format!("+{d}")
    } else if let Some(rest) = d.strip_prefix("00") {
        format!("+{rest}")
    } else if b.len() == 11 && b[0] == b'1' && (b'3'..=b'9').contains(&b[1]) {
        format!("+86{d}")
    } else if b.len() == 13 && d.starts_with("861") {
        format!("+{d}")
    } else if (10..=12).contains(&b.len()) && b[0] == b'0' && b[1] != b'0' {
        format!("+86{}", &d[1..])
    } else {
        d
    }
}
