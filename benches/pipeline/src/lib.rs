//! The measuring side of `benches/pipeline.sh`: what one run of a chain did to each event,
//! hop by hop, and the spread of those figures over several runs.
//!
//! Layout: `dist` (percentiles of millisecond durations), `trace` (one phase's events seen
//! on each topic of the chain → per-hop and end-to-end figures, achieved produce rate,
//! throughput), `service` (each service's batches, transactions and CPU from two scrapes),
//! `summary` (several phases' reports → the tables the bench prints, with the median and
//! min–max over runs). All pure: the Kafka and process side is the `wcp-bench-measure`
//! binary (`src/main.rs`, `src/kafka.rs`, `src/scrape.rs`).

pub mod dist;
pub mod service;
pub mod summary;
pub mod trace;

pub use dist::Dist;
pub use trace::{analyse, PhaseReport, Seen, Trace};
