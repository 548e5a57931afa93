//! The editable lexicon policy (`policies/risk.toml`): its TOML shape and its validation.
//!
//! A compliance team edits rules, not code. Each `[[rule]]` has an id (used in alerts and in
//! error messages), a category, trigger `phrases`, optional `near` words that must occur within
//! `window` characters (proximity rules), and exceptions: `unless` phrases that cancel a hit they
//! overlap (or come within `unless_window` characters of) and `unless_anywhere` phrases that
//! cancel the rule for the whole message. Phrases are normalised like the text (see
//! `normalize`), so one entry covers Traditional, full-width and upper-case spellings. A Latin
//! phrase only matches whole words; a trailing `*` makes it a prefix (`guarantee*`).

use serde::Deserialize;
use toml::Spanned;
use wcp_model::RiskCategory;

/// Why a policy was rejected. Every variant names the line, and the rule when there is one.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum PolicyError {
    #[error("policy line {line}: {message}")]
    Syntax { line: usize, message: String },
    #[error("policy rule {id:?} (line {line}): {message}")]
    Rule {
        id: String,
        line: usize,
        message: String,
    },
    #[error("policy: {0}")]
    Other(String),
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct PolicyFile {
    pub version: u32,
    #[serde(default)]
    pub defaults: Defaults,
    #[serde(default)]
    pub model: ModelSettings,
    #[serde(default, rename = "rule")]
    pub rules: Vec<RuleFile>,
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub(crate) struct Defaults {
    pub window: u32,
    pub score: f32,
    /// Exceptions for every rule (training sessions, case studies): a message that talks
    /// *about* a risk is not one.
    pub unless_anywhere: Vec<String>,
    /// Negation cues ("不要", "do not"): a trigger that starts at most `negation_window`
    /// characters after one is cancelled ("do not delete", "从不承诺"), whatever the rule.
    pub negations: Vec<String>,
    pub negation_window: u32,
}

impl Default for Defaults {
    fn default() -> Self {
        Defaults {
            window: 12,
            score: 0.9,
            unless_anywhere: Vec::new(),
            negations: Vec::new(),
            negation_window: 2,
        }
    }
}

/// Settings of the per-category text models that back up the lexicon on paraphrases.
#[derive(Debug, Clone, Deserialize)]
#[serde(deny_unknown_fields, default)]
pub struct ModelSettings {
    /// Whether the trained models run at all.
    pub enabled: bool,
    /// Probability of the "any risk" gate model below which no category model runs (keeps
    /// the common benign message at one feature pass).
    pub gate_threshold: f32,
    /// Probability above which a model alone reports a category.
    pub threshold: f32,
    /// Per-category overrides of `threshold`, keyed by category name.
    pub thresholds: std::collections::BTreeMap<String, f32>,
    /// Learned evidence a model hit needs: the sum of the message's positive feature
    /// contributions (log-odds, bias excluded). Without it a model would "find" a risk in
    /// `hi`, an emoji or an image with no text because its bias leans that way.
    pub evidence_floor: f32,
    /// Content characters (CJK characters and Latin letters/digits) a message needs before a
    /// model may judge it; shorter lines ("ok", "好的", "thx 👍") are left to the lexicon.
    pub min_chars: u32,
}

impl Default for ModelSettings {
    fn default() -> Self {
        ModelSettings {
            enabled: true,
            gate_threshold: 0.3,
            threshold: 0.5,
            thresholds: Default::default(),
            evidence_floor: 1.0,
            min_chars: 6,
        }
    }
}

#[derive(Debug, Deserialize)]
#[serde(deny_unknown_fields)]
pub(crate) struct RuleFile {
    pub id: Spanned<String>,
    pub category: String,
    pub phrases: Vec<String>,
    #[serde(default)]
    pub near: Vec<String>,
    pub window: Option<u32>,
    #[serde(default)]
    pub unless: Vec<String>,
    #[serde(default)]
    pub unless_window: u32,
    #[serde(default)]
    pub unless_anywhere: Vec<String>,
    pub score: Option<f32>,
    /// `"external"`: the rule fires only on a message whose conversation has an external
    /// participant (a document marked internal is risky only when it leaves the firm).
    pub audience: Option<String>,
    /// WeCom msgtypes the rule is limited to (`file`, `link`, …); empty = any.
    #[serde(default)]
    pub msgtypes: Vec<String>,
}

/// A validated rule, phrases already normalised.
#[derive(Debug, Clone)]
pub(crate) struct Rule {
    pub id: String,
    pub category: RiskCategory,
    pub phrases: Vec<String>,
    pub near: Vec<String>,
    pub window: u32,
    pub unless: Vec<String>,
    pub unless_window: u32,
    pub unless_anywhere: Vec<String>,
    pub score: f32,
    /// Fires only when the message reaches an external participant.
    pub external_only: bool,
    /// Fires only on these msgtypes (empty = any).
    pub msgtypes: Vec<String>,
}

impl Rule {
    /// Whether the rule's context conditions hold. Without a context (text alone, as in
    /// `wcp detect`) a rule that has conditions does not fire: they cannot be known.
    pub fn applies(&self, ctx: Option<&crate::ScanContext>) -> bool {
        if !self.external_only && self.msgtypes.is_empty() {
            return true;
        }
        let Some(ctx) = ctx else { return false };
        (!self.external_only || ctx.external)
            && (self.msgtypes.is_empty() || self.msgtypes.iter().any(|t| t == ctx.msgtype))
    }
}

pub(crate) struct Policy {
    pub rules: Vec<Rule>,
    pub model: ModelSettings,
    /// Normalised negation cues and their window, from `[defaults]`.
    pub negations: Vec<String>,
    pub negation_window: u32,
}

fn line_of(src: &str, byte: usize) -> usize {
    src[..byte.min(src.len())]
        .bytes()
        .filter(|&b| b == b'\n')
        .count()
        + 1
}

/// Parses and validates a policy; all phrase lists are normalised here, once.
pub(crate) fn parse(src: &str) -> Result<Policy, PolicyError> {
    let file: PolicyFile = toml::from_str(src).map_err(|e| PolicyError::Syntax {
        line: e.span().map_or(0, |s| line_of(src, s.start)),
        message: e.message().to_string(),
    })?;
    if file.version != 1 {
        return Err(PolicyError::Other(format!(
            "unsupported policy version {}",
            file.version
        )));
    }
    let m = &file.model;
    let valid = (0.0..=1.0).contains(&m.gate_threshold)
        && (0.0..=1.0).contains(&m.threshold)
        && m.evidence_floor >= 0.0
        && m.evidence_floor.is_finite();
    if !valid {
        return Err(PolicyError::Other(
            "model thresholds must be within 0..=1 and evidence_floor >= 0".into(),
        ));
    }
    for (name, t) in &file.model.thresholds {
        if RiskCategory::parse(name).is_none() || !(0.0..=1.0).contains(t) {
            return Err(PolicyError::Other(format!(
                "model.thresholds: bad entry {name} = {t}"
            )));
        }
    }
    let mut seen = std::collections::HashSet::new();
    let mut rules = Vec::with_capacity(file.rules.len());
    for r in file.rules {
        let line = line_of(src, r.id.span().start);
        let id = r.id.into_inner();
        let fail = |message: String| PolicyError::Rule {
            id: id.clone(),
            line,
            message,
        };
        if id.trim().is_empty() {
            return Err(fail("empty id".into()));
        }
        if !seen.insert(id.clone()) {
            return Err(fail("duplicate rule id".into()));
        }
        let category = RiskCategory::parse(&r.category)
            .ok_or_else(|| fail(format!("unknown category {:?}", r.category)))?;
        let score = r.score.unwrap_or(file.defaults.score);
        if !(0.0..=1.0).contains(&score) {
            return Err(fail(format!("score {score} outside 0..=1")));
        }
        let norm = |list: Vec<String>, what: &str| -> Result<Vec<String>, PolicyError> {
            list.into_iter()
                .map(|p| {
                    let n = crate::normalize::normalize(p.trim()).text;
                    if n.trim_end_matches('*').is_empty() {
                        Err(fail(format!("empty phrase in {what}")))
                    } else {
                        Ok(n)
                    }
                })
                .collect()
        };
        let external_only = match r.audience.as_deref() {
            None | Some("any") => false,
            Some("external") => true,
            Some(other) => {
                return Err(fail(format!(
                    "audience {other:?}: expected \"external\" or \"any\""
                )))
            }
        };
        let phrases = norm(r.phrases, "phrases")?;
        if phrases.is_empty() {
            return Err(fail("no phrases".into()));
        }
        rules.push(Rule {
            category,
            near: norm(r.near, "near")?,
            window: r.window.unwrap_or(file.defaults.window),
            unless: norm(r.unless, "unless")?,
            unless_window: r.unless_window,
            unless_anywhere: norm(
                [r.unless_anywhere, file.defaults.unless_anywhere.clone()].concat(),
                "unless_anywhere",
            )?,
            phrases,
            score,
            external_only,
            msgtypes: r.msgtypes,
            id,
        });
    }
    let negations = file
        .defaults
        .negations
        .iter()
        .map(|p| crate::normalize::normalize(p.trim()).text)
        .filter(|n| !n.is_empty())
        .collect();
    Ok(Policy {
        rules,
        model: file.model,
        negations,
        negation_window: file.defaults.negation_window,
    })
}
