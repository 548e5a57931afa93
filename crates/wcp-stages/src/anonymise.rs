//! Anonymisation: the `chat.anonymised` record (the only stream allowed to leave the
//! residency region) and the reduced archive form for content without consent.
//!
//! Why keyed pseudonyms rather than deletion: analysts outside the region must still be able
//! to join "the same client across conversations" without learning who it is; the tenant key
//! never leaves the region, so the pseudonyms cannot be reversed there.

use wcp_model::{AnonymisedEvent, ChatEvent, Disposition, EnrichedEvent, Participant, Role};
use wcp_pii::anonymise::{anonymise as anonymise_text, pseudonym, AnonPolicy};
/// The tenant key's text form (hex), shared by both runners.
pub use wcp_pii::anonymise::{parse_key, KeyError};
use wcp_pii::{PiiDetector, PiiMatch};

use crate::offsets::byte_index;

pub struct Anonymiser {
    key: Vec<u8>,
    policy: AnonPolicy,
    /// Recall pass over the text (titled and given names, addresses without a house
    /// number, labelled identifiers): what the classifier's precise spans leave in clear.
    recall: PiiDetector,
}

impl Anonymiser {
    pub fn new(tenant_key: &[u8], policy: AnonPolicy) -> Anonymiser {
        Anonymiser {
            key: tenant_key.to_vec(),
            policy,
            recall: PiiDetector::anonymising(),
        }
    }

    fn id(&self, id: &str) -> String {
        pseudonym(id, "PARTICIPANT", &self.key)
    }

    /// Text with every detected PII span replaced per policy and every participant id
    /// replaced by its pseudonym (ids can appear in text, e.g. quoted cards).
    fn text(&self, ev: &EnrichedEvent) -> String {
        let event = &ev.event;
        let text = &event.text;
        let mut matches: Vec<PiiMatch> = ev
            .classification
            .iter()
            .flat_map(|c| c.pii.iter())
            .map(|s| PiiMatch {
                // A name this build does not know (from a newer writer) is still
                // anonymised, under a generic tag.
                entity: wcp_pii::entity_name(&s.entity).unwrap_or("PII"),
                start: byte_index(text, s.start),
                end: byte_index(text, s.end),
                score: s.score,
            })
            .collect();
        matches.extend(self.recall.detect(text));
        let mut out = anonymise_text(text, &matches, &self.policy, &self.key);
        for p in event.participants() {
            if p.id.len() >= 4 && out.contains(&p.id) {
                out = out.replace(&p.id, &self.id(&p.id));
            }
        }
        out
    }

    /// The `chat.anonymised` record.
    pub fn anonymise(&self, ev: &EnrichedEvent) -> AnonymisedEvent {
        let event = &ev.event;
        let class = ev.classification.as_ref();
        let mut risk_categories: Vec<String> = class
            .map(|c| {
                c.risks
                    .iter()
                    .map(|r| r.category.as_str().to_string())
                    .collect()
            })
            .unwrap_or_default();
        risk_categories.dedup();
        let mut pii_types: Vec<String> = class
            .map(|c| c.pii.iter().map(|p| p.entity.clone()).collect())
            .unwrap_or_default();
        pii_types.sort();
        pii_types.dedup();
        // Metadata-only and quarantined content does not leave the region even anonymised.
        let text = match ev.disposition() {
            Disposition::Archive | Disposition::ArchiveAnonymised => self.text(ev),
            Disposition::Quarantine | Disposition::MetadataOnly => String::new(),
        };
        AnonymisedEvent {
            msgid: event.msgid.clone(),
            conversation: self.id(&event.conversation_id),
            from: self.id(&event.from.id),
            to: event.to.iter().map(|p| self.id(&p.id)).collect(),
            from_role: event.from.role.as_str().to_string(),
            msgtype: event.msgtype.clone(),
            time_ms: event.time_ms,
            text,
            class: class.map(|c| c.class),
            risk_categories,
            pii_types,
            consent: ev.consent.as_ref().map(|c| c.state),
            region: ev.retention.as_ref().map(|r| r.region.clone()),
        }
    }

    /// What the archive may store for this event: unchanged for `Archive` and `Quarantine`
    /// (quarantine is a closed table), PII and external ids replaced for
    /// `ArchiveAnonymised`, content dropped for `MetadataOnly`. Original bytes are dropped
    /// whenever the content is reduced: they would restore what was removed.
    pub fn for_archive(&self, mut ev: EnrichedEvent) -> EnrichedEvent {
        match ev.disposition() {
            Disposition::Archive | Disposition::Quarantine => ev,
            Disposition::ArchiveAnonymised => {
                let text = self.text(&ev);
                let pseudo = |p: &Participant| match p.role {
                    Role::External => Participant {
                        id: self.id(&p.id),
                        role: p.role,
                    },
                    _ => p.clone(),
                };
                let event = &mut ev.event;
                event.from = pseudo(&event.from);
                event.to = event.to.iter().map(pseudo).collect();
                if event.roomid.is_none() {
                    event.conversation_id = direct_conversation(event);
                }
                event.text = text;
                event.payload_json = "{}".to_string();
                event.raw = Vec::new();
                if let Some(c) = ev.consent.as_mut() {
                    for contact in &mut c.contacts {
                        contact.contact = self.id(&contact.contact);
                    }
                }
                if let Some(c) = ev.classification.as_mut() {
                    c.top_features.clear();
                }
                ev
            }
            Disposition::MetadataOnly => {
                ev.event.text = String::new();
                ev.event.payload_json = "{}".to_string();
                ev.event.raw = Vec::new();
                if let Some(c) = ev.classification.as_mut() {
                    c.top_features.clear();
                    c.pii.clear();
                }
                ev
            }
        }
    }
}

fn direct_conversation(event: &ChatEvent) -> String {
    let to: Vec<String> = event.to.iter().map(|p| p.id.clone()).collect();
    wcp_model::event::conversation_id(None, &event.from.id, &to)
}
