//! Alerts: one per (message, category), plus consent violations, recalls of flagged
//! messages and capture `seq` gaps. Alert ids are deterministic so a re-run after a crash
//! yields the same ids and consumers can dedup.

use std::collections::BTreeMap;

use serde::Deserialize;
use wcp_model::{
    Alert, ConsentState, Disposition, EnrichedEvent, EventKind, Evidence, RiskHit, Severity,
};

use crate::anonymise::Names;
use crate::ingest::SeqGap;
use crate::offsets::slice_chars;
pub use crate::recall::RecallTracker;

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct AlertPolicy {
    /// Severity per risk category name; categories not listed are `medium`.
    #[serde(default)]
    pub severity: BTreeMap<String, Severity>,
    /// Risk hits scoring below this raise no alert (they stay on the archived record).
    #[serde(default = "default_min_score")]
    pub min_score: f32,
    /// Alert when content flows in a conversation whose contact refused consent.
    #[serde(default = "default_true")]
    pub consent_violations: bool,
}

fn default_min_score() -> f32 {
    0.5
}
fn default_true() -> bool {
    true
}

impl Default for AlertPolicy {
    fn default() -> Self {
        AlertPolicy {
            severity: BTreeMap::new(),
            min_score: default_min_score(),
            consent_violations: true,
        }
    }
}

impl AlertPolicy {
    /// The one answer to "does this risk alert?", shared by the alerter, `wcp run`'s summary and
    /// `wcp detect`: `None` when it alerts, otherwise why not, in words a reviewer can act on.
    pub fn why_not_alerted(&self, hit: &RiskHit) -> Option<String> {
        (hit.score < self.min_score).then(|| {
            format!(
                "score {:.2} below the alert floor {:.2} ([alert] min_score)",
                hit.score, self.min_score
            )
        })
    }

    fn severity_of(&self, category: &str) -> Severity {
        self.severity
            .get(category)
            .copied()
            .unwrap_or(Severity::Medium)
    }
}

/// A rule id that says no more than the archive stores: lexicon ids spell the matched phrase
/// (`guarantee.zh.保本`), so for content not kept in clear the phrase is withheld. Model
/// ids name only a category (`model.off_channel`); any other operator-written id may spell
/// anything and is withheld whole.
pub fn rule_id_for(rule: &str, clear: bool) -> String {
    if clear {
        return rule.to_string();
    }
    let parts: Vec<&str> = rule.splitn(3, '.').collect();
    match parts.as_slice() {
        [category, lang, _phrase] => format!("{category}.{lang}.withheld"),
        ["model", _] => rule.to_string(),
        _ => "withheld".to_string(),
    }
}

/// Alerts raised by one event on its own (no state needed). `conversation` is the
/// conversation id as the archive stores it (`Names::archived_conversation`): for
/// content without consent it carries the same pseudonyms as the archived message.
pub fn alerts_for(ev: &EnrichedEvent, policy: &AlertPolicy, conversation: &str) -> Vec<Alert> {
    let event = &ev.event;
    let mut out = Vec::new();
    let region = archive_region(ev);
    // Evidence quotes the message only when it may be stored in clear; otherwise the span
    // alone tells the reviewer where to look in the (anonymised) archive.
    let clear = ev.disposition() == Disposition::Archive;
    if let Some(class) = &ev.classification {
        let mut by_category: BTreeMap<&str, Vec<&RiskHit>> = BTreeMap::new();
        for hit in class
            .risks
            .iter()
            .filter(|h| policy.why_not_alerted(h).is_none())
        {
            by_category
                .entry(hit.category.as_str())
                .or_default()
                .push(hit);
        }
        for (category, hits) in by_category {
            let evidence = hits
                .iter()
                .map(|h| Evidence {
                    start: h.start,
                    end: h.end,
                    text: if clear {
                        slice_chars(&event.text, h.start, h.end)
                    } else {
                        String::new()
                    },
                })
                .collect();
            out.push(Alert {
                alert_id: format!("{}:{category}", event.msgid),
                msgid: event.msgid.clone(),
                conversation_id: conversation.to_string(),
                category: category.to_string(),
                severity: policy.severity_of(category),
                rule_id: rule_id_for(&hits[0].rule_id, clear),
                time_ms: event.time_ms,
                evidence,
                region: region.clone(),
            });
        }
    }
    // Content from a contact who refused, or has not answered (quarantined or otherwise
    // held back), is a consent violation either way.
    let violation = match ev.consent.as_ref().map(|c| c.state) {
        Some(ConsentState::Disagreed) => Some((Severity::Medium, "consent.disagreed_contact")),
        Some(ConsentState::Unknown) => Some((Severity::Low, "consent.unknown_contact")),
        _ => None,
    };
    if let (true, Some((severity, rule)), EventKind::Message) =
        (policy.consent_violations, violation, &event.kind)
    {
        out.push(Alert {
            alert_id: format!("{}:consent_violation", event.msgid),
            msgid: event.msgid.clone(),
            conversation_id: conversation.to_string(),
            category: "consent_violation".to_string(),
            severity,
            rule_id: rule.to_string(),
            time_ms: event.time_ms,
            evidence: Vec::new(),
            region,
        });
    }
    out
}

/// The region whose archive holds `ev` (the archiver files it by the same retention tag), for
/// the review console to file the event's alerts there without looking the message up.
/// `None` when untagged or the tag is unusable: the archiver dead-letters such an event, and
/// the console treats the alert as one of revision 2 (lookup, then the first region).
fn archive_region(ev: &EnrichedEvent) -> Option<String> {
    wcp_model::region::of_event(ev).ok().map(str::to_string)
}

/// Alert for a gap in the capture sequence.
pub fn seq_gap_alert(gap: SeqGap, time_ms: i64) -> Alert {
    Alert {
        alert_id: format!("seq_gap:{}-{}", gap.first, gap.last),
        msgid: String::new(),
        conversation_id: String::new(),
        category: "seq_gap".to_string(),
        severity: Severity::High,
        rule_id: "capture.seq_gap".to_string(),
        time_ms,
        evidence: Vec::new(),
        // About missing seqs of the capture stream, which no archive holds and which belong
        // to no one region: left empty; the console files it in its first region.
        region: None,
    }
}

/// The alerter stage both runners call: an event's own alerts, remembered before the recall
/// check (so a message that is flagged and recalled in one batch alerts either way), then the
/// recall-of-flagged alert. Keeps the recall state as of the last commit for `abort`.
#[derive(Clone)]
pub struct AlertStep {
    policy: AlertPolicy,
    /// Names conversations as the archive does (pseudonyms where consent is missing).
    names: Names,
    recalls: RecallTracker,
    /// `recalls` as of the last commit. An abort restores it rather than rebuilding from
    /// `chat.alerts`: a recall seen before its flagged original waits in the tracker only,
    /// and a rebuild would forget it (37 recall alerts were lost that way after a broker
    /// outage in e2e_exactly_once).
    committed: RecallTracker,
}

impl AlertStep {
    pub fn new(policy: AlertPolicy, names: Names) -> AlertStep {
        AlertStep {
            policy,
            names,
            recalls: RecallTracker::default(),
            committed: RecallTracker::default(),
        }
    }

    /// Every alert of one event, in the order both runners emit them.
    pub fn process(&mut self, ev: &EnrichedEvent) -> Vec<Alert> {
        let conversation = self.names.archived_conversation(ev);
        let mut alerts = alerts_for(ev, &self.policy, &conversation);
        for a in &alerts {
            self.recalls.remember_alert(a);
        }
        if let Some(a) = self.recalls.observe(ev, &conversation) {
            self.recalls.remember_alert(&a);
            alerts.push(a);
        }
        alerts
    }

    /// Rebuild at start from alerts already published (`chat.alerts`, read_committed);
    /// `commit` once they are all in.
    pub fn remember_published(&mut self, published: &Alert) {
        self.recalls.remember_alert(published);
    }

    pub fn commit(&mut self) {
        self.committed = self.recalls.clone();
    }

    pub fn abort(&mut self) {
        self.recalls = self.committed.clone();
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::RiskCategory;

    fn hit(score: f32) -> RiskHit {
        RiskHit {
            category: RiskCategory::OffChannel,
            start: 0,
            end: 3,
            rule_id: "model.off_channel".into(),
            score,
        }
    }

    #[test]
    fn a_risk_alerts_at_the_floor_and_says_why_below_it() {
        let p = AlertPolicy::default();
        assert_eq!(p.why_not_alerted(&hit(p.min_score)), None);
        assert_eq!(p.why_not_alerted(&hit(0.9)), None);
        let why = p.why_not_alerted(&hit(0.42)).unwrap();
        assert!(why.contains("0.42") && why.contains("0.50"), "{why}");
    }

    #[test]
    fn rule_ids_withhold_phrases_not_kept_in_clear() {
        assert_eq!(rule_id_for("guarantee.zh.保本", true), "guarantee.zh.保本");
        assert_eq!(
            rule_id_for("guarantee.zh.保本", false),
            "guarantee.zh.withheld"
        );
        assert_eq!(
            rule_id_for("model.market_manipulation", false),
            "model.market_manipulation"
        );
        assert_eq!(rule_id_for("保本", false), "withheld");
        assert_eq!(rule_id_for("保本", true), "保本");
    }
}
