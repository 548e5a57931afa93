//! wcp-stages: the pipeline's stages as pure code. One code path, two runners: the Kafka
//! services (`services/*` via `wcp-runtime`) and the in-process `wcp run`.
//!
//! Layout: `ingest` (raw bytes → event + ledger record, `seq` gaps), `consent` (ledger and
//! gate), `retention` (rules table, keep_until, region), `alert` (alerts and the recall
//! tracker), `policy` (the policy file), `civil` (calendar arithmetic without a clock).
//! Nothing here does I/O, reads the clock or awaits.
pub mod alert;
pub mod civil;
pub mod consent;
pub mod ingest;
pub mod policy;
pub mod retention;

pub use policy::Policy;
