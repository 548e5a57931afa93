//! Sign-in sessions. The browser holds a random token (cookie); the store keeps only its
//! SHA-256, the person's name and role at sign-in, a CSRF token for its forms and an expiry.

use rusqlite::{params, OptionalExtension};
use sha2::{Digest, Sha256};

use crate::db::ConsoleStore;
use crate::error::ReviewError;
use crate::roles::Role;

#[derive(Debug, Clone, PartialEq)]
pub struct Session {
    pub username: String,
    pub role: Role,
    pub csrf: String,
    pub expires_ms: i64,
}

pub fn random_token() -> Result<String, ReviewError> {
    let mut b = [0u8; 32];
    getrandom::fill(&mut b).map_err(|e| ReviewError::Key(format!("no randomness: {e}")))?;
    Ok(hex::encode(b))
}

fn token_hash(token: &str) -> Vec<u8> {
    Sha256::digest(token.as_bytes()).to_vec()
}

/// Starts a session; returns the token for the cookie.
pub fn start(
    store: &ConsoleStore,
    username: &str,
    role: Role,
    now_ms: i64,
    ttl_ms: i64,
) -> Result<(String, Session), ReviewError> {
    let token = random_token()?;
    let s = Session {
        username: username.to_string(),
        role,
        csrf: random_token()?,
        expires_ms: now_ms + ttl_ms,
    };
    store.store.conn().execute(
        "INSERT INTO sessions (token_hash, username, role, csrf, created_ms, expires_ms) VALUES (?1, ?2, ?3, ?4, ?5, ?6)",
        params![token_hash(&token), s.username, role.as_str(), s.csrf, now_ms, s.expires_ms],
    )?;
    Ok((token, s))
}

/// The live session of a token (not ended, not expired).
pub fn find(
    store: &ConsoleStore,
    token: &str,
    now_ms: i64,
) -> Result<Option<Session>, ReviewError> {
    if token.len() != 64 || !token.bytes().all(|b| b.is_ascii_hexdigit()) {
        return Ok(None);
    }
    let row: Option<(String, String, String, i64)> = store
        .store
        .conn()
        .prepare_cached(
            "SELECT username, role, csrf, expires_ms FROM sessions WHERE token_hash = ?1 AND ended_ms IS NULL AND expires_ms > ?2",
        )?
        .query_row(params![token_hash(token), now_ms], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
        .optional()?;
    Ok(row.and_then(|(username, role, csrf, expires_ms)| {
        Role::parse(&role).map(|role| Session {
            username,
            role,
            csrf,
            expires_ms,
        })
    }))
}

pub fn end(store: &ConsoleStore, token: &str, now_ms: i64) -> Result<(), ReviewError> {
    store.store.conn().execute(
        "UPDATE sessions SET ended_ms = ?1 WHERE token_hash = ?2 AND ended_ms IS NULL",
        params![now_ms, token_hash(token)],
    )?;
    Ok(())
}

/// Ends every session of a person (password change, account disabled).
pub fn end_all(store: &ConsoleStore, username: &str, now_ms: i64) -> Result<(), ReviewError> {
    store.store.conn().execute(
        "UPDATE sessions SET ended_ms = ?1 WHERE username = ?2 AND ended_ms IS NULL",
        params![now_ms, username],
    )?;
    Ok(())
}

/// Constant-time comparison for CSRF tokens.
pub fn same_token(a: &str, b: &str) -> bool {
    a.len() == b.len()
        && a.bytes()
            .zip(b.bytes())
            .fold(0u8, |acc, (x, y)| acc | (x ^ y))
            == 0
}
