//! The tokens of the `id_tokens` index: one per conversation id and participant id.
//!
//! An id becomes `c` or `p` and 16 hex digits of its SHA-256, so any id (case, punctuation,
//! `|`, non-ASCII) is exactly one token of the `ascii` tokenizer, and conversation and
//! participant ids never meet. A hash can collide; queries confirm every candidate on the
//! message's own columns, so a collision costs a row read, never a wrong result.

use sha2::{Digest, Sha256};

fn token(prefix: char, id: &str) -> String {
    let d = Sha256::digest(id.as_bytes());
    let mut t = String::with_capacity(17);
    t.push(prefix);
    t.push_str(&hex::encode(&d[..8]));
    t
}

pub fn conversation(id: &str) -> String {
    token('c', id)
}

pub fn participant(id: &str) -> String {
    token('p', id)
}

/// The indexed text of one message: its conversation token and each participant's.
pub fn of_message(conversation_id: &str, participant_ids: &[&str]) -> String {
    let mut s = conversation(conversation_id);
    for p in participant_ids {
        s.push(' ');
        s.push_str(&participant(p));
    }
    s
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
        let s = of_message("wrROOM", &["a", "b"]);
        assert_eq!(s.split(' ').count(), 3);
        assert_eq!(s.split(' ').nth(2).unwrap(), participant("b"));
    }
}
