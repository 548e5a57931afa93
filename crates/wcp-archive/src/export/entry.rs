//! What an export is made of: messages and the placeholders of messages disposed of under
//! retention (their tombstones: identifiers, dates and rules, never content), merged so each
//! placeholder sits where its message was and a gap in a production says what it is (trial
//! 18c D5).

use wcp_model::Participant;

use crate::disposal::Disposed;
use crate::evidence::Evidence;
use crate::stored::ArchivedMessage;

/// One entry of an export: a message, or the placeholder of one disposed of.
#[derive(Debug, Clone, Copy)]
pub enum Entry<'a> {
    Message(&'a ArchivedMessage),
    Disposed(&'a Disposed),
}

impl<'a> Entry<'a> {
    pub fn conversation_id(&self) -> &'a str {
        match self {
            Entry::Message(m) => &m.stored.conversation_id,
            Entry::Disposed(d) => &d.at.conversation_id,
        }
    }

    pub fn time_ms(&self) -> i64 {
        match self {
            Entry::Message(m) => m.stored.time_ms,
            Entry::Disposed(d) => d.at.time_ms,
        }
    }

    pub fn msgid(&self) -> &'a str {
        match self {
            Entry::Message(m) => &m.stored.msgid,
            Entry::Disposed(d) => &d.msgid,
        }
    }

    pub fn sender(&self) -> &'a str {
        match self {
            Entry::Message(m) => &m.stored.from.id,
            Entry::Disposed(d) => &d.at.from,
        }
    }

    fn record_seq(&self) -> i64 {
        match self {
            Entry::Message(m) => m.record_seq,
            Entry::Disposed(d) => d.record_seq,
        }
    }

    /// The sender and every participant, with the roles stored.
    pub fn participants(&self) -> Vec<&'a Participant> {
        match self {
            Entry::Message(m) => std::iter::once(&m.stored.from)
                .chain(&m.stored.to)
                .collect(),
            Entry::Disposed(d) => d.at.participants.iter().collect(),
        }
    }

    /// Every participant id, as stored.
    pub fn participant_ids(&self) -> Vec<&'a str> {
        match self {
            Entry::Message(m) => m.stored.participant_ids(),
            Entry::Disposed(d) => d.at.participants.iter().map(|p| p.id.as_str()).collect(),
        }
    }

    /// A group chat's (its room id is kept), else one-to-one.
    pub fn in_room(&self) -> bool {
        match self {
            Entry::Message(m) => m.stored.roomid.is_some(),
            Entry::Disposed(d) => d.at.roomid.is_some(),
        }
    }
}

/// Messages and placeholders ordered by conversation, then time.
pub fn entries(e: &Evidence) -> Vec<Entry<'_>> {
    let mut out: Vec<Entry<'_>> = e
        .messages
        .iter()
        .map(Entry::Message)
        .chain(e.disposed.iter().map(Entry::Disposed))
        .collect();
    out.sort_by(|a, b| {
        (a.conversation_id(), a.time_ms(), a.record_seq()).cmp(&(
            b.conversation_id(),
            b.time_ms(),
            b.record_seq(),
        ))
    });
    out
}

/// The messages among `entries`.
pub fn messages<'e, 'a>(
    entries: &'e [Entry<'a>],
) -> impl Iterator<Item = &'a ArchivedMessage> + 'e {
    entries.iter().filter_map(|e| match e {
        Entry::Message(m) => Some(*m),
        Entry::Disposed(_) => None,
    })
}
