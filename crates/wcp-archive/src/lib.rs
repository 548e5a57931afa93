//! wcp-archive: the tamper-evident, searchable archive behind the `archiver` service and
//! `wcp archive …` (one SQLite database per residency region, WAL mode).
//!
//! Layout: `schema` creates the tables (`migrate` upgrades older ones); `chain` is the hash chain and its Ed25519-signed
//! checkpoints (the evidence); `stored` is a record body and what readers get back;
//! `checkpointer` moves WAL checkpoints off the writer's thread; `ingest` writes a batch (rows + records + Kafka offsets in one transaction, idempotent
//! on msgid, recall reconciliation; `id_tokens` are its conversation/participant index
//! terms); `verify` re-checks chain and checkpoints; `query`
//! searches the projections (FTS5 trigram for Chinese and English); `hold` places and
//! releases legal holds and expires records behind chained tombstones; `audit` chains every
//! read and change; `export` writes RSMF 2.0 and EML; `keys` loads signing keys; `time`
//! formats RFC 3339. `archive` ties them together as [`Archive`].
mod archive;
pub mod audit;
pub mod chain;
pub mod checkpointer;
pub mod error;
pub mod export;
pub mod hold;
mod id_tokens;
pub mod ingest;
pub mod keys;
mod migrate;
pub mod query;
pub mod review_query;
mod schema;
pub mod stored;
pub mod time;
pub mod verify;

pub use archive::{Archive, ArchiveOptions};
pub use error::ArchiveError;
pub use export::{EmlGrouping, ExportReport};
pub use hold::{ExpireReport, Hold, HoldRequest, HoldScope};
pub use ingest::{InsertReport, SourceOffset};
pub use query::Query;
pub use stored::{ArchivedMessage, StoredMessage};
pub use verify::{Problem, ProblemKind, VerifyReport};
