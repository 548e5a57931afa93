//! ChatEvent in its current schema (schemas/chat_event.avsc), field by field.

use wcp_model::{Action, ChatEvent, EventKind, Participant, Role};

use super::{Direct, In, Out};
use crate::WireError;

const ACTIONS: [Action; 3] = [Action::Send, Action::Recall, Action::Switch];
const ROLES: [Role; 3] = [Role::Staff, Role::External, Role::Bot];

impl Direct for ChatEvent {
    fn write(&self, o: &mut Out) {
        o.str(&self.msgid);
        o.enum_index(ACTIONS.iter().position(|a| *a == self.action).unwrap_or(0));
        o.str(&self.msgtype);
        write_kind(o, &self.kind);
        write_participant(o, &self.from);
        o.array(&self.to, write_participant);
        o.opt_str(self.roomid.as_deref());
        o.str(&self.conversation_id);
        o.long(self.time_ms);
        o.some(self.seq.is_some());
        if let Some(seq) = self.seq {
            // Bit for bit, as the generic path does (Avro has no unsigned long).
            o.long(seq as i64);
        }
        o.boolean(self.known_type);
        o.str(&self.text);
        o.str(&self.payload_json);
        o.bytes(&self.raw);
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "ChatEvent";
        let msgid = i.str("msgid")?;
        let action = ACTIONS[i.enum_index("action", ACTIONS.len())?];
        let msgtype = i.str("msgtype")?;
        let kind = read_kind(i)?;
        let from = read_participant(i)?;
        i.record = "ChatEvent";
        let to = i.array("to", read_participant)?;
        Ok(ChatEvent {
            msgid,
            action,
            msgtype,
            kind,
            from,
            to,
            roomid: i.opt_str("roomid")?,
            conversation_id: i.str("conversation_id")?,
            time_ms: i.long("time_ms")?,
            seq: if i.some("seq")? {
                Some(i.long("seq")? as u64)
            } else {
                None
            },
            known_type: i.boolean("known_type")?,
            text: i.str("text")?,
            payload_json: i.str("payload_json")?,
            raw: i.bytes("raw")?,
        })
    }
}

fn write_participant(o: &mut Out, p: &Participant) {
    o.str(&p.id);
    o.enum_index(ROLES.iter().position(|r| *r == p.role).unwrap_or(0));
}

fn read_participant(i: &mut In<'_>) -> Result<Participant, WireError> {
    i.record = "Participant";
    let id = i.str("id")?;
    let role = ROLES[i.enum_index("role", ROLES.len())?];
    Ok(Participant { id, role })
}

/// The tagged record: tag index, then the five nullable variant fields in schema order.
fn write_kind(o: &mut Out, k: &EventKind) {
    let (tag, pre_msgid, contact, agreed, at_ms, user) = match k {
        EventKind::Message => (0, None, None, None, None, None),
        EventKind::Recall { pre_msgid } => (1, Some(pre_msgid), None, None, None, None),
        EventKind::Consent {
            contact,
            agreed,
            at_ms,
        } => (2, None, Some(contact), Some(*agreed), Some(*at_ms), None),
        EventKind::Switch { user } => (3, None, None, None, None, Some(user)),
    };
    o.enum_index(tag);
    o.opt_str(pre_msgid.map(String::as_str));
    o.opt_str(contact.map(String::as_str));
    o.some(agreed.is_some());
    if let Some(a) = agreed {
        o.boolean(a);
    }
    o.some(at_ms.is_some());
    if let Some(t) = at_ms {
        o.long(t);
    }
    o.opt_str(user.map(String::as_str));
}

fn read_kind(i: &mut In<'_>) -> Result<EventKind, WireError> {
    i.record = "EventKind";
    let tag = i.enum_index("type", 4)?;
    let pre_msgid = i.opt_str("pre_msgid")?;
    let contact = i.opt_str("contact")?;
    let agreed = if i.some("agreed")? {
        Some(i.boolean("agreed")?)
    } else {
        None
    };
    let at_ms = if i.some("at_ms")? {
        Some(i.long("at_ms")?)
    } else {
        None
    };
    let user = i.opt_str("user")?;
    let tag_name = ["message", "recall", "consent", "switch"][tag];
    let missing = |field| i.shape(field, format!("required for `{tag_name}`"));
    Ok(match tag {
        0 => EventKind::Message,
        1 => EventKind::Recall {
            pre_msgid: pre_msgid.ok_or_else(|| missing("pre_msgid"))?,
        },
        2 => EventKind::Consent {
            contact: contact.ok_or_else(|| missing("contact"))?,
            agreed: agreed.ok_or_else(|| missing("agreed"))?,
            at_ms: at_ms.ok_or_else(|| missing("at_ms"))?,
        },
        _ => EventKind::Switch {
            user: user.ok_or_else(|| missing("user"))?,
        },
    })
}
