//! The archiver's periodic verification cost, incremental against full, on one archive of
//! the bench's synthetic events: a full `verify`; a tick after `APPENDED` new records
//! (`verify_after` from the head before them); one rolling window of `WINDOW` older records
//! (`verify_stretch`); the tick the archiver runs is the last two together.
//!
//! `cargo run --release -p wcp-archive --example verify_cpu -- 500000 FILE` makes the archive
//! (bench events, a checkpoint every 1,000), then
//! `cargo run --release -p wcp-archive --example verify_tick -- FILE [APPENDED] [WINDOW]`
//! (APPENDED default 2,000, WINDOW default 200,000 = the archiver's default
//! `verify_sweep_records`).

use rusqlite::Connection;
use wcp_archive::Archive;

mod cpu;
use cpu::cpu_seconds;

#[path = "../tests/common/mod.rs"]
mod common;

fn arg(i: usize, default: i64) -> Result<i64, std::num::ParseIntError> {
    std::env::args().nth(i).map_or(Ok(default), |a| a.parse())
}

/// (wall s, CPU s) of `f`, which must verify OK.
fn timed(
    what: &str,
    f: impl FnOnce() -> Result<wcp_archive::VerifyReport, wcp_archive::ArchiveError>,
) -> Result<(), Box<dyn std::error::Error>> {
    let (w, c) = (std::time::Instant::now(), cpu_seconds());
    let r = f()?;
    let (wall, cpu) = (w.elapsed().as_secs_f64(), cpu_seconds() - c);
    assert!(r.ok, "{what}: {:#?}", r.problems);
    println!(
        "{what}: {} records, {wall:.3} s wall, {cpu:.3} CPU-s",
        r.records_checked
    );
    Ok(())
}

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let path = std::path::PathBuf::from(
        std::env::args()
            .nth(1)
            .ok_or("usage: verify_tick FILE [APPENDED] [WINDOW]")?,
    );
    let appended = arg(2, 2_000)?;
    let window = arg(3, 200_000)?;
    let key = common::key().verifying_key();
    let reader = Archive::open_read_only(&path, Some(&key))?;
    let head = reader.signed_head()?;
    // The last verified head: the newest checkpoint `appended` records before the end.
    let c = Connection::open(&path)?;
    let (seq, hash): (i64, Vec<u8>) = c.query_row(
        "SELECT seq, hash FROM checkpoints WHERE seq <= ?1 ORDER BY seq DESC LIMIT 1",
        [head - appended],
        |r| Ok((r.get(0)?, r.get(1)?)),
    )?;
    println!("archive: {head} records signed; last verified head {seq}");
    timed("full verify (the first run)", || reader.verify_with(&key))?;
    timed("incremental: appended since the head", || {
        reader.verify_after(Some(&key), seq, &hex::encode(&hash))
    })?;
    timed("rolling window of older records", || {
        reader.verify_stretch(Some(&key), 0, window.min(head), true)
    })?;
    Ok(())
}
