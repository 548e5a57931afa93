//! Ingest cost per CPU-second on the bench's synthetic events (tamper evidence on). On a shared machine the criterion bench's wall time swings with other load;
//! CPU time says more about the code:
//!
//! `cargo run --release -p wcp-archive --example ingest_cpu -- 100 2000` (batches, default
//! 100; messages per batch, default 1,000)

use wcp_archive::{Archive, ArchiveOptions, SourceOffset};
use wcp_model::EnrichedEvent;

mod cpu;
use cpu::cpu_seconds;

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let batches: u64 = std::env::args().nth(1).map_or(Ok(100), |a| a.parse())?;
    let size: u64 = std::env::args().nth(2).map_or(Ok(1_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let opts = ArchiveOptions {
        signing_key: Some(common::key()),
        checkpoint_every: 1_000,
        actor: "ingest_cpu".into(),
        ..ArchiveOptions::default()
    };
    let mut archive = Archive::open(&dir.path().join("a.db"), opts)?;
    let (mut wall, mut cpu) = (0.0, 0.0);
    for b in 0..batches {
        let batch: Vec<EnrichedEvent> = (b * size..(b + 1) * size)
            .map(common::bench_event)
            .collect();
        let offsets = [SourceOffset {
            topic: "chat.retained".into(),
            partition: 0,
            next_offset: ((b + 1) * size) as i64,
        }];
        let (w, c) = (std::time::Instant::now(), cpu_seconds());
        archive.insert_batch(&batch, &offsets)?;
        wall += w.elapsed().as_secs_f64();
        cpu += cpu_seconds() - c;
    }
    let n = (batches * size) as f64;
    // Where the WAL was copied back: mostly on the thread, a few final passes inline.
    if let Some(s) = archive.checkpoint_stats() {
        use std::sync::atomic::Ordering::Relaxed;
        println!(
            "WAL checkpoints: {} in the background, {} inline, {} failed",
            s.background.load(Relaxed),
            s.inline.load(Relaxed),
            s.failed.load(Relaxed)
        );
    }
    println!(
        "{n} messages: {:.0}/s wall, {:.0}/s per CPU-second (user+sys)",
        n / wall,
        n / cpu
    );
    Ok(())
}
