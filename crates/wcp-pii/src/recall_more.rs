//! More anonymisation recall (#13 item 6, tuned on development sets only): dates of birth by
//! their context, romanised Chinese names (`CHEUNG KA WAI`, `Lam Wing Kei`), travel permits
//! by shape (`H10583627`, `C64930582`), Singapore plates (`SGX4821L`) and chat handles with
//! an underscore and digits (`kelvinho_85`). Like the rest of the recall pass, precision
//! matters less here than leaving no one identifiable.

use regex::Regex;
use std::sync::LazyLock;

use crate::names_data::PINYIN_SURNAMES;

type Sink<'a> = dyn FnMut(&'static str, usize, usize, f32) + 'a;

const SCORE: f32 = 0.5;

pub fn find(t: &str, out: &mut Sink) {
    dates_of_birth(t, out);
    romanised_names(t, out);
    // the shapes need a hyphen or a patronymic word: most lines have neither
    let shaped = t.contains('-') || t.contains(" b") || t.contains(" a/");
    for m in NAME_SHAPES.find_iter(t).filter(|_| shaped) {
        // `Min-jun`, `Ka-wai`: both halves are romanised syllables (not `Call-back`)
        let hyphenated = m
            .as_str()
            .rsplit(' ')
            .next()
            .and_then(|w| w.split_once('-'));
        if hyphenated.is_none_or(|(a, b)| syllables(a) && syllables(b)) {
            out("PERSON", m.start(), m.end(), SCORE);
        }
    }
    // Hangul syllables are U+AC00..U+D7A3: UTF-8 lead bytes 0xEA..=0xED
    if t.bytes().any(|b| (0xEA..=0xED).contains(&b)) {
        hangul_names(t, out);
    }
    cantonese_given(t, out);
    for m in SHAPES.captures_iter(t) {
        let (entity, g) = if let Some(g) = m.name("permit") {
            ("CN_TRAVEL_PERMIT", g)
        } else if let Some(g) = m.name("plate") {
            ("LICENSE_PLATE", g)
        } else if let Some(g) = m.name("postcode") {
            ("LOCATION", g)
        } else if let Some(g) = m.name("handle").or_else(|| m.name("bare")) {
            ("WECHAT_ID", g)
        } else if let Some(g) = m.name("twid") {
            ("ID_NUMBER", g)
        } else if let Some(g) = m.name("moid") {
            ("ID_NUMBER", g)
        } else {
            continue;
        };
        out(entity, g.start(), g.end(), SCORE);
    }
}

static SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?P<permit>[CHMW][0-9]{8}(?:[0-9]{2})?)(?-u:\b)",
        r"|(?-u:\b)(?P<plate>S[A-Z]{2}[0-9]{1,4}[A-Z])(?-u:\b)",
        // a UK postcode or a US state and ZIP, with the town before it
        r"|(?P<postcode>(?:(?:[A-Z][a-z]+ ){0,2}[A-Z][a-z]+,? )?(?:[A-Z]{1,2}[0-9][A-Z0-9]? [0-9][A-Z]{2}|[A-Z]{2} [0-9]{5}(?:-[0-9]{4})?))(?-u:\b)",
        r"|(?-u:\b)(?P<handle>[a-z][a-z0-9]*_[a-z0-9_]*[0-9][a-z0-9_]*|[A-Za-z][A-Za-z0-9]{2,}_[A-Za-z0-9_]{2,})(?-u:\b)",
        // a chat handle of letters and a number (`mengfx77`), alone between separators
        r"|(?:^|[\s,，、：:])(?P<bare>[a-z]{4,}[0-9]{2,4})(?:$|[\s,，、。])",
        // Taiwan national id and Macau id by shape, check digit or not
        r"|(?-u:\b)(?P<twid>[A-Z][12][0-9]{8})(?-u:\b)",
        r"|(?-u:\b)(?P<moid>[1578][0-9]{6}\([0-9]\))",
    ))
    .expect("shape recall pattern compiles")
});

/// Names by their shape: a capitalised word before a hyphenated romanised given name
/// (`Kim Min-jun`, `Huang Chien-ming`, `Chan Ka-wai`), a Malay or Tamil patronymic
/// (`bin Ismail`, `binti Yusof`, `a/l Muthu`).
static NAME_SHAPES: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?-u:\b)(?:[A-Z][a-z]{1,9} )?[A-Z][a-z]{1,5}-[a-z]{1,5}(?-u:\b)",
        r"|(?-u:\b)(?:bin|binti|bte|binte|a/l|a/p) [A-Z][a-z]+(?-u:\b)",
    ))
    .expect("name shape pattern compiles")
});

/// Syllables of Cantonese given names (Hong Kong spelling); those that are English words
/// (`Man`, `On`, `Long`) only as the second syllable.
const GIVEN_FIRST: &[&str] = &[
    "Chi", "Chun", "Chung", "Ka", "Kai", "Kam", "Kei", "Kin", "Kit", "Kwan", "Kwok", "Lai", "Ling",
    "Lok", "Mei", "Ming", "Nga", "Oi", "Pui", "Shing", "Siu", "Suet", "Sze", "Tak", "Tsz", "Wai",
    "Wing", "Yan", "Yee", "Ying", "Yiu", "Yuen", "Hoi", "Hei", "Hin", "Fai", "Wah", "Keung",
];
const GIVEN_SECOND: &[&str] = &[
    "Man", "On", "Long", "Ho", "Po", "Bo", "Sum", "Hung", "Fung", "Wan",
];

/// A Cantonese given name on its own, two capitalised syllables (`Ka Wai`, `Wing Yan`,
/// `Siu Man`).
fn cantonese_given(t: &str, out: &mut Sink) {
    let b = t.as_bytes();
    // capitalised ASCII words of 2-5 letters, as (start, end)
    let mut prev: Option<(usize, usize)> = None;
    let mut i = 0;
    while i < b.len() {
        if !b[i].is_ascii_alphabetic() {
            i += 1;
            continue;
        }
        let s = i;
        while i < b.len() && b[i].is_ascii_alphanumeric() {
            i += 1;
        }
        let w = &t[s..i];
        let shaped = (2..=5).contains(&w.len())
            && b[s].is_ascii_uppercase()
            && w[1..].bytes().all(|c| c.is_ascii_lowercase());
        if !shaped {
            prev = None;
            continue;
        }
        if let Some((ps, pe)) = prev {
            let first = &t[ps..pe];
            if pe + 1 == s
                && b[pe] == b' '
                && GIVEN_FIRST.contains(&first)
                && (GIVEN_FIRST.contains(&w) || GIVEN_SECOND.contains(&w))
            {
                out("PERSON", ps, i, SCORE);
            }
        }
        prev = Some((s, i));
    }
}

/// A run of two to four Hangul syllables in Chinese or English chat is a Korean name
/// (`김민준`).
fn hangul_names(t: &str, out: &mut Sink) {
    let hangul = |c: char| ('\u{AC00}'..='\u{D7A3}').contains(&c);
    let mut run: Option<(usize, usize)> = None;
    for (i, c) in t.char_indices().chain([(t.len(), ' ')]) {
        if hangul(c) {
            let (s, n) = run.unwrap_or((i, 0));
            run = Some((s, n + 1));
            continue;
        }
        if let Some((s, n)) = run.take() {
            if (2..=4).contains(&n) {
                out("PERSON", s, i, SCORE);
            }
        }
    }
}

static DATE: LazyLock<Regex> = LazyLock::new(|| {
    Regex::new(concat!(
        r"(?:19|20)[0-9]{2}[年\-/.][0-9]{1,2}[月\-/.][0-9]{1,2}[日号號]?",
        r"|[0-9]{2}年[0-9]{1,2}月[0-9]{1,2}[日号號]",
        r"|(?-u:\b)[0-9]{1,2}/[0-9]{1,2}/(?:19|20)[0-9]{2}(?-u:\b)",
        r"|(?-u:\b)[0-9]{2}\.[0-9]{1,2}\.[0-9]{1,2}(?-u:\b)",
        r"|(?-u:\b)[0-9]{1,2}(?:st|nd|rd|th)? (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* (?:19|20)[0-9]{2}(?-u:\b)",
        r"|(?-u:\b)(?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]* [0-9]{1,2}(?:st|nd|rd|th)?,? (?:19|20)[0-9]{2}(?-u:\b)",
        r"|[〇零一二三四五六七八九]{4}年[一二三四五六七八九十]{1,3}月[一二三四五六七八九十]{1,3}[日号號]",
        r"|(?P<bare>(?-u:\b)(?:19|20)[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])(?-u:\b))",
        // the Republic of China's calendar (`民國74年7月5日`, year 1911 + n)
        r"|(?P<roc>民[國国][0-9]{2,3}年[0-9]{1,2}月[0-9]{1,2}[日号號]?)",
        r"|(?-u:\b)[0-9]{1,2}(?:st|nd|rd|th)? of (?:Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)[a-z]*,? (?:19|20)[0-9]{2}(?-u:\b)",
        // a month and day only (`生日：八月十五`, `生日3月11日`): a birth only right after a
        // birth word
        r"|(?P<md>[0-9一二三四五六七八九十]{1,3}月[0-9一二三四五六七八九十廿]{1,3}[日号號]?)",
        // a year and month only (`1993年7月`): a birth only with a birth word
        r"|(?P<month>(?:19|20)[0-9]{2}年[0-9]{1,2}月)",
        // a year alone (`生于85年`, `1985年出生`): a birth only right next to a birth word
        r"|(?P<year>(?:19|20)?[0-9]{2}年)",
    ))
    .expect("date recall pattern compiles")
});

/// Words that say a nearby date is someone's birth.
const BIRTH: &[&str] = &[
    "出生", "生日", "生的", "生于", "生於", "出世", "诞辰", "誕辰", "DOB", "D.O.B", "dob", "born",
    "Born", "birth", "Birth", "bday", "Bday", "b'day", "B'day",
];

/// The year of a full date (`1998-04-26`, `97年11月2日`, `30 Nov 1991`), if written with
/// digits.
fn year(date: &str) -> Option<u32> {
    let b = date.as_bytes();
    for i in 0..b.len().saturating_sub(3) {
        let four = &b[i..i + 4];
        let fresh = i == 0 || !b[i - 1].is_ascii_digit();
        if fresh && four.iter().all(u8::is_ascii_digit) && matches!(&four[..2], b"19" | b"20") {
            return date[i..i + 4].parse().ok();
        }
    }
    // `一九八八年`: a year in Chinese numerals
    let head = date.split_once('年')?.0;
    if head.starts_with("一九") {
        return Some(1900);
    }
    // `民國74年`: the Republic of China's calendar
    if let Some(n) = head
        .strip_prefix("民國")
        .or_else(|| head.strip_prefix("民国"))
    {
        return n.parse::<u32>().ok().map(|y| 1911 + y);
    }
    // `97年`: a two-digit year before 年
    let two = head;
    (two.len() == 2)
        .then(|| two.parse::<u32>().ok())
        .flatten()
        .map(|y| if y >= 30 { 1900 + y } else { 2000 + y })
}

/// A full date at least this old is taken for a date of birth without a birth word: chat
/// about clients names the dates of their lives, business dates are recent.
const BIRTH_YEAR_LAST: u32 = 2012;

/// A full date is a date of birth when a birth word comes up to 60 characters before it or
/// `生` right after it, or when its year is 2012 or earlier; an 8-digit `YYYYMMDD` is one
/// anyway (next to an id, it is); a year and month only with a birth word.
fn dates_of_birth(t: &str, out: &mut Sink) {
    // `find_iter` and the match's text say which form it is: captures cost more per match,
    // and years and months match often in Chinese chat
    for g in DATE.find_iter(t) {
        let date = g.as_str();
        let head = &t[..g.start()];
        let before = &head[head.char_indices().rev().nth(59).map_or(0, |(i, _)| i)..];
        let after = &t[g.end()..];
        let near = BIRTH.iter().any(|w| before.contains(w))
            || after.starts_with('生')
            || after.starts_with("出生");
        // a year alone or a month and day: the birth word at most 2 (year) or 4 characters
        // before it, or `出生` right after the year
        let close = |n: usize| {
            let cut = before.char_indices().rev().nth(n - 1).map_or(0, |(i, _)| i);
            BIRTH.iter().any(|w| before[cut..].contains(w))
        };
        let year_only = date.ends_with('年');
        let month_day = date.contains('月') && !date.contains('年');
        if year_only || month_day {
            let born_after = year_only && (after.starts_with("出生") || after.starts_with("出世"));
            if close(if year_only { 2 } else { 4 }) || born_after {
                out("DATE_OF_BIRTH", g.start(), g.end(), SCORE);
            }
            continue;
        }
        let month_only = date.ends_with('月');
        let bare = date.len() == 8 && date.bytes().all(|c| c.is_ascii_digit());
        let old = !month_only && year(date).is_some_and(|y| y <= BIRTH_YEAR_LAST);
        if near || old || bare {
            out("DATE_OF_BIRTH", g.start(), g.end(), SCORE);
        }
    }
}

/// One or two Chinese (pinyin/Cantonese) syllables: `ka`, `wing`, `yiming`, `sze`.
fn syllables(w: &str) -> bool {
    static SYL: LazyLock<Regex> = LazyLock::new(|| {
        let one = r"(?:[bcdfghjklmnpqrstwxyz]{0,3}[aeiouy]{1,3}(?:ng|n|m|k|p|t|h)?)";
        Regex::new(&format!("^{one}{one}?$")).expect("syllable pattern compiles")
    });
    (2..=7).contains(&w.len()) && SYL.is_match(&w.to_ascii_lowercase())
}

/// `Cheung`/`CHEUNG`: capitalised or all capitals.
fn name_case(w: &str) -> bool {
    let mut cs = w.chars();
    cs.next().is_some_and(|c| c.is_ascii_uppercase())
        && (cs.clone().all(|c| c.is_ascii_lowercase()) || cs.all(|c| c.is_ascii_uppercase()))
}

fn title_case(w: &str) -> String {
    let lower = w.to_ascii_lowercase();
    let mut cs = lower.chars();
    cs.next()
        .map(|c| c.to_ascii_uppercase().to_string() + cs.as_str())
        .unwrap_or_default()
}

/// Vietnamese surnames of four letters or more (shorter ones, `Le`, `Do`, `Ho`, are words).
const VIETNAMESE_SURNAMES: &[&str] = &[
    "Nguyen", "Tran", "Pham", "Hoang", "Huynh", "Phan", "Dang", "Duong",
];

/// A romanised surname followed by one or two syllable words: `CHEUNG KA WAI`,
/// `Lam Wing Kei`, `ZHANG YIMING`.
fn romanised_names(t: &str, out: &mut Sink) {
    static WORD: LazyLock<Regex> =
        LazyLock::new(|| Regex::new(r"[A-Za-z]+").expect("word pattern compiles"));
    let words: Vec<(usize, usize)> = WORD.find_iter(t).map(|m| (m.start(), m.end())).collect();
    for k in 0..words.len() {
        let (s, e) = words[k];
        let w = &t[s..e];
        if !name_case(w) {
            continue;
        }
        let tc = title_case(w);
        let surname = PINYIN_SURNAMES.binary_search(&tc.as_str()).is_ok()
            || VIETNAMESE_SURNAMES.contains(&tc.as_str());
        if !surname {
            continue;
        }
        let mut end = None;
        for j in k + 1..(k + 3).min(words.len()) {
            let (ws, we) = words[j];
            let gap = &t[words[j - 1].1..ws];
            let next = &t[ws..we];
            if gap != " " || !name_case(next) || !syllables(next) {
                break;
            }
            end = Some(we);
        }
        if let Some(end) = end {
            out("PERSON", s, end, SCORE);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn spans(t: &str) -> Vec<(&'static str, String)> {
        let mut v = Vec::new();
        find(t, &mut |e, s, x, _| v.push((e, t[s..x].to_string())));
        v
    }

    fn has(t: &str, e: &str, v: &str) {
        let got = spans(t);
        assert!(got.iter().any(|(a, b)| *a == e && b == v), "{t}: {got:?}");
    }

    fn quiet(t: &str) {
        assert!(spans(t).is_empty(), "{t}: {:?}", spans(t));
    }

    #[test]
    fn shapes_dates_and_romanised_names() {
        has("证件 H10583627 已过期", "CN_TRAVEL_PERMIT", "H10583627");
        has("SGX4821L at the lobby", "LICENSE_PLATE", "SGX4821L");
        has("他微信 kelvinho_85 加一下", "WECHAT_ID", "kelvinho_85");
        has("他说是85年3月12号生的", "DATE_OF_BIRTH", "85年3月12号");
        has("出生日期87.6.9，跟证件对不上", "DATE_OF_BIRTH", "87.6.9");
        has("曹文博 男 19870609 身份证", "DATE_OF_BIRTH", "19870609");
        has(
            "Charlotte's DOB is 23rd April 1991",
            "DATE_OF_BIRTH",
            "23rd April 1991",
        );
        has("Client CHEUNG KA WAI signed", "PERSON", "CHEUNG KA WAI");
        has("LAM Wing Kei called", "PERSON", "LAM Wing Kei");
        has(
            "27 Elgin Crescent, London W11 2JD",
            "LOCATION",
            "London W11 2JD",
        );
        has("Pasadena, CA 91106", "LOCATION", "Pasadena, CA 91106");
        // Not a birth: a business date, ordinary words.
        quiet("结算日 2024-03-21 到账");
        quiet("Long Term Fund review on Friday, a long-term e-mail follow-up");
        quiet("The Fund Manager will call");
        quiet("new autocall on NKY/SPX/SX5E, 18m");
    }

    /// Old full dates without a birth word, a year and month after one, ids of Taiwan and
    /// Macau by shape, handles without digits or without an underscore.
    #[test]
    fn old_dates_ids_by_shape_and_bare_handles() {
        let dob = "DATE_OF_BIRTH";
        for (t, e, v) in [
            ("员工信息表：程晓雨，1998-04-26，身份证", dob, "1998-04-26"),
            ("新员工入职：韩雪，97年11月2日，手机", dob, "97年11月2日"),
            ("Ms. Lau 30 Nov 1991 lau@x.com", dob, "30 Nov 1991"),
            ("born Nov 30, 1991 in Kowloon", dob, "Nov 30, 1991"),
            ("欧阳晓出生于1993年7月... 不对", dob, "1993年7月"),
            ("她身分證上是民國74年7月5日", dob, "民國74年7月5日"),
            ("陈生一九八八年五月十日嘅", dob, "一九八八年五月十日"),
            ("Joined us on the 5th of July 1985", dob, "5th of July 1985"),
            ("生日：八月十五，1976年", dob, "八月十五"),
            ("他生于85年，属牛", dob, "85年"),
            ("1985年出生的", dob, "1985年"),
            ("Jess's bday 1994-02-28, party", dob, "1994-02-28"),
            (
                "Mr. Chiang TW ID F277790953, +886",
                "ID_NUMBER",
                "F277790953",
            ),
            ("Macau ID 7392014(5), +853", "ID_NUMBER", "7392014(5)"),
            ("老白：139，baiyun_lao", "WECHAT_ID", "baiyun_lao"),
            (
                "客户孟繁星，186 0301 7730，mengfx77",
                "WECHAT_ID",
                "mengfx77",
            ),
        ] {
            has(t, e, v);
        }
        // a recent business date, a year and month without a birth word
        quiet("结算日 2024-03-21 到账，2025年7月到期，3月15日开会，24年业绩");
    }

    /// Names by shape: hyphenated romanised given names, patronymics, Hangul, Cantonese
    /// given names alone, a Vietnamese surname.
    #[test]
    fn names_by_shape() {
        for (t, v) in [
            ("Kim Min-jun (김민준) lives in Seoul", "Kim Min-jun"),
            ("Kim Min-jun (김민준) lives in Seoul", "김민준"),
            ("Ahmad bin Ismail, IC 850101", "bin Ismail"),
            ("Ka Wai, pls call Mr. Tong", "Ka Wai"),
            ("my colleague Siu Man said", "Siu Man"),
            ("Tran Thi Mai called", "Tran Thi Mai"),
        ] {
            has(t, "PERSON", v);
        }
        quiet("Call-back done on a recorded line, Man On the Moon");
    }
}
