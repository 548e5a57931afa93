//! Anonymisation recall: what `wcp detect` leaves out on purpose (its spans follow the
//! labelling convention: full names, street addresses with a house number) but an
//! anonymiser must not leave in clear, because a reader who knows the people can still
//! tell who it is: surnames with a title or kinship word (`王先生`, `老王`, `Mr. Wong`),
//! given names on their own (`Lisa`, `阿May`, `@王伟`), addresses without a house number or
//! with floors and rooms (`浦东新区世纪大道`, `Flat 12B`), identifiers named by a label
//! (`工号 A10023`, `passport no. K1234567`), and any other long number.
//! Run only by [`crate::PiiDetector::anonymising`]; precision matters less here than
//! leaving no one identifiable.

use aho_corasick::{AhoCorasick, MatchKind};

use crate::names_data::{EN_FIRST, EN_STOP, NOT_GIVEN};

type Sink<'a> = dyn FnMut(&'static str, usize, usize, f32) + 'a;

const SCORE: f32 = 0.5;

/// Report every recall span of `t` (already folded to ASCII digits).
pub fn find(t: &str, out: &mut Sink) {
    labelled(t, out);
    long_numbers(t, out);
    if !t.is_ascii() {
        titled_cn(t, out);
        crate::recall_names::find(t, out);
        crate::recall_addr::chinese(t, out);
    }
    english_names(t, out);
    crate::recall_addr::english(t, out);
    crate::recall_more::find(t, out);
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

/// (label, entity): the token after the label is that identifier.
const LABELS: &[(&str, &str)] = &[
    ("工号", "EMPLOYEE_ID"),
    ("工號", "EMPLOYEE_ID"),
    ("员工卡", "EMPLOYEE_ID"),
    ("員工卡", "EMPLOYEE_ID"),
    ("经理编号", "EMPLOYEE_ID"),
    ("經理編號", "EMPLOYEE_ID"),
    ("邮编", "LOCATION"),
    ("郵編", "LOCATION"),
    ("員工號", "EMPLOYEE_ID"),
    ("员工号", "EMPLOYEE_ID"),
    ("员工编号", "EMPLOYEE_ID"),
    ("員工編號", "EMPLOYEE_ID"),
    ("staff id", "EMPLOYEE_ID"),
    ("staff no", "EMPLOYEE_ID"),
    ("staff number", "EMPLOYEE_ID"),
    ("employee id", "EMPLOYEE_ID"),
    ("employee no", "EMPLOYEE_ID"),
    ("employee number", "EMPLOYEE_ID"),
    ("emp id", "EMPLOYEE_ID"),
    ("emp no", "EMPLOYEE_ID"),
    ("护照", "PASSPORT"),
    ("護照", "PASSPORT"),
    ("passport", "PASSPORT"),
    ("驾照", "DRIVER_LICENSE"),
    ("駕照", "DRIVER_LICENSE"),
    ("驾驶证", "DRIVER_LICENSE"),
    ("駕駛證", "DRIVER_LICENSE"),
    ("driving licence", "DRIVER_LICENSE"),
    ("driving license", "DRIVER_LICENSE"),
    ("driver's license", "DRIVER_LICENSE"),
    ("driver license", "DRIVER_LICENSE"),
    ("证件号", "ID_NUMBER"),
    ("證件號", "ID_NUMBER"),
    ("身份证", "ID_NUMBER"),
    ("身份證", "ID_NUMBER"),
    ("id no", "ID_NUMBER"),
    ("id number", "ID_NUMBER"),
    ("账号", "BANK_ACCOUNT"),
    ("帐号", "BANK_ACCOUNT"),
    ("賬號", "BANK_ACCOUNT"),
    ("帳號", "BANK_ACCOUNT"),
    ("账户", "BANK_ACCOUNT"),
    ("賬戶", "BANK_ACCOUNT"),
    ("卡号", "BANK_ACCOUNT"),
    ("卡號", "BANK_ACCOUNT"),
    ("account", "BANK_ACCOUNT"),
    ("acct", "BANK_ACCOUNT"),
    ("a/c", "BANK_ACCOUNT"),
    ("swift", "BANK_ROUTING"),
    ("bic", "BANK_ROUTING"),
    ("routing", "BANK_ROUTING"),
    ("aba", "BANK_ROUTING"),
    ("sort code", "BANK_ROUTING"),
    ("联行号", "BANK_ROUTING"),
    ("聯行號", "BANK_ROUTING"),
    ("cnaps", "BANK_ROUTING"),
    ("车牌", "LICENSE_PLATE"),
    ("車牌", "LICENSE_PLATE"),
    ("plate", "LICENSE_PLATE"),
    ("通行证", "CN_TRAVEL_PERMIT"),
    ("通行證", "CN_TRAVEL_PERMIT"),
    ("回乡证", "CN_TRAVEL_PERMIT"),
    ("回鄉證", "CN_TRAVEL_PERMIT"),
    ("台胞证", "CN_TRAVEL_PERMIT"),
    ("台胞證", "CN_TRAVEL_PERMIT"),
    ("permit", "CN_TRAVEL_PERMIT"),
    ("qq", "QQ_NUMBER"),
    ("微信", "WECHAT_ID"),
    ("wechat", "WECHAT_ID"),
    ("weixin", "WECHAT_ID"),
    ("wx", "WECHAT_ID"),
    ("vx", "WECHAT_ID"),
    ("v信", "WECHAT_ID"),
    ("企微", "WECHAT_ID"),
    ("企业微信", "WECHAT_ID"),
    ("企業微信", "WECHAT_ID"),
    ("ig", "INSTAGRAM_ID"),
    ("instagram", "INSTAGRAM_ID"),
    ("小红书", "SOCIAL_ID"),
    ("小紅書", "SOCIAL_ID"),
    ("抖音", "SOCIAL_ID"),
    ("facebook", "SOCIAL_ID"),
    ("twitter", "SOCIAL_ID"),
    ("telegram", "TELEGRAM_ID"),
    ("whatsapp", "PHONE_NUMBER"),
    ("line id", "LINE_ID"),
    ("客户号", "CUSTOMER_ID"),
    ("客戶號", "CUSTOMER_ID"),
    ("会员号", "CUSTOMER_ID"),
    ("client id", "CUSTOMER_ID"),
    ("customer id", "CUSTOMER_ID"),
    ("customer no", "CUSTOMER_ID"),
    ("社保号", "ID_NUMBER"),
    ("社保號", "ID_NUMBER"),
    ("nric", "ID_NUMBER"),
    ("hkid", "ID_NUMBER"),
];

/// Words between a label and its value (`号码`, `number`, `:`, `是` …).
const FILLERS: &[&str] = &[
    "号码",
    "號碼",
    "号",
    "號",
    "码",
    "碼",
    "id",
    "number",
    "no.",
    "no",
    "#",
    "是",
    "为",
    "為",
    ":",
    "：",
    "-",
    " ",
    "\u{3000}",
    "=",
    "叫",
    "名",
    "is",
    "是不是",
    ".",
    "係",
    "系",
];

/// Every occurrence of every label, overlaps included: one pass over the line instead of a
/// substring search per label (~100 searches per line were most of the anonymiser's time).
static LABEL_AC: std::sync::LazyLock<AhoCorasick> = std::sync::LazyLock::new(|| {
    AhoCorasick::builder()
        .match_kind(MatchKind::Standard)
        .build(LABELS.iter().map(|(label, _)| label))
        .expect("recall labels build")
});

/// (label index, byte offset) of each label occurrence in `lower`, label by label and left
/// to right within a label, an occurrence overlapping the label's previous one skipped: what
/// a `find` loop per label, resuming after each occurrence, reports, in the same order.
fn label_occurrences(lower: &str) -> Vec<(usize, usize)> {
    let mut found: Vec<(usize, usize)> = LABEL_AC
        .find_overlapping_iter(lower)
        .map(|m| (m.pattern().as_usize(), m.start()))
        .collect();
    found.sort_unstable();
    let mut resume = (usize::MAX, 0);
    found.retain(|&(k, at)| {
        if resume.0 == k && at < resume.1 {
            return false;
        }
        resume = (k, at + LABELS[k].0.len());
        true
    });
    found
}

fn labelled(t: &str, out: &mut Sink) {
    let lower = t.to_ascii_lowercase();
    for (k, at) in label_occurrences(&lower) {
        let (label, entity) = LABELS[k];
        let from = at + label.len();
        // an ASCII label is a word of its own (`aba` not in `abandon`)
        let b = lower.as_bytes();
        if label.is_ascii()
            && (at > 0 && b[at - 1].is_ascii_alphanumeric()
                || b.get(from).is_some_and(u8::is_ascii_alphabetic))
        {
            continue;
        }
        let mut i = from;
        'fill: loop {
            for f in FILLERS {
                if lower[i..].starts_with(f) {
                    i += f.len();
                    continue 'fill;
                }
            }
            break;
        }
        let s = i;
        while i < b.len()
            && (b[i].is_ascii_alphanumeric() || matches!(b[i], b'_' | b'-' | b'.' | b'(' | b')'))
        {
            i += 1;
        }
        let tok = t[s..i].trim_end_matches(['.', '-', ')']);
        let e = s + tok.len();
        let digits = tok.bytes().filter(u8::is_ascii_digit).count();
        let handle = matches!(
            entity,
            "WECHAT_ID" | "TELEGRAM_ID" | "LINE_ID" | "INSTAGRAM_ID" | "SOCIAL_ID"
        );
        // SWIFT/BIC codes are letters: 8 or 11 characters
        let bic = entity == "BANK_ROUTING"
            && matches!(tok.len(), 8 | 11)
            && tok
                .bytes()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        if (digits >= 3 || bic || (handle && tok.len() >= 5)) && tok.len() >= 4 {
            out(entity, s, e, SCORE);
        }
    }
}

/// Any run of ≥ 9 digits identifies something. Inside the run: single spaces or dashes,
/// full-width dashes (`021－5489－2301`) and an area code in brackets (`+86 (27) 8571`).
/// Glued to letters before it (`Visa4761 2905 5870 9646`) it takes ≥ 12 digits.
fn long_numbers(t: &str, out: &mut Sink) {
    let b = t.as_bytes();
    let sep = |i: usize| -> usize {
        // the separator's length at `i` when a digit follows it (at most two separators)
        let one = |j: usize| match b.get(j) {
            Some(b' ' | b'-' | b'(' | b')') => 1,
            Some(0xEF) if t[j..].starts_with('－') => 3,
            _ => 0,
        };
        let a = one(i);
        if a == 0 {
            return 0;
        }
        if b.get(i + a).is_some_and(u8::is_ascii_digit) {
            return a;
        }
        let c = one(i + a);
        if c > 0 && b.get(i + a + c).is_some_and(u8::is_ascii_digit) {
            a + c
        } else {
            0
        }
    };
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_digit() || (i > 0 && b[i - 1].is_ascii_digit()) {
            i += 1;
            continue;
        }
        let glued = i > 0 && b[i - 1].is_ascii_alphabetic();
        let s = i;
        let (mut n, mut e) = (0, i);
        while i < b.len() {
            if b[i].is_ascii_digit() {
                n += 1;
                i += 1;
                e = i;
            } else {
                match sep(i) {
                    0 => break,
                    k => i += k,
                }
            }
        }
        let long = if glued { n >= 12 } else { n >= 9 };
        if long && !b.get(e).is_some_and(u8::is_ascii_alphabetic) {
            out("NUMBER", s, e, SCORE);
        }
        i = e.max(s + 1);
    }
}

/// Chinese titles and kinship words that follow a surname.
const TITLES: &[&str] = &[
    "先生", "女士", "小姐", "太太", "夫人", "老师", "老師", "经理", "經理", "总监", "總監", "主任",
    "处长", "處長", "科长", "科長", "局长", "局長", "院长", "院長", "行长", "行長", "部长", "部長",
    "医生", "醫生", "律师", "律師", "博士", "教授", "阿姨", "叔叔", "伯伯", "老板", "老闆", "总",
    "總", "董", "哥", "姐", "生", "太", "工", "sir", "Sir", "生生", "SIR", "Madam", "madam",
    "Miss", "miss",
];
/// Characters after `总` that make a word (总结, 总共 …), not a title.
const NOT_AFTER_ZONG: &[char] = &[
    '结', '結', '共', '体', '體', '额', '額', '计', '計', '之', '算', '量', '数', '數', '是', '部',
    '部',
];

fn titled_cn(t: &str, out: &mut Sink) {
    let chars: Vec<(usize, char)> = t.char_indices().collect();
    for k in 0..chars.len() {
        let (i, c) = chars[k];
        if !crate::recall_names::surname(c) {
            continue;
        }
        let end = i + c.len_utf8();
        let prev = k.checked_sub(1).map(|p| chars[p].1);
        // 老王, 小李, 阿陈: the prefix identifies as much as a title
        // (`老师`, `小时` are words, not a surname with a prefix)
        let prefixed = matches!(prev, Some('老' | '小' | '阿'))
            && !crate::recall_names::prefix_word(&t[i - 3..end]);
        let rest = &t[end..];
        let title = TITLES.iter().find(|ti| rest.starts_with(**ti)).copied();
        let title_ok = title.is_some_and(|ti| {
            let after = rest[ti.len()..].chars().next();
            !(matches!(ti, "总" | "總") && after.is_some_and(|a| NOT_AFTER_ZONG.contains(&a)))
        });
        // a Han character before the surname that makes a word with it (上周, 这张): skip
        let glued =
            prev.is_some_and(|p| is_han(p) && "上下本这這那每前后後两兩一几幾某各整".contains(p));
        // a title of two characters is evidence enough (`一下杨经理`: `下杨` is no word)
        let strong_title = title_ok && title.is_some_and(|ti| ti.chars().count() >= 2);
        if (title_ok || (prefixed && !rest.starts_with(is_han_word_tail)))
            && (!glued || strong_title)
        {
            // The title goes too (陈太, 張生, 黎sir): with the surname it points at one person.
            let end = if title_ok {
                end + title.map_or(0, str::len)
            } else {
                end
            };
            // `陳大文先生`: the title follows the given name, whose last character may be a
            // surname too; the name starts at a surname one or two characters back
            let start = if title_ok { name_start(&chars, k) } else { i };
            out("PERSON", start, end, SCORE);
        }
    }
}

/// Where a name ends at `chars[k]` (a title follows): at the surname one or two characters
/// before it, when there is one and nothing between is a particle (`的`, `和`).
fn name_start(chars: &[(usize, char)], k: usize) -> usize {
    let han =
        |j: usize| is_han(chars[j].1) && !"的嘅和跟与與是在及或把给給让讓".contains(chars[j].1);
    for back in [2, 1] {
        let Some(p) = k.checked_sub(back) else {
            continue;
        };
        if crate::recall_names::surname(chars[p].1) && (p..k).all(han) {
            return chars[p].0;
        }
    }
    chars[k].0
}

/// After 老X/小X, a following Han character usually makes a word (小米, 老板): only a
/// non-Han character or a particle ends a nickname.
fn is_han_word_tail(c: char) -> bool {
    is_han(c) && !"的说說和跟在是呢吗嗎啊呀吧了也都还還就要会會".contains(c)
}

/// Words capitalised at the start of a sentence that are also given names.
const AMBIGUOUS: &[&str] = &[
    "Grace", "Mark", "Will", "May", "Hope", "Joy", "Summer", "June", "April", "Rose", "Faith",
    "Chase", "Art", "Bill", "Sky", "Angel", "Dawn", "Jade", "Amber", "Frank", "Bob", "Sunny",
    "Candy", "Cherry",
];
const EN_TITLES: &[&str] = &[
    "Mr", "Mrs", "Ms", "Miss", "Dr", "Prof", "Mdm", "Madam", "Sir", "Uncle", "Auntie", "Aunty",
    "Mister", "Herr", "Frau", "Ah",
];

fn cap(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(|c| c.is_ascii_uppercase())
        && cs.all(|c| c.is_ascii_lowercase() || c == '\'' || c == '-')
        && w.len() >= 2
}

/// Given names the shared table (`names_data::EN_FIRST`, also used by `wcp detect`) lacks;
/// sorted. Only the anonymiser looks them up.
const EN_FIRST_MORE: &[&str] = &[
    "Ada",
    "Adele",
    "Agnes",
    "Ahmad",
    "Aileen",
    "Aisyah",
    "Alfred",
    "Alison",
    "Alma",
    "Alvina",
    "Amelia",
    "Anand",
    "Anh",
    "Anita",
    "Annie",
    "Aziz",
    "Azlan",
    "Beatrice",
    "Becky",
    "Bernard",
    "Bertha",
    "Bonnie",
    "Camille",
    "Candice",
    "Carmen",
    "Cecilia",
    "Cedric",
    "Celia",
    "Charlene",
    "Cherie",
    "Christy",
    "Clara",
    "Clarence",
    "Claudia",
    "Darren",
    "Edith",
    "Edmond",
    "Edmund",
    "Elsa",
    "Elsie",
    "Enoch",
    "Ernest",
    "Eunice",
    "Faizal",
    "Fanny",
    "Farah",
    "Farid",
    "Florence",
    "Freddie",
    "Gilbert",
    "Gwen",
    "Hafiz",
    "Haruka",
    "Herbert",
    "Hilda",
    "Horace",
    "Howard",
    "Jacky",
    "Jess",
    "Joanna",
    "Jocelyn",
    "Josephine",
    "Julia",
    "Kathy",
    "Kavita",
    "Kristy",
    "Linh",
    "Livia",
    "Lorraine",
    "Maureen",
    "Maxine",
    "Minh",
    "Miranda",
    "Monica",
    "Nurul",
    "Patsy",
    "Percy",
    "Phyllis",
    "Priscilla",
    "Quincy",
    "Rajesh",
    "Ramesh",
    "Regina",
    "Rosalind",
    "Sabrina",
    "Siti",
    "Suresh",
    "Tammy",
    "Thanh",
    "Tommy",
    "Tuan",
    "Ursula",
    "Valerie",
    "Vera",
    "Veronica",
    "Vikram",
    "Wallace",
    "Winson",
    "Zainal",
];

/// The end of up to three name words after a title ending at `e` (`Mr. O'Brien`,
/// `Herr Müller`, `Mr. Huang Chien-Ming`): each begins with a capital letter, Latin letters
/// of any case, apostrophes and hyphens inside.
fn titled_name_end(t: &str, e: usize) -> Option<usize> {
    let mut i = e;
    let rest = &t[i..];
    let gap = rest.len() - rest.trim_start_matches(['.', ' ']).len();
    if gap == 0 || gap > 2 {
        return None;
    }
    i += gap;
    let mut last = None;
    for _ in 0..3 {
        let mut cs = t[i..].char_indices();
        if !cs.next().is_some_and(|(_, c)| c.is_uppercase()) {
            break;
        }
        let len = cs
            .find(|&(_, c)| !(c.is_alphabetic() && !is_han(c) || c == '\'' || c == '-'))
            .map_or(t.len() - i, |(n, _)| n);
        let word = &t[i..i + len];
        if len < 2 || word.ends_with(['\'', '-']) {
            break;
        }
        last = Some(i + word.strip_suffix("'s").map_or(len, str::len));
        i += len;
        if !t[i..].starts_with(' ') {
            break;
        }
        i += 1;
    }
    last
}

/// Words before a single name (`Hi Kelly`, `cc Bernice`, `客户Eunice`, `俾Ada`).
const EN_CUES: &[&str] = &[
    "Hi",
    "Hey",
    "Dear",
    "Hello",
    "Thanks",
    "thanks",
    "Thank you",
    "thank you",
    "Thx",
    "thx",
    "cc",
    "Cc",
    "CC",
    "ask",
    "Ask",
    "tell",
    "Tell",
    "ping",
    "Ping",
    "call",
    "met",
    "with",
    "Attn",
    "attn",
];
const HAN_CUES: &str = "同叫問问找俾畀给給跟和请請户戶事俾";
/// Capitalised words after a cue that are not names.
const NOT_NAMES: &[&str] = &[
    "All",
    "Team",
    "Everyone",
    "Guys",
    "Sir",
    "Madam",
    "Boss",
    "Both",
    "There",
    "Again",
    "Mr",
    "Ms",
    "Mrs",
    "Dr",
    "The",
    "You",
    "Me",
    "Him",
    "Her",
    "Them",
    "Us",
    "It",
    "This",
    "That",
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Today",
    "Tomorrow",
    "Morning",
    "Noon",
    "Tonight",
    "Please",
    "Pls",
    "Ok",
    "Okay",
    "Yes",
    "No",
];

fn after_person_cue(t: &str, s: usize) -> bool {
    let head = &t[..s];
    if head
        .chars()
        .next_back()
        .is_some_and(|c| HAN_CUES.contains(c))
    {
        return true;
    }
    let Some(head) = head.strip_suffix(' ') else {
        return false;
    };
    // the word before (`Thank you`: the two words)
    fn word(h: &str) -> &str {
        let n = h.bytes().rev().take_while(u8::is_ascii_alphabetic).count();
        &h[h.len() - n..]
    }
    let prev = word(head);
    if prev.is_empty() {
        return false;
    }
    let two = head.len() - prev.len();
    let cue = if matches!(prev, "you") && head[..two].ends_with(' ') {
        &head[two - 1 - word(&head[..two - 1]).len()..]
    } else {
        prev
    };
    EN_CUES.contains(&cue)
}

fn english_names(t: &str, out: &mut Sink) {
    let b = t.as_bytes();
    // ASCII word spans
    let mut words: Vec<(usize, usize)> = Vec::new();
    let mut i = 0;
    while i < b.len() {
        if b[i].is_ascii_alphabetic() {
            let s = i;
            while i < b.len()
                && (b[i].is_ascii_alphabetic()
                    || (matches!(b[i], b'\'' | b'-')
                        && b.get(i + 1).is_some_and(u8::is_ascii_alphabetic)))
            {
                i += 1;
            }
            words.push((s, i));
        } else {
            i += 1;
        }
    }
    for &(s, e) in &words {
        let word = &t[s..e];
        // Mr. Wong, Dr Tan Wei: the capitalised words after a title
        if EN_TITLES.contains(&word) {
            // the title too: `Auntie Mei`, `Herr Becker` name one person together
            if let Some(end) = titled_name_end(t, e) {
                out("PERSON", s, end, SCORE);
            }
            continue;
        }
        // `Tom's card`: the name without the possessive
        let (word, e) = match word.strip_suffix("'s") {
            Some(name) => (name, e - 2),
            None => (word, e),
        };
        if !cap(word)
            || EN_FIRST.binary_search(&word).is_err() && EN_FIRST_MORE.binary_search(&word).is_err()
        {
            // 阿May / @Lisa: a capitalised Latin word right after 阿 or @; `Hi Kelly`,
            // `thanks Bernice`, `问Wilfred`: one after a word that greets, thanks or points
            // at a person
            let before = t[..s].chars().next_back();
            let cued =
                after_person_cue(t, s) && !EN_STOP.contains(&word) && !NOT_NAMES.contains(&word);
            if cap(word) && (matches!(before, Some('阿' | '@')) || cued) {
                out("PERSON", s, e, SCORE);
            }
            continue;
        }
        let sentence_start = t[..s].trim_end().is_empty()
            || t[..s]
                .trim_end()
                .ends_with(['.', '!', '?', '。', '！', '？', '\n']);
        if AMBIGUOUS.contains(&word) && sentence_start {
            continue;
        }
        out("PERSON", s, e, SCORE);
    }
    // @王伟: a Han name after an at-sign
    for (i, _) in t.match_indices('@') {
        if i > 0 && t.as_bytes()[i - 1].is_ascii_alphanumeric() {
            continue; // e-mail
        }
        let name: usize = t[i + 1..]
            .chars()
            .take_while(|&c| is_han(c))
            .take(4)
            .map(char::len_utf8)
            .sum();
        if name >= 6 {
            out("PERSON", i + 1, i + 1 + name, SCORE);
        }
    }
    let _ = NOT_GIVEN;
}

#[cfg(test)]
mod tests {
    use super::*;

    /// The per-label scan `label_occurrences` replaces.
    fn per_label(lower: &str) -> Vec<(usize, usize)> {
        let mut v = Vec::new();
        for (k, (label, _)) in LABELS.iter().enumerate() {
            let mut from = 0;
            while let Some(p) = lower[from..].find(label) {
                v.push((k, from + p));
                from = from + p + label.len();
            }
        }
        v
    }

    fn names(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        english_names(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        v
    }

    #[test]
    fn english_names_with_a_possessive_a_title_or_the_added_table() {
        assert_eq!(names("Tom's card 5187"), ["Tom"]);
        assert_eq!(names("Mr. O'Brien, SSN"), ["Mr. O'Brien"]);
        assert_eq!(names("Herr Müller wants EUR"), ["Herr Müller"]);
        assert_eq!(
            names("台湾客户Mr. Huang Chien-Ming，台胞证"),
            ["Mr. Huang Chien-Ming"]
        );
        assert_eq!(names("客户Eunice嘅地址"), ["Eunice"]);
        let mut v = Vec::new();
        let t = "陳大文先生，出生日期";
        titled_cn(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        assert!(v.contains(&"陳大文先生".to_string()), "{v:?}");
        let mut v = Vec::new();
        let t = "麻烦通知一下杨经理和孙主任";
        titled_cn(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        assert_eq!(v, ["杨经理", "孙主任"]);
        assert!(EN_FIRST_MORE.windows(2).all(|w| w[0] < w[1]));
        assert!(EN_FIRST_MORE
            .iter()
            .all(|n| EN_FIRST.binary_search(n).is_err()));
        assert!(names("Sir, please call back").is_empty());
        assert_eq!(names("Hi Wilbur, thanks"), ["Wilbur"]);
        assert_eq!(names("Thank you Wilbur"), ["Wilbur"]);
        assert_eq!(names("幫我問Bernadette一聲"), ["Bernadette"]);
        assert!(names("Hi All, Friday call with Bloomberg").is_empty());
    }

    fn recall(t: &str) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        find(t, &mut |e, s, x, _| v.push((e, t[s..x].to_string())));
        v
    }

    /// Numbers with full-width dashes or a bracketed area code, a card glued to its brand,
    /// handles after 企微 and IG.
    #[test]
    fn numbers_written_loosely_and_handles_after_new_labels() {
        let has = |t: &str, e: &str, v: &str| {
            let got = recall(t);
            assert!(got.iter().any(|(a, b)| *a == e && b == v), "{t}: {got:?}");
        };
        for (t, e, v) in [
            ("钱阿姨：021－5489－2301，她说", "NUMBER", "021－5489－2301"),
            (
                "熊总，+86 (27) 8571 3366，xiong@",
                "NUMBER",
                "86 (27) 8571 3366",
            ),
            (
                "同埋Visa4761 2905 5870 9646都要停",
                "NUMBER",
                "4761 2905 5870 9646",
            ),
            ("企微YangXiao_SH", "WECHAT_ID", "YangXiao_SH"),
            ("佢 IG 係 tommy.888", "INSTAGRAM_ID", "tommy.888"),
        ] {
            has(t, e, v);
        }
        // a short code glued to letters is no identifier
        assert!(recall("model X12345678 ok")
            .iter()
            .all(|(e, _)| *e != "NUMBER"));
    }

    #[test]
    fn one_pass_finds_what_the_per_label_scan_found() {
        // labels next to, inside and overlapping each other and themselves
        let pieces = [
            "qq",
            "qqq",
            "a/c",
            "aba",
            "abandon",
            "bic",
            "acct",
            "account",
            "身份证",
            "护照",
            "员工编号",
            "员工号",
            "工号",
            "wx",
            "vx",
            "v信",
            "微信",
            "id no",
            "id number",
            " ",
            "：",
            "12345678",
            "no.",
            "号码",
            "staff number",
            "sort code",
            "hkid",
            "nric",
        ];
        let mut seed = 7u64;
        for _ in 0..5000 {
            let mut line = String::new();
            for _ in 0..6 {
                seed = seed
                    .wrapping_mul(6_364_136_223_846_793_005)
                    .wrapping_add(1_442_695_040_888_963_407);
                line.push_str(pieces[(seed >> 33) as usize % pieces.len()]);
            }
            assert_eq!(label_occurrences(&line), per_label(&line), "{line}");
        }
        let qq = LABELS.iter().position(|(l, _)| *l == "qq").unwrap();
        assert_eq!(label_occurrences("qqqq"), vec![(qq, 0), (qq, 2)]);
    }
}
