//! wcp-eval: pure scoring of `wcp detect` output against labelled JSON Lines,
//! following the rules of `tools/score.py` (which the private evaluation
//! uses) so that `wcp eval` and the evaluation agree.
//!
//! Layout: `records` (gold and predicted rows from JSON values), `prf`
//! (counts → precision/recall/F1 with score.py's edge cases), `score` (the
//! PII, class and risk tables), `confusion` (where the risk errors come from, per category),
//! `render` (the human table).
mod confusion;
mod prf;
mod records;
mod render;
mod score;

pub use confusion::{risk_confusion, CategoryConfusion, Tally};
pub use prf::{Counts, Prf};
pub use records::{Gold, Pred, Span};
pub use render::render_table;
pub use score::{evaluate, ClassTable, MixedRow, Report, TypeRow, TypeTable, NAMED_TYPES};
