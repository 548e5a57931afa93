//! Verification of an archive that is being written: the archiver's periodic verification
//! and `wcp archive verify` read a live file. A full verification reads many tables; every
//! read must come from one snapshot, or rows committed between two reads look "added" or
//! "changed" and a clean archive is reported as tampered (a platform-engineer trial saw
//! `ARCHIVE VERIFICATION FAILED … problems=1396` after an archiver restart under load).
mod common;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use common::bench_event;
use wcp_archive::{Archive, SourceOffset};

#[test]
fn a_full_verification_during_writes_sees_one_consistent_archive() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("live.db");
    let mut writer = common::open(&path);
    let first: Vec<_> = (0..200).map(bench_event).collect();
    writer
        .insert_batch(&first, &[offset(200)])
        .expect("first batch");
    let stop = Arc::new(AtomicBool::new(false));
    let writing = {
        let stop = stop.clone();
        std::thread::spawn(move || {
            let mut n = 200u64;
            // Small batches with pauses: the archive stays small (debug builds verify
            // slowly) while commits keep landing during every verification.
            while !stop.load(Ordering::Relaxed) && n < 6_000 {
                let batch: Vec<_> = (n..n + 10).map(bench_event).collect();
                n += 10;
                writer
                    .insert_batch(&batch, &[offset(n as i64)])
                    .expect("batch");
                std::thread::sleep(std::time::Duration::from_millis(5));
            }
            n
        })
    };
    let key = common::key().verifying_key();
    let mut during = 0;
    while !writing.is_finished() && during < 4 {
        let a = Archive::open_read_only(&path, Some(&key)).unwrap();
        let r = a.verify_report(Some(&key), 10).unwrap();
        assert!(
            r.ok,
            "a clean archive under writes reported problems: {:#?}",
            r.problems
        );
        during += 1;
    }
    stop.store(true, Ordering::Relaxed);
    let written = writing.join().unwrap();
    assert!(
        during >= 2,
        "only {during} verifications ran during the writes"
    );
    assert!(written > 200, "the writer kept writing during the runs");
}

fn offset(n: i64) -> SourceOffset {
    SourceOffset {
        topic: "chat.tagged".into(),
        partition: 0,
        next_offset: n,
    }
}

/// A writer that archived 20 messages, and a reader (the review console) of the same file.
fn written_and_read(path: &std::path::Path) -> (Archive, Archive) {
    let mut writer = common::open(path);
    let batch: Vec<_> = (0..20).map(bench_event).collect();
    writer.insert_batch(&batch, &[offset(20)]).expect("batch");
    let reader = Archive::open_read_only(path, None).expect("a reader keeps it open");
    (writer, reader)
}

/// A `.db` copied alone while the archiver and a reader (the review console) have the archive
/// open holds none of the pages still in the `-wal`: verifying the copy says it is an empty or
/// incomplete copy and how to copy again, not "no such table: meta: SQL logic error" (trial
/// 15h D2).
#[test]
fn a_db_copied_without_its_wal_is_named_an_incomplete_copy() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive-hk.db");
    let (writer, reader) = written_and_read(&path);
    assert!(
        dir.path().join("archive-hk.db-wal").exists(),
        "a running writer's small batch is still in the WAL"
    );
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("archive-hk.db");
    std::fs::copy(&path, &copy).unwrap();
    drop(writer);
    drop(reader);
    let err = Archive::open_read_only(&copy, None)
        .err()
        .expect("the copy is not an archive")
        .to_string();
    assert!(
        err.contains("is not a wcp archive: it holds no tables")
            && err.contains("without its -wal")
            && err.contains("together with its -wal and -shm"),
        "{err}"
    );
    assert!(!err.contains("no such table"), "{err}");
}

/// A writer that goes away copies its WAL into the `.db`, even while a reader still has the
/// archive open: a `.db` copied after a clean stop of the archiver is the whole archive
/// (trial 15i D1: a cleanly stopped archiver left a one-page `.db` beside the whole archive
/// in its `-wal`).
#[test]
fn a_stopped_writer_leaves_every_page_in_the_db() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("archive-hk.db");
    let (writer, reader) = written_and_read(&path);
    drop(writer);
    let copy_dir = tempfile::tempdir().unwrap();
    let copy = copy_dir.path().join("archive-hk.db");
    std::fs::copy(&path, &copy).unwrap();
    drop(reader);
    let report = Archive::open_read_only(&copy, None)
        .expect("the .db alone is the archive")
        .verify()
        .unwrap();
    assert!(report.ok, "{report:?}");
    assert!(report.records_checked >= 20, "{report:?}");
}
