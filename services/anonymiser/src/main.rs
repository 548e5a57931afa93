//! wcp-anonymiser: `chat.tagged` → `chat.anonymised`, the only stream allowed to leave the
//! residency region: PII replaced and contact ids pseudonymised with the tenant key
//! (`anon_key_file` or `WCP_ANON_KEY`), by `wcp_stages::anonymise`. The record key is the
//! pseudonymised conversation, so no raw id leaves in the key either.

use std::process::ExitCode;

use wcp_model::topics;
use wcp_model::EnrichedEvent;
use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{codec, InRecord, OutRecord, PolicyKeySettings, RuntimeError, Stage};
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::key::TenantKey;
use wcp_stages::Policy;

struct Anonymise(Anonymiser);

impl Stage for Anonymise {
    fn input_topics(&self) -> Vec<&'static str> {
        vec![topics::TAGGED]
    }

    fn name(&self) -> &'static str {
        "anonymiser"
    }

    fn process(&mut self, rec: &InRecord, out: &mut Vec<OutRecord>) -> Result<(), RuntimeError> {
        let ev: EnrichedEvent = codec::decode(rec)?;
        let anon = self.0.anonymise(&ev);
        let key = anon.conversation.clone().into_bytes();
        out.push(codec::encode(topics::ANONYMISED, Some(key), &anon)?);
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("anonymiser", |cfg, s: &PolicyKeySettings, ctx| {
        let key = s.tenant_key(TenantKey::parse)?;
        let policy = s.policy(Policy::load, Policy::warnings)?;
        let anonymiser = Anonymiser::new(key.as_bytes(), policy.anonymise);
        let opts = LoopOptions {
            end_to_end_metric: true,
        };
        txloop::run(cfg, ctx, &mut Anonymise(anonymiser), opts)
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::AnonymisedEvent;

    #[test]
    fn no_raw_contact_id_leaves() {
        let raw = br#"{"msgid":"m1","action":"send","from":"wmSECRETCONTACT","tolist":["zhangwei"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"call 13812345678"}}"#;
        let ev = wcp_stages::test_support::classified(raw);
        let mut rec = wcp_stages::test_support::record(topics::TAGGED, &ev);
        rec.key = Some(b"wmSECRETCONTACT,zhangwei".to_vec());
        let mut stage = Anonymise(Anonymiser::new(
            b"k",
            wcp_pii::anonymise::AnonPolicy::default(),
        ));
        let mut out = Vec::new();
        stage.process(&rec, &mut out).unwrap();
        let a: AnonymisedEvent = wcp_schema::decode(&out[0].value).unwrap();
        let key = String::from_utf8(out[0].key.clone().unwrap()).unwrap();
        assert!(!key.contains("wmSECRETCONTACT"));
        assert!(!a.from.contains("wmSECRETCONTACT"));
        assert!(!a.text.contains("13812345678"));
    }
}
