//! wcp-risk: compliance-risk detection in chat messages for the nine categories of
//! `wcp_model::RiskCategory` — an editable lexicon policy backed by per-category text models.
//!
//! A message is normalised once (`normalize`: full-width, Traditional → Simplified, case,
//! evasion fillers between CJK characters), then scanned by one Aho-Corasick automaton built
//! from the policy (`lexicon`), whose hits are evaluated as phrase, proximity and exception
//! rules. Messages in which the lexicon found nothing then go to small linear models trained on
//! `data/train/risk` (`models`), which catch paraphrases without a keyword. Every match carries
//! the rule id and an explanation (the phrase, or the features that drove the model).
//!
//! Layout: `normalize` + `t2s` (text folding with an offset map), `policy` (TOML shape,
//! validation, `PolicyError`), `lexicon` (automaton and rule evaluation), `models` (embedded
//! per-category models and their deterministic trainer), this file (`RiskEngine`, `RiskMatch`).

mod lexicon;
pub mod models;
pub mod normalize;
mod policy;
mod t2s;

pub use policy::{ModelSettings, PolicyError};
use wcp_model::RiskCategory;

/// The policy shipped with wcp; compliance teams copy and edit it.
pub const BUILTIN_POLICY: &str = include_str!("../../../policies/risk.toml");

/// One risk found in a message.
#[derive(Debug, Clone, PartialEq)]
pub struct RiskMatch {
    pub category: RiskCategory,
    /// Byte offsets into the original text, end exclusive.
    pub start: usize,
    pub end: usize,
    /// Policy rule id, or `model.<category>` for a model hit.
    pub rule_id: String,
    /// Why it fired: the matched phrase(s) or the top model features. Contains message text:
    /// never log it.
    pub explanation: String,
    pub score: f32,
}

/// What is known of a message besides its text; rules with an `audience` or `msgtypes`
/// condition need it.
#[derive(Debug, Clone, Copy)]
pub struct ScanContext<'a> {
    /// The conversation has an external participant (a client, a contact outside the firm).
    pub external: bool,
    /// WeCom msgtype (`text`, `file`, `link`, …).
    pub msgtype: &'a str,
}

/// A compiled policy plus the models; build once, share across threads.
pub struct RiskEngine {
    lexicon: lexicon::Lexicon,
    model: ModelSettings,
    models: Option<&'static models::RiskModels>,
}

impl RiskEngine {
    /// The engine for the policy shipped in `policies/risk.toml`.
    pub fn builtin() -> RiskEngine {
        RiskEngine::from_policy_toml(BUILTIN_POLICY).expect("the shipped risk policy is valid")
    }

    /// Compiles a policy; errors name the offending rule and line.
    pub fn from_policy_toml(toml: &str) -> Result<RiskEngine, PolicyError> {
        let p = policy::parse(toml)?;
        let models = if p.model.enabled {
            Some(models::RiskModels::embedded())
        } else {
            None
        };
        Ok(RiskEngine {
            lexicon: lexicon::Lexicon::build(p.rules, &p.negations, p.negation_window)?,
            model: p.model,
            models,
        })
    }

    /// Risks in `text` alone: at most one match per category, sorted by start offset. Rules
    /// that need the message's context (see [`ScanContext`]) do not fire.
    pub fn scan(&self, text: &str) -> Vec<RiskMatch> {
        self.scan_in(text, None)
    }

    /// [`Self::scan`] of a message whose context is known (the pipeline's classifier).
    pub fn scan_in(&self, text: &str, ctx: Option<&ScanContext>) -> Vec<RiskMatch> {
        let norm = normalize::normalize(text);
        let mut best: [Option<RiskMatch>; 9] = Default::default();
        let (hits, vetoed) = self.lexicon.scan(&norm.text);
        for h in hits {
            let rule = &self.lexicon.rules[h.rule];
            if !rule.applies(ctx) {
                continue;
            }
            let slot = &mut best[cat_index(rule.category)];
            if slot.as_ref().is_some_and(|m| m.score >= rule.score) {
                continue;
            }
            let (start, end) = norm.to_original(text, h.start, h.end);
            let mut explanation = format!("phrase \"{}\"", &norm.text[h.trigger.0..h.trigger.1]);
            if let Some(n) = h.near {
                explanation.push_str(&format!(" near \"{}\"", &norm.text[n.0..n.1]));
            }
            *slot = Some(RiskMatch {
                category: rule.category,
                start,
                end,
                rule_id: rule.id.clone(),
                explanation,
                score: rule.score,
            });
        }
        if let Some(m) = self.models {
            m.fill(&norm.text, text.len(), &self.model, &vetoed, &mut best);
        }
        let mut out: Vec<RiskMatch> = best.into_iter().flatten().collect();
        out.sort_by_key(|m| (m.start, m.end, m.category));
        out
    }

    /// Number of rules in the compiled policy.
    pub fn rule_count(&self) -> usize {
        self.lexicon.rules.len()
    }
}

pub(crate) fn cat_index(c: RiskCategory) -> usize {
    RiskCategory::ALL.iter().position(|&x| x == c).unwrap_or(0)
}
