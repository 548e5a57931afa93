//! The SQLite side: one thread owns the archives (one file per residency region) and writes
//! each batch with its source offsets in the same SQLite transaction, per file.
//!
//! Offsets are written to every open archive with every batch, and a new archive is seeded
//! with the position before the batch that creates it, so the resume point — the smallest
//! stored offset per partition over all files — never skips a row any file is missing. Rows
//! a file already holds are skipped by the archive's msgid dedup.

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};

use wcp_archive::{Archive, ArchiveError, ArchiveOptions, SourceOffset};
use wcp_model::EnrichedEvent;
use wcp_runtime::Metrics;

/// Next offset to read per (topic, partition), as durably stored.
pub type Positions = BTreeMap<(String, i32), i64>;

/// One batch for the writer.
pub struct Batch {
    pub by_region: BTreeMap<String, Vec<EnrichedEvent>>,
    /// Next offsets after this batch, per partition it touched.
    pub offsets: Vec<SourceOffset>,
    /// Kafka timestamps of the originating raw records (end-to-end latency).
    pub origin_ts_ms: Vec<i64>,
}

/// The archives of one directory.
pub struct Writer {
    dir: PathBuf,
    signing_key_file: Option<PathBuf>,
    archives: BTreeMap<String, Archive>,
    /// Shared with the consumer thread: where to resume after a (re)assignment.
    pub durable: Arc<Mutex<Positions>>,
    metrics: Metrics,
}

fn region_of(path: &Path) -> Option<String> {
    let name = path.file_name()?.to_str()?;
    Some(
        name.strip_prefix("archive-")?
            .strip_suffix(".db")?
            .to_string(),
    )
}

impl Writer {
    /// Opens every `archive-<region>.db` in `dir` and computes the resume positions.
    pub fn open(
        dir: &Path,
        signing_key_file: Option<PathBuf>,
        metrics: Metrics,
    ) -> Result<Writer, ArchiveError> {
        std::fs::create_dir_all(dir)?;
        let mut w = Writer {
            dir: dir.to_path_buf(),
            signing_key_file,
            archives: BTreeMap::new(),
            durable: Arc::new(Mutex::new(Positions::new())),
            metrics,
        };
        for entry in std::fs::read_dir(dir)? {
            let path = entry?.path();
            if let Some(region) = region_of(&path) {
                let a = w.open_archive(&region)?;
                w.archives.insert(region, a);
            }
        }
        let mut pos = Positions::new();
        for a in w.archives.values() {
            for o in a.stored_offsets()? {
                let e = pos.entry((o.topic, o.partition)).or_insert(o.next_offset);
                *e = (*e).min(o.next_offset);
            }
        }
        *w.durable.lock().unwrap_or_else(|p| p.into_inner()) = pos;
        Ok(w)
    }

    fn open_archive(&self, region: &str) -> Result<Archive, ArchiveError> {
        let key_path = self
            .signing_key_file
            .clone()
            .unwrap_or_else(|| self.dir.join("signing.key"));
        let key = wcp_archive::keys::load_or_create_signing_key(&key_path)?;
        let opts = ArchiveOptions {
            signing_key: Some(key),
            actor: "wcp-archiver".to_string(),
            ..ArchiveOptions::default()
        };
        Archive::open(&self.dir.join(format!("archive-{region}.db")), opts)
    }

    /// Writes one batch; on success the durable positions move to the batch's offsets.
    pub fn write(&mut self, batch: &Batch) -> Result<(), ArchiveError> {
        let before: Vec<SourceOffset> = {
            let d = self.durable.lock().unwrap_or_else(|p| p.into_inner());
            d.iter()
                .map(|((t, p), o)| SourceOffset {
                    topic: t.clone(),
                    partition: *p,
                    next_offset: *o,
                })
                .collect()
        };
        for region in batch.by_region.keys() {
            if !self.archives.contains_key(region) {
                let mut a = self.open_archive(region)?;
                a.insert_batch(&[], &before)?;
                self.archives.insert(region.clone(), a);
            }
        }
        for (region, archive) in self.archives.iter_mut() {
            let events = batch
                .by_region
                .get(region)
                .map(Vec::as_slice)
                .unwrap_or(&[]);
            let report = archive.insert_batch(events, &batch.offsets)?;
            self.metrics
                .archive_records
                .with_label_values(&[region.as_str()])
                .inc_by(report.inserted);
        }
        let mut d = self.durable.lock().unwrap_or_else(|p| p.into_inner());
        for o in &batch.offsets {
            d.insert((o.topic.clone(), o.partition), o.next_offset);
        }
        Ok(())
    }

    /// Refreshes `wcp_archive_size_bytes` and `wcp_archive_wal_bytes`. The WAL file keeps its
    /// largest size: past twice the writer's inline checkpoint limit (64 MiB) it says the
    /// checkpoints are not keeping up (a slow disk, a reader pinning old frames).
    pub fn observe_sizes(&self) {
        for region in self.archives.keys() {
            let path = self.dir.join(format!("archive-{region}.db"));
            let wal = self.dir.join(format!("archive-{region}.db-wal"));
            for (file, gauge) in [
                (&path, &self.metrics.archive_size),
                (&wal, &self.metrics.archive_wal),
            ] {
                if let Ok(m) = std::fs::metadata(file) {
                    gauge
                        .with_label_values(&[region.as_str()])
                        .set(m.len() as i64);
                }
            }
        }
    }
}

#[cfg(test)]
#[path = "writer_tests.rs"]
mod tests;
