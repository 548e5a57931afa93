//! Archive throughput: ingest with tamper evidence on (hash chain + a signed checkpoint per
//! batch, FTS5 trigram index, participant/risk/PII indices) in batches of 1,000, and verify.
//! Targets (DESIGN.md): ingest ≥ 50,000 messages/s, verify ≥ 200,000 records/s.

use std::time::{Duration, Instant};

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use ed25519_dalek::SigningKey;
use wcp_archive::{Archive, ArchiveOptions, SourceOffset};
use wcp_model::EnrichedEvent;

const BATCH: usize = 1_000;

/// Fixtures shared with the tests (`bench_event`: one staff member talking with 100
/// clients; 1 in 4 messages with a risk, 1 in 10 with PII).
#[path = "../tests/common/mod.rs"]
mod common;

fn open(path: &std::path::Path) -> Archive {
    let opts = ArchiveOptions {
        signing_key: Some(SigningKey::from_bytes(&[7u8; 32])),
        checkpoint_every: 1_000,
        actor: "bench".into(),
    };
    Archive::open(path, opts).unwrap()
}

fn ingest(c: &mut Criterion) {
    let dir = tempfile::tempdir().unwrap();
    let mut archive = open(&dir.path().join("ingest.db"));
    let mut next = 0u64;
    let mut g = c.benchmark_group("archive");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.sample_size(20);
    g.bench_function("ingest_batch_1000", |b| {
        b.iter_custom(|iters| {
            let mut spent = Duration::ZERO;
            for _ in 0..iters {
                let batch: Vec<EnrichedEvent> = (next..next + BATCH as u64)
                    .map(common::bench_event)
                    .collect();
                next += BATCH as u64;
                let offsets = [SourceOffset {
                    topic: "chat.retained".into(),
                    partition: 0,
                    next_offset: next as i64,
                }];
                let t = Instant::now();
                let r = archive.insert_batch(&batch, &offsets).unwrap();
                spent += t.elapsed();
                assert_eq!(r.inserted, BATCH as u64);
            }
            spent
        })
    });
    g.finish();
}

fn verify(c: &mut Criterion) {
    const RECORDS: u64 = 100_000;
    let dir = tempfile::tempdir().unwrap();
    let mut archive = open(&dir.path().join("verify.db"));
    for start in (0..RECORDS).step_by(BATCH) {
        let batch: Vec<EnrichedEvent> = (start..start + BATCH as u64)
            .map(common::bench_event)
            .collect();
        archive.insert_batch(&batch, &[]).unwrap();
    }
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

criterion_group!(benches, ingest, verify);
criterion_main!(benches);
