//! Verify cost per CPU-second on an archive of the bench's synthetic events: on a shared
//! machine the criterion bench's wall time swings with other load; CPU time says more about
//! the code (the verify target is ≥ 200,000 records/s).
//!
//! `cargo run --release -p wcp-archive --example verify_cpu -- 100000 [FILE]` (messages,
//! default 100,000, written in batches of 2,000; with FILE the archive is kept there and an
//! existing FILE is only verified, e.g. under `perf record`)
//!
//! For an encrypted archive the full verify includes the check of every page's HMAC
//! (`at_rest::check_pages`); it is then also timed on its own, so its share of the cost is
//! visible, and so is SQLCipher's own check of the same pages (`PRAGMA
//! cipher_integrity_check`, which the verify ran before) for comparison.

use wcp_archive::{Archive, ArchiveOptions};
use wcp_model::EnrichedEvent;

mod cpu;
use cpu::cpu_seconds;

#[path = "../tests/common/mod.rs"]
mod common;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let n: u64 = std::env::args().nth(1).map_or(Ok(100_000), |a| a.parse())?;
    let dir = tempfile::tempdir()?;
    let path = std::env::args()
        .nth(2)
        .map_or_else(|| dir.path().join("a.db"), std::path::PathBuf::from);
    if !path.exists() {
        fill(&path, n)?;
    }
    let reader = Archive::open_read_only(&path, None)?;
    let (w, c) = (std::time::Instant::now(), cpu_seconds());
    let report = reader.verify()?;
    let (wall, cpu) = (w.elapsed().as_secs_f64(), cpu_seconds() - c);
    assert!(report.ok, "{:#?}", report.problems);
    let records = report.records_checked as f64;
    println!(
        "{records} records: {:.0}/s wall, {:.0}/s per CPU-second (user+sys)",
        records / wall,
        records / cpu
    );
    if !wcp_archive::at_rest::is_plain(&path) {
        let c = cpu_seconds();
        let bad = wcp_archive::at_rest::check_pages(&path)?;
        let pcpu = cpu_seconds() - c;
        assert!(bad.is_empty(), "{bad:?}");
        println!(
            "page HMAC check: {:.3} CPU-s, {:.1}% of the verify's CPU; verify without it: {:.0}/s per CPU-second",
            pcpu,
            pcpu / cpu * 100.0,
            records / (cpu - pcpu).max(1e-9)
        );
        let conn = wcp_archive::at_rest::open(&path, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)?;
        let c = cpu_seconds();
        let mut st = conn.prepare("PRAGMA cipher_integrity_check")?;
        let bad = st.query_map([], |_| Ok(()))?.count();
        assert_eq!(bad, 0, "pages failing their HMAC");
        println!(
            "SQLCipher's cipher_integrity_check of the same pages: {:.3} CPU-s",
            cpu_seconds() - c
        );
    }
    Ok(())
}

fn fill(path: &std::path::Path, n: u64) -> Result<(), Box<dyn std::error::Error>> {
    let opts = ArchiveOptions {
        signing_key: Some(common::key()),
        checkpoint_every: 1_000,
        actor: "verify_cpu".into(),
        ..ArchiveOptions::default()
    };
    let mut archive = Archive::open(path, opts)?;
    for start in (0..n).step_by(2_000) {
        let batch: Vec<EnrichedEvent> = (start..(start + 2_000).min(n))
            .map(common::bench_event)
            .collect();
        archive.insert_batch(&batch, &[])?;
    }
    Ok(())
}
