//! wcp-stages: the pipeline's stages as pure code. One code path, two runners: the Kafka
//! services (`services/*` via `wcp-runtime`) and the in-process `wcp run`.
//!
//! Layout: `ingest` (raw bytes → event + ledger record, `seq` gaps, re-sent msgids:
//! [`ingest::IngestStep`]), `resent` (the bounded window of msgids already ingested),
//! `input` (bounds on raw input), `classify` (PII, risk and business/personal via the
//! detection crates), `consent` (ledger and [`consent::ConsentGate`]), `retention` (rules
//! table, keep_until, region), `alert` (alerts, the recall tracker, [`alert::AlertStep`]),
//! `anonymise` (the outbound record and the reduced archive form), `pipeline` (every step in
//! order, for `wcp run`), `policy` (the policy file), `key` (the tenant key's rules), `civil`
//! (calendar arithmetic without a clock), `offsets` (byte → code point), `dead_letters`
//! (a dead letter's archived, sealed form); `test_support` (feature `test-support`: the
//! services' test input records).
//! Each step that keeps state across records owns it together with its commit/abort.
//! The steps do no I/O, read no clock and never await: runners pass bytes and times in. The
//! one exception is the loader `policy::Policy::load`, which reads the policy file for runners
//! and hands its text to the pure `Policy::from_toml`.
pub mod alert;
pub mod anonymise;
pub use wcp_model::civil;
pub mod classify;
pub mod consent;
pub mod dead_letters;
pub mod ingest;
pub mod input;
pub mod key;
pub mod offsets;
pub mod pipeline;
pub mod policy;
pub mod recall;
pub mod resent;
pub mod retention;
pub mod span_map;
#[cfg(feature = "test-support")]
pub mod test_support;

pub use policy::Policy;
