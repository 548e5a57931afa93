//! WECHAT_ID handles written after a label: `微信号 zhou_richard88`, `微信号是 …`,
//! `微信号：…`, `WeChat ID: …`. The label stays outside the span. (`wxid_…` ids are a
//! pattern recognizer and need no label.)
//!
//! A WeChat handle is 6–20 characters, starts with a letter, then letters, digits, `_`, `-`.

const LABELS: &[&str] = &[
    "微信号",
    "微信號",
    "WeChat ID",
    "Wechat ID",
    "WeChat id",
    "wechat id",
    "WeChat",
    "wechat",
    "WECHAT",
    "微信ID",
    "微信id",
    "微信：",
    "微信:",
];

/// Report each labelled handle in `t` as (start, end, score).
pub fn find(t: &str, out: &mut dyn FnMut(usize, usize, f32)) {
    let b = t.as_bytes();
    if !(t.contains('微') || b.windows(4).any(|w| w.eq_ignore_ascii_case(b"chat"))) {
        return;
    }
    for label in LABELS {
        let mut from = 0;
        while let Some(p) = t[from..].find(label) {
            let mut i = from + p + label.len();
            from = i;
            // optional copula and separators between the label and the handle
            for sep in ["是", ":", "：", " ", "\u{3000}", " "] {
                if t[i..].starts_with(sep) {
                    i += sep.len();
                }
            }
            if i >= b.len() || !b[i].is_ascii_alphabetic() {
                continue;
            }
            let s = i;
            while i < b.len() && (b[i].is_ascii_alphanumeric() || b[i] == b'_' || b[i] == b'-') {
                i += 1;
            }
            if (6..=20).contains(&(i - s)) && (i >= b.len() || !b[i].is_ascii_alphanumeric()) {
                out(s, i, 0.9);
            }
        }
    }
}
