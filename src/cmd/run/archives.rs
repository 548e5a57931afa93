//! One archive per residency region in the output folder (`archive-<region>.db`, each signed
//! with its own key, `archive-<region>.key`: `wcp_archive::Regions`), written in batches like
//! the archiver service's.

use std::collections::{BTreeMap, HashSet};

use anyhow::Context;
use wcp_archive::{Archive, ArchiveOptions, SourceOffset};
use wcp_model::EnrichedEvent;

use super::summary::Summary;
use crate::cmd::outdir::OutDir;

/// Events per archive transaction: the archiver service's default (see wcp-runtime config).
const BATCH_EVENTS: usize = 2_000;

/// The page cache of all the run's archives together: one archiver's (`schema::init`), shared
/// by the regions' writers. Each writer kept its own 64 MiB before: with two regions the
/// caches held 113 MB at the peak of a 0.06 GB run (heaptrack, issue #17).
const PAGE_CACHE_KIB: u32 = 65_536;

struct Region {
    archive: Archive,
    /// "region cn's archive out/archive-cn.db": what a failed write names (trial 17a D16).
    named: String,
    batch: Vec<EnrichedEvent>,
    /// msgids in `batch`, for the duplicate check before they are written.
    pending: HashSet<String>,
}

pub struct Archives {
    regions: BTreeMap<String, Region>,
    /// The DPO's public key: quarantined content is sealed to it (else not kept at all).
    quarantine_key: Option<wcp_archive::seal::QuarantineKey>,
}

impl Archives {
    pub fn new(quarantine_key: Option<wcp_archive::seal::QuarantineKey>) -> Archives {
        Archives {
            regions: BTreeMap::new(),
            quarantine_key,
        }
    }

    fn region(&mut self, out: &mut OutDir, region: &str) -> anyhow::Result<&mut Region> {
        if !self.regions.contains_key(region) {
            // Checked before the name is claimed in the folder's marker.
            wcp_archive::regions::check_region(region)?;
            let regions = wcp_archive::Regions::new(out.path());
            let db = regions.db(region);
            let name = db.file_name().and_then(|n| n.to_str()).unwrap_or_default();
            let path = out.own(name)?;
            // Written beside the archive by wcp-archive, not through `own`.
            for side in [".key", ".pub", ".access.db", ".db-wal", ".db-shm"] {
                let stem = name.strip_suffix(".db").unwrap_or(name);
                super::super::outdir::refuse_symlink(&out.path().join(format!("{stem}{side}")))?;
            }
            let opts = ArchiveOptions {
                actor: "wcp-run".to_string(),
                quarantine_key: self.quarantine_key.clone(),
                ..ArchiveOptions::default()
            };
            // The key files are not "owned" outputs: never removed with the run's outputs,
            // and a key put there by the operator is used, not overwritten.
            let src = wcp_archive::KeySource {
                file: None,
                file_setting: "",
                env: true,
            };
            plain_beside_encrypted_notice(&path);
            let named = format!("region {region}'s archive {}", path.display());
            let archive = regions
                .open_writer(region, &src, opts)
                .with_context(|| format!("opening {named}"))?;
            self.regions.insert(
                region.to_string(),
                Region {
                    archive,
                    named,
                    batch: Vec::new(),
                    pending: HashSet::new(),
                },
            );
            let share = PAGE_CACHE_KIB / self.regions.len() as u32;
            for r in self.regions.values() {
                r.archive
                    .set_page_cache_kib(share)
                    .with_context(|| format!("opening {}", r.named))?;
            }
        }
        Ok(self.regions.get_mut(region).expect("inserted above"))
    }

    /// The msgids the folder's archives already hold, up to `limit` newest of each region
    /// (oldest first): the run's re-sent window starts from them, so a re-run of the same
    /// input into the same folder emits nothing twice. Read before this run writes.
    pub fn recent_msgids(out: &OutDir, limit: usize) -> anyhow::Result<Vec<String>> {
        let regions = wcp_archive::Regions::new(out.path());
        let mut all = Vec::new();
        if limit == 0 {
            return Ok(all);
        }
        for region in regions.existing()? {
            let db = regions.db(&region);
            let a = Archive::open_read_only(&db, None)
                .with_context(|| format!("reading region {region}'s archive {}", db.display()))?;
            all.extend(
                a.recent_msgids(limit).with_context(|| {
                    format!("reading region {region}'s archive {}", db.display())
                })?,
            );
        }
        Ok(all)
    }

    /// Whether the archive of `ev`'s region already holds its msgid (or is about to, in
    /// this batch): one row per msgid, as the archiver's `insert_batch` keeps.
    pub fn has(&mut self, out: &mut OutDir, ev: &EnrichedEvent) -> anyhow::Result<bool> {
        let r = self.region(out, wcp_model::region::of_event(ev)?)?;
        let msgid = &ev.event.msgid;
        Ok(r.pending.contains(msgid)
            || r.archive
                .contains(msgid)
                .with_context(|| format!("reading {}", r.named))?)
    }

    pub fn push(
        &mut self,
        out: &mut OutDir,
        ev: EnrichedEvent,
        source: &str,
        line: u64,
        summary: &mut Summary,
    ) -> anyhow::Result<()> {
        let region = wcp_model::region::of_event(&ev)?.to_string();
        let r = self.region(out, &region)?;
        r.pending.insert(ev.event.msgid.clone());
        r.batch.push(ev);
        if r.batch.len() >= BATCH_EVENTS {
            flush(r, source, line, summary)?;
        }
        Ok(())
    }

    pub fn finish(&mut self, source: &str, line: u64, summary: &mut Summary) -> anyhow::Result<()> {
        summary.recalls_pending = 0;
        for r in self.regions.values_mut() {
            flush(r, source, line, summary)?;
            summary.recalls_pending += r
                .archive
                .pending_recalls()
                .with_context(|| format!("reading {}", r.named))?;
        }
        Ok(())
    }
}

fn flush(r: &mut Region, source: &str, line: u64, summary: &mut Summary) -> anyhow::Result<()> {
    if r.batch.is_empty() {
        return Ok(());
    }
    let offset = SourceOffset {
        topic: format!("file:{source}"),
        partition: 0,
        next_offset: line as i64,
    };
    let report = r
        .archive
        .insert_batch(&r.batch, &[offset])
        .with_context(|| format!("writing {} (the batch's transaction left nothing)", r.named))?;
    // Duplicates were skipped before they reached the batch.
    anyhow::ensure!(
        report.duplicates == 0,
        "internal error: {} duplicates reached the archive",
        report.duplicates
    );
    summary.recalls_applied += report.recalls_applied;
    r.batch.clear();
    r.pending.clear();
    Ok(())
}

/// A region's archive written plain while another region's has an encryption key is most
/// likely a forgotten variable: said on stderr, not refused, since an archive without a key
/// is documented as plain SQLite (docs/SECURITY.md "at rest"; trial 17a D6).
fn plain_beside_encrypted_notice(db: &std::path::Path) {
    let (file_var, key_var) = wcp_archive::at_rest::key_vars(db);
    let set = |v: &str| std::env::var_os(v).is_some_and(|v| !v.is_empty());
    if set(&file_var) || set(&key_var) {
        return;
    }
    let others: Vec<String> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v)))
        .filter(|(k, v)| k.starts_with("WCP_ARCHIVE_ENCRYPTION_KEY_") && !v.is_empty())
        .map(|(k, _)| k)
        .collect();
    if let Some(other) = others.first() {
        eprintln!(
            "notice: {} is written unencrypted: neither ${file_var} nor ${key_var} is set, \
             while ${other} is; set one for this region too to encrypt it (docs/SECURITY.md)",
            db.display()
        );
    }
}
