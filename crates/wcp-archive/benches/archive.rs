//! Archive throughput: ingest with tamper evidence on (hash chain + a signed checkpoint per
//! batch, FTS5 trigram index, participant/risk/PII indices) in batches of 2,000 (the
//! archiver's default `batch_max_events`) and 1,000, and verify.
//! Targets (DESIGN.md): ingest ≥ 50,000 messages/s, verify ≥ 200,000 records/s.
//!
//! The archive grows by every iteration (to ~1,000,000 messages for the 2,000 batches), so
//! the figure includes the B-trees deepening and the background WAL checkpoints keeping up.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::SigningKey;
use wcp_archive::{Archive, ArchiveOptions, Query, SourceOffset};
use wcp_model::EnrichedEvent;

const BATCH: usize = 1_000;
const ARCHIVER_BATCH: usize = 2_000;

/// Fixtures shared with the tests (`bench_event`: one staff member talking with 100
/// clients; 1 in 4 messages with a risk, 1 in 10 with PII).
#[path = "../tests/common/mod.rs"]
mod common;

fn open(path: &std::path::Path) -> Archive {
    let opts = ArchiveOptions {
        signing_key: Some(SigningKey::from_bytes(&[7u8; 32])),
        checkpoint_every: 1_000,
        actor: "bench".into(),
        ..ArchiveOptions::default()
    };
    Archive::open(path, opts).unwrap()
}

fn ingest(c: &mut Criterion) {
    let mut g = c.benchmark_group("archive");
    g.sample_size(20);
    for size in [ARCHIVER_BATCH, BATCH] {
        ingest_batches(&mut g, size);
    }
    g.finish();
}

fn ingest_batches(
    g: &mut criterion::BenchmarkGroup<criterion::measurement::WallTime>,
    size: usize,
) {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = open(&dir.path().join("ingest.db"));
    let mut next = 0u64;
    g.throughput(Throughput::Elements(size as u64));
    g.bench_function(format!("ingest_batch_{size}"), |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let batch: Vec<EnrichedEvent> = (next..next + size as u64)
                    .map(common::bench_event)
                    .collect();
                next += size as u64;
                let offsets = [SourceOffset {
                    topic: "chat.retained".into(),
                    partition: 0,
                    next_offset: next as i64,
                }];
                let t = Instant::now();
                let r = archive.insert_batch(&batch, &offsets).unwrap();
                spent += t.elapsed();
                assert_eq!(r.inserted, size as u64);
            }
            spent
        })
    });
}

const RECORDS: u64 = 100_000;

/// An archive of `RECORDS` bench messages.
fn filled(path: &std::path::Path) -> Archive {
    let mut archive = open(path);
    for start in (0..RECORDS).step_by(BATCH) {
        let batch: Vec<EnrichedEvent> = (start..start + BATCH as u64)
            .map(common::bench_event)
            .collect();
        archive.insert_batch(&batch, &[]).unwrap();
    }
    archive
}

fn verify(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let archive = filled(&dir.path().join("verify.db"));
    let mut g = c.benchmark_group("archive");
    g.throughput(Throughput::Elements(RECORDS));
    g.sample_size(10);
    g.bench_function("verify_100k", |b| {
        b.iter(|| {
            let report = archive.verify().unwrap();
            assert!(report.ok);
            assert_eq!(report.records_checked, RECORDS);
        })
    });
    g.finish();
}

/// Reviewer searches (each one audited, i.e. a chained write) on 100,000 messages: the
/// price of indexing conversations and participants as FTS5 tokens rather than B-trees.
fn search(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = filled(&dir.path().join("search.db"));
    let page = |q: Query| Query {
        limit: Some(100),
        ..q
    };
    let cases = [
        // 1,000 messages each
        (
            "conversation",
            Query {
                conversation: Some("wmCLIENT7|zhangsan".into()),
                ..Query::default()
            },
        ),
        (
            "participant_client",
            Query {
                participant: Some("wmCLIENT7".into()),
                ..Query::default()
            },
        ),
        // in all 100,000: first page
        (
            "participant_staff_page",
            page(Query {
                participant: Some("zhangsan".into()),
                ..Query::default()
            }),
        ),
        // a trigram term in 25,000 messages, ANDed with a conversation
        (
            "text_in_conversation",
            Query {
                text: Some("quarterly".into()),
                conversation: Some("wmCLIENT5|zhangsan".into()),
                ..Query::default()
            },
        ),
        // two Chinese characters (no trigram: LIKE over every message), first page
        (
            "text_two_chars_page",
            page(Query {
                text: Some("爬山".into()),
                ..Query::default()
            }),
        ),
    ];
    let mut g = c.benchmark_group("archive_search_100k");
    g.sample_size(20);
    for (name, q) in cases {
        assert!(!archive.search(&q, "bench").unwrap().is_empty(), "{name}");
        g.bench_function(name, |b| b.iter(|| archive.search(&q, "bench").unwrap()));
    }
    g.finish();
}

criterion_group!(benches, ingest, verify, search);
criterion_main!(benches);
