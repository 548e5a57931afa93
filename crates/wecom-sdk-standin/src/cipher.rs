//! Encryption as the archive service delivers it: an RSA-wrapped random key per message and
//! the message encrypted with that key.

use aes::cipher::{block_padding::Pkcs7, BlockModeDecrypt, BlockModeEncrypt, KeyIvInit};
use base64::engine::general_purpose::STANDARD as B64;
use base64::Engine;
use rsa::pkcs1::DecodeRsaPublicKey;
use rsa::pkcs8::DecodePublicKey;
use rsa::PublicKey;

type Enc = cbc::Encryptor<aes::Aes256>;
type Dec = cbc::Decryptor<aes::Aes256>;

/// Reads a public key PEM (SPKI `PUBLIC KEY` or PKCS#1 `RSA PUBLIC KEY`).
pub fn public_key(pem: &str) -> Result<PublicKey, String> {
    PublicKey::from_public_key_pem(pem)
        .or_else(|_| PublicKey::from_pkcs1_pem(pem))
        .map_err(|e| format!("not an RSA public key: {e}"))
}

/// A fresh 32-character random key (letters and digits, as the real service's keys are).
pub fn random_key() -> Result<String, String> {
    const ALPHABET: &[u8] = b"abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789";
    let mut raw = [0u8; 32];
    getrandom::fill(&mut raw).map_err(|e| format!("getrandom: {e}"))?;
    Ok(raw
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

/// `encrypt_random_key`: base64 of the PKCS#1 v1.5 encryption of `key`.
pub fn wrap_key(public: &PublicKey, key: &str) -> Result<String, String> {
    let ct = public
        .pkcs1v15_encrypt(key.as_bytes())
        .map_err(|e| format!("RSA: {e}"))?;
    Ok(B64.encode(ct))
}

fn key_iv(key: &str) -> Option<([u8; 32], [u8; 16])> {
    let k: [u8; 32] = key.as_bytes().try_into().ok()?;
    let mut iv = [0u8; 16];
    iv.copy_from_slice(&k[..16]);
    Some((k, iv))
}

/// `encrypt_chat_msg`: base64 of AES-256-CBC(PKCS#7) of `msg` under `key`.
pub fn encrypt_msg(key: &str, msg: &[u8]) -> Option<String> {
    let (k, iv) = key_iv(key)?;
    let mut buf = vec![0u8; msg.len() + 16];
    buf[..msg.len()].copy_from_slice(msg);
    let ct = Enc::new(&k.into(), &iv.into())
        .encrypt_padded::<Pkcs7>(&mut buf, msg.len())
        .ok()?;
    Some(B64.encode(ct))
}

/// The inverse of [`encrypt_msg`]; `Err` is the SDK's return code.
pub fn decrypt_msg(key: &str, msg: &str) -> Result<Vec<u8>, i32> {
    // 10008: the key cannot be used at all; 10006: key and message do not match.
    let (k, iv) = key_iv(key).ok_or(10008)?;
    let mut buf = B64.decode(msg.trim()).map_err(|_| 10006)?;
    let pt = Dec::new(&k.into(), &iv.into())
        .decrypt_padded::<Pkcs7>(&mut buf)
        .map_err(|_| 10006)?;
    Ok(pt.to_vec())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_message_round_trips_and_a_wrong_key_fails() {
        let key = random_key().unwrap();
        assert_eq!(key.len(), 32);
        let ct = encrypt_msg(&key, "{\"msgid\":\"a\",\"text\":\"你好\"}".as_bytes()).unwrap();
        let pt = decrypt_msg(&key, &ct).unwrap();
        assert_eq!(pt, "{\"msgid\":\"a\",\"text\":\"你好\"}".as_bytes());
        let other = random_key().unwrap();
        assert_ne!(decrypt_msg(&other, &ct).ok(), Some(pt));
        assert_eq!(decrypt_msg("short", &ct), Err(10008));
    }
}
