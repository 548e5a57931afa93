//! Text → hashed features, without allocating.
//!
//! The visitor [`for_each_text_feature`] calls back once per feature
//! occurrence with the feature's 64-bit hash and a small `Copy` description of
//! it. The scoring path ignores the description (the optimiser drops it); the
//! explanation path turns it back into a readable string.

/// Default number of hash bits (2^18 buckets: 512 KiB of 16-bit weights scored).
pub const DEFAULT_BITS: u8 = 18;
/// Smallest accepted bucket count exponent.
pub const MIN_BITS: u8 = 8;
/// Largest accepted bucket count exponent (keeps the dense table ≤ 64 MiB).
pub const MAX_BITS: u8 = 24;

// Tags keep the feature families apart in the hash space: the word "a" and
// the CJK unigram "a" must not share a bucket by construction.
const TAG_GRAM: u64 = 0x9e37_79b9_7f4a_7c15;
const TAG_WORD: u64 = 0xc2b2_ae3d_27d4_eb4f;
const TAG_BIGRAM: u64 = 0x1656_67b1_9e37_79f9;
const TAG_SYM: u64 = 0x27d4_eb2f_1656_67c5;
const TAG_EXTRA: u64 = 0x85eb_ca77_c2b2_ae63;
const K: u64 = 0x517c_c1b7_2722_0a95;

/// FxHash-style step: cheap and good enough once finished by [`bucket`].
#[inline(always)]
fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(5) ^ x).wrapping_mul(K)
}

/// Maps a feature hash to a bucket index in `0..2^bits` (high bits of a
/// multiplicative finaliser are the well-mixed ones).
#[inline(always)]
pub(crate) fn bucket(h: u64, bits: u8) -> usize {
    let h = (h ^ (h >> 29)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
    (h >> (64 - u32::from(bits))) as usize
}

/// What a feature occurrence was, cheap to copy; byte offsets index the
/// original text.
#[derive(Clone, Copy, Debug)]
pub(crate) enum Feat {
    Gram {
        chars: [char; 3],
        len: u8,
    },
    Word {
        start: u32,
        end: u32,
    },
    Bigram {
        first: (u32, u32),
        second: (u32, u32),
    },
    Sym(char),
}

/// Normalises one character: full-width ASCII → ASCII, ideographic space →
/// space, lower case, every digit → `0`.
#[inline(always)]
pub(crate) fn normalise(c: char) -> char {
    let c = match c {
        '\u{FF01}'..='\u{FF5E}' => char::from_u32(c as u32 - 0xFEE0).unwrap_or(c),
        '\u{3000}' => ' ',
        _ => c,
    };
    if c.is_ascii() {
        let c = c.to_ascii_lowercase();
        return if c.is_ascii_digit() { '0' } else { c };
    }
    if is_cjk(c) {
        // Han/kana/Hangul have no case and no digits: skip the Unicode tables.
        return c;
    }
    if c.is_uppercase() {
        return c.to_lowercase().next().unwrap_or(c);
    }
    if c.is_numeric() {
        return '0';
    }
    c
}

/// Han, kana and Hangul: scripts written without spaces, so they get
/// character n-grams instead of words.
#[inline(always)]
pub(crate) fn is_cjk(c: char) -> bool {
    matches!(c as u32,
        0x3040..=0x30FF | 0x3400..=0x4DBF | 0x4E00..=0x9FFF | 0xAC00..=0xD7AF
        | 0xF900..=0xFAFF | 0x20000..=0x2FA1F)
}

#[derive(Clone, Copy, PartialEq)]
enum Class {
    Cjk,
    Word,
    Space,
    Sym,
}

#[inline(always)]
fn class_of(c: char) -> Class {
    if is_cjk(c) {
        Class::Cjk
    } else if c.is_alphanumeric() || c == '_' {
        Class::Word
    } else if c.is_whitespace() {
        Class::Space
    } else {
        Class::Sym
    }
}

#[inline(always)]
fn end_word<F: FnMut(u64, Feat)>(
    f: &mut F,
    wh: u64,
    span: (u32, u32),
    prev: &mut Option<(u64, (u32, u32))>,
) {
    f(
        mix(TAG_WORD, wh),
        Feat::Word {
            start: span.0,
            end: span.1,
        },
    );
    if let Some((ph, pspan)) = *prev {
        f(
            mix(mix(TAG_BIGRAM, ph), wh),
            Feat::Bigram {
                first: pspan,
                second: span,
            },
        );
    }
    *prev = Some((wh, span));
}

/// Calls `f(hash, feat)` for every feature occurrence in `text`.
#[inline(always)]
pub(crate) fn for_each_text_feature<F: FnMut(u64, Feat)>(text: &str, mut f: F) {
    // CJK state: the last two characters of the current run and its length.
    let (mut g1, mut g2, mut run) = ('\0', '\0', 0u32);
    // Word state: hash and start of the word being read, and the previous
    // word for bigrams (kept across whitespace only).
    let (mut wh, mut wstart, mut in_word) = (0u64, 0u32, false);
    let mut prev: Option<(u64, (u32, u32))> = None;

    for (i, raw) in text.char_indices() {
        let c = normalise(raw);
        let class = class_of(c);
        let i = i as u32;
        if class != Class::Word && in_word {
            end_word(&mut f, wh, (wstart, i), &mut prev);
            in_word = false;
        }
        if class != Class::Word && class != Class::Space {
            prev = None;
        }
        if class != Class::Cjk {
            run = 0;
        }
        match class {
            Class::Word => {
                if !in_word {
                    in_word = true;
                    wstart = i;
                    wh = 0;
                }
                wh = mix(wh, c as u64);
            }
            Class::Space => {}
            Class::Sym => f(mix(TAG_SYM, c as u64), Feat::Sym(c)),
            Class::Cjk => {
                run += 1;
                f(
                    mix(TAG_GRAM, c as u64),
                    Feat::Gram {
                        chars: [c, '\0', '\0'],
                        len: 1,
                    },
                );
                if run >= 2 {
                    let h = mix(mix(TAG_GRAM ^ 2, g2 as u64), c as u64);
                    f(
                        h,
                        Feat::Gram {
                            chars: [g2, c, '\0'],
                            len: 2,
                        },
                    );
                }
                if run >= 3 {
                    let h = mix(mix(mix(TAG_GRAM ^ 3, g1 as u64), g2 as u64), c as u64);
                    f(
                        h,
                        Feat::Gram {
                            chars: [g1, g2, c],
                            len: 3,
                        },
                    );
                }
                g1 = g2;
                g2 = c;
            }
        }
    }
    if in_word {
        end_word(&mut f, wh, (wstart, text.len() as u32), &mut prev);
    }
}

/// Hash of a caller-named extra feature (event context, lexicon hits).
#[inline]
pub(crate) fn extra_hash(name: &str) -> u64 {
    name.bytes().fold(TAG_EXTRA, |h, b| mix(h, u64::from(b)))
}

/// Readable form of a feature occurrence, for explanations.
pub(crate) fn render(text: &str, feat: Feat) -> String {
    // One allocation of the right size per feature: this runs for every
    // explained decision, so growth reallocations would show in the stage.
    // SUFFIX leaves room for the caller's weight label (`:+0.42`).
    let push_norm = |out: &mut String, s: u32, e: u32| {
        let part = text.get(s as usize..e as usize).unwrap_or("");
        out.extend(part.chars().map(normalise));
    };
    match feat {
        Feat::Gram { chars, len } => {
            let mut out = String::with_capacity(12 + SUFFIX);
            out.extend(&chars[..usize::from(len)]);
            out
        }
        Feat::Word { start, end } => {
            let mut out = String::with_capacity((end - start) as usize + SUFFIX);
            push_norm(&mut out, start, end);
            out
        }
        Feat::Bigram { first, second } => {
            let mut out = String::with_capacity(
                (first.1 - first.0 + second.1 - second.0) as usize + 1 + SUFFIX,
            );
            push_norm(&mut out, first.0, first.1);
            out.push(' ');
            push_norm(&mut out, second.0, second.1);
            out
        }
        Feat::Sym(c) => {
            let mut out = String::with_capacity(4 + SUFFIX);
            out.push(c);
            out
        }
    }
}

/// Bytes reserved after a rendered feature for a `:+0.42`-style label.
const SUFFIX: usize = 8;

#[cfg(test)]
mod tests {
    use super::*;

    fn feats(text: &str) -> Vec<String> {
        let mut out = Vec::new();
        for_each_text_feature(text, |_, f| out.push(render(text, f)));
        out
    }

    #[test]
    fn cjk_runs_give_char_ngrams() {
        assert_eq!(feats("客户"), ["客", "户", "客户"]);
        let f = feats("买基金");
        assert!(f.contains(&"买基金".to_string()) && f.len() == 6);
    }

    #[test]
    fn latin_words_are_lowercased_with_digits_collapsed() {
        assert_eq!(feats("Call 10AM"), ["call", "00am", "call 00am"]);
    }

    #[test]
    fn bigrams_do_not_cross_cjk_or_punctuation() {
        let f = feats("risk的profile, ok");
        assert!(f.contains(&"risk".to_string()) && f.contains(&"profile".to_string()));
        assert!(!f.iter().any(|s| s.contains(' ')), "{f:?}");
    }

    #[test]
    fn fullwidth_normalises_to_ascii() {
        let mut a = Vec::new();
        for_each_text_feature("ＡＢＣ１２", |h, _| a.push(h));
        let mut b = Vec::new();
        for_each_text_feature("abc99", |h, _| b.push(h));
        assert_eq!(a, b);
    }

    #[test]
    fn symbols_are_features_and_families_do_not_collide() {
        assert_eq!(feats("好!"), ["好", "!"]);
        let mut w = 0;
        for_each_text_feature("a", |h, _| w = h);
        let mut g = 0;
        for_each_text_feature("ａ", |h, _| g = h);
        assert_eq!(w, g, "full-width a is the word a");
        assert_ne!(extra_hash("a"), w);
    }

    #[test]
    fn buckets_stay_in_range() {
        for h in [0u64, 1, u64::MAX, 0x1234_5678_9abc_def0] {
            assert!(bucket(h, 8) < 256);
            assert!(bucket(h, 24) < 1 << 24);
        }
    }
}
