//! wcp-archive: the tamper-evident, searchable archive behind the `archiver` service and
//! `wcp archive …` (one SQLite database per residency region, WAL mode).
//!
//! Layout: `schema` creates the tables (`migrate` upgrades older ones); `chain` is the hash
//! chain and its Ed25519-signed checkpoints (the evidence); `stored` is a record body and
//! what readers get back; `project` derives every other table (the projections) from the
//! records, for writers and for `rebuild`; `verify` re-checks the chain and every projection
//! and says what is wrong in words; `ingest` writes a batch (rows + records + Kafka offsets in
//! one transaction, idempotent on msgid, recall reconciliation; `id_tokens` are its
//! conversation/participant index terms); `checkpointer` moves WAL checkpoints off the
//! writer's thread; `query` searches the projections; `evidence` selects over the records
//! (exports); `hold` places and releases legal holds; `expire` removes due content under the
//! two-person rule, each removal a disposition record (`disposal`); `quarantine` seals,
//! releases and purges content held back for consent
//! (`seal` is the envelope); `audit` chains every read and change (`access` is the readers'
//! log); `settings`, `rotation`, `anchor` are archive settings, key rotation and published
//! heads; `regions` names files and keys per region; `at_rest` opens every file, encrypted when
//! a key is configured; `keys` loads keys; `time` formats
//! RFC 3339; `export` writes RSMF 2.0 and EML. `archive` ties them together as [`Archive`].
//!
//! Read-only API (the review console's): [`Archive::open_read_only`] with the public key,
//! then [`Archive::search`] (audited through the access log), [`query::matching_seqs`] and
//! [`query::load`] on [`Archive::connection`], [`Archive::list_holds`],
//! [`Archive::audit_records`], [`Archive::verify_with`].
pub mod access;
mod access_check;
pub mod anchor;
pub mod approvals;
mod archive;
pub mod at_rest;
pub mod audit;
pub mod chain;
pub mod checkpointer;
pub mod clock_rule;
mod crosscheck;
pub mod dates;
pub mod disposal;
pub mod error;
pub mod evidence;
pub mod expire;
pub mod export;
pub mod fate;
pub mod hold;
mod id_tokens;
pub mod ingest;
pub mod keys;
mod migrate;
pub mod probe;
pub mod project;
pub mod quarantine;
pub mod query;
pub mod readiness;
pub mod rebuild;
pub mod regions;
pub mod rekey;
pub mod review_query;
pub mod rotation;
mod schema;
pub mod seal;
pub mod settings;
pub mod storage;
pub mod stored;
pub mod time;
pub mod verify;
pub mod wal_copy;

pub use archive::{Archive, ArchiveOptions};
pub use error::ArchiveError;
pub use expire::{
    Approval, DueRecord, ExpireReport, ExpireRequest, ExpiryPlan, KeptBy, KeptRecord,
};
pub use export::case::ExportCase;
pub use export::{Counts, EmlGrouping, ExportOptions, ExportReport};
pub use hold::{Hold, HoldRequest, HoldScope};
pub use ingest::{InsertReport, SourceOffset};
pub use query::Query;
pub use regions::{KeySource, Regions};
pub use stored::{ArchivedMessage, StoredMessage};
pub use verify::{Problem, ProblemKind, VerifyReport};
