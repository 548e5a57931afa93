//! The Kafka side of the archiver: batches from `chat.tagged` handed to the SQLite thread
//! through a bounded channel (the backpressure), poison records to `chat.dlq` before their
//! offset can be stored, and partition assignment from the offsets stored in the archive.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::mpsc::sync_channel;
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::Offset;
use wcp_archive::SourceOffset;
use wcp_model::{DeadLetter, EnrichedEvent};
use wcp_runtime::local::{self, DeadLetters, OffsetStore};
use wcp_runtime::{codec, kafka, Config, InRecord, RunCtx, RuntimeError};
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::dead_letters;
use wcp_stages::retention::RetentionPolicy;

use crate::retry::{write_with_retry, Written};
use crate::settings::ArchiverSettings;
use crate::writer::{Batch, Positions, Writer};
use wcp_model::clock::now_ms;

/// The archive's offsets, for assignment: batches already handed to SQLite move them, so an
/// assignment waits for those first.
struct Archived {
    durable: Arc<Mutex<Positions>>,
    inflight: Arc<AtomicUsize>,
}

impl OffsetStore for Archived {
    fn resume(&self, topic: &str, partition: i32) -> Option<i64> {
        let durable = self.durable.lock().unwrap_or_else(|p| p.into_inner());
        durable.get(&(topic.to_string(), partition)).copied()
    }

    fn settle(&self) {
        let until = Instant::now() + Duration::from_secs(30);
        while self.inflight.load(Ordering::SeqCst) > 0 && Instant::now() < until {
            std::thread::sleep(Duration::from_millis(10));
        }
    }
}

/// The archiver's loop (see the crate doc).
pub fn run(cfg: &Config, s: &ArchiverSettings, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let dir = s.archive_dir.clone();
    let policy = s.policy()?;
    let anonymiser = Anonymiser::new(s.tenant_key()?.as_bytes(), policy.anonymise);
    let retention = policy.retention;
    let signing = s.signing_key_file.clone();
    let quarantine = s.quarantine_key()?;
    let tagged = cfg.topic(wcp_model::topics::TAGGED);
    let dlq_topic = cfg.topic(wcp_runtime::codec::DLQ_TOPIC);
    // Before the directory is created: a wrong archive_dir must not start a second chain.
    crate::new_archive::check(cfg, s, ctx, &[&tagged, &dlq_topic])?;
    crate::storage::check_writable(&dir)?;
    let mut writer = Writer::open(&dir, signing.clone(), quarantine, ctx.metrics.clone())
        .map_err(|e| crate::storage::open_failed(&dir, &e))?;
    crate::verify::Verifier {
        regions: wcp_archive::Regions::new(&dir),
        keys: wcp_archive::KeySource {
            file: signing,
            file_setting: crate::settings::SIGNING_KEY_SETTING,
            env: true,
        },
        interval: Duration::from_secs(s.verify_interval_s),
        sweep: s.verify_sweep_records,
        metrics: ctx.metrics.clone(),
    }
    .spawn(ctx.clone())?;
    writer.publish_anchors(crate::writer::Anchors {
        producer: kafka::plain_producer(cfg, kafka::PlainCtx::new(&ctx.metrics.brokers))?,
        topic: cfg.topic(wcp_archive::anchor::ANCHORS_TOPIC),
    });
    let inflight = Arc::new(AtomicUsize::new(0));
    let durable = writer.durable.clone();
    let store = Archived {
        durable: durable.clone(),
        inflight: inflight.clone(),
    };
    let mut dlq = DeadLetters::new(cfg, "archiver")?;
    // Dead letters too: kept in the region's archive, sealed like quarantine (#13 item 8).
    let topics = [tagged.as_str(), dlq.topic.as_str()];
    // Shared with the SQLite thread, which commits what it archived.
    let consumer = Arc::new(local::consumer(
        cfg,
        &ctx.metrics,
        Box::new(store),
        &topics,
    )?);

    // The SQLite thread: a bounded channel of two batches keeps memory flat and stops
    // polling while SQLite is behind.
    let (tx, rx) = sync_channel::<Batch>(2);
    let failure: Arc<Mutex<Option<String>>> = Arc::new(Mutex::new(None));
    let (wfail, winflight, wctx) = (failure.clone(), inflight.clone(), ctx.clone());
    let (wconsumer, wdurable) = (consumer.clone(), durable.clone());
    let handle = std::thread::Builder::new()
        .name("wcp-sqlite".into())
        .spawn(move || {
            let metrics = wctx.metrics.clone();
            for (i, batch) in rx.into_iter().enumerate() {
                match write_with_retry(&mut writer, &batch, &wctx) {
                    // Committed only once an archive holds the offsets: committed offsets
                    // then mean an archive existed (`new_archive`), even when the first
                    // batches held only transaction markers.
                    Written::Yes if writer.has_archive() => {
                        let now = wdurable.lock().unwrap_or_else(|p| p.into_inner()).clone();
                        local::commit_positions(&wconsumer, &now);
                    }
                    Written::Yes => {}
                    Written::Stopped => {
                        winflight.fetch_sub(1, Ordering::SeqCst);
                        return;
                    }
                    Written::Fatal(e) => {
                        *wfail.lock().unwrap_or_else(|p| p.into_inner()) = Some(e);
                        winflight.fetch_sub(1, Ordering::SeqCst);
                        return;
                    }
                }
                let now = now_ms();
                for ts in &batch.origin_ts_ms {
                    metrics
                        .end_to_end
                        .observe((now - ts).max(0) as f64 / 1000.0);
                }
                if i % 20 == 0 {
                    writer.observe_sizes();
                    writer.absorb_access_logs();
                }
                winflight.fetch_sub(1, Ordering::SeqCst);
            }
            writer.observe_sizes();
            writer.absorb_access_logs();
            writer.flush_anchors();
        })?;

    let mut batch = Vec::with_capacity(cfg.batch_max_events);
    let result = loop {
        if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
            break Err(RuntimeError::Fatal(format!("archive write failed: {e}")));
        }
        // Ended without a failure and before the shutdown: it panicked. Without this check
        // the loop went on consuming batches nobody wrote, not ready, forever.
        if handle.is_finished() && !ctx.shutdown_requested() {
            break Err(writer_gone());
        }
        let stopping = local::next_batch(&consumer, cfg, ctx, &mut batch);
        if !batch.is_empty() {
            let route = Route {
                anonymiser: &anonymiser,
                retention: &retention,
            };
            let b = prepare(&batch, &durable, &route, &mut dlq, ctx)?;
            inflight.fetch_add(1, Ordering::SeqCst);
            if tx.send(b).is_err() {
                inflight.fetch_sub(1, Ordering::SeqCst);
                if !ctx.shutdown_requested() {
                    break Err(writer_gone());
                }
            }
            batch.clear();
        }
        if stopping {
            break Ok(());
        }
    };
    drop(tx);
    let _ = handle.join();
    if let Some(e) = failure.lock().unwrap_or_else(|p| p.into_inner()).take() {
        return Err(RuntimeError::Fatal(format!("archive write failed: {e}")));
    }
    tracing::info!("stopped cleanly");
    result
}

/// The region whose archive takes `ev`. An event without a usable region (no retention tag,
/// or a name that cannot name a file: `wcp_model::region`) is poison, so it is dead-lettered
/// with its bytes instead of opening `archive-.db` or a path outside `archive_dir`.
fn archive_region(ev: &EnrichedEvent) -> Result<String, RuntimeError> {
    wcp_model::region::of_event(ev)
        .map(str::to_string)
        .map_err(|e| {
            RuntimeError::poison(&wcp_model::DeadLetterReason::InvalidField {
                field: "retention.region".into(),
                problem: e.to_string(),
            })
        })
}

/// The SQLite thread ended on its own (a panic): exit, and resume from the stored offsets.
fn writer_gone() -> RuntimeError {
    RuntimeError::Fatal(
        "the archive writer thread stopped unexpectedly; restarting resumes from the archived offsets"
            .into(),
    )
}

/// Where `prepare` sends what it decodes.
struct Route<'a> {
    anonymiser: &'a Anonymiser,
    retention: &'a RetentionPolicy,
}

/// Decodes and routes a batch; poison records go to `chat.dlq` and are flushed before the
/// batch (and so their offsets) reaches SQLite. Records of `chat.dlq` itself go to the
/// default region's archive, sealed like quarantine (`wcp_stages::dead_letters`); one that
/// does not decode is kept the same way with its own bytes, never sent back to `chat.dlq`.
fn prepare(
    batch: &[InRecord],
    durable: &Mutex<Positions>,
    route: &Route<'_>,
    dlq: &mut DeadLetters,
    ctx: &RunCtx,
) -> Result<Batch, RuntimeError> {
    let Route {
        anonymiser,
        retention,
    } = *route;
    let m = &ctx.metrics;
    let done = durable.lock().unwrap_or_else(|p| p.into_inner()).clone();
    let mut out = Batch {
        by_region: BTreeMap::new(),
        offsets: Vec::new(),
        origin_ts_ms: Vec::with_capacity(batch.len()),
    };
    for rec in batch {
        let from_dlq = rec.topic == dlq.topic;
        let topic = if from_dlq {
            codec::DLQ_TOPIC
        } else {
            wcp_model::topics::TAGGED
        };
        m.received.with_label_values(&[topic]).inc();
        if done
            .get(&(rec.topic.clone(), rec.partition))
            .is_some_and(|o| rec.offset < *o)
        {
            continue; // already archived (a redelivery before the seek took effect)
        }
        let t0 = Instant::now();
        if from_dlq {
            let letter = codec::decode::<DeadLetter>(rec).unwrap_or_else(|e| {
                let code = if let RuntimeError::Poison { code, .. } = e {
                    code
                } else {
                    "schema_decode"
                };
                DeadLetter {
                    original: rec.payload().to_vec(),
                    source: format!("{}/{}/{}", rec.topic, rec.partition, rec.offset),
                    stage: "archiver".into(),
                    reason_code: code.into(),
                    reason: "chat.dlq record that does not decode".into(),
                }
            });
            let at = rec.timestamp_ms.unwrap_or_else(now_ms);
            let ev = anonymiser.for_archive(dead_letters::archived(&letter, at, retention));
            out.by_region
                .entry(retention.default_region.clone())
                .or_default()
                .push(ev);
            continue;
        }
        let decoded: Result<EnrichedEvent, RuntimeError> = codec::decode(rec);
        match decoded {
            Ok(ev) => {
                let region = match archive_region(&ev) {
                    Ok(r) => r,
                    Err(RuntimeError::Poison { code, detail }) => {
                        dlq.send(rec, code, &detail, m)?;
                        continue;
                    }
                    Err(other) => return Err(other),
                };
                let ev = anonymiser.for_archive(ev);
                out.by_region.entry(region).or_default().push(ev);
                if let Some(ts) = rec.origin_ts_ms() {
                    out.origin_ts_ms.push(ts);
                }
            }
            Err(RuntimeError::Poison { code, detail }) => dlq.send(rec, code, &detail, m)?,
            Err(other) => return Err(other),
        }
        m.stage_duration.observe(t0.elapsed().as_secs_f64());
    }
    dlq.flush(m)?;
    let tpl = wcp_runtime::batch::next_offsets(batch)?;
    out.offsets = tpl
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(n) => Some(SourceOffset {
                topic: e.topic().to_string(),
                partition: e.partition(),
                next_offset: n,
            }),
            _ => None,
        })
        .collect();
    m.set_lag_after(batch, now_ms());
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_event_without_a_usable_region_is_poison() {
        let raw = br#"{"msgid":"m1","action":"send","from":"zhangwei","tolist":["lina"],"roomid":"","msgtime":1732600037000,"msgtype":"text","text":{"content":"hi"}}"#;
        let mut ev = EnrichedEvent::new(wcp_model::parse_wecom(raw, None).unwrap());
        let poison = |ev: &EnrichedEvent| match archive_region(ev) {
            Err(RuntimeError::Poison { code, detail }) => (code, detail),
            other => panic!("expected poison, got {other:?}"),
        };
        let (code, detail) = poison(&ev);
        assert_eq!(code, "invalid_field");
        assert!(detail.contains("retention.region"), "{detail}");
        ev.retention = Some(wcp_model::RetentionTag {
            rules: Vec::new(),
            keep_until_ms: 0,
            legal_hold: false,
            region: String::new(),
        });
        assert_eq!(poison(&ev).0, "invalid_field");
        ev.retention.as_mut().unwrap().region = "../etc".into();
        assert!(poison(&ev).1.contains("../etc"));
        ev.retention.as_mut().unwrap().region = "hk".into();
        assert_eq!(archive_region(&ev).unwrap(), "hk");
    }
}
