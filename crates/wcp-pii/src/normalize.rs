//! Full-width → half-width folding with an offset map back to the original text.
//!
//! Chat typed on Chinese IMEs often carries full-width digits and letters (`１３８…`). The
//! recognizers only see ASCII, so a line that has any full-width alphanumerics is folded
//! once; every match offset is then mapped back so spans cover the text *as written*.
//! Lines without them (the vast majority) are scanned in place with no allocation.

/// Text to scan plus, when folding happened, a map from folded byte offset to original.
pub struct Folded<'a> {
    pub text: std::borrow::Cow<'a, str>,
    map: Vec<u32>,
}

impl<'a> Folded<'a> {
    pub fn new(src: &'a str) -> Folded<'a> {
        if !has_fullwidth_alnum(src) {
            return Folded {
                text: std::borrow::Cow::Borrowed(src),
                map: Vec::new(),
            };
        }
        let mut out = String::with_capacity(src.len());
        let mut map = Vec::with_capacity(src.len() + 1);
        for (i, c) in src.char_indices() {
            let f = fold_char(c);
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
