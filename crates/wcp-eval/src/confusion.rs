//! Where the risk errors come from, per category: which rules raised the false positives, and
//! what the missed messages were raised as instead, so a tuning round starts from evidence.
use crate::records::{Gold, Pred};
use serde::Serialize;
use std::collections::{BTreeMap, BTreeSet};

/// How many rules, confusions and example ids each list keeps.
pub const TOP: usize = 5;

/// A count with up to [`TOP`] example message ids.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct Tally {
    pub name: String,
    pub count: u64,
    pub examples: Vec<String>,
}

/// The breakdown of one category.
#[derive(Clone, Debug, Default, PartialEq, Serialize)]
pub struct CategoryConfusion {
    pub category: String,
    /// False positives by the rule (lexicon rule id or `model.<category>`) that raised them.
    pub false_positives_by_rule: Vec<Tally>,
    /// Missed messages by what was raised on them instead (another category, or "(nothing)").
    pub false_negatives_raised_as: Vec<Tally>,
}

fn bump(map: &mut BTreeMap<String, Tally>, name: &str, id: &str) {
    let t = map.entry(name.to_string()).or_insert_with(|| Tally {
        name: name.to_string(),
        ..Tally::default()
    });
    t.count += 1;
    if t.examples.len() < TOP {
        t.examples.push(id.to_string());
    }
}

fn top(map: BTreeMap<String, Tally>) -> Vec<Tally> {
    let mut v: Vec<Tally> = map.into_values().collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v.truncate(TOP);
    v
}

/// Per-category breakdown of the risk errors (categories with no error are left out).
pub fn risk_confusion(
    gold: &BTreeMap<&str, &Gold>,
    pred: &BTreeMap<&str, &Pred>,
) -> Vec<CategoryConfusion> {
    let mut fps: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
    let mut fns: BTreeMap<String, BTreeMap<String, Tally>> = BTreeMap::new();
    for (id, g) in gold {
        let gs: BTreeSet<&str> = g.risk.iter().map(String::as_str).collect();
        let p = pred.get(id);
        let ps: BTreeSet<&str> = p
            .map(|p| p.risks.iter().map(String::as_str).collect())
            .unwrap_or_default();
        if let Some(p) = p {
            for (cat, rule) in &p.risk_rules {
                if !gs.contains(cat.as_str()) {
                    bump(fps.entry(cat.clone()).or_default(), rule, id);
                }
            }
        }
        for missed in gs.difference(&ps) {
            let instead: Vec<&str> = ps.difference(&gs).copied().collect();
            let entry = fns.entry(missed.to_string()).or_default();
            if instead.is_empty() {
                bump(entry, "(nothing)", id);
            }
            for other in instead {
                bump(entry, other, id);
            }
        }
    }
    let cats: BTreeSet<String> = fps.keys().chain(fns.keys()).cloned().collect();
    cats.into_iter()
        .map(|c| CategoryConfusion {
            false_positives_by_rule: top(fps.remove(&c).unwrap_or_default()),
            false_negatives_raised_as: top(fns.remove(&c).unwrap_or_default()),
            category: c,
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn gold(id: &str, risk: &[&str]) -> Gold {
        Gold {
            id: id.into(),
            risk: risk.iter().map(|s| s.to_string()).collect(),
            ..Gold::default()
        }
    }

    fn pred(id: &str, risks: &[(&str, &str)]) -> Pred {
        Pred {
            id: id.into(),
            risks: risks.iter().map(|r| r.0.to_string()).collect(),
            risk_rules: risks
                .iter()
                .map(|r| (r.0.to_string(), r.1.to_string()))
                .collect(),
            ..Pred::default()
        }
    }

    #[test]
    fn false_positives_by_rule_and_misses_by_what_was_raised_instead() {
        let g = [
            gold("1", &[]),
            gold("2", &[]),
            gold("3", &["insider_information"]),
            gold("4", &["insider_information"]),
            gold("5", &["complaint"]),
        ];
        let p = [
            pred("1", &[("complaint", "complaint.zh.投诉")]),
            pred("2", &[("complaint", "complaint.zh.投诉")]),
            pred(
                "3",
                &[("confidentiality_breach", "model.confidentiality_breach")],
            ),
            pred("4", &[]),
            pred("5", &[("complaint", "complaint.en.complain")]),
        ];
        let gm: BTreeMap<&str, &Gold> = g.iter().map(|x| (x.id.as_str(), x)).collect();
        let pm: BTreeMap<&str, &Pred> = p.iter().map(|x| (x.id.as_str(), x)).collect();
        let c = risk_confusion(&gm, &pm);
        let names: Vec<&str> = c.iter().map(|x| x.category.as_str()).collect();
        assert_eq!(
            names,
            ["complaint", "confidentiality_breach", "insider_information"]
        );
        let fp = &c[0].false_positives_by_rule;
        assert_eq!((fp[0].name.as_str(), fp[0].count), ("complaint.zh.投诉", 2));
        assert_eq!(fp[0].examples, ["1", "2"]);
        assert!(c[0].false_negatives_raised_as.is_empty());
        let missed = &c[2].false_negatives_raised_as;
        assert_eq!(missed.len(), 2);
        assert!(missed
            .iter()
            .any(|t| t.name == "confidentiality_breach" && t.examples == ["3"]));
        assert!(missed
            .iter()
            .any(|t| t.name == "(nothing)" && t.examples == ["4"]));
    }
}
