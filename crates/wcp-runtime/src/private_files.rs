//! Every file and folder a wcp process creates is its owner's only (trial 17a D9): archives,
//! dead letters (original bytes), alerts, anonymised output, exports and access logs hold
//! chat content, so they must not be readable by other local accounts whatever the umask the
//! process was started with. Setting the process umask once, before anything is created,
//! covers every writer (ours, SQLite's `-wal`/`-shm`, the exporters) without each having to
//! remember a mode.

/// Sets the process umask to 077: new files 0600, new folders 0700. Called first by `wcp`
/// and by every service's `main` (through `app::main`). Returns the previous mask.
pub fn owner_only() -> u32 {
    let old = rustix::process::umask(rustix::fs::Mode::from_raw_mode(0o077));
    old.as_raw_mode() as u32
}

/// Why `path` cannot be written by this process, `None` when it can (access(2) with W_OK:
/// EROFS on a read-only volume, for root too; EACCES without write permission). For a
/// service that must write there and would otherwise fail later with SQLite's "unable to
/// open database file" (trial 17a D15).
pub fn not_writable(path: &std::path::Path) -> Option<std::io::Error> {
    rustix::fs::access(path, rustix::fs::Access::WRITE_OK)
        .err()
        .map(|e| std::io::Error::from_raw_os_error(e.raw_os_error()))
}

/// The bytes free to this user on the volume holding `path` (statvfs), `None` when it cannot
/// be asked. SQLite reports some writes on a full volume only as "disk I/O error" (its
/// shared-memory file, for one), so the CLI asks the volume before it calls one full.
pub fn free_bytes(path: &std::path::Path) -> Option<u64> {
    let v = rustix::fs::statvfs(path).ok()?;
    Some(v.f_bavail.saturating_mul(v.f_frsize))
}

#[cfg(test)]
mod tests {
    #[test]
    fn files_created_after_owner_only_are_private() {
        super::owner_only();
        let tmp = tempfile::tempdir().unwrap();
        let dir = tmp.path().join("d");
        std::fs::create_dir(&dir).unwrap();
        std::fs::write(dir.join("f"), "x").unwrap();
        use std::os::unix::fs::PermissionsExt;
        let mode = |p: &std::path::Path| std::fs::metadata(p).unwrap().permissions().mode() & 0o777;
        assert_eq!(mode(&dir), 0o700);
        assert_eq!(mode(&dir.join("f")), 0o600);
    }
}
