//! Anonymisation operators (a closed set, like Presidio's) and the per-entity policy.
//!
//! Guarantee: every detected span is replaced; no operator copies the raw value, except
//! `Mask` which keeps the last `keep_last` characters on purpose (card last-4). Pseudonyms
//! (`pseudonym.rs`) are a keyed HMAC-SHA256 of the *canonical* value (E.164 phones,
//! separators and case folded away), so "6225 6885…" and "62256885…" join, and two
//! tenants' keys never collide.

pub use crate::pseudonym::{canonical, parse_key, pseudonym, KeyError};
use crate::{cn_region, normalize::fold_char, PiiMatch};
use serde::{Deserialize, Serialize};
use std::collections::BTreeMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "op", rename_all = "snake_case")]
pub enum Operator {
    /// Remove the value.
    Redact,
    /// Replace every character but the last `keep_last` with `*`.
    Mask { keep_last: usize },
    /// `<EMAIL_ADDRESS>`.
    TypeTag,
    /// `PERSON_3fa9c1d2e47b0a15`: stable per tenant key, joinable, not reversible.
    Pseudonym,
    /// Keep a coarse attribute: CN ID → `<CN_RESIDENT_ID 四川 1950>`; others fall back to a type tag.
    Generalise,
}

/// Operator per entity type, with a default for the rest.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnonPolicy {
    #[serde(default = "type_tag")]
    pub default: Operator,
    #[serde(default)]
    pub entities: BTreeMap<String, Operator>,
}

fn type_tag() -> Operator {
    Operator::TypeTag
}

impl Default for AnonPolicy {
    fn default() -> Self {
        let mut entities = BTreeMap::new();
        for e in ["PERSON", "WECHAT_ID", "EMAIL_ADDRESS", "PHONE_NUMBER"] {
            entities.insert(e.to_string(), Operator::Pseudonym);
        }
        entities.insert("CN_RESIDENT_ID".to_string(), Operator::Generalise);
        entities.insert("CREDIT_CARD".to_string(), Operator::Mask { keep_last: 4 });
        AnonPolicy {
            default: Operator::TypeTag,
            entities,
        }
    }
}

impl AnonPolicy {
    pub fn operator_for(&self, entity: &str) -> Operator {
        self.entities.get(entity).copied().unwrap_or(self.default)
    }
}

/// Replace every match in `text` by its operator's output. `matches` must carry byte offsets
/// into `text` (as [`crate::PiiDetector::detect`] returns) and may overlap (the classifier's
/// spans together with the anonymiser's recall pass): overlapping spans are merged into one
/// replaced span, so no character of any of them stays in clear, under the operator of the
/// longest one.
pub fn anonymise(
    text: &str,
    matches: &[PiiMatch],
    policy: &AnonPolicy,
    tenant_key: &[u8],
) -> String {
    anonymise_with_edits(text, matches, policy, tenant_key).0
}

/// One replacement [`anonymise_with_edits`] made: bytes `start..end` of the input became
/// `len` bytes of the output. In input order, never overlapping.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Edit {
    pub start: usize,
    pub end: usize,
    pub len: usize,
}

/// [`anonymise`] plus the replacements it made, so offsets into `text` (the classifier's
/// risk and PII spans) can be moved onto the anonymised text.
pub fn anonymise_with_edits(
    text: &str,
    matches: &[PiiMatch],
    policy: &AnonPolicy,
    tenant_key: &[u8],
) -> (String, Vec<Edit>) {
    let mut sorted: Vec<&PiiMatch> = matches
        .iter()
        .filter(|m| {
            m.start < m.end
                && m.end <= text.len()
                && text.is_char_boundary(m.start)
                && text.is_char_boundary(m.end)
        })
        .collect();
    sorted.sort_by_key(|m| (m.start, std::cmp::Reverse(m.end)));
    // merged groups: (start, end, entity of the longest member)
    let mut groups: Vec<(usize, usize, &str, usize)> = Vec::new();
    for m in sorted {
        match groups.last_mut() {
            Some(g) if m.start < g.1 => {
                if m.end - m.start > g.3 {
                    g.2 = m.entity;
                    g.3 = m.end - m.start;
                }
                g.1 = g.1.max(m.end);
            }
            _ => groups.push((m.start, m.end, m.entity, m.end - m.start)),
        }
    }
    let mut out = String::with_capacity(text.len() + 16);
    let mut edits = Vec::with_capacity(groups.len());
    let mut pos = 0;
    for (s, e, entity, _) in groups {
        out.push_str(&text[pos..s]);
        let value = apply(policy.operator_for(entity), &text[s..e], entity, tenant_key);
        edits.push(Edit {
            start: s,
            end: e,
            len: value.len(),
        });
        out.push_str(&value);
        pos = e;
    }
    out.push_str(&text[pos..]);
    (out, edits)
}

fn apply(op: Operator, value: &str, entity: &str, key: &[u8]) -> String {
    match op {
        Operator::Redact => String::new(),
        Operator::Mask { keep_last } => {
            let n = value.chars().count();
            value
                .chars()
                .enumerate()
                .map(|(i, c)| if i + keep_last >= n { c } else { '*' })
                .collect()
        }
        Operator::TypeTag => format!("<{entity}>"),
        Operator::Pseudonym => pseudonym(value, entity, key),
        Operator::Generalise => generalise(value, entity),
    }
}

fn generalise(value: &str, entity: &str) -> String {
    if entity == "CN_RESIDENT_ID" {
        let d: Vec<u8> = value
            .chars()
            .map(fold_char)
            .filter(char::is_ascii_digit)
            .map(|c| c as u8)
            .collect();
        if d.len() >= 10 {
            let prov = cn_region::province((d[0] - b'0') * 10 + (d[1] - b'0')).unwrap_or("未知");
            let year = std::str::from_utf8(&d[6..10]).unwrap_or("????");
            return format!("<CN_RESIDENT_ID {prov} {year}>");
        }
    }
    format!("<{entity}>")
}
