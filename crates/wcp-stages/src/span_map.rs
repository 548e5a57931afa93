//! Moving spans onto a rewritten text. The classifier's risk and PII spans count code points
//! of the text it read; anonymisation then replaces values (an e-mail address by
//! `EMAIL_ADDRESS_ef6f…`, an id by its pseudonym), so the same offsets on the stored text
//! would mark the wrong characters, in the console's highlight and in its masking alike.

use wcp_pii::anonymise::Edit;

use crate::offsets::{byte_index, CharOffsets};

/// The replacements of each pass over a text, in the order they ran (each pass's edits are
/// in byte offsets of the text that pass read).
#[derive(Debug, Default, Clone, PartialEq)]
pub struct SpanMap {
    passes: Vec<Vec<Edit>>,
}

impl SpanMap {
    pub fn push(&mut self, edits: Vec<Edit>) {
        if !edits.is_empty() {
            self.passes.push(edits);
        }
    }

    /// Code-point span `start..end` of `before` as a span of `after`. A span that starts or
    /// ends inside a replaced value grows to cover the whole replacement: the value is gone,
    /// and what stands for it is what must be marked (and masked).
    pub fn map(&self, before: &str, after: &str, start: u32, end: u32) -> (u32, u32) {
        let (mut s, mut e) = (byte_index(before, start), byte_index(before, end));
        for edits in &self.passes {
            s = through(edits, s, false);
            e = through(edits, e, true);
        }
        let o = CharOffsets::new(after);
        (o.char_index(s), o.char_index(e.max(s)))
    }
}

/// Byte offset `p` after `edits`; `end` says whether `p` ends a span (inside a replaced
/// value it then moves to the replacement's end, else to its start).
fn through(edits: &[Edit], p: usize, end: bool) -> usize {
    let mut delta: isize = 0;
    for ed in edits {
        if ed.end <= p {
            delta += ed.len as isize - (ed.end - ed.start) as isize;
        } else if ed.start < p {
            let at = (ed.start as isize + delta) as usize;
            return if end { at + ed.len } else { at };
        } else {
            break;
        }
    }
    (p as isize + delta) as usize
}

/// `text` with every occurrence of `from` replaced by `to`, and the edits made.
pub fn replace_all(text: &str, from: &str, to: &str) -> (String, Vec<Edit>) {
    let mut out = String::with_capacity(text.len());
    let mut edits = Vec::new();
    let mut pos = 0;
    for (i, _) in text.match_indices(from) {
        out.push_str(&text[pos..i]);
        out.push_str(to);
        edits.push(Edit {
            start: i,
            end: i + from.len(),
            len: to.len(),
        });
        pos = i + from.len();
    }
    out.push_str(&text[pos..]);
    (out, edits)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn slice(t: &str, (s, e): (u32, u32)) -> String {
        crate::offsets::slice_chars(t, s, e)
    }

    #[test]
    fn a_span_after_a_longer_replacement_moves_and_the_value_span_covers_the_pseudonym() {
        let before = "邮箱 a@b.cn 保本";
        let (after, edits) = replace_all(before, "a@b.cn", "EMAIL_ADDRESS_ef6f29c7e84a049d");
        let mut m = SpanMap::default();
        m.push(edits);
        assert_eq!(
            slice(&after, m.map(before, &after, 3, 9)),
            "EMAIL_ADDRESS_ef6f29c7e84a049d"
        );
        assert_eq!(slice(&after, m.map(before, &after, 10, 12)), "保本");
        assert_eq!(slice(&after, m.map(before, &after, 0, 2)), "邮箱");
    }

    #[test]
    fn a_span_cut_by_a_replacement_grows_to_cover_it_and_passes_compose() {
        let before = "call 13812345678 now, id wmABC";
        let (mid, e1) = replace_all(before, "13812345678", "<PHONE_NUMBER>");
        let (after, e2) = replace_all(&mid, "wmABC", "PARTICIPANT_0123456789abcdef");
        let mut m = SpanMap::default();
        m.push(e1);
        m.push(e2);
        // "call 1381" (a risk span ending inside the number) covers the whole tag.
        assert_eq!(
            slice(&after, m.map(before, &after, 0, 9)),
            "call <PHONE_NUMBER>"
        );
        assert_eq!(slice(&after, m.map(before, &after, 17, 20)), "now");
        assert_eq!(
            slice(&after, m.map(before, &after, 25, 30)),
            "PARTICIPANT_0123456789abcdef"
        );
    }

    #[test]
    fn a_redacted_value_leaves_an_empty_span() {
        let before = "x SECRET y";
        let (after, edits) = replace_all(before, "SECRET", "");
        let mut m = SpanMap::default();
        m.push(edits);
        assert_eq!(m.map(before, &after, 2, 8), (2, 2));
        assert_eq!(slice(&after, m.map(before, &after, 9, 10)), "y");
    }
}
