//! The text classification should read, per msgtype.
//!
//! Why per msgtype: titles of links, documents, files and meetings carry as much risk
//! ("客户持仓明细", "内部研究，请勿外传") as chat text, while ids, hashes and media keys
//! (`sdkfileid`, `md5sum`) would only add noise and false PII hits.

use serde_json::Value;

/// Fields that never carry human text.
const NOISE_KEYS: &[&str] = &[
    "sdkfileid",
    "md5sum",
    "msgid",
    "pre_msgid",
    "userid",
    "voteid",
    "meetingid",
    "meeting_id",
    "link_url",
    "image_url",
    "url",
    "picurl",
    "username",
    "doc_creator",
    "creator",
    "voiceid",
    "voipid",
    "fileext",
    "demooperator",
    "share",
    "type",
    "create_time",
];

pub fn extract_text(msgtype: &str, payload: &Value) -> String {
    let mut parts: Vec<String> = Vec::new();
    match msgtype {
        "text" | "markdown" | "meeting_notification" => push_field(&mut parts, payload, "content"),
        "link" | "weapp" => {
            for f in ["title", "description", "displayname"] {
                push_field(&mut parts, payload, f);
            }
        }
        "file" | "qydiskfile" | "voip_doc_share" => push_field(&mut parts, payload, "filename"),
        "docmsg" => push_field(&mut parts, payload, "title"),
        "location" => {
            push_field(&mut parts, payload, "title");
            push_field(&mut parts, payload, "address");
        }
        "card" => push_field(&mut parts, payload, "corpname"),
        "meeting" => {
            for f in ["topic", "address", "remarks"] {
                push_field(&mut parts, payload, f);
            }
        }
        "calendar" => {
            for f in ["title", "place", "remarks"] {
                push_field(&mut parts, payload, f);
            }
        }
        "redpacket" | "external_redpacket" => push_field(&mut parts, payload, "wish"),
        "mixed" | "chatrecord" => {
            push_field(&mut parts, payload, "title");
            if let Some(items) = payload.get("item").and_then(Value::as_array) {
                for item in items {
                    nested_item_text(&mut parts, item);
                }
            }
        }
        // Media without text, and records handled elsewhere.
        "image" | "voice" | "video" | "emotion" | "revoke" | "agree" | "disagree" | "voiptext"
        | "switch" => {}
        // todo, vote, collect, news, sphfeed, solitaire, meeting_voice_call and unknown
        // future types: every human-looking string, so nothing new escapes classification.
        _ => collect_strings(&mut parts, payload),
    }
    parts.retain(|p| !p.trim().is_empty());
    parts.join("\n")
}

/// `mixed` and `chatrecord` items hold a JSON document inside the `content` string.
fn nested_item_text(parts: &mut Vec<String>, item: &Value) {
    let Some(content) = item.get("content") else {
        return;
    };
    let inner = match content {
        Value::String(s) => match serde_json::from_str::<Value>(s) {
            Ok(v) => v,
            // Some producers put plain text there.
            Err(_) => {
                parts.push(s.clone());
                return;
            }
        },
        other => other.clone(),
    };
    let kind = item.get("type").and_then(Value::as_str).unwrap_or("");
    let kind = kind.trim_start_matches("ChatRecord").to_ascii_lowercase();
    let text = extract_text(if kind.is_empty() { "unknown" } else { &kind }, &inner);
    if !text.is_empty() {
        parts.push(text);
    }
}

fn push_field(parts: &mut Vec<String>, payload: &Value, field: &str) {
    if let Some(s) = payload.get(field).and_then(Value::as_str) {
        parts.push(s.to_string());
    }
}

fn collect_strings(parts: &mut Vec<String>, v: &Value) {
    match v {
        Value::String(s) => parts.push(s.clone()),
        Value::Array(items) => items.iter().for_each(|i| collect_strings(parts, i)),
        Value::Object(map) => {
            for (k, v) in map {
                if !NOISE_KEYS.contains(&k.as_str()) && !k.ends_with("time") {
                    collect_strings(parts, v);
                }
            }
        }
        _ => {}
    }
}
