//! Loads raw WeCom JSON lines into an archive, unenriched (no classification, default
//! disposition), to try `wcp archive …` without the pipeline:
//!
//! `cargo run -p wcp-archive --example load -- samples.jsonl /tmp/a.db`
//! (the signing key goes to `/tmp/a.db.key`, where `wcp archive` looks for it).

use std::path::PathBuf;

mod cpu;
use cpu::cpu_seconds;

use wcp_archive::{keys, Archive, ArchiveOptions};
use wcp_model::{parse_wecom, EnrichedEvent};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let [input, db] = args.as_slice() else {
        return Err("usage: load INPUT.jsonl ARCHIVE.db".into());
    };
    let mut key_path = PathBuf::from(db).into_os_string();
    key_path.push(".key");
    let key = keys::load_or_create_signing_key(&PathBuf::from(key_path))?;
    let opts = ArchiveOptions {
        signing_key: Some(key),
        ..ArchiveOptions::default()
    };
    let mut archive = Archive::open(PathBuf::from(db).as_path(), opts)?;
    let events: Vec<EnrichedEvent> = std::fs::read(input)?
        .split(|b| *b == b'\n')
        .filter_map(|line| parse_wecom(line, None).ok())
        .map(EnrichedEvent::new)
        .collect();
    // Batches of 1,000, as the archiver writes them.
    let (wall, cpu) = (std::time::Instant::now(), cpu_seconds());
    for batch in events.chunks(1_000) {
        let report = archive.insert_batch(batch, &[])?;
        println!("{}", serde_json::to_string(&report)?);
    }
    let (wall, cpu) = (wall.elapsed().as_secs_f64(), cpu_seconds() - cpu);
    eprintln!(
        "{} events: {:.0}/s wall, {:.0}/s per CPU-second (user+sys)",
        events.len(),
        events.len() as f64 / wall,
        events.len() as f64 / cpu
    );
    Ok(())
}
