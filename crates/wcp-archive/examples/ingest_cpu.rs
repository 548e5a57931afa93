//! Ingest cost per CPU-second on the bench's synthetic events (tamper evidence on). On a shared machine the criterion bench's wall time swings with other load;
//! CPU time says more about the code:
//!
//! `cargo run --release -p wcp-archive --example ingest_cpu -- 100 2000` (batches, default
//! 100; messages per batch, default 1,000). Prints the rate of each tenth of the run on
//! stderr (does it fall as the archive grows?).

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
    let cpu_at_start = cpu_seconds();
    // The rate of each tenth of the run on stderr: how it changes as the archive grows.
    let tenth = (batches / 10).max(1);
    let (mut part_wall, mut part_cpu) = (0.0, 0.0);
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
        let (dw, dc) = (w.elapsed().as_secs_f64(), cpu_seconds() - c);
        wall += dw;
        cpu += dc;
        part_wall += dw;
        part_cpu += dc;
        if (b + 1) % tenth == 0 {
            let n = (tenth * size) as f64;
            eprintln!(
                "up to {} messages: {:.0}/s wall, {:.0}/s per CPU-second",
                (b + 1) * size,
                n / part_wall,
                n / part_cpu
            );
            (part_wall, part_cpu) = (0.0, 0.0);
        }
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
    // The checkpoint thread also works while the next batch is generated, outside the
    // timed calls: the whole process's CPU (the events' generation included) bounds the
    // cost from above.
    println!(
        "whole process, generating the events included: {:.0}/s per CPU-second",
        n / (cpu_seconds() - cpu_at_start)
    );
    Ok(())
}
