//! The label and the decision record.
use serde::{Deserialize, Serialize};

/// Main purpose of a message (serialised `business` / `personal`); the
/// shared record vocabulary lives in `wcp-model`.
pub use wcp_model::Class;

/// One classification with its evidence, for the reviewer UI and audits.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
pub struct ClassDecision {
    pub class: Class,
    /// Probability of business, 0..1 (model and event priors together).
    pub business_score: f32,
    /// Features that drove the score, largest |log-odds contribution| first;
    /// positive pushes towards business. Event priors are named `ctx:…`.
    pub top_features: Vec<(String, f32)>,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn serialises_lowercase() {
        assert_eq!(
            serde_json::to_string(&Class::Business).unwrap(),
            "\"business\""
        );
        let c: Class = serde_json::from_str("\"personal\"").unwrap();
        assert_eq!(c, Class::Personal);
        assert_eq!(Class::Personal.as_str(), "personal");
    }
}
