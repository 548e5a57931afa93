//! Messages disposed of under retention, shown where they were in their conversation: who,
//! when, the rule and the expiry, from the tombstone in the archive's chain, never content —
//! so a reviewer can tell "disposed of under policy" from "never existed" (trial 18c D5), as
//! the RSMF and EML exports do.

use maud::{html, Markup};
use wcp_archive::disposal::Disposed;
use wcp_archive::ArchivedMessage;

use crate::i18n::Lang;
use crate::layout::time;

/// One row of a conversation as shown: a message, or a placeholder.
pub enum Row<'a> {
    Message(&'a ArchivedMessage),
    Disposed(&'a Disposed),
}

/// Messages (time order) and placeholders merged by time; a message first at the same time.
pub fn rows<'a>(messages: Vec<&'a ArchivedMessage>, disposed: &'a [Disposed]) -> Vec<Row<'a>> {
    let mut out: Vec<(i64, Row<'a>)> = messages
        .into_iter()
        .map(|m| (m.stored.time_ms, Row::Message(m)))
        .chain(disposed.iter().map(|d| (d.at.time_ms, Row::Disposed(d))))
        .collect();
    // Stable: the order each list had stays within a time.
    out.sort_by_key(|(t, _)| *t);
    out.into_iter().map(|(_, r)| r).collect()
}

/// The times a conversation window covers, for its placeholders: from its first message, or
/// from the beginning when fewer than `before` messages came before `at` (the window reaches
/// the conversation's start); likewise to its last message or the end.
pub fn span(times: &[i64], at: i64, before: u64, after: u64) -> (i64, i64) {
    let earlier = times.iter().filter(|t| **t < at).count() as u64;
    let later = times.len() as u64 - earlier;
    let lo = match times.first() {
        Some(t) if earlier >= before => *t,
        _ => i64::MIN,
    };
    let hi = match times.last() {
        Some(t) if later >= after => *t,
        _ => i64::MAX,
    };
    (lo, hi)
}

/// What the placeholder says, in the interface language.
pub fn words(d: &Disposed, lang: Lang, zone: i32) -> String {
    let rules = d.at.rules.join(", ");
    match lang {
        Lang::En => {
            let under = if rules.is_empty() {
                "its retention".to_string()
            } else {
                format!("retention rule {rules}")
            };
            format!(
                "Disposed of under {under} on {} by {} (kept until {}): its content is no longer in the archive. A tombstone in the archive's hash chain records it.",
                time(d.expired_at_ms, zone),
                d.actor,
                time(d.keep_until_ms, zone)
            )
        }
        Lang::Zh => format!(
            "已按保留规则 {rules} 于 {} 由 {} 处置（保留期至 {}）：内容已不在归档中。归档哈希链中的墓碑记录为证。",
            time(d.expired_at_ms, zone),
            d.actor,
            time(d.keep_until_ms, zone)
        ),
    }
}

/// The placeholder's row in a conversation list.
pub fn line(d: &Disposed, lang: Lang, zone: i32) -> Markup {
    html! {
        li.msg.disposed id=(format!("m-{}", d.msgid)) {
            span.meta { (time(d.at.time_ms, zone)) " · " (d.at.from) " · " (d.at.msgtype) " · " code { (d.msgid) } }
            " "
            em.disposed-note { (words(d, lang, zone)) }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_window_short_of_messages_reaches_the_conversations_ends() {
        // 2 before `at` asked, 2 there: from the first; 3 after asked, 1 there: to the end.
        assert_eq!(span(&[10, 20, 30], 25, 2, 3), (10, i64::MAX));
        assert_eq!(span(&[10, 20, 30], 25, 3, 1), (i64::MIN, 30));
        assert_eq!(span(&[], 25, 3, 3), (i64::MIN, i64::MAX));
    }
}
