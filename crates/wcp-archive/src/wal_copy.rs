//! A byte-exact copy of an archive's WAL, saved when a verification finds it damaged (trial
//! 15j D2): the damage can sit in a frame that only holds an older version of a page, and the
//! next checkpoint (the RUNBOOK's clean stop) copies the newer version into the database file
//! and drops the WAL with the altered frame — the only evidence of the reported change.

use std::io::Write;
use std::path::{Path, PathBuf};

use crate::at_rest::DAMAGED_WAL;
use crate::error::ArchiveError;

/// `archive-cn.db-wal.damaged-20261207T181500.123Z` beside `db`, for a copy made at `now_ms`.
pub fn damaged_wal_path(db: &Path, now_ms: i64) -> PathBuf {
    let stamp = crate::time::rfc3339(now_ms).replace(['-', ':'], "");
    let mut s = db.as_os_str().to_owned();
    s.push(format!("{DAMAGED_WAL}{stamp}"));
    PathBuf::from(s)
}

impl crate::Archive {
    /// Copies this archive's WAL, as it is, to a new file `to` (never an existing one: it is
    /// created with `create_new`), inside a read transaction: while it is open, the writer
    /// cannot restart the WAL over the frames of its snapshot, so the copy holds every frame
    /// the verification read. Returns the bytes copied; None when there is no WAL.
    pub fn save_wal(&self, to: &Path) -> Result<Option<u64>, ArchiveError> {
        let tx = self.conn.unchecked_transaction()?;
        tx.query_row("SELECT count(*) FROM sqlite_schema", [], |_| Ok(()))?;
        let mut wal_path = self.path.as_os_str().to_owned();
        wal_path.push("-wal");
        let mut wal = match std::fs::File::open(PathBuf::from(wal_path)) {
            Ok(f) => f,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let mut out = std::fs::OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(to)?;
        let n = std::io::copy(&mut wal, &mut out)?;
        out.flush()?;
        out.sync_all()?;
        drop(tx);
        Ok(Some(n))
    }
}

#[cfg(test)]
mod tests {
    #[test]
    fn the_saved_name_is_the_wal_s_with_a_utc_time() {
        let p =
            super::damaged_wal_path(std::path::Path::new("/v/archive-cn.db"), 1_796_667_300_123);
        assert_eq!(
            p,
            std::path::Path::new("/v/archive-cn.db-wal.damaged-20261207T181500.123Z")
        );
    }
}
