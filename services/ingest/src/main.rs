//! wcp-ingest: `wecom.raw` (raw WeCom JSON, byte for byte, `seq` header) → `chat.events`,
//! `consent.ledger` (agree/disagree, key = contact id), `chat.dlq` (undecodable input), and a
//! `seq_gap` alert to `chat.alerts` when the capture sequence skips. Parsing is
//! `wcp_stages::ingest`, the code `wcp run` uses.

use std::process::ExitCode;

use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, InRecord, Metrics, OutRecord, RuntimeError, Stage};
use wcp_stages::alert::seq_gap_alert;
use wcp_stages::ingest::{ingest, SeqTracker};

struct Ingest {
    seqs: SeqTracker,
    /// The tracker as of the last committed batch, restored when a transaction aborts so the
    /// replayed batch reports the same gaps.
    committed_seqs: SeqTracker,
    metrics: Metrics,
}

impl Stage for Ingest {
    fn input_topics(&self) -> Vec<&'static str> {
        vec!["wecom.raw"]
    }

    fn name(&self) -> &'static str {
        "ingest"
    }

    fn before_batch(&mut self) -> Result<(), RuntimeError> {
        self.committed_seqs = self.seqs.clone();
        Ok(())
    }

    fn on_abort(&mut self) -> Result<(), RuntimeError> {
        self.seqs = self.committed_seqs.clone();
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let seq = rec.header_u64("seq");
        // The capture delivered this seq even when its bytes are poison: observing it first
        // keeps a dead-lettered message from being reported as missing.
        let gap = seq.and_then(|s| self.seqs.observe(s));
        let res = ingest(rec.payload(), seq).map_err(|r| RuntimeError::poison(&r))?;
        if let Some(gap) = gap {
            self.metrics.seq_gaps.inc();
            self.metrics.seq_missing.inc_by(gap.missing());
            let alert = seq_gap_alert(gap, res.event.time_ms);
            self.metrics
                .compliance_alerts
                .with_label_values(&[alert.category.as_str(), alert.severity.as_str()])
                .inc();
            let key = alert.alert_id.clone().into_bytes();
            out.push(codec::encode("chat.alerts", Some(key), &alert)?);
        }
        let key = res.event.conversation_id.clone().into_bytes();
        out.push(codec::encode("chat.events", Some(key), &res.event)?);
        if let Some(c) = &res.consent {
            let key = c.contact.clone().into_bytes();
            out.push(codec::encode("consent.ledger", Some(key), c)?);
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("ingest", &[], |cfg, ctx| {
        let mut stage = Ingest {
            seqs: SeqTracker::default(),
            committed_seqs: SeqTracker::default(),
            metrics: ctx.metrics.clone(),
        };
        txloop::run(cfg, ctx, &mut stage, LoopOptions::default())
    })
}

#[cfg(test)]
mod tests;
