//! wcp-ingest: `wecom.raw` (raw WeCom JSON, byte for byte, `seq` header) → `chat.events`,
//! `consent.ledger` (agree/disagree, key = contact id), `chat.dlq` (undecodable or
//! out-of-bounds input), and a `seq_gap` alert to `chat.alerts` when the capture sequence
//! skips. The decisions are `wcp_stages::ingest::IngestStep`, the step `wcp run` calls.
//!
//! Poison records are dead-lettered here rather than by the loop: the loop would drop the
//! record's other outputs, and a record that reveals a gap must still raise the gap alert.
//!
//! A re-sent copy of a msgid among the last `[input] duplicate_window` ingested produces
//! nothing but its gap alert (if any) and `wcp_duplicate_messages_total`. That window
//! survives a restart: it is seeded at start from the tail of `chat.events` (read_committed,
//! so only what was really published), as `wcp run` seeds it from its archives.

use std::process::ExitCode;
use std::time::Duration;

use wcp_model::clock::now_ms;
use wcp_model::{topics, ChatEvent};
use wcp_runtime::reader::TopicReader;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{
    codec, Config, InRecord, Metrics, OutRecord, PolicySettings, RunCtx, RuntimeError, Stage,
};
use wcp_stages::ingest::{seq_of_line, IngestResult, IngestStep, SeqGap};
use wcp_stages::Policy;

struct Ingest {
    step: IngestStep,
    metrics: Metrics,
    gaps: gaplog::GapLog,
}

/// One round of the start-up read of `chat.events` (progress is logged after each).
const SEED_ROUND: Duration = Duration::from_secs(10);

/// Seeds the step's msgid window from the last `window` offsets of `chat.events` (split over
/// its partitions): after a restart, a re-sent copy of a message published before it is still
/// recognised. Read to its end however long that takes (a partial window would let a re-sent
/// copy be published twice); not ready meanwhile.
fn seed(
    step: &mut IngestStep,
    cfg: &Config,
    ctx: &RunCtx,
    window: usize,
) -> Result<(), RuntimeError> {
    if window == 0 {
        return Ok(());
    }
    ctx.set_not_ready("seeding the re-sent window from chat.events");
    let mut reader = TopicReader::open_tail(cfg, topics::EVENTS, window as u64)?;
    let mut n = 0u64;
    reader.read_to_end(ctx, "seeding the re-sent window", SEED_ROUND, |rec| {
        if let Ok(ev) = wcp_schema::decode::<ChatEvent>(rec.payload()) {
            step.remember(&ev.msgid);
            n += 1;
        }
    })?;
    tracing::info!(msgids = n, "re-sent window seeded from chat.events");
    Ok(())
}

impl Ingest {
    /// The RUNBOOK's WcpWeComSeqGap step reads the range from this line (or from the alert in
    /// `chat.alerts`); `gaplog` rate-limits it.
    fn log_gap(&mut self, rec: &InRecord, gap: &SeqGap, alert_id: &str) {
        let line = self.gaps.on_gap(now_ms(), gap.missing());
        if let Some((gaps, missing)) = line.suppressed {
            tracing::warn!(
                gaps,
                missing,
                "more WeCom seq gaps than the log shows ({} a minute): their ranges are in chat.alerts (category seq_gap)",
                gaplog::PER_MINUTE
            );
        }
        if line.log {
            tracing::warn!(
                first_seq = gap.first,
                last_seq = gap.last,
                missing = gap.missing(),
                alert_id,
                partition = rec.partition,
                offset = rec.offset,
                "WeCom seq gap: messages missing from the capture stream (fetch them again while Tencent still holds them, about 5 days)"
            );
        }
    }
}

impl Stage for Ingest {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::RAW]
    }

    fn name(&self) -> &'static str {
        "ingest"
    }

    fn on_commit(&mut self) {
        self.step.commit();
    }

    fn on_abort(&mut self) -> Result<(), RuntimeError> {
        self.step.abort();
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let raw = rec.payload();
        // The capture's header; a file replayed without one keeps the line's own `seq`.
        let seq = rec.header_u64("seq").or_else(|| seq_of_line(raw));
        let capture_ms = rec.timestamp_ms.unwrap_or_else(now_ms);
        let ingested = self.step.process(raw, seq, capture_ms);
        if let Some((gap, alert)) = ingested.gap {
            self.log_gap(rec, &gap, &alert.alert_id);
            self.metrics.seq_gaps.inc();
            self.metrics.seq_missing.inc_by(gap.missing());
            self.metrics
                .compliance_alerts
                .with_label_values(&[alert.category.as_str(), alert.severity.as_str()])
                .inc();
            let key = alert.alert_id.clone().into_bytes();
            out.push(codec::encode(topics::ALERTS, Some(key), &alert)?);
        }
        let res = match ingested.result {
            IngestResult::Event(res) => res,
            IngestResult::Resent { .. } => {
                // Not a dead letter: nothing is wrong with it, and the first copy is archived.
                self.metrics.duplicates.inc();
                return Ok(());
            }
            IngestResult::Poison(reason) => {
                let code = reason.code();
                self.metrics.errors.with_label_values(&["poison"]).inc();
                self.metrics.dead_letters.with_label_values(&[code]).inc();
                out.push(codec::dead_letter(
                    rec,
                    self.name(),
                    code,
                    &reason.to_string(),
                )?);
                return Ok(());
            }
        };
        let key = res.event.conversation_id.clone().into_bytes();
        out.push(codec::encode(topics::EVENTS, Some(key), &res.event)?);
        if let Some(c) = &res.consent {
            let key = c.contact.clone().into_bytes();
            out.push(codec::encode(topics::CONSENT_LEDGER, Some(key), c)?);
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("ingest", |cfg, s: &PolicySettings, ctx| {
        let policy = s.policy(Policy::load, Policy::warnings)?;
        let window = policy.input.duplicate_window;
        let mut step = IngestStep::new(policy.input);
        seed(&mut step, cfg, ctx, window)?;
        let mut stage = Ingest {
            step,
            metrics: ctx.metrics.clone(),
            gaps: gaplog::GapLog::default(),
        };
        txloop::run(cfg, ctx, &mut stage, LoopOptions::default())
    })
}

mod gaplog;
#[cfg(test)]
mod tests;
