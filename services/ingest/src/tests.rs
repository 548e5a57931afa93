use super::*;
use wcp_model::{Alert, ChatEvent, ConsentRecord, DeadLetter};
use wcp_stages::input::InputPolicy;

use wcp_stages::test_support::raw as rec;

fn stage() -> Ingest {
    Ingest {
        step: IngestStep::new(InputPolicy::default()),
        metrics: Metrics::new(),
        gaps: gaplog::GapLog::default(),
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

/// The lost alert of issue #14: the record that reveals a gap is itself poison.
#[test]
fn poison_that_reveals_a_gap_gives_the_alert_and_the_dead_letter() {
    let mut s = stage();
    let mut out = Vec::new();
    s.process(&rec(TEXT, Some(1)), &mut out).unwrap();
    out.clear();
    s.process(&rec(b"{not json", Some(4)), &mut out).unwrap();
    let topics: Vec<&str> = out.iter().map(|o| o.topic).collect();
    assert_eq!(topics, ["chat.alerts", "chat.dlq"]);
    let a: Alert = wcp_schema::decode(&out[0].value).unwrap();
    assert_eq!(a.alert_id, "seq_gap:2-3");
    let dl: DeadLetter = wcp_schema::decode(&out[1].value).unwrap();
    assert_eq!(
        (dl.reason_code.as_str(), dl.original.as_slice()),
        ("invalid_json", &b"{not json"[..])
    );
    assert_eq!(
        s.metrics
            .dead_letters
            .with_label_values(&["invalid_json"])
            .get(),
        1
    );
}

#[test]
fn out_of_bounds_records_are_dead_lettered_with_the_reason() {
    let mut s = stage();
    let mut out = Vec::new();
    let future = br#"{"msgid":"f1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":99999999999999999999,"msgtype":"text","text":{"content":"hi"}}"#;
    s.process(&rec(future, None), &mut out).unwrap();
    let dl: DeadLetter = wcp_schema::decode(&out[0].value).unwrap();
    assert_eq!(dl.reason_code, "time_out_of_range");
    s.step = IngestStep::new(InputPolicy {
        max_record_bytes: 64,
        ..InputPolicy::default()
    });
    out.clear();
    s.process(&rec(TEXT, None), &mut out).unwrap();
    let dl: DeadLetter = wcp_schema::decode(&out[0].value).unwrap();
    assert_eq!(dl.reason_code, "record_too_large");
    assert_eq!(dl.original, TEXT, "the original bytes are kept");
}

#[test]
fn abort_restores_the_gap_state() {
    let mut s = stage();
    let mut out = Vec::new();
    s.process(&rec(TEXT, Some(1)), &mut out).unwrap();
    s.on_commit();
    s.process(&rec(TEXT, Some(2)), &mut out).unwrap();
    s.process(&rec(TEXT, Some(9)), &mut out).unwrap();
    s.on_abort().unwrap();
    // Replaying the aborted batch reports the gap again.
    out.clear();
    s.process(&rec(TEXT, Some(2)), &mut out).unwrap();
    s.process(&rec(TEXT, Some(9)), &mut out).unwrap();
    assert!(out.iter().any(|o| o.topic == "chat.alerts"));
}

#[test]
fn a_line_seq_is_used_without_a_header() {
    let mut s = stage();
    let mut out = Vec::new();
    let with_seq = |n: u64| {
        let t = std::str::from_utf8(TEXT).unwrap();
        format!("{{\"seq\":{n},{}", &t[1..]).into_bytes()
    };
    s.process(&rec(&with_seq(1), None), &mut out).unwrap();
    s.process(&rec(&with_seq(3), None), &mut out).unwrap();
    assert!(out.iter().any(|o| o.topic == "chat.alerts"));
}

/// Issue #14: a re-sent msgid gives no second event or ledger record (and no dead letter),
/// only the gap its later seq reveals, and is counted.
#[test]
fn a_resent_msgid_is_counted_not_published_again() {
    let mut s = stage();
    let mut out = Vec::new();
    s.process(&rec(AGREE, Some(1)), &mut out).unwrap();
    s.on_commit();
    out.clear();
    s.process(&rec(AGREE, Some(1)), &mut out).unwrap();
    assert!(out.is_empty(), "same seq: nothing at all");
    s.process(&rec(AGREE, Some(4)), &mut out).unwrap();
    let topics: Vec<&str> = out.iter().map(|o| o.topic).collect();
    assert_eq!(topics, ["chat.alerts"], "later seq: its gap alert only");
    assert_eq!(s.metrics.duplicates.get(), 2);
    assert_eq!(
        s.metrics
            .dead_letters
            .with_label_values(&["invalid_json"])
            .get(),
        0
    );
}

/// An aborted batch's msgids are not remembered: its replay publishes them.
#[test]
fn abort_forgets_the_batch_msgids() {
    let mut s = stage();
    let mut out = Vec::new();
    s.process(&rec(TEXT, None), &mut out).unwrap();
    s.on_abort().unwrap();
    out.clear();
    s.process(&rec(TEXT, None), &mut out).unwrap();
    assert_eq!(out.len(), 1);
    assert_eq!(out[0].topic, "chat.events");
    assert_eq!(s.metrics.duplicates.get(), 0);
}
