//! The flat records in their current schemas: ConsentRecord, Alert, AnonymisedEvent,
//! DeadLetter, RawEnvelope.

use wcp_model::{Alert, AnonymisedEvent, ConsentRecord, DeadLetter, Evidence, Severity};

use super::enriched::{index_of, CLASSES, CONSENT_STATES};
use super::{Direct, In, Out};
use crate::{RawEnvelope, WireError};

const SEVERITIES: [Severity; 3] = [Severity::Low, Severity::Medium, Severity::High];

impl Direct for ConsentRecord {
    fn write(&self, o: &mut Out) {
        o.str(&self.contact);
        o.boolean(self.agreed);
        o.long(self.at_ms);
        o.str(&self.msgid);
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "ConsentRecord";
        Ok(ConsentRecord {
            contact: i.str("contact")?,
            agreed: i.boolean("agreed")?,
            at_ms: i.long("at_ms")?,
            msgid: i.str("msgid")?,
        })
    }
}

impl Direct for Alert {
    fn write(&self, o: &mut Out) {
        o.str(&self.alert_id);
        o.str(&self.msgid);
        o.str(&self.conversation_id);
        o.str(&self.category);
        o.enum_index(index_of(&SEVERITIES, &self.severity));
        o.str(&self.rule_id);
        o.long(self.time_ms);
        o.array(&self.evidence, |o, e| {
            o.long(e.start.into());
            o.long(e.end.into());
            o.str(&e.text);
        });
        o.opt_str(self.region.as_deref());
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "Alert";
        Ok(Alert {
            alert_id: i.str("alert_id")?,
            msgid: i.str("msgid")?,
            conversation_id: i.str("conversation_id")?,
            category: i.str("category")?,
            severity: SEVERITIES[i.enum_index("severity", SEVERITIES.len())?],
            rule_id: i.str("rule_id")?,
            time_ms: i.long("time_ms")?,
            evidence: i.array("evidence", |i| {
                i.record = "Evidence";
                Ok(Evidence {
                    start: i.u32("start")?,
                    end: i.u32("end")?,
                    text: i.str("text")?,
                })
            })?,
            region: i.opt_str("region")?,
        })
    }
}

impl Direct for AnonymisedEvent {
    fn write(&self, o: &mut Out) {
        o.str(&self.msgid);
        o.str(&self.conversation);
        o.str(&self.from);
        o.strings(&self.to);
        o.str(&self.from_role);
        o.str(&self.msgtype);
        o.long(self.time_ms);
        o.str(&self.text);
        o.some(self.class.is_some());
        if let Some(c) = &self.class {
            o.enum_index(index_of(&CLASSES, c));
        }
        o.strings(&self.risk_categories);
        o.strings(&self.pii_types);
        o.some(self.consent.is_some());
        if let Some(c) = &self.consent {
            o.enum_index(index_of(&CONSENT_STATES, c));
        }
        o.opt_str(self.region.as_deref());
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "AnonymisedEvent";
        Ok(AnonymisedEvent {
            msgid: i.str("msgid")?,
            conversation: i.str("conversation")?,
            from: i.str("from")?,
            to: i.strings("to")?,
            from_role: i.str("from_role")?,
            msgtype: i.str("msgtype")?,
            time_ms: i.long("time_ms")?,
            text: i.str("text")?,
            class: match i.some("class")? {
                true => Some(CLASSES[i.enum_index("class", CLASSES.len())?]),
                false => None,
            },
            risk_categories: i.strings("risk_categories")?,
            pii_types: i.strings("pii_types")?,
            consent: match i.some("consent")? {
                true => Some(CONSENT_STATES[i.enum_index("consent", CONSENT_STATES.len())?]),
                false => None,
            },
            region: i.opt_str("region")?,
        })
    }
}

impl Direct for DeadLetter {
    fn write(&self, o: &mut Out) {
        o.bytes(&self.original);
        o.str(&self.source);
        o.str(&self.stage);
        o.str(&self.reason_code);
        o.str(&self.reason);
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "DeadLetter";
        Ok(DeadLetter {
            original: i.bytes("original")?,
            source: i.str("source")?,
            stage: i.str("stage")?,
            reason_code: i.str("reason_code")?,
            reason: i.str("reason")?,
        })
    }
}

impl Direct for RawEnvelope {
    fn write(&self, o: &mut Out) {
        o.bytes(&self.payload);
        o.some(self.seq.is_some());
        if let Some(seq) = self.seq {
            o.long(seq as i64);
        }
        o.some(self.publickey_ver.is_some());
        if let Some(v) = self.publickey_ver {
            o.long(v.into());
        }
        o.str(&self.source);
    }

    fn read(i: &mut In<'_>) -> Result<Self, WireError> {
        i.record = "RawEnvelope";
        Ok(RawEnvelope {
            payload: i.bytes("payload")?,
            seq: match i.some("seq")? {
                true => Some(i.long("seq")? as u64),
                false => None,
            },
            publickey_ver: match i.some("publickey_ver")? {
                true => Some(i.u32("publickey_ver")?),
                false => None,
            },
            source: i.str("source")?,
        })
    }
}
