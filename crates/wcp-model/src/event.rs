//! The canonical chat event every stage works on.

use serde::{Deserialize, Serialize};

/// Who a participant is, from WeCom's id rules: external contacts start with `wm`/`wo`,
/// bots with `wb`; everyone else is staff of the firm.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    Staff,
    External,
    Bot,
}

impl Role {
    pub fn of_id(id: &str) -> Role {
        if id.starts_with("wm") || id.starts_with("wo") {
            Role::External
        } else if id.starts_with("wb") {
            Role::Bot
        } else {
            Role::Staff
        }
    }

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Staff => "staff",
            Role::External => "external",
            Role::Bot => "bot",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Hash, Serialize, Deserialize)]
pub struct Participant {
    pub id: String,
    pub role: Role,
}

impl Participant {
    pub fn new(id: impl Into<String>) -> Participant {
        let id = id.into();
        let role = Role::of_id(&id);
        Participant { id, role }
    }
}

/// The envelope's `action`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Action {
    Send,
    Recall,
    Switch,
}

/// What the event means for the pipeline, independent of its many msgtypes.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "kind", rename_all = "snake_case")]
pub enum EventKind {
    /// Content: every documented msgtype and unknown future ones.
    Message,
    /// `revoke`: the sender recalled `pre_msgid` (which may arrive before or after this).
    Recall { pre_msgid: String },
    /// `agree` / `disagree`: an external contact's consent to archiving, effective at `at_ms`.
    Consent {
        contact: String,
        agreed: bool,
        at_ms: i64,
    },
    /// `switch`: a staff member switched enterprise accounts.
    Switch { user: String },
}

/// One decrypted WeCom archive message in canonical form.
///
/// `text` is what classification reads; `payload_json` keeps the msgtype's payload as
/// received (normalised JSON) so unknown types lose nothing; `raw` is the original bytes.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ChatEvent {
    pub msgid: String,
    pub action: Action,
    pub msgtype: String,
    pub kind: EventKind,
    /// Sender (`from`, or `user` for switch records).
    pub from: Participant,
    pub to: Vec<Participant>,
    /// Group room id (`wr…`), `None` for one-to-one chats.
    pub roomid: Option<String>,
    /// Room id, or the sorted pair/set of participants for direct chats: the Kafka key.
    pub conversation_id: String,
    /// Event time in epoch milliseconds (never the wall clock).
    pub time_ms: i64,
    /// Capture sequence number from the archive SDK, when the producer sent one.
    pub seq: Option<u64>,
    /// False when the msgtype is not one wcp knows; the payload is then kept as-is.
    pub known_type: bool,
    pub text: String,
    pub payload_json: String,
    pub raw: Vec<u8>,
}

impl ChatEvent {
    /// Every participant other than the sender, plus the sender.
    pub fn participants(&self) -> impl Iterator<Item = &Participant> {
        std::iter::once(&self.from).chain(self.to.iter().filter(move |p| p.id != self.from.id))
    }

    pub fn has_external(&self) -> bool {
        self.participants().any(|p| p.role == Role::External)
    }

    pub fn is_group(&self) -> bool {
        self.roomid.is_some()
    }
}

/// Chat content and raw bytes are never printed by `Debug`: events end up in logs and
/// panic messages, and those must not carry chat content or PII.
impl std::fmt::Debug for ChatEvent {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ChatEvent")
            .field("msgid", &self.msgid)
            .field("action", &self.action)
            .field("msgtype", &self.msgtype)
            .field("time_ms", &self.time_ms)
            .field(
                "text",
                &format_args!("<{} chars redacted>", self.text.chars().count()),
            )
            .field("raw", &format_args!("<{} bytes redacted>", self.raw.len()))
            .finish_non_exhaustive()
    }
}

/// The conversation key: room id for groups, else the sorted distinct participant ids.
pub fn conversation_id(roomid: Option<&str>, from: &str, to: &[String]) -> String {
    if let Some(room) = roomid {
        return room.to_string();
    }
    let mut ids: Vec<&str> = std::iter::once(from)
        .chain(to.iter().map(String::as_str))
        .collect();
    ids.sort_unstable();
    ids.dedup();
    ids.join("|")
}
