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

use rdkafka::producer::{BaseRecord, Producer};
use wcp_archive::seal::QuarantineKey;
use wcp_archive::{Archive, ArchiveError, ArchiveOptions, KeySource, Regions, SourceOffset};
use wcp_model::EnrichedEvent;
use wcp_runtime::Metrics;

/// Next offset to read per (topic, partition), as durably stored.
pub use wcp_runtime::local::Positions;

/// One batch for the writer.
pub struct Batch {
    pub by_region: BTreeMap<String, Vec<EnrichedEvent>>,
    /// Next offsets after this batch, per partition it touched.
    pub offsets: Vec<SourceOffset>,
    /// Kafka timestamps of the originating raw records (end-to-end latency).
    pub origin_ts_ms: Vec<i64>,
}

/// Where the newest signed head of each region is published after every batch.
pub struct Anchors {
    pub producer: wcp_runtime::kafka::PlainProducer,
    pub topic: String,
}

/// The archives of one directory.
pub struct Writer {
    regions: Regions,
    keys: KeySource,
    /// The DPO's public key: quarantined content is sealed to it (else not kept at all).
    quarantine_key: Option<QuarantineKey>,
    archives: BTreeMap<String, Archive>,
    anchors: Option<Anchors>,
    /// Shared with the consumer thread: where to resume after a (re)assignment.
    pub durable: Arc<Mutex<Positions>>,
    metrics: Metrics,
    /// The region whose archive the last `write` was opening or writing (what a failure
    /// names: trial 17a D16).
    current: Option<String>,
}

impl Writer {
    /// Opens every `archive-<region>.db` in `dir` and computes the resume positions. Each
    /// region signs with its own key (`wcp_archive::regions`); `signing_key_file`, when set,
    /// is the key of the one region this archiver serves (one archiver per region, as the
    /// Kubernetes overlays run it). `quarantine_key`: the DPO's public key
    /// (`quarantine_public_key_file`), to which quarantined content is sealed.
    pub fn open(
        dir: &Path,
        signing_key_file: Option<PathBuf>,
        quarantine_key: Option<QuarantineKey>,
        metrics: Metrics,
    ) -> Result<Writer, ArchiveError> {
        std::fs::create_dir_all(dir)?;
        let mut w = Writer {
            regions: Regions::new(dir),
            keys: KeySource {
                file: signing_key_file,
                file_setting: crate::settings::SIGNING_KEY_SETTING,
                env: true,
            },
            quarantine_key,
            archives: BTreeMap::new(),
            anchors: None,
            durable: Arc::new(Mutex::new(Positions::new())),
            metrics,
            current: None,
        };
        for region in w.regions.existing()? {
            let a = w.open_archive(&region)?;
            w.archives.insert(region, a);
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

    /// Whether any region's archive is open (found at start or created since).
    pub fn has_archive(&self) -> bool {
        !self.archives.is_empty()
    }

    fn open_archive(&self, region: &str) -> Result<Archive, ArchiveError> {
        let opts = ArchiveOptions {
            actor: "wcp-archiver".to_string(),
            quarantine_key: self.quarantine_key.clone(),
            ..ArchiveOptions::default()
        };
        self.regions.open_writer(region, &self.keys, opts)
    }

    /// Publishes each region's newest signed head after every batch (and now, for the
    /// archives already open).
    pub fn publish_anchors(&mut self, anchors: Anchors) {
        self.anchors = Some(anchors);
        let regions: Vec<String> = self.archives.keys().cloned().collect();
        self.anchor(&regions);
    }

    fn anchor(&self, regions: &[String]) {
        let Some(a) = &self.anchors else { return };
        for region in regions {
            let Some(archive) = self.archives.get(region) else {
                continue;
            };
            match archive.latest_anchor(region) {
                Ok(Some(anchor)) => {
                    let value = serde_json::to_vec(&anchor).unwrap_or_default();
                    let rec: BaseRecord<'_, str, [u8]> = BaseRecord::to(&a.topic)
                        .key(region.as_str())
                        .payload(&value);
                    // A lost anchor is replaced by the next batch's: log, never fail the write.
                    if let Err((e, _)) = a.producer.send(rec) {
                        tracing::warn!(error = %e, region = region.as_str(), "anchor not published");
                    }
                }
                Ok(None) => {}
                Err(e) => tracing::warn!(error = %e, "anchor not read"),
            }
        }
        a.producer.poll(std::time::Duration::ZERO);
    }

    /// Waits for the published anchors (at shutdown).
    pub fn flush_anchors(&self) {
        if let Some(a) = &self.anchors {
            let _ = a.producer.flush(std::time::Duration::from_secs(10));
        }
    }

    /// Chains the readers' access logs of every open archive (called now and then).
    pub fn absorb_access_logs(&mut self) {
        for (region, a) in self.archives.iter_mut() {
            if let Err(e) = a.absorb_access_log() {
                tracing::warn!(error = %e, region = region.as_str(), "access log not absorbed");
            }
        }
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
                self.current = Some(region.clone());
                let mut a = self.open_archive(region)?;
                a.insert_batch(&[], &before)?;
                self.archives.insert(region.clone(), a);
            }
        }
        for (region, archive) in self.archives.iter_mut() {
            self.current = Some(region.clone());
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
        {
            let mut d = self.durable.lock().unwrap_or_else(|p| p.into_inner());
            for o in &batch.offsets {
                d.insert((o.topic.clone(), o.partition), o.next_offset);
            }
        }
        let written: Vec<String> = self.archives.keys().cloned().collect();
        self.anchor(&written);
        Ok(())
    }

    /// "region cn's archive DIR/archive-cn.db": the file the last failed `write` was at.
    pub fn failing_at(&self) -> Option<String> {
        let r = self.current.as_ref()?;
        Some(format!(
            "region {r}'s archive {}",
            self.regions.db(r).display()
        ))
    }

    /// Refreshes `wcp_archive_size_bytes` and `wcp_archive_wal_bytes`. The WAL file keeps its
    /// largest size: past twice the writer's inline checkpoint limit (64 MiB) it says the
    /// checkpoints are not keeping up (a slow disk, a reader pinning old frames).
    pub fn observe_sizes(&self) {
        for region in self.archives.keys() {
            let path = self.regions.db(region);
            let wal = path.with_extension("db-wal");
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
