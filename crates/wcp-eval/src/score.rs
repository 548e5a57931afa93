//! The three tables: PII spans per type, business/personal class, risk
//! categories per message. Rules follow tools/score.py exactly.
use crate::prf::{Counts, Prf};
use crate::records::{Gold, Pred, Span};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// Types scored by score.py's `pii` mode but left out of `piipat`.
pub const NAMED_TYPES: [&str; 2] = ["PERSON", "LOCATION"];

/// One type's (or category's) counts and scores.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeRow {
    pub name: String,
    pub counts: Counts,
    pub scores: Prf,
}

/// Rows sorted by name, plus the micro-averaged total.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct TypeTable {
    pub rows: Vec<TypeRow>,
    pub total: TypeRow,
}

/// How messages labelled `mixed` were classified (not scored: they have no
/// single right answer).
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize)]
pub struct MixedRow {
    pub messages: u64,
    pub predicted_business: u64,
    pub predicted_personal: u64,
}

/// Business vs personal (business is the positive class; a missing
/// prediction counts as business, as in score.py).
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ClassTable {
    pub business: TypeRow,
    pub personal: TypeRow,
    pub business_recall: f64,
    pub personal_recall: f64,
    pub macro_f1: f64,
    pub missing: u64,
    pub mixed: MixedRow,
}

/// Everything `wcp eval` reports.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct Report {
    pub messages: u64,
    pub pii: TypeTable,
    /// Total over the pattern types (all labelled types but PERSON/LOCATION).
    pub pii_pattern: TypeRow,
    pub class: ClassTable,
    pub risk: TypeTable,
    /// Per category: false positives by rule, misses by what was raised instead.
    pub risk_confusion: Vec<crate::confusion::CategoryConfusion>,
}

fn row(name: &str, counts: Counts) -> TypeRow {
    TypeRow {
        name: name.to_string(),
        counts,
        scores: counts.prf(),
    }
}

fn table(by: BTreeMap<String, Counts>, total_name: &str) -> TypeTable {
    let mut total = Counts::default();
    let rows = by
        .into_iter()
        .map(|(name, c)| {
            total.add(c);
            row(&name, c)
        })
        .collect();
    TypeTable {
        rows,
        total: row(total_name, total),
    }
}

/// Adds set differences of gold and predicted keys to per-key counts.
fn tally<K: Ord + Clone>(
    by: &mut BTreeMap<String, Counts>,
    gold: &BTreeSet<K>,
    pred: &BTreeSet<K>,
    name: impl Fn(&K) -> String,
) {
    for k in gold.intersection(pred) {
        by.entry(name(k)).or_default().tp += 1;
    }
    for k in pred.difference(gold) {
        by.entry(name(k)).or_default().fp += 1;
    }
    for k in gold.difference(pred) {
        by.entry(name(k)).or_default().fn_ += 1;
    }
}

fn pii_table(gold: &BTreeMap<&str, &Gold>, pred: &BTreeMap<&str, &Pred>) -> TypeTable {
    // Only types the gold file labels are scored: others are not wrong, just unlabelled.
    let types: BTreeSet<&str> = gold
        .values()
        .flat_map(|g| g.pii.iter().map(|s| s.0.as_str()))
        .collect();
    let keep = |spans: &[Span]| -> BTreeSet<Span> {
        spans
            .iter()
            .filter(|s| types.contains(s.0.as_str()))
            .cloned()
            .collect()
    };
    let mut by = BTreeMap::new();
    for (id, g) in gold {
        let p = pred.get(id).map(|p| keep(&p.pii)).unwrap_or_default();
        tally(&mut by, &keep(&g.pii), &p, |s| s.0.clone());
    }
    table(by, "all")
}

fn class_table(gold: &BTreeMap<&str, &Gold>, pred: &BTreeMap<&str, &Pred>) -> ClassTable {
    let (mut tp, mut fp, mut fn_, mut tn, mut missing) = (0, 0, 0, 0, 0);
    let mut mixed = MixedRow::default();
    for (id, g) in gold {
        let p = pred.get(id).and_then(|p| p.class.as_deref());
        let pb = p.is_none_or(|c| c == "business");
        match g.class.as_deref() {
            Some("mixed") => {
                mixed.messages += 1;
                if pb {
                    mixed.predicted_business += 1;
                } else {
                    mixed.predicted_personal += 1;
                }
                continue;
            }
            Some("business") | Some("personal") => {}
            _ => continue,
        }
        missing += u64::from(p.is_none());
        match (g.class.as_deref() == Some("business"), pb) {
            (true, true) => tp += 1,
            (true, false) => fn_ += 1,
            (false, true) => fp += 1,
            (false, false) => tn += 1,
        }
    }
    let business = row("business", Counts { tp, fp, fn_ });
    let personal = row(
        "personal",
        Counts {
            tp: tn,
            fp: fn_,
            fn_: fp,
        },
    );
    ClassTable {
        business_recall: business.scores.recall,
        personal_recall: personal.scores.recall,
        macro_f1: (business.scores.f1 + personal.scores.f1) / 2.0,
        business,
        personal,
        missing,
        mixed,
    }
}

fn risk_table(gold: &BTreeMap<&str, &Gold>, pred: &BTreeMap<&str, &Pred>) -> TypeTable {
    let mut by = BTreeMap::new();
    for (id, g) in gold {
        let gs: BTreeSet<String> = g.risk.iter().cloned().collect();
        let ps: BTreeSet<String> = pred
            .get(id)
            .map(|p| p.risks.iter().cloned().collect())
            .unwrap_or_default();
        tally(&mut by, &gs, &ps, String::clone);
    }
    table(by, "all")
}

/// Scores predictions against gold rows. Later rows with a repeated id
/// replace earlier ones (score.py's dict semantics); predictions for ids not
/// in the gold file are ignored.
pub fn evaluate(gold: &[Gold], pred: &[Pred]) -> Report {
    let gold: BTreeMap<&str, &Gold> = gold.iter().map(|g| (g.id.as_str(), g)).collect();
    let pred: BTreeMap<&str, &Pred> = pred.iter().map(|p| (p.id.as_str(), p)).collect();
    let pii = pii_table(&gold, &pred);
    let mut pattern = Counts::default();
    for r in pii
        .rows
        .iter()
        .filter(|r| !NAMED_TYPES.contains(&r.name.as_str()))
    {
        pattern.add(r.counts);
    }
    Report {
        messages: gold.len() as u64,
        pii,
        pii_pattern: row("pattern types", pattern),
        class: class_table(&gold, &pred),
        risk: risk_table(&gold, &pred),
        risk_confusion: crate::confusion::risk_confusion(&gold, &pred),
    }
}
