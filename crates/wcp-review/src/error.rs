//! One error type at the crate boundary, classified for callers.

use thiserror::Error;

#[derive(Debug, Error)]
pub enum ReviewError {
    #[error("review store: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("review store record: {0}")]
    Json(#[from] serde_json::Error),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
    #[error("signing key: {0}")]
    Key(String),
    /// Encryption at rest: a missing or wrong store key (the message names file and fix).
    #[error("{0}")]
    Encryption(String),
    #[error("the store was signed with another key (its public key is {0})")]
    KeyMismatch(String),
    /// The action is not allowed in the item's state or for this person: shown to the user.
    #[error("{0}")]
    Refused(String),
    #[error("no such item")]
    NotFound,
    #[error("invalid input: {0}")]
    Invalid(String),
    #[error("password hashing: {0}")]
    Password(String),
}

impl ReviewError {
    /// Transient errors (a locked database) may be retried; the rest are not.
    pub fn is_transient(&self) -> bool {
        matches!(self, ReviewError::Sqlite(rusqlite::Error::SqliteFailure(e, _))
            if matches!(e.code, rusqlite::ErrorCode::DatabaseBusy | rusqlite::ErrorCode::DatabaseLocked))
    }
}
