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
    // estates and phases in Hong Kong and Macau (`第一城`, `日出康城3期`, `翠湖閣`, `爵悅庭`,
    // `逸瓏灣`, `千色匯`): a place only in a chain of two units
    ("城", false),
    ("期", false),
    ("閣", false),
    ("阁", false),
    ("庭", false),
    ("灣", false),
    ("湾", false),
    ("軒", false),
    ("轩", false),
    ("匯", false),
    ("汇", false),
    // Taiwan: `文化路一段`
    ("段", false),
    // parks and campuses (`科技园`): a place only in a chain
    ("园", false),
    ("園", false),
];

/// Characters that cannot be part of a place name (they introduce or follow one).
const STOP: &str = concat!(
    "在到去址寄住于於是为為的了我你他她们們和与與及或从從往来來收送搬改近这這那请請把给給也都",
    "就还還要会會说說啊吧呢吗嗎个個在有没沒很最一",
    // Cantonese: at, is, of, done, some, he/she, they, give
    "喺係嘅咗啲佢哋畀俾",
);

/// `STOP` as a bitmap: asked about every character of every candidate place.
static STOP_SET: LazyLock<crate::recall_names::HanSet> =
    LazyLock::new(|| crate::recall_names::HanSet::new(STOP));

fn head_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || (is_han(c) && !STOP_SET.has(c))
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
        // `第一城`, `一期`: an ordinal inside a place name, not the word `一`
        let ordinal = c == '一' && (t[..i].ends_with('第') || t[i + 3..].starts_with(['期', '段']));
        if !(head_char(c) || ordinal) || head >= 10 {
            return None;
        }
        i += c.len_utf8();
    }
    None
}

/// Chinese addresses, also when written with spaces between their parts
/// (`九龍旺角彌敦道 688 號旺角中心一期 12 樓 1203 室`, `荃灣眾安街68號 荃灣千色匯一期 6樓`):
/// spaces next to digits are left out for the scan and the spans mapped
/// back to `t`.
pub fn chinese(t: &str, out: &mut Sink) {
    let Some((compact, at)) = without_inner_spaces(t) else {
        return chinese_compact(t, out);
    };
    chinese_compact(&compact, &mut |e, s, x, sc| {
        // `x - 1` is the span's last byte: its end in `t` is one past that byte
        out(e, at[s], at[x - 1] + 1, sc);
    });
}

/// `t` without the spaces that sit between a digit and a Han character or digit, and each kept
/// byte's offset in `t`; `None` when there is no such space.
fn without_inner_spaces(t: &str) -> Option<(String, Vec<usize>)> {
    // a space next to a digit (`彌敦道 688 號`, `一期 12 樓`), not one between two words
    let part = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit() || is_han(c));
    let digit = |c: Option<char>| c.is_some_and(|c| c.is_ascii_digit());
    let inner = |i: usize| {
        let (a, b) = (t[..i].chars().next_back(), t[i + 1..].chars().next());
        // …and one after a street or number (`科進路 逸瓏灣`, `68號 荃灣`): the estate follows
        let street = a.is_some_and(|a| "路街道號号".contains(a)) && b.is_some_and(is_han);
        part(a) && part(b) && (digit(a) || digit(b) || street)
    };
    let spaces: Vec<usize> = t
        .match_indices(' ')
        .map(|(i, _)| i)
        .filter(|&i| inner(i))
        .collect();
    if spaces.is_empty() {
        return None;
    }
    let mut compact = String::with_capacity(t.len());
    let mut at = Vec::with_capacity(t.len());
    let mut from = 0;
    for sp in spaces.into_iter().chain([t.len()]) {
        compact.push_str(&t[from..sp]);
        at.extend(from..sp);
        from = sp + 1;
    }
    Some((compact, at))
}

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c)
}

fn chinese_compact(t: &str, out: &mut Sink) {
    let mut i = 0;
    let mut prev: Option<char> = None;
    while i < t.len() {
        let c = t[i..].chars().next().unwrap_or(' ');
        // a place may follow a Latin word directly (`Kelly新屋將軍澳…`)
        let starts = prev.is_none_or(|p| !head_char(p) || p.is_ascii_alphabetic() && is_han(c));
        if starts && head_char(c) {
            let (mut end, mut n, mut alone) = (i, 0, false);
            while let Some((e, a)) = unit(t, end) {
                end = e;
                n += 1;
                alone |= a;
            }
            // a unit right after a unit (`侨乡村`: `乡` was taken as the unit of `侨乡`)
            if n >= 1 {
                if let Some((u, _)) = UNITS.iter().find(|(u, _)| t[end..].starts_with(u)) {
                    end += u.len();
                }
            }
            // One unit is a place when floors and rooms follow it (`…第一城38座15樓F室`).
            let te = tail(t, end);
            let building = t[..end].ends_with(['座', '栋', '棟', '幢', '楼', '樓']);
            if n >= 2
                || alone
                || (n == 1 && building && te > end)
                || (n == 1 && street(&t[i..end]) && !t[end..].starts_with(NOT_STREET_AFTER))
            {
                let end = building_after(t, te);
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

/// The end of a building named right after an address, with its floor and room
/// (`…禾輋邨豐和樓1023室`): up to five Han characters, any of them (a building's name may hold
/// `和`, `在`), then a building unit; `end` when none follows.
fn building_after(t: &str, end: usize) -> usize {
    let mut i = end;
    for (n, c) in t[end..].chars().enumerate() {
        if n >= 1 {
            let unit = [
                "樓", "楼", "座", "閣", "阁", "大廈", "大厦", "苑", "軒", "轩",
            ]
            .iter()
            .find(|u| t[i..].starts_with(**u));
            if let Some(u) = unit {
                return tail(t, i + u.len());
            }
        }
        if !is_han(c) || n >= 5 {
            break;
        }
        i += c.len_utf8();
    }
    end
}

/// Characters after `路`/`街` that make a word of it (`路演`, `路费`, `路线`, `街坊`).
const NOT_STREET_AFTER: [char; 16] = [
    '演', '费', '費', '线', '線', '由', '径', '徑', '况', '況', '坊', '市', '歉', '理', '德', '具',
];

/// A street on its own is a place when its name has two characters or more
/// (`柯維納馬路`, `南京路`, `軒尼詩道` is left out: `道` ends too many words, `渠道`),
/// unless the last one makes a word with `路`/`街` (`思路`, `线路`, `逛街`).
fn street(place: &str) -> bool {
    // a district or estate with a name of three characters or more (`深圳南山区`,
    // `沙田第一城`): shorter ones are words (`候车区`, `长城`)
    for unit in ["区", "區", "县", "縣", "镇", "鎮", "城"] {
        if let Some(name) = place.strip_suffix(unit) {
            return name.chars().count() >= 3 && name.chars().all(is_han);
        }
    }
    // `旺角彌敦道`: `道` ends many words (`渠道`, `知道`), so a longer name and no word
    if let Some(name) = place.strip_suffix("道") {
        let last = name.chars().next_back();
        return name.chars().count() >= 3
            && name.chars().all(is_han)
            && last.is_some_and(|c| !NOT_DAO.contains(c));
    }
    let Some(name) = place
        .strip_suffix("路")
        .or_else(|| place.strip_suffix("街"))
        .or_else(|| place.strip_suffix("大道"))
    else {
        return false;
    };
    let n = name.chars().count();
    let last = name.chars().next_back();
    // `柯維納馬路` is a street, `过马路` is crossing one
    let road = last.is_some_and(|c| "马馬".contains(c));
    n >= if road { 3 } else { 2 }
        && name.chars().all(is_han)
        && last.is_some_and(|c| !NOT_ROAD.contains(c))
}

/// Characters before `路`/`街` that make a word with it (`思路`, `线路`, `逛街`).
const NOT_ROAD: &str = "思道公铁鐵回进進退活门門来來网網电電线線套销銷出走上下半一逛行步老小大岔";
/// Characters before `道` that make a word with it (`渠道`, `频道`, `人行道`, `知道`).
const NOT_DAO: &str =
    "渠频頻知报報难難通管轨軌车車赛賽人味跑坑隧航快慢步行铁鐵水街引诱誘说說厚霸王正邪魔中公赤古";

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
        // `35号院`, `2号楼`: a building unit right after a number's unit
        if t[..end].ends_with(['号', '號']) {
            if let Some(u) = ["院", "楼", "樓", "栋", "棟", "座"]
                .iter()
                .find(|u| t[end..].starts_with(**u))
            {
                end += u.len();
                continue;
            }
        }
        // `12樓之3`: a Taiwanese flat number after the floor
        if t[..end].ends_with(['樓', '楼']) {
            if let Some(r) = t[end..].strip_prefix('之') {
                let d = r.bytes().take_while(u8::is_ascii_digit).count();
                if d > 0 {
                    end += '之'.len_utf8() + d;
                }
            }
        }
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
        // `12樓A`, `10樓B`: the flat's letter after the floor
        let flat = n == 1
            && t[s..i].bytes().all(|b| b.is_ascii_uppercase())
            && t[..end].ends_with(['樓', '楼', '層', '层']);
        return if (digit || flat) && !more && t[s..i].is_ascii() {
            i
        } else {
            end
        };
    }
}

static EN: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(concat!(
        r"\b(?:Flat|Unit|Room|Rm|Apt|Apartment|Suite|Block|Blk|Tower|Level|Floor|House|Lot)\.? ?[0-9][0-9A-Za-z-]{0,5}\b",
        r"|\b(?:Flat|Unit|Room|Block|Blk|Tower|Wing) [A-H]\b",
        r"|\bNo\. ?[0-9]{1,5}[A-Z]?\b",
        r"|\bP\.? ?O\.? Box [0-9]{1,6}\b",
        // continental Europe: `14 rue de Rivoli`, `Via del Corso 12`, `Lindenstrasse 5`
        r"|\b[0-9]{1,4},? (?:rue|avenue|boulevard|place|chemin|via|viale|piazza|calle|avenida) (?:(?:de|du|des|la|le|di|del|della|de la) )*[A-Z][A-Za-z'-]+",
        r"|\b(?:Via|Viale|Piazza|Calle|Avenida|Rue) (?:(?:de|du|des|la|le|di|del|della) )*[A-Z][A-Za-z'-]+,? [0-9]{1,4}\b",
        r"|\b[A-Z][a-z]+(?:strasse|str\.|weg|gasse|platz|allee) [0-9]{1,4}[a-z]?\b",
        r"|\b[0-9]{1,2}-[0-9]{1,2}-[0-9]{1,3} [A-Z][A-Za-z-]+",
        r"|\b(?:Jalan|Jln|Lorong|Lor) (?:[0-9]{1,3} )?[A-Z][a-z]+(?: [A-Z][a-z]+){0,2}",
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
    let mut done = 0;
    for m in EN.find_iter(t) {
        if m.end() <= done {
            continue;
        }
        let end = chain_end(t, m.end());
        out("LOCATION", m.start(), end, SCORE);
        done = end;
    }
}

/// Words that start what follows an address, not a part of it.
const NOT_PLACE: &[&str] = &[
    "HKID", "DOB", "Tel", "Mobile", "Email", "Phone", "SSN", "IBAN", "Passport", "ID", "NRIC",
    "IC", "Fax", "Contact", "Call", "Attn", "Card", "Account", "A/C", "WeChat", "Wechat",
];

/// The end of an English address whose first piece ends at `end`: the comma-separated
/// pieces after it that are written as place names (`Tower 1`, `Island Resort`,
/// `89 Queensway`, `Tsim Sha Tsui`, `Chiyoda-ku`, `Hong Kong`), and a compass word or
/// `Central` after a street (`Des Voeux Road Central`, `Austin Road West`).
fn chain_end(t: &str, mut end: usize) -> usize {
    for w in [
        " Central", " West", " East", " North", " South", " NW", " NE", " SW", " SE", " W", " E",
        " N", " S",
    ] {
        if t[end..].starts_with(w)
            && !t[end + w.len()..].starts_with(|c: char| c.is_ascii_alphanumeric())
        {
            end += w.len();
            break;
        }
    }
    while let Some(rest) = t[end..].strip_prefix(", ") {
        let piece = place_piece(rest);
        if piece == 0 {
            break;
        }
        end += 2 + piece;
    }
    end
}

/// The length of up to five words at the start of `s` that read as a place: each begins
/// with a capital letter or a digit, one at least with a letter (digits alone are a phone
/// number's, which keeps its own pseudonym); not a label that starts another field
/// (`HKID`, `Tel`).
fn place_piece(s: &str) -> usize {
    let len = place_words(s);
    let named = s[..len].bytes().any(|b| b.is_ascii_uppercase());
    if named {
        len
    } else {
        0
    }
}

fn place_words(s: &str) -> usize {
    let mut len = 0;
    for (n, w) in s.split(' ').enumerate() {
        let w = w.trim_end_matches([',', '.', ';', ')']);
        let ok = w.len() >= 2 || w.bytes().all(|b| b.is_ascii_alphanumeric()) && !w.is_empty();
        let first = w
            .bytes()
            .next()
            .is_some_and(|b| b.is_ascii_uppercase() || b.is_ascii_digit());
        let word = w
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'\'' | b'-' | b'/'));
        if n >= 5 || !ok || !first || !word || NOT_PLACE.contains(&w) {
            break;
        }
        if n > 0 {
            len += 1;
        }
        len += w.len();
        if s[len..].starts_with(',') || !s[len..].starts_with(' ') {
            break;
        }
    }
    len
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

    fn chinese_spans(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        super::chinese(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        v
    }

    fn english_spans(t: &str) -> Vec<String> {
        let mut v = Vec::new();
        super::english(t, &mut |_, s, e, _| v.push(t[s..e].to_string()));
        v
    }

    /// Spaces inside a Chinese address, estates and phases, the flat's letter, an address
    /// right after a Latin name.
    #[test]
    fn chinese_addresses_with_spaces_estates_and_flat_letters() {
        let covers = |t: &str, whole: &str| {
            let got = chinese_spans(t);
            assert!(got.iter().any(|s| s.contains(whole)), "{t}: {got:?}");
        };
        covers(
            "地址：九龍旺角彌敦道 688 號旺角中心一期 12 樓 1203 室，電話",
            "彌敦道 688 號旺角中心一期 12 樓 1203 室",
        );
        covers(
            "地址新界沙田第一城 38座 24樓G室",
            "新界沙田第一城 38座 24樓G室",
        );
        covers(
            "改咗去大埔白石角科進路 逸瓏灣 8座 12樓A",
            "科進路 逸瓏灣 8座 12樓A",
        );
        covers(
            "Kelly新屋將軍澳日出康城 3期，聽日入伙",
            "將軍澳日出康城 3期",
        );
        covers(
            "澳門氹仔海洋花園大馬路 海洋花園 翠湖閣 17樓C座",
            "翠湖閣 17樓C座",
        );
        for (t, place) in [
            (
                "梁生话佢屋企喺沙田禾輋邨豐和樓1023室，聽日見",
                "沙田禾輋邨豐和樓1023室",
            ),
            (
                "北京市西城区金融街35号院2号楼",
                "北京市西城区金融街35号院2号楼",
            ),
            ("地址：广东省梅州市梅县区南口镇侨乡村", "南口镇侨乡村"),
        ] {
            covers(t, place);
        }
        covers("台北市信義區松仁路100號12樓之3 是她家", "12樓之3");
        covers(
            "帮我寄到新北市板橋區文化路一段188巷6號5樓",
            "新北市板橋區文化路一段188巷6號5樓",
        );
        covers("澳門氹仔柯維納馬路 澳門科技大學", "柯維納馬路");
        for (t, place) in [
            ("住喺沙田第一城，你嚟搵我", "沙田第一城"),
            ("地址是旺角彌敦道", "旺角彌敦道"),
            ("寄去深圳南山区科技园", "深圳南山区科技园"),
        ] {
            covers(t, place);
        }
        assert!(chinese_spans("销售渠道，微信频道，我知道，候车区，这个道理").is_empty());
        assert!(chinese_spans("换个思路，销售渠道和网络线路，私募路演，行下街，过马路").is_empty());
        // words with a space before a number are not joined
        assert!(chinese_spans("周末带爸妈去青城山 老爷子膝盖不好 坐索道上去").is_empty());
    }

    /// The comma-separated pieces of an English address after its first recognised piece.
    #[test]
    fn english_addresses_run_over_their_comma_separated_pieces() {
        for (t, addr) in [
            (
                "14 rue de Rivoli, 75004 Paris",
                "14 rue de Rivoli, 75004 Paris",
            ),
            (
                "ship to Lindenstrasse 5, 10969 Berlin",
                "Lindenstrasse 5, 10969 Berlin",
            ),
        ] {
            assert_eq!(english_spans(t), [addr], "{t}");
        }
        let whole = |t: &str, addr: &str| {
            let got = english_spans(t);
            assert!(got.iter().any(|s| s == addr), "{t}: {got:?}");
        };
        whole(
            "new flat is Flat 12C, Tower 1, Island Resort, 28 Siu Sai Wan Road, her wechat x",
            "Flat 12C, Tower 1, Island Resort, 28 Siu Sai Wan Road",
        );
        whole(
            "lives at Flat B, 7/F, Kam Fung Court, 22 Sai Wan Ho Street",
            "Flat B, 7/F, Kam Fung Court, 22 Sai Wan Ho Street",
        );
        whole(
            "Room 1803, 18/F, Wing On House, 71 Des Voeux Road Central, tel 2",
            "Room 1803, 18/F, Wing On House, 71 Des Voeux Road Central",
        );
        whole(
            "billing to 2-8-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo",
            "2-8-1 Nishi-Shinjuku, Shinjuku-ku, Tokyo",
        );
        whole(
            "No. 14, Lorong 27 Geylang, Singapore 388167",
            "No. 14, Lorong 27 Geylang, Singapore 388167",
        );
        whole(
            "Flat 32C, Tower 3, Sorrento, HKID D079072(A)",
            "Flat 32C, Tower 3, Sorrento",
        );
        whole("Kornhill, 2 Hong On Street, 2563 7182", "2 Hong On Street");
        whole(
            "123 Queen St W, Toronto, ON M5H 2M9",
            "123 Queen St W, Toronto, ON M5H 2M9",
        );
        whole(
            "PO Box 1234, Kowloon Central Post Office",
            "PO Box 1234, Kowloon Central Post Office",
        );
    }
}
