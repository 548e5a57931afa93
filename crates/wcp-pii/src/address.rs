//! LOCATION: street-level addresses that carry a house number.
//!
//! Chinese: anchor on `<digits>号/號` right after a road word (路 街 道 巷 弄 段 里 村 …),
//! walk back over the Han run, and start at the first city/province name found in it, or
//! else just after the last "verb/particle" character (在 到 去 址 寄 喺 …) that introduces
//! an address. Dates (`12月3号`) and metro lines fail the road-word test. English:
//! `number + Capitalised words + street type` (and Malay `Jalan …`); the span ends at the
//! street word, so floors, suites and the city after a comma stay outside.

use regex::{Regex, RegexBuilder};
use std::sync::LazyLock;

const ROAD_SUFFIX: &[char] = &[
    '路', '街', '道', '巷', '弄', '段', '里', '村', '衢', '坊', '胡', '同',
];
const INTRO: &[char] = &[
    '在', '到', '去', '址', '寄', '喺', '住', '于', '於', '是', '为', '為', '的', '嘅', '改', '搬',
    '送', '往', '来', '來', '收', '咗', '点', '點', '从', '從', '至', '近', '和', '及', '与', '與',
];
/// Province-level units and large cities: an address written with one starts there.
const PLACES: &[&str] = &[
    "北京",
    "上海",
    "天津",
    "重庆",
    "重慶",
    "广州",
    "廣州",
    "深圳",
    "成都",
    "杭州",
    "南京",
    "武汉",
    "武漢",
    "西安",
    "苏州",
    "蘇州",
    "厦门",
    "廈門",
    "青岛",
    "青島",
    "大连",
    "大連",
    "宁波",
    "寧波",
    "长沙",
    "長沙",
    "郑州",
    "鄭州",
    "济南",
    "濟南",
    "合肥",
    "福州",
    "昆明",
    "沈阳",
    "瀋陽",
    "哈尔滨",
    "长春",
    "石家庄",
    "太原",
    "南昌",
    "南宁",
    "贵阳",
    "兰州",
    "海口",
    "三亚",
    "珠海",
    "东莞",
    "佛山",
    "无锡",
    "常州",
    "温州",
    "香港",
    "澳门",
    "澳門",
    "台北",
    "河北",
    "山西",
    "辽宁",
    "吉林",
    "黑龙江",
    "江苏",
    "浙江",
    "安徽",
    "福建",
    "江西",
    "山东",
    "河南",
    "湖北",
    "湖南",
    "广东",
    "廣東",
    "广西",
    "海南",
    "四川",
    "贵州",
    "云南",
    "西藏",
    "陕西",
    "甘肃",
    "青海",
    "宁夏",
    "新疆",
    "内蒙古",
];

fn is_han(c: char) -> bool {
    ('\u{4E00}'..='\u{9FFF}').contains(&c) || ('\u{3400}'..='\u{4DBF}').contains(&c)
}

/// Report each address found in `t` (ASCII-folded text) as (start, end, score).
pub fn find(t: &str, out: &mut dyn FnMut(usize, usize, f32)) {
    if t.contains('号') || t.contains('號') {
        chinese(t, out);
    }
    if t.bytes().any(|b| b.is_ascii_digit()) && t.bytes().any(|b| b.is_ascii_uppercase()) {
        for m in EN.find_iter(t) {
            out(m.start(), m.end(), 0.85);
        }
    }
}

fn chinese(t: &str, out: &mut dyn FnMut(usize, usize, f32)) {
    for (hao, c) in t.char_indices().filter(|&(_, c)| c == '号' || c == '號') {
        let end = hao + c.len_utf8();
        let head = &t[..hao];
        let num_start = head
            .trim_end_matches(|c: char| c.is_ascii_digit() || c == '-')
            .len();
        if num_start == hao || !head[num_start..].starts_with(|c: char| c.is_ascii_digit()) {
            continue;
        }
        let road = &head[..num_start];
        // Hong Kong writes the section after the road: 皇后大道中, 德輔道西
        let hk_section = ["道中", "道東", "道西", "道东", "道南", "道北"]
            .iter()
            .any(|e| road.ends_with(e));
        if !road.ends_with(ROAD_SUFFIX) && !hk_section {
            continue;
        }
        // the Han run in front of the number, at most 24 characters
        let mut run_start = num_start;
        for (n, (i, ch)) in road.char_indices().rev().enumerate() {
            if !is_han(ch) || n >= 24 {
                break;
            }
            run_start = i;
        }
        let run = &road[run_start..];
        let start = match PLACES.iter().filter_map(|p| run.find(p)).min() {
            Some(p) => run_start + p,
            None => run.rfind(INTRO).map_or(run_start, |i| {
                run_start + i + run[i..].chars().next().map_or(0, char::len_utf8)
            }),
        };
        // a bare road word with nothing in front is not an address
        if road[start..].chars().count() >= 2 {
            out(start, end, 0.85);
        }
    }
}

static EN: LazyLock<Regex> = LazyLock::new(|| {
    RegexBuilder::new(
        r"\b[1-9][0-9]{0,4}[A-Za-z]? (?:(?:[A-Z][a-z]+|[0-9]{1,3}(?:st|nd|rd|th)) ){0,3}(?:Street|St|Avenue|Ave|Road|Rd|Boulevard|Blvd|Lane|Ln|Drive|Dr|Place|Pl|Way|Court|Ct|Terrace|Crescent|Highway|Hwy|Parkway|Pkwy|Square|Plaza|Close|Walk|Quay|Row|Circle|Trail|Broadway|Alley|Gardens|Park)\b|\b[1-9][0-9]{0,4}[A-Za-z]? (?:Jalan|Lorong|Rue|Via|Calle|Avenida) [A-Z][a-z]+(?: [A-Z][a-z]+){0,2}",
    )
    .unicode(false)
    .build()
    .expect("address pattern compiles")
});
