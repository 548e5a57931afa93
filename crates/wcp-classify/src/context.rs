//! Event features: what the message's envelope says about its purpose.
//!
//! These enter twice: as named extra features of the text model (so a model
//! trained on data that carries context learns its own weights) and as fixed
//! log-odds priors (so the shipped model, trained on text alone, still uses
//! them). Every field is optional: a neutral context changes nothing, which is
//! what `wcp detect` (text only) passes.
use serde::{Deserialize, Serialize};

/// Envelope facts about one message.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(default)]
pub struct EventContext {
    /// An external contact (`wm…`/`wo…` id) is among the participants.
    pub has_external_participant: bool,
    pub is_group: bool,
    /// WeCom msgtype (`text`, `file`, `emotion`, …); empty when unknown.
    pub msgtype: String,
    /// Hour of day in the sender's time zone.
    pub local_hour: Option<u8>,
    /// Day of week in the sender's time zone, 0 = Monday.
    pub weekday: Option<u8>,
    /// Number of compliance-risk lexicon hits from the detection engine.
    pub risk_hits: u8,
    /// Number of identity/account numbers (ID card, passport, bank card,
    /// IBAN, SSN, USCC) the PII engine found; see [`is_sensitive_id`].
    pub sensitive_ids: u8,
}

/// PII types that are identity or account numbers. In a work WeCom these
/// are almost always sent for a firm process (KYC, onboarding, payroll,
/// staff travel, invoicing), and the text model, which sees them only as
/// digit shapes, reads such lines badly: they are mostly identifier.
pub fn is_sensitive_id(pii_type: &str) -> bool {
    matches!(
        pii_type,
        "CN_RESIDENT_ID" | "CN_PASSPORT" | "CREDIT_CARD" | "IBAN_CODE" | "US_SSN" | "CN_USCC"
    )
}

/// Maximum number of context features one event can carry.
pub(crate) const MAX_CTX: usize = 7;

/// (feature name, value, prior log-odds towards business per unit value).
/// Priors are deliberately modest: they tip uncertain messages, they do not
/// overrule clear text. External contacts in a work WeCom are overwhelmingly
/// clients; documents and meetings are work artefacts; stickers and red
/// packets lean social; evenings and weekends lean personal; a risk-lexicon
/// hit is almost always in a business conversation; an identity or account
/// number leans business, modestly, because employees also share their own
/// (booking a relative's hospital visit, a landlord's IBAN).
const EXTERNAL: (&str, f32) = ("ctx:external", 0.8);
const GROUP: (&str, f32) = ("ctx:group", 0.2);
const WORK_ARTEFACT: (&str, f32) = ("ctx:msgtype_work", 0.8);
const SOCIAL: (&str, f32) = ("ctx:msgtype_social", -0.6);
const OFF_HOURS: (&str, f32) = ("ctx:off_hours", -0.4);
const WEEKEND: (&str, f32) = ("ctx:weekend", -0.4);
const RISK: (&str, f32) = ("ctx:risk_hit", 1.5);
const SENSITIVE_ID: (&str, f32) = ("ctx:sensitive_id", SENSITIVE_ID_PRIOR);
const SENSITIVE_ID_PRIOR: f32 = 0.5;

/// Active context features of one event.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct CtxFeatures {
    items: [(&'static str, f32, f32); MAX_CTX],
    len: usize,
}

impl CtxFeatures {
    fn push(&mut self, (name, prior): (&'static str, f32)) {
        self.items[self.len] = (name, 1.0, prior);
        self.len += 1;
    }

    /// (name, value) pairs as the text model takes them.
    pub(crate) fn model_input(&self) -> ([(&'static str, f32); MAX_CTX], usize) {
        let mut out = [("", 0.0); MAX_CTX];
        for (o, (n, v, _)) in out.iter_mut().zip(&self.items[..self.len]) {
            *o = (n, *v);
        }
        (out, self.len)
    }

    /// Sum of the priors' log-odds.
    pub(crate) fn prior_logit(&self) -> f32 {
        self.items[..self.len].iter().map(|(_, v, p)| v * p).sum()
    }

    /// Each prior as an explanation entry.
    pub(crate) fn explain(&self) -> impl Iterator<Item = (String, f32)> + '_ {
        self.items[..self.len]
            .iter()
            .map(|(n, v, p)| (n.to_string(), v * p))
    }
}

impl EventContext {
    pub(crate) fn features(&self) -> CtxFeatures {
        let mut f = CtxFeatures::default();
        if self.has_external_participant {
            f.push(EXTERNAL);
        }
        if self.is_group {
            f.push(GROUP);
        }
        match self.msgtype.as_str() {
            "file"
            | "doc"
            | "docmsg"
            | "meeting"
            | "calendar"
            | "todo"
            | "markdown"
            | "news"
            | "meeting_voice_call"
            | "voip_doc_share"
            | "qydiskfile"
            | "meeting_notification" => f.push(WORK_ARTEFACT),
            "emotion" | "redpacket" | "external_redpacket" | "sphfeed" => f.push(SOCIAL),
            _ => {}
        }
        if self.local_hour.is_some_and(|h| !(8..20).contains(&h)) {
            f.push(OFF_HOURS);
        }
        if self.weekday.is_some_and(|d| d >= 5) {
            f.push(WEEKEND);
        }
        if self.risk_hits > 0 {
            f.push(RISK);
        }
        if self.sensitive_ids > 0 {
            f.push(SENSITIVE_ID);
        }
        f
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn neutral_context_has_no_features() {
        let f = EventContext::default().features();
        assert_eq!(f.len, 0);
        assert_eq!(f.prior_logit(), 0.0);
        let f = EventContext {
            msgtype: "text".into(),
            local_hour: Some(10),
            weekday: Some(2),
            ..Default::default()
        }
        .features();
        assert_eq!(f.len, 0);
    }

    #[test]
    fn every_feature_can_be_active_at_once() {
        let ctx = EventContext {
            has_external_participant: true,
            is_group: true,
            msgtype: "file".into(),
            local_hour: Some(23),
            weekday: Some(6),
            risk_hits: 2,
            sensitive_ids: 1,
        };
        let f = ctx.features();
        assert_eq!(f.len, MAX_CTX);
        assert!(
            (f.prior_logit() - (0.8 + 0.2 + 0.8 - 0.4 - 0.4 + 1.5 + SENSITIVE_ID_PRIOR)).abs()
                < 1e-6
        );
        let (input, n) = f.model_input();
        assert_eq!(
            input[..n].iter().map(|p| p.0).collect::<Vec<_>>()[0],
            "ctx:external"
        );
    }

    #[test]
    fn identity_numbers_lean_business() {
        assert!(is_sensitive_id("CN_RESIDENT_ID") && is_sensitive_id("IBAN_CODE"));
        assert!(!is_sensitive_id("PHONE_NUMBER") && !is_sensitive_id("PERSON"));
        let ctx = EventContext {
            sensitive_ids: 2,
            ..Default::default()
        };
        let f = ctx.features();
        assert_eq!(f.len, 1);
        assert!((f.prior_logit() - SENSITIVE_ID_PRIOR).abs() < 1e-6);
    }

    #[test]
    fn social_and_evening_lean_personal() {
        let ctx = EventContext {
            msgtype: "emotion".into(),
            local_hour: Some(6),
            ..Default::default()
        };
        assert!(ctx.features().prior_logit() < 0.0);
    }
}
