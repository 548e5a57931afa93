//! Output folders that wcp owns: created with a marker file listing every file wcp wrote
//! there, so a command refuses a non-empty folder it did not create and `--force` (or a
//! re-run of `wcp demo`) removes only files wcp wrote — never a user's own.

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The marker: a comment line, then one owned file name per line.
pub const MARKER: &str = ".wcp-out";
const MARKER_HEADER: &str = "# Written by wcp. Lists the files wcp created in this folder; only these are ever removed (wcp run --force, wcp demo).\n";
/// Held (created exclusively) while a command writes the folder.
const LOCK: &str = ".wcp-out.lock";

/// A claimed output folder; the lock file goes when this is dropped.
pub struct OutDir {
    path: PathBuf,
    owned: BTreeSet<String>,
}

impl OutDir {
    /// Creates `path`, or reopens a folder wcp created before. A non-empty folder without
    /// the marker is refused: it holds someone else's files.
    pub fn claim(path: &Path) -> anyhow::Result<OutDir> {
        if path.exists() {
            if !path.is_dir() {
                bail!("--out {}: exists and is not a folder", path.display());
            }
            let empty = std::fs::read_dir(path)
                .with_context(|| format!("reading {}", path.display()))?
                .next()
                .is_none();
            if !empty && !path.join(MARKER).exists() {
                bail!(
                    "--out {}: the folder is not empty and was not created by wcp (no {MARKER} marker); \
                     choose a new or empty folder — wcp never writes into or deletes from a folder it does not own",
                    path.display()
                );
            }
        }
        std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
        let lock = path.join(LOCK);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
            .with_context(|| {
                format!(
                    "{}: another wcp command is writing this folder (or one was killed: remove {} if none runs)",
                    path.display(),
                    lock.display()
                )
            })?;
        writeln!(f, "pid {}", std::process::id())?;
        let marker = path.join(MARKER);
        let owned = if marker.exists() {
            read_marker(&marker)?
        } else {
            std::fs::write(&marker, MARKER_HEADER)
                .with_context(|| format!("writing {}", marker.display()))?;
            BTreeSet::new()
        };
        Ok(OutDir {
            path: path.to_path_buf(),
            owned,
        })
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` in the folder, recorded as owned (before it is created, so an
    /// interrupted command still owns what it started to write). A file of that name that
    /// wcp did not create is refused.
    pub fn own(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        let p = self.path.join(name);
        if !self.owned.contains(name) {
            if p.exists() {
                bail!(
                    "{}: exists but was not created by wcp; move it away (wcp does not overwrite files it did not create)",
                    p.display()
                );
            }
            let mut m = OpenOptions::new()
                .append(true)
                .open(self.path.join(MARKER))?;
            writeln!(m, "{name}")?;
            self.owned.insert(name.to_string());
        }
        Ok(p)
    }

    #[cfg(test)]
    pub fn owns(&self, name: &str) -> bool {
        self.owned.contains(name)
    }

    /// Removes the files wcp created here, except those in `keep` (keys). SQLite's
    /// `-wal`/`-shm` side files of an owned database go with it. Nothing else is touched.
    pub fn remove_owned(&mut self, keep: &[&str]) -> anyhow::Result<usize> {
        let mut removed = 0;
        let names: Vec<String> = self.owned.iter().cloned().collect();
        for name in names {
            if keep.contains(&name.as_str()) {
                continue;
            }
            let mut paths = vec![self.path.join(&name)];
            if name.ends_with(".db") {
                for side in ["-wal", "-shm", "-journal"] {
                    paths.push(self.path.join(format!("{name}{side}")));
                }
            }
            for p in paths {
                match std::fs::remove_file(&p) {
                    Ok(()) => removed += 1,
                    Err(e) if e.kind() == std::io::ErrorKind::NotFound => {}
                    Err(e) => return Err(e).with_context(|| format!("removing {}", p.display())),
                }
            }
            self.owned.remove(&name);
        }
        let mut text = MARKER_HEADER.to_string();
        for n in &self.owned {
            text.push_str(n);
            text.push('\n');
        }
        std::fs::write(self.path.join(MARKER), text)?;
        Ok(removed)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path.join(LOCK));
    }
}

fn read_marker(p: &Path) -> anyhow::Result<BTreeSet<String>> {
    let f = File::open(p).with_context(|| format!("reading {}", p.display()))?;
    let mut out = BTreeSet::new();
    for line in BufReader::new(f).lines() {
        let line = line?;
        let name = line.trim();
        // Only plain names in the folder itself: a marker edited to name `../x` owns nothing.
        if name.is_empty() || name.starts_with('#') || name.contains('/') || name == ".." {
            continue;
        }
        out.insert(name.to_string());
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn refuses_foreign_folders_and_removes_only_its_own_files() {
        let tmp = tempfile::tempdir().unwrap();
        let foreign = tmp.path().join("mine");
        std::fs::create_dir(&foreign).unwrap();
        std::fs::write(foreign.join("thesis.docx"), "years of work").unwrap();
        let err = OutDir::claim(&foreign).err().unwrap().to_string();
        assert!(err.contains("not created by wcp"), "{err}");
        assert!(foreign.join("thesis.docx").exists());

        let out = tmp.path().join("out");
        let mut d = OutDir::claim(&out).unwrap();
        std::fs::write(d.own("alerts.jsonl").unwrap(), "x").unwrap();
        std::fs::write(d.own("archive-cn.db").unwrap(), "x").unwrap();
        std::fs::write(out.join("archive-cn.db-wal"), "x").unwrap();
        std::fs::write(d.own("tenant.key").unwrap(), "k").unwrap();
        // A user's file dropped into the folder later is never wcp's.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(d.own("notes.txt").is_err());
        assert!(OutDir::claim(&out).is_err(), "locked while in use");
        drop(d);
        let mut d = OutDir::claim(&out).unwrap();
        assert!(d.owns("alerts.jsonl"));
        assert_eq!(d.remove_owned(&["tenant.key"]).unwrap(), 3);
        assert!(out.join("notes.txt").exists());
        assert!(out.join("tenant.key").exists());
        assert!(!out.join("archive-cn.db-wal").exists());
    }
}
