//! wcp-alerter: `chat.tagged` → `chat.alerts`, transactional. One alert per (message,
//! category) from `wcp_stages::alert`, plus recall-of-flagged alerts, which need to know the
//! flagged messages: that state is rebuilt at start by reading `chat.alerts` back,
//! read_committed, so it only holds what was really published; after an aborted
//! transaction it is restored from the copy kept at the last commit.

use std::process::ExitCode;
use std::time::Duration;

use wcp_model::{Alert, EnrichedEvent};
use wcp_runtime::reader::TopicReader;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, Config, InRecord, Metrics, OutRecord, RuntimeError, Stage};
use wcp_stages::alert::{alerts_for, AlertPolicy, RecallTracker};

struct Alerter {
    policy: AlertPolicy,
    recalls: RecallTracker,
    /// `recalls` as of the last commit. An abort restores it rather than rebuilding from
    /// `chat.alerts`: a recall seen before its flagged original waits in the tracker only,
    /// and a rebuild would forget it (37 recall alerts were lost that way after a broker
    /// outage in e2e_exactly_once).
    committed: RecallTracker,
    metrics: Metrics,
    cfg: Config,
}

impl Alerter {
    /// Rebuilds the recall tracker from every alert published so far.
    fn rebuild(&mut self) -> Result<(), RuntimeError> {
        let mut tracker = RecallTracker::default();
        let mut reader = TopicReader::open(&self.cfg, "chat.alerts")?;
        let mut n = 0u64;
        reader.catch_up(Duration::from_secs(30), |rec| {
            if let Ok(a) = wcp_schema::decode::<Alert>(rec.payload()) {
                tracker.remember_alert(&a);
                n += 1;
            }
        })?;
        tracing::info!(alerts = n, "recall state rebuilt from chat.alerts");
        self.committed = tracker.clone();
        self.recalls = tracker;
        Ok(())
    }

    fn emit(&self, a: &Alert, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        self.metrics
            .compliance_alerts
            .with_label_values(&[a.category.as_str(), a.severity.as_str()])
            .inc();
        let key = a.conversation_id.clone().into_bytes();
        out.push(codec::encode("chat.alerts", Some(key), a)?);
        Ok(())
    }
}

impl Stage for Alerter {
    fn input_topics(&self) -> Vec<&'static str> {
        vec!["chat.tagged"]
    }

    fn name(&self) -> &'static str {
        "alerter"
    }

    fn on_commit(&mut self) {
        self.committed = self.recalls.clone();
    }

    fn on_abort(&mut self) -> Result<(), RuntimeError> {
        self.recalls = self.committed.clone();
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: EnrichedEvent = codec::decode(rec)?;
        // Same order as the in-process pipeline: the event's own alerts are remembered before
        // the recall check.
        let alerts = alerts_for(&ev, &self.policy);
        for a in &alerts {
            self.recalls.remember_alert(a);
            self.emit(a, out)?;
        }
        if let Some(a) = self.recalls.observe(&ev) {
            self.recalls.remember_alert(&a);
            self.emit(&a, out)?;
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("alerter", &[], |cfg, ctx| {
        let policy = codec::policy(cfg)?;
        let mut stage = Alerter {
            policy: policy.alert,
            recalls: RecallTracker::default(),
            committed: RecallTracker::default(),
            metrics: ctx.metrics.clone(),
            cfg: cfg.clone(),
        };
        stage.rebuild()?;
        let opts = LoopOptions {
            end_to_end_metric: true,
        };
        txloop::run(cfg, ctx, &mut stage, opts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tagged(raw: &[u8]) -> InRecord {
        let ev = wcp_stages::classify::Classifier::builtin()
            .classify(wcp_stages::ingest::ingest(raw, None).unwrap().event);
        InRecord {
            topic: "chat.tagged".into(),
            partition: 0,
            offset: 0,
            key: None,
            value: Some(wcp_schema::encode(&ev).unwrap()),
            headers: vec![],
            timestamp_ms: None,
        }
    }

    #[test]
    fn risky_line_then_its_recall() {
        let mut s = Alerter {
            policy: wcp_stages::Policy::builtin().alert,
            recalls: RecallTracker::default(),
            committed: RecallTracker::default(),
            metrics: Metrics::new(),
            cfg: Config::defaults("alerter"),
        };
        let risky = r#"{"msgid":"r1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600185000,"msgtype":"text","text":{"content":"放心，这个肯定稳赚，年化8%保底"}}"#.as_bytes();
        let recall = br#"{"msgid":"r2","action":"recall","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600222000,"msgtype":"revoke","revoke":{"pre_msgid":"r1"}}"#;
        let mut out = Vec::new();
        s.process(&tagged(risky), &mut out).unwrap();
        assert!(!out.is_empty(), "a guarantee-of-returns line alerts");
        out.clear();
        s.process(&tagged(recall), &mut out).unwrap();
        let a: Alert = wcp_schema::decode(&out[0].value).unwrap();
        assert_eq!(a.category, "recall_of_flagged");
    }
}
