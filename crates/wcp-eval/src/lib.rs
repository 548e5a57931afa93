//! wcp-eval: pure scoring of `wcp detect` output against labelled JSON Lines,
//! following the rules of `tools/score.py` (which the private evaluation
//! uses) so that `wcp eval` and the evaluation agree.
//!
//! Layout: `records` (gold and predicted rows from JSON values), `prf`
//! (counts → precision/recall/F1 with score.py's edge cases), `score` (the
//! PII, class and risk tables), `render` (the human table).
mod prf;
mod records;
mod render;
mod score;

pub use prf::{Counts, Prf};
pub use records::{Gold, Pred, Span};
pub use render::render_table;
pub use score::{evaluate, ClassTable, MixedRow, Report, TypeRow, TypeTable, NAMED_TYPES};
