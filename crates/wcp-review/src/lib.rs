//! wcp-review: everything the review console decides and stores, without HTTP.
//!
//! Layout: `chain` is the review's own hash chain with Ed25519-signed checkpoints (the
//! evidence of every disposition and access record); `db` opens the two kinds of store — a
//! region store (`review-<region>.db`: queue items, dispositions) and the console store
//! (`review-console.db`: accounts, sessions, the access audit); `items` ingests alerts and
//! samples, `queue` answers the queue query with its counts; `actions` is the disposition state machine (pure) and
//! its application; `accounts` and `sessions` sign people in; `access` is the access audit;
//! `roles` says who may do what; `mask` splits a message into highlighted / masked segments;
//! `sample` draws the reproducible sample of non-alerting business messages; `ratelimit`
//! throttles sign-in; `verify` re-checks a store's chain and projections.
pub mod access;
pub mod access_words;
pub mod accounts;
pub mod actions;
pub mod chain;
pub mod db;
pub mod error;
pub mod items;
pub mod mask;
pub mod queue;
pub mod ratelimit;
pub mod roles;
pub mod sample;
pub mod sessions;
pub mod verify;

pub use db::{ConsoleStore, RegionStore};
pub use error::ReviewError;
pub use roles::Role;
