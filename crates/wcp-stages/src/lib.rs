//! wcp-stages: the pipeline's stages as pure code. One code path, two runners: the Kafka
//! services (`services/*` via `wcp-runtime`) and the in-process `wcp run`.
//!
//! Layout: `ingest` (raw bytes → event + ledger record, `seq` gaps), `classify` (PII, risk
//! and business/personal via the detection crates), `consent` (ledger and gate),
//! `retention` (rules table, keep_until, region), `alert` (alerts and the recall tracker),
//! `anonymise` (the outbound record and the reduced archive form), `policy` (the policy
//! file), `civil` (calendar arithmetic without a clock), `offsets` (byte → code point).
//! Nothing here does I/O, reads the clock or awaits.
pub mod alert;
pub mod anonymise;
pub mod civil;
pub mod classify;
pub mod consent;
pub mod ingest;
pub mod offsets;
pub mod pipeline;
pub mod policy;
pub mod retention;

pub use policy::Policy;
