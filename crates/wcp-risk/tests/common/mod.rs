//! Shared by the table tests: the built-in engine, built once, and the categories it raises.

use wcp_model::RiskCategory;
use wcp_risk::RiskEngine;

pub fn engine() -> &'static RiskEngine {
    static E: std::sync::OnceLock<RiskEngine> = std::sync::OnceLock::new();
    E.get_or_init(RiskEngine::builtin)
}

pub fn cats(text: &str) -> Vec<RiskCategory> {
    engine()
        .scan(text)
        .into_iter()
        .map(|m| m.category)
        .collect()
}
