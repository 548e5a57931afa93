//! Records that cross topics after ingest. `schemas/*.avsc` is the wire contract for each.
//!
//! Offsets in spans count Unicode code points of `ChatEvent::text` (end exclusive), the same
//! unit as the `wcp detect` contract, so a reviewer UI in any language can slice the text.

use serde::{Deserialize, Serialize};

use crate::event::{ChatEvent, Participant};
use crate::risk::RiskCategory;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Class {
    Business,
    Personal,
}

impl Class {
    pub fn as_str(self) -> &'static str {
        match self {
            Class::Business => "business",
            Class::Personal => "personal",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct PiiSpan {
    /// Presidio-style entity name (`PHONE_NUMBER`, `CN_RESIDENT_ID`, ...).
    pub entity: String,
    pub start: u32,
    pub end: u32,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RiskHit {
    pub category: RiskCategory,
    pub start: u32,
    pub end: u32,
    /// Lexicon or model rule that fired (`guarantee.zh.保本`, `model.off_channel`).
    pub rule_id: String,
    pub score: f32,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Classification {
    pub class: Class,
    pub business_score: f32,
    /// Features that drove the class decision, for reviewers and audits.
    pub top_features: Vec<String>,
    pub risks: Vec<RiskHit>,
    pub pii: Vec<PiiSpan>,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ConsentState {
    /// Every external participant had agreed at `msgtime`.
    Agreed,
    /// At least one external participant had refused at `msgtime`.
    Disagreed,
    /// At least one external participant had not answered at `msgtime`.
    Unknown,
    /// No external participant: staff are covered by the employment basis in policy.
    NotRequired,
}

impl ConsentState {
    pub fn as_str(self) -> &'static str {
        match self {
            ConsentState::Agreed => "agreed",
            ConsentState::Disagreed => "disagreed",
            ConsentState::Unknown => "unknown",
            ConsentState::NotRequired => "not_required",
        }
    }
}

/// What the pipeline does with the content of an event, decided by consent and retention
/// policy. Every event ends in exactly one disposition (or the dead-letter topic).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Disposition {
    /// Archived as received.
    Archive,
    /// Archived with PII and contact ids replaced (no consent for clear storage).
    ArchiveAnonymised,
    /// Held apart, not searchable, until consent is known.
    Quarantine,
    /// Only who/when/msgtype are archived.
    MetadataOnly,
}

impl Disposition {
    pub fn as_str(self) -> &'static str {
        match self {
            Disposition::Archive => "archive",
            Disposition::ArchiveAnonymised => "archive_anonymised",
            Disposition::Quarantine => "quarantine",
            Disposition::MetadataOnly => "metadata_only",
        }
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ContactConsent {
    pub contact: String,
    pub state: ConsentState,
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct ConsentDecision {
    pub state: ConsentState,
    pub disposition: Disposition,
    pub contacts: Vec<ContactConsent>,
}

/// Why an event got its disposition: which contact decided it, in which state, under which
/// policy rule. Derived from the decision itself (which every record carries and the archive
/// chains), so it can never disagree with it.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DispositionReason {
    /// The external contact whose state decided (as stored: a pseudonym where content was
    /// reduced); `None` when no external contact took part.
    pub contact: Option<String>,
    pub state: ConsentState,
    /// `consent.not_required`, `consent.agreed`, `consent.on_disagreed`,
    /// `consent.on_unknown`, or `consent.record_without_content`.
    pub rule: &'static str,
    pub disposition: Disposition,
}

impl ConsentDecision {
    /// The reason for this decision; `carries_content` is false for consent records,
    /// recalls and switches.
    pub fn reason(&self, carries_content: bool) -> DispositionReason {
        let contact = self
            .contacts
            .iter()
            .find(|c| c.state == self.state)
            .map(|c| c.contact.clone());
        let rule = match self.state {
            ConsentState::NotRequired => "consent.not_required",
            ConsentState::Agreed => "consent.agreed",
            _ if !carries_content => "consent.record_without_content",
            ConsentState::Disagreed => "consent.on_disagreed",
            ConsentState::Unknown => "consent.on_unknown",
        };
        DispositionReason {
            contact,
            state: self.state,
            rule,
            disposition: self.disposition,
        }
    }
}

impl std::fmt::Display for DispositionReason {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        match &self.contact {
            Some(c) => write!(f, "contact {c} {}", self.state.as_str())?,
            None => write!(f, "no external contact")?,
        }
        write!(f, ": {} → {}", self.rule, self.disposition.as_str())
    }
}

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct RetentionTag {
    /// Rule ids that apply (`sec_17a4_3y`, `finra_4511_6y`, `personal_30d`, ...).
    pub rules: Vec<String>,
    /// Event time + the longest applicable period, epoch ms.
    pub keep_until_ms: i64,
    pub legal_hold: bool,
    /// Residency region whose archive holds the record (`cn`, `hk`, `sg`, ...).
    pub region: String,
}

/// The event as it moves through classifier → consent-gate → retention-tagger; each stage
/// fills its part.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct EnrichedEvent {
    pub event: ChatEvent,
    pub classification: Option<Classification>,
    pub consent: Option<ConsentDecision>,
    pub retention: Option<RetentionTag>,
    /// In-process only, never on the wire (the Avro schema has no such field): the clear ids
    /// of a quarantined event whose ids `Anonymiser::for_archive` replaced with pseudonyms.
    /// The archive seals them with the content, so only a DPO release restores them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub sealed_ids: Option<ClearIds>,
}

/// Who a quarantined event names, in clear (see `EnrichedEvent::sealed_ids`).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ClearIds {
    pub from: Participant,
    pub to: Vec<Participant>,
    pub conversation_id: String,
    /// The consent decision's contacts, in its order.
    pub contacts: Vec<String>,
}

impl EnrichedEvent {
    pub fn new(event: ChatEvent) -> EnrichedEvent {
        EnrichedEvent {
            event,
            classification: None,
            consent: None,
            retention: None,
            sealed_ids: None,
        }
    }

    pub fn disposition(&self) -> Disposition {
        self.consent
            .as_ref()
            .map(|c| c.disposition)
            .unwrap_or(Disposition::Archive)
    }
}

/// A consent change for the compacted `consent.ledger` topic (key = contact id).
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct ConsentRecord {
    pub contact: String,
    pub agreed: bool,
    pub at_ms: i64,
    /// The `agree`/`disagree` message that carried it.
    pub msgid: String,
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Severity {
    Low,
    Medium,
    High,
}

impl Severity {
    pub fn as_str(self) -> &'static str {
        match self {
            Severity::Low => "low",
            Severity::Medium => "medium",
            Severity::High => "high",
        }
    }
}

#[derive(Clone, PartialEq, Serialize, Deserialize)]
pub struct Evidence {
    pub start: u32,
    pub end: u32,
    pub text: String,
}

impl std::fmt::Debug for Evidence {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "Evidence({}..{}, <redacted>)", self.start, self.end)
    }
}

/// One alert per (message, category): `alert_id` is deterministic so re-processing after a
/// crash produces the same id and downstream consumers can dedup.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub alert_id: String,
    pub msgid: String,
    pub conversation_id: String,
    /// A risk category, or `consent_violation`, `recall_of_flagged`, `seq_gap`.
    pub category: String,
    pub severity: Severity,
    pub rule_id: String,
    pub time_ms: i64,
    pub evidence: Vec<Evidence>,
    /// Residency region whose archive holds the message (the event's `retention.region`): the
    /// review console files the alert there at once. `None` for alerts not tied to one
    /// archived message (`seq_gap`, capture alerts) and for alerts of schema revision 1-2.
    #[serde(default)]
    pub region: Option<String>,
}

/// The only record allowed to leave the residency region: no raw contact ids, no raw PII.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AnonymisedEvent {
    pub msgid: String,
    pub conversation: String,
    pub from: String,
    pub to: Vec<String>,
    pub from_role: String,
    pub msgtype: String,
    pub time_ms: i64,
    pub text: String,
    pub class: Option<Class>,
    pub risk_categories: Vec<String>,
    pub pii_types: Vec<String>,
    pub consent: Option<ConsentState>,
    pub region: Option<String>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_reason_names_contact_state_and_rule() {
        let d = ConsentDecision {
            state: ConsentState::Unknown,
            disposition: Disposition::Quarantine,
            contacts: vec![
                ContactConsent {
                    contact: "wmA".into(),
                    state: ConsentState::Agreed,
                },
                ContactConsent {
                    contact: "wmB".into(),
                    state: ConsentState::Unknown,
                },
            ],
        };
        assert_eq!(
            d.reason(true).to_string(),
            "contact wmB unknown: consent.on_unknown → quarantine"
        );
        assert_eq!(d.reason(false).rule, "consent.record_without_content");
        let staff = ConsentDecision {
            state: ConsentState::NotRequired,
            disposition: Disposition::Archive,
            contacts: vec![],
        };
        assert_eq!(
            staff.reason(true).to_string(),
            "no external contact: consent.not_required → archive"
        );
    }
}
