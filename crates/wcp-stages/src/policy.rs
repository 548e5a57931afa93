//! The pipeline policy file: consent, classifier threshold, retention and alerting, parsed
//! once at start-up. Every problem is reported at once with the key it concerns.

use serde::Deserialize;

use crate::alert::AlertPolicy;
use crate::consent::ConsentPolicy;
use crate::input::InputPolicy;
use crate::retention::RetentionPolicy;
use wcp_pii::anonymise::AnonPolicy;

/// The policy shipped with wcp (`policies/pipeline.toml`).
pub const BUILTIN_POLICY: &str = include_str!("../../../policies/pipeline.toml");

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ClassifierPolicy {
    /// Below this business probability a message is personal; unset = the model's default.
    #[serde(default)]
    pub personal_below: Option<f32>,
    /// A customer-trained model (`wcp train`) replacing the embedded one.
    #[serde(default)]
    pub model_file: Option<String>,
    /// Senders' UTC offset in minutes, for the working-hours feature (480 = China).
    #[serde(default = "default_tz")]
    pub utc_offset_minutes: i32,
}

fn default_tz() -> i32 {
    480
}

impl Default for ClassifierPolicy {
    fn default() -> Self {
        ClassifierPolicy {
            personal_below: None,
            model_file: None,
            utc_offset_minutes: default_tz(),
        }
    }
}

#[derive(Debug, Clone, PartialEq, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Policy {
    #[serde(default)]
    pub consent: ConsentPolicy,
    #[serde(default)]
    pub classifier: ClassifierPolicy,
    pub retention: RetentionPolicy,
    #[serde(default)]
    pub alert: AlertPolicy,
    /// Bounds on raw input (record size, time window, ids).
    #[serde(default)]
    pub input: InputPolicy,
    /// Anonymisation operator per entity type (`chat.anonymised`, anonymised archive rows).
    #[serde(default)]
    pub anonymise: AnonPolicy,
}

#[derive(Debug, thiserror::Error)]
pub enum PolicyError {
    #[error("policy {origin}: {message}")]
    Parse { origin: String, message: String },
    #[error("policy file {origin}: {message}")]
    Read { origin: String, message: String },
    #[error("policy {origin}: {problems:?}")]
    Invalid {
        origin: String,
        problems: Vec<String>,
    },
}

impl Policy {
    pub fn builtin() -> Policy {
        Policy::from_toml(BUILTIN_POLICY, "builtin").expect("the shipped policy is valid (tested)")
    }

    /// The policy of `path` (read and validated), or the built-in one: the one loader both
    /// runners use. Reading the file is this crate's only I/O, kept out of the parsing.
    pub fn load(path: Option<&std::path::Path>) -> Result<Policy, PolicyError> {
        let Some(p) = path else {
            return Ok(Policy::builtin());
        };
        let origin = p.display().to_string();
        let text = std::fs::read_to_string(p).map_err(|e| PolicyError::Read {
            origin: origin.clone(),
            message: e.to_string(),
        })?;
        Policy::from_toml(&text, &origin)
    }

    /// Parse and validate; `origin` names the file in errors.
    pub fn from_toml(text: &str, origin: &str) -> Result<Policy, PolicyError> {
        let policy: Policy = toml::from_str(text).map_err(|e| PolicyError::Parse {
            origin: origin.to_string(),
            message: e.to_string(),
        })?;
        let problems = policy.problems();
        if problems.is_empty() {
            Ok(policy)
        } else {
            Err(PolicyError::Invalid {
                origin: origin.to_string(),
                problems,
            })
        }
    }

    /// Settings every runner logs at each start (non-compliant choices that were
    /// acknowledged in the file).
    pub fn warnings(&self) -> Vec<String> {
        self.consent.warnings()
    }

    fn problems(&self) -> Vec<String> {
        let mut out = self.consent.problems();
        out.extend(self.input.problems());
        for e in self.anonymise.entities.keys() {
            if wcp_pii::entity_name(e).is_none() {
                out.push(format!("anonymise.entities: unknown entity type {e:?}"));
            }
        }
        if let Some(t) = self.classifier.personal_below {
            if !(0.0..=1.0).contains(&t) {
                out.push(format!(
                    "classifier.personal_below = {t} is not within 0..1"
                ));
            }
        }
        let mut ids = std::collections::HashSet::new();
        for r in &self.retention.rules {
            if !ids.insert(r.id.as_str()) {
                out.push(format!("retention.rules: duplicate id {:?}", r.id));
            }
            if r.years == 0 && r.days == 0 {
                out.push(format!(
                    "retention.rules {:?}: no period (years or days)",
                    r.id
                ));
            }
        }
        let regimes: std::collections::HashSet<&str> = self
            .retention
            .rules
            .iter()
            .map(|r| r.regime.as_str())
            .collect();
        let referenced = self
            .retention
            .default_regimes
            .iter()
            .chain(self.retention.desks.iter().flat_map(|d| d.regimes.iter()));
        for regime in referenced {
            if !regimes.contains(regime.as_str()) {
                out.push(format!("retention: regime {regime:?} has no rules"));
            }
        }
        // A region names the archive files (`wcp_model::region`): refused here, at load, so
        // neither the tagger nor an archiver ever meets an unusable one.
        let ret = &self.retention;
        if let Err(e) = wcp_model::region::check_name(&ret.default_region) {
            out.push(format!("retention.default_region: {e}"));
        }
        for d in &ret.desks {
            if let Err(e) = wcp_model::region::check_name(&d.region) {
                out.push(format!("retention.desks {:?}: {e}", d.name));
            }
        }
        for c in self.alert.severity.keys() {
            if wcp_model::RiskCategory::parse(c).is_none() {
                out.push(format!("alert.severity: unknown risk category {c:?}"));
            }
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn builtin_policy_is_valid() {
        let p = Policy::builtin();
        assert!(p.retention.rules.len() >= 8);
        assert_eq!(p.classifier.utc_offset_minutes, 480);
    }

    #[test]
    fn every_problem_is_reported_at_once() {
        let bad = BUILTIN_POLICY
            .replace("# personal_below = 0.35", "personal_below = 1.5")
            .replace(
                "guarantee_of_returns = \"high\"",
                "guarantee_of_return = \"high\"",
            )
            .replace(
                "regimes = [\"mas\", \"pipl\"]",
                "regimes = [\"mas2\", \"pipl\"]",
            );
        match Policy::from_toml(&bad, "test.toml") {
            Err(PolicyError::Invalid { origin, problems }) => {
                assert_eq!(origin, "test.toml");
                assert_eq!(problems.len(), 3, "{problems:?}");
            }
            other => panic!("expected invalid, got {other:?}"),
        }
        let err = Policy::from_toml("[consent]\non_unknown = \"shred\"", "x.toml").unwrap_err();
        assert!(err.to_string().contains("x.toml"));
    }

    #[test]
    fn region_names_that_cannot_name_a_file_are_refused() {
        let bad = BUILTIN_POLICY
            .replace("default_region = \"cn\"", "default_region = \"\"")
            .replace("region = \"hk\"", "region = \"../hk\"");
        match Policy::from_toml(&bad, "test.toml") {
            Err(PolicyError::Invalid { problems, .. }) => {
                assert_eq!(problems.len(), 2, "{problems:?}");
                assert!(problems[0].starts_with("retention.default_region"));
                assert!(problems[1].contains("hk-wealth") && problems[1].contains("../hk"));
            }
            other => panic!("expected invalid, got {other:?}"),
        }
    }
}
