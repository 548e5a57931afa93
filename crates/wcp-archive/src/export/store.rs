//! Finds an export's media in the region's media store, the capture's content-addressed
//! `<media_dir>/<region>/sha256/<ab>/<cd>/<sha256>` (docs/CAPTURE.md, media). A message names
//! its file by md5sum; the store by sha256. Only files whose size is one a wanted item gives
//! (or any, for items without a size) are read, so an export of a few messages stats the
//! store but reads only the candidates. A file whose name is not its sha256 is skipped: the
//! store holds only whole, verified files, and anything else is not evidence.

use std::collections::{HashMap, HashSet};
use std::io::Read;
use std::path::{Path, PathBuf};

use md5::Md5;
use sha2::{Digest, Sha256};

use crate::error::ArchiveError;
use crate::export::media::{Found, Resolved};

/// The items wanted from one region: (md5sum, size when the message gives it).
pub type Wanted = Vec<(String, Option<u64>)>;

/// Looks the wanted items up per region; `media_dir` `None` gives a `Resolved` that says
/// "media store not available".
pub fn resolve(
    media_dir: Option<&Path>,
    wanted: &HashMap<String, Wanted>,
) -> Result<Resolved, ArchiveError> {
    let Some(dir) = media_dir else {
        return Ok(Resolved::default());
    };
    if !dir.is_dir() {
        return Err(ArchiveError::Invalid(format!(
            "media store {}: no such folder (give the capture's media_dir, which holds <region>/sha256/)",
            dir.display()
        )));
    }
    let mut r = Resolved {
        store: true,
        ..Resolved::default()
    };
    for (region, items) in wanted {
        // A region is a name (letters, digits, - and _), never a path.
        if region.is_empty()
            || !region
                .chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
        {
            continue;
        }
        find(&dir.join(region).join("sha256"), items, &mut r.by_md5)?;
    }
    Ok(r)
}

fn find(
    root: &Path,
    items: &[(String, Option<u64>)],
    out: &mut HashMap<String, Found>,
) -> Result<(), ArchiveError> {
    let md5s: HashSet<&str> = items.iter().map(|(m, _)| m.as_str()).collect();
    let sizes: HashSet<u64> = items.iter().filter_map(|(_, s)| *s).collect();
    let any_size = items.iter().any(|(_, s)| s.is_none());
    for path in files(root)? {
        if md5s.iter().all(|m| out.contains_key(*m)) {
            break;
        }
        let len = std::fs::metadata(&path)?.len();
        if !any_size && !sizes.contains(&len) {
            continue;
        }
        let mut bytes = Vec::with_capacity(len as usize);
        std::fs::File::open(&path)?.read_to_end(&mut bytes)?;
        let sha256 = hex::encode(Sha256::digest(&bytes));
        if path.file_name().and_then(|n| n.to_str()) != Some(sha256.as_str()) {
            continue;
        }
        let md5 = hex::encode(Md5::digest(&bytes));
        if md5s.contains(md5.as_str()) {
            out.insert(md5, Found { sha256, bytes });
        }
    }
    Ok(())
}

/// Every file under `root/<ab>/<cd>/`; none when the region has no store yet.
fn files(root: &Path) -> Result<Vec<PathBuf>, ArchiveError> {
    let mut out = Vec::new();
    let Ok(level1) = std::fs::read_dir(root) else {
        return Ok(out);
    };
    for a in level1.flatten() {
        let Ok(level2) = std::fs::read_dir(a.path()) else {
            continue;
        };
        for b in level2.flatten() {
            let Ok(level3) = std::fs::read_dir(b.path()) else {
                continue;
            };
            out.extend(level3.flatten().map(|f| f.path()).filter(|p| p.is_file()));
        }
    }
    out.sort();
    Ok(out)
}

// Tested in tests/export.rs (`the_media_store_is_read_by_md5_in_the_region_only`), beside the
// exports that use it, with the same store-writing helper.
