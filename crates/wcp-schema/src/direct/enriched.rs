//! EnrichedEvent in its current schema (schemas/enriched_event.avsc).

use wcp_model::{
    ChatEvent, Class, Classification, ConsentDecision, ConsentState, ContactConsent, Disposition,
    EnrichedEvent, PiiSpan, RetentionTag, RiskCategory, RiskHit,
};

use super::{Direct, In, Out};
use crate::WireError;

/// Symbol order of the schemas' enums.
pub(super) const CLASSES: [Class; 2] = [Class::Business, Class::Personal];
pub(super) const CONSENT_STATES: [ConsentState; 4] = [
    ConsentState::Agreed,
    ConsentState::Disagreed,
    ConsentState::Unknown,
    ConsentState::NotRequired,
];
const DISPOSITIONS: [Disposition; 4] = [
    Disposition::Archive,
    Disposition::ArchiveAnonymised,
    Disposition::Quarantine,
    Disposition::MetadataOnly,
];

pub(super) fn index_of<T: PartialEq>(symbols: &[T], v: &T) -> usize {
    symbols.iter().position(|s| s == v).unwrap_or(0)
}

impl Direct for EnrichedEvent {
    fn write(&self, o: &mut Out) {
        self.event.write(o);
        o.some(self.classification.is_some());
        if let Some(c) = &self.classification {
            write_classification(o, c);
        }
        o.some(self.consent.is_some());
        if let Some(c) = &self.consent {
            o.enum_index(index_of(&CONSENT_STATES, &c.state));
            o.enum_index(index_of(&DISPOSITIONS, &c.disposition));
            o.array(&c.contacts, |o, cc| {
                o.str(&cc.contact);
                o.enum_index(index_of(&CONSENT_STATES, &cc.state));
            });
        }
        o.some(self.retention.is_some());
        if let Some(r) = &self.retention {
            o.strings(&r.rules);
            o.long(r.keep_until_ms);
            o.boolean(r.legal_hold);
            o.str(&r.region);
        }
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        let event = ChatEvent::read(i)?;
        i.record = "EnrichedEvent";
        let classification = if i.some("classification")? {
            Some(read_classification(i)?)
        } else {
            None
        };
        i.record = "EnrichedEvent";
        let consent = if i.some("consent")? {
            Some(read_consent(i)?)
        } else {
            None
        };
        i.record = "EnrichedEvent";
        let retention = if i.some("retention")? {
            i.record = "RetentionTag";
            Some(RetentionTag {
                rules: i.strings("rules")?,
                keep_until_ms: i.long("keep_until_ms")?,
                legal_hold: i.boolean("legal_hold")?,
                region: i.str("region")?,
            })
        } else {
            None
        };
        Ok(EnrichedEvent {
            event,
            classification,
            consent,
            retention,
            sealed_ids: None,
        })
    }
}

fn write_classification(o: &mut Out, c: &Classification) {
    o.enum_index(index_of(&CLASSES, &c.class));
    o.float(c.business_score);
    o.strings(&c.top_features);
    o.array(&c.risks, |o, r| {
        o.enum_index(index_of(&RiskCategory::ALL, &r.category));
        o.long(r.start.into());
        o.long(r.end.into());
        o.str(&r.rule_id);
        o.float(r.score);
    });
    o.array(&c.pii, |o, p| {
        o.str(&p.entity);
        o.long(p.start.into());
        o.long(p.end.into());
        o.float(p.score);
    });
}

fn read_classification(i: &mut In<'_>) -> Result<Classification, WireError> {
    i.record = "Classification";
    let class = CLASSES[i.enum_index("class", CLASSES.len())?];
    let business_score = i.float("business_score")?;
    let top_features = i.strings("top_features")?;
    let risks = i.array("risks", |i| {
        i.record = "RiskHit";
        Ok(RiskHit {
            category: RiskCategory::ALL[i.enum_index("category", RiskCategory::ALL.len())?],
            start: i.u32("start")?,
            end: i.u32("end")?,
            rule_id: i.str("rule_id")?,
            score: i.float("score")?,
        })
    })?;
    let pii = i.array("pii", |i| {
        i.record = "PiiSpan";
        Ok(PiiSpan {
            entity: i.str("entity")?,
            start: i.u32("start")?,
            end: i.u32("end")?,
            score: i.float("score")?,
        })
    })?;
    Ok(Classification {
        class,
        business_score,
        top_features,
        risks,
        pii,
    })
}

fn read_consent(i: &mut In<'_>) -> Result<ConsentDecision, WireError> {
    i.record = "ConsentDecision";
    let state = CONSENT_STATES[i.enum_index("state", CONSENT_STATES.len())?];
    let disposition = DISPOSITIONS[i.enum_index("disposition", DISPOSITIONS.len())?];
    let contacts = i.array("contacts", |i| {
        i.record = "ContactConsent";
        Ok(ContactConsent {
            contact: i.str("contact")?,
            state: CONSENT_STATES[i.enum_index("state", CONSENT_STATES.len())?],
        })
    })?;
    Ok(ConsentDecision {
        state,
        disposition,
        contacts,
    })
}
