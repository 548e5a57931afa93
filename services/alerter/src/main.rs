//! wcp-alerter: `chat.tagged` → `chat.alerts`, transactional. One alert per (message,
//! category) from `wcp_stages::alert`, plus recall-of-flagged alerts, which need to know the
//! flagged messages: that state is rebuilt at start by reading `chat.alerts` back,
//! read_committed, so it only holds what was really published; after an aborted
//! transaction it is restored from the copy kept at the last commit. The ordering, the state
//! and its commit/abort are `wcp_stages::alert::AlertStep`, which `wcp run` calls too.

use std::process::ExitCode;
use std::time::Duration;

use wcp_model::{topics, Alert, EnrichedEvent, EventKind};
use wcp_runtime::reader::TopicReader;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{
    codec, Config, InRecord, Metrics, OutRecord, PolicyKeySettings, RunCtx, RuntimeError, Stage,
};
use wcp_stages::alert::AlertStep;
use wcp_stages::anonymise::Names;
use wcp_stages::key::TenantKey;
use wcp_stages::Policy;

/// One round of the start-up read of chat.alerts (progress is logged after each).
const REBUILD_ROUND: Duration = Duration::from_secs(10);
/// How far back (offsets per partition, before the committed one) the start-up replay of
/// chat.tagged looks for recalls still waiting for their original (`replay_recent`). A recall
/// and its original are a few records apart in practice (the capture's order); 100,000 also
/// covers e2e_equivalence's 2,100-record separation many times over, and reads in seconds.
const RECALL_WINDOW: u64 = 100_000;

struct Alerter {
    step: AlertStep,
    metrics: Metrics,
    cfg: Config,
}

impl Alerter {
    /// Rebuilds the recall tracker from every alert published so far, however long that
    /// takes: a partial state would silently miss the recall of a flagged message. Not ready
    /// meanwhile.
    fn rebuild(&mut self, ctx: &RunCtx) -> Result<(), RuntimeError> {
        ctx.set_not_ready("rebuilding the recall state from chat.alerts");
        let mut reader = TopicReader::open(&self.cfg, topics::ALERTS)?;
        let mut n = 0u64;
        let step = &mut self.step;
        reader.read_to_end(ctx, "rebuilding the recall state", REBUILD_ROUND, |rec| {
            if let Ok(a) = wcp_schema::decode::<Alert>(rec.payload()) {
                step.remember_published(&a);
                n += 1;
            }
        })?;
        tracing::info!(alerts = n, "recall state rebuilt from chat.alerts");
        self.replay_recent(ctx)?;
        self.step.commit();
        Ok(())
    }

    /// A recall that arrived before its flagged original waits in memory only; a restart
    /// would forget it and its alert would never come (issue 17: 2–4 `recall_of_flagged`
    /// alerts lost in e2e_faults' SIGTERM run). The last `RECALL_WINDOW` records this group
    /// consumed from chat.tagged (before its committed offsets) are processed again, their
    /// alerts discarded: every one of them was published in a committed transaction, and
    /// chat.alerts, read first, already holds them, so only the waiting recalls come back.
    fn replay_recent(&mut self, ctx: &RunCtx) -> Result<(), RuntimeError> {
        let Some(mut reader) =
            TopicReader::open_before_committed(&self.cfg, topics::TAGGED, RECALL_WINDOW)?
        else {
            return Ok(());
        };
        let step = &mut self.step;
        let mut waiting = 0u64;
        let n = reader.read_to_end(ctx, "replaying recent chat.tagged", REBUILD_ROUND, |rec| {
            if let Ok(ev) = wcp_schema::decode::<EnrichedEvent>(rec.payload()) {
                waiting += u64::from(matches!(ev.event.kind, EventKind::Recall { .. }));
                step.process(&ev);
            }
        })?;
        tracing::info!(
            records = n,
            recalls = waiting,
            "recall state: recent chat.tagged replayed"
        );
        Ok(())
    }

    fn emit(&self, a: &Alert, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        self.metrics
            .compliance_alerts
            .with_label_values(&[a.category.as_str(), a.severity.as_str()])
            .inc();
        let key = a.conversation_id.clone().into_bytes();
        out.push(codec::encode(topics::ALERTS, Some(key), a)?);
        Ok(())
    }
}

impl Stage for Alerter {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::TAGGED]
    }

    fn name(&self) -> &'static str {
        "alerter"
    }

    fn on_commit(&mut self) {
        self.step.commit();
    }

    fn on_abort(&mut self) -> Result<(), RuntimeError> {
        self.step.abort();
        Ok(())
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: EnrichedEvent = codec::decode(rec)?;
        for a in self.step.process(&ev) {
            self.emit(&a, out)?;
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("alerter", |cfg, s: &PolicyKeySettings, ctx| {
        let policy = s.policy(Policy::load, Policy::warnings)?;
        // The tenant key names conversations of content without consent by the pseudonyms
        // the archive stores (no raw contact id in chat.alerts).
        let names = Names::new(s.tenant_key(TenantKey::parse)?.as_bytes());
        let mut stage = Alerter {
            step: AlertStep::new(policy.alert, names),
            metrics: ctx.metrics.clone(),
            cfg: cfg.clone(),
        };
        stage.rebuild(ctx)?;
        let opts = LoopOptions {
            end_to_end_metric: true,
        };
        txloop::run(cfg, ctx, &mut stage, opts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_stages::test_support::{classified, record};

    fn tagged(raw: &[u8]) -> InRecord {
        record(topics::TAGGED, &classified(raw))
    }

    #[test]
    fn risky_line_then_its_recall() {
        let mut s = Alerter {
            step: AlertStep::new(
                wcp_stages::Policy::builtin().alert,
                Names::new(b"0123456789abcdef"),
            ),
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

    /// The start-up replay (`replay_recent`) in pure form: a recall consumed before a restart
    /// waits again afterwards; a replay of events whose alerts were published produces only
    /// those alerts again (discarded), nothing new.
    #[test]
    fn a_replay_after_a_restart_brings_back_a_waiting_recall_and_nothing_else() {
        let step = || {
            AlertStep::new(
                wcp_stages::Policy::builtin().alert,
                Names::new(b"0123456789abcdef"),
            )
        };
        let risky = classified(r#"{"msgid":"r1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600185000,"msgtype":"text","text":{"content":"放心，这个肯定稳赚，年化8%保底"}}"#.as_bytes());
        let recall = classified(br#"{"msgid":"r2","action":"recall","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600222000,"msgtype":"revoke","revoke":{"pre_msgid":"r1"}}"#);
        // The recall first, committed, nothing published; then a restart.
        assert!(step().process(&recall).is_empty());
        let mut restarted = step();
        restarted.process(&recall);
        restarted.commit();
        let after = restarted.process(&risky);
        assert!(
            after.iter().any(|a| a.alert_id == "r1:recall_of_flagged"),
            "{after:?}"
        );
        // Both before the restart: chat.alerts holds their alerts; the replay adds nothing.
        let mut live = step();
        let mut published = live.process(&risky);
        published.extend(live.process(&recall));
        let mut again = step();
        for a in &published {
            again.remember_published(a);
        }
        let replayed: Vec<String> = [&risky, &recall]
            .into_iter()
            .flat_map(|e| again.process(e))
            .map(|a| a.alert_id)
            .collect();
        let ids: Vec<String> = published.iter().map(|a| a.alert_id.clone()).collect();
        assert!(replayed.iter().all(|a| ids.contains(a)), "{replayed:?}");
        assert!(again.process(&recall).is_empty(), "the recall alerts once");
    }
}
