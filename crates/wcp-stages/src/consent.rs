//! Consent gate: the state of every external participant's consent at `msgtime`, from the
//! ledger of agree/disagree records (PIPL Art. 13/14), and what policy does without it.

use std::collections::HashMap;

use serde::Deserialize;
use wcp_model::{
    ConsentDecision, ConsentRecord, ConsentState, ContactConsent, Disposition, EnrichedEvent,
    EventKind, Role,
};

/// Per contact, consent changes sorted by effective time. A contact may agree, then
/// withdraw (disagree), then agree again: the state at a time is the latest change at or
/// before it.
#[derive(Debug, Clone, Default)]
pub struct ConsentLedger {
    by_contact: HashMap<String, Vec<(i64, bool, String)>>,
}

impl ConsentLedger {
    /// Idempotent: replaying the compacted topic or a file twice changes nothing.
    pub fn apply(&mut self, rec: &ConsentRecord) {
        let entries = self.by_contact.entry(rec.contact.clone()).or_default();
        let item = (rec.at_ms, rec.agreed, rec.msgid.clone());
        if entries.contains(&item) {
            return;
        }
        let pos = entries.partition_point(|e| (e.0, &e.2) <= (item.0, &item.2));
        entries.insert(pos, item);
    }

    pub fn state_at(&self, contact: &str, time_ms: i64) -> ConsentState {
        let Some(entries) = self.by_contact.get(contact) else {
            return ConsentState::Unknown;
        };
        match entries.iter().rev().find(|e| e.0 <= time_ms) {
            Some((_, true, _)) => ConsentState::Agreed,
            Some((_, false, _)) => ConsentState::Disagreed,
            None => ConsentState::Unknown,
        }
    }

    pub fn contacts(&self) -> usize {
        self.by_contact.len()
    }
}

/// What to do with content when consent is missing. Staff-only chats are covered by the
/// employment basis (`NotRequired`) and always archived.
#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ConsentPolicy {
    #[serde(default = "default_on_disagreed")]
    pub on_disagreed: Disposition,
    #[serde(default = "default_on_unknown")]
    pub on_unknown: Disposition,
    /// Mixed rooms: every external participant's action is worked out on its own and the
    /// first of this list among them wins (strictest first by default).
    #[serde(default = "default_strictness")]
    pub strictness: Vec<Disposition>,
    /// Storing content in clear without consent (`on_disagreed` or `on_unknown` =
    /// `"archive"`) breaks PIPL Art. 13/14 unless another legal basis applies. It is refused
    /// unless this names who accepted that and why; it is then logged at every start.
    #[serde(default)]
    pub acknowledge_archive_without_consent: Option<String>,
}

fn default_on_disagreed() -> Disposition {
    Disposition::ArchiveAnonymised
}
fn default_on_unknown() -> Disposition {
    Disposition::Quarantine
}
/// Least content kept first: metadata only keeps none, quarantine keeps it sealed from
/// reviewers, anonymised keeps it searchable without identities, archive keeps all.
fn default_strictness() -> Vec<Disposition> {
    vec![
        Disposition::MetadataOnly,
        Disposition::Quarantine,
        Disposition::ArchiveAnonymised,
        Disposition::Archive,
    ]
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy {
            on_disagreed: default_on_disagreed(),
            on_unknown: default_on_unknown(),
            strictness: default_strictness(),
            acknowledge_archive_without_consent: None,
        }
    }
}

impl ConsentPolicy {
    pub fn problems(&self) -> Vec<String> {
        let mut out = Vec::new();
        let mut seen = self.strictness.clone();
        seen.sort_by_key(|d| d.as_str());
        seen.dedup();
        if seen.len() != 4 || self.strictness.len() != 4 {
            out.push(
                "consent.strictness must list each of metadata_only, quarantine, archive_anonymised, archive once"
                    .into(),
            );
        }
        let ack = self
            .acknowledge_archive_without_consent
            .as_deref()
            .is_some_and(|a| !a.trim().is_empty());
        for (key, d) in [
            ("on_disagreed", self.on_disagreed),
            ("on_unknown", self.on_unknown),
        ] {
            if d == Disposition::Archive && !ack {
                out.push(format!(
                    "consent.{key} = \"archive\" stores content in clear without consent (PIPL Art. 13/14); \
                     set consent.acknowledge_archive_without_consent to who accepted this and why"
                ));
            }
        }
        out
    }

    /// Settings to log at every start: what an auditor must not miss.
    pub fn warnings(&self) -> Vec<String> {
        let mut out = Vec::new();
        for (key, d) in [
            ("on_disagreed", self.on_disagreed),
            ("on_unknown", self.on_unknown),
        ] {
            if d == Disposition::Archive {
                out.push(format!(
                    "NON-COMPLIANT: consent.{key} = \"archive\" keeps content without consent in clear (acknowledged: {})",
                    self.acknowledge_archive_without_consent.as_deref().unwrap_or("")
                ));
            }
        }
        out
    }

    fn action(&self, state: ConsentState) -> Disposition {
        match state {
            ConsentState::Agreed | ConsentState::NotRequired => Disposition::Archive,
            ConsentState::Disagreed => self.on_disagreed,
            ConsentState::Unknown => self.on_unknown,
        }
    }

    fn rank(&self, d: Disposition) -> usize {
        self.strictness
            .iter()
            .position(|x| *x == d)
            .unwrap_or(usize::MAX)
    }
}

/// Decide the consent state and disposition of one event.
///
/// The conversation is the unit: a refusal by any external participant covers what staff
/// write to them too, because the reply quotes and reveals the contact's side. In a room with
/// several external contacts each one's action is worked out from their own state and the
/// strictest wins (`strictness`); the state reported is that contact's. Consent records,
/// recalls and switches carry no content and are archived, anonymised when a contact in
/// them has not agreed.
pub fn decide(
    ev: &EnrichedEvent,
    ledger: &ConsentLedger,
    policy: &ConsentPolicy,
) -> ConsentDecision {
    let event = &ev.event;
    let mut contacts: Vec<ContactConsent> = Vec::new();
    for p in event.participants().filter(|p| p.role == Role::External) {
        if contacts.iter().any(|c| c.contact == p.id) {
            continue;
        }
        contacts.push(ContactConsent {
            contact: p.id.clone(),
            state: ledger.state_at(&p.id, event.time_ms),
        });
    }
    // Strictest action first; among equals, the state order disagreed > unknown > agreed.
    let deciding = contacts.iter().min_by_key(|c| {
        let severity = match c.state {
            ConsentState::Disagreed => 0,
            ConsentState::Unknown => 1,
            ConsentState::Agreed | ConsentState::NotRequired => 2,
        };
        (policy.rank(policy.action(c.state)), severity)
    });
    let state = deciding.map_or(ConsentState::NotRequired, |c| c.state);
    let disposition = match (&event.kind, state) {
        (EventKind::Message, _) => policy.action(state),
        // Records without content (consent, recall, switch) are kept: they are the proof of
        // the legal basis and of what happened. Where a contact has not agreed they are
        // kept anonymised: the same pseudonyms as that contact's messages, no raw bytes.
        (_, ConsentState::Disagreed | ConsentState::Unknown) => Disposition::ArchiveAnonymised,
        (_, _) => Disposition::Archive,
    };
    ConsentDecision {
        state,
        disposition,
        contacts,
    }
}

/// The consent-gate stage both runners call: the ledger and the policy. The ledger needs no
/// abort/restore: it only ever holds consent records that were committed (the service reads
/// `consent.ledger` read_committed; `wcp run` loads the ledger file and the input's own
/// records, which are facts whatever happens to the batch), and applying one is idempotent.
#[derive(Debug, Clone, Default)]
pub struct ConsentGate {
    policy: ConsentPolicy,
    ledger: ConsentLedger,
}

impl ConsentGate {
    pub fn new(policy: ConsentPolicy) -> ConsentGate {
        ConsentGate {
            policy,
            ledger: ConsentLedger::default(),
        }
    }

    /// Make a consent change known. Consent takes effect at its own time (`agree_time`), not
    /// at its place in the stream, so runners apply every record they know of before gating.
    pub fn apply(&mut self, rec: &ConsentRecord) {
        self.ledger.apply(rec);
    }

    pub fn gate(&self, ev: EnrichedEvent) -> EnrichedEvent {
        gate(ev, &self.ledger, &self.policy)
    }

    /// Contacts with at least one consent record.
    pub fn contacts(&self) -> usize {
        self.ledger.contacts()
    }
}

/// The consent-gate stage: fill in the decision.
pub fn gate(
    mut ev: EnrichedEvent,
    ledger: &ConsentLedger,
    policy: &ConsentPolicy,
) -> EnrichedEvent {
    ev.consent = Some(decide(&ev, ledger, policy));
    ev
}

#[cfg(test)]
#[path = "consent_tests.rs"]
mod tests;
