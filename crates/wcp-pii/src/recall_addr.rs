//! Anonymisation recall for addresses: a chain of administrative and street units
//! (`上海市浦东新区世纪大道100号3栋1201室`, `万科城市花园`) and the English pieces an
//! address is written in (`Flat 12B`, `#04-56`, `12/F`, `Ang Mo Kio Ave 3`, `Singapore
//! 018981`, `Marina Bay Financial Centre`). Spans may run past what `wcp detect` reports
//! (floors, rooms, estates): here every identifying piece is replaced.

use regex::{Regex, RegexBuilder};
use std::sync::LazyLock;

type Sink<'a> = dyn FnMut(&'static str, usize, usize, f32) + 'a;

const SCORE: f32 = 0.5;

/// Address units, longest first: (suffix, names a place on its own when the head is ≥ 2).
const UNITS: &[(&str, bool)] = &[
    ("特别行政区", false),
    ("自治区", false),
    ("自治州", false),
    ("街道", false),
    ("小区", true),
    ("小區", true),
    ("花园", true),
    ("花園", true),
    ("大厦", true),
    ("大廈", true),
    ("广场", true),
    ("廣場", true),
    ("新村", true),
    ("公寓", true),
    ("单元", false),
    ("單元", false),
    ("中心", false),
    ("大道", false),
    ("省", false),
    ("市", false),
    ("区", false),
    ("區", false),
    ("县", false),
    ("縣", false),
    ("镇", false),
    ("鎮", false),
    ("乡", false),
    ("鄉", false),
    ("村", false),
    ("路", false),
    ("街", false),
    ("道", false),
    ("巷", false),
    ("弄", false),
    ("号", false),
    ("號", false),
    ("栋", false),
    ("棟", false),
    ("幢", false),
    ("座", false),
    ("楼", false),
    ("樓", false),
    ("层", false),
    ("層", false),
    ("室", false),
    ("苑", true),
    ("邨", true),
];

/// Characters that cannot be part of a place name (they introduce or follow one).
const STOP: &str = "在到去址寄住于於是为為的了我你他她们們和与與及或从從往来來收送搬改近这這那请請把给給也都就还還要会會说說啊吧呢吗嗎个個在有没沒很最一";

fn head_char(c: char) -> bool {
    c.is_ascii_alphanumeric()
        || c == '-'
        || (('\u{4E00}'..='\u{9FFF}').contains(&c) && !STOP.contains(c))
}

/// The first characters of the units, sorted: most characters begin none, and then the
/// list need not be compared at every character of every candidate place.
static UNIT_FIRSTS: LazyLock<Vec<char>> = LazyLock::new(|| {
    let mut v: Vec<char> = UNITS.iter().filter_map(|(u, _)| u.chars().next()).collect();
    v.sort_unstable();
    v.dedup();
    v
});

/// One unit starting at byte `p`: its end, and whether it stands alone as a place.
fn unit(t: &str, p: usize) -> Option<(usize, bool)> {
    let mut i = p;
    for (head, c) in t[p..].chars().enumerate() {
        // `c` starts `t[i..]`: no unit can match there unless one begins with it
        if head >= 1 && UNIT_FIRSTS.binary_search(&c).is_ok() {
            if let Some((u, alone)) = UNITS.iter().find(|(u, _)| t[i..].starts_with(u)) {
                return Some((i + u.len(), *alone && head >= 2));
            }
        }
        if !head_char(c) || head >= 10 {
            return None;
        }
        i += c.len_utf8();
    }
    None
}

pub fn chinese(t: &str, out: &mut Sink) {
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < t.len() {
        let c = t[i..].chars().next().unwrap_or(' ');
        let starts = prev.is_none_or(|p| !head_char(p));
        if starts && head_char(c) {
            let (mut end, mut n, mut alone) = (i, 0, false);
            while let Some((e, a)) = unit(t, end) {
                end = e;
                n += 1;
                alone |= a;
            }
            // One unit is a place when floors and rooms follow it (`…第一城38座15樓F室`).
            let te = tail(t, end);
            let building = t[..end].ends_with(['座', '栋', '棟', '幢', '楼', '樓']);
            if n >= 2 || alone || (n == 1 && building && te > end) {
                let end = te;
                out("LOCATION", i, end, SCORE);
                prev = t[..end].chars().next_back();
                i = end;
                continue;
            }
        }
        prev = Some(c);
        i += c.len_utf8();
    }
}

/// Units of a building's inside that follow the estate or building (`3栋2单元701`, `D座1203`,
/// `一期12樓1205室`, `8门302`).
const TAIL_UNITS: &[&str] = &[
    "单元", "單元", "栋", "棟", "幢", "座", "门", "門", "楼", "樓", "层", "層", "室", "号", "號",
    "期", "F",
];

/// The address's end extended over building, floor and room (`…大厦2306`, `…1栋1901`):
/// runs of letters, digits or Chinese numerals, each closed by a unit; a last bare number
/// (a room) ends it.
fn tail(t: &str, mut end: usize) -> usize {
    loop {
        let mut i = end;
        if t[i..].starts_with(' ') {
            i += 1;
        }
        let s = i;
        let mut n = 0;
        let mut digit = false;
        for c in t[s..].chars() {
            let numeral = "一二三四五六七八九十".contains(c);
            if !(c.is_ascii_alphanumeric() || numeral) || n >= 6 {
                break;
            }
            digit |= c.is_ascii_digit();
            n += 1;
            i += c.len_utf8();
        }
        if n == 0 {
            return end;
        }
        if let Some(u) = TAIL_UNITS.iter().find(|u| t[i..].starts_with(**u)) {
            end = i + u.len();
            continue;
        }
        let more = t[i..].chars().next().is_some_and(|c| c.is_alphanumeric());
        return if digit && !more && t[s..i].is_ascii() {
            i
        } else {
            end
        };
    }
}

static EN: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(concat!(
        r"\b(?:Flat|Unit|Room|Rm|Apt|Apartment|Suite|Block|Blk|Tower|Level|Floor|House|Lot)\.? ?[0-9][0-9A-Za-z-]{0,5}\b",
        r"|#[0-9]{1,3}-[0-9]{1,4}\b",
        r"|\b[0-9]{1,3}/F\b",
        r"|\bSingapore ?\(?[0-9]{6}\)?|\bS\([0-9]{6}\)",
        r"|\b(?:[A-Z][a-z]+ ){1,3}(?:Ave|Avenue|St|Street|Road|Rd|Drive|Dr|Crescent|Lane|Ln|Way|Boulevard|Blvd|Place|Terrace|Close|Walk|Quay|Highway|Hwy|Jalan|Lorong)(?: [0-9]{1,3})?\b",
        r"|\b(?:[A-Z][a-z]+ ){1,3}(?:Building|Tower|Towers|Centre|Center|Plaza|Mansion|Mansions|Court|Gardens|Estate|Residences|Condominium|Heights|Villa|Villas)\b",
        r"|\b[1-9][0-9]{0,4}[A-Za-z]? (?:[A-Z][a-z]+ ){1,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Place|Pl|Way|Court|Ct|Terrace|Crescent|Highway|Hwy|Parkway|Square|Plaza|Close|Walk|Quay|Row|Circle|Trail|Broadway|Alley|Gardens|Park)\b",
    ))
    .unicode(false)
    .build()
    .expect("address recall pattern compiles")
});

pub fn english(t: &str, out: &mut Sink) {
    if !t
        .bytes()
        .any(|b| b.is_ascii_uppercase() || b == b'#' || b == b'/')
    {
        return;
    }
    for m in EN.find_iter(t) {
        out("LOCATION", m.start(), m.end(), SCORE);
    }
}

#[cfg(test)]
mod tests {
    /// Building, floor and room after the address are replaced with it; a meeting number
    /// after `会议号` is not an address.
    #[test]
    fn the_tail_of_building_floor_and_room_goes_with_the_address() {
        let spans = |t: &str| {
            let mut v = Vec::new();
            super::chinese(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
            v
        };
        // (a span may stop inside the address, where another starts: the end is what counts)
        for (t, end) in [
            (
                "地址 深圳市福田区福华一路98号卓越大厦1206，这是公司",
                "卓越大厦1206",
            ),
            (
                "杭州市西湖区文二西路588号西溪花园竹苑3幢2单元701",
                "3幢2单元701",
            ),
            ("將軍澳日出康城首都2座31樓D室 係阿Ken屋企", "2座31樓D室"),
            (
                "九龍旺角彌敦道688號旺角中心一期12樓1205室",
                "一期12樓1205室",
            ),
        ] {
            assert!(
                spans(t).iter().any(|s| s.ends_with(end)),
                "{t}: {:?}",
                spans(t)
            );
        }
        assert!(spans("周三的路演改线上了，腾讯会议号 738 291 456").is_empty());
    }
}
