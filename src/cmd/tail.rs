//! `wcp tail TOPIC`: prints the records of any wcp topic, decoded (Avro, or the raw JSON of
//! `wecom.raw`), read_committed like the services read them. For operators and the RUNBOOK:
//! what is in `chat.dlq`, did the alert reach `chat.alerts`. Chat content is personal data:
//! read it on a need-to-know basis and never paste it into tickets.

use std::io::Write;
use std::process::ExitCode;
use std::time::{Duration, Instant};

use anyhow::{anyhow, bail};
use clap::Args;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::message::{Headers, Message};
use rdkafka::{Offset, TopicPartitionList};
use serde_json::{json, Value};
use wcp_model::topics::{self, Content};
use wcp_model::{Alert, AnonymisedEvent, ChatEvent, ConsentRecord, DeadLetter, EnrichedEvent};

use super::dlq_stage::{check_stage, stage_of};
use super::kafka::{bootstrap, partitions, with_cause, CliCtx};
use super::replay_order::{replay_key, sort_for_replay, ReplayKey};

#[derive(Args)]
#[command(
    after_help = "Examples:\n  wcp tail chat.alerts --from-beginning --max 10\n  \
    wcp tail chat.dlq --from-beginning --json --exit-when-idle 5 > dead-letters.jsonl\n  \
    wcp tail chat.dlq --from-beginning --originals --stage ingest --exit-when-idle 5 > replay.jsonl   # then wcp produce --file replay.jsonl"
)]
pub struct TailArgs {
    /// Topic, as named in docs/OPERATIONS.md (`chat.alerts`), without the prefix.
    topic: String,
    /// Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092).
    #[arg(long)]
    bootstrap: Option<String>,
    /// Prefix of the topic names (`topic_prefix` of the services).
    #[arg(long, default_value = "")]
    prefix: String,
    /// Start at the oldest record kept, not at the end.
    #[arg(long)]
    from_beginning: bool,
    /// One JSON object per record (the decoded value with topic, partition, offset, key).
    #[arg(long)]
    json: bool,
    /// `chat.dlq` only: print each dead letter's original bytes exactly (UTF-8 or not), one
    /// per line, ready for `wcp produce --file` once the cause is fixed. An original holding
    /// a line break is not written: it is named (partition/offset) and the command exits 1.
    /// With `--exit-when-idle` or `--max` the lines are written when the tail ends, in their
    /// original order: a `wecom.raw` line's `seq`, then the source partition and offset.
    #[arg(long)]
    originals: bool,
    /// `chat.dlq` only: only the dead letters of this stage (capture, ingest, classifier,
    /// …). With `--originals`, `--stage ingest` gives exactly what can be replayed into
    /// `wecom.raw`: the capture's own dead letters hold encrypted envelopes, never replayed.
    #[arg(long, value_name = "STAGE")]
    stage: Option<String>,
    /// Stop after this many records.
    #[arg(long)]
    max: Option<u64>,
    /// Stop when no record arrived for this many seconds (default: follow until Ctrl-C).
    #[arg(long, value_name = "SECONDS")]
    exit_when_idle: Option<u64>,
}

pub fn run(args: TailArgs) -> anyhow::Result<ExitCode> {
    let content = topics::content(&args.topic).ok_or_else(|| {
        anyhow!(
            "{} is not a wcp topic (one of: {})",
            args.topic,
            topics::ALL.join(", ")
        )
    })?;
    if args.originals && content != Content::DeadLetter {
        bail!("--originals is for chat.dlq only");
    }
    if let Some(stage) = &args.stage {
        check_stage(stage, content)?;
    }
    let addr = bootstrap(args.bootstrap.as_deref());
    let topic = format!("{}{}", args.prefix, args.topic);
    let consumer: BaseConsumer<CliCtx> = super::kafka::client_config(&addr)?
        .set("group.id", "wcp-tail")
        .set("enable.auto.commit", "false")
        .set("isolation.level", "read_committed")
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    let parts = partitions(consumer.client(), &addr, &topic).map_err(|e| {
        let _ = consumer.poll(Duration::from_millis(100));
        with_cause(e, consumer.context())
    })?;
    let mut tpl = TopicPartitionList::new();
    let start = if args.from_beginning {
        Offset::Beginning
    } else {
        Offset::End
    };
    for p in parts {
        tpl.add_partition_offset(&topic, p, start)?;
    }
    consumer.assign(&tpl)?;
    let mut out = std::io::stdout().lock();
    let mut n = 0u64;
    let mut other_stages = 0u64;
    let mut unwritten = Vec::new();
    // A tail that ends by itself writes the originals at the end, in their original order
    // (`replay_order`); a followed one cannot wait for the end and writes them as read.
    let in_order = args.exit_when_idle.is_some() || args.max.is_some();
    let mut held: Vec<(ReplayKey, Vec<u8>)> = Vec::new();
    let mut last = Instant::now();
    while args.max.is_none_or(|m| n < m) {
        if let Some(s) = args.exit_when_idle {
            if last.elapsed() >= Duration::from_secs(s) {
                break;
            }
        }
        let Some(msg) = consumer.poll(Duration::from_millis(200)) else {
            continue;
        };
        let msg = msg?;
        last = Instant::now();
        if let Some(stage) = &args.stage {
            if stage_of(msg.payload().unwrap_or_default()).as_deref() != Some(stage.as_str()) {
                other_stages += 1;
                continue;
            }
        }
        n += 1;
        if args.originals {
            // The original bytes exactly, UTF-8 or not (`wcp produce --file` reads byte
            // lines); one that cannot be a line of its own is named, never dropped quietly.
            match original_line(msg.payload().unwrap_or_default()) {
                Ok(o) if in_order => held.push(o),
                Ok((_, b)) => {
                    if write_line(&mut out, &b).is_err() {
                        break;
                    }
                }
                Err(why) => unwritten.push(format!("{}/{} ({why})", msg.partition(), msg.offset())),
            }
            continue;
        }
        let value = decode(content, msg.payload().unwrap_or_default());
        let line = if args.json {
            let key = msg.key().map(|k| String::from_utf8_lossy(k).into_owned());
            let headers: serde_json::Map<String, Value> = msg
                .headers()
                .map(|h| {
                    h.iter()
                        .map(|x| {
                            (
                                x.key.to_string(),
                                json!(String::from_utf8_lossy(x.value.unwrap_or_default())),
                            )
                        })
                        .collect()
                })
                .unwrap_or_default();
            json!({"topic": args.topic, "partition": msg.partition(), "offset": msg.offset(),
                   "timestamp_ms": msg.timestamp().to_millis(), "key": key, "headers": headers,
                   "value": value})
            .to_string()
        } else {
            format!(
                "{}/{} {}",
                msg.partition(),
                msg.offset(),
                summary(content, &value)
            )
        };
        // A closed stdout (`| head`) ends the command quietly.
        if writeln!(out, "{line}").is_err() {
            break;
        }
    }
    sort_for_replay(&mut held);
    for (_, b) in &held {
        if write_line(&mut out, b).is_err() {
            break;
        }
    }
    match &args.stage {
        Some(stage) => eprintln!(
            "{n} record(s) of stage {stage} from {topic} ({other_stages} of other stages left out)"
        ),
        None => eprintln!("{n} record(s) from {topic}"),
    }
    if !unwritten.is_empty() {
        eprintln!(
            "error: {} original(s) not written (partition/offset): {}; replay them by hand from `wcp tail {} --json` (original / original_hex)",
            unwritten.len(),
            unwritten.join(", "),
            args.topic
        );
        return Ok(ExitCode::FAILURE);
    }
    Ok(ExitCode::SUCCESS)
}

/// A dead letter's original bytes as one line for `wcp produce --file`, with its place in
/// the original order.
fn original_line(bytes: &[u8]) -> Result<(ReplayKey, Vec<u8>), &'static str> {
    let d = wcp_schema::decode::<DeadLetter>(bytes).map_err(|_| "not a dead letter")?;
    if d.original.contains(&b'\n') {
        return Err("its original holds a line break");
    }
    Ok((replay_key(&d.source, &d.original), d.original))
}

/// The original bytes exactly, UTF-8 or not (`wcp produce --file` reads byte lines).
fn write_line(out: &mut impl Write, b: &[u8]) -> std::io::Result<()> {
    out.write_all(b).and_then(|()| out.write_all(b"\n"))
}

/// The decoded record as JSON; undecodable bytes say so instead of failing the command.
fn decode(content: Content, bytes: &[u8]) -> Value {
    fn avro<T: wcp_schema::Record + serde::Serialize>(b: &[u8]) -> Value {
        match wcp_schema::decode::<T>(b) {
            Ok(v) => serde_json::to_value(v).unwrap_or(Value::Null),
            Err(e) => json!({"undecodable": e.to_string(), "bytes": b.len()}),
        }
    }
    match content {
        Content::RawJson | Content::CaptureCursor | Content::ArchiveAnchor => {
            serde_json::from_slice(bytes)
                .unwrap_or_else(|_| json!({"raw": String::from_utf8_lossy(bytes)}))
        }
        Content::ChatEvent => avro::<ChatEvent>(bytes),
        Content::Consent => avro::<ConsentRecord>(bytes),
        Content::Enriched => avro::<EnrichedEvent>(bytes),
        Content::Alert => avro::<Alert>(bytes),
        Content::Anonymised => avro::<AnonymisedEvent>(bytes),
        Content::DeadLetter => match wcp_schema::decode::<DeadLetter>(bytes) {
            // The original bytes as text when they are UTF-8 (they usually are: raw JSON).
            Ok(d) => {
                let text = String::from_utf8(d.original.clone());
                let mut v = json!({"source": d.source, "stage": d.stage,
                                   "reason_code": d.reason_code, "reason": d.reason});
                match text {
                    Ok(t) => v["original"] = json!(t),
                    Err(_) => v["original_hex"] = json!(hex(&d.original)),
                }
                v
            }
            Err(e) => json!({"undecodable": e.to_string(), "bytes": bytes.len()}),
        },
    }
}

fn hex(b: &[u8]) -> String {
    b.iter().map(|x| format!("{x:02x}")).collect()
}

/// One human line per record: what an operator scans for, no message text.
fn summary(content: Content, v: &Value) -> String {
    let s = |k: &str| {
        v.pointer(k)
            .and_then(Value::as_str)
            .unwrap_or("-")
            .to_string()
    };
    match content {
        Content::RawJson => format!("msgid={} msgtype={}", s("/msgid"), s("/msgtype")),
        Content::ChatEvent => format!(
            "msgid={} conversation={}",
            s("/msgid"),
            s("/conversation_id")
        ),
        Content::Consent => format!("contact={} agreed={}", s("/contact"), v["agreed"]),
        Content::Enriched => format!(
            "msgid={} conversation={}",
            s("/event/msgid"),
            s("/event/conversation_id")
        ),
        Content::Alert => format!(
            "alert={} category={} severity={} msgid={}",
            s("/alert_id"),
            s("/category"),
            s("/severity"),
            s("/msgid")
        ),
        Content::Anonymised => format!("msgid={} conversation={}", s("/msgid"), s("/conversation")),
        Content::CaptureCursor => format!("corp={} seq={}", s("/corp_id"), v["seq"]),
        Content::ArchiveAnchor => format!(
            "region={} seq={} checkpoint={}",
            s("/region"),
            v["seq"],
            v["checkpoint_id"]
        ),
        Content::DeadLetter => format!(
            "stage={} reason={} ({}) source={}",
            s("/stage"),
            s("/reason_code"),
            s("/reason"),
            s("/source")
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn letter(original: &[u8]) -> Vec<u8> {
        let d = DeadLetter {
            original: original.to_vec(),
            source: "wecom.raw/0/7".into(),
            stage: "ingest".into(),
            reason_code: "invalid_utf8".into(),
            reason: "not UTF-8".into(),
        };
        wcp_schema::encode(&d).unwrap()
    }

    #[test]
    fn originals_are_written_byte_for_byte_utf8_or_not() {
        let bytes = b"\xff\xfe raw invalid utf-8 bytes";
        assert_eq!(original_line(&letter(bytes)).unwrap().1, bytes.to_vec());
        assert_eq!(
            original_line(&letter(b"{\"a\":1}")).unwrap().1,
            b"{\"a\":1}"
        );
    }

    #[test]
    fn an_original_that_cannot_be_one_line_is_refused_with_the_reason() {
        assert!(original_line(&letter(b"a\nb"))
            .unwrap_err()
            .contains("line break"));
        assert_eq!(original_line(b"garbage").unwrap_err(), "not a dead letter");
    }
}
