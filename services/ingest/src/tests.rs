use super::*;
use wcp_model::{Alert, ChatEvent, ConsentRecord};

fn rec(raw: &[u8], seq: Option<u64>) -> InRecord {
    InRecord {
        topic: "wecom.raw".into(),
        partition: 0,
        offset: 0,
        key: None,
        value: Some(raw.to_vec()),
        headers: seq
            .map(|s| vec![("seq".to_string(), s.to_string().into_bytes())])
            .unwrap_or_default(),
        timestamp_ms: None,
    }
}

fn stage() -> Ingest {
    Ingest {
        seqs: SeqTracker::default(),
        committed_seqs: SeqTracker::default(),
        metrics: Metrics::new(),
    }
}

const AGREE: &[u8] = br#"{"msgid":"a1","action":"send","from":"wmX","tolist":["zw"],"roomid":"","msgtime":1732600037000,"msgtype":"agree","agree":{"userid":"wmX","agree_time":1732600030000}}"#;
const TEXT: &[u8] = br#"{"msgid":"t1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{"content":"hi"}}"#;

#[test]
fn events_ledger_and_gap_alert() {
    let mut s = stage();
    let mut out = Vec::new();
    s.process(&rec(AGREE, Some(1)), &mut out).unwrap();
    assert_eq!(out.len(), 2);
    let ev: ChatEvent = wcp_schema::decode(&out[0].value).unwrap();
    assert_eq!(out[0].topic, "chat.events");
    assert_eq!(out[0].key.as_deref(), Some(ev.conversation_id.as_bytes()));
    let c: ConsentRecord = wcp_schema::decode(&out[1].value).unwrap();
    assert_eq!(
        (out[1].topic, c.contact.as_str(), c.agreed),
        ("consent.ledger", "wmX", true)
    );
    out.clear();
    s.process(&rec(TEXT, Some(5)), &mut out).unwrap();
    assert_eq!(out[0].topic, "chat.alerts");
    let a: Alert = wcp_schema::decode(&out[0].value).unwrap();
    assert_eq!(a.category, "seq_gap");
    assert_eq!(s.metrics.seq_missing.get(), 3);
}

#[test]
fn poison_and_abort_restore() {
    let mut s = stage();
    let mut out = Vec::new();
    let err = s
        .process(&rec(b"{not json", Some(1)), &mut out)
        .unwrap_err();
    assert!(matches!(
        err,
        RuntimeError::Poison {
            code: "invalid_json",
            ..
        }
    ));
    s.before_batch().unwrap();
    s.process(&rec(TEXT, Some(2)), &mut out).unwrap();
    s.process(&rec(TEXT, Some(9)), &mut out).unwrap();
    s.on_abort().unwrap();
    // Replaying the aborted batch reports the gap again.
    out.clear();
    s.process(&rec(TEXT, Some(2)), &mut out).unwrap();
    s.process(&rec(TEXT, Some(9)), &mut out).unwrap();
    assert!(out.iter().any(|o| o.topic == "chat.alerts"));
}
