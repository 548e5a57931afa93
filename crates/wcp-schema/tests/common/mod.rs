//! Hand-built values of every record type, chosen to hit the edges: unicode and control
//! characters, empty lists and strings, `None` and `Some`, every enum variant, extreme numbers.
#![allow(dead_code)]

use wcp_model::*;
use wcp_schema::RawEnvelope;

pub fn participant(id: &str) -> Participant {
    Participant::new(id)
}

pub fn chat_events() -> Vec<ChatEvent> {
    let base = ChatEvent {
        msgid: "10958372969718811103_1603875609".into(),
        action: Action::Send,
        msgtype: "text".into(),
        kind: EventKind::Message,
        from: participant("zhangsan"),
        to: vec![participant("wmErxtDgAA9AW32YyyuYRimKr7D1KWlw")],
        roomid: None,
        conversation_id: "wmErxtDgAA9AW32YyyuYRimKr7D1KWlw|zhangsan".into(),
        time_ms: 1_603_875_609_704,
        seq: Some(3),
        known_type: true,
        text: "保本保收益，加我微信 wxid_abc123 细聊 😀\u{1}\ttab".into(),
        payload_json: r#"{"content":"保本保收益"}"#.into(),
        raw: br#"{"msgid":"10958372969718811103_1603875609","action":"send"}"#.to_vec(),
    };
    vec![
        base.clone(),
        ChatEvent {
            msgid: String::new(),
            action: Action::Recall,
            msgtype: "revoke".into(),
            kind: EventKind::Recall {
                pre_msgid: "14822339130656386894_1603875600".into(),
            },
            to: vec![],
            roomid: Some("wrOgQhDgAAMYQiS5ol9G7gK9JVAAAA".into()),
            seq: None,
            text: String::new(),
            raw: vec![],
            ..base.clone()
        },
        ChatEvent {
            action: Action::Send,
            msgtype: "disagree".into(),
            kind: EventKind::Consent {
                contact: "wmErxtDgAA9AW32YyyuYRimKr7D1KWlw".into(),
                agreed: false,
                at_ms: i64::MIN,
            },
            from: participant("wbBot1"),
            to: vec![participant("a"), participant("wo1"), participant("wb2")],
            time_ms: 0,
            seq: Some(u64::MAX),
            known_type: false,
            raw: (0..=255).collect(),
            ..base.clone()
        },
        ChatEvent {
            action: Action::Switch,
            msgtype: "switch".into(),
            kind: EventKind::Switch {
                user: "lisi".into(),
            },
            time_ms: i64::MAX,
            ..base
        },
    ]
}

pub fn classification() -> Classification {
    Classification {
        class: Class::Business,
        business_score: 0.875,
        top_features: vec!["保本".into(), "w:yield".into()],
        risks: RiskCategory::ALL
            .iter()
            .enumerate()
            .map(|(i, c)| RiskHit {
                category: *c,
                start: i as u32,
                end: u32::MAX,
                rule_id: format!("rule.{}", c.as_str()),
                score: 1.0,
            })
            .collect(),
        pii: vec![PiiSpan {
            entity: "CN_RESIDENT_ID".into(),
            start: 0,
            end: 18,
            score: 0.99,
        }],
    }
}

pub fn enriched_events() -> Vec<EnrichedEvent> {
    let events = chat_events();
    let mut out = vec![EnrichedEvent::new(events[0].clone())];
    let states = [
        (ConsentState::Agreed, Disposition::Archive),
        (ConsentState::Disagreed, Disposition::ArchiveAnonymised),
        (ConsentState::Unknown, Disposition::Quarantine),
        (ConsentState::NotRequired, Disposition::MetadataOnly),
    ];
    for (i, (state, disposition)) in states.into_iter().enumerate() {
        out.push(EnrichedEvent {
            event: events[i % events.len()].clone(),
            classification: Some(Classification {
                class: if i % 2 == 0 {
                    Class::Personal
                } else {
                    Class::Business
                },
                risks: if i == 0 {
                    vec![]
                } else {
                    classification().risks
                },
                pii: vec![],
                top_features: vec![],
                ..classification()
            }),
            consent: Some(ConsentDecision {
                state,
                disposition,
                contacts: vec![ContactConsent {
                    contact: "wm联系人".into(),
                    state,
                }],
            }),
            retention: (i != 3).then(|| RetentionTag {
                rules: if i == 0 {
                    vec![]
                } else {
                    vec!["sec_17a4_6y".into(), "sfc_7y".into()]
                },
                keep_until_ms: 1_792_000_000_000,
                legal_hold: i == 2,
                region: "cn".into(),
            }),
            sealed_ids: None,
        });
    }
    out
}

pub fn consent_records() -> Vec<ConsentRecord> {
    vec![
        ConsentRecord {
            contact: "wmErxtDgAA9AW32YyyuYRimKr7D1KWlw".into(),
            agreed: true,
            at_ms: 1_603_875_609_000,
            msgid: "m-agree".into(),
        },
        ConsentRecord {
            contact: String::new(),
            agreed: false,
            at_ms: -1,
            msgid: String::new(),
        },
    ]
}

pub fn alerts() -> Vec<Alert> {
    let base = Alert {
        alert_id: "a1b2".into(),
        msgid: "m1".into(),
        conversation_id: "wr1".into(),
        category: "guarantee_of_returns".into(),
        severity: Severity::High,
        rule_id: "guarantee.zh.保本".into(),
        time_ms: 1_603_875_609_704,
        evidence: vec![Evidence {
            start: 0,
            end: 2,
            text: "保本".into(),
        }],
        region: Some("hk".into()),
    };
    vec![
        base.clone(),
        Alert {
            severity: Severity::Low,
            evidence: vec![],
            ..base.clone()
        },
        Alert {
            severity: Severity::Medium,
            category: "seq_gap".into(),
            region: None,
            ..base
        },
    ]
}

pub fn anonymised_events() -> Vec<AnonymisedEvent> {
    let base = AnonymisedEvent {
        msgid: "m1".into(),
        conversation: "c_9f2".into(),
        from: "p_1a".into(),
        to: vec!["p_2b".into(), "p_3c".into()],
        from_role: "external".into(),
        msgtype: "text".into(),
        time_ms: 1_603_875_609_704,
        text: "电话 <PHONE_NUMBER> 找我".into(),
        class: Some(Class::Personal),
        risk_categories: vec!["off_channel".into()],
        pii_types: vec!["PHONE_NUMBER".into()],
        consent: Some(ConsentState::NotRequired),
        region: Some("cn".into()),
    };
    vec![
        base.clone(),
        AnonymisedEvent {
            to: vec![],
            class: None,
            risk_categories: vec![],
            pii_types: vec![],
            consent: None,
            region: None,
            text: String::new(),
            ..base
        },
    ]
}

pub fn dead_letters() -> Vec<DeadLetter> {
    vec![
        DeadLetter::new(
            b"{\"msgid\": truncated".to_vec(),
            "samples.jsonl:7".into(),
            "ingest",
            &DeadLetterReason::InvalidJson {
                message: "truncated: input ends inside a value".into(),
                line: 1,
                column: 19,
            },
        ),
        DeadLetter::new(
            vec![0xff, 0xfe, 0x00],
            "wecom.raw/3/1024".into(),
            "ingest",
            &DeadLetterReason::InvalidUtf8 { valid_up_to: 0 },
        ),
    ]
}

pub fn raw_envelopes() -> Vec<RawEnvelope> {
    vec![
        RawEnvelope {
            payload: "{\"msgid\":\"1\",\"text\":{\"content\":\"你好\u{7}\"}}"
                .as_bytes()
                .to_vec(),
            seq: Some(42),
            publickey_ver: Some(u32::MAX),
            source: "capture-01".into(),
        },
        RawEnvelope {
            payload: vec![],
            seq: None,
            publickey_ver: None,
            source: "import.jsonl:1".into(),
        },
    ]
}
