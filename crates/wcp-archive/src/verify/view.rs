//! A message body read for the verify: the same JSON, the same checks, without copying what
//! the verify does not use. Parsing every body into [`StoredMessage`] was a fifth of a full
//! verify: each body carries the original event twice more (`raw_utf8`, `payload_json`),
//! escaped JSON inside JSON that was unescaped into new strings only to be dropped.
//!
//! Field for field [`StoredMessage`]'s types, so a body parses here exactly when it parses
//! there (the rows of one that does not are not derived): strings the
//! verify reads are borrowed from the body where they hold no escapes, the ones it does not
//! read are checked as strings and not kept ([`Unread`]).

use std::borrow::Cow;

use serde::de::{Deserializer, Visitor};
use serde::Deserialize;
use wcp_model::{
    Action, Classification, ConsentDecision, Disposition, EventKind, Participant, RetentionTag,
    Role,
};

use crate::stored::StoredMessage;

/// A JSON string, checked as [`String`] would be (escapes, UTF-8) and not kept.
pub struct Unread;

impl<'de> Deserialize<'de> for Unread {
    fn deserialize<D: Deserializer<'de>>(d: D) -> Result<Unread, D::Error> {
        struct V;
        impl Visitor<'_> for V {
            type Value = Unread;
            fn expecting(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
                f.write_str("a string")
            }
            fn visit_str<E: serde::de::Error>(self, _: &str) -> Result<Unread, E> {
                Ok(Unread)
            }
        }
        d.deserialize_string(V)
    }
}

#[derive(Deserialize)]
pub struct PartyView<'a> {
    #[serde(borrow)]
    pub id: Cow<'a, str>,
    #[allow(dead_code)] // Checked as the stored type, not read.
    role: Role,
}

/// [`StoredMessage`], field for field (see the module comment).
#[derive(Deserialize)]
pub struct MessageView<'a> {
    #[serde(borrow)]
    pub msgid: Cow<'a, str>,
    #[allow(dead_code)]
    action: Action,
    #[serde(borrow)]
    pub msgtype: Cow<'a, str>,
    pub kind: EventKind,
    #[serde(borrow)]
    pub from: PartyView<'a>,
    #[serde(borrow)]
    pub to: Vec<PartyView<'a>>,
    #[allow(dead_code)]
    roomid: Option<Unread>,
    #[serde(borrow)]
    pub conversation_id: Cow<'a, str>,
    pub time_ms: i64,
    #[allow(dead_code)]
    seq: Option<u64>,
    #[allow(dead_code)]
    known_type: bool,
    #[serde(borrow)]
    pub text: Cow<'a, str>,
    #[allow(dead_code)]
    payload_json: Unread,
    #[allow(dead_code)]
    raw_utf8: Option<Unread>,
    #[allow(dead_code)]
    raw_hex: Option<Unread>,
    pub disposition: Disposition,
    pub classification: Option<Classification>,
    pub consent: Option<ConsentDecision>,
    pub retention: Option<RetentionTag>,
    #[serde(default)]
    pub sealed: Option<Unread>,
}

impl<'a> MessageView<'a> {
    /// The view of a message already parsed (a release record's).
    pub fn of(m: &'a StoredMessage) -> MessageView<'a> {
        let party = |p: &'a Participant| PartyView {
            id: Cow::Borrowed(p.id.as_str()),
            role: p.role,
        };
        MessageView {
            msgid: Cow::Borrowed(&m.msgid),
            action: m.action,
            msgtype: Cow::Borrowed(&m.msgtype),
            kind: m.kind.clone(),
            from: party(&m.from),
            to: m.to.iter().map(party).collect(),
            roomid: m.roomid.as_ref().map(|_| Unread),
            conversation_id: Cow::Borrowed(&m.conversation_id),
            time_ms: m.time_ms,
            seq: m.seq,
            known_type: m.known_type,
            text: Cow::Borrowed(&m.text),
            payload_json: Unread,
            raw_utf8: m.raw_utf8.as_ref().map(|_| Unread),
            raw_hex: m.raw_hex.as_ref().map(|_| Unread),
            disposition: m.disposition,
            classification: m.classification.clone(),
            consent: m.consent.clone(),
            retention: m.retention.clone(),
            sealed: m.sealed.as_ref().map(|_| Unread),
        }
    }

    /// As [`StoredMessage::participant_ids`].
    pub fn participant_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = std::iter::once(&*self.from.id)
            .chain(self.to.iter().map(|p| &*p.id))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }

    /// As [`crate::project::reason`].
    pub fn reason(&self) -> String {
        crate::project::reason_parts(
            &self.msgtype,
            self.disposition,
            &self.from.id,
            self.consent.as_ref(),
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A body that does not parse as a stored message does not parse here either, and one
    /// that does gives the same fields.
    #[test]
    fn the_view_reads_what_the_stored_message_reads() {
        let text = "年化\"8%\"\n保本";
        let e = wcp_model::EnrichedEvent::new(wcp_model::ChatEvent {
            msgid: "m1".into(),
            action: Action::Send,
            msgtype: "text".into(),
            kind: EventKind::Message,
            from: Participant::new("zhangsan"),
            to: vec![Participant::new("wmCLIENT"), Participant::new("lisi")],
            roomid: None,
            conversation_id: "wmCLIENT|zhangsan".into(),
            time_ms: 1,
            seq: None,
            known_type: true,
            text: text.into(),
            payload_json: serde_json::json!({ "content": text }).to_string(),
            raw: serde_json::json!({ "msgid": "m1", "text": { "content": text } })
                .to_string()
                .into_bytes(),
        });
        let m = StoredMessage::from_enriched(&e, None).unwrap();
        let body = serde_json::to_vec(&m).unwrap();
        let v: MessageView<'_> = serde_json::from_slice(&body).unwrap();
        assert_eq!(v.text, m.text);
        assert_eq!(v.msgid, m.msgid);
        assert_eq!(v.participant_ids(), m.participant_ids());
        assert_eq!(v.reason(), crate::project::reason(&m));
        let json: serde_json::Value = serde_json::from_slice(&body).unwrap();
        for field in ["payload_json", "raw_utf8", "to", "action", "known_type"] {
            for bad in [serde_json::json!(7), serde_json::json!({"x": 1})] {
                let mut j = json.clone();
                j[field] = bad;
                let b = serde_json::to_vec(&j).unwrap();
                assert!(serde_json::from_slice::<StoredMessage>(&b).is_err());
                assert!(
                    serde_json::from_slice::<MessageView<'_>>(&b).is_err(),
                    "{field}"
                );
            }
        }
        let mut j = json.clone();
        j.as_object_mut().unwrap().remove("payload_json");
        let b = serde_json::to_vec(&j).unwrap();
        assert!(serde_json::from_slice::<StoredMessage>(&b).is_err());
        assert!(serde_json::from_slice::<MessageView<'_>>(&b).is_err());
    }
}
