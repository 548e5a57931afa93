//! wcp-consent-gate: `chat.classified` → `chat.consented`, deciding per external participant
//! whether consent covered the message at its time (`wcp_stages::consent`).
//!
//! The ledger state comes from the compacted `consent.ledger` topic, read from the beginning
//! by a consumer of its own (all partitions, read_committed, never committing), so it
//! survives restarts and rebalances. Before every batch the reader catches up to the
//! ledger's end as of that moment: ingest commits a consent record no later than the event
//! that follows it, and the classifier only forwards committed events, so any `agree` that
//! precedes an event in the batch is in the ledger by then — including one that reached the
//! ledger while this service was down.

use std::process::ExitCode;
use std::time::Duration;

use wcp_model::{topics, ConsentRecord, Disposition, EnrichedEvent};
use wcp_runtime::reader::TopicReader;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, InRecord, Metrics, OutRecord, PolicySettings, RuntimeError, Stage};
use wcp_stages::consent::ConsentGate;
use wcp_stages::Policy;

struct Gate {
    gate: ConsentGate,
    reader: Option<TopicReader>,
    metrics: Metrics,
}

impl Gate {
    fn apply(gate: &mut ConsentGate, rec: &InRecord) {
        // Tombstones (compaction deletes) and foreign bytes carry no consent.
        match wcp_schema::decode::<ConsentRecord>(rec.payload()) {
            Ok(c) => gate.apply(&c),
            Err(e) => tracing::warn!(error = %e, offset = rec.offset, "undecodable ledger record"),
        }
    }
}

impl Stage for Gate {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::CLASSIFIED]
    }

    fn name(&self) -> &'static str {
        "consent-gate"
    }

    fn before_batch(&mut self) -> Result<(), RuntimeError> {
        let Gate { gate, reader, .. } = self;
        if let Some(r) = reader {
            // Gating with a ledger that may miss consent records is not an option: the loop
            // keeps the batch and calls this again after a backoff.
            if !r.catch_up(Duration::from_secs(10), |rec| Gate::apply(gate, rec))? {
                return Err(RuntimeError::Abortable(
                    "consent ledger catch-up timed out".into(),
                ));
            }
        }
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: EnrichedEvent = codec::decode(rec)?;
        let ev = self.gate.gate(ev);
        let action = match ev.disposition() {
            Disposition::Archive => None,
            Disposition::ArchiveAnonymised => Some("anonymise"),
            Disposition::Quarantine => Some("quarantine"),
            Disposition::MetadataOnly => Some("metadata_only"),
        };
        if let Some(a) = action {
            self.metrics
                .consent_violations
                .with_label_values(&[a])
                .inc();
        }
        out.push(codec::encode(topics::CONSENTED, rec.key.clone(), &ev)?);
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("consent-gate", |cfg, s: &PolicySettings, ctx| {
        let policy = s.policy(Policy::load, Policy::warnings)?;
        let mut stage = Gate {
            gate: ConsentGate::new(policy.consent),
            reader: Some(TopicReader::open(cfg, topics::CONSENT_LEDGER)?),
            metrics: ctx.metrics.clone(),
        };
        // Read the whole ledger before the first event is gated.
        ctx.set_not_ready("loading the consent ledger");
        // (A timed-out first pass, e.g. on an aborted tail, is settled and passes next time.)
        wcp_runtime::error::retry_transient("consent ledger load", || stage.before_batch())?;
        tracing::info!(contacts = stage.gate.contacts(), "consent ledger loaded");
        txloop::run(cfg, ctx, &mut stage, LoopOptions::default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_stages::test_support::record;

    fn classified(raw: &[u8]) -> InRecord {
        record(
            topics::CLASSIFIED,
            &wcp_stages::test_support::classified(raw),
        )
    }

    #[test]
    fn agree_in_ledger_changes_the_decision() {
        let mut s = Gate {
            gate: ConsentGate::new(wcp_stages::Policy::builtin().consent),
            reader: None,
            metrics: Metrics::new(),
        };
        let text = br#"{"msgid":"t1","action":"send","from":"wmX","tolist":["zw"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{"content":"hello there"}}"#;
        let mut out = Vec::new();
        s.process(&classified(text), &mut out).unwrap();
        let before: EnrichedEvent = wcp_schema::decode(&out[0].value).unwrap();
        assert_ne!(before.disposition(), Disposition::Archive);
        let agree = ConsentRecord {
            contact: "wmX".into(),
            agreed: true,
            at_ms: 1732600000000,
            msgid: "a1".into(),
        };
        let ledger_rec = record(topics::CONSENT_LEDGER, &agree);
        Gate::apply(&mut s.gate, &ledger_rec);
        out.clear();
        s.process(&classified(text), &mut out).unwrap();
        let after: EnrichedEvent = wcp_schema::decode(&out[0].value).unwrap();
        assert_eq!(after.disposition(), Disposition::Archive);
    }
}
