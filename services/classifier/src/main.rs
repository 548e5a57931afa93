//! wcp-classifier: `chat.events` → `chat.classified`. Business/personal class, risk hits and
//! PII spans from `wcp_stages::classify` (the same code `wcp run` uses).

use std::process::ExitCode;

use wcp_model::{topics, ChatEvent, EnrichedEvent};
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, InRecord, OutRecord, PolicySettings, RuntimeError, Stage};
use wcp_stages::classify::Classifier;
use wcp_stages::Policy;

struct Classify(Classifier);

impl Stage for Classify {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::EVENTS]
    }

    fn name(&self) -> &'static str {
        "classifier"
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: ChatEvent = codec::decode(rec)?;
        let enriched: EnrichedEvent = self.0.classify(ev);
        out.push(codec::encode(
            topics::CLASSIFIED,
            rec.key.clone(),
            &enriched,
        )?);
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("classifier", |cfg, s: &PolicySettings, ctx| {
        let policy = s.policy(Policy::load, Policy::warnings)?;
        let classifier = Classifier::new(&policy.classifier, None, None)
            .map_err(|e| RuntimeError::Config(vec![format!("classifier: {e}")]))?;
        txloop::run(cfg, ctx, &mut Classify(classifier), LoopOptions::default())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn classifies_and_rejects_garbage() {
        let raw = br#"{"msgid":"m1","action":"send","from":"zhangwei","tolist":["wmX"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"my phone is 13812345678"}}"#;
        let ev = wcp_stages::test_support::event(raw);
        let mut rec = wcp_stages::test_support::record(topics::EVENTS, &ev);
        rec.key = Some(b"k".to_vec());
        let mut stage = Classify(Classifier::builtin());
        let mut out = Vec::new();
        stage.process(&rec, &mut out).unwrap();
        let e: EnrichedEvent = wcp_schema::decode(&out[0].value).unwrap();
        assert_eq!(e.event.msgid, "m1");
        assert!(e
            .classification
            .unwrap()
            .pii
            .iter()
            .any(|p| p.entity == "PHONE_NUMBER"));
        rec.value = Some(b"junk".to_vec());
        let err = stage.process(&rec, &mut out).unwrap_err();
        assert!(matches!(
            err,
            RuntimeError::Poison {
                code: "schema_decode",
                ..
            }
        ));
    }
}
