//! Shared test fixtures: events and archives.
#![allow(dead_code)]

use std::path::Path;

pub mod rsmf;

use ed25519_dalek::SigningKey;
use wcp_archive::{Archive, ArchiveOptions};
use wcp_model::{
    Action, ChatEvent, Class, Classification, ConsentDecision, ConsentState, Disposition,
    EnrichedEvent, EventKind, Participant, PiiSpan, RetentionTag, RiskCategory, RiskHit,
};

pub const DAY_MS: i64 = 86_400_000;
pub const T0: i64 = 1_764_000_000_000;

pub fn key() -> SigningKey {
    SigningKey::from_bytes(&[7u8; 32])
}

pub fn open(path: &Path) -> Archive {
    Archive::open(
        path,
        ArchiveOptions {
            signing_key: Some(key()),
            checkpoint_every: 4,
            actor: "test".into(),
            ..ArchiveOptions::default()
        },
    )
    .unwrap()
}

/// Ten messages all past their keep-until date (`T0 + DAY_MS`): expiring them is 100 % of
/// the archive.
pub fn due_archive(path: &Path) -> Archive {
    let mut a = open(path);
    let batch: Vec<_> = (0..10)
        .map(|i| keep_until(text(&format!("m{i}"), "due", T0 + i), T0 + DAY_MS))
        .collect();
    a.insert_batch(&batch, &[]).unwrap();
    a
}

/// A one-to-one text message from staff `zhangsan` to external contact `wmCLIENT`.
pub fn text(msgid: &str, text: &str, time_ms: i64) -> EnrichedEvent {
    let from = Participant::new("zhangsan");
    let to = vec![Participant::new("wmCLIENT")];
    let raw = format!(
        r#"{{"msgid":"{msgid}","action":"send","msgtype":"text","text":{{"content":{}}}}}"#,
        serde_json::to_string(text).unwrap()
    );
    EnrichedEvent {
        event: ChatEvent {
            msgid: msgid.into(),
            action: Action::Send,
            msgtype: "text".into(),
            kind: EventKind::Message,
            from,
            to,
            roomid: None,
            conversation_id: "wmCLIENT|zhangsan".into(),
            time_ms,
            seq: None,
            known_type: true,
            text: text.into(),
            payload_json: format!(r#"{{"content":{}}}"#, serde_json::to_string(text).unwrap()),
            raw: raw.into_bytes(),
        },
        classification: Some(Classification {
            class: Class::Business,
            business_score: 0.9,
            top_features: vec![],
            risks: vec![],
            pii: vec![],
        }),
        consent: Some(ConsentDecision {
            state: ConsentState::Agreed,
            disposition: Disposition::Archive,
            contacts: vec![],
        }),
        retention: Some(RetentionTag {
            rules: vec!["sec_17a4_3y".into()],
            keep_until_ms: time_ms + 3 * 365 * DAY_MS,
            legal_hold: false,
            region: "cn".into(),
        }),
        sealed_ids: None,
    }
}

pub fn in_room(mut e: EnrichedEvent, room: &str, from: &str) -> EnrichedEvent {
    e.event.roomid = Some(room.into());
    e.event.conversation_id = room.into();
    e.event.from = Participant::new(from);
    e.event.to = vec![Participant::new("lisi"), Participant::new("wmCLIENT")];
    e
}

pub fn with_risk(mut e: EnrichedEvent, cat: RiskCategory) -> EnrichedEvent {
    let c = e.classification.as_mut().unwrap();
    c.risks.push(RiskHit {
        category: cat,
        start: 0,
        end: 2,
        rule_id: "test".into(),
        score: 0.9,
    });
    e
}

pub fn with_pii(mut e: EnrichedEvent, entity: &str) -> EnrichedEvent {
    let c = e.classification.as_mut().unwrap();
    c.pii.push(PiiSpan {
        entity: entity.into(),
        start: 0,
        end: 2,
        score: 0.9,
    });
    e
}

pub fn with_disposition(mut e: EnrichedEvent, d: Disposition) -> EnrichedEvent {
    e.consent.as_mut().unwrap().disposition = d;
    e
}

pub fn keep_until(mut e: EnrichedEvent, ms: i64) -> EnrichedEvent {
    e.retention.as_mut().unwrap().keep_until_ms = ms;
    e
}

pub fn recall(msgid: &str, pre_msgid: &str, time_ms: i64) -> EnrichedEvent {
    let mut e = text(msgid, "", time_ms);
    e.event.action = Action::Recall;
    e.event.msgtype = "revoke".into();
    e.event.kind = EventKind::Recall {
        pre_msgid: pre_msgid.into(),
    };
    e.event.payload_json = format!(r#"{{"pre_msgid":"{pre_msgid}"}}"#);
    e
}

pub fn consent(msgid: &str, contact: &str, agreed: bool, time_ms: i64) -> EnrichedEvent {
    let mut e = text(msgid, "", time_ms);
    e.event.msgtype = if agreed { "agree" } else { "disagree" }.into();
    e.event.kind = EventKind::Consent {
        contact: contact.into(),
        agreed,
        at_ms: time_ms,
    };
    e.event.from = Participant::new(contact);
    e.event.to = vec![Participant::new("zhangsan")];
    e
}

pub fn switch(msgid: &str, user: &str, time_ms: i64) -> EnrichedEvent {
    let mut e = text(msgid, "", time_ms);
    e.event.action = Action::Switch;
    e.event.msgtype = "switch".into();
    e.event.kind = EventKind::Switch { user: user.into() };
    e.event.from = Participant::new(user);
    e.event.to = vec![];
    e
}

/// Twenty ordinary messages, enough for several checkpoints.
pub fn corpus() -> Vec<EnrichedEvent> {
    (0..20)
        .map(|i| {
            text(
                &format!("m{i:02}"),
                &format!("message number {i} 保本理财"),
                T0 + i * 60_000,
            )
        })
        .collect()
}

const BENCH_TEXTS: [&str; 4] = [
    "这个理财产品保证收益百分之八，下周一前打款就可以锁定额度",
    "Please send me the quarterly report before Friday, thanks",
    "周末一起去爬山吧？天气预报说是晴天",
    "客户说上次的基金亏了很多，要投诉你们的服务 complaint filed",
];

/// The benches' message mix: one staff member talking with 100 clients; 1 in 4 messages
/// with a risk, 1 in 10 with PII.
pub fn bench_event(i: u64) -> EnrichedEvent {
    let body = BENCH_TEXTS[(i % 4) as usize];
    let mut e = text(&format!("bench{i}"), body, T0 + i as i64);
    let client = format!("wmCLIENT{}", i % 100);
    e.event.to = vec![Participant::new(&client)];
    e.event.conversation_id = format!("{client}|zhangsan");
    e.event.seq = Some(i);
    if i % 4 == 2 {
        e.classification.as_mut().unwrap().class = Class::Personal;
    }
    if i.is_multiple_of(4) {
        e = with_risk(e, RiskCategory::GuaranteeOfReturns);
    }
    if i.is_multiple_of(10) {
        e = with_pii(e, "PHONE_NUMBER");
    }
    e
}

/// Expires at `at_ms` with the two-person threshold lifted (these archives are tiny: any
/// expiry is a large share of them); returns (expired, held).
pub fn expire_at(a: &mut Archive, at_ms: i64, actor: &str) -> (u64, u64) {
    if a.setting("expire_max_share").unwrap().is_none() {
        let change = wcp_archive::settings::ConfigChange {
            expire_max_share: Some(1.0),
            ..Default::default()
        };
        a.configure(&change, "admin").unwrap();
    }
    let req = wcp_archive::ExpireRequest {
        cutoff_ms: Some(at_ms),
        ..Default::default()
    };
    let r = a.expire(&req, actor).unwrap();
    (r.expired.len() as u64, r.held)
}
