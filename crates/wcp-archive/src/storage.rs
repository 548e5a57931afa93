//! A write the storage refused: a full volume, a file-size limit, a read-only volume or
//! file. Told apart so the `wcp` CLI and the archiver say which one and the fix, not SQLite's
//! "attempt to write a readonly database" or a bare "No space left on device" (trial 17a
//! D15, D16). Pure: the caller says whether a file-size limit is set.

use crate::ArchiveError;

/// Why a write failed, when it is the storage's fault.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Storage {
    /// ENOSPC, EDQUOT, SQLITE_FULL.
    Full,
    /// EFBIG: a file-size limit (`ulimit -f`, systemd `LimitFSIZE`).
    TooLarge,
    /// EROFS, SQLITE_READONLY, EACCES/EPERM on a file being written.
    ReadOnly,
}

/// Linux's numbers (no libc here; they never change).
const EPERM: i32 = 1;
const EACCES: i32 = 13;
const EFBIG: i32 = 27;
const ENOSPC: i32 = 28;
const EROFS: i32 = 30;
const EDQUOT: i32 = 122;

/// The storage problem of an I/O error, if it is one.
pub fn of_io(e: &std::io::Error) -> Option<Storage> {
    match e.raw_os_error()? {
        ENOSPC | EDQUOT => Some(Storage::Full),
        EFBIG => Some(Storage::TooLarge),
        EROFS | EACCES | EPERM => Some(Storage::ReadOnly),
        _ => None,
    }
}

/// SQLite's code for a storage problem; `limited`: a file-size limit is set, so a failed
/// write ("disk I/O error": SQLite does not tell EFBIG apart) is most likely that limit.
pub fn of_sqlite(e: &rusqlite::Error, limited: bool) -> Option<Storage> {
    let rusqlite::Error::SqliteFailure(f, _) = e else {
        return None;
    };
    match f.code {
        rusqlite::ErrorCode::DiskFull => Some(Storage::Full),
        rusqlite::ErrorCode::ReadOnly => Some(Storage::ReadOnly),
        rusqlite::ErrorCode::SystemIoFailure
            if limited && f.extended_code == rusqlite::ffi::SQLITE_IOERR_WRITE =>
        {
            Some(Storage::TooLarge)
        }
        _ => None,
    }
}

impl ArchiveError {
    /// The storage problem behind this error, if any (see [`of_sqlite`] for `limited`).
    pub fn storage(&self, limited: bool) -> Option<Storage> {
        match self {
            ArchiveError::Io(e) => of_io(e),
            ArchiveError::Sqlite(e) => of_sqlite(e, limited),
            _ => None,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn full_too_large_and_read_only_are_told_apart() {
        let io = |n| ArchiveError::Io(std::io::Error::from_raw_os_error(n));
        assert_eq!(io(28).storage(false), Some(Storage::Full));
        assert_eq!(io(27).storage(false), Some(Storage::TooLarge));
        assert_eq!(io(30).storage(false), Some(Storage::ReadOnly));
        assert_eq!(io(2).storage(false), None);
        let sqlite = |code| {
            ArchiveError::Sqlite(rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(code),
                None,
            ))
        };
        assert_eq!(
            sqlite(rusqlite::ffi::SQLITE_FULL).storage(false),
            Some(Storage::Full)
        );
        assert_eq!(
            sqlite(rusqlite::ffi::SQLITE_READONLY).storage(false),
            Some(Storage::ReadOnly)
        );
        assert_eq!(sqlite(rusqlite::ffi::SQLITE_CORRUPT).storage(true), None);
        let write = sqlite(rusqlite::ffi::SQLITE_IOERR_WRITE);
        assert_eq!(write.storage(true), Some(Storage::TooLarge));
        assert_eq!(write.storage(false), None);
    }
}
