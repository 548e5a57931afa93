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
}

fn default_on_disagreed() -> Disposition {
    Disposition::ArchiveAnonymised
}
fn default_on_unknown() -> Disposition {
    Disposition::Quarantine
}

impl Default for ConsentPolicy {
    fn default() -> Self {
        ConsentPolicy {
            on_disagreed: default_on_disagreed(),
            on_unknown: default_on_unknown(),
        }
    }
}

/// Decide the consent state and disposition of one event.
///
/// The conversation is the unit: a refusal by any external participant covers what staff
/// write to them too, because the reply quotes and reveals the contact's side. Consent
/// records themselves are always archived in clear: they are the proof of the legal basis.
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
    let state = if contacts.is_empty() {
        ConsentState::NotRequired
    } else if contacts.iter().any(|c| c.state == ConsentState::Disagreed) {
        ConsentState::Disagreed
    } else if contacts.iter().any(|c| c.state == ConsentState::Unknown) {
        ConsentState::Unknown
    } else {
        ConsentState::Agreed
    };
    let carries_content = matches!(event.kind, EventKind::Message);
    let disposition = match state {
        _ if !carries_content => Disposition::Archive,
        ConsentState::Agreed | ConsentState::NotRequired => Disposition::Archive,
        ConsentState::Disagreed => policy.on_disagreed,
        ConsentState::Unknown => policy.on_unknown,
    };
    ConsentDecision {
        state,
        disposition,
        contacts,
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
mod tests {
    use super::*;
    use wcp_model::parse_wecom;

    fn rec(contact: &str, agreed: bool, at: i64) -> ConsentRecord {
        ConsentRecord {
            contact: contact.into(),
            agreed,
            at_ms: at,
            msgid: format!("{contact}-{at}"),
        }
    }

    fn msg(from: &str, to: &str, t: i64, msgtype: &str) -> EnrichedEvent {
        let raw = format!(
            r#"{{"msgid":"m{t}","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"{msgtype}","{msgtype}":{{"content":"x"}}}}"#
        );
        EnrichedEvent::new(parse_wecom(raw.as_bytes(), None).unwrap())
    }

    #[test]
    fn state_follows_the_latest_change_at_or_before_msgtime() {
        let mut l = ConsentLedger::default();
        l.apply(&rec("wmA", true, 1_000));
        l.apply(&rec("wmA", false, 5_000));
        l.apply(&rec("wmA", false, 5_000));
        assert_eq!(l.state_at("wmA", 999), ConsentState::Unknown);
        assert_eq!(l.state_at("wmA", 1_000), ConsentState::Agreed);
        assert_eq!(l.state_at("wmA", 4_999), ConsentState::Agreed);
        assert_eq!(l.state_at("wmA", 5_000), ConsentState::Disagreed);
        assert_eq!(l.state_at("wmB", 5_000), ConsentState::Unknown);
        assert_eq!(l.contacts(), 1);
    }

    #[test]
    fn dispositions_table() {
        let mut l = ConsentLedger::default();
        l.apply(&rec("wmAgree", true, 1));
        l.apply(&rec("wmNo", false, 1));
        let p = ConsentPolicy::default();
        let t = 1_732_600_000_000;
        let cases = [
            (
                msg("wmAgree", "staff1", t, "text"),
                ConsentState::Agreed,
                Disposition::Archive,
            ),
            (
                msg("staff1", "wmNo", t, "text"),
                ConsentState::Disagreed,
                Disposition::ArchiveAnonymised,
            ),
            (
                msg("wmNew", "staff1", t, "text"),
                ConsentState::Unknown,
                Disposition::Quarantine,
            ),
            (
                msg("staff1", "staff2", t, "text"),
                ConsentState::NotRequired,
                Disposition::Archive,
            ),
            (
                msg("wbBot", "staff2", t, "text"),
                ConsentState::NotRequired,
                Disposition::Archive,
            ),
        ];
        for (ev, state, disp) in cases {
            let d = decide(&ev, &l, &p);
            assert_eq!(
                (d.state, d.disposition),
                (state, disp),
                "{}",
                ev.event.msgid
            );
        }
    }

    #[test]
    fn policy_parses_from_toml() {
        let p: ConsentPolicy = toml::from_str("on_unknown = \"metadata_only\"").unwrap();
        assert_eq!(p.on_unknown, Disposition::MetadataOnly);
        assert_eq!(p.on_disagreed, Disposition::ArchiveAnonymised);
        assert!(toml::from_str::<ConsentPolicy>("bogus = 1").is_err());
    }
}
