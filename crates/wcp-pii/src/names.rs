//! PERSON: full names in Chinese (surname table + given-name shape + context) and in
//! English/pinyin (first-name or surname tables + capitalised-word shape).
//!
//! Convention (see the labelling guide): full names only, titles and kinship words outside
//! the span; `王总`, `老王`, `小李`, `Mrs Wong`, bare first names are *not* names.

use crate::names_data::{
    CN_COMMON_WORDS, CN_SURNAMES, CN_SURNAMES2, CN_SURNAMES2_FIRST, EN_FIRST, EN_STOP, NOT_GIVEN,
    PINYIN_SURNAMES,
};

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// Characters that, right before a surname, show the name is not a name (这张卡, 老王, 小李).
const BAD_LEFT: &[char] = &[
    '这', '那', '一', '两', '几', '每', '小', '老', '阿', '大', '整', '半', '多', '該', '这', '這',
    '哪', '某', '各',
];
/// Han characters that may end the word just before a name (客户, 同事, 姓名, 帮, 是 …).
const LEFT_CTX: &[char] = &[
    '户', '戶', '事', '理', '名', '人', '子', '帮', '幫', '是', '了', '叫', '给', '給', '和', '跟',
    '找', '问', '問', '请', '請', '让', '讓', '由', '被', '把', '对', '對', '与', '與', '员', '員',
    '长', '長', '师', '師', '生', '姐', '哥', '弟', '妹', '爸', '妈', '媽', '婆', '公', '友', '学',
    '學', '新', '叫', '加', '联', '約', '约', '见', '見', '嘅', '的', '位', '系', '喺', '及', '或',
    '同', '收', '人', '代', '经', '經', '法', '签', '簽', '办', '辦', '管',
];
/// Han characters that may directly follow a full name (先生, 的, 收, 电话, 下周 …).
const RIGHT_CTX: &[char] = &[
    '先', '女', '小', '的', '收', '电', '電', '手', '身', '嘅', '下', '明', '今', '昨', '在', '是',
    '和', '跟', '把', '说', '說', '讲', '講', '要', '会', '會', '也', '已', '刚', '剛', '去', '来',
    '來', '从', '從', '家', '做', '负', '負', '发', '發', '打', '老', '同', '经', '經', '总', '總',
    '博', '教', '医', '醫', '律', '护', '護', '邮', '郵', '微', '帐', '账', '賬', '卡', '护', '入',
    '到', '对', '對', '给', '給', '生', '請', '请', '有', '都', '还', '還', '这', '這', '那', '上',
    '周', '週', '后', '後', '过', '過', '让', '讓', '啊', '呢', '吗', '嗎', '吧', '哈', '呀', '咯',
    '喔', '哦', '们', '們', '与', '與', '及', '或', '等', '帮', '幫', '被', '把', '向', '问', '問',
    '叫', '称', '稱', '提', '讲', '等', '想', '喺', '啲', '咗',
];

/// Words that introduce a full name in English chat.
const PERSON_CUES: &[&str] = &[
    "Hi",
    "Hey",
    "Dear",
    "Hello",
    "from",
    "From",
    "call",
    "Call",
    "attn",
    "Attn",
    "beneficiary",
    "client",
    "Client",
    "named",
    "met",
    "meet",
    "with",
    "cc",
    "Cc",
    "contact",
    "ask",
    "tell",
    "thank",
    "Thanks",
    "thanks",
    "by",
    "is",
];

type Sink<'a> = dyn FnMut(&'static str, usize, usize, f32) + 'a;

/// Report each full name in `t` as (entity, start, end, score).
pub fn find(t: &str, out: &mut Sink) {
    if t.bytes().any(|b| b >= 0xE4) {
        chinese(t, out);
    }
    if t.bytes().any(|b| b.is_ascii_uppercase()) {
        english(t, out);
    }
}

const HAN_BASE: u32 = 0x4E00;
const HAN_WORDS: usize = (0xA000 - 0x4E00) / 64;

/// One bit per CJK Unified Ideograph: set when the character starts a surname (single or
/// compound). Built at compile time so the per-character test is a load and a shift.
static SURNAME_START: [u64; HAN_WORDS] = {
    let mut bits = [0u64; HAN_WORDS];
    let mut i = 0;
    while i < CN_SURNAMES.len() {
        let c = CN_SURNAMES[i] as u32 - HAN_BASE;
        bits[(c / 64) as usize] |= 1 << (c % 64);
        i += 1;
    }
    let mut j = 0;
    while j < CN_SURNAMES2_FIRST.len() {
        let c = CN_SURNAMES2_FIRST[j] as u32 - HAN_BASE;
        bits[(c / 64) as usize] |= 1 << (c % 64);
        j += 1;
    }
    bits
};

fn may_start_surname(c: char) -> bool {
    is_han(c) && {
        let k = c as u32 - HAN_BASE;
        SURNAME_START[(k / 64) as usize] >> (k % 64) & 1 == 1
    }
}

fn surname_len(chars: &[(usize, char)], i: usize) -> usize {
    let c = chars[i].1;
    if !may_start_surname(c) {
        return 0;
    }
    if let Some(&(_, next)) = chars
        .get(i + 1)
        .filter(|_| CN_SURNAMES2_FIRST.binary_search(&c).is_ok())
    {
        let compound = CN_SURNAMES2.iter().any(|p| {
            let mut it = p.chars();
            it.next() == Some(c) && it.next() == Some(next)
        });
        if compound {
            return 2;
        }
    }
    usize::from(CN_SURNAMES.binary_search(&c).is_ok())
}

fn is_common_word(a: char, b: char) -> bool {
    let mut buf = [0u8; 8];
    let la = a.encode_utf8(&mut buf).len();
    let lb = b.encode_utf8(&mut buf[la..]).len();
    std::str::from_utf8(&buf[..la + lb]).is_ok_and(|w| CN_COMMON_WORDS.binary_search(&w).is_ok())
}

fn given_ok(c: char) -> bool {
    is_han(c) && NOT_GIVEN.binary_search(&c).is_err()
}

fn chinese(t: &str, out: &mut Sink) {
    if !t.chars().any(may_start_surname) {
        return;
    }
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    let mut i = 0;
    while i < chars.len() {
        let sl = surname_len(&chars, i);
        if sl == 0 {
            i += 1;
            continue;
        }
        let prev = i.checked_sub(1).map(|p| chars[p].1);
        let left_ok = match prev {
            None => Some(0.6),
            Some(p) if !is_han(p) => Some(0.6),
            Some(p) if BAD_LEFT.contains(&p) => None,
            Some(p) if LEFT_CTX.contains(&p) => Some(0.85),
            Some(_) => None,
        };
        let Some(left) = left_ok else {
            i += 1;
            continue;
        };
        let g = i + sl;
        let at = |k: usize| chars.get(k).map(|c| c.1);
        if sl == 1 && at(g).is_some_and(|n| is_common_word(chars[i].1, n)) {
            i += 1;
            continue;
        }
        let right_stop = |k: usize| at(k).is_none_or(|c| !is_han(c) || RIGHT_CTX.contains(&c));
        // prefer a two-character given name, then one; the character after must end the name
        let len = if at(g).is_some_and(given_ok)
            && at(g + 1).is_some_and(given_ok)
            && right_stop(g + 2)
        {
            Some(2)
        } else if at(g).is_some_and(given_ok) && right_stop(g + 1) {
            Some(1)
        } else {
            None
        };
        if let Some(n) = len {
            let end_idx = g + n;
            let end = chars.get(end_idx).map_or(t.len(), |c| c.0);
            let right_ctx = at(end_idx).is_some_and(is_han);
            let score = if left > 0.6 || right_ctx { 0.85 } else { left };
            out("PERSON", chars[i].0, end, score);
            i = end_idx;
        } else {
            i += 1;
        }
    }
}

/// A capitalised word: `Evelyn`, `Szöllösy`, hyphenated `Jean-Luc`, `O'Neil`.
fn cap_word(w: &str) -> bool {
    let mut cs = w.chars();
    let (Some(a), Some(b)) = (cs.next(), cs.next()) else {
        return false;
    };
    a.is_uppercase() && b.is_lowercase() && cs.all(|c| c.is_lowercase() || c == '-' || c == '\'')
}

/// Latin-script letter (accents included), not CJK.
fn letter(c: char) -> bool {
    c.is_alphabetic() && (c.is_ascii() || ('\u{C0}'..='\u{24F}').contains(&c))
}

/// Pinyin-shaped given name (one or two syllables): letters only, has a vowel, ≤ 12 chars.
fn pinyin_given(w: &str) -> bool {
    w.len() <= 12
        && w.bytes().skip(1).all(|c| c.is_ascii_lowercase())
        && w.bytes().any(|c| b"aeiou".contains(&c))
}

/// `Aa Bb` somewhere: two capitalised words separated by one space.
fn has_cap_pair(b: &[u8]) -> bool {
    b.windows(4).any(|w| {
        w[0].is_ascii_lowercase()
            && w[1] == b' '
            && w[2].is_ascii_uppercase()
            && w[3].is_ascii_lowercase()
    })
}

fn english(t: &str, out: &mut Sink) {
    if !has_cap_pair(t.as_bytes()) {
        return;
    }
    // word spans of Latin letters (apostrophes and hyphens inside words kept, possessive 's dropped)
    let b = t.as_bytes();
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut it = t.char_indices().peekable();
    while let Some((s, c)) = it.next() {
        if !letter(c) {
            continue;
        }
        let mut e = s + c.len_utf8();
        while let Some(&(i, c)) = it.peek() {
            let joined = (c == '-' || c == '\'') && t[i + 1..].chars().next().is_some_and(letter);
            if !(letter(c) || joined) {
                break;
            }
            e = i + c.len_utf8();
            it.next();
        }
        if t[s..e].ends_with("'s") {
            e -= 2;
        }
        words.push((s, e));
    }
    let w = |k: usize| &t[words[k].0..words[k].1];
    // only a single space between the two words of a name
    let adjacent = |a: usize, z: usize| words[z].0 == words[a].1 + 1 && b[words[a].1] == b' ';
    let mut k = 0;
    while k + 1 < words.len() {
        let (first, last) = (w(k), w(k + 1));
        if !(cap_word(first) && cap_word(last) && adjacent(k, k + 1))
            || EN_STOP.contains(&first)
            || EN_STOP.contains(&last)
        {
            k += 1;
            continue;
        }
        let known_first = EN_FIRST.binary_search(&first).is_ok();
        let pinyin =
            PINYIN_SURNAMES.binary_search(&first).is_ok() && pinyin_given(last) && !known_first;
        let title = k > 0
            && matches!(
                w(k - 1),
                "Mr" | "Mrs" | "Ms" | "Miss" | "Dr" | "Prof" | "Mdm" | "Madam" | "Sir"
            );
        // given name first, surname last: "Wei Zhang", "Priya Tan"
        let pinyin_last = PINYIN_SURNAMES.binary_search(&last).is_ok() && pinyin_given(first);
        // a word that introduces a person right before the pair: "Hi Chloe Tan", "from Sarah Lim"
        let cue = k > 0 && adjacent(k - 1, k) && PERSON_CUES.contains(&w(k - 1));
        if known_first || pinyin || title || pinyin_last || cue {
            let strong = known_first || title;
            out(
                "PERSON",
                words[k].0,
                words[k + 1].1,
                if strong { 0.85 } else { 0.7 },
            );
            k += 2;
        } else {
            k += 1;
        }
    }
}
