//! What a record body holds, and what readers get back.
//!
//! The body of a `message` record is the canonical JSON of [`StoredMessage`]: serde writes
//! struct fields in declaration order and floats with a fixed algorithm, so the same event
//! always gives the same bytes.

use serde::{Deserialize, Serialize};

use crate::error::ArchiveError;
use crate::seal::{QuarantineKey, SealedContent};
use wcp_model::{
    Action, ChatEvent, Classification, ConsentDecision, Disposition, EnrichedEvent, EventKind,
    Participant, RetentionTag,
};

/// Field for field a `ChatEvent` plus its enrichment, spelled out rather than embedded: this
/// is the hashed, persisted format, and it must not change shape when `ChatEvent` gains a
/// field (nor store `raw` as a JSON array of numbers).
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct StoredMessage {
    pub msgid: String,
    pub action: Action,
    pub msgtype: String,
    pub kind: EventKind,
    pub from: Participant,
    pub to: Vec<Participant>,
    pub roomid: Option<String>,
    pub conversation_id: String,
    pub time_ms: i64,
    pub seq: Option<u64>,
    pub known_type: bool,
    pub text: String,
    pub payload_json: String,
    /// The original bytes: as text when they are UTF-8 (WeCom JSON always is), else hex.
    pub raw_utf8: Option<String>,
    pub raw_hex: Option<String>,
    pub disposition: Disposition,
    pub classification: Option<Classification>,
    pub consent: Option<ConsentDecision>,
    pub retention: Option<RetentionTag>,
    /// Quarantine only: the content (text, payload, raw bytes), sealed to the quarantine
    /// key (`seal.rs`), base64. Absent from every other body, so their bytes are unchanged.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed: Option<String>,
}

impl StoredMessage {
    /// `MetadataOnly` keeps who/when/what-type but no content (text, payload, raw bytes).
    /// `Quarantine` keeps no content in clear: sealed to `quarantine_key` when one is
    /// configured, else not at all.
    pub fn from_enriched(
        e: &EnrichedEvent,
        quarantine_key: Option<&QuarantineKey>,
    ) -> Result<StoredMessage, ArchiveError> {
        let mut m = StoredMessage::clear(e);
        if m.disposition == Disposition::Quarantine {
            let mut content = m.take_content();
            content.ids = e.sealed_ids.clone();
            if let Some(k) = quarantine_key {
                m.sealed = Some(k.seal(&content)?);
            }
        }
        Ok(m)
    }

    /// Empties the content fields and returns what they held.
    pub fn take_content(&mut self) -> SealedContent {
        SealedContent {
            text: std::mem::take(&mut self.text),
            payload_json: std::mem::take(&mut self.payload_json),
            raw_utf8: self.raw_utf8.take(),
            raw_hex: self.raw_hex.take(),
            ids: None,
        }
    }

    /// Puts opened content back (quarantine release).
    pub fn restore_content(&mut self, c: SealedContent) {
        self.text = c.text;
        self.payload_json = c.payload_json;
        self.raw_utf8 = c.raw_utf8;
        self.raw_hex = c.raw_hex;
        self.sealed = None;
        if let Some(ids) = c.ids {
            self.from = ids.from;
            self.to = ids.to;
            self.conversation_id = ids.conversation_id;
            if let Some(consent) = self.consent.as_mut() {
                for (c, id) in consent.contacts.iter_mut().zip(ids.contacts) {
                    c.contact = id;
                }
            }
        }
    }

    fn clear(e: &EnrichedEvent) -> StoredMessage {
        let ev = &e.event;
        let disposition = e.disposition();
        let content = disposition != Disposition::MetadataOnly;
        let (raw_utf8, raw_hex) = match (content, std::str::from_utf8(&ev.raw)) {
            (false, _) => (None, None),
            (true, Ok(s)) => (Some(s.to_string()), None),
            (true, Err(_)) => (None, Some(hex::encode(&ev.raw))),
        };
        StoredMessage {
            msgid: ev.msgid.clone(),
            action: ev.action,
            msgtype: ev.msgtype.clone(),
            kind: ev.kind.clone(),
            from: ev.from.clone(),
            to: ev.to.clone(),
            roomid: ev.roomid.clone(),
            conversation_id: ev.conversation_id.clone(),
            time_ms: ev.time_ms,
            seq: ev.seq,
            known_type: ev.known_type,
            text: if content {
                ev.text.clone()
            } else {
                String::new()
            },
            payload_json: if content {
                ev.payload_json.clone()
            } else {
                String::new()
            },
            raw_utf8,
            raw_hex,
            disposition,
            classification: e.classification.clone(),
            consent: e.consent.clone(),
            retention: e.retention.clone(),
            sealed: None,
        }
    }

    pub fn raw(&self) -> Vec<u8> {
        match (&self.raw_utf8, &self.raw_hex) {
            (Some(s), _) => s.as_bytes().to_vec(),
            (None, Some(h)) => hex::decode(h).unwrap_or_default(),
            (None, None) => Vec::new(),
        }
    }

    pub fn event(&self) -> ChatEvent {
        ChatEvent {
            msgid: self.msgid.clone(),
            action: self.action,
            msgtype: self.msgtype.clone(),
            kind: self.kind.clone(),
            from: self.from.clone(),
            to: self.to.clone(),
            roomid: self.roomid.clone(),
            conversation_id: self.conversation_id.clone(),
            time_ms: self.time_ms,
            seq: self.seq,
            known_type: self.known_type,
            text: self.text.clone(),
            payload_json: self.payload_json.clone(),
            raw: self.raw(),
        }
    }

    pub fn participant_ids(&self) -> Vec<&str> {
        let mut ids: Vec<&str> = std::iter::once(self.from.id.as_str())
            .chain(self.to.iter().map(|p| p.id.as_str()))
            .collect();
        ids.sort_unstable();
        ids.dedup();
        ids
    }
}

/// A message as the archive returns it: the stored record plus its recall status.
#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct ArchivedMessage {
    /// Position of the message's record in the hash chain.
    pub record_seq: i64,
    #[serde(flatten)]
    pub stored: StoredMessage,
    pub recalled_at_ms: Option<i64>,
    pub recall_msgid: Option<String>,
}

impl ArchivedMessage {
    pub fn is_recalled(&self) -> bool {
        self.recalled_at_ms.is_some()
    }
}

/// Content is never printed by `Debug` (logs and panics must not carry chat content).
impl std::fmt::Debug for ArchivedMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("ArchivedMessage")
            .field("record_seq", &self.record_seq)
            .field("msgid", &self.stored.msgid)
            .field("msgtype", &self.stored.msgtype)
            .field("disposition", &self.stored.disposition)
            .field("recalled_at_ms", &self.recalled_at_ms)
            .finish_non_exhaustive()
    }
}

impl std::fmt::Debug for StoredMessage {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("StoredMessage")
            .field("msgid", &self.msgid)
            .field("msgtype", &self.msgtype)
            .finish_non_exhaustive()
    }
}
