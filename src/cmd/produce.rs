//! `wcp produce`: sends raw WeCom JSON lines to `wecom.raw`, from a file (byte for byte) or
//! synthesised (the load generator), with an increasing `seq` header like the capture SDK
//! (for a file: each line's own top-level `seq`, when it has one).
//! Produces are pipelined (no per-record wait); every delivery report is counted before it
//! exits: delivered / failed on stdout, exit 1 when any record was not delivered, and an
//! error naming the topic or the broker address before anything is sent when either is
//! missing. SIGINT/SIGTERM stop sending; what was sent is flushed (up to 10 s) and the same
//! summary printed (`stop`); failing deliveries are reported while it runs.

use std::io::BufRead;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use clap::Args;
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::message::{Header, OwnedHeaders};
use rdkafka::producer::{BaseProducer, BaseRecord, Producer};
use std::sync::atomic::Ordering;
use wcp_model::topics;

use super::kafka::CliCtx;
use super::stop::{FailureLog, Stop};
use super::synthetic::Synth;

/// How long a stopped run waits for its delivery reports.
const STOPPED_FLUSH: Duration = Duration::from_secs(10);

#[derive(Args)]
#[command(
    after_help = "Examples:\n  wcp produce --bootstrap 127.0.0.1:9092 --file samples.jsonl\n  wcp produce --synthetic 100000 --rate 5000 --seed 7"
)]
pub struct ProduceArgs {
    /// Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092).
    #[arg(long)]
    bootstrap: Option<String>,
    /// Prefix added to the topic name.
    #[arg(long, default_value = "")]
    prefix: String,
    /// File of raw WeCom JSON lines, sent byte for byte.
    #[arg(
        long,
        conflicts_with = "synthetic",
        required_unless_present = "synthetic"
    )]
    file: Option<std::path::PathBuf>,
    /// Number of synthetic events to send.
    #[arg(long)]
    synthetic: Option<u64>,
    /// Target rate in events per second (default: as fast as possible).
    #[arg(long)]
    rate: Option<f64>,
    /// Seed of the synthetic generator (contacts, texts and message ids depend on it).
    #[arg(long, default_value_t = 1)]
    seed: u64,
    /// First `seq` header value; synthetic message ids and times continue from it, so runs
    /// over consecutive ranges never reuse an id.
    #[arg(long, default_value_t = 1)]
    first_seq: u64,
}

pub fn run(args: ProduceArgs) -> anyhow::Result<ExitCode> {
    let bootstrap = super::kafka::bootstrap(args.bootstrap.as_deref());
    let mut config = super::kafka::client_config(&bootstrap)?;
    // A record that cannot be delivered in this time is reported failed, not retried
    // forever (WCP_KAFKA__MESSAGE_TIMEOUT_MS may say otherwise).
    if config.get("message.timeout.ms").is_none() {
        config.set("message.timeout.ms", "60000");
    }
    // The topics' max.message.bytes (`wcp topics create`): librdkafka's own 1 MB default
    // refused every record over it, so input.max_record_bytes (16 MiB) never applied over
    // Kafka (trial 17a D4).
    if config.get("message.max.bytes").is_none() {
        config.set(
            "message.max.bytes",
            wcp_runtime::kafka::MAX_MESSAGE_BYTES.to_string(),
        );
    }
    let producer: BaseProducer<CliCtx> = config
        .set("enable.idempotence", "true")
        .set("linger.ms", "5")
        .set("compression.type", "lz4")
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    let topic = format!("{}{}", args.prefix, topics::RAW);
    // Fails here, naming the address or the topic, before anything is sent.
    if let Err(e) = super::kafka::partitions(producer.client(), &bootstrap, &topic) {
        producer.poll(Duration::from_millis(100));
        return Err(super::kafka::with_cause(e, producer.context()));
    }
    let stop = Stop::on_signals()?;
    let mut failures = FailureLog::default();
    let start = Instant::now();
    let mut sent = 0u64;
    // Records refused before sending (too large for message.max.bytes): named and skipped.
    let mut refused = 0u64;
    let file_name = args.file.as_ref().map(|p| p.display().to_string());
    // Serves delivery reports; says when deliveries fail (rate-limited).
    let mut serve = |wait: Duration| {
        producer.poll(wait);
        let ctx = producer.context();
        if let Some(n) = failures.due(ctx.failed.load(Ordering::Relaxed), Instant::now()) {
            let cause = ctx
                .take_error()
                .map(|c| format!("; last Kafka error: {c}"))
                .unwrap_or_default();
            eprintln!("warning: {n} record(s) not delivered to {topic} so far{cause}");
        }
    };
    // `seq`: the synthetic counter, or a file line's own `seq` field (none without one), so
    // a file replays through the services as `wcp run` reads it. Ok(false): stopped.
    // `line_no`: the record's line in the file (1-based), 0 for a synthetic one.
    let mut send = |line: &[u8],
                    key: Option<String>,
                    seq: Option<u64>,
                    line_no: usize|
     -> anyhow::Result<bool> {
        if let Some(rate) = args.rate {
            let due = start + Duration::from_secs_f64(sent as f64 / rate);
            while Instant::now() < due && !stop.requested() {
                serve(Duration::ZERO);
                std::thread::sleep((due - Instant::now()).min(Duration::from_millis(50)));
            }
        }
        let seq = seq.map(|s| s.to_string());
        let mut rec: BaseRecord<'_, str, [u8], usize> =
            BaseRecord::with_opaque_to(&topic, line_no).payload(line);
        if let Some(seq) = &seq {
            rec = rec.headers(OwnedHeaders::new().insert(Header {
                key: "seq",
                value: Some(seq.as_bytes()),
            }));
        }
        if let Some(k) = key.as_deref() {
            rec = rec.key(k);
        }
        loop {
            if stop.requested() {
                return Ok(false);
            }
            match producer.send(rec) {
                Ok(()) => break,
                Err((KafkaError::MessageProduction(RDKafkaErrorCode::QueueFull), r)) => {
                    serve(Duration::from_millis(5));
                    rec = r;
                }
                // One record the producer refuses (too large): named, skipped, counted;
                // the rest of the file is still sent.
                Err((e, _)) if line_no > 0 && refused_record(&e) => {
                    let file = file_name.as_deref().unwrap_or("input");
                    eprintln!(
                        "error: {file}:{line_no}: not sent: {}",
                        refusal(&e, line.len())
                    );
                    refused += 1;
                    return Ok(true);
                }
                Err((e, _)) => return Err(e.into()),
            }
        }
        serve(Duration::ZERO);
        sent += 1;
        Ok(true)
    };
    if let Some(path) = &args.file {
        let file = std::fs::File::open(path)
            .map_err(|e| anyhow::anyhow!("cannot read {}: {e}", path.display()))?;
        for (i, line) in std::io::BufReader::new(file).split(b'\n').enumerate() {
            let mut line = line?;
            if line.last() == Some(&b'\r') {
                line.pop();
            }
            if line.iter().all(u8::is_ascii_whitespace) {
                continue;
            }
            let key = conversation_key(&line);
            if !send(&line, key, wcp_stages::ingest::seq_of_line(&line), i + 1)? {
                break;
            }
        }
    } else if let Some(n) = args.synthetic {
        let mut synth = Synth::new(args.seed, args.first_seq);
        for i in 0..n {
            let (key, line) = synth.next_event();
            if !send(line.as_bytes(), Some(key), Some(args.first_seq + i), 0)? {
                break;
            }
        }
    }
    // Every delivery report, not just an empty queue: a record that failed is counted.
    // Stopped by a signal: a shorter wait (a second signal ends it at once).
    let flush_for = match stop.requested() {
        true => STOPPED_FLUSH,
        false => Duration::from_secs(90),
    };
    let flushed = producer.flush(flush_for);
    let ctx = producer.context();
    let delivered = ctx.delivered.load(Ordering::Relaxed);
    let failed = ctx.failed.load(Ordering::Relaxed);
    let unknown = sent - delivered - failed;
    let secs = start.elapsed().as_secs_f64();
    if stop.requested() {
        eprintln!(
            "wcp produce: stopped by {} after sending {sent}",
            stop.signal()
        );
    }
    let not_sent = match refused {
        0 => String::new(),
        n => format!(", not sent {n} (too large, named above)"),
    };
    println!(
        "{topic}: sent {sent}, delivered {delivered}, failed {}{not_sent}, in {secs:.2} s ({:.0} events/s)",
        failed + unknown,
        delivered as f64 / secs.max(1e-9)
    );
    if failed + unknown + refused == 0 {
        return Ok(ExitCode::SUCCESS);
    }
    for (what, n) in ctx.failures.lock().map(|f| f.clone()).unwrap_or_default() {
        eprintln!("error: {n} record(s) not delivered to {what}");
    }
    if let Some(file) = &file_name {
        let lines = ctx
            .failed_lines
            .lock()
            .map(|l| l.clone())
            .unwrap_or_default();
        for (line, e) in &lines {
            eprintln!("error: {file}:{line}: not delivered: {e}");
        }
        if failed as usize > lines.len() && !lines.is_empty() {
            eprintln!("error: ... and {} more", failed as usize - lines.len());
        }
    }
    if unknown > 0 {
        let why = flushed
            .err()
            .map(|e| super::kafka::unreachable(ctx, &bootstrap, e).to_string())
            .unwrap_or_default();
        eprintln!(
            "error: {unknown} record(s) without a delivery report after {} s {why}",
            flush_for.as_secs()
        );
    }
    Ok(ExitCode::FAILURE)
}

/// A produce error about the record itself, not the producer or the broker: the record is
/// skipped and named, the rest is still sent.
fn refused_record(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::MessageSizeTooLarge | RDKafkaErrorCode::InvalidMessageSize)
    )
}

/// Why a record of `bytes` bytes was refused, with the limits that apply. Pure.
fn refusal(e: &KafkaError, bytes: usize) -> String {
    let max = wcp_runtime::kafka::MAX_MESSAGE_BYTES;
    format!(
        "{e}: the record is {bytes} bytes; wcp's topics and producers take records up to \
         {max} bytes (message.max.bytes / max.message.bytes), and ingest dead-letters a raw \
         record over input.max_record_bytes (16 MiB by default) as record_too_large \
         (docs/OPERATIONS.md \"Record size\")"
    )
}

/// The conversation id (room id, else the sorted participants) of a raw line, so a
/// conversation stays in one partition; `None` for lines that are not JSON objects.
pub fn conversation_key(line: &[u8]) -> Option<String> {
    let v: serde_json::Value = serde_json::from_slice(line).ok()?;
    let room = v.get("roomid").and_then(|r| r.as_str()).unwrap_or("");
    if !room.is_empty() {
        return Some(room.to_string());
    }
    let mut people: Vec<&str> = v
        .get("tolist")
        .and_then(|t| t.as_array())
        .map(|a| a.iter().filter_map(|x| x.as_str()).collect())
        .unwrap_or_default();
    people.push(v.get("from").or(v.get("user"))?.as_str()?);
    people.sort_unstable();
    people.dedup();
    Some(people.join(","))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn keys_by_room_or_sorted_pair() {
        let a = br#"{"from":"zw","tolist":["wmX"],"roomid":""}"#;
        let b = br#"{"from":"wmX","tolist":["zw"],"roomid":""}"#;
        assert_eq!(conversation_key(a), conversation_key(b));
        assert_eq!(conversation_key(a).unwrap(), "wmX,zw");
        let r = br#"{"from":"zw","tolist":["a","b"],"roomid":"wrOg"}"#;
        assert_eq!(conversation_key(r).unwrap(), "wrOg");
        assert_eq!(conversation_key(b"not json"), None);
    }

    /// Trial 17a D4: a record too large is named with its size and the limits, and skipped.
    #[test]
    fn a_record_too_large_is_named_and_skipped_not_fatal() {
        let big = KafkaError::MessageProduction(RDKafkaErrorCode::MessageSizeTooLarge);
        assert!(refused_record(&big));
        let why = refusal(&big, 31_457_486);
        assert!(
            why.contains("31457486 bytes") && why.contains("20971520"),
            "{why}"
        );
        let down = KafkaError::MessageProduction(RDKafkaErrorCode::AllBrokersDown);
        assert!(!refused_record(&down));
    }
}
