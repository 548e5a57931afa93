//! `EnrichedEvent` (schemas/enriched_event.avsc): the chat event plus what the classifier,
//! consent gate and retention tagger decided.

use apache_avro::types::Value;
use wcp_model::{
    Class, Classification, ConsentDecision, ConsentState, ContactConsent, Disposition,
    EnrichedEvent, PiiSpan, RetentionTag, RiskCategory, RiskHit,
};

use super::event::{chat_event_from_avro, chat_event_to_avro};
use crate::value::{optional, record, string, strings, symbol, timestamp, Fields};
use crate::WireError;

pub(crate) const CLASS: [&str; 2] = ["business", "personal"];
pub(crate) const CONSENT_STATE: [&str; 4] = ["agreed", "disagreed", "unknown", "not_required"];
const DISPOSITION: [&str; 4] = [
    "archive",
    "archive_anonymised",
    "quarantine",
    "metadata_only",
];

pub(crate) fn enriched_to_avro(e: &EnrichedEvent) -> Value {
    record(vec![
        ("event", chat_event_to_avro(&e.event)),
        (
            "classification",
            optional(e.classification.as_ref().map(classification_to_avro)),
        ),
        ("consent", optional(e.consent.as_ref().map(consent_to_avro))),
        (
            "retention",
            optional(e.retention.as_ref().map(retention_to_avro)),
        ),
    ])
}

pub(crate) fn enriched_from_avro(v: Value) -> Result<EnrichedEvent, WireError> {
    let mut f = Fields::of("EnrichedEvent", v)?;
    Ok(EnrichedEvent {
        event: chat_event_from_avro(f.value("event")?)?,
        classification: f
            .optional("classification")?
            .map(classification_from_avro)
            .transpose()?,
        consent: f.optional("consent")?.map(consent_from_avro).transpose()?,
        retention: f
            .optional("retention")?
            .map(retention_from_avro)
            .transpose()?,
        sealed_ids: None,
    })
}

pub(crate) fn class_from_symbol(
    f: &Fields,
    field: &'static str,
    s: &str,
) -> Result<Class, WireError> {
    match s {
        "business" => Ok(Class::Business),
        "personal" => Ok(Class::Personal),
        other => Err(f.bad_symbol(field, other)),
    }
}

pub(crate) fn consent_state_from_symbol(
    f: &Fields,
    field: &'static str,
    s: &str,
) -> Result<ConsentState, WireError> {
    match s {
        "agreed" => Ok(ConsentState::Agreed),
        "disagreed" => Ok(ConsentState::Disagreed),
        "unknown" => Ok(ConsentState::Unknown),
        "not_required" => Ok(ConsentState::NotRequired),
        other => Err(f.bad_symbol(field, other)),
    }
}

fn classification_to_avro(c: &Classification) -> Value {
    let risks = c.risks.iter().map(|r| {
        record(vec![
            ("category", symbol(&RISK_NAMES, r.category.as_str())),
            ("start", Value::Long(r.start.into())),
            ("end", Value::Long(r.end.into())),
            ("rule_id", string(&r.rule_id)),
            ("score", Value::Float(r.score)),
        ])
    });
    let pii = c.pii.iter().map(|p| {
        record(vec![
            ("entity", string(&p.entity)),
            ("start", Value::Long(p.start.into())),
            ("end", Value::Long(p.end.into())),
            ("score", Value::Float(p.score)),
        ])
    });
    record(vec![
        ("class", symbol(&CLASS, c.class.as_str())),
        ("business_score", Value::Float(c.business_score)),
        ("top_features", strings(&c.top_features)),
        ("risks", Value::Array(risks.collect())),
        ("pii", Value::Array(pii.collect())),
    ])
}

/// Symbol order of the schema's `RiskCategory` enum: the model's fixed report order.
const RISK_NAMES: [&str; 9] = [
    "guarantee_of_returns",
    "insider_information",
    "market_manipulation",
    "off_channel",
    "evidence_destruction",
    "bribery_gifts",
    "confidentiality_breach",
    "complaint",
    "unauthorized_trading",
];

fn classification_from_avro(v: Value) -> Result<Classification, WireError> {
    let mut f = Fields::of("Classification", v)?;
    let class_sym = f.symbol("class")?;
    let class = class_from_symbol(&f, "class", &class_sym)?;
    let business_score = f.float("business_score")?;
    let top_features = f.strings("top_features")?;
    let risks = f.records("risks", "RiskHit", |r| {
        let name = r.symbol("category")?;
        let category = RiskCategory::parse(&name).ok_or_else(|| r.bad_symbol("category", &name))?;
        Ok(RiskHit {
            category,
            start: r.u32("start")?,
            end: r.u32("end")?,
            rule_id: r.string("rule_id")?,
            score: r.float("score")?,
        })
    })?;
    let pii = f.records("pii", "PiiSpan", |p| {
        Ok(PiiSpan {
            entity: p.string("entity")?,
            start: p.u32("start")?,
            end: p.u32("end")?,
            score: p.float("score")?,
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

fn consent_to_avro(c: &ConsentDecision) -> Value {
    let contacts = c.contacts.iter().map(|cc| {
        record(vec![
            ("contact", string(&cc.contact)),
            ("state", symbol(&CONSENT_STATE, cc.state.as_str())),
        ])
    });
    record(vec![
        ("state", symbol(&CONSENT_STATE, c.state.as_str())),
        ("disposition", symbol(&DISPOSITION, c.disposition.as_str())),
        ("contacts", Value::Array(contacts.collect())),
    ])
}

fn consent_from_avro(v: Value) -> Result<ConsentDecision, WireError> {
    let mut f = Fields::of("ConsentDecision", v)?;
    let state_sym = f.symbol("state")?;
    let state = consent_state_from_symbol(&f, "state", &state_sym)?;
    let disposition = match f.symbol("disposition")?.as_str() {
        "archive" => Disposition::Archive,
        "archive_anonymised" => Disposition::ArchiveAnonymised,
        "quarantine" => Disposition::Quarantine,
        "metadata_only" => Disposition::MetadataOnly,
        other => return Err(f.bad_symbol("disposition", other)),
    };
    let contacts = f.records("contacts", "ContactConsent", |c| {
        let contact = c.string("contact")?;
        let sym = c.symbol("state")?;
        let state = consent_state_from_symbol(c, "state", &sym)?;
        Ok(ContactConsent { contact, state })
    })?;
    Ok(ConsentDecision {
        state,
        disposition,
        contacts,
    })
}

fn retention_to_avro(r: &RetentionTag) -> Value {
    record(vec![
        ("rules", strings(&r.rules)),
        ("keep_until_ms", timestamp(r.keep_until_ms)),
        ("legal_hold", Value::Boolean(r.legal_hold)),
        ("region", string(&r.region)),
    ])
}

fn retention_from_avro(v: Value) -> Result<RetentionTag, WireError> {
    let mut f = Fields::of("RetentionTag", v)?;
    Ok(RetentionTag {
        rules: f.strings("rules")?,
        keep_until_ms: f.long("keep_until_ms")?,
        legal_hold: f.boolean("legal_hold")?,
        region: f.string("region")?,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn risk_symbols_follow_the_model() {
        let model: Vec<&str> = RiskCategory::ALL.iter().map(|c| c.as_str()).collect();
        assert_eq!(model, RISK_NAMES);
    }
}
