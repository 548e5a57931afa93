//! The region's media store: a directory of content-addressed files,
//! `<media_dir>/<region>/sha256/<ab>/<cd>/<sha256>`. A download goes to a temporary file under
//! `<media_dir>/<region>/tmp/` while MD5 and SHA-256 are computed on the way, and is renamed
//! into place only when complete (a file in `sha256/` is always whole). The same content is
//! stored once, whichever message carried it, and a replayed download finds it in place.
//! With an S3-compatible bucket instead ([`crate::s3`]) the temporary file lives under the
//! system's temporary directory and the complete, checked file is uploaded under the same
//! key (`<region>/sha256/<ab>/<cd>/<sha256>`), once.

use std::fs::{self, File, OpenOptions};
use std::io::Write;
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicU64, Ordering};

use md5::{Digest, Md5};
use sha2::Sha256;

use crate::s3::S3Store;

pub struct Store {
    /// `<media_dir>/<region>`, or the temporary directory of an S3 store.
    root: PathBuf,
    region: String,
    kind: Kind,
    /// Temporary names start with this (per process): leftovers of an earlier run of this
    /// instance are removed at open, nobody else's.
    tmp_prefix: String,
    counter: AtomicU64,
}

/// Where complete files go.
enum Kind {
    Dir,
    S3(Box<S3Store>),
}

/// Why a file could not be stored.
#[derive(Debug, thiserror::Error)]
pub enum StoreError {
    #[error("{0}")]
    Io(#[from] std::io::Error),
    /// The store kept failing (5xx, timeouts, refused connections) after its retries: the
    /// media stage stops and the batch is fetched again, nothing is marked.
    #[error("{0}")]
    Transient(String),
    /// The store refuses (403, no such bucket): the file is marked `media_missing`.
    #[error("{0}")]
    Refused(String),
}

/// The key of a content in the store: `<region>/sha256/<ab>/<cd>/<sha256>` (the path under
/// `media_dir`, the object key in a bucket).
pub fn content_key(region: &str, sha256: &str) -> String {
    format!(
        "{region}/sha256/{}/{}/{sha256}",
        &sha256[..2],
        &sha256[2..4]
    )
}

/// Names the path in an I/O error about it.
fn at(p: &Path) -> impl FnOnce(std::io::Error) -> std::io::Error {
    let p = p.to_path_buf();
    move |e| std::io::Error::new(e.kind(), format!("{}: {e}", p.display()))
}

/// A download in progress.
pub struct Pending {
    file: File,
    path: PathBuf,
    md5: Md5,
    sha: Sha256,
    pub len: u64,
}

/// A stored file.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Stored {
    pub sha256: String,
    pub md5: String,
    pub size: u64,
    /// Relative to the media directory: `<region>/sha256/ab/cd/<sha256>` (the object key
    /// in a bucket).
    pub path: String,
    /// `dir` or `s3://<bucket>`.
    pub store: String,
}

impl Store {
    /// Errors name the path that failed (`<media_dir>/cn/tmp: Not a directory`), not only
    /// the store's root: a file where a directory belongs is found at once (19a D9).
    pub fn open(media_dir: &Path, region: &str, instance: &str) -> std::io::Result<Store> {
        let store = Store::with_kind(media_dir.join(region), region, instance, Kind::Dir)?;
        let sha = store.root.join("sha256");
        fs::create_dir_all(&sha).map_err(at(&sha))?;
        Ok(store)
    }

    /// A store in a bucket; downloads wait under `<tmp_dir>/<region>/tmp/`.
    pub fn open_s3(
        s3: S3Store,
        tmp_dir: &Path,
        region: &str,
        instance: &str,
    ) -> std::io::Result<Store> {
        Store::with_kind(
            tmp_dir.join(region),
            region,
            instance,
            Kind::S3(Box::new(s3)),
        )
    }

    fn with_kind(
        root: PathBuf,
        region: &str,
        instance: &str,
        kind: Kind,
    ) -> std::io::Result<Store> {
        let tmp = root.join("tmp");
        fs::create_dir_all(&tmp).map_err(at(&tmp))?;
        let tmp_prefix = format!("wcp-media-{instance}-");
        for e in fs::read_dir(&tmp).map_err(at(&tmp))?.flatten() {
            if e.file_name().to_string_lossy().starts_with(&tmp_prefix) {
                let _ = fs::remove_file(e.path());
            }
        }
        Ok(Store {
            root,
            region: region.to_string(),
            kind,
            tmp_prefix,
            counter: AtomicU64::new(0),
        })
    }

    pub fn begin(&self) -> std::io::Result<Pending> {
        let n = self.counter.fetch_add(1, Ordering::SeqCst);
        let path = self
            .root
            .join("tmp")
            .join(format!("{}{n}", self.tmp_prefix));
        let file = OpenOptions::new()
            .write(true)
            .create_new(true)
            .open(&path)?;
        Ok(Pending {
            file,
            path,
            md5: Md5::new(),
            sha: Sha256::new(),
            len: 0,
        })
    }

    /// Moves a complete download into place (or drops it when the content is already there).
    pub fn commit(&self, p: Pending) -> Result<Stored, StoreError> {
        let Pending {
            file,
            path,
            md5,
            sha,
            len,
        } = p;
        file.sync_all()?;
        drop(file);
        let sha256 = hex::encode(sha.finalize());
        let md5 = hex::encode(md5.finalize());
        let key = content_key(&self.region, &sha256);
        let store = match &self.kind {
            Kind::Dir => {
                let dest = self.root.join(&key[self.region.len() + 1..]);
                if dest.exists() {
                    fs::remove_file(&path)?;
                } else {
                    fs::create_dir_all(dest.parent().unwrap_or(&self.root))?;
                    fs::rename(&path, &dest)?;
                }
                "dir".to_string()
            }
            Kind::S3(s3) => {
                let put = s3.put_once(&key, &path, &md5);
                let _ = fs::remove_file(&path);
                put?;
                s3.label.clone()
            }
        };
        Ok(Stored {
            sha256,
            md5,
            size: len,
            path: key,
            store,
        })
    }
}

impl Pending {
    pub fn write(&mut self, data: &[u8]) -> std::io::Result<()> {
        self.file.write_all(data)?;
        self.md5.update(data);
        self.sha.update(data);
        self.len += data.len() as u64;
        Ok(())
    }

    /// The MD5 so far (for the check before committing).
    pub fn md5_hex(&self) -> String {
        hex::encode(self.md5.clone().finalize())
    }

    /// Drops an incomplete or rejected download.
    pub fn discard(self) {
        drop(self.file);
        let _ = fs::remove_file(&self.path);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_store_that_cannot_be_made_names_the_path_that_is_wrong() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(
            dir.path().join("cn"),
            "a file where the region's directory belongs",
        )
        .unwrap();
        let err = Store::open(dir.path(), "cn", "a")
            .err()
            .unwrap()
            .to_string();
        let wrong = dir.path().join("cn").join("tmp");
        assert!(err.starts_with(&format!("{}: ", wrong.display())), "{err}");
    }

    #[test]
    fn content_addressed_once_and_temp_files_cleaned() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir_all(dir.path().join("cn/tmp")).unwrap();
        std::fs::write(dir.path().join("cn/tmp/wcp-media-a-7"), b"left over").unwrap();
        std::fs::write(
            dir.path().join("cn/tmp/wcp-media-b-7"),
            b"another instance's",
        )
        .unwrap();
        let store = Store::open(dir.path(), "cn", "a").unwrap();
        assert!(!dir.path().join("cn/tmp/wcp-media-a-7").exists());
        assert!(dir.path().join("cn/tmp/wcp-media-b-7").exists());
        let mut p = store.begin().unwrap();
        p.write(b"hello ").unwrap();
        p.write(b"world").unwrap();
        assert_eq!(p.md5_hex(), "5eb63bbbe01eeed093cb22bb8f5acdc3");
        let s = store.commit(p).unwrap();
        assert_eq!(
            s.sha256,
            "b94d27b9934d3e08a52e52d7da7dabfac484efe37a5380ee9088f7ace2efcde9"
        );
        assert_eq!(s.size, 11);
        assert_eq!(s.path, format!("cn/sha256/b9/4d/{}", s.sha256));
        assert_eq!(
            std::fs::read(dir.path().join(&s.path)).unwrap(),
            b"hello world"
        );
        let mut again = store.begin().unwrap();
        again.write(b"hello world").unwrap();
        assert_eq!(store.commit(again).unwrap(), s);
        let tmp: Vec<_> = std::fs::read_dir(dir.path().join("cn/tmp"))
            .unwrap()
            .collect();
        assert_eq!(tmp.len(), 1, "only the other instance's file is left");
    }
}
