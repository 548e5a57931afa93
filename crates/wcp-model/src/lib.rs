//! wcp-model: the WeCom event model shared by every stage. Pure: no I/O, no async, no clock
//! (but `clock`, which only runners call).
//!
//! Layout: `parse` turns raw WeCom JSON into a [`ChatEvent`] (with `lenient` for messy
//! captures and `text` for what classification reads); `event` is the canonical event;
//! `record` holds the records that cross topics after ingest (enriched event, consent
//! record, alert, anonymised event); `dead_letter` says why an input was rejected; `risk` is
//! the closed vocabulary of risk categories; `topics` names the pipeline's topics; `region` the
//! rule for residency region names; `clock` is
//! the one wall-clock read, for runners (no stage calls it).
pub mod civil;
pub mod clock;
pub mod dead_letter;
pub mod event;
pub mod lenient;
pub mod parse;
pub mod record;
pub mod region;
pub mod risk;
pub mod text;
pub mod topics;

pub use dead_letter::{DeadLetter, DeadLetterReason, OriginalEncoding};
pub use event::{Action, ChatEvent, EventKind, Participant, Role};
pub use parse::parse_wecom;
pub use record::*;
pub use risk::RiskCategory;
