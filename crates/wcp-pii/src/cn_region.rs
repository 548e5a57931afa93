//! PRC administrative-division prefixes for resident ID numbers, derived from public facts
//! (GB/T 2260 province codes and the ranges of prefecture codes each province uses).
//! A code passes when its province exists and its prefecture part is one the province has
//! used: current cities (01..=max), the old prefectures/autonomous prefectures (21..=35) and
//! the directly administered county-level cities (90). County digits must not be 00.

/// (province code, short name, highest city-level prefecture number)
const PROVINCES: [(u8, &str, u8); 34] = [
    (11, "北京", 2),
    (12, "天津", 2),
    (13, "河北", 11),
    (14, "山西", 11),
    (15, "内蒙古", 9),
    (21, "辽宁", 14),
    (22, "吉林", 8),
    (23, "黑龙江", 12),
    (31, "上海", 2),
    (32, "江苏", 13),
    (33, "浙江", 11),
    (34, "安徽", 18),
    (35, "福建", 9),
    (36, "江西", 11),
    (37, "山东", 17),
    (41, "河南", 17),
    (42, "湖北", 13),
    (43, "湖南", 13),
    (44, "广东", 53),
    (45, "广西", 14),
    (46, "海南", 4),
    (50, "重庆", 3),
    (51, "四川", 20),
    (52, "贵州", 6),
    (53, "云南", 9),
    (54, "西藏", 6),
    (61, "陕西", 10),
    (62, "甘肃", 12),
    (63, "青海", 2),
    (64, "宁夏", 5),
    (65, "新疆", 5),
    (71, "台湾", 0),
    (81, "香港", 0),
    (82, "澳门", 0),
];

/// Province short name for a 2-digit code, if it exists.
pub fn province(code: u8) -> Option<&'static str> {
    PROVINCES.iter().find(|p| p.0 == code).map(|p| p.1)
}

/// Does the 6-digit region prefix name a plausible county-level division?
pub fn region_ok(d: &[u8]) -> bool {
    if d.len() < 6 || !d[..6].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let n = |i: usize| (d[i] - b'0') * 10 + (d[i + 1] - b'0');
    let (prov, pref, county) = (n(0), n(2), n(4));
    let Some(&(_, _, max_city)) = PROVINCES.iter().find(|p| p.0 == prov) else {
        return false;
    };
    if max_city == 0 {
        // Hong Kong / Macao / Taiwan residence-permit numbers use the bare province code.
        return pref == 0 && county == 0;
    }
    let municipality = matches!(prov, 11 | 12 | 31 | 50);
    let pref_ok = (1..=max_city).contains(&pref)
        || (!municipality && (21..=35).contains(&pref))
        || pref == 90
        || (prov == 65 && (40..=43).contains(&pref));
    pref_ok && county != 0
}
