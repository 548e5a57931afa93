//! wcp-runtime: what every wcp service shares — typed configuration, the Kafka
//! consume → stage → produce loop with transactions, the ops server and metrics, logs and
//! trace propagation, and signal handling.
//!
//! Layout: `config` (file + env + args, all errors at once), `error` (one error enum,
//! classified transient/poison/fatal), `kafka` (librdkafka settings, consumer context),
//! `record` (owned records and the [`Stage`] trait), `codec` (Avro records in and out,
//! dead letters, policy and key loading), `txloop` (the transactional loop), `txproducer` (producer
//! start and re-creation after a broker restart), `deadline` (a watchdog for librdkafka calls
//! that ignore their timeout), `batch` (polling a batch, next offsets, rewind), `reader` (whole-topic state rebuild),
//! `metrics` (the `docs/METRICS.md` vocabulary), `ops` (`/healthz`, `/readyz`, `/metrics`),
//! `shutdown` (shutdown/readiness flags, signals), `telemetry` (logs, `traceparent`),
//! `app` (process scaffolding used by each service's `main`), `lag` (consumer-group lag read
//! from the broker), `local` (consuming with offsets kept in a local store: archiver, review; `commit_sync` keeps
//! the group's informational commits level with that store), `authz` (an authorization failure said with the principal, the resource
//! and the fix), `private_files` (umask 077: what wcp creates is its owner's only), `brokers` (is any Kafka broker up: readiness; a non-Kafka reply named), `lograte`
//! (librdkafka's repeated messages during an outage counted, not logged), `client_ctx` (the
//! rate-limited context of every other client: readers, admin reads, plain producers).

pub mod app;
pub mod authz;
pub mod batch;
pub mod brokers;
pub mod client_ctx;
pub mod codec;
pub mod commit_sync;
pub mod config;
pub mod config_source;
pub mod deadline;
pub mod error;
pub mod kafka;
pub mod kafka_props;
pub mod kafka_values;
pub mod lag;
pub mod local;
pub mod lograte;
pub mod metrics;
pub mod mismatch;
pub mod ops;
pub mod preflight;
pub mod private_files;
pub mod reader;
pub mod record;
pub mod shutdown;
pub mod stage_settings;
pub mod telemetry;
pub mod txloop;
pub mod txproducer;

pub use app::App;
pub use config::{Config, NoSettings, PolicySettings, Settings};
pub use error::{ErrorClass, RuntimeError};
pub use metrics::Metrics;
pub use record::{InRecord, OutRecord, Stage};
pub use shutdown::RunCtx;
pub use stage_settings::PolicyKeySettings;
