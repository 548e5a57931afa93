//! The classifier: text model + event priors + policy.
use crate::class::{Class, ClassDecision};
use crate::context::EventContext;
use crate::policy::Policy;
use wcp_textmodel::{FormatError, Model};

/// The shipped model, rebuilt from `data/train/class/train.jsonl` by
/// `wcp train` (a test checks that it still matches the corpus).
static BUILTIN: &[u8] = include_bytes!("../model/business.wctm");

/// How many features a decision carries for explanation.
pub const TOP_FEATURES: usize = 3;

/// Why a classifier could not be built.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum ClassifyError {
    #[error("invalid business/personal model: {0}")]
    Model(#[from] FormatError),
    #[error("policy personal_below must be within 0..=1, got {0}")]
    BadPolicy(f32),
}

/// Business vs personal classifier for one tenant.
#[derive(Clone, Debug)]
pub struct BusinessClassifier {
    model: Model,
    policy: Policy,
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl BusinessClassifier {
    /// The built-in model with the default policy.
    pub fn builtin() -> Self {
        let model = Model::from_bytes(BUILTIN).expect("built-in model is validated by tests");
        BusinessClassifier {
            model,
            policy: Policy::default(),
        }
    }

    /// A customer-trained model (bytes of a `wcp train` output).
    pub fn from_bytes(bytes: &[u8], policy: Policy) -> Result<Self, ClassifyError> {
        BusinessClassifier {
            model: Model::from_bytes(bytes)?,
            policy: Policy::default(),
        }
        .with_policy(policy)
    }

    /// Replaces the tenant policy.
    pub fn with_policy(mut self, policy: Policy) -> Result<Self, ClassifyError> {
        if !(0.0..=1.0).contains(&policy.personal_below) {
            return Err(ClassifyError::BadPolicy(policy.personal_below));
        }
        self.policy = policy;
        Ok(self)
    }

    pub fn policy(&self) -> Policy {
        self.policy
    }

    pub fn model(&self) -> &Model {
        &self.model
    }

    /// Probability of business. Allocation-free: the hot path of the stage.
    pub fn business_score(&self, text: &str, ctx: &EventContext) -> f32 {
        let f = ctx.features();
        let (extra, n) = f.model_input();
        sigmoid(self.model.logit(text, &extra[..n]) + f.prior_logit())
    }

    /// Class and score without explanation.
    pub fn decide(&self, text: &str, ctx: &EventContext) -> (Class, f32) {
        let s = self.business_score(text, ctx);
        (self.class_of(s), s)
    }

    fn class_of(&self, business_score: f32) -> Class {
        if business_score < self.policy.personal_below {
            Class::Personal
        } else {
            Class::Business
        }
    }

    /// Full decision with the features that drove it.
    pub fn classify(&self, text: &str, ctx: &EventContext) -> ClassDecision {
        let f = ctx.features();
        let (extra, n) = f.model_input();
        let (logit, mut top) = self.model.logit_explain(text, &extra[..n], TOP_FEATURES);
        let business_score = sigmoid(logit + f.prior_logit());
        top.extend(f.explain());
        top.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        top.truncate(TOP_FEATURES);
        ClassDecision {
            class: self.class_of(business_score),
            business_score,
            top_features: top,
        }
    }
}
