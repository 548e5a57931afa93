//! wcp-retention-tagger: `chat.consented` → `chat.tagged`. Retention rules, `keep_until`,
//! legal hold and residency region from `wcp_stages::retention` (event time, never the clock).

use std::process::ExitCode;

use wcp_model::topics;
use wcp_model::EnrichedEvent;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, InRecord, OutRecord, PolicySettings, RuntimeError, Stage};
use wcp_stages::retention::{tag, RetentionPolicy};
use wcp_stages::Policy;

struct Tagger(RetentionPolicy);

impl Stage for Tagger {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::CONSENTED]
    }

    fn name(&self) -> &'static str {
        "retention-tagger"
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: EnrichedEvent = codec::decode(rec)?;
        out.push(codec::encode(
            topics::TAGGED,
            rec.key.clone(),
            &tag(ev, &self.0),
        )?);
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("retention-tagger", |cfg, s: &PolicySettings, ctx| {
        let policy = s.policy(Policy::load, Policy::warnings)?;
        txloop::run(
            cfg,
            ctx,
            &mut Tagger(policy.retention),
            LoopOptions::default(),
        )
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tags_with_a_region() {
        let raw = br#"{"msgid":"m1","action":"send","from":"zhangwei","tolist":["wmX"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"hello"}}"#;
        let ev = EnrichedEvent::new(wcp_stages::test_support::event(raw));
        let rec = wcp_stages::test_support::record(topics::CONSENTED, &ev);
        let mut out = Vec::new();
        Tagger(wcp_stages::Policy::builtin().retention)
            .process(&rec, &mut out)
            .unwrap();
        let e: EnrichedEvent = wcp_schema::decode(&out[0].value).unwrap();
        assert!(e.retention.is_some());
        assert_eq!(out[0].topic, topics::TAGGED);
    }
}
