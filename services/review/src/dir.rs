//! The console over a `wcp run` / `wcp demo` output folder (`wcp review --dir OUT`): the
//! region archives `archive-<region>.db` read as they are, `alerts.jsonl` fed into the
//! queue, and the console's own files created next to them (`review-<region>.db`,
//! `review-console.db`, `review.key`, `exports/`). Nothing the pipeline wrote is changed
//! except by holds and exports, which the archive chains as its own records.

use std::path::{Path, PathBuf};

use wcp_archive::Regions;
use wcp_review::{accounts, chain, ConsoleStore, RegionStore, ReviewError};

use crate::state::{now_ms, ArchiveState, Console, Region, Settings, Shared};

/// The region archives in `dir`, by region name: `wcp_archive::Regions` decides what is a
/// region's archive (not the access logs `archive-<r>.access.db` audited reads create).
pub fn archives(dir: &Path) -> Result<Vec<(String, PathBuf)>, ReviewError> {
    let regions = Regions::new(dir);
    let names = regions
        .existing()
        .map_err(|e| ReviewError::Invalid(format!("{}: {e}", dir.display())))?;
    Ok(names
        .into_iter()
        .map(|r| {
            let db = regions.db(&r);
            (r, db)
        })
        .collect())
}

pub struct Opened {
    pub console: Shared,
    /// (user, one-time password) when this start created the first account.
    pub bootstrap: Option<(String, String)>,
}

pub fn open(dir: &Path, mut settings: Settings) -> Result<Opened, ReviewError> {
    let found = archives(dir)?;
    if found.is_empty() {
        return Err(ReviewError::Invalid(format!(
            "{}: no archive-<region>.db here; run `wcp demo --out {0}` or `wcp run --input FILE --out {0}` first",
            dir.display()
        )));
    }
    let key = chain::load_or_create_key(&dir.join("review.key"))?;
    let mut regions = Vec::new();
    for (name, path) in found {
        // Each region's own signing key (`wcp_archive::Regions`), when it is here.
        let archive_key = Some(Regions::new(dir).key_file(&name)).filter(|p| p.exists());
        let store = RegionStore::open(&dir.join(format!("review-{name}.db")), &name, key.clone())?;
        let region = Region::new(name, store, Some(path), archive_key);
        if let ArchiveState::Broken(why) = region.attach() {
            return Err(ReviewError::Invalid(why));
        }
        regions.push(region);
    }
    let mut console = ConsoleStore::open(&dir.join("review-console.db"), key)?;
    let bootstrap = accounts::bootstrap(&mut console, now_ms())?;
    settings.export_dir = dir.join("exports");
    // A capture's media store copied or pointed to as `OUT/media` (docs/CAPTURE.md, media).
    settings.media_dir = Some(dir.join("media")).filter(|m| m.is_dir());
    // The key `wcp run` pseudonymised this folder's contacts with, so a contact's WeCom id can
    // be looked up under its pseudonym (docs/PRIVACY.md); a folder without one has none.
    let tenant_key = dir.join("tenant.key");
    if tenant_key.exists() {
        settings.tenant_key = Some(crate::pseudonyms::TenantKey::load(&tenant_key)?);
    }
    Ok(Opened {
        console: Console::new(console, regions, settings),
        bootstrap,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn access_logs_are_not_regions() {
        let dir = tempfile::tempdir().unwrap();
        for f in ["archive-cn.db", "archive-cn.access.db", "archive-hk.db"] {
            std::fs::write(dir.path().join(f), b"").unwrap();
        }
        let found = archives(dir.path()).unwrap();
        let names: Vec<&str> = found.iter().map(|(r, _)| r.as_str()).collect();
        assert_eq!(names, ["cn", "hk"]);
        assert_eq!(found[0].1, dir.path().join("archive-cn.db"));
    }
}
