//! Retention tagging: which rules apply, `keep_until` from the event time (never the wall
//! clock, so a backfill of 2019 chats expires in 2025, not years from today), legal hold and
//! residency region.

use serde::Deserialize;
use wcp_model::{Class, EnrichedEvent, RetentionTag, Role};

use crate::civil::add_years_ms;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum AppliesTo {
    Business,
    Personal,
    All,
}

/// One retention rule of the rules table (policy file).
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionRule {
    pub id: String,
    /// Human citation shown in reports, e.g. "SEC Rule 17a-4(b)(4)".
    pub regulation: String,
    /// Rules are switched on per desk/tenant by regime name (`sec`, `finra`, `mifid2`, ...).
    pub regime: String,
    #[serde(default)]
    pub years: u32,
    #[serde(default)]
    pub days: u32,
    pub applies_to: AppliesTo,
}

/// A desk: who is on it, which regimes bind it and where its data must live.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Desk {
    pub name: String,
    pub members: Vec<String>,
    pub regimes: Vec<String>,
    pub region: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct HoldRule {
    #[serde(default)]
    pub custodian: Option<String>,
    #[serde(default)]
    pub conversation: Option<String>,
    pub case_id: String,
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct RetentionPolicy {
    pub default_region: String,
    pub default_regimes: Vec<String>,
    pub rules: Vec<RetentionRule>,
    #[serde(default)]
    pub desks: Vec<Desk>,
    #[serde(default)]
    pub holds: Vec<HoldRule>,
    /// How long the archive keeps a dead letter (sealed like quarantine: its consent cannot
    /// be known), counted from when it was dead-lettered: long enough to fix the producer and
    /// replay, after which the replayed record has its own retention.
    #[serde(default = "default_dead_letter_days")]
    pub dead_letter_days: u32,
}

fn default_dead_letter_days() -> u32 {
    90
}

impl RetentionPolicy {
    /// Every region a record can be archived in: the default one, then each desk's.
    pub fn regions(&self) -> Vec<String> {
        let mut regions = vec![self.default_region.clone()];
        for d in &self.desks {
            if !regions.contains(&d.region) {
                regions.push(d.region.clone());
            }
        }
        regions
    }

    fn desk_of(&self, staff: &str) -> Option<&Desk> {
        self.desks
            .iter()
            .find(|d| d.members.iter().any(|m| m == staff))
    }

    /// Every rule id the policy knows, for validation of references.
    pub fn rule_ids(&self) -> impl Iterator<Item = &str> {
        self.rules.iter().map(|r| r.id.as_str())
    }
}

/// Decide the retention tag of one event.
pub fn decide(ev: &EnrichedEvent, policy: &RetentionPolicy) -> RetentionTag {
    let event = &ev.event;
    // Staff participants decide desk and region: the sender first, then recipients.
    let staff: Vec<&str> = event
        .participants()
        .filter(|p| p.role == Role::Staff)
        .map(|p| p.id.as_str())
        .collect();
    let desks: Vec<&Desk> = staff.iter().filter_map(|s| policy.desk_of(s)).collect();
    let mut regimes: Vec<&str> = desks
        .iter()
        .flat_map(|d| d.regimes.iter().map(String::as_str))
        .collect();
    if regimes.is_empty() {
        regimes = policy.default_regimes.iter().map(String::as_str).collect();
    }
    let region = desks
        .first()
        .map(|d| d.region.clone())
        .unwrap_or_else(|| policy.default_region.clone());
    // Unclassified events (consent records, recalls, switches) are books-and-records
    // metadata: keep them like business.
    let class = ev
        .classification
        .as_ref()
        .map(|c| c.class)
        .unwrap_or(Class::Business);
    let mut rules = Vec::new();
    let mut keep_until_ms = event.time_ms;
    for rule in &policy.rules {
        let applies = match rule.applies_to {
            AppliesTo::All => true,
            AppliesTo::Business => class == Class::Business,
            AppliesTo::Personal => class == Class::Personal,
        };
        if applies && regimes.contains(&rule.regime.as_str()) {
            let until = add_years_ms(event.time_ms, rule.years) + i64::from(rule.days) * 86_400_000;
            keep_until_ms = keep_until_ms.max(until);
            rules.push(rule.id.clone());
        }
    }
    let legal_hold = policy.holds.iter().any(|h| {
        h.custodian.as_deref().is_some_and(|c| staff.contains(&c))
            || h.conversation.as_deref() == Some(event.conversation_id.as_str())
    });
    RetentionTag {
        rules,
        keep_until_ms,
        legal_hold,
        region,
    }
}

/// The retention-tagger stage.
pub fn tag(mut ev: EnrichedEvent, policy: &RetentionPolicy) -> EnrichedEvent {
    ev.retention = Some(decide(&ev, policy));
    ev
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::civil::days_from_civil;
    use crate::Policy;
    use wcp_model::{parse_wecom, Classification};

    fn event(from: &str, to: &str, class: Option<Class>) -> EnrichedEvent {
        let raw = format!(
            r#"{{"msgid":"m1","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":1732600037000,"msgtype":"text","text":{{"content":"x"}}}}"#
        );
        let mut ev = EnrichedEvent::new(parse_wecom(raw.as_bytes(), None).unwrap());
        ev.classification = class.map(|class| Classification {
            class,
            business_score: 0.9,
            top_features: vec![],
            risks: vec![],
            pii: vec![],
        });
        ev
    }

    fn date_ms(y: i64, m: u32, d: u32) -> i64 {
        days_from_civil(y, m, d) * 86_400_000
    }

    #[test]
    fn rules_table() {
        let policy = Policy::builtin().retention;
        let t0 = 1_732_600_037_000 - date_ms(2024, 11, 26);
        let cases = [
            // (from, to, class, rules, keep until date, region)
            (
                "zhangwei",
                "wmX",
                Some(Class::Business),
                vec!["sec_17a4_b4_3y", "finra_4511_6y", "csrc_20y"],
                date_ms(2044, 11, 26),
                "cn",
            ),
            (
                "zhangwei",
                "liuyang",
                Some(Class::Personal),
                vec!["personal_30d_default"],
                date_ms(2024, 12, 26),
                "cn",
            ),
            (
                "lina",
                "wmX",
                Some(Class::Business),
                vec!["sfc_7y"],
                date_ms(2031, 11, 26),
                "hk",
            ),
            (
                "lina",
                "wmX",
                Some(Class::Personal),
                vec!["personal_30d"],
                date_ms(2024, 12, 26),
                "hk",
            ),
            (
                "wmX",
                "tanwl",
                Some(Class::Business),
                vec!["mas_5y"],
                date_ms(2029, 11, 26),
                "sg",
            ),
            (
                "zhangwei",
                "wmX",
                None,
                vec!["sec_17a4_b4_3y", "finra_4511_6y", "csrc_20y"],
                date_ms(2044, 11, 26),
                "cn",
            ),
        ];
        for (from, to, class, rules, until, region) in cases {
            let tag = decide(&event(from, to, class), &policy);
            assert_eq!(tag.rules, rules, "{from}->{to} {class:?}");
            assert_eq!(tag.keep_until_ms, until + t0, "{from}->{to} {class:?}");
            assert_eq!(tag.region, region);
            assert!(!tag.legal_hold);
        }
    }

    #[test]
    fn legal_hold_by_custodian_or_conversation() {
        let mut policy = Policy::builtin().retention;
        policy.holds.push(HoldRule {
            custodian: Some("zhangwei".into()),
            conversation: None,
            case_id: "C-1".into(),
        });
        assert!(decide(&event("zhangwei", "wmX", None), &policy).legal_hold);
        assert!(!decide(&event("lina", "wmX", None), &policy).legal_hold);
        policy.holds[0] = HoldRule {
            custodian: None,
            conversation: Some("lina|wmX".into()),
            case_id: "C-2".into(),
        };
        assert!(decide(&event("wmX", "lina", None), &policy).legal_hold);
    }
}
