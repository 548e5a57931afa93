//! The classifier stage: PII spans, risk hits and business/personal class for one event.
//! Built once (automata, models) and shared; `classify` is a pure function of the event.

use std::fmt::Write as _;

use wcp_classify::{is_sensitive_id, BusinessClassifier, EventContext};
use wcp_model::{ChatEvent, Class, Classification, EnrichedEvent, EventKind, PiiSpan, RiskHit};
use wcp_pii::PiiDetector;
use wcp_risk::RiskEngine;

use crate::civil::local_hour_weekday;
use crate::offsets::CharOffsets;
use crate::policy::ClassifierPolicy;

#[derive(Debug, thiserror::Error)]
pub enum ClassifierError {
    #[error("classifier model: {0}")]
    Model(String),
    #[error("risk policy: {0}")]
    RiskPolicy(String),
}

pub struct Classifier {
    pii: PiiDetector,
    risk: RiskEngine,
    class: BusinessClassifier,
    utc_offset_minutes: i32,
}

impl Classifier {
    /// Embedded models and lexicons, default thresholds.
    pub fn builtin() -> Classifier {
        Classifier {
            pii: PiiDetector::new(),
            risk: RiskEngine::builtin(),
            class: BusinessClassifier::builtin(),
            utc_offset_minutes: 480,
        }
    }

    /// Built from policy: `model_bytes` is a customer-trained model (read by the runner),
    /// `risk_policy` a replacement lexicon policy (TOML text).
    pub fn new(
        policy: &ClassifierPolicy,
        model_bytes: Option<&[u8]>,
        risk_policy: Option<&str>,
    ) -> Result<Classifier, ClassifierError> {
        let mut class_policy = wcp_classify::Policy::default();
        if let Some(t) = policy.personal_below {
            class_policy.personal_below = t;
        }
        let class = match model_bytes {
            Some(bytes) => BusinessClassifier::from_bytes(bytes, class_policy),
            None => BusinessClassifier::builtin().with_policy(class_policy),
        }
        .map_err(|e| ClassifierError::Model(e.to_string()))?;
        let risk = match risk_policy {
            Some(text) => RiskEngine::from_policy_toml(text)
                .map_err(|e| ClassifierError::RiskPolicy(e.to_string()))?,
            None => RiskEngine::builtin(),
        };
        Ok(Classifier {
            pii: PiiDetector::new(),
            risk,
            class,
            utc_offset_minutes: policy.utc_offset_minutes,
        })
    }

    /// The same stage with another PII detector (`wcp detect --min-score`).
    pub fn with_pii(mut self, pii: PiiDetector) -> Classifier {
        self.pii = pii;
        self
    }

    /// Text-only detection (the `wcp detect` contract): neutral event context
    /// apart from what the detectors themselves find (risk hits, identity numbers).
    pub fn detect_text(&self, text: &str) -> Classification {
        self.detect(text, EventContext::default()).0
    }

    /// [`Self::detect_text`] plus, per risk hit (same order), why it fired: the phrase(s) of the
    /// lexicon rule or the model's top features. Contains message text: never log it.
    pub fn detect_text_explained(&self, text: &str) -> (Classification, Vec<String>) {
        self.detect(text, EventContext::default())
    }

    fn detect(&self, text: &str, mut ctx: EventContext) -> (Classification, Vec<String>) {
        let offsets = CharOffsets::new(text);
        let found = self.pii.detect(text);
        // Identity/account numbers are event evidence for the classifier.
        let sensitive = found.iter().filter(|m| is_sensitive_id(m.entity)).count();
        ctx.sensitive_ids = sensitive.min(u8::MAX as usize) as u8;
        let pii = found
            .into_iter()
            .map(|m| PiiSpan {
                entity: m.entity.to_string(),
                start: offsets.char_index(m.start),
                end: offsets.char_index(m.end),
                score: m.score,
            })
            .collect();
        let mut why = Vec::new();
        // Text alone (`wcp detect`) has no context: rules that need one do not fire there.
        let risk_ctx = (!ctx.msgtype.is_empty()).then(|| wcp_risk::ScanContext {
            external: ctx.has_external_participant,
            msgtype: &ctx.msgtype,
        });
        let risks: Vec<RiskHit> = self
            .risk
            .scan_in(text, risk_ctx.as_ref())
            .into_iter()
            .map(|m| {
                why.push(m.explanation);
                RiskHit {
                    category: m.category,
                    start: offsets.char_index(m.start),
                    end: offsets.char_index(m.end),
                    rule_id: m.rule_id,
                    score: m.score,
                }
            })
            .collect();
        ctx.risk_hits = risks.len().min(u8::MAX as usize) as u8;
        let decision = self.class.classify(text, &ctx);
        let classification = Classification {
            class: match decision.class {
                wcp_classify::Class::Business => Class::Business,
                wcp_classify::Class::Personal => Class::Personal,
            },
            business_score: decision.business_score,
            // `name:+0.42`, appended to the name's own buffer (no second allocation per feature)
            top_features: decision
                .top_features
                .into_iter()
                .map(|(mut name, weight)| {
                    let _ = write!(name, ":{weight:+.2}");
                    name
                })
                .collect(),
            risks,
            pii,
        };
        (classification, why)
    }

    /// The stage: events that carry content get a classification; consent records, recalls
    /// and switches pass through unclassified (they are metadata).
    pub fn classify(&self, event: ChatEvent) -> EnrichedEvent {
        let classification = match event.kind {
            EventKind::Message => {
                let (hour, weekday) = local_hour_weekday(event.time_ms, self.utc_offset_minutes);
                let ctx = EventContext {
                    has_external_participant: event.has_external(),
                    is_group: event.is_group(),
                    msgtype: event.msgtype.clone(),
                    local_hour: Some(hour),
                    weekday: Some(weekday),
                    risk_hits: 0,
                    sensitive_ids: 0,
                };
                Some(self.detect(&event.text, ctx).0)
            }
            _ => None,
        };
        EnrichedEvent {
            event,
            classification,
            consent: None,
            retention: None,
            sealed_ids: None,
        }
    }
}
