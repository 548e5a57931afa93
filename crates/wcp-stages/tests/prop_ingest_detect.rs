//! Property tests of the two entry points that take outside input as it comes: ingest (raw
//! WeCom bytes from the capture or an export) and detection (`wcp detect`, the classifier
//! stage). Arbitrary bytes, WeCom-shaped JSON with arbitrary values, mutated real records and
//! arbitrary Unicode text never panic; what ingest accepts respects the input bounds; every
//! span detection reports lies inside its text, in code points. `PROPTEST_CASES=N` runs N
//! cases per property (docs/TESTING.md, "Property tests").

use std::sync::OnceLock;

use proptest::prelude::*;
use serde_json::{json, Value};
use wcp_stages::classify::Classifier;
use wcp_stages::ingest::{IngestResult, IngestStep};
use wcp_stages::input::InputPolicy;
use wcp_stages::offsets::slice_chars;

/// 2024-11-26, the capture time given to ingest.
const CAPTURE_MS: i64 = 1_732_600_000_000;
const Y2000_MS: i64 = 946_684_800_000;

#[path = "../../../tests/support/proptest_config.rs"]
mod proptest_config;
use proptest_config::config;

fn classifier() -> &'static Classifier {
    static C: OnceLock<Classifier> = OnceLock::new();
    C.get_or_init(Classifier::builtin)
}

fn samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(|| {
        let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../fixtures/");
        [
            "wecom_samples.jsonl",
            "wecom_lenient.jsonl",
            "wecom_malformed.jsonl",
        ]
        .iter()
        .flat_map(|f| {
            std::fs::read(format!("{root}{f}"))
                .unwrap_or_else(|e| panic!("{f}: {e}"))
                .split(|b| *b == b'\n')
                .filter(|l| !l.is_empty())
                .map(<[u8]>::to_vec)
                .collect::<Vec<_>>()
        })
        .collect()
    })
}

/// Ingests `raw`; what it accepts must be inside the default input bounds.
fn ingest_checked(raw: &[u8], seq: Option<u64>) -> Result<(), TestCaseError> {
    let mut step = IngestStep::new(InputPolicy::default());
    let out = step.process(raw, seq, CAPTURE_MS);
    if let IngestResult::Event(ok) = &out.result {
        let t = ok.event.time_ms;
        prop_assert!(
            (Y2000_MS..=CAPTURE_MS + 24 * 3_600_000).contains(&t),
            "accepted an event at {t} ms, outside the time window"
        );
        prop_assert!(
            !ok.event.msgid.is_empty(),
            "accepted an event without msgid"
        );
        prop_assert!(
            !ok.event.msgid.chars().any(char::is_control),
            "accepted a msgid with a control character"
        );
    }
    Ok(())
}

/// Arbitrary JSON values, biased to what a WeCom record holds.
fn json_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        Just(Value::Null),
        any::<bool>().prop_map(Value::Bool),
        any::<i64>().prop_map(|n| json!(n)),
        any::<f64>().prop_map(|f| json!(f)),
        (0i64..4_000_000_000_000).prop_map(|n| json!(n)),
        ".{0,40}".prop_map(Value::String),
        prop::sample::select(vec![
            "send",
            "recall",
            "switch",
            "text",
            "agree",
            "disagree",
            "revoke",
            "mixed",
            "chatrecord",
            "wmEXT1",
            "wbBOT",
            "zhangwei",
            "{\"type\":\"text\"}",
            "",
        ])
        .prop_map(|s| Value::String(s.to_string())),
    ];
    leaf.prop_recursive(3, 24, 6, |inner| {
        prop_oneof![
            prop::collection::vec(inner.clone(), 0..4).prop_map(Value::Array),
            prop::collection::btree_map(
                prop::sample::select(vec![
                    "content",
                    "type",
                    "item",
                    "pre_msgid",
                    "userid",
                    "agree_time",
                    "title",
                    "sdkfileid",
                    "msgtype",
                    "text",
                ]),
                inner,
                0..4
            )
            .prop_map(|m| Value::Object(m.into_iter().map(|(k, v)| (k.to_string(), v)).collect())),
        ]
    })
}

/// A WeCom-shaped record: the usual keys, each present or not, with arbitrary values.
fn wecom_record() -> impl Strategy<Value = Vec<u8>> {
    let keys = [
        "msgid",
        "action",
        "from",
        "tolist",
        "roomid",
        "msgtime",
        "msgtype",
        "text",
        "revoke",
        "agree",
        "disagree",
        "mixed",
        "chatrecord",
        "time",
        "user",
        "seq",
        "image",
    ];
    prop::collection::vec((prop::sample::select(keys.to_vec()), json_value()), 0..12).prop_map(
        |pairs| {
            let mut m = serde_json::Map::new();
            for (k, v) in pairs {
                m.insert(k.to_string(), v);
            }
            serde_json::to_vec(&Value::Object(m)).expect("serialise")
        },
    )
}

/// A real record (valid, lenient or malformed fixture) with a few bytes changed or cut.
fn mutated_sample() -> impl Strategy<Value = Vec<u8>> {
    (
        any::<prop::sample::Index>(),
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>()), 0..5),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(i, edits, cut)| {
            let mut b = samples()[i.index(samples().len())].clone();
            for (at, byte) in edits {
                if !b.is_empty() {
                    let at = at.index(b.len());
                    b[at] = byte;
                }
            }
            if let Some(cut) = cut {
                b.truncate(cut.index(b.len() + 1));
            }
            b
        })
}

/// Text as chat has it: Chinese, digits (phone and id numbers), risk words, emoji, control
/// characters, combining marks, and arbitrary code points.
fn chat_text() -> impl Strategy<Value = String> {
    let piece = prop_oneof![
        ".{0,8}",
        "[0-9 +\\-]{1,20}",
        prop::sample::select(vec![
            "保本",
            "稳赚",
            "内部消息",
            "删了",
            "私人微信",
            "13812345678",
            "110101199003071234",
            "4111 1111 1111 1111",
            "li@example.com",
            "guarantee",
            "WhatsApp",
            "\u{0}",
            "\u{200b}",
            "e\u{301}",
            "😀",
            "\r\n",
            "IBAN DE89370400440532013000",
            "192.168.0.1",
            "http://x.y/",
        ])
        .prop_map(str::to_string),
    ];
    prop::collection::vec(piece, 0..24).prop_map(|v| v.concat())
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn ingest_arbitrary_bytes(raw in prop::collection::vec(any::<u8>(), 0..600), seq in any::<Option<u64>>()) {
        ingest_checked(&raw, seq)?;
    }

    #[test]
    fn ingest_wecom_shaped_json(raw in wecom_record(), seq in any::<Option<u64>>()) {
        ingest_checked(&raw, seq)?;
    }

    #[test]
    fn ingest_mutated_fixtures(raw in mutated_sample()) {
        ingest_checked(&raw, None)?;
    }

    #[test]
    fn detection_spans_stay_inside_the_text(text in chat_text()) {
        let n = text.chars().count() as u32;
        let (c, why) = classifier().detect_text_explained(&text);
        prop_assert!((0.0..=1.0).contains(&c.business_score), "business_score {}", c.business_score);
        prop_assert_eq!(why.len(), c.risks.len(), "one explanation per risk");
        for r in &c.risks {
            prop_assert!(r.start <= r.end && r.end <= n, "risk span {}..{} of {n}", r.start, r.end);
            let _ = slice_chars(&text, r.start, r.end);
        }
        for p in &c.pii {
            prop_assert!(p.start < p.end && p.end <= n, "pii span {}..{} of {n}", p.start, p.end);
            let _ = slice_chars(&text, p.start, p.end);
        }
    }
}
