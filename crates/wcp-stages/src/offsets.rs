//! Byte offsets (what the detectors return) → Unicode code-point offsets (what records and
//! the `wcp detect` contract carry).

/// Converts byte offsets into one text. ASCII text (most English chat) needs no work.
pub struct CharOffsets<'a> {
    text: &'a str,
    ascii: bool,
}

impl<'a> CharOffsets<'a> {
    pub fn new(text: &'a str) -> CharOffsets<'a> {
        CharOffsets {
            text,
            ascii: text.is_ascii(),
        }
    }

    /// Code-point index of byte offset `byte` (must be a char boundary; clamped to the end).
    pub fn char_index(&self, byte: usize) -> u32 {
        let byte = byte.min(self.text.len());
        if self.ascii {
            return byte as u32;
        }
        self.text[..byte].chars().count() as u32
    }
}

/// Text of a code-point span.
pub fn slice_chars(text: &str, start: u32, end: u32) -> String {
    text.chars()
        .skip(start as usize)
        .take(end.saturating_sub(start) as usize)
        .collect()
}

/// Byte offset of code-point index `idx`.
pub fn byte_index(text: &str, idx: u32) -> usize {
    text.char_indices()
        .nth(idx as usize)
        .map(|(b, _)| b)
        .unwrap_or(text.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn conversions() {
        let t = "卡号6222 x";
        let o = CharOffsets::new(t);
        assert_eq!(o.char_index(6), 2);
        assert_eq!(o.char_index(10), 6);
        assert_eq!(o.char_index(100), 8);
        assert_eq!(byte_index(t, 2), 6);
        assert_eq!(slice_chars(t, 2, 6), "6222");
        assert_eq!(CharOffsets::new("abc").char_index(2), 2);
    }
}
