//! The tokens of the `id_tokens` index: one per conversation id and participant id, and
//! the text's tail (see [`tail`]).
//!
//! An id becomes `c` or `p` and 16 hex digits of its SHA-256, so any id (case, punctuation,
//! `|`, non-ASCII) is exactly one token of the `ascii` tokenizer, and conversation and
//! participant ids never meet. A hash can collide; queries confirm every candidate on the
//! message's own columns, so a collision costs a row read, never a wrong result.

use sha2::{Digest, Sha256};

fn token(prefix: char, id: &str) -> String {
    const HEX: &[u8; 16] = b"0123456789abcdef";
    let d = Sha256::digest(id.as_bytes());
    let mut t = String::with_capacity(17);
    t.push(prefix);
    // Lowercase hex as `hex::encode` writes it, without its char-by-char collect (a third of
    // this function's cost; a full verify computes it for every id of every message).
    for b in &d[..8] {
        t.push(char::from(HEX[usize::from(b >> 4)]));
        t.push(char::from(HEX[usize::from(b & 15)]));
    }
    t
}

pub fn conversation(id: &str) -> String {
    token('c', id)
}

pub fn participant(id: &str) -> String {
    token('p', id)
}

/// The indexed text of one message: its conversation token, each participant's and the
/// tail token of its text, if any.
pub fn of_message(conversation_id: &str, participant_ids: &[&str], text: &str) -> String {
    let mut s = conversation(conversation_id);
    for p in participant_ids {
        s.push(' ');
        s.push_str(&participant(p));
    }
    if let Some(t) = tail(text) {
        s.push(' ');
        s.push_str(&t);
    }
    s
}

/// `t` and the last two characters of a text when both are CJK (Han, kana, Hangul).
///
/// Why: a two-character term has no trigram of its own, but wherever it is followed by a
/// character the trigram index holds `term` + that character, which a range of the index's
/// terms finds (`query.rs`). Only a term at the very end of a text (or a text of exactly
/// those two characters) has no such trigram: this one token per message covers it, where a
/// token per CJK pair of the text would cost ingest as much as the trigrams themselves.
/// The text counts up to its first NUL, where the trigram tokenizer (and LIKE) stop too.
/// CJK only: these characters have no case, so the index holds them as written.
pub fn tail(text: &str) -> Option<String> {
    let text = text.split('\0').next().unwrap_or_default();
    let mut rev = text.chars().rev();
    let (b, a) = (rev.next()?, rev.next()?);
    cjk_pair(a, b).then(|| format!("t{a}{b}"))
}

/// The `id_tokens` token of a two-character CJK term at the end of a text.
pub fn tail_of_term(a: char, b: char) -> Option<String> {
    cjk_pair(a, b).then(|| format!("t{a}{b}"))
}

fn cjk_pair(a: char, b: char) -> bool {
    is_cjk(a) && is_cjk(b)
}

/// Han ideographs (unified, extensions, compatibility), hiragana, katakana, Hangul syllables:
/// caseless, so FTS5's case folding leaves them as they are; all outside ASCII, so the
/// `ascii` tokenizer keeps `t` and two of them as one token.
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7A3
        | 0xF900..=0xFAFF | 0x20000..=0x3134F)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_token_per_id_whatever_its_characters() {
        let t = participant("Wo_Ab+/=|李四");
        assert_eq!(t.len(), 17);
        assert!(t.starts_with('p') && t[1..].chars().all(|c| c.is_ascii_hexdigit()));
        assert_ne!(participant("lisi"), participant("LISI"));
        assert_ne!(participant("lisi"), conversation("lisi"));
        let s = of_message("wrROOM", &["a", "b"], "ok");
        assert_eq!(s.split(' ').count(), 3);
        assert_eq!(s.split(' ').nth(2).unwrap(), participant("b"));
    }

    #[test]
    fn the_tail_token_holds_the_last_two_cjk_characters() {
        assert_eq!(tail("年化8%保本").as_deref(), Some("t保本"));
        assert_eq!(tail("保本").as_deref(), Some("t保本"));
        assert_eq!(tail("ひらがな").as_deref(), Some("tがな"));
        // Not two CJK characters at the end: no token.
        for t in ["", "本", "保本。", "保本 ", "保a", "ok", "a本"] {
            assert_eq!(tail(t), None, "{t:?}");
        }
        // Up to the first NUL, as the trigram tokenizer reads it.
        assert_eq!(tail("收益\0ok").as_deref(), Some("t收益"));
        let s = of_message("c", &["a"], "能保本");
        assert_eq!(s.split(' ').nth(2), Some("t保本"));
        assert_eq!(tail_of_term('保', '本').as_deref(), Some("t保本"));
        assert_eq!(tail_of_term('o', 'k'), None);
    }
}
