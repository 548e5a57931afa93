//! Ingest cost per CPU-second on the bench's synthetic events (tamper evidence on, batches
//! of 1,000). On a shared machine the criterion bench's wall time swings with other load;
//! CPU time says more about the code:
//!
//! `cargo run --release -p wcp-archive --example ingest_cpu -- 100` (batches, default 100)

use wcp_archive::{Archive, ArchiveOptions, SourceOffset};
use wcp_model::EnrichedEvent;

mod cpu;
use cpu::cpu_seconds;

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let batches: u64 = std::env::args().nth(1).map_or(Ok(100), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let opts = ArchiveOptions {
        signing_key: Some(common::key()),
        checkpoint_every: 1_000,
        actor: "ingest_cpu".into(),
    };
    let mut archive = Archive::open(&dir.path().join("a.db"), opts)?;
    let (mut wall, mut cpu) = (0.0, 0.0);
    for b in 0..batches {
        let batch: Vec<EnrichedEvent> = (b * 1_000..(b + 1) * 1_000)
            .map(common::bench_event)
            .collect();
        let offsets = [SourceOffset {
            topic: "chat.retained".into(),
            partition: 0,
            next_offset: ((b + 1) * 1_000) as i64,
        }];
        let (w, c) = (std::time::Instant::now(), cpu_seconds());
        archive.insert_batch(&batch, &offsets)?;
        wall += w.elapsed().as_secs_f64();
        cpu += cpu_seconds() - c;
    }
    let n = (batches * 1_000) as f64;
    println!(
        "{n} messages: {:.0}/s wall, {:.0}/s per CPU-second (user+sys)",
        n / wall,
        n / cpu
    );
    Ok(())
}
