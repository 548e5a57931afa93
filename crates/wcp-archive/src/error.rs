//! The crate's one error type, classified so callers know whether to retry.

/// Why an archive operation failed.
#[derive(Debug, thiserror::Error)]
pub enum ArchiveError {
    #[error("sqlite: {0}")]
    Sqlite(#[from] rusqlite::Error),
    #[error("sqlite value: {0}")]
    FromSql(#[from] rusqlite::types::FromSqlError),
    #[error("i/o: {0}")]
    Io(#[from] std::io::Error),
    #[error("record encoding: {0}")]
    Json(#[from] serde_json::Error),
    #[error("zip: {0}")]
    Zip(#[from] zip::result::ZipError),
    /// The database was written by an incompatible version of this crate.
    #[error("archive schema: {0}")]
    Schema(String),
    /// The configured signing key does not match the public key published in the archive.
    #[error("signing key does not match the archive's published public key")]
    KeyMismatch,
    /// [`ArchiveError::KeyMismatch`] for a writer that knows where its key came from: names
    /// the setting, the file and the fix (`regions::wrong_signing_key`).
    #[error("{0}")]
    WrongSigningKey(String),
    /// Appending to the chain (ingest, audited reads, holds, expiry) needs the signing key.
    #[error("no signing key configured: the archive is read-only")]
    NoSigningKey,
    #[error("invalid key: {0}")]
    InvalidKey(String),
    /// Encryption at rest: a missing, wrong or unreadable database key (names file and fix).
    #[error(transparent)]
    Encryption(#[from] crate::at_rest::KeyError),
    #[error("invalid input: {0}")]
    Invalid(String),
    /// An encrypted file whose page 1 fails its HMAC under a key that its other pages prove
    /// right: damage or tampering, never a key problem (names the file and what to do).
    #[error("{0}")]
    PageOneDamaged(String),
    #[error("no such hold: {0}")]
    NoSuchHold(i64),
    /// The reader's pinned public key is not one this archive was signed with.
    #[error("wrong public key: the archive is signed by {archive}, not by the key you gave ({pinned}); either the key file is for another archive or region, or the archive was re-signed by someone else")]
    WrongKey { pinned: String, archive: String },
    /// The archive has published no key yet: it was just created and its writer has not
    /// committed its key and first signed checkpoint. Nothing is signed, so nothing can be
    /// checked — which is neither a failure nor a wrong key.
    #[error("not yet verifiable: no checkpoint yet (the archive has published no signing key; its writer has not committed its first batch)")]
    NotYetSigned,
    /// An operation that must not run over a tampered archive (expiry, release, purge).
    #[error("the archive fails verification, so nothing was changed: {0}. Run `wcp archive verify` for every problem")]
    NotVerified(String),
    /// Expiry beyond the configured share without a valid second approval.
    #[error("{0}")]
    NeedsApproval(String),
    /// The machine's clock is behind the archive's newest signed checkpoint (set back).
    #[error("{0}")]
    ClockBehind(String),
}

impl ArchiveError {
    /// True for failures worth retrying with the same input (busy/locked database, I/O, a
    /// full disk or file-size limit, a volume gone read-only: an operator can fix each while
    /// the writer waits, and a failed transaction left nothing behind); false for fatal ones
    /// (corruption, schema or key problems, bad input).
    pub fn is_transient(&self) -> bool {
        use rusqlite::ErrorCode;
        match self {
            ArchiveError::Sqlite(rusqlite::Error::SqliteFailure(e, _)) => matches!(
                e.code,
                ErrorCode::DatabaseBusy
                    | ErrorCode::DatabaseLocked
                    | ErrorCode::SystemIoFailure
                    | ErrorCode::DiskFull
                    | ErrorCode::ReadOnly
                    | ErrorCode::OutOfMemory
            ),
            ArchiveError::Io(e) => matches!(
                e.kind(),
                std::io::ErrorKind::Interrupted
                    | std::io::ErrorKind::WouldBlock
                    | std::io::ErrorKind::TimedOut
                    | std::io::ErrorKind::StorageFull
                    | std::io::ErrorKind::FileTooLarge
                    | std::io::ErrorKind::ReadOnlyFilesystem
            ),
            _ => false,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn busy_is_transient_corrupt_is_not() {
        let busy = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_BUSY),
            None,
        );
        assert!(ArchiveError::from(busy).is_transient());
        let corrupt = rusqlite::Error::SqliteFailure(
            rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_CORRUPT),
            None,
        );
        assert!(!ArchiveError::from(corrupt).is_transient());
        assert!(!ArchiveError::KeyMismatch.is_transient());
        let denied = std::io::Error::from(std::io::ErrorKind::PermissionDenied);
        assert!(!ArchiveError::from(denied).is_transient());
        let full = std::io::Error::from(std::io::ErrorKind::StorageFull);
        assert!(ArchiveError::from(full).is_transient());
        for code in [rusqlite::ffi::SQLITE_FULL, rusqlite::ffi::SQLITE_READONLY] {
            let e = rusqlite::Error::SqliteFailure(rusqlite::ffi::Error::new(code), None);
            assert!(ArchiveError::from(e).is_transient(), "{code}");
        }
        for errno in [28, 27, 30] {
            // ENOSPC, EFBIG (a file-size limit), EROFS (a volume remounted read-only)
            let e = std::io::Error::from_raw_os_error(errno);
            assert!(ArchiveError::from(e).is_transient(), "errno {errno}");
        }
    }
}
