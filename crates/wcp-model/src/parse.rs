//! Raw WeCom JSON → [`ChatEvent`]: lenient where real captures are messy, strict where the
//! data is unusable (those become [`DeadLetterReason`]s).

use serde_json::{Map, Value};

use crate::dead_letter::DeadLetterReason;
use crate::event::{conversation_id, Action, ChatEvent, EventKind, Participant};
use crate::lenient::escape_control_chars_in_strings;
use crate::text::extract_text;

/// Epoch values below this are seconds, not milliseconds (1e11 ms is 1973; 1e11 s is year 5138).
const MS_THRESHOLD: i64 = 100_000_000_000;

/// msgtypes whose payload key differs from the msgtype.
fn payload_key(msgtype: &str) -> &str {
    match msgtype {
        "docmsg" => "doc",
        "markdown" | "news" | "voiptext" | "qydiskfile" | "meeting_notification" => "info",
        "external_redpacket" => "redpacket",
        other => other,
    }
}

/// Every msgtype documented for the conversation archive; others are kept as unknown.
pub const KNOWN_MSGTYPES: &[&str] = &[
    "text",
    "image",
    "revoke",
    "agree",
    "disagree",
    "voice",
    "video",
    "card",
    "location",
    "emotion",
    "file",
    "link",
    "weapp",
    "chatrecord",
    "todo",
    "vote",
    "collect",
    "redpacket",
    "external_redpacket",
    "meeting",
    "meeting_notification",
    "docmsg",
    "markdown",
    "news",
    "calendar",
    "mixed",
    "meeting_voice_call",
    "voip_doc_share",
    "sphfeed",
    "voiptext",
    "qydiskfile",
    "solitaire",
];

/// Parse one raw message (the bytes the capture process wrote).
pub fn parse_wecom(raw: &[u8], seq: Option<u64>) -> Result<ChatEvent, DeadLetterReason> {
    let text = std::str::from_utf8(raw).map_err(|e| DeadLetterReason::InvalidUtf8 {
        valid_up_to: e.valid_up_to(),
    })?;
    let value = parse_json(text)?;
    let obj = match value {
        Value::Object(map) => map,
        other => {
            return Err(DeadLetterReason::NotAnObject {
                found: json_kind(&other).to_string(),
            })
        }
    };
    let msgid = required_str(&obj, "msgid")?;
    let action = match obj.get("action").and_then(Value::as_str) {
        Some("send") | None => Action::Send,
        Some("recall") => Action::Recall,
        Some("switch") => Action::Switch,
        Some(other) => return Err(invalid("action", format!("unknown action {other:?}"))),
    };
    if action == Action::Switch {
        return parse_switch(obj, msgid, seq, raw);
    }

    let from = required_str(&obj, "from")?;
    let tolist = string_list(&obj, "tolist")?;
    let roomid = obj
        .get("roomid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .map(str::to_string);
    let time_ms = required_time_ms(&obj, "msgtime")?;
    let msgtype = required_str(&obj, "msgtype")?;
    let key = payload_key(&msgtype);
    // `vote` may carry its fields at the top level instead of under `vote`.
    let payload = match obj.get(key) {
        Some(p) => p.clone(),
        None if msgtype == "vote" => Value::Object(top_level_payload(&obj)),
        None if !KNOWN_MSGTYPES.contains(&msgtype.as_str()) => {
            Value::Object(top_level_payload(&obj))
        }
        None => Value::Null,
    };
    if action == Action::Recall && msgtype != "revoke" {
        return Err(invalid(
            "msgtype",
            format!("recall with msgtype {msgtype:?}"),
        ));
    }
    let kind = match msgtype.as_str() {
        "revoke" => EventKind::Recall {
            pre_msgid: payload
                .get("pre_msgid")
                .and_then(Value::as_str)
                .filter(|s| !s.is_empty())
                .ok_or_else(|| missing("revoke.pre_msgid"))?
                .to_string(),
        },
        "agree" | "disagree" => consent_kind(&msgtype, &payload, &from, time_ms)?,
        _ => EventKind::Message,
    };
    let known_type = KNOWN_MSGTYPES.contains(&msgtype.as_str());
    let text = extract_text(&msgtype, &payload);
    Ok(ChatEvent {
        conversation_id: conversation_id(roomid.as_deref(), &from, &tolist),
        from: Participant::new(from),
        to: tolist.into_iter().map(Participant::new).collect(),
        msgid,
        action,
        msgtype,
        kind,
        roomid,
        time_ms,
        seq,
        known_type,
        text,
        payload_json: payload.to_string(),
        raw: raw.to_vec(),
    })
}

fn parse_json(text: &str) -> Result<Value, DeadLetterReason> {
    let to_reason = |e: serde_json::Error| DeadLetterReason::InvalidJson {
        message: match e.classify() {
            serde_json::error::Category::Eof => "truncated: input ends inside a value".to_string(),
            serde_json::error::Category::Syntax => "syntax error".to_string(),
            _ => "unreadable".to_string(),
        },
        line: e.line(),
        column: e.column(),
    };
    match serde_json::from_str(text) {
        Ok(v) => Ok(v),
        Err(first) => match escape_control_chars_in_strings(text) {
            Some(fixed) => serde_json::from_str(&fixed).map_err(to_reason),
            None => Err(to_reason(first)),
        },
    }
}

fn parse_switch(
    obj: Map<String, Value>,
    msgid: String,
    seq: Option<u64>,
    raw: &[u8],
) -> Result<ChatEvent, DeadLetterReason> {
    let user = required_str(&obj, "user")?;
    let time_ms = required_time_ms(&obj, "time")?;
    Ok(ChatEvent {
        msgid,
        action: Action::Switch,
        msgtype: "switch".to_string(),
        kind: EventKind::Switch { user: user.clone() },
        conversation_id: user.clone(),
        from: Participant::new(user),
        to: Vec::new(),
        roomid: None,
        time_ms,
        seq,
        known_type: true,
        text: String::new(),
        payload_json: Value::Object(obj).to_string(),
        raw: raw.to_vec(),
    })
}

fn consent_kind(
    msgtype: &str,
    payload: &Value,
    from: &str,
    msgtime: i64,
) -> Result<EventKind, DeadLetterReason> {
    let agreed = msgtype == "agree";
    let contact = payload
        .get("userid")
        .and_then(Value::as_str)
        .filter(|s| !s.is_empty())
        .unwrap_or(from)
        .to_string();
    let time_field = if agreed {
        "agree_time"
    } else {
        "disagree_time"
    };
    let at_ms = match payload.get(time_field) {
        Some(v) => time_value_ms(v).ok_or_else(|| invalid(time_field, "not a timestamp"))?,
        None => msgtime,
    };
    Ok(EventKind::Consent {
        contact,
        agreed,
        at_ms,
    })
}

fn top_level_payload(obj: &Map<String, Value>) -> Map<String, Value> {
    const ENVELOPE: &[&str] = &[
        "msgid", "action", "from", "tolist", "roomid", "msgtime", "msgtype",
    ];
    obj.iter()
        .filter(|(k, _)| !ENVELOPE.contains(&k.as_str()))
        .map(|(k, v)| (k.clone(), v.clone()))
        .collect()
}

fn required_str(obj: &Map<String, Value>, field: &str) -> Result<String, DeadLetterReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Err(missing(field)),
        Some(Value::String(s)) if s.is_empty() => Err(invalid(field, "empty string")),
        Some(Value::String(s)) => Ok(s.clone()),
        // Ids sent as numbers by some producers.
        Some(Value::Number(n)) => Ok(n.to_string()),
        Some(other) => Err(invalid(
            field,
            format!("expected a string, found {}", json_kind(other)),
        )),
    }
}

fn string_list(obj: &Map<String, Value>, field: &str) -> Result<Vec<String>, DeadLetterReason> {
    match obj.get(field) {
        None | Some(Value::Null) => Ok(Vec::new()),
        Some(Value::Array(items)) => items
            .iter()
            .map(|v| match v {
                Value::String(s) => Ok(s.clone()),
                Value::Number(n) => Ok(n.to_string()),
                other => Err(invalid(field, format!("list item is {}", json_kind(other)))),
            })
            .collect(),
        Some(Value::String(s)) => Ok(vec![s.clone()]),
        Some(other) => Err(invalid(
            field,
            format!("expected a list, found {}", json_kind(other)),
        )),
    }
}

fn required_time_ms(obj: &Map<String, Value>, field: &str) -> Result<i64, DeadLetterReason> {
    let v = obj.get(field).ok_or_else(|| missing(field))?;
    time_value_ms(v).ok_or_else(|| {
        invalid(
            field,
            format!(
                "not an integer number of epoch milliseconds or seconds (found {})",
                json_kind(v)
            ),
        )
    })
}

/// Accepts numbers or numeric strings, in seconds or milliseconds; returns milliseconds.
/// Zero, negative and too large integers are times too (clamped to i64, not scaled): the
/// input policy's window refuses them as `time_out_of_range`, quoting the value as written
/// ([`written_value`]), rather than as "not a time" (trial 17a D7). `None`: not a number.
pub fn time_value_ms(v: &Value) -> Option<i64> {
    use std::num::IntErrorKind;
    let n = match v {
        // `as` saturates: 1e20 or a u64 beyond i64 is i64::MAX.
        Value::Number(n) => n.as_i64().or_else(|| n.as_f64().map(|f| f as i64))?,
        Value::String(s) => match s.trim().parse::<i64>() {
            Ok(n) => n,
            Err(e) if *e.kind() == IntErrorKind::PosOverflow => i64::MAX,
            Err(e) if *e.kind() == IntErrorKind::NegOverflow => i64::MIN,
            Err(_) => return None,
        },
        _ => return None,
    };
    if n <= 0 {
        return Some(n);
    }
    Some(if n < MS_THRESHOLD { n * 1000 } else { n })
}

/// The value of top-level `key` in the JSON object `raw`, as written (a number's digits, a
/// string with its quotes), at most 40 characters: what a dead-letter reason quotes, since
/// a parsed number beyond i64 or f64 precision no longer says what the record held. `None`
/// when `raw` has no such key at its top level.
pub fn written_value(raw: &[u8], key: &str) -> Option<String> {
    let want = format!("\"{key}\"");
    let (mut depth, mut i) = (0usize, 0usize);
    while i < raw.len() {
        match raw[i] {
            b'{' | b'[' => depth += 1,
            b'}' | b']' => depth = depth.saturating_sub(1),
            b'"' => {
                let start = i;
                i += 1;
                while i < raw.len() && raw[i] != b'"' {
                    i += if raw[i] == b'\\' { 2 } else { 1 };
                }
                let is_key = depth == 1 && raw.get(start..=i) == Some(want.as_bytes());
                if is_key {
                    let rest = &raw[(i + 1).min(raw.len())..];
                    let rest = rest.trim_ascii_start().strip_prefix(b":")?;
                    let rest = rest.trim_ascii_start();
                    let end = if rest.first() == Some(&b'"') {
                        1 + rest[1..]
                            .iter()
                            .position(|&b| b == b'"')
                            .map_or(rest.len() - 1, |p| p + 1)
                    } else {
                        rest.iter()
                            .position(|b| {
                                matches!(b, b',' | b'}' | b']') || b.is_ascii_whitespace()
                            })
                            .unwrap_or(rest.len())
                    };
                    let text = String::from_utf8_lossy(&rest[..end]);
                    return Some(text.chars().take(40).collect());
                }
            }
            _ => {}
        }
        i += 1;
    }
    None
}

fn json_kind(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

fn missing(field: &str) -> DeadLetterReason {
    DeadLetterReason::MissingField {
        field: field.to_string(),
    }
}

fn invalid(field: &str, problem: impl Into<String>) -> DeadLetterReason {
    DeadLetterReason::InvalidField {
        field: field.to_string(),
        problem: problem.into(),
    }
}
