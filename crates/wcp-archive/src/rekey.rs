//! `wcp archive rekey`: encrypt a plain file, change its key, or decrypt it — always into a
//! NEW file (SQLCipher's `sqlcipher_export`), checked before it is reported: the original
//! is never modified, so a wrong key file, a full disk or an interrupted run cost nothing.
//! The operator swaps the files while the writer is stopped (docs/SECURITY.md). In-place
//! `PRAGMA rekey` is not offered: it rewrites every page of the only copy.

use std::path::{Path, PathBuf};

use rusqlite::OpenFlags;

use crate::at_rest::{self, DbKey, KeyError, Keyed};
use crate::error::ArchiveError;

/// What one copy wrote and checked.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Copied {
    pub from: PathBuf,
    pub to: PathBuf,
    /// Tables compared row for row count (virtual tables' shadow tables included).
    pub tables: usize,
    pub rows: u64,
}

fn refuse_existing(dst: &Path) -> Result<(), ArchiveError> {
    for suffix in ["", "-wal", "-shm", "-journal"] {
        let mut p = dst.as_os_str().to_os_string();
        p.push(suffix);
        if Path::new(&p).exists() {
            return Err(ArchiveError::Invalid(format!(
                "{} exists: rekey writes a new file and never overwrites one; give another --out",
                Path::new(&p).display()
            )));
        }
    }
    Ok(())
}

/// Row counts of every ordinary table (the file's whole content but free pages).
fn counts(conn: &rusqlite::Connection, schema: &str) -> Result<Vec<(String, u64)>, ArchiveError> {
    let mut st = conn.prepare(&format!(
        "SELECT name FROM {schema}.sqlite_schema WHERE type = 'table' AND rootpage > 0 ORDER BY name"
    ))?;
    let names: Vec<String> = st.query_map([], |r| r.get(0))?.collect::<Result<_, _>>()?;
    names
        .into_iter()
        .map(|n| {
            let q = format!(
                "SELECT count(*) FROM {schema}.\"{}\"",
                n.replace('"', "\"\"")
            );
            let c: i64 = conn.query_row(&q, [], |r| r.get(0))?;
            Ok((n, c as u64))
        })
        .collect()
}

/// Copies `src` (opened with its configured key, if any) into the new file `dst` under
/// `new_key` (None: plain), then checks the copy: integrity check and equal row counts.
pub fn copy(src: &Path, dst: &Path, new_key: Option<&DbKey>) -> Result<Copied, ArchiveError> {
    if !src.exists() {
        return Err(ArchiveError::Invalid(format!(
            "{}: no such file",
            src.display()
        )));
    }
    refuse_existing(dst)?;
    // Read-write-create (`src` exists, checked above): ATTACH inherits the main file's
    // flags, and the new file must be created. Only `dst` is written.
    let conn = at_rest::open(
        src,
        OpenFlags::SQLITE_OPEN_READ_WRITE | OpenFlags::SQLITE_OPEN_CREATE,
    )?;
    crate::schema::register_functions(&conn)?;
    let before = counts(&conn, "main")?;
    let keyed = new_key.map(|k| Keyed {
        key: k.clone(),
        source: "--new-key-file".into(),
    });
    at_rest::set_key(dst, keyed.clone());
    let result = (|| {
        at_rest::attach(&conn, dst, "rekeyed")?;
        if keyed.is_none() {
            conn.execute_batch("PRAGMA rekeyed.page_size = 16384;")?;
        }
        conn.query_row("SELECT sqlcipher_export('rekeyed')", [], |_| Ok(()))?;
        conn.execute_batch("DETACH DATABASE rekeyed")?;
        let out = at_rest::open_rw(dst)?;
        crate::schema::register_functions(&out)?;
        let ok: String = out.query_row("PRAGMA integrity_check", [], |r| r.get(0))?;
        if ok != "ok" {
            return Err(ArchiveError::Invalid(format!(
                "{}: integrity check: {ok}",
                dst.display()
            )));
        }
        let after = counts(&out, "main")?;
        if after != before {
            return Err(ArchiveError::Invalid(format!(
                "{}: the copy's row counts differ from {}'s; the new file is not usable (the original is unchanged)",
                dst.display(),
                src.display()
            )));
        }
        // Writers run in WAL mode; set it now so a reader of the fresh copy sees the same.
        out.pragma_update(None, "journal_mode", "WAL")?;
        Ok(Copied {
            from: src.to_path_buf(),
            to: dst.to_path_buf(),
            tables: after.len(),
            rows: after.iter().map(|(_, c)| c).sum(),
        })
    })();
    if result.is_err() {
        // Only what this call created, and only on failure.
        for suffix in ["", "-wal", "-shm"] {
            let mut p = dst.as_os_str().to_os_string();
            p.push(suffix);
            let _ = std::fs::remove_file(p);
        }
    }
    result
}

/// Rekeys an archive and, when it has one, its access log (`archive-cn.access.db` beside
/// `dst`, the name the archive's readers use).
pub fn archive(
    src: &Path,
    dst: &Path,
    new_key: Option<&DbKey>,
) -> Result<Vec<Copied>, ArchiveError> {
    let (src_log, dst_log) = (
        crate::regions::access_log_for(src),
        crate::regions::access_log_for(dst),
    );
    if src_log.exists() {
        refuse_existing(&dst_log)?;
    }
    let mut out = vec![copy(src, dst, new_key)?];
    if src_log.exists() {
        out.push(copy(&src_log, &dst_log, new_key)?);
    }
    Ok(out)
}

/// Reads a new key file for `rekey` (error names the file).
pub fn load_new_key(file: &Path) -> Result<DbKey, KeyError> {
    DbKey::load(file)
}
