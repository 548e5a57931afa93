//! An output wcp cannot write: a full volume, a file-size limit, a read-only volume or file
//! (`wcp_archive::storage` tells them apart). The error itself names the file (every writer
//! adds it as context, an archive with its region); this says which of the three it is and
//! what to do (trial 17a D15, D16).

use wcp_archive::storage::{of_io, of_sqlite, Storage};

/// The folder the command writes, once it is known (`wcp run --out`): where a "disk I/O
/// error" is checked against the free space.
static OUT: std::sync::OnceLock<std::path::PathBuf> = std::sync::OnceLock::new();

/// Says which folder the command writes (see [`problem`]).
pub fn writing_to(dir: &std::path::Path) {
    let _ = OUT.set(dir.to_path_buf());
}

/// Below this much free space a "disk I/O error" is taken for a full volume: SQLite names
/// ENOSPC on its shared-memory file (`-shm`) only as an I/O error, and opening an archive
/// passes it on as text (seen on a full tmpfs, 8 Dec 2026: `reading region hk's archive …:
/// disk I/O error`).
const NEARLY_FULL: u64 = 1 << 20;

/// The storage problem somewhere in `e`'s chain, if any.
pub fn problem(e: &anyhow::Error) -> Option<Storage> {
    let limited = wcp_runtime::shutdown::file_size_limit().is_some();
    let named = e.chain().find_map(|c| {
        if let Some(a) = c.downcast_ref::<wcp_archive::ArchiveError>() {
            return a.storage(limited);
        }
        if let Some(io) = c.downcast_ref::<std::io::Error>() {
            return of_io(io);
        }
        of_sqlite(c.downcast_ref::<rusqlite::Error>()?, limited)
    });
    named.or_else(|| {
        let io_error = e.chain().any(|c| c.to_string().contains("disk I/O error"));
        let nearly_full = OUT
            .get()
            .and_then(|d| wcp_runtime::private_files::free_bytes(d))
            .is_some_and(|free| free < NEARLY_FULL);
        (io_error && nearly_full).then_some(Storage::Full)
    })
}

/// What the problem is and the fix, said after the error (which names the file).
pub fn advice(s: Storage) -> &'static str {
    match s {
        Storage::Full => {
            "the volume holding the file named above is full: free space on it (or give it \
             more), or choose an output folder on another volume, then run the command again"
        }
        Storage::TooLarge => {
            "the file named above reached the process's file-size limit (ulimit -f, systemd \
             LimitFSIZE): raise the limit, then run the command again"
        }
        Storage::ReadOnly => {
            "the file named above cannot be written: its volume is mounted read-only, or the \
             file or its folder is not writable by this user. Mount it read-write (or fix the \
             permissions), or choose an output folder on a writable volume; reading \
             commands (wcp archive verify, search, export) work on a read-only archive"
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_storage_problem_is_found_under_the_context() {
        let io = |n| anyhow::Error::new(std::io::Error::from_raw_os_error(n)).context("writing x");
        assert_eq!(problem(&io(28)), Some(Storage::Full));
        assert_eq!(problem(&io(30)), Some(Storage::ReadOnly));
        assert_eq!(problem(&io(2)), None);
        let full = anyhow::Error::new(wcp_archive::ArchiveError::Sqlite(
            rusqlite::Error::SqliteFailure(
                rusqlite::ffi::Error::new(rusqlite::ffi::SQLITE_FULL),
                None,
            ),
        ))
        .context("opening region cn's archive out/archive-cn.db");
        assert_eq!(problem(&full), Some(Storage::Full));
    }
}
