//! `ChatEvent` (schemas/chat_event.avsc) and its parts. Also used inline by `EnrichedEvent`.

use apache_avro::types::Value;
use wcp_model::{Action, ChatEvent, EventKind, Participant, Role};

use crate::value::{optional, record, string, symbol, timestamp, Fields};
use crate::WireError;

const ACTION: [&str; 3] = ["send", "recall", "switch"];
const ROLE: [&str; 3] = ["staff", "external", "bot"];
const KIND: [&str; 4] = ["message", "recall", "consent", "switch"];

pub(crate) fn chat_event_to_avro(e: &ChatEvent) -> Value {
    let action = match e.action {
        Action::Send => "send",
        Action::Recall => "recall",
        Action::Switch => "switch",
    };
    record(vec![
        ("msgid", string(&e.msgid)),
        ("action", symbol(&ACTION, action)),
        ("msgtype", string(&e.msgtype)),
        ("kind", kind_to_avro(&e.kind)),
        ("from", participant_to_avro(&e.from)),
        (
            "to",
            Value::Array(e.to.iter().map(participant_to_avro).collect()),
        ),
        ("roomid", optional(e.roomid.as_deref().map(string))),
        ("conversation_id", string(&e.conversation_id)),
        ("time_ms", timestamp(e.time_ms)),
        // Avro has no unsigned long: the bits are stored as-is, so every u64 round-trips
        // (real archive sequence numbers never reach 2^63).
        ("seq", optional(e.seq.map(|s| Value::Long(s as i64)))),
        ("known_type", Value::Boolean(e.known_type)),
        ("text", string(&e.text)),
        ("payload_json", string(&e.payload_json)),
        ("raw", Value::Bytes(e.raw.clone())),
    ])
}

pub(crate) fn chat_event_from_avro(v: Value) -> Result<ChatEvent, WireError> {
    let mut f = Fields::of("ChatEvent", v)?;
    let msgid = f.string("msgid")?;
    let action = match f.symbol("action")?.as_str() {
        "send" => Action::Send,
        "recall" => Action::Recall,
        "switch" => Action::Switch,
        other => return Err(f.bad_symbol("action", other)),
    };
    let msgtype = f.string("msgtype")?;
    let kind = kind_from_avro(f.value("kind")?)?;
    let from = participant_from_avro(f.value("from")?)?;
    let to = f
        .array("to")?
        .into_iter()
        .map(participant_from_avro)
        .collect::<Result<_, _>>()?;
    Ok(ChatEvent {
        msgid,
        action,
        msgtype,
        kind,
        from,
        to,
        roomid: f.opt_string("roomid")?,
        conversation_id: f.string("conversation_id")?,
        time_ms: f.long("time_ms")?,
        seq: f.opt_long("seq")?.map(|s| s as u64),
        known_type: f.boolean("known_type")?,
        text: f.string("text")?,
        payload_json: f.string("payload_json")?,
        raw: f.bytes("raw")?,
    })
}

fn participant_to_avro(p: &Participant) -> Value {
    record(vec![
        ("id", string(&p.id)),
        ("role", symbol(&ROLE, p.role.as_str())),
    ])
}

fn participant_from_avro(v: Value) -> Result<Participant, WireError> {
    let mut f = Fields::of("Participant", v)?;
    let id = f.string("id")?;
    let role = match f.symbol("role")?.as_str() {
        "staff" => Role::Staff,
        "external" => Role::External,
        "bot" => Role::Bot,
        other => return Err(f.bad_symbol("role", other)),
    };
    Ok(Participant { id, role })
}

/// `EventKind` is a Rust enum with data; Avro gets a tagged record whose variant fields are
/// nullable (see the schema's doc for why not a union of records: an enum tag has a
/// forward-compatible default, a union branch does not).
fn kind_to_avro(k: &EventKind) -> Value {
    let none = || optional(None);
    let (tag, pre_msgid, contact, agreed, at_ms, user) = match k {
        EventKind::Message => ("message", none(), none(), none(), none(), none()),
        EventKind::Recall { pre_msgid } => (
            "recall",
            optional(Some(string(pre_msgid))),
            none(),
            none(),
            none(),
            none(),
        ),
        EventKind::Consent {
            contact,
            agreed,
            at_ms,
        } => (
            "consent",
            none(),
            optional(Some(string(contact))),
            optional(Some(Value::Boolean(*agreed))),
            optional(Some(timestamp(*at_ms))),
            none(),
        ),
        EventKind::Switch { user } => (
            "switch",
            none(),
            none(),
            none(),
            none(),
            optional(Some(string(user))),
        ),
    };
    record(vec![
        ("type", symbol(&KIND, tag)),
        ("pre_msgid", pre_msgid),
        ("contact", contact),
        ("agreed", agreed),
        ("at_ms", at_ms),
        ("user", user),
    ])
}

fn kind_from_avro(v: Value) -> Result<EventKind, WireError> {
    let mut f = Fields::of("EventKind", v)?;
    let tag = f.symbol("type")?;
    let missing = |field| WireError::shape("EventKind", field, format!("required for `{tag}`"));
    Ok(match tag.as_str() {
        "message" => EventKind::Message,
        "recall" => EventKind::Recall {
            pre_msgid: f
                .opt_string("pre_msgid")?
                .ok_or_else(|| missing("pre_msgid"))?,
        },
        "consent" => EventKind::Consent {
            contact: f.opt_string("contact")?.ok_or_else(|| missing("contact"))?,
            agreed: f.opt_bool("agreed")?.ok_or_else(|| missing("agreed"))?,
            at_ms: f.opt_long("at_ms")?.ok_or_else(|| missing("at_ms"))?,
        },
        "switch" => EventKind::Switch {
            user: f.opt_string("user")?.ok_or_else(|| missing("user"))?,
        },
        other => return Err(f.bad_symbol("type", other)),
    })
}
