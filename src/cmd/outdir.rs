//! Output folders that wcp owns: created with a marker file listing every file wcp wrote
//! there, so a command refuses a non-empty folder it did not create and `--force` (or a
//! re-run of `wcp demo`) removes only files wcp wrote — never a user's own. The marker also
//! says which command made the folder: `wcp demo` replaces its files each time, so it must
//! never take over a `wcp run` folder and its signed archive (trial 17a D1).

use std::collections::BTreeSet;
use std::fs::{File, OpenOptions};
use std::io::{BufRead, BufReader, Write};
use std::path::{Path, PathBuf};

use anyhow::{bail, Context};

/// The marker: a comment line, then one owned file name per line.
pub const MARKER: &str = ".wcp-out";
const MARKER_HEADER: &str = "# Written by wcp. Lists the files wcp created in this folder; only these are ever removed (wcp run --force, wcp demo).\n";
/// The marker's second line: which command made the folder.
const MADE_BY: &str = "# made by ";
/// Held (created exclusively) while a command writes the folder.
const LOCK: &str = ".wcp-out.lock";

/// The command that made (and alone writes) a folder.
#[derive(Clone, Copy, PartialEq, Eq, Debug)]
pub enum Maker {
    /// `wcp run`: real messages, appended run after run; replaced only with `--force`.
    Run,
    /// `wcp demo`: the bundled sample, replaced on every demo.
    Demo,
}

impl Maker {
    pub fn command(self) -> &'static str {
        match self {
            Maker::Run => "wcp run",
            Maker::Demo => "wcp demo",
        }
    }

    fn parse(command: &str) -> Option<Maker> {
        match command {
            "wcp run" => Some(Maker::Run),
            "wcp demo" => Some(Maker::Demo),
            _ => None,
        }
    }
}

/// A claimed output folder; the lock file goes when this is dropped.
pub struct OutDir {
    path: PathBuf,
    maker: Maker,
    owned: BTreeSet<String>,
}

/// What a marker says.
struct Marker {
    made_by: Option<Maker>,
    owned: BTreeSet<String>,
}

impl Marker {
    /// Markers written before the made-by line: only the demo writes `input.jsonl` into its
    /// folder, so a folder that owns one is the demo's and any other is a run's.
    fn maker(&self) -> Maker {
        self.made_by
            .unwrap_or(if self.owned.contains("input.jsonl") {
                Maker::Demo
            } else {
                Maker::Run
            })
    }
}

impl OutDir {
    /// Creates `path`, or reopens a folder wcp created before. A non-empty folder without
    /// the marker is refused: it holds someone else's files. So is a `wcp run` folder for
    /// `wcp demo`, which replaces its files each time. `wcp run` may write into a demo's
    /// folder (README "Your own messages": the newcomer's lines join the demo's); the folder
    /// is then a run's, which a later demo refuses.
    pub fn claim(path: &Path, maker: Maker) -> anyhow::Result<OutDir> {
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
        let marker = path.join(MARKER);
        refuse_symlink(&marker)?;
        let found = if marker.exists() {
            Some(read_marker(&marker)?)
        } else {
            None
        };
        if let Some(found) = &found {
            refuse_other_maker(path, found.maker(), maker)?;
        }
        std::fs::create_dir_all(path).with_context(|| format!("creating {}", path.display()))?;
        let lock = path.join(LOCK);
        let mut f = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&lock)
            .map_err(|e| {
                // Only an existing lock means another command; a read-only or full volume
                // is said as itself (trial 17a D15).
                if e.kind() == std::io::ErrorKind::AlreadyExists {
                    anyhow::anyhow!(
                        "{}: another wcp command is writing this folder (or one was killed: remove {} if none runs)",
                        path.display(),
                        lock.display()
                    )
                } else {
                    anyhow::Error::new(e).context(format!("creating {}", lock.display()))
                }
            })?;
        writeln!(f, "pid {}", std::process::id())
            .with_context(|| format!("writing {}", lock.display()))?;
        let dir = OutDir {
            path: path.to_path_buf(),
            maker,
            owned: found.map(|m| m.owned).unwrap_or_default(),
        };
        // Before anything else is written: the folder is now `maker`'s (a demo folder a run
        // writes into becomes the run's), and an old marker gets its made-by line.
        dir.write_marker()?;
        Ok(dir)
    }

    /// The marker: header, made-by line, then every owned name.
    fn write_marker(&self) -> anyhow::Result<()> {
        let mut text = format!("{MARKER_HEADER}{MADE_BY}{}\n", self.maker.command());
        for n in &self.owned {
            text.push_str(n);
            text.push('\n');
        }
        let marker = self.path.join(MARKER);
        std::fs::write(&marker, text).with_context(|| format!("writing {}", marker.display()))
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The path of `name` in the folder, recorded as owned (before it is created, so an
    /// interrupted command still owns what it started to write). A file of that name that
    /// wcp did not create is refused.
    pub fn own(&mut self, name: &str) -> anyhow::Result<PathBuf> {
        let p = self.path.join(name);
        refuse_symlink(&p)?;
        if !self.owned.contains(name) {
            if p.exists() {
                bail!(
                    "{}: exists but was not created by wcp; move it away (wcp does not overwrite files it did not create)",
                    p.display()
                );
            }
            let marker = self.path.join(MARKER);
            OpenOptions::new()
                .append(true)
                .open(&marker)
                .and_then(|mut m| writeln!(m, "{name}"))
                .with_context(|| format!("writing {}", marker.display()))?;
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
        self.write_marker()?;
        Ok(removed)
    }
}

impl OutDir {
    /// Undoes a failed command in a folder that was new or empty before it: every file it
    /// owns, each owned archive's key, public key and access log (written beside the archive
    /// without being listed), the marker and, with `remove_dir` (the command made the
    /// folder), the folder if nothing else is in it. Returns the number of files removed.
    pub fn discard(mut self, remove_dir: bool) -> anyhow::Result<usize> {
        let mut beside = Vec::new();
        for name in &self.owned {
            if let Some(stem) = name
                .strip_suffix(".db")
                .filter(|s| s.starts_with("archive-"))
            {
                for side in [".key", ".pub", ".access.db"] {
                    beside.push(format!("{stem}{side}"));
                }
            }
        }
        self.owned.extend(beside);
        let mut removed = self.remove_owned(&[])?;
        std::fs::remove_file(self.path.join(MARKER))?;
        removed += 1;
        let path = self.path.clone();
        drop(self); // the lock goes
        if remove_dir {
            // Only when empty: a file someone put there meanwhile keeps it.
            let _ = std::fs::remove_dir(&path);
        }
        Ok(removed)
    }
}

impl Drop for OutDir {
    fn drop(&mut self) {
        let _ = std::fs::remove_file(self.path.join(LOCK));
    }
}

/// A symbolic link where wcp writes is refused (trial 17a D11: a link planted in a wcp folder
/// made `wcp run` append dead letters to a file outside it). Checked when a name is claimed;
/// the folder is its owner's only (umask 077), so nobody else can plant one afterwards.
pub fn refuse_symlink(p: &Path) -> anyhow::Result<()> {
    if std::fs::symlink_metadata(p).is_ok_and(|m| m.file_type().is_symlink()) {
        bail!(
            "{}: is a symbolic link; wcp does not write through links in its folders (the \
             write would land outside it): remove the link, or move the file it points to here",
            p.display()
        );
    }
    Ok(())
}

/// `wcp demo` in a `wcp run` folder is refused, naming the folder, its maker and the fix.
fn refuse_other_maker(path: &Path, found: Maker, wanted: Maker) -> anyhow::Result<()> {
    match (found, wanted) {
        (Maker::Run, Maker::Demo) => bail!(
            "--out {p}: this folder was made by `wcp run` (its {MARKER} marker says so) and holds \
             that run's signed archive and outputs; `{cmd}` does not write into it, since it would \
             replace them. Choose a new or empty folder (e.g. --out {p}-demo), or leave --out out",
            p = path.display(),
            cmd = wanted.command(),
        ),
        _ => Ok(()),
    }
}

fn read_marker(p: &Path) -> anyhow::Result<Marker> {
    let f = File::open(p).with_context(|| format!("reading {}", p.display()))?;
    let mut out = BTreeSet::new();
    let mut made_by = None;
    for line in BufReader::new(f).lines() {
        let line = line?;
        if let Some(cmd) = line.strip_prefix(MADE_BY) {
            made_by = made_by.or(Maker::parse(cmd.trim()));
            continue;
        }
        let name = line.trim();
        // Only plain names in the folder itself: a marker edited to name `../x` owns nothing.
        if name.is_empty() || name.starts_with('#') || name.contains('/') || name == ".." {
            continue;
        }
        out.insert(name.to_string());
    }
    Ok(Marker {
        made_by,
        owned: out,
    })
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
        let err = OutDir::claim(&foreign, Maker::Run)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("not created by wcp"), "{err}");
        assert!(foreign.join("thesis.docx").exists());

        let out = tmp.path().join("out");
        let mut d = OutDir::claim(&out, Maker::Run).unwrap();
        std::fs::write(d.own("alerts.jsonl").unwrap(), "x").unwrap();
        std::fs::write(d.own("archive-cn.db").unwrap(), "x").unwrap();
        std::fs::write(out.join("archive-cn.db-wal"), "x").unwrap();
        std::fs::write(d.own("tenant.key").unwrap(), "k").unwrap();
        // A user's file dropped into the folder later is never wcp's.
        std::fs::write(out.join("notes.txt"), "mine").unwrap();
        assert!(d.own("notes.txt").is_err());
        assert!(
            OutDir::claim(&out, Maker::Run).is_err(),
            "locked while in use"
        );
        drop(d);
        let mut d = OutDir::claim(&out, Maker::Run).unwrap();
        assert!(d.owns("alerts.jsonl"));
        assert_eq!(d.remove_owned(&["tenant.key"]).unwrap(), 3);
        assert!(out.join("notes.txt").exists());
        assert!(out.join("tenant.key").exists());
        assert!(!out.join("archive-cn.db-wal").exists());
    }
}
