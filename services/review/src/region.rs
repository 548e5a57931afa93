//! One residency region of the console: its review store and its archive, which may not
//! exist yet. The archiver creates `archive-<region>.db` with the region's first message, and
//! a region can go days without one (the sg desk on a cn/hk load): until then the region is
//! served empty, and its archive is opened the first time someone asks after it appears, no
//! restart needed. An archive that exists but cannot be opened is a problem the console's
//! readiness reports (`Console::archive_problems`), not an empty region.

use std::path::PathBuf;
use std::sync::{Mutex, OnceLock};

use wcp_archive::{Archive, ArchiveOptions};
use wcp_review::{RegionStore, ReviewError};

use crate::state::lock;

pub struct Region {
    pub name: String,
    pub store: Mutex<RegionStore>,
    /// The read handle, once the archive exists and opened.
    archive: OnceLock<Mutex<Archive>>,
    /// Where the archive is (or will be); None when this console has no archive for the region.
    pub archive_path: Option<PathBuf>,
    /// The archive's signing key file: holds and exports are chained records of the archive.
    pub archive_key: Option<PathBuf>,
    /// Why the last attempt to open an existing archive failed. Held while opening, so two
    /// requests never open the same file at once.
    problem: Mutex<Option<String>>,
}

/// Where a region's archive stands.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum ArchiveState {
    Open,
    /// No file yet: the archiver has written no message of the region.
    NotYetCreated,
    /// The file exists but cannot be opened (the reason, without content).
    Broken(String),
    /// This console was given no archive for the region.
    None,
}

impl Region {
    pub fn new(
        name: String,
        store: RegionStore,
        archive_path: Option<PathBuf>,
        archive_key: Option<PathBuf>,
    ) -> Region {
        Region {
            name,
            store: Mutex::new(store),
            archive: OnceLock::new(),
            archive_path,
            archive_key,
            problem: Mutex::new(None),
        }
    }

    /// The archive's read handle, opening it when its file has appeared since the last call.
    /// None while the region has no archive (shown empty) or its archive is broken (retried
    /// by [`Region::attach`], which the service calls every second).
    pub fn archive(&self) -> Option<&Mutex<Archive>> {
        if let Some(a) = self.archive.get() {
            return Some(a);
        }
        // A broken file is retried by the watcher, not by every request.
        if lock(&self.problem).is_none() {
            self.attach();
        }
        self.archive.get()
    }

    /// Opens the archive if it exists and is not open yet; returns where it stands.
    pub fn attach(&self) -> ArchiveState {
        if self.archive.get().is_some() {
            return ArchiveState::Open;
        }
        let Some(path) = &self.archive_path else {
            return ArchiveState::None;
        };
        let mut problem = lock(&self.problem);
        if self.archive.get().is_some() {
            return ArchiveState::Open; // opened by another request meanwhile
        }
        if !path.exists() {
            *problem = None;
            return ArchiveState::NotYetCreated;
        }
        match Archive::open(path, ArchiveOptions::default()) {
            Ok(a) => {
                tracing::info!(region = %self.name, archive = %path.display(), "archive opened");
                let _ = self.archive.set(Mutex::new(a));
                *problem = None;
                ArchiveState::Open
            }
            Err(e) => {
                let why = format!("archive {}: {e}", path.display());
                if problem.as_deref() != Some(why.as_str()) {
                    tracing::warn!(region = %self.name, error = %why, "archive cannot be opened");
                }
                *problem = Some(why.clone());
                ArchiveState::Broken(why)
            }
        }
    }

    /// Where the archive stands, without trying to open it.
    pub fn state(&self) -> ArchiveState {
        if self.archive.get().is_some() {
            return ArchiveState::Open;
        }
        if let Some(why) = lock(&self.problem).clone() {
            return ArchiveState::Broken(why);
        }
        // A file that appeared since the last attempt is opened on next use.
        match &self.archive_path {
            Some(_) => ArchiveState::NotYetCreated,
            None => ArchiveState::None,
        }
    }

    /// True while the region has no archive file yet (shown as empty).
    pub fn is_empty_region(&self) -> bool {
        self.archive().is_none() && self.state() == ArchiveState::NotYetCreated
    }

    /// The refusal of a hold or an export in a region without archived messages.
    pub fn require_archive(&self) -> Result<&Mutex<Archive>, ReviewError> {
        match self.archive() {
            Some(a) => Ok(a),
            None => Err(ReviewError::Refused(match self.state() {
                ArchiveState::Broken(why) => format!("region {}: {why}", self.name),
                _ => format!(
                    "region {0}: no messages archived yet in {0}; holds and exports apply to archived messages — \
                     the archiver creates the region's archive with its first message",
                    self.name
                ),
            })),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn region(dir: &std::path::Path) -> Region {
        let key = wcp_review::chain::load_or_create_key(&dir.join("review.key")).unwrap();
        let store = RegionStore::open(&dir.join("review-sg.db"), "sg", key).unwrap();
        Region::new("sg".into(), store, Some(dir.join("archive-sg.db")), None)
    }

    #[test]
    fn an_archive_that_appears_later_is_opened_without_restart() {
        let dir = tempfile::tempdir().unwrap();
        let r = region(dir.path());
        assert!(r.archive().is_none());
        assert_eq!(r.attach(), ArchiveState::NotYetCreated);
        assert!(r.is_empty_region());
        assert!(
            matches!(r.require_archive(), Err(ReviewError::Refused(w)) if w.contains("no messages archived yet in sg"))
        );
        // The archiver creates it (a writer with its signing key).
        let key = wcp_archive::keys::generate_signing_key().unwrap();
        let w = Archive::open(
            &dir.path().join("archive-sg.db"),
            ArchiveOptions {
                signing_key: Some(key),
                ..ArchiveOptions::default()
            },
        )
        .unwrap();
        assert!(r.archive().is_some(), "opened on first use");
        assert_eq!(r.state(), ArchiveState::Open);
        assert!(!r.is_empty_region());
        drop(w);
    }

    #[test]
    fn an_archive_that_cannot_be_opened_is_a_problem_not_an_empty_region() {
        let dir = tempfile::tempdir().unwrap();
        let r = region(dir.path());
        std::fs::write(
            dir.path().join("archive-sg.db"),
            b"not a database at all, 32 bytes+",
        )
        .unwrap();
        assert!(r.archive().is_none());
        assert!(matches!(r.state(), ArchiveState::Broken(w) if w.contains("archive-sg.db")));
        assert!(!r.is_empty_region());
        assert!(
            matches!(r.require_archive(), Err(ReviewError::Refused(w)) if w.contains("archive-sg.db"))
        );
        // Retried by attach (the watcher), not by every request; fixed when the file is.
        std::fs::remove_file(dir.path().join("archive-sg.db")).unwrap();
        assert_eq!(r.attach(), ArchiveState::NotYetCreated);
        assert!(r.is_empty_region());
    }
}
