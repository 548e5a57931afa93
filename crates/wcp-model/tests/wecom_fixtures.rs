//! Every shape in the shipped WeCom fixtures parses; every malformed line is rejected with a
//! specific reason.

use std::path::PathBuf;

use wcp_model::{parse_wecom, Action, DeadLetterReason, EventKind, Role};

fn fixture(name: &str) -> Vec<Vec<u8>> {
    let path = PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("../../fixtures")
        .join(name);
    let bytes = std::fs::read(&path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .map(<[u8]>::to_vec)
        .collect()
}

#[test]
fn every_sample_parses_with_text_where_expected() {
    let lines = fixture("wecom_samples.jsonl");
    assert_eq!(lines.len(), 47);
    let mut msgtypes = std::collections::BTreeSet::new();
    for (i, line) in lines.iter().enumerate() {
        let ev = parse_wecom(line, None).unwrap_or_else(|e| panic!("line {}: {e}", i + 1));
        assert_eq!(&ev.raw, line, "original bytes kept");
        msgtypes.insert(ev.msgtype.clone());
        let needs_text = [
            "text",
            "link",
            "weapp",
            "file",
            "docmsg",
            "calendar",
            "meeting",
            "mixed",
            "chatrecord",
            "todo",
            "vote",
            "collect",
            "note",
            "markdown",
            "news",
            "qydiskfile",
            "solitaire",
            "sphfeed",
            "location",
            "redpacket",
        ];
        if needs_text.contains(&ev.msgtype.as_str()) {
            assert!(
                !ev.text.is_empty(),
                "line {} ({}) has text",
                i + 1,
                ev.msgtype
            );
        }
    }
    for t in wcp_model::parse::KNOWN_MSGTYPES {
        assert!(msgtypes.contains(*t), "fixture covers {t}");
    }
    assert!(msgtypes.contains("note") && msgtypes.contains("switch"));
}

#[test]
fn specific_shapes() {
    let lines = fixture("wecom_samples.jsonl");
    let events: Vec<_> = lines
        .iter()
        .map(|l| parse_wecom(l, Some(7)).unwrap())
        .collect();
    let by_type = |t: &str| events.iter().find(|e| e.msgtype == t).unwrap();

    let agree = by_type("agree");
    assert!(matches!(
        &agree.kind,
        EventKind::Consent {
            agreed: true,
            at_ms: 1732600030000,
            ..
        }
    ));
    assert_eq!(agree.from.role, Role::External);
    let disagree = by_type("disagree");
    assert!(matches!(
        &disagree.kind,
        EventKind::Consent { agreed: false, .. }
    ));

    let recall = by_type("revoke");
    assert_eq!(recall.action, Action::Recall);
    assert!(
        matches!(&recall.kind, EventKind::Recall { pre_msgid } if pre_msgid == "8891446340739254955_1732600185")
    );

    let switch = by_type("switch");
    assert!(matches!(&switch.kind, EventKind::Switch { user } if user == "zhangwei"));
    assert_eq!(switch.time_ms, 1732602100000);

    assert!(by_type("mixed").text.contains("这是内幕消息"));
    assert!(by_type("chatrecord").text.contains("600519"));
    assert!(!by_type("chatrecord").text.contains("sdkfileid"));
    assert_eq!(by_type("docmsg").text, "客户持仓明细");
    assert!(by_type("vote").text.contains("团建地点"));
    assert!(by_type("note").text.contains("拜访纪要"));
    assert!(!by_type("note").known_type);
    assert_eq!(by_type("file").text, "客户名单-机密.xlsx");
    assert!(by_type("calendar").text.contains("业绩复盘会"));
    assert!(by_type("meeting").text.contains("季度复盘"));
    assert!(by_type("external_redpacket").text.contains("感谢支持"));
    assert_eq!(by_type("markdown").from.role, Role::Bot);
    let group = events.iter().find(|e| e.roomid.is_some()).unwrap();
    assert_eq!(&group.conversation_id, group.roomid.as_ref().unwrap());
    assert_eq!(
        events[2].conversation_id,
        "wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ|zhangwei"
    );
    assert_eq!(events[2].seq, Some(7));
}

#[test]
fn lenient_control_characters_are_accepted() {
    for line in fixture("wecom_lenient.jsonl") {
        let ev = parse_wecom(&line, None).expect("lenient line accepted");
        assert!(ev.text.starts_with("raw control char here:"));
        assert_eq!(ev.raw, line);
    }
}

#[test]
fn malformed_lines_get_specific_reasons() {
    let reasons: Vec<DeadLetterReason> = fixture("wecom_malformed.jsonl")
        .iter()
        .map(|l| parse_wecom(l, None).expect_err("malformed line rejected"))
        .collect();
    let codes: Vec<&str> = reasons.iter().map(DeadLetterReason::code).collect();
    assert_eq!(
        codes,
        [
            "invalid_field",
            "invalid_json",
            "invalid_json",
            "missing_field",
            "invalid_json",
            "not_an_object",
            "invalid_utf8"
        ]
    );
    assert!(reasons[0].to_string().contains("msgtime"));
    assert!(reasons[1].to_string().contains("truncated"));
    assert!(reasons[3].to_string().contains("msgid"));
}

#[test]
fn seconds_and_string_times_are_normalised() {
    let line = br#"{"msgid":"m1","action":"send","from":"a","tolist":["b"],"msgtime":"1732600000","msgtype":"text","text":{"content":"hi"}}"#;
    let ev = parse_wecom(line, None).unwrap();
    assert_eq!(ev.time_ms, 1_732_600_000_000);
}

#[test]
fn debug_never_prints_content() {
    let line = br#"{"msgid":"m1","action":"send","from":"a","tolist":["b"],"msgtime":1,"msgtype":"text","text":{"content":"secret 13912345678"}}"#;
    let ev = parse_wecom(line, None).unwrap();
    let dbg = format!("{ev:?}");
    assert!(!dbg.contains("13912345678") && !dbg.contains("secret"));
}
