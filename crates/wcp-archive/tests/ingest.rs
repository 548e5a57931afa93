//! Idempotent ingest, recall reconciliation, dispositions and stored offsets.
mod common;

use common::{recall, text, T0};
use wcp_archive::{Query, SourceOffset};
use wcp_model::Disposition;

fn offset(n: i64) -> SourceOffset {
    SourceOffset {
        topic: "chat.retained".into(),
        partition: 3,
        next_offset: n,
    }
}

#[test]
fn same_batch_twice_is_stored_once() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = common::corpus();
    let first = a.insert_batch(&batch, &[offset(20)]).unwrap();
    let second = a.insert_batch(&batch, &[offset(20)]).unwrap();
    assert_eq!((first.inserted, first.duplicates), (20, 0));
    assert_eq!((second.inserted, second.duplicates), (0, 20));
    assert_eq!(a.count_messages().unwrap(), 20);
    // 20 messages and one offsets record: the replay's unchanged offsets add nothing.
    assert_eq!(a.chain_len(), 21);
    // Duplicates inside one batch, too.
    let twice = [text("dup", "a", T0), text("dup", "a", T0)];
    let r = a.insert_batch(&twice, &[]).unwrap();
    assert_eq!((r.inserted, r.duplicates), (1, 1));
    assert!(a.verify().unwrap().ok);
}

/// What `wcp run` seeds its re-sent window with: the newest msgids, oldest first, bounded.
#[test]
fn recent_msgids_are_the_newest_oldest_first() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = [
        text("m1", "a", T0),
        text("m2", "b", T0),
        text("m3", "c", T0),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    a.insert_batch(&[text("m4", "d", T0), text("m2", "b", T0)], &[])
        .unwrap();
    assert_eq!(a.recent_msgids(3).unwrap(), ["m2", "m3", "m4"]);
    assert_eq!(a.recent_msgids(10).unwrap(), ["m1", "m2", "m3", "m4"]);
    assert!(a.recent_msgids(0).unwrap().is_empty());
}

#[test]
fn offsets_are_stored_with_the_batch_and_survive_reopen() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    {
        let mut a = common::open(&path);
        a.insert_batch(&common::corpus()[..5], &[offset(5)])
            .unwrap();
        a.insert_batch(&common::corpus()[5..], &[offset(20)])
            .unwrap();
    }
    let mut a = common::open(&path);
    assert_eq!(a.stored_offsets().unwrap(), vec![offset(20)]);
    // The chain continues where it stopped.
    a.insert_batch(&[text("after", "after reopen", T0)], &[offset(21)])
        .unwrap();
    // 21 messages and an offsets record per batch.
    assert_eq!(a.chain_len(), 24);
    assert!(a.verify().unwrap().ok);
}

#[test]
fn recall_after_original_marks_it_recalled() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    a.insert_batch(&[text("orig", "delete me", T0)], &[])
        .unwrap();
    let r = a
        .insert_batch(&[recall("rev", "orig", T0 + 5_000)], &[])
        .unwrap();
    assert_eq!((r.recalls_applied, r.recalls_pending), (1, 0));
    let m = a.message("orig").expect("never deleted");
    assert_eq!(m.recalled_at_ms, Some(T0 + 5_000));
    assert_eq!(m.recall_msgid.as_deref(), Some("rev"));
    assert_eq!(m.stored.text, "delete me", "content kept as received");
    assert!(a.verify().unwrap().ok);
}

#[test]
fn recall_before_original_is_applied_when_it_arrives() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let r = a
        .insert_batch(&[recall("rev", "orig", T0 + 5_000)], &[])
        .unwrap();
    assert_eq!((r.recalls_applied, r.recalls_pending), (0, 1));
    assert_eq!(a.pending_recalls().unwrap(), 1);
    let r = a
        .insert_batch(&[text("orig", "delete me", T0)], &[])
        .unwrap();
    assert_eq!(r.recalls_applied, 1);
    assert_eq!(a.pending_recalls().unwrap(), 0);
    let m = a.message("orig").unwrap();
    assert!(m.is_recalled());
    assert_eq!(m.stored.text, "delete me");
    let recalled = a
        .search(
            &Query {
                recalled: Some(true),
                ..Query::default()
            },
            "t",
        )
        .unwrap();
    assert_eq!(recalled.len(), 1);
    assert!(a.verify().unwrap().ok);
}

#[test]
fn recall_and_original_in_one_batch_either_order() {
    for order in [["rev", "orig"], ["orig", "rev"]] {
        let dir = tempfile::tempdir().unwrap();
        let mut a = common::open(&dir.path().join("a.db"));
        let batch: Vec<_> = order
            .iter()
            .map(|id| {
                if *id == "rev" {
                    recall("rev", "orig", T0 + 1)
                } else {
                    text("orig", "x", T0)
                }
            })
            .collect();
        let r = a.insert_batch(&batch, &[]).unwrap();
        assert_eq!(r.recalls_applied, 1, "{order:?}");
        assert!(a.message("orig").unwrap().is_recalled());
    }
}

#[test]
fn quarantine_is_kept_apart_and_metadata_only_keeps_no_content() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let q = common::with_disposition(
        text("q1", "secret quarantined words", T0),
        Disposition::Quarantine,
    );
    let m = common::with_disposition(
        text("m1", "metadata only words", T0),
        Disposition::MetadataOnly,
    );
    let r = a.insert_batch(&[q, m], &[]).unwrap();
    assert_eq!((r.inserted, r.quarantined), (1, 1));
    assert_eq!(a.count_messages().unwrap(), 1);
    assert_eq!(a.count_quarantined().unwrap(), 1);
    assert!(a
        .search(
            &Query {
                text: Some("quarantined".into()),
                ..Query::default()
            },
            "t"
        )
        .unwrap()
        .is_empty());
    assert!(a
        .search(&Query::default(), "t")
        .unwrap()
        .iter()
        .all(|m| m.stored.msgid != "q1"));
    assert_eq!(
        a.message("q1").unwrap().stored.disposition,
        Disposition::Quarantine
    );
    let meta = a.message("m1").unwrap();
    assert_eq!(meta.stored.text, "");
    assert!(meta.stored.raw().is_empty());
    assert_eq!(meta.stored.payload_json, "");
    assert!(a
        .search(
            &Query {
                text: Some("metadata".into()),
                ..Query::default()
            },
            "t"
        )
        .unwrap()
        .is_empty());
    // Idempotence covers quarantined msgids too.
    let again = common::with_disposition(text("q1", "x", T0), Disposition::Quarantine);
    assert_eq!(a.insert_batch(&[again], &[]).unwrap().duplicates, 1);
}

#[test]
fn raw_bytes_round_trip_even_when_not_utf8() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let mut e = text("bin", "x", T0);
    e.event.raw = vec![0xff, 0x00, 0x7b];
    let utf8 = text("utf", "合同", T0);
    a.insert_batch(&[e, utf8.clone()], &[]).unwrap();
    assert_eq!(
        a.message("bin").unwrap().stored.raw(),
        vec![0xff, 0x00, 0x7b]
    );
    assert_eq!(a.message("utf").unwrap().stored.event(), utf8.event);
}

#[test]
fn read_only_without_a_key_and_key_mismatch_refused() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    common::open(&path)
        .insert_batch(&common::corpus(), &[])
        .unwrap();
    let mut ro = wcp_archive::Archive::open(&path, wcp_archive::ArchiveOptions::default()).unwrap();
    assert!(ro.verify().unwrap().ok, "the published key verifies");
    assert!(matches!(
        ro.insert_batch(&common::corpus(), &[]),
        Err(wcp_archive::ArchiveError::NoSigningKey)
    ));
    let other = wcp_archive::ArchiveOptions {
        signing_key: Some(ed25519_dalek::SigningKey::from_bytes(&[1u8; 32])),
        ..Default::default()
    };
    assert!(matches!(
        wcp_archive::Archive::open(&path, other),
        Err(wcp_archive::ArchiveError::KeyMismatch)
    ));
}

#[test]
fn two_writers_on_one_archive_keep_one_chain() {
    // The archiver keeps its handle open while reviewers' searches append audit records.
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut archiver = common::open(&path);
    let mut reviewer = common::open(&path);
    let events = common::corpus();
    archiver.insert_batch(&events[..5], &[]).unwrap();
    reviewer.search(&Query::default(), "alice").unwrap();
    archiver.insert_batch(&events[5..10], &[]).unwrap();
    reviewer.search(&Query::default(), "bob").unwrap();
    archiver.insert_batch(&events[10..], &[]).unwrap();
    assert_eq!(archiver.chain_len(), 22);
    assert_eq!(reviewer.audit_trail().unwrap().len(), 2);
    let report = reviewer.verify().unwrap();
    assert!(report.ok, "{report:?}");
}
