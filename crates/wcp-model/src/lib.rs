//! wcp-model: the WeCom event model shared by every stage.
//!
//! Layout: `risk` holds the closed vocabulary of risk categories.
pub mod risk;

pub use risk::RiskCategory;
