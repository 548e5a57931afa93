//! Anonymisation: the `chat.anonymised` record (the only stream allowed to leave the
//! residency region) and the reduced archive form for content without consent.
//!
//! Why keyed pseudonyms rather than deletion: analysts outside the region must still be able
//! to join "the same client across conversations" without learning who it is; the tenant key
//! never leaves the region, so the pseudonyms cannot be reversed there.

use wcp_model::{
    AnonymisedEvent, ClearIds, Disposition, EnrichedEvent, EventKind, Participant, Role,
};
use wcp_pii::anonymise::{anonymise_with_edits, pseudonym, AnonPolicy};
/// The tenant key's text form (hex), shared by both runners.
pub use wcp_pii::anonymise::{parse_key, KeyError};
use wcp_pii::{PiiDetector, PiiMatch};

use crate::offsets::byte_index;
use crate::span_map::{replace_all, SpanMap};

/// Participant pseudonyms and the conversation id as archived: all an alert needs to name
/// people the way the archive does (cheap to clone: the tenant key only).
#[derive(Clone)]
pub struct Names {
    key: Vec<u8>,
}

impl Names {
    pub fn new(tenant_key: &[u8]) -> Names {
        Names {
            key: tenant_key.to_vec(),
        }
    }

    fn id(&self, id: &str) -> String {
        pseudonym(id, "PARTICIPANT", &self.key)
    }

    /// External contacts get their pseudonym (the one `chat.anonymised` uses); staff and
    /// bots keep their id.
    fn pseudo(&self, p: &Participant) -> Participant {
        match p.role {
            Role::External => Participant {
                id: self.id(&p.id),
                role: p.role,
            },
            _ => p.clone(),
        }
    }

    /// The conversation id the archive stores for this event: for a direct chat whose
    /// content is not kept in clear (anonymised, quarantined, metadata only) the pair of pseudonymised
    /// participants, else the event's own. Alerts carry this one, so an alert names the
    /// conversation exactly as the archive does.
    pub fn archived_conversation(&self, ev: &EnrichedEvent) -> String {
        let event = &ev.event;
        // Quarantined events are archived under pseudonyms too (their clear ids are sealed
        // with the content), so nothing but a DPO release links them to a person.
        let reduced = ev.disposition() != Disposition::Archive;
        if !reduced || event.roomid.is_some() {
            return event.conversation_id.clone();
        }
        let to: Vec<String> = event.to.iter().map(|p| self.pseudo(p).id).collect();
        wcp_model::event::conversation_id(None, &self.pseudo(&event.from).id, &to)
    }
}

pub struct Anonymiser {
    key: Vec<u8>,
    names: Names,
    policy: AnonPolicy,
    /// Recall pass over the text (titled and given names, addresses without a house
    /// number, labelled identifiers): what the classifier's precise spans leave in clear.
    recall: PiiDetector,
}

impl Anonymiser {
    pub fn new(tenant_key: &[u8], policy: AnonPolicy) -> Anonymiser {
        Anonymiser {
            key: tenant_key.to_vec(),
            names: Names::new(tenant_key),
            policy,
            recall: PiiDetector::anonymising(),
        }
    }

    /// The naming half, for the alert step.
    pub fn names(&self) -> Names {
        self.names.clone()
    }

    fn id(&self, id: &str) -> String {
        self.names.id(id)
    }

    fn pseudo(&self, p: &Participant) -> Participant {
        self.names.pseudo(p)
    }

    pub fn archived_conversation(&self, ev: &EnrichedEvent) -> String {
        self.names.archived_conversation(ev)
    }

    /// Text with every detected PII span replaced per policy and every participant id
    /// replaced by its pseudonym (ids can appear in text, e.g. quoted cards).
    fn text(&self, ev: &EnrichedEvent) -> String {
        self.text_mapped(ev).0
    }

    /// [`Self::text`] and where the original text's offsets land in it.
    fn text_mapped(&self, ev: &EnrichedEvent) -> (String, SpanMap) {
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
        // The recognizers run here again although the classifier ran them: the anonymiser is
        // the privacy gate and does not take an upstream record's word that a line holds no
        // PII (a classifier of another build in a rolling upgrade, a record produced by other
        // means). Skipping them saved 1–3 µs per record (issue 16): not worth that.
        matches.extend(self.recall.detect(text));
        let (mut out, edits) = anonymise_with_edits(text, &matches, &self.policy, &self.key);
        let mut map = SpanMap::default();
        map.push(edits);
        for p in event.participants() {
            if p.id.len() >= 4 && out.contains(&p.id) {
                let (replaced, edits) = replace_all(&out, &p.id, &self.id(&p.id));
                out = replaced;
                map.push(edits);
            }
        }
        (out, map)
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

    /// What the archive may store for this event: unchanged for `Archive`, PII replaced for
    /// `ArchiveAnonymised`, content dropped for `MetadataOnly`. Whenever content is not kept
    /// in clear, external ids become their pseudonyms (the ones `chat.anonymised` uses),
    /// risk rule ids stop spelling the matched phrase and the original bytes go: they would
    /// restore what was removed. `Quarantine` keeps text, payload and bytes for the archive
    /// to seal to the DPO's key (or drop), with the clear ids in `sealed_ids` beside them so
    /// a release can restore them (quarantine is a closed table until consent arrives).
    pub fn for_archive(&self, mut ev: EnrichedEvent) -> EnrichedEvent {
        let disposition = ev.disposition();
        let text = match disposition {
            Disposition::Archive => return ev,
            Disposition::Quarantine => {
                ev.sealed_ids = Some(ClearIds {
                    from: ev.event.from.clone(),
                    to: ev.event.to.clone(),
                    conversation_id: ev.event.conversation_id.clone(),
                    contacts: ev
                        .consent
                        .iter()
                        .flat_map(|c| &c.contacts)
                        .map(|c| c.contact.clone())
                        .collect(),
                });
                None
            }
            Disposition::ArchiveAnonymised => Some(self.text_mapped(&ev)),
            Disposition::MetadataOnly => Some((String::new(), SpanMap::default())),
        };
        self.pseudonymise_ids(&mut ev);
        if let Some(c) = ev.classification.as_mut() {
            c.top_features.clear();
            for r in &mut c.risks {
                r.rule_id = crate::alert::rule_id_for(&r.rule_id, false);
            }
            // Spans count characters of the text read; the archive stores the anonymised
            // one, where the console highlights and masks by them.
            if let Some((after, map)) = &text {
                let before = &ev.event.text;
                for r in &mut c.risks {
                    (r.start, r.end) = map.map(before, after, r.start, r.end);
                }
                for p in &mut c.pii {
                    (p.start, p.end) = map.map(before, after, p.start, p.end);
                }
            }
            if disposition == Disposition::MetadataOnly {
                c.pii.clear();
            }
        }
        let Some((text, _)) = text else {
            return ev;
        };
        let event = &mut ev.event;
        event.text = text;
        event.payload_json = "{}".to_string();
        event.raw = Vec::new();
        ev
    }

    /// External ids (participants, consent contacts, the direct chat's conversation id)
    /// replaced by their pseudonyms.
    fn pseudonymise_ids(&self, ev: &mut EnrichedEvent) {
        let conversation = self.archived_conversation(ev);
        let event = &mut ev.event;
        event.from = self.pseudo(&event.from);
        event.to = event.to.iter().map(|p| self.pseudo(p)).collect();
        event.conversation_id = conversation;
        // A refusal on record names the contact by the pseudonym their messages carry.
        if let EventKind::Consent { contact, .. } = &mut event.kind {
            if Role::of_id(contact) == Role::External {
                *contact = self.id(contact);
            }
        }
        if let Some(c) = ev.consent.as_mut() {
            for contact in &mut c.contacts {
                contact.contact = self.id(&contact.contact);
            }
        }
    }
}
