//! One archive per residency region, one signing key per archive: the file names and the
//! key policy, in one place for the archiver, `wcp run` and `wcp archive`.
//!
//! In a directory: `archive-<region>.db` (the archive), `archive-<region>.key` (its Ed25519
//! signing key, 64 hex characters, mode 0600: writers only), `archive-<region>.pub` (the
//! public key, for reviewers and auditors), `archive-<region>.access.db` (readers' access
//! log). A writer's key comes from `$WCP_ARCHIVE_KEY_<REGION>` (the hex key itself, as a
//! secret store injects it), else a key file. A new key is created only for an archive
//! that does not exist yet or has never been signed: for a signed archive a new key could
//! never match, so a missing key is an error that says where the key was looked for.
//! The archive's *encryption* key (SQLCipher) is not a file here: it must not sit beside the
//! archive; `at_rest::key_vars` names its variables (`WCP_ARCHIVE_ENCRYPTION_KEY_FILE_<REGION>`).

use std::path::{Path, PathBuf};

use ed25519_dalek::SigningKey;

use crate::error::ArchiveError;
use crate::keys;
use crate::{Archive, ArchiveOptions};

/// Where a writer's key comes from.
#[derive(Debug, Clone, Default)]
pub struct KeySource {
    /// An explicit key file (`--key`, `signing_key_file`), for every region opened.
    pub file: Option<PathBuf>,
    /// How the operator sets `file` (`--key`, `signing_key_file (WCP_SIGNING_KEY_FILE)`):
    /// a wrong key's error names it (trial 15i D4). Empty: "the key file".
    pub file_setting: &'static str,
    /// Read `$WCP_ARCHIVE_KEY_<REGION>` (true everywhere but in tests).
    pub env: bool,
}

/// The archives of one directory.
#[derive(Debug, Clone)]
pub struct Regions {
    dir: PathBuf,
}

/// A residency region name, by the one rule (`wcp_model::region::check_name`): a writer never
/// creates `archive-.db` or a file outside its directory.
pub fn check_region(region: &str) -> Result<(), ArchiveError> {
    wcp_model::region::check_name(region).map_err(|e| ArchiveError::Invalid(e.to_string()))
}

/// `archive-cn.db` → `archive-cn.access.db` (for any archive path, in or out of a `Regions`).
pub fn access_log_for(db: &Path) -> PathBuf {
    db.with_extension("access.db")
}

/// The region of `archive-<region>.db`, else the file stem.
pub fn region_of(db: &Path) -> String {
    let stem = db.file_stem().and_then(|s| s.to_str()).unwrap_or_default();
    stem.strip_prefix("archive-").unwrap_or(stem).to_string()
}

/// The environment variable holding a region's signing key.
pub fn key_env_var(region: &str) -> String {
    let up: String = region
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() {
                c.to_ascii_uppercase()
            } else {
                '_'
            }
        })
        .collect();
    format!("WCP_ARCHIVE_KEY_{up}")
}

impl Regions {
    pub fn new(dir: impl Into<PathBuf>) -> Regions {
        Regions { dir: dir.into() }
    }

    pub fn dir(&self) -> &Path {
        &self.dir
    }

    pub fn db(&self, region: &str) -> PathBuf {
        self.dir.join(format!("archive-{region}.db"))
    }

    pub fn key_file(&self, region: &str) -> PathBuf {
        self.dir.join(format!("archive-{region}.key"))
    }

    pub fn public_key_file(&self, region: &str) -> PathBuf {
        self.dir.join(format!("archive-{region}.pub"))
    }

    /// The regions with an archive file in the directory, sorted (access logs and files whose
    /// middle is not a region name are not regions).
    pub fn existing(&self) -> Result<Vec<String>, ArchiveError> {
        let mut out = Vec::new();
        if !self.dir.exists() {
            return Ok(out);
        }
        for entry in std::fs::read_dir(&self.dir)? {
            let name = entry?.file_name();
            let Some(name) = name.to_str() else { continue };
            if let Some(r) = name
                .strip_prefix("archive-")
                .and_then(|n| n.strip_suffix(".db"))
            {
                // Only region names (`wcp_model::region`): this skips the access logs
                // (`archive-<r>.access.db`) and anything else that merely looks alike.
                if check_region(r).is_ok() {
                    out.push(r.to_string());
                }
            }
        }
        out.sort();
        Ok(out)
    }

    /// The signing key of `region`'s archive, under the key policy (module doc).
    pub fn signing_key(&self, region: &str, src: &KeySource) -> Result<SigningKey, ArchiveError> {
        check_region(region)?;
        signing_key_for(&self.db(region), region, &self.key_file(region), src)
    }

    /// Opens `region`'s archive for writing (creating archive and key when new).
    pub fn open_writer(
        &self,
        region: &str,
        src: &KeySource,
        opts: ArchiveOptions,
    ) -> Result<Archive, ArchiveError> {
        check_region(region)?;
        std::fs::create_dir_all(&self.dir)?;
        let a = open_signed(&self.db(region), region, &self.key_file(region), src, opts)?;
        a.set_region(region)?;
        Ok(a)
    }
}

/// Opens `db` for writing with its key under the key policy ([`signing_key_for`]). A key that
/// is not the archive's is [`ArchiveError::WrongSigningKey`], naming where the key came from
/// and the fix ([`wrong_signing_key`]).
pub fn open_signed(
    db: &Path,
    region: &str,
    default_file: &Path,
    src: &KeySource,
    mut opts: ArchiveOptions,
) -> Result<Archive, ArchiveError> {
    let (key, origin) = signing_key_from(db, region, default_file, src)?;
    let public = keys::public_key_hex(&key.verifying_key());
    opts.signing_key = Some(key);
    match Archive::open(db, opts) {
        Err(ArchiveError::KeyMismatch) => {
            let published = published_key(db).ok().flatten().unwrap_or_default();
            Err(ArchiveError::WrongSigningKey(wrong_signing_key(
                &origin, db, &published, &public,
            )))
        }
        other => other,
    }
}

/// The error for a signing key (from `origin`: `$WCP_ARCHIVE_KEY_CN`, `signing_key_file
/// (WCP_SIGNING_KEY_FILE) /keys/cn.key`) that is not the one `db` publishes: as the
/// encryption-key error says which setting gave the wrong key, and what fixes it. Pure.
pub fn wrong_signing_key(origin: &str, db: &Path, published: &str, this: &str) -> String {
    format!(
        "the signing key from {origin} does not match {}: wrong key (the archive publishes \
         public key {published}, this key's is {this}; each region's archive has its own). \
         Give it the archive's own signing key (the one it was created with, or the one `wcp \
         archive rotate-key` last handed over to). A new key cannot simply replace it: change \
         keys with `wcp archive rotate-key --db {} --new-key NEW.key`, run with the current key",
        db.display(),
        db.display()
    )
}

/// The key policy for any archive path (the CLI's `--db`): env var, explicit file, the
/// default key file, then the names earlier versions used (`signing.key` beside the
/// database, `<db>.key`) as long as they match the archive's published key.
pub fn signing_key_for(
    db: &Path,
    region: &str,
    default_file: &Path,
    src: &KeySource,
) -> Result<SigningKey, ArchiveError> {
    signing_key_from(db, region, default_file, src).map(|(k, _)| k)
}

/// [`signing_key_for`], and where the key came from, in the operator's words.
fn signing_key_from(
    db: &Path,
    region: &str,
    default_file: &Path,
    src: &KeySource,
) -> Result<(SigningKey, String), ArchiveError> {
    let var = key_env_var(region);
    if src.env {
        if let Ok(hex_key) = std::env::var(&var) {
            let k = keys::parse_signing_key(&hex_key)
                .map_err(|e| ArchiveError::InvalidKey(format!("${var}: {e}")))?;
            return Ok((k, format!("${var}")));
        }
    }
    if let Some(f) = &src.file {
        let k = keys::load_signing_key(f)
            .map_err(|e| ArchiveError::InvalidKey(format!("{}: {e}", f.display())))?;
        let setting = match src.file_setting {
            "" => "the key file",
            s => s,
        };
        return Ok((k, format!("{setting} {}", f.display())));
    }
    let published = published_key(db)?;
    let from = |f: &Path| format!("{} (the region's key file; ${var} is not set)", f.display());
    if default_file.exists() {
        let k = keys::load_signing_key(default_file)
            .map_err(|e| ArchiveError::InvalidKey(format!("{}: {e}", default_file.display())))?;
        return Ok((k, from(default_file)));
    }
    let mut legacy_sidecar = db.as_os_str().to_os_string();
    legacy_sidecar.push(".key");
    for legacy in [
        db.with_file_name("signing.key"),
        PathBuf::from(legacy_sidecar),
    ] {
        if let (Some(p), true) = (&published, legacy.exists()) {
            let k = keys::load_signing_key(&legacy)?;
            if keys::public_key_hex(&k.verifying_key()) == *p {
                return Ok((k, from(&legacy)));
            }
        }
    }
    match published {
        None => {
            let k = keys::load_or_create_signing_key(default_file)?;
            let public = default_file.with_extension("pub");
            if !public.exists() {
                std::fs::write(&public, format!("{}\n", keys::public_key_hex(&k.verifying_key())))?;
            }
            Ok((k, from(default_file)))
        }
        Some(_) => Err(ArchiveError::InvalidKey(format!(
            "{} is signed, and its key is neither in ${var} nor in {}: a new key would not match, so none was created",
            db.display(),
            default_file.display()
        ))),
    }
}

/// The public key an existing archive publishes (None for a new or never-signed one).
fn published_key(db: &Path) -> Result<Option<String>, ArchiveError> {
    if !db.exists() {
        return Ok(None);
    }
    let conn = crate::at_rest::open(db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
    let has_meta: bool = conn.query_row(
        "SELECT EXISTS (SELECT 1 FROM sqlite_schema WHERE name = 'meta')",
        [],
        |r| r.get(0),
    )?;
    if !has_meta {
        return Ok(None);
    }
    crate::schema::meta_get(&conn, "public_key")
}

impl Archive {
    /// Records the archive's region (once; anchors carry it).
    pub fn set_region(&self, region: &str) -> Result<(), ArchiveError> {
        self.conn.execute(
            "INSERT OR IGNORE INTO meta (key, value) VALUES ('region', ?1)",
            [region],
        )?;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn names_and_regions() {
        let r = Regions::new("/data/out");
        assert_eq!(r.db("cn"), PathBuf::from("/data/out/archive-cn.db"));
        assert_eq!(r.key_file("hk"), PathBuf::from("/data/out/archive-hk.key"));
        assert_eq!(
            access_log_for(&r.db("cn")),
            PathBuf::from("/data/out/archive-cn.access.db")
        );
        assert_eq!(region_of(&r.db("hk")), "hk");
        assert_eq!(key_env_var("cn-north"), "WCP_ARCHIVE_KEY_CN_NORTH");
    }

    #[test]
    fn one_key_per_region_and_none_made_for_a_signed_archive() {
        let dir = tempfile::tempdir().unwrap();
        let r = Regions::new(dir.path());
        let src = KeySource::default();
        let cn = r
            .open_writer("cn", &src, ArchiveOptions::default())
            .unwrap();
        let hk = r
            .open_writer("hk", &src, ArchiveOptions::default())
            .unwrap();
        assert_ne!(cn.public_key().unwrap(), hk.public_key().unwrap());
        assert!(r.public_key_file("cn").exists());
        assert_eq!(r.existing().unwrap(), ["cn", "hk"]);
        drop(cn);
        std::fs::remove_file(r.key_file("cn")).unwrap();
        let err = r.signing_key("cn", &src).unwrap_err().to_string();
        assert!(err.contains("a new key would not match"), "{err}");
        assert!(!r.key_file("cn").exists());
    }

    /// Trial 15i D4: "signing key does not match the archive's published public key" named
    /// neither the setting, nor the file, nor the fix.
    #[test]
    fn a_wrong_key_names_its_setting_its_file_and_the_fix() {
        let dir = tempfile::tempdir().unwrap();
        let r = Regions::new(dir.path());
        drop(
            r.open_writer("cn", &KeySource::default(), ArchiveOptions::default())
                .unwrap(),
        );
        let other = dir.path().join("other.key");
        keys::load_or_create_signing_key(&other).unwrap();
        let src = KeySource {
            file: Some(other.clone()),
            file_setting: "signing_key_file (WCP_SIGNING_KEY_FILE)",
            env: false,
        };
        let Err(err) = r.open_writer("cn", &src, ArchiveOptions::default()) else {
            panic!("opened with another key");
        };
        let err = err.to_string();
        let db = r.db("cn").display().to_string();
        for want in [
            format!(
                "the signing key from signing_key_file (WCP_SIGNING_KEY_FILE) {} does not match {db}: wrong key",
                other.display()
            ),
            format!("wcp archive rotate-key --db {db} --new-key NEW.key"),
            "the one it was created with".to_string(),
        ] {
            assert!(err.contains(&want), "{want:?} not in: {err}");
        }
        // The region's own key file, when it is the wrong one, is named as such.
        std::fs::copy(&other, r.key_file("cn")).unwrap();
        let Err(err) = r.open_writer("cn", &KeySource::default(), ArchiveOptions::default()) else {
            panic!("opened with another key");
        };
        let want = format!(
            "the signing key from {} (the region's key file",
            r.key_file("cn").display()
        );
        assert!(err.to_string().contains(&want), "{err}");
    }

    #[test]
    fn only_region_names_are_listed_or_written() {
        let dir = tempfile::tempdir().unwrap();
        let r = Regions::new(dir.path());
        for f in [
            "archive-cn.db",
            "archive-cn.access.db",
            "archive-.db",
            "archive-a b.db",
            "archive-hk.db",
        ] {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        assert_eq!(r.existing().unwrap(), ["cn", "hk"]);
        let src = KeySource::default();
        for bad in ["", "../up", "a/b", "cn.access"] {
            let Err(err) = r.open_writer(bad, &src, ArchiveOptions::default()) else {
                panic!("{bad:?} opened");
            };
            let err = err.to_string();
            assert!(err.contains("residency region"), "{bad:?}: {err}");
            assert!(r.signing_key(bad, &src).is_err());
        }
        assert!(!dir.path().join("archive-.key").exists());
        assert!(!dir.path().parent().unwrap().join("up.db").exists());
    }
}
