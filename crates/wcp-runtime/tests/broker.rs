//! Against a real broker (`KAFKA_BOOTSTRAP`, e.g. from `scripts/kafka.sh start`); skipped
//! cleanly when it is not set. Each test uses its own random topic prefix.

use std::sync::atomic::{AtomicU64, Ordering};
use std::time::{Duration, Instant};

use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::client::DefaultClientContext;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::producer::{
    BaseProducer, BaseRecord, DefaultProducerContext, Producer, ThreadedProducer,
};
use rdkafka::{ClientConfig, Message, Offset, TopicPartitionList};
use wcp_runtime::reader::TopicReader;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{Config, InRecord, Metrics, OutRecord, RunCtx, RuntimeError, Stage};

fn bootstrap() -> Option<String> {
    std::env::var("KAFKA_BOOTSTRAP")
        .ok()
        .filter(|s| !s.is_empty())
}

fn prefix() -> String {
    static N: AtomicU64 = AtomicU64::new(0);
    let nanos = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap()
        .subsec_nanos();
    format!(
        "rt{}-{}-{}.",
        std::process::id(),
        nanos,
        N.fetch_add(1, Ordering::SeqCst)
    )
}

fn create(bs: &str, topics: &[String], partitions: i32) {
    let admin: AdminClient<DefaultClientContext> = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .create()
        .unwrap();
    let new: Vec<NewTopic<'_>> = topics
        .iter()
        .map(|t| NewTopic::new(t, partitions, TopicReplication::Fixed(1)))
        .collect();
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()
        .unwrap();
    for r in rt
        .block_on(admin.create_topics(&new, &AdminOptions::new()))
        .unwrap()
    {
        r.unwrap();
    }
}

fn produce(bs: &str, topic: &str, values: &[Vec<u8>]) {
    let p: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .create()
        .unwrap();
    for (i, v) in values.iter().enumerate() {
        let key = format!("k{}", i % 7);
        p.send(BaseRecord::to(topic).key(&key).payload(v)).unwrap();
        p.poll(Duration::ZERO);
    }
    p.flush(Duration::from_secs(30)).unwrap();
}

/// Every committed value of `topic` (read_committed, all partitions).
fn read_all(bs: &str, topic: &str, partitions: i32, expect: usize) -> Vec<Vec<u8>> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .set("group.id", format!("{topic}-check"))
        .set("isolation.level", "read_committed")
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    for p in 0..partitions {
        tpl.add_partition_offset(topic, p, Offset::Beginning)
            .unwrap();
    }
    c.assign(&tpl).unwrap();
    let mut out = Vec::new();
    let end = Instant::now() + Duration::from_secs(30);
    let mut quiet_since = Instant::now();
    while Instant::now() < end {
        match c.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                out.push(m.payload().unwrap_or_default().to_vec());
                quiet_since = Instant::now();
            }
            _ if out.len() >= expect && quiet_since.elapsed() > Duration::from_secs(2) => break,
            _ => {}
        }
    }
    out
}

struct Upper;

impl Stage for Upper {
    fn input_topics(&self) -> Vec<&'static str> {
        vec!["in"]
    }
    fn name(&self) -> &'static str {
        "upper"
    }
    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        if rec.payload().starts_with(b"bad") {
            return Err(RuntimeError::Poison {
                code: "stage_error",
                detail: "rejected by test stage".into(),
            });
        }
        out.push(OutRecord::new(
            "out",
            rec.key.clone(),
            rec.payload().to_ascii_uppercase(),
        ));
        Ok(())
    }
}

#[test]
fn transactional_loop_moves_every_record_once_and_dead_letters_poison() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topics: Vec<String> = ["in", "out", "chat.dlq"]
        .iter()
        .map(|t| format!("{p}{t}"))
        .collect();
    create(&bs, &topics, 3);
    let mut values: Vec<Vec<u8>> = (0..3000).map(|i| format!("v{i}").into_bytes()).collect();
    values.push(b"bad record".to_vec());
    produce(&bs, &topics[0], &values);

    let mut cfg = Config::defaults("rt-test");
    cfg.kafka_bootstrap = bs.clone();
    cfg.topic_prefix = p.clone();
    cfg.group_id = format!("{p}g");
    let ctx = RunCtx::new(Metrics::new(), 10_000);
    let (c2, ctx2) = (cfg.clone(), ctx.clone());
    let worker =
        std::thread::spawn(move || txloop::run(&c2, &ctx2, &mut Upper, LoopOptions::default()));
    let out = read_all(&bs, &topics[1], 3, 3000);
    let dlq = read_all(&bs, &topics[2], 3, 1);
    ctx.request_shutdown();
    worker.join().unwrap().unwrap();

    let mut got: Vec<String> = out
        .iter()
        .map(|v| String::from_utf8(v.clone()).unwrap())
        .collect();
    got.sort();
    let mut want: Vec<String> = (0..3000).map(|i| format!("V{i}")).collect();
    want.sort();
    assert_eq!(got, want, "every record exactly once");
    assert_eq!(dlq.len(), 1);
    let dl: wcp_model::DeadLetter = wcp_schema::decode(&dlq[0]).unwrap();
    assert_eq!(dl.original, b"bad record");
    assert_eq!(dl.reason_code, "stage_error");
    let text = ctx.metrics.render();
    assert!(text.contains("wcp_dead_letters_total{reason=\"stage_error\"} 1"));
}

#[test]
fn reader_catches_up_past_transaction_markers() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topic = format!("{p}ledger");
    create(&bs, std::slice::from_ref(&topic), 2);
    let tp: ThreadedProducer<DefaultProducerContext> = ClientConfig::new()
        .set("bootstrap.servers", &bs)
        .set("transactional.id", format!("{p}tx"))
        .create()
        .unwrap();
    tp.init_transactions(Duration::from_secs(30)).unwrap();
    for batch in 0..3 {
        tp.begin_transaction().unwrap();
        for i in 0..10 {
            let v = format!("b{batch}-{i}");
            tp.send(BaseRecord::to(&topic).key(&v).payload(&v)).unwrap();
        }
        if batch == 1 {
            tp.abort_transaction(Duration::from_secs(30)).unwrap();
        } else {
            tp.commit_transaction(Duration::from_secs(30)).unwrap();
        }
    }
    let mut cfg = Config::defaults("rt-reader");
    cfg.kafka_bootstrap = bs;
    cfg.topic_prefix = p;
    let mut reader = TopicReader::open(&cfg, "ledger").unwrap();
    let mut seen = Vec::new();
    let t0 = Instant::now();
    let done = reader
        .catch_up(Duration::from_secs(20), |r| seen.push(r.payload().to_vec()))
        .unwrap();
    eprintln!("caught up in {:?}", t0.elapsed());
    assert!(done);
    assert_eq!(seen.len(), 20, "committed records only");
    assert!(seen.iter().all(|v| !v.starts_with(b"b1-")));
    // Nothing new: a second catch-up sees nothing and still reports caught up.
    let t1 = Instant::now();
    let again = reader
        .catch_up(Duration::from_secs(20), |_| panic!("no new records"))
        .unwrap();
    eprintln!("second catch-up in {:?}", t1.elapsed());
    assert!(again);
}

/// The ingest's start-up read: only the tail of each partition, split over the partitions;
/// a partition shorter than its share is read from its beginning, an empty one is done.
/// `n` records `p<part>-<i>` into each listed partition.
fn produce_counts(bs: &str, topic: &str, counts: &[(i32, usize)]) {
    let tp: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .create()
        .unwrap();
    for &(part, n) in counts {
        for i in 0..n {
            let v = format!("p{part}-{i}");
            tp.send(BaseRecord::<(), _>::to(topic).partition(part).payload(&v))
                .unwrap();
        }
    }
    tp.flush(Duration::from_secs(30)).unwrap();
}

#[test]
fn a_tail_reader_reads_the_last_offsets_of_each_partition() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topic = format!("{p}events");
    create(&bs, std::slice::from_ref(&topic), 3);
    // Partition 0: 10 records, partition 1: 2, partition 2: none.
    produce_counts(&bs, &topic, &[(0, 10), (1, 2)]);
    let mut cfg = Config::defaults("rt-tail");
    cfg.kafka_bootstrap = bs;
    cfg.topic_prefix = p;
    // 12 in all: 4 per partition.
    let mut reader = TopicReader::open_tail(&cfg, "events", 12).unwrap();
    // Re-created before reading anything: it still starts at the tail, not the beginning.
    reader.reopen().unwrap();
    let mut seen = Vec::new();
    let t0 = Instant::now();
    let done = reader
        .catch_up(Duration::from_secs(20), |r| {
            seen.push(String::from_utf8_lossy(r.payload()).into_owned())
        })
        .unwrap();
    assert!(done, "caught up ({:?})", t0.elapsed());
    assert!(t0.elapsed() < Duration::from_secs(10), "{:?}", t0.elapsed());
    seen.sort();
    assert_eq!(seen, ["p0-6", "p0-7", "p0-8", "p0-9", "p1-0", "p1-1"]);
}

/// The alerter's start-up replay (issue 17): the last `window` offsets before the group's
/// committed offset on each partition, nothing at or past it, partitions with no commit left
/// out.
#[test]
fn a_reader_before_the_committed_offsets_reads_only_that_window() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topic = format!("{p}events");
    create(&bs, std::slice::from_ref(&topic), 3);
    produce_counts(&bs, &topic, &[(0, 10), (1, 4), (2, 5)]);
    let mut cfg = Config::defaults("rt-window");
    cfg.kafka_bootstrap = bs.clone();
    cfg.topic_prefix = p;
    // Partition 0 committed at 7, partition 1 at 2, partition 2 never.
    let group: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bs)
        .set("group.id", cfg.group())
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&topic, 0, Offset::Offset(7))
        .unwrap();
    tpl.add_partition_offset(&topic, 1, Offset::Offset(2))
        .unwrap();
    group
        .commit(&tpl, rdkafka::consumer::CommitMode::Sync)
        .unwrap();
    let mut reader = TopicReader::open_before_committed(&cfg, "events", 3)
        .unwrap()
        .expect("something before the committed offsets");
    let mut seen = Vec::new();
    let done = reader
        .catch_up(Duration::from_secs(20), |r| {
            seen.push(String::from_utf8_lossy(r.payload()).into_owned())
        })
        .unwrap();
    assert!(done);
    seen.sort();
    assert_eq!(seen, ["p0-4", "p0-5", "p0-6", "p1-0", "p1-1"]);
    // A predecessor killed mid-transaction leaves offsets pending for the group (here: a
    // producer that sent them and neither commits nor aborts). The read takes the stable
    // offsets at once instead of waiting for that transaction to time out (a trial saw the
    // restarted alerter stall ~50 s on `OperationTimedOut`, what="committed offsets").
    let pending: BaseProducer = ClientConfig::new()
        .set("bootstrap.servers", &bs)
        .set("transactional.id", format!("{}-killed", cfg.group()))
        .set("transaction.timeout.ms", "120000")
        .create()
        .unwrap();
    pending.init_transactions(Duration::from_secs(30)).unwrap();
    pending.begin_transaction().unwrap();
    let mut later = TopicPartitionList::new();
    later
        .add_partition_offset(&topic, 0, Offset::Offset(9))
        .unwrap();
    pending
        .send_offsets_to_transaction(
            &later,
            &group.group_metadata().unwrap(),
            Duration::from_secs(30),
        )
        .unwrap();
    let t0 = Instant::now();
    let mut reader = TopicReader::open_before_committed(&cfg, "events", 3)
        .unwrap()
        .expect("something before the committed offsets");
    let waited = t0.elapsed();
    let mut again = Vec::new();
    reader
        .catch_up(Duration::from_secs(20), |r| {
            again.push(String::from_utf8_lossy(r.payload()).into_owned())
        })
        .unwrap();
    again.sort();
    assert_eq!(again, seen, "the stable offsets, not the pending ones");
    assert!(
        waited < Duration::from_secs(8),
        "waited {waited:?} on a predecessor's open transaction"
    );
    // The lag measurement (`wcp lag`, the lag exporter) does not wait for it either.
    let mut client = ClientConfig::new();
    client.set("bootstrap.servers", &bs);
    let t0 = Instant::now();
    let lags = wcp_runtime::lag::measure(
        &client,
        &wcp_runtime::kafka::PlainCtx::default(),
        &cfg.group(),
        &topic,
        Duration::from_secs(10),
        0,
    )
    .expect("lag measured while a transaction holds offsets");
    assert!(t0.elapsed() < Duration::from_secs(8), "{:?}", t0.elapsed());
    let p0 = lags.iter().find(|l| l.partition == 0).expect("partition 0");
    assert_eq!(p0.committed, 7, "the stable committed offset");
    pending.abort_transaction(Duration::from_secs(30)).unwrap();
    // A group that committed nothing: nothing to read.
    cfg.group_id = "rt-window-none".into();
    assert!(TopicReader::open_before_committed(&cfg, "events", 3)
        .unwrap()
        .is_none());
}

/// A consumer of every partition of `topic` from the beginning, and what `fill_batch`
/// makes of it with `flush_ms` and `max`: the size of each batch until `expect` records.
fn batches(bs: &str, topic: &str, flush_ms: u64, max: usize, expect: usize) -> Vec<usize> {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bs)
        .set("group.id", format!("{topic}-batches"))
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, Offset::Beginning)
        .unwrap();
    c.assign(&tpl).unwrap();
    let mut cfg = Config::defaults("rt-batch");
    (cfg.flush_interval_ms, cfg.batch_max_events) = (flush_ms, max);
    let ctx = RunCtx::new(Metrics::new(), 10_000);
    let revoked = std::sync::atomic::AtomicBool::new(false);
    let (mut sizes, mut batch) = (Vec::new(), Vec::new());
    while sizes.iter().sum::<usize>() < expect {
        wcp_runtime::batch::fill_batch(&c, &cfg, &ctx, &mut batch, &revoked);
        sizes.push(batch.len());
        batch.clear();
    }
    sizes
}

#[test]
fn batches_take_what_is_ready_up_to_the_maximum() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let topic = format!("{}batch", prefix());
    create(&bs, std::slice::from_ref(&topic), 1);
    let values: Vec<Vec<u8>> = (0..300).map(|i| format!("v{i}").into_bytes()).collect();
    produce(&bs, &topic, &values);
    // No wait for more (flush_interval_ms 0), yet a batch is everything the consumer already
    // holds, not one record: the 300 records come in a few batches (one per fetch at most).
    let sizes = batches(&bs, &topic, 0, 500, 300);
    assert_eq!(sizes.iter().sum::<usize>(), 300);
    assert!(sizes.len() <= 30, "{} batches: {sizes:?}", sizes.len());
    // The maximum still bounds a batch.
    let sizes = batches(&bs, &topic, 0, 100, 300);
    assert!(sizes.iter().all(|n| *n <= 100), "{sizes:?}");
    assert!(sizes.len() >= 3, "{sizes:?}");
}

#[test]
fn a_batch_waits_up_to_the_flush_interval_for_more_records() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let topic = format!("{}linger", prefix());
    create(&bs, std::slice::from_ref(&topic), 1);
    let (bs2, topic2) = (bs.clone(), topic.clone());
    let producer = std::thread::spawn(move || {
        produce(&bs2, &topic2, &[b"first".to_vec()]);
        std::thread::sleep(Duration::from_millis(300));
        let more: Vec<Vec<u8>> = (0..5).map(|i| format!("more{i}").into_bytes()).collect();
        produce(&bs2, &topic2, &more);
    });
    // The first record opens the batch; the five produced 300 ms later arrive well within
    // the 5 s interval and join it.
    let t0 = Instant::now();
    let sizes = batches(&bs, &topic, 5_000, 500, 6);
    producer.join().unwrap();
    assert_eq!(sizes, vec![6]);
    assert!(t0.elapsed() >= Duration::from_secs(5), "{:?}", t0.elapsed());
}

/// A start-up read (`read_to_end`) under load: a round that times out mid-topic, even one
/// `catch_up` that gave up just before, must not end the read short; and SIGTERM stops it.
#[test]
fn read_to_end_reads_every_record_across_timed_out_rounds_and_stops_on_shutdown() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topic = format!("{p}alerts");
    create(&bs, std::slice::from_ref(&topic), 3);
    let n = 20_000;
    let values: Vec<Vec<u8>> = (0..n).map(|i| format!("a{i}").into_bytes()).collect();
    produce(&bs, &topic, &values);
    let mut cfg = Config::defaults("rt-to-end");
    cfg.kafka_bootstrap = bs;
    cfg.topic_prefix = p;
    let ctx = RunCtx::new(Metrics::new(), 10_000);

    let mut reader = TopicReader::open(&cfg, "alerts").unwrap();
    let mut seen = std::collections::HashSet::new();
    // 1 ms cannot read 20,000 records: this catch-up times out part way.
    let done = reader
        .catch_up(Duration::from_millis(1), |r| {
            seen.insert(r.payload().to_vec());
        })
        .unwrap();
    assert!(!done, "a 1 ms catch-up of {n} records timed out");
    // A re-created consumer (what a reader does after failed end-offset queries) goes on
    // where the old one stood: nothing lost, nothing twice.
    let before = seen.len();
    reader.reopen().unwrap();
    let _ = reader.catch_up(Duration::from_millis(1), |r| {
        assert!(
            seen.insert(r.payload().to_vec()),
            "no record twice after reopen"
        );
    });
    assert!(seen.len() >= before);
    let t0 = Instant::now();
    let read = reader
        .read_to_end(&ctx, "testing", Duration::from_millis(1), |r| {
            assert!(seen.insert(r.payload().to_vec()), "no record twice");
        })
        .unwrap();
    eprintln!("read_to_end: {read} more records in {:?}", t0.elapsed());
    assert_eq!(seen.len(), n, "every record read");

    // Shutdown requested: a fresh read of the same topic stops with a fatal error.
    let mut reader = TopicReader::open(&cfg, "alerts").unwrap();
    ctx.request_shutdown();
    let mut got = 0;
    let err = reader
        .read_to_end(&ctx, "testing shutdown", Duration::from_millis(1), |_| {
            got += 1
        })
        .unwrap_err();
    assert!(matches!(err, RuntimeError::Interrupted(_)), "{err}");
    assert!(err.to_string().contains("shutdown while testing shutdown"));
    assert!(got < n, "stopped before the end ({got} of {n})");
}

/// A store that holds one position for every partition.
struct FixedStore(i64);

impl wcp_runtime::local::OffsetStore for FixedStore {
    fn resume(&self, _topic: &str, _partition: i32) -> Option<i64> {
        Some(self.0)
    }
}

/// Trial 15h D6: the review console rejoined after an outage with its store caught up and
/// its group's (informational) commit behind; no new record came, so the commit stayed
/// behind and `WcpConsumerLagHigh` fired on an idle console. A local-store consumer started
/// with nothing to read brings the group's committed offset, as `wcp lag` reads it, to the
/// store's position.
#[test]
fn an_idle_local_store_consumer_commits_its_stored_positions_to_the_group() {
    let Some(bs) = bootstrap() else {
        eprintln!("KAFKA_BOOTSTRAP not set: skipped");
        return;
    };
    let p = prefix();
    let topic = format!("{p}alerts");
    create(&bs, std::slice::from_ref(&topic), 1);
    let values: Vec<Vec<u8>> = (0..10).map(|i| format!("a{i}").into_bytes()).collect();
    produce(&bs, &topic, &values);
    let mut cfg = Config::defaults("rt-local-commit");
    cfg.kafka_bootstrap = bs.clone();
    cfg.topic_prefix = p.clone();
    // The group's commit stops at 3 (lost in an outage); the store is at the end, 10.
    let old: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bs)
        .set("group.id", cfg.group())
        .set("enable.auto.commit", "false")
        .create()
        .unwrap();
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition_offset(&topic, 0, Offset::Offset(3))
        .unwrap();
    old.commit(&tpl, rdkafka::consumer::CommitMode::Sync)
        .unwrap();
    drop(old);

    let committed = |cfg: &Config| -> Option<i64> {
        let client = wcp_runtime::kafka::client_config(cfg);
        let ctx = wcp_runtime::client_ctx::PlainCtx::default();
        let lags = wcp_runtime::lag::measure(
            &client,
            &ctx,
            &cfg.group(),
            &cfg.topic_prefix,
            Duration::from_secs(5),
            0,
        )
        .ok()?;
        lags.iter()
            .find(|l| l.group == cfg.group() && l.topic == topic)
            .map(|l| l.committed)
    };
    assert_eq!(committed(&cfg), Some(3));

    let ctx = RunCtx::new(Metrics::new(), 10_000);
    let (cfg2, ctx2) = (cfg.clone(), ctx.clone());
    let t = std::thread::spawn(move || {
        let store = Box::new(FixedStore(10));
        let topic = cfg2.topic("alerts");
        let c = wcp_runtime::local::consumer(&cfg2, &ctx2.metrics, store, &[&topic]).unwrap();
        let (mut batch, mut read) = (Vec::new(), 0);
        while !wcp_runtime::local::next_batch(&c, &cfg2, &ctx2, &mut batch) {
            read += batch.len();
            batch.clear();
        }
        read
    });
    let t0 = Instant::now();
    let mut seen = committed(&cfg);
    while seen != Some(10) && t0.elapsed() < Duration::from_secs(20) {
        std::thread::sleep(Duration::from_millis(500));
        seen = committed(&cfg);
    }
    ctx.request_shutdown();
    let read = t.join().unwrap();
    assert_eq!(read, 0, "nothing past the store's position");
    assert_eq!(
        seen,
        Some(10),
        "the group's committed offset follows the store within 20 s (waited {:?})",
        t0.elapsed()
    );
    eprintln!(
        "committed offset level with the store after {:?}",
        t0.elapsed()
    );
}
