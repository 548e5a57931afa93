//! The archive volume's problems said with the file, the region and the fix (trial 17a D15,
//! D16): a read-only volume at start stops the archiver naming `archive_dir` and the file
//! (it exited 1 with SQLite's "unable to open database file"); a full or read-only volume
//! mid-stream is retried (`retry`: nothing is committed to Kafka past what an archive holds,
//! and writing resumes when space returns, issue 17 item 7), and the retry message names the
//! region's file and the fix instead of "sqlite: database or disk is full".

use std::path::Path;

use wcp_archive::storage::Storage;
use wcp_archive::ArchiveError;
use wcp_runtime::RuntimeError;

/// The fix for `s`, as the archiver's operator applies it.
pub fn advice(s: Storage) -> &'static str {
    match s {
        Storage::Full => {
            "the archive volume is full: give it more space (Kubernetes: expand the \
             PersistentVolumeClaim) or free some; writing resumes by itself, nothing is lost \
             (the batch's transaction left nothing and no Kafka offset past it is committed)"
        }
        Storage::TooLarge => {
            "the file reached the process's file-size limit (ulimit -f, systemd LimitFSIZE): \
             raise it; writing resumes by itself, nothing is lost"
        }
        Storage::ReadOnly => {
            "the archive volume is read-only or not writable by this user: mount it \
             read-write (Kubernetes: the archive volume must not be readOnly) or set \
             archive_dir (WCP_ARCHIVE_DIR) to a writable folder; wcp archive verify, search \
             and export read a read-only copy"
        }
    }
}

/// At start: `dir` and every archive file in it can be written; else a fatal error naming
/// the file, read-only and the fix.
pub fn check_writable(dir: &Path) -> Result<(), RuntimeError> {
    if !dir.exists() {
        // Created by `Writer::open`; a read-only parent fails there (EROFS, said below).
        return Ok(());
    }
    let mut files = vec![dir.to_path_buf()];
    if let Ok(entries) = std::fs::read_dir(dir) {
        let mut names: Vec<_> = entries
            .filter_map(Result::ok)
            .map(|e| e.path())
            .filter(|p| {
                let n = p.file_name().and_then(|n| n.to_str()).unwrap_or_default();
                n.starts_with("archive-")
                    && (n.ends_with(".db") || n.ends_with(".db-wal") || n.ends_with(".db-shm"))
            })
            .collect();
        names.sort();
        files.extend(names);
    }
    for f in files {
        if let Some(e) = wcp_runtime::private_files::not_writable(&f) {
            return Err(RuntimeError::Fatal(format!(
                "archive_dir {}: {} cannot be written ({e}): {}",
                dir.display(),
                f.display(),
                advice(Storage::ReadOnly)
            )));
        }
    }
    Ok(())
}

/// `Writer::open`'s error, with the fix when the storage caused it.
pub fn open_failed(dir: &Path, e: &ArchiveError) -> RuntimeError {
    let limited = wcp_runtime::shutdown::file_size_limit().is_some();
    match e.storage(limited) {
        Some(s) => {
            RuntimeError::Fatal(format!("archive_dir {}: {e}: {}", dir.display(), advice(s)))
        }
        None => RuntimeError::Fatal(format!("archive {}: {e}", dir.display())),
    }
}

/// A failed write as the retry loop says it: which region's file, the error, and the fix
/// when the storage caused it.
pub fn write_failed(at: Option<String>, e: &ArchiveError) -> String {
    let limited = wcp_runtime::shutdown::file_size_limit().is_some();
    let at = at.map(|a| format!("{a}: ")).unwrap_or_default();
    match e.storage(limited) {
        Some(s) => format!("{at}{e}: {}", advice(s)),
        None => format!("{at}{e}"),
    }
}
