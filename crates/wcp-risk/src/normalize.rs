//! Text normalisation before matching, with a map back to the original bytes.
//!
//! Steps, in one pass: full-width ASCII → half-width, ideographic space → space, Traditional →
//! Simplified (see `t2s`), lowercase, zero-width characters dropped everywhere, and "filler"
//! characters (spaces, dots, asterisks, dashes, …) dropped when they sit between two CJK
//! characters — the usual trick to slip `保 本` or `内.幕` past a keyword filter. Every output
//! byte remembers the byte offset of the original character it came from, so a match in the
//! normalised text maps back to an exact span of what the user wrote.

use crate::t2s::to_simplified;

/// A normalised string and, per output byte, the byte offset of its source character.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Normalized {
    pub text: String,
    /// `origin[i]` = byte offset in the original text of the character that produced byte `i`.
    pub origin: Vec<u32>,
}

impl Normalized {
    /// Maps a byte range of the normalised text to a byte range of `original`.
    /// `end` is exclusive; the original range ends after the source character of byte `end - 1`.
    pub fn to_original(&self, original: &str, start: usize, end: usize) -> (usize, usize) {
        if start >= end || end > self.text.len() {
            let s = self
                .origin
                .get(start)
                .map_or(original.len(), |&o| o as usize);
            return (s, s);
        }
        let s = self.origin[start] as usize;
        let last = self.origin[end - 1] as usize;
        let last_len = original[last..].chars().next().map_or(0, char::len_utf8);
        (s, last + last_len)
    }
}

/// Is `c` a CJK ideograph (the characters between which fillers are removed)?
#[inline]
pub fn is_cjk(c: char) -> bool {
    matches!(c as u32, 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[inline]
fn is_zero_width(c: char) -> bool {
    matches!(
        c,
        '\u{200B}'..='\u{200D}' | '\u{2060}' | '\u{FEFF}' | '\u{00AD}'
    )
}

/// Characters that evaders insert between CJK characters (after full-width folding). Commas and
/// the ideographic full stop are left out on purpose: they separate real clauses, and joining
/// them would make phrases straddle two clauses.
#[inline]
fn is_filler(c: char) -> bool {
    matches!(
        c,
        ' ' | '\t'
            | '.'
            | '*'
            | '-'
            | '_'
            | '~'
            | '/'
            | '\\'
            | '|'
            | '#'
            | '+'
            | '^'
            | '`'
            | '\''
            | '"'
            | '·'
            | '•'
            | '・'
            | '…'
            | '\u{3000}'
    )
}

/// Folds one character: full-width → half-width, Traditional → Simplified, lowercase.
#[inline]
fn fold(c: char) -> char {
    let c = match c as u32 {
        0xFF01..=0xFF5E => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        0x3000 => ' ',
        // Typographic quotes, so "can’t" matches the lexicon's "can't".
        0x2018 | 0x2019 => '\'',
        0x201C | 0x201D => '"',
        _ => c,
    };
    if c.is_ascii() {
        c.to_ascii_lowercase()
    } else if is_cjk(c) {
        to_simplified(c)
    } else {
        // Non-ASCII letters (é, Ä…): lowercase when it stays one character.
        let mut l = c.to_lowercase();
        match (l.next(), l.next()) {
            (Some(x), None) => x,
            _ => c,
        }
    }
}

/// Normalises `text` (see the module doc).
pub fn normalize(text: &str) -> Normalized {
    let mut out = String::with_capacity(text.len());
    let mut origin = Vec::with_capacity(text.len());
    // Byte offset of the first filler seen since the last kept CJK character: fillers are held
    // back until we know whether a CJK character follows (drop them) or not (replay them).
    let mut pending: Option<usize> = None;
    let mut last_kept_cjk = false;
    for (pos, raw) in text.char_indices() {
        if raw.is_ascii() && !is_filler(raw) {
            // Fast path: ASCII letters, digits and most punctuation.
            if let Some(p) = pending.take() {
                replay(text, p, pos, &mut out, &mut origin);
            }
            out.push(raw.to_ascii_lowercase());
            origin.push(pos as u32);
            last_kept_cjk = false;
            continue;
        }
        if is_zero_width(raw) {
            continue;
        }
        let c = fold(raw);
        if is_filler(c) && last_kept_cjk {
            pending.get_or_insert(pos);
            continue;
        }
        let cjk = is_cjk(c);
        match pending.take() {
            Some(p) if !cjk => replay(text, p, pos, &mut out, &mut origin),
            _ => {}
        }
        push(&mut out, &mut origin, c, pos);
        last_kept_cjk = cjk;
    }
    if let Some(p) = pending {
        replay(text, p, text.len(), &mut out, &mut origin);
    }
    Normalized { text: out, origin }
}

/// Emits the held-back fillers in `text[from..to]` (they turned out to be real text).
fn replay(text: &str, from: usize, to: usize, out: &mut String, origin: &mut Vec<u32>) {
    for (i, raw) in text[from..to].char_indices() {
        if !is_zero_width(raw) {
            push(out, origin, fold(raw), from + i);
        }
    }
}

#[inline]
fn push(out: &mut String, origin: &mut Vec<u32>, c: char, pos: usize) {
    out.push(c);
    origin.resize(out.len(), pos as u32);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_of_normalisations() {
        let cases = [
            ("保本保息", "保本保息"),
            ("保 本", "保本"),
            ("保.本 保*息", "保本保息"),
            ("内\u{200B}幕消息", "内幕消息"),
            ("ＧＵＡＲＡＮＴＥＥ　１０％", "guarantee 10%"),
            ("保證唔會蝕", "保证唔会蚀"),
            ("Hello World. 你好", "hello world. 你好"),
            ("a . b", "a . b"),
            ("内幕 abc", "内幕 abc"),
            ("删 - 除", "删除"),
            ("结尾。", "结尾。"),
        ];
        for (input, want) in cases {
            assert_eq!(normalize(input).text, want, "input {input:?}");
        }
    }

    #[test]
    fn offsets_map_back_to_the_original() {
        let text = "请 保.本！ＯＫ";
        let n = normalize(text);
        let s = n.text.find("保本").unwrap();
        let (a, b) = n.to_original(text, s, s + "保本".len());
        assert_eq!(&text[a..b], "保.本");
        let s = n.text.find("ok").unwrap();
        let (a, b) = n.to_original(text, s, s + 2);
        assert_eq!(&text[a..b], "ＯＫ");
        assert_eq!(n.origin.len(), n.text.len());
    }
}
