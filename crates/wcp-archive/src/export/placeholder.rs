//! A message disposed of under retention as each format shows it, in its place: an RSMF
//! `disclaimer` event, an EML transcript line, or (per-message EML) an e-mail of its own —
//! who, when, the rule, when and by whom it was expired, never content (trial 18c D5).

use serde_json::{json, Value};

use crate::dates::{rfc2822_in, rfc3339_in};
use crate::disposal::Disposed;
use crate::export::{eml::address, mime, rsmf::custom};

/// The RSMF event: under its own msgid, from its sender, at its time; the tombstone's
/// fields in `custom`.
pub fn rsmf_event(d: &Disposed, z: i32) -> Value {
    json!({
        "id": d.msgid,
        "type": "disclaimer",
        "participant": d.at.from,
        "conversation": d.at.conversation_id,
        "timestamp": rfc3339_in(d.at.time_ms, z),
        "body": d.words(|t| rfc3339_in(t, z)),
        "custom": custom(&[
            ("disposed", "expired under retention".to_string()),
            ("msgtype", d.at.msgtype.clone()),
            ("retention_rules", d.at.rules.join(",")),
            ("keep_until", rfc3339_in(d.keep_until_ms, z)),
            ("expired_at", rfc3339_in(d.expired_at_ms, z)),
            ("expired_by", d.actor.clone()),
            ("tombstone_record", d.record_seq.to_string()),
        ]),
    })
}

/// The EML transcript line: who and when, then the tombstone's words.
pub fn eml_line(d: &Disposed, z: i32) -> String {
    format!(
        "[{}] {} [disposed of]: {}",
        rfc3339_in(d.at.time_ms, z),
        d.at.from,
        d.words(|t| rfc3339_in(t, z))
    )
}

/// The e-mail of a per-message EML export: a message's headers, the line, no content.
pub fn eml(d: &Disposed, z: i32) -> Vec<u8> {
    let to: Vec<String> =
        d.at.participants
            .iter()
            .filter(|p| p.id != d.at.from)
            .map(|p| address(&p.id))
            .collect();
    let headers = vec![
        ("From", address(&d.at.from)),
        ("To", to.join(", ")),
        ("Date", rfc2822_in(d.at.time_ms, z)),
        ("X-WCP-Conversation", d.at.conversation_id.clone()),
        (
            "Subject",
            format!(
                "WeCom {} in {}, disposed of under retention",
                d.at.msgtype, d.at.conversation_id
            ),
        ),
        ("Message-ID", format!("<{}>", address(&d.msgid))),
        ("X-WCP-Msgid", d.msgid.clone()),
        ("X-WCP-Msgtype", d.at.msgtype.clone()),
        ("X-WCP-Disposed-At", rfc3339_in(d.expired_at_ms, z)),
        ("X-WCP-Retention-Rules", d.at.rules.join(", ")),
    ];
    mime::message(&headers, &(eml_line(d, z) + "\r\n"), &[])
}
