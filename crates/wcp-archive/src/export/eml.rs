//! EML: one RFC 5322 message per archived message, or one per conversation (thread) with
//! the transcript as its body. Classification, risks and recall status ride in `X-WCP-*`
//! headers so review tools can filter on them. A media message's line says what was sent
//! and its reference (`media.rs`), and the files the media store had ride as attachments. A
//! message disposed of under retention is a transcript line in its place ("[disposed of]",
//! `placeholder.rs`), or, per message, an e-mail of its own without content.

use wcp_model::{Participant, Role};

use crate::dates::{rfc2822_in, rfc3339_in};
use crate::export::{entry, media, mime, placeholder, Context, Entry};
use crate::stored::ArchivedMessage;

pub(crate) fn address(id: &str) -> String {
    let local: String = id
        .chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || "._-".contains(c) {
                c
            } else {
                '_'
            }
        })
        .collect();
    format!("{local}@wecom.invalid")
}

/// A message's words: its text, or for a media message what was sent, its reference and
/// where the file is ("[image, 70961 bytes, md5 …] (attached: 9f2c….jpg)").
fn words(m: &ArchivedMessage, cx: &Context) -> String {
    let s = &m.stored;
    let items = media::items(&s.msgtype, &s.payload_json);
    let mut out = media::body(&s.msgtype, &s.text, &s.payload_json, &items);
    for it in &items {
        let ids = it
            .sdkfileid
            .as_ref()
            .map(|f| format!("sdkfileid {f}; "))
            .unwrap_or_default();
        match media::status(it, &cx.media) {
            media::Status::Attached { found, .. } => out.push_str(&format!(
                " ({ids}attached as {})",
                media::display(it, found)
            )),
            media::Status::NotInExport(why) => out.push_str(&format!(" ({ids}{why})")),
        }
    }
    out
}

/// The media files of `messages` as MIME attachments, each file once.
fn attachments<'a, 'm>(
    messages: impl IntoIterator<Item = &'m ArchivedMessage>,
    cx: &'a Context,
) -> Vec<(String, String, &'a [u8])> {
    let mut out: Vec<(String, String, &'a [u8])> = Vec::new();
    let mut seen = std::collections::HashSet::new();
    for m in messages {
        let s = &m.stored;
        for it in media::items(&s.msgtype, &s.payload_json) {
            if let media::Status::Attached { name, found } = media::status(&it, &cx.media) {
                if seen.insert(name) {
                    let ext = media::extension(&it, &found.bytes);
                    out.push((media::display(&it, found), ext, &found.bytes));
                }
            }
        }
    }
    out
}

fn mime_attachments<'a>(a: &'a [(String, String, &'a [u8])]) -> Vec<mime::Attachment<'a>> {
    a.iter()
        .map(|(name, ext, bytes)| mime::Attachment {
            filename: name,
            content_type: media::content_type(ext),
            bytes,
        })
        .collect()
}

/// One transcript line; times in the context's zone with the offset written.
fn line(m: &ArchivedMessage, cx: &Context) -> String {
    let z = cx.zone;
    let s = &m.stored;
    let note = super::recall_note(m)
        .map(|n| format!(" ({n})"))
        .unwrap_or_default();
    let recalled = m
        .recalled_at_ms
        .map(|t| format!(" [recalled {}{note}]", rfc3339_in(t, z)))
        .unwrap_or_default();
    // A recall, consent or account-switch record in words, as the RSMF's disclaimer says it.
    let text = super::notice(s).unwrap_or_else(|| words(m, cx));
    format!(
        "[{}] {}{recalled}: {text}",
        rfc3339_in(s.time_ms, z),
        s.from.id
    )
}

fn common_headers(m: &ArchivedMessage, z: i32) -> Vec<(&'static str, String)> {
    let s = &m.stored;
    let c = s.classification.as_ref();
    let mut h = vec![
        ("From", address(&s.from.id)),
        (
            "To",
            s.to.iter()
                .map(|p| address(&p.id))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Date", rfc2822_in(s.time_ms, z)),
        ("X-WCP-Conversation", s.conversation_id.clone()),
    ];
    if let Some(c) = c {
        h.push(("X-WCP-Class", c.class.as_str().to_string()));
        let risks: Vec<&str> = c.risks.iter().map(|r| r.category.as_str()).collect();
        if !risks.is_empty() {
            h.push(("X-WCP-Risks", risks.join(", ")));
        }
    }
    h
}

/// One message as an e-mail; times in the context's zone (the policy's, as the console
/// shows them).
pub fn message_eml(m: &ArchivedMessage, cx: &Context) -> Vec<u8> {
    let z = cx.zone;
    let s = &m.stored;
    let mut headers = common_headers(m, z);
    headers.push((
        "Subject",
        format!(
            "{}WeCom {} in {}",
            cx.case_prefix(),
            s.msgtype,
            s.conversation_id
        ),
    ));
    headers.extend(cx.case_headers());
    headers.push(("Message-ID", format!("<{}>", address(&s.msgid))));
    headers.push(("X-WCP-Msgid", s.msgid.clone()));
    headers.push(("X-WCP-Msgtype", s.msgtype.clone()));
    headers.push(("X-WCP-Disposition", s.disposition.as_str().to_string()));
    if let Some(t) = m.recalled_at_ms {
        headers.push(("X-WCP-Recalled-At", rfc3339_in(t, z)));
    }
    let text = words(m, cx);
    let body = if text.is_empty() {
        format!("<{} without text>", s.msgtype)
    } else {
        text
    };
    let files = attachments(std::slice::from_ref(m), cx);
    mime::message(&headers, &body, &mime_attachments(&files))
}

/// Whose conversation it is: the first staff member to write in it, else the first staff
/// member written to, else the first sender. A client's agree line often comes first, and
/// a thread "from" the client reads as the client's mail (trial 18b D7). Placeholders of
/// disposed-of messages count as their senders' (the tombstone keeps the ids and roles).
fn owner<'a>(entries: &[Entry<'a>]) -> Option<&'a str> {
    let staff = |p: &&Participant| p.role == Role::Staff;
    let senders = entries
        .iter()
        .filter_map(|e| e.participants().into_iter().find(|p| p.id == e.sender()));
    let written_to = entries.iter().flat_map(|e| {
        e.participants()
            .into_iter()
            .filter(move |p| p.id != e.sender())
    });
    senders
        .clone()
        .find(staff)
        .or_else(|| written_to.clone().find(staff))
        .or_else(|| senders.clone().next())
        .map(|p| p.id.as_str())
}

/// "WeCom conversation C (1 message)" / "(2 messages)" (trial 18c D9: "1 messages"), or
/// "(5 records: 4 messages, 1 recall)" when not every line is a message (trial 18d D7).
fn thread_subject(conversation: &str, counts: &super::Counts) -> String {
    format!("WeCom conversation {conversation} ({})", counts.words())
}

/// One conversation's entries (time order) as a single e-mail, from the staff member whose
/// conversation it is; times in the context's zone; the media files found as attachments.
pub fn thread_eml(entries: &[Entry<'_>], cx: &Context) -> Vec<u8> {
    let z = cx.zone;
    let Some(first) = entries.first() else {
        return Vec::new();
    };
    let conversation = first.conversation_id();
    let mut ids: Vec<&str> = entries.iter().flat_map(Entry::participant_ids).collect();
    ids.sort_unstable();
    ids.dedup();
    // A thread has many senders and classes: keep only what holds for all of it.
    let mut headers = vec![
        ("From", address(owner(entries).unwrap_or_default())),
        (
            "To",
            ids.iter()
                .map(|p| address(p))
                .collect::<Vec<_>>()
                .join(", "),
        ),
        ("Date", rfc2822_in(first.time_ms(), z)),
        ("X-WCP-Conversation", conversation.to_string()),
        (
            "Subject",
            cx.case_prefix() + &thread_subject(conversation, &super::Counts::of(entries)),
        ),
        (
            "Message-ID",
            format!(
                "<{}>",
                address(&format!("thread.{}", mime::file_stem(conversation)))
            ),
        ),
    ];
    headers.extend(cx.case_headers());
    let body: Vec<String> = entries
        .iter()
        .map(|e| match e {
            Entry::Message(m) => line(m, cx),
            Entry::Disposed(d) => placeholder::eml_line(d, z),
        })
        .collect();
    let files = attachments(entry::messages(entries), cx);
    mime::message(
        &headers,
        &(body.join("\r\n") + "\r\n"),
        &mime_attachments(&files),
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_thread_subject_counts_in_words() {
        let c = |records, messages, recalls, notices| super::super::Counts {
            records,
            messages,
            recalls,
            notices,
            disposed: 0,
        };
        assert_eq!(
            thread_subject("c1", &c(1, 1, 0, 0)),
            "WeCom conversation c1 (1 message)"
        );
        assert_eq!(
            thread_subject("c1", &c(3, 3, 0, 0)),
            "WeCom conversation c1 (3 messages)"
        );
        assert_eq!(
            thread_subject("c1", &c(7, 4, 1, 2)),
            "WeCom conversation c1 (7 records: 4 messages, 1 recall, 2 consent or account notices)"
        );
        let gone = super::super::Counts {
            disposed: 1,
            ..c(3, 2, 0, 0)
        };
        assert_eq!(
            thread_subject("c1", &gone),
            "WeCom conversation c1 (3 records: 2 messages, 1 message disposed of under retention)"
        );
    }
}
