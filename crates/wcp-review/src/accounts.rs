//! Local and OpenID Connect accounts. Passwords are Argon2id PHC strings; every account
//! change is a chained `user` event (the `users` table is its projection).

use argon2::password_hash::phc::PasswordHash;
use argon2::password_hash::{PasswordHasher, PasswordVerifier};
use argon2::Argon2;
use rusqlite::{params, Connection, OptionalExtension};
use serde::{Deserialize, Serialize};

use crate::actions::valid_name;
use crate::chain::Head;
use crate::db::ConsoleStore;
use crate::error::ReviewError;
use crate::roles::Role;

pub const KIND_USER: &str = "user";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct User {
    pub username: String,
    pub role: Role,
    /// Queues (alert categories, `sample`, or `*`) a reviewer works.
    pub queues: Vec<String>,
    /// The one-time password must be replaced at the first sign-in.
    pub must_change: bool,
    pub disabled: bool,
    pub oidc_subject: Option<String>,
}

/// The body of a `user` event: the account as it is after the change, and who changed it.
#[derive(Clone, Serialize, Deserialize)]
pub struct UserRecord {
    pub user: User,
    pub password_hash: Option<String>,
    pub by: String,
    pub change: String,
}

pub fn hash_password(password: &str) -> Result<String, ReviewError> {
    Argon2::default()
        .hash_password(password.as_bytes())
        .map(|h| h.to_string())
        .map_err(|e| ReviewError::Password(e.to_string()))
}

pub fn check_password(phc: &str, password: &str) -> bool {
    match PasswordHash::new(phc) {
        Ok(parsed) => Argon2::default()
            .verify_password(password.as_bytes(), &parsed)
            .is_ok(),
        Err(_) => false,
    }
}

/// A random password of 20 characters from an unambiguous alphabet (~100 bits).
pub fn random_password() -> Result<String, ReviewError> {
    const ALPHABET: &[u8] = b"abcdefghjkmnpqrstuvwxyzABCDEFGHJKLMNPQRSTUVWXYZ23456789";
    let mut bytes = [0u8; 20];
    getrandom::fill(&mut bytes).map_err(|e| ReviewError::Key(format!("no randomness: {e}")))?;
    Ok(bytes
        .iter()
        .map(|b| ALPHABET[*b as usize % ALPHABET.len()] as char)
        .collect())
}

pub fn validate_password(p: &str) -> Result<(), ReviewError> {
    if p.chars().count() < 12 {
        return Err(ReviewError::Invalid(
            "a password needs at least 12 characters".into(),
        ));
    }
    Ok(())
}

fn record(
    conn: &Connection,
    head: &mut Head,
    rec: &UserRecord,
    now_ms: i64,
) -> Result<(), ReviewError> {
    head.append(conn, KIND_USER, now_ms, &serde_json::to_vec(rec)?)?;
    project(conn, rec, now_ms)
}

/// Writes one user event into the `users` projection (also used by `verify` to rebuild it).
pub(crate) fn project(conn: &Connection, rec: &UserRecord, now_ms: i64) -> Result<(), ReviewError> {
    let u = &rec.user;
    conn.execute(
        "INSERT INTO users (username, role, password_hash, oidc_subject, queues, must_change, disabled, created_ms)
         VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)
         ON CONFLICT (username) DO UPDATE SET role = excluded.role, password_hash = excluded.password_hash,
           oidc_subject = excluded.oidc_subject, queues = excluded.queues, must_change = excluded.must_change,
           disabled = excluded.disabled",
        params![u.username, u.role.as_str(), rec.password_hash, u.oidc_subject, u.queues.join(" "), u.must_change, u.disabled, now_ms],
    )?;
    Ok(())
}

pub fn count(store: &ConsoleStore) -> Result<u64, ReviewError> {
    Ok(store
        .store
        .conn()
        .query_row("SELECT COUNT(*) FROM users", [], |r| r.get::<_, i64>(0))? as u64)
}

/// Adds or replaces an account (`by` names who did it).
pub fn put(
    store: &mut ConsoleStore,
    user: User,
    password: Option<&str>,
    by: &str,
    change: &str,
    now_ms: i64,
) -> Result<(), ReviewError> {
    if !valid_name(&user.username) {
        return Err(ReviewError::Invalid(format!(
            "user name {:?}: letters, digits, . _ - @; at most 64",
            user.username
        )));
    }
    if let Some(bad) = user
        .queues
        .iter()
        .find(|q| !valid_name(q) && q.as_str() != "*")
    {
        return Err(ReviewError::Invalid(format!("queue name {bad:?}")));
    }
    let password_hash = match password {
        Some(p) => Some(hash_password(p)?),
        None => get_hash(store.store.conn(), &user.username)?,
    };
    let rec = UserRecord {
        user,
        password_hash,
        by: by.to_string(),
        change: change.to_string(),
    };
    store
        .store
        .write(now_ms, |conn, head| record(conn, head, &rec, now_ms))
}

/// Whether `password` is the account's password now: a new password equal to it (the
/// one-time password at the first sign-in) would keep the old one for good.
pub fn is_current_password(
    store: &ConsoleStore,
    username: &str,
    password: &str,
) -> Result<bool, ReviewError> {
    Ok(get_hash(store.store.conn(), username)?.is_some_and(|h| check_password(&h, password)))
}

fn get_hash(conn: &Connection, username: &str) -> Result<Option<String>, ReviewError> {
    Ok(conn
        .query_row(
            "SELECT password_hash FROM users WHERE username = ?1",
            [username],
            |r| r.get(0),
        )
        .optional()?
        .flatten())
}

fn row_to_user(r: &rusqlite::Row<'_>) -> rusqlite::Result<User> {
    let role: String = r.get(1)?;
    let queues: String = r.get(2)?;
    Ok(User {
        username: r.get(0)?,
        role: Role::parse(&role).unwrap_or(Role::Reviewer),
        queues: queues.split_whitespace().map(String::from).collect(),
        must_change: r.get(3)?,
        disabled: r.get(4)?,
        oidc_subject: r.get(5)?,
    })
}

const USER_COLS: &str = "username, role, queues, must_change, disabled, oidc_subject";

pub fn get(store: &ConsoleStore, username: &str) -> Result<Option<User>, ReviewError> {
    Ok(store
        .store
        .conn()
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE username = ?1"),
            [username],
            row_to_user,
        )
        .optional()?)
}

pub fn by_subject(store: &ConsoleStore, subject: &str) -> Result<Option<User>, ReviewError> {
    Ok(store
        .store
        .conn()
        .query_row(
            &format!("SELECT {USER_COLS} FROM users WHERE oidc_subject = ?1"),
            [subject],
            row_to_user,
        )
        .optional()?)
}

pub fn list(store: &ConsoleStore) -> Result<Vec<User>, ReviewError> {
    let mut stmt = store
        .store
        .conn()
        .prepare(&format!("SELECT {USER_COLS} FROM users ORDER BY username"))?;
    let rows = stmt.query_map([], row_to_user)?;
    Ok(rows.collect::<Result<_, _>>()?)
}

/// The account when `password` is right and the account is usable. Hashing runs for unknown
/// names too, so the answer's timing does not tell which names exist. An account linked to
/// an OpenID Connect identity signs in only there (a password it had before is not a way
/// past the provider).
pub fn authenticate(
    store: &ConsoleStore,
    username: &str,
    password: &str,
) -> Result<Option<User>, ReviewError> {
    static DUMMY: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    let hash = get_hash(store.store.conn(), username)?;
    let dummy = DUMMY.get_or_init(|| hash_password("not a password").unwrap_or_default());
    let ok = check_password(hash.as_deref().unwrap_or(dummy), password);
    if !ok || hash.is_none() {
        return Ok(None);
    }
    Ok(get(store, username)?.filter(|u| !u.disabled && u.oidc_subject.is_none()))
}

/// First start over a store with no accounts: one local investigator with a random
/// one-time password. Returns (name, password) when it created it.
pub fn bootstrap(
    store: &mut ConsoleStore,
    now_ms: i64,
) -> Result<Option<(String, String)>, ReviewError> {
    if count(store)? > 0 {
        return Ok(None);
    }
    let password = random_password()?;
    let user = User {
        username: "investigator".into(),
        role: Role::Investigator,
        queues: vec![],
        must_change: true,
        disabled: false,
        oidc_subject: None,
    };
    put(
        store,
        user,
        Some(&password),
        "wcp-review",
        "bootstrap",
        now_ms,
    )?;
    Ok(Some(("investigator".into(), password)))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_round_trip() {
        let h = hash_password("correct horse battery").unwrap();
        assert!(h.starts_with("$argon2id$"));
        assert!(check_password(&h, "correct horse battery"));
        assert!(!check_password(&h, "correct horse batterz"));
        assert!(!check_password("garbage", "x"));
        let p = random_password().unwrap();
        assert_eq!(p.len(), 20);
        assert_ne!(p, random_password().unwrap());
        assert!(validate_password("short").is_err());
    }
}
