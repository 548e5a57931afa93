//! Helper of `benches/pipeline.sh` (not a criterion bench): measures one chain's end-to-end
//! latency and throughput through the broker.
//!
//! It reads the end topic read_committed from the beginning and notes, for every record,
//! the wall-clock time it became visible; once no record has arrived for `--idle-s`, it
//! reads the raw topic and pairs each end record with its `wecom.raw` record by msgid
//! (Avro `AnonymisedEvent` for the pipeline, the raw JSON itself for the pass-through chain).
//! Latency = visible time - Kafka timestamp of the raw record (same machine, same clock);
//! throughput = end records / (last visible - first raw timestamp).
//!
//! Built and run by `benches/pipeline.sh`: `pipeline_measure --bootstrap B --raw T --end T --format avro|raw
//! --label NAME [--idle-s 10] [--timeout-s 600]`; prints one human line and one JSON line.
use std::collections::HashMap;
use std::time::{Duration, Instant};

use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Message, Offset, TopicPartitionList};
use wcp_model::clock::now_ms;
use wcp_model::AnonymisedEvent;

struct Args {
    bootstrap: String,
    raw: String,
    end: String,
    avro: bool,
    label: String,
    idle: Duration,
    timeout: Duration,
}

fn parse_args() -> Option<Args> {
    let argv: Vec<String> = std::env::args()
        .skip(1)
        .filter(|a| a != "--bench")
        .collect();
    let get = |k: &str| {
        argv.iter()
            .position(|a| a == k)
            .and_then(|i| argv.get(i + 1))
            .cloned()
    };
    let secs =
        |k: &str, d: u64| Duration::from_secs(get(k).and_then(|v| v.parse().ok()).unwrap_or(d));
    Some(Args {
        bootstrap: get("--bootstrap")?,
        raw: get("--raw")?,
        end: get("--end")?,
        avro: get("--format")? == "avro",
        label: get("--label").unwrap_or_else(|| "chain".into()),
        idle: secs("--idle-s", 10),
        timeout: secs("--timeout-s", 600),
    })
}

fn consumer_from_start(bootstrap: &str, topic: &str) -> BaseConsumer {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", format!("bench-measure-{}", now_ms()))
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .set("fetch.wait.max.ms", "5")
        .create()
        .expect("consumer");
    let md = c
        .fetch_metadata(Some(topic), Duration::from_secs(10))
        .expect("metadata");
    let mut tpl = TopicPartitionList::new();
    for p in md.topics()[0].partitions() {
        tpl.add_partition_offset(topic, p.id(), Offset::Beginning)
            .expect("tpl");
    }
    c.assign(&tpl).expect("assign");
    c
}

fn json_msgid(bytes: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(bytes).ok()?;
    v.get("msgid")?.as_str().map(str::to_string)
}

fn percentile(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let i = ((sorted.len() as f64 - 1.0) * q).round() as usize;
    sorted[i.min(sorted.len() - 1)]
}

fn main() {
    let Some(a) = parse_args() else {
        eprintln!("pipeline_measure: run through benches/pipeline.sh (needs --bootstrap --raw --end --format)");
        return;
    };
    // 1. When each end record became visible.
    let end = consumer_from_start(&a.bootstrap, &a.end);
    let mut visible: Vec<(String, i64)> = Vec::new();
    let (start, mut last_new) = (Instant::now(), Instant::now());
    while start.elapsed() < a.timeout {
        match end.poll(Duration::from_millis(100)) {
            Some(Ok(m)) => {
                let at = now_ms();
                let payload = m.payload().unwrap_or_default();
                let msgid = if a.avro {
                    wcp_schema::decode::<AnonymisedEvent>(payload)
                        .ok()
                        .map(|e| e.msgid)
                } else {
                    json_msgid(payload)
                };
                if let Some(id) = msgid {
                    visible.push((id, at));
                }
                last_new = Instant::now();
            }
            Some(Err(e)) => eprintln!("pipeline_measure: {e}"),
            None if !visible.is_empty() && last_new.elapsed() > a.idle => break,
            None => {}
        }
    }
    // 2. The raw records' Kafka timestamps (every raw record is committed by now).
    let raw = consumer_from_start(&a.bootstrap, &a.raw);
    let mut raw_ts: HashMap<String, i64> = HashMap::new();
    let mut idle = Instant::now();
    while idle.elapsed() < Duration::from_secs(3) {
        if let Some(Ok(m)) = raw.poll(Duration::from_millis(100)) {
            if let (Some(id), Some(ts)) = (
                json_msgid(m.payload().unwrap_or_default()),
                m.timestamp().to_millis(),
            ) {
                raw_ts.insert(id, ts);
            }
            idle = Instant::now();
        }
    }
    // 3. Pair them.
    let mut lat: Vec<i64> = Vec::new();
    let (mut first_raw, mut last_seen) = (i64::MAX, i64::MIN);
    for (id, at) in &visible {
        if let Some(ts) = raw_ts.get(id) {
            lat.push(at - ts);
            first_raw = first_raw.min(*ts);
            last_seen = last_seen.max(*at);
        }
    }
    lat.sort_unstable();
    let secs = ((last_seen - first_raw) as f64 / 1000.0).max(0.001);
    let throughput = lat.len() as f64 / secs;
    let (p50, p99, max) = (
        percentile(&lat, 0.50),
        percentile(&lat, 0.99),
        lat.last().copied().unwrap_or(0),
    );
    let (label, raw_n, end_n, paired) = (&a.label, raw_ts.len(), visible.len(), lat.len());
    println!(
        "{label:<12} raw {raw_n:>7}  end {end_n:>7}  paired {paired:>7}  throughput {throughput:>8.0} ev/s  \
         p50 {p50:>5} ms  p99 {p99:>5} ms  max {max:>5} ms"
    );
    let json = serde_json::json!({
        "label": label, "raw": raw_n, "end": end_n, "paired": paired,
        "throughput_eps": throughput.round(), "p50_ms": p50, "p99_ms": p99, "max_ms": max,
    });
    println!("{json}");
}
