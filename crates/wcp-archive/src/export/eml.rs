//! EML: one RFC 5322 message per archived message, or one per conversation (thread) with
//! the transcript as its body. Classification, risks and recall status ride in `X-WCP-*`
//! headers so review tools can filter on them.

use crate::export::mime;
use crate::stored::ArchivedMessage;
use crate::time;

fn address(id: &str) -> String {
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

fn line(m: &ArchivedMessage) -> String {
    let s = &m.stored;
    let recalled = m
        .recalled_at_ms
        .map(|t| format!(" [recalled {}]", time::rfc3339(t)))
        .unwrap_or_default();
    let text = if s.text.is_empty() {
        format!("<{}>", s.msgtype)
    } else {
        s.text.clone()
    };
    format!(
        "[{}] {}{recalled}: {text}",
        time::rfc3339(s.time_ms),
        s.from.id
    )
}

fn common_headers(m: &ArchivedMessage) -> Vec<(&'static str, String)> {
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
        ("Date", time::rfc2822(s.time_ms)),
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

pub fn message_eml(m: &ArchivedMessage) -> Vec<u8> {
    let s = &m.stored;
    let mut headers = common_headers(m);
    headers.push((
        "Subject",
        format!("WeCom {} in {}", s.msgtype, s.conversation_id),
    ));
    headers.push(("Message-ID", format!("<{}>", address(&s.msgid))));
    headers.push(("X-WCP-Msgid", s.msgid.clone()));
    headers.push(("X-WCP-Msgtype", s.msgtype.clone()));
    headers.push(("X-WCP-Disposition", s.disposition.as_str().to_string()));
    if let Some(t) = m.recalled_at_ms {
        headers.push(("X-WCP-Recalled-At", time::rfc3339(t)));
    }
    let body = if s.text.is_empty() {
        format!("<{} without text>", s.msgtype)
    } else {
        s.text.clone()
    };
    mime::message(&headers, &body, &[])
}

/// One conversation's messages (time order) as a single e-mail.
pub fn thread_eml(messages: &[ArchivedMessage]) -> Vec<u8> {
    let Some(first) = messages.first() else {
        return Vec::new();
    };
    let s = &first.stored;
    let mut headers = common_headers(first);
    // A thread has many senders and classes: keep only what holds for all of it.
    headers.retain(|(n, _)| matches!(*n, "Date" | "X-WCP-Conversation"));
    let mut ids: Vec<&str> = messages
        .iter()
        .flat_map(|m| m.stored.participant_ids())
        .collect();
    ids.sort_unstable();
    ids.dedup();
    headers.insert(0, ("From", address(&s.from.id)));
    headers.insert(
        1,
        (
            "To",
            ids.iter()
                .map(|p| address(p))
                .collect::<Vec<_>>()
                .join(", "),
        ),
    );
    headers.push((
        "Subject",
        format!(
            "WeCom conversation {} ({} messages)",
            s.conversation_id,
            messages.len()
        ),
    ));
    headers.push((
        "Message-ID",
        format!(
            "<{}>",
            address(&format!("thread.{}", mime::file_stem(&s.conversation_id)))
        ),
    ));
    let body: Vec<String> = messages.iter().map(line).collect();
    mime::message(&headers, &(body.join("\r\n") + "\r\n"), &[])
}
