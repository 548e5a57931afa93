//! The anonymisation survivor measure (issue 13 item 6), shared by the test
//! `anon_survivors` and the example of the same name.
//!
//! Input: a labelled set in `score.py` gold form — JSON lines `{"id","text","pii":[{"type",
//! "start","end"}]}`, code-point offsets, every labelled value an identifying value.
//! Each text goes through the product's anonymiser exactly as `wcp run` applies it
//! (wcp-stages `Anonymiser::text`): the classifier's spans (`PiiDetector::new().detect`)
//! together with the anonymiser's recall pass (`PiiDetector::anonymising().detect`), then
//! `anonymise` with `AnonPolicy::default()`.
//!
//! A labelled value **survives** when either
//! - *verbatim*: the value as written still occurs in the anonymised text, or
//! - *partially*: one of its identifying characters was not inside a span the anonymiser
//!   replaced. Identifying characters are the value's letters, digits and Han characters,
//!   minus titles and kinship/honorific words (`先生`, `女士`, `总`, `Mr`, `Dr` …: `王先生`
//!   survives when `王` is left, not when only `先生` is). A `mask` operator's kept tail
//!   (card last 4) counts as replaced: that is the policy's deliberate choice.
//!
//! The survivor rate is survivors / labelled values.

use serde_json::Value;
use std::collections::BTreeMap;
use wcp_pii::anonymise::{anonymise, AnonPolicy};
use wcp_pii::PiiDetector;

/// Words that do not identify anyone by themselves (stripped before the partial test).
const TITLES: &[&str] = &[
    "先生",
    "女士",
    "小姐",
    "太太",
    "夫人",
    "老师",
    "老師",
    "医生",
    "醫生",
    "律师",
    "律師",
    "经理",
    "經理",
    "总监",
    "總監",
    "董事长",
    "董事長",
    "主任",
    "处长",
    "處長",
    "科长",
    "局长",
    "阿姨",
    "叔叔",
    "伯伯",
    "姐姐",
    "哥哥",
    "同学",
    "同學",
    "教授",
    "博士",
    "总",
    "總",
    "老",
    "小",
    "阿",
    "哥",
    "姐",
    "Mr",
    "Mrs",
    "Ms",
    "Miss",
    "Mdm",
    "Madam",
    "Dr",
    "Prof",
    "Sir",
];

#[derive(Debug, Default, Clone)]
pub struct Tally {
    pub values: usize,
    pub verbatim: usize,
    pub partial: usize,
}

impl Tally {
    /// Values that survive either way.
    pub fn survivors(&self) -> usize {
        self.partial
    }
    pub fn rate(&self) -> f64 {
        self.survivors() as f64 / self.values.max(1) as f64
    }
}

/// Survivor tallies, overall and per labelled type.
pub struct Report {
    pub total: Tally,
    pub by_type: BTreeMap<String, Tally>,
    /// Each survivor: (record id, type, value) — for development sets only.
    pub survivors: Vec<(String, String, String)>,
}

fn byte_at(text: &str, cp: usize) -> usize {
    text.char_indices().nth(cp).map_or(text.len(), |(b, _)| b)
}

/// Byte ranges of `text` the anonymiser replaced: the union of its spans.
fn replaced(ms: &[wcp_pii::PiiMatch]) -> Vec<(usize, usize)> {
    let mut v: Vec<(usize, usize)> = ms.iter().map(|m| (m.start, m.end)).collect();
    v.sort();
    let mut out: Vec<(usize, usize)> = Vec::new();
    for (s, e) in v {
        match out.last_mut() {
            Some(l) if s < l.1 => l.1 = l.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

/// Identifying characters of the value at `s..e` (byte offsets): their byte positions.
fn identifying(text: &str, s: usize, e: usize) -> Vec<usize> {
    let v = &text[s..e];
    let mut skip = vec![false; v.len()];
    for t in TITLES {
        for (i, _) in v.match_indices(t) {
            let ascii = t.is_ascii();
            let before = v[..i].chars().next_back();
            let after = v[i + t.len()..].chars().next();
            // an English title is a whole word (`Mr` not inside `Mrs`/`Amro`)
            let word = !ascii
                || (before.is_none_or(|c| !c.is_ascii_alphabetic())
                    && after.is_none_or(|c| !c.is_ascii_alphabetic()));
            if word {
                skip[i..i + t.len()].iter_mut().for_each(|x| *x = true);
            }
        }
    }
    v.char_indices()
        .filter(|&(i, c)| !skip[i] && c.is_alphanumeric())
        .map(|(i, _)| s + i)
        .collect()
}

/// Measure one labelled set (JSON lines text).
pub fn measure(jsonl: &str) -> Report {
    let det = PiiDetector::new();
    let recall = PiiDetector::anonymising();
    let policy = AnonPolicy::default();
    let key = b"survivor-measure-key";
    let mut total = Tally::default();
    let mut by_type: BTreeMap<String, Tally> = BTreeMap::new();
    let mut survivors = Vec::new();
    for line in jsonl.lines().filter(|l| !l.trim().is_empty()) {
        let Ok(r) = serde_json::from_str::<Value>(line) else {
            continue;
        };
        let text = r["text"].as_str().unwrap_or("");
        let mut ms = det.detect(text);
        ms.extend(recall.detect(text));
        let out = anonymise(text, &ms, &policy, key);
        let covered = replaced(&ms);
        for p in r["pii"].as_array().into_iter().flatten() {
            let (Some(s), Some(e)) = (p["start"].as_u64(), p["end"].as_u64()) else {
                continue;
            };
            let (s, e) = (byte_at(text, s as usize), byte_at(text, e as usize));
            let value = &text[s..e];
            let verbatim = !value.trim().is_empty() && out.contains(value);
            let partial = verbatim
                || identifying(text, s, e)
                    .into_iter()
                    .any(|b| !covered.iter().any(|&(cs, ce)| cs <= b && b < ce));
            let ty = p["type"].as_str().unwrap_or("?").to_string();
            if partial {
                let id = r["id"].as_str().unwrap_or("?").to_string();
                survivors.push((id, ty.clone(), value.to_string()));
            }
            for t in [&mut total, by_type.entry(ty).or_default()] {
                t.values += 1;
                t.verbatim += usize::from(verbatim);
                t.partial += usize::from(partial);
            }
        }
    }
    Report {
        total,
        by_type,
        survivors,
    }
}
