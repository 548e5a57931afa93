//! Full-width → half-width folding with an offset map back to the original text.
//!
//! Chat typed on Chinese IMEs often carries full-width digits and letters (`１３８…`), and
//! numbers are sometimes spelt in Chinese numerals to dodge filters (`一三八 一二三四 五六七八`,
//! `幺三八…`). The recognizers only see ASCII, so a line that has any full-width
//! alphanumerics, or a run of at least [`NUMERAL_RUN`] digit-like characters with Chinese
//! numerals in it, is folded once; every match offset is then mapped back so spans cover
//! the text *as written*. Lines without them (the vast majority) are scanned in place with
//! no allocation.

/// Shortest run of digit-like characters (Chinese numerals, digits, one space or dash
/// between them) whose numerals are read as digits: short runs are words (`一一`, `三五个`).
pub const NUMERAL_RUN: usize = 7;

/// Text to scan plus, when folding happened, a map from folded byte offset to original.
pub struct Folded<'a> {
    pub text: std::borrow::Cow<'a, str>,
    map: Vec<u32>,
}

impl<'a> Folded<'a> {
    pub fn new(src: &'a str) -> Folded<'a> {
        let numerals = numeral_runs(src);
        if !has_fullwidth_alnum(src) && numerals.is_empty() {
            return Folded {
                text: std::borrow::Cow::Borrowed(src),
                map: Vec::new(),
            };
        }
        let mut out = String::with_capacity(src.len());
        let mut map = Vec::with_capacity(src.len() + 1);
        for (i, c) in src.char_indices() {
            let in_run = numerals.iter().any(|&(s, e)| s <= i && i < e);
            let f = match numeral_digit(c) {
                Some(d) if in_run => d,
                _ => fold_char(c),
            };
            for _ in 0..f.len_utf8() {
                map.push(i as u32);
            }
            out.push(f);
        }
        map.push(src.len() as u32);
        Folded {
            text: std::borrow::Cow::Owned(out),
            map,
        }
    }

    /// Map a byte offset in the folded text back to the original text.
    pub fn orig(&self, off: usize) -> usize {
        if self.map.is_empty() {
            off
        } else {
            self.map[off] as usize
        }
    }
}

/// Full-width ASCII variants (U+FF01..U+FF5E) and the ideographic space fold to ASCII.
pub fn fold_char(c: char) -> char {
    match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    }
}

/// U+FF10..FF19, FF21..FF3A, FF41..FF5A are EF BC 90..99, EF BC A1..BA, EF BD 81..9A; also
/// fold when a full-width '+', '@', '-' or '.' sits next to them (same lead bytes).
fn has_fullwidth_alnum(s: &str) -> bool {
    let b = s.as_bytes();
    let mut i = 0;
    while i + 2 < b.len() {
        if b[i] == 0xEF {
            let (x, y) = (b[i + 1], b[i + 2]);
            if (x == 0xBC
                && ((0x90..=0x99).contains(&y) || (0xA1..=0xBA).contains(&y) || y == 0xA0))
                || (x == 0xBD && (0x81..=0x9A).contains(&y))
            {
                return true;
            }
        }
        i += 1;
    }
    false
}

/// The digit a Chinese numeral stands for when numbers are read out digit by digit
/// (`幺` for one, `两` for two, `洞` for zero, as on the phone).
pub fn numeral_digit(c: char) -> Option<char> {
    Some(match c {
        '〇' | '零' | '洞' => '0',
        '一' | '壹' | '幺' => '1',
        '二' | '贰' | '貳' | '两' | '兩' => '2',
        '三' | '叁' | '參' => '3',
        '四' | '肆' => '4',
        '五' | '伍' => '5',
        '六' | '陆' | '陸' => '6',
        '七' | '柒' | '拐' => '7',
        '八' | '捌' => '8',
        '九' | '玖' | '勾' => '9',
        _ => return None,
    })
}

/// Byte ranges of runs of ≥ [`NUMERAL_RUN`] digit-like characters (numerals, ASCII and
/// full-width digits, single spaces or dashes between them) with at least three numerals.
fn numeral_runs(s: &str) -> Vec<(usize, usize)> {
    // Every Chinese numeral is a 3-byte character starting E3, E4, E5, E6, E7, E9 or E6:
    // skip the walk for pure-ASCII lines.
    if s.is_ascii() {
        return Vec::new();
    }
    let digit_like = |c: char| numeral_digit(c).is_some() || fold_char(c).is_ascii_digit();
    let mut runs = Vec::new();
    let (mut start, mut end, mut len, mut cn) = (0, 0, 0usize, 0usize);
    let mut gap = false;
    for (i, c) in s.char_indices() {
        if digit_like(c) {
            if len == 0 {
                start = i;
            }
            len += 1;
            cn += usize::from(numeral_digit(c).is_some());
            end = i + c.len_utf8();
            gap = false;
        } else if len > 0 && !gap && matches!(c, ' ' | '-' | '\u{3000}') {
            gap = true;
        } else {
            if len >= NUMERAL_RUN && cn >= 3 {
                runs.push((start, end));
            }
            len = 0;
            cn = 0;
            gap = false;
        }
    }
    if len >= NUMERAL_RUN && cn >= 3 {
        runs.push((start, end));
    }
    runs
}
