//! The flat records: `ConsentRecord`, `Alert`, `AnonymisedEvent`, `DeadLetter`.

use apache_avro::types::Value;
use wcp_model::{Alert, AnonymisedEvent, ConsentRecord, DeadLetter, Evidence, Severity};

use super::enriched::{class_from_symbol, consent_state_from_symbol, CLASS, CONSENT_STATE};
use crate::value::{optional, record, string, strings, symbol, timestamp, Fields};
use crate::WireError;

const SEVERITY: [&str; 3] = ["low", "medium", "high"];

pub(crate) fn consent_record_to_avro(c: &ConsentRecord) -> Value {
    record(vec![
        ("contact", string(&c.contact)),
        ("agreed", Value::Boolean(c.agreed)),
        ("at_ms", timestamp(c.at_ms)),
        ("msgid", string(&c.msgid)),
    ])
}

pub(crate) fn consent_record_from_avro(v: Value) -> Result<ConsentRecord, WireError> {
    let mut f = Fields::of("ConsentRecord", v)?;
    Ok(ConsentRecord {
        contact: f.string("contact")?,
        agreed: f.boolean("agreed")?,
        at_ms: f.long("at_ms")?,
        msgid: f.string("msgid")?,
    })
}

pub(crate) fn alert_to_avro(a: &Alert) -> Value {
    let evidence = a.evidence.iter().map(|e| {
        record(vec![
            ("start", Value::Long(e.start.into())),
            ("end", Value::Long(e.end.into())),
            ("text", string(&e.text)),
        ])
    });
    record(vec![
        ("alert_id", string(&a.alert_id)),
        ("msgid", string(&a.msgid)),
        ("conversation_id", string(&a.conversation_id)),
        ("category", string(&a.category)),
        ("severity", symbol(&SEVERITY, a.severity.as_str())),
        ("rule_id", string(&a.rule_id)),
        ("time_ms", timestamp(a.time_ms)),
        ("evidence", Value::Array(evidence.collect())),
        ("region", optional(a.region.as_deref().map(string))),
    ])
}

pub(crate) fn alert_from_avro(v: Value) -> Result<Alert, WireError> {
    let mut f = Fields::of("Alert", v)?;
    let alert_id = f.string("alert_id")?;
    let msgid = f.string("msgid")?;
    let conversation_id = f.string("conversation_id")?;
    let category = f.string("category")?;
    let severity = match f.symbol("severity")?.as_str() {
        "low" => Severity::Low,
        "medium" => Severity::Medium,
        "high" => Severity::High,
        other => return Err(f.bad_symbol("severity", other)),
    };
    let rule_id = f.string("rule_id")?;
    let time_ms = f.long("time_ms")?;
    let evidence = f.records("evidence", "Evidence", |e| {
        Ok(Evidence {
            start: e.u32("start")?,
            end: e.u32("end")?,
            text: e.string("text")?,
        })
    })?;
    let region = f.opt_string("region")?;
    Ok(Alert {
        alert_id,
        msgid,
        conversation_id,
        category,
        severity,
        rule_id,
        time_ms,
        evidence,
        region,
    })
}

pub(crate) fn anonymised_to_avro(a: &AnonymisedEvent) -> Value {
    record(vec![
        ("msgid", string(&a.msgid)),
        ("conversation", string(&a.conversation)),
        ("from", string(&a.from)),
        ("to", strings(&a.to)),
        ("from_role", string(&a.from_role)),
        ("msgtype", string(&a.msgtype)),
        ("time_ms", timestamp(a.time_ms)),
        ("text", string(&a.text)),
        (
            "class",
            optional(a.class.map(|c| symbol(&CLASS, c.as_str()))),
        ),
        ("risk_categories", strings(&a.risk_categories)),
        ("pii_types", strings(&a.pii_types)),
        (
            "consent",
            optional(a.consent.map(|c| symbol(&CONSENT_STATE, c.as_str()))),
        ),
        ("region", optional(a.region.as_deref().map(string))),
    ])
}

pub(crate) fn anonymised_from_avro(v: Value) -> Result<AnonymisedEvent, WireError> {
    let mut f = Fields::of("AnonymisedEvent", v)?;
    let msgid = f.string("msgid")?;
    let conversation = f.string("conversation")?;
    let from = f.string("from")?;
    let to = f.strings("to")?;
    let from_role = f.string("from_role")?;
    let msgtype = f.string("msgtype")?;
    let time_ms = f.long("time_ms")?;
    let text = f.string("text")?;
    let class = match f.opt_symbol("class")? {
        Some(s) => Some(class_from_symbol(&f, "class", &s)?),
        None => None,
    };
    let risk_categories = f.strings("risk_categories")?;
    let pii_types = f.strings("pii_types")?;
    let consent = match f.opt_symbol("consent")? {
        Some(s) => Some(consent_state_from_symbol(&f, "consent", &s)?),
        None => None,
    };
    Ok(AnonymisedEvent {
        msgid,
        conversation,
        from,
        to,
        from_role,
        msgtype,
        time_ms,
        text,
        class,
        risk_categories,
        pii_types,
        consent,
        region: f.opt_string("region")?,
    })
}

pub(crate) fn dead_letter_to_avro(d: &DeadLetter) -> Value {
    record(vec![
        ("original", Value::Bytes(d.original.clone())),
        ("source", string(&d.source)),
        ("stage", string(&d.stage)),
        ("reason_code", string(&d.reason_code)),
        ("reason", string(&d.reason)),
    ])
}

pub(crate) fn dead_letter_from_avro(v: Value) -> Result<DeadLetter, WireError> {
    let mut f = Fields::of("DeadLetter", v)?;
    Ok(DeadLetter {
        original: f.bytes("original")?,
        source: f.string("source")?,
        stage: f.string("stage")?,
        reason_code: f.string("reason_code")?,
        reason: f.string("reason")?,
    })
}
