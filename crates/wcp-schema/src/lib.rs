//! wcp-schema: the Avro wire format of every record that crosses a topic.
//!
//! `schemas/*.avsc` is the source of truth; this crate embeds those files (and the older
//! revisions under `schemas/history/`), parses them once per process, and converts the
//! `wcp-model` types to and from Avro. See `docs/WIRE.md` for the framing and evolution rules.
//!
//! Layout: `registry` lists the embedded schema files and builds one codec per record plus a
//! fingerprint → revision map; `canonical` computes the spec's Parsing Canonical Form and
//! CRC-64-AVRO fingerprint; `framing` puts bytes around a record (single-object encoding by
//! default, Confluent framing on request) and decodes either; `direct` writes and reads the
//! current schemas straight from the model types (the fast path); `records` implements
//! [`Record`] through explicit Avro `Value` conversions (`value` holds the helpers), the
//! reference path that also reads older revisions with schema resolution; `raw` is the raw
//! envelope of `wecom.raw`; `error` is [`WireError`], every variant of which is poison for
//! the runtime (dead-letter the bytes and move on).
//!
//! ```
//! use wcp_model::ConsentRecord;
//! let rec = ConsentRecord { contact: "wmABC".into(), agreed: true, at_ms: 1_700_000_000_000, msgid: "m1".into() };
//! let bytes = wcp_schema::encode(&rec).unwrap();
//! assert_eq!(&bytes[..2], &[0xC3, 0x01]);
//! assert_eq!(wcp_schema::decode::<ConsentRecord>(&bytes).unwrap(), rec);
//! ```

mod canonical;
mod direct;
mod error;
mod framing;
mod raw;
mod records;
mod registry;
mod value;

pub use apache_avro;
pub use canonical::{canonical_form, fingerprint_of};
pub use error::{sanitize_avro, WireError};
pub use framing::{
    confluent_schema_id, decode, decode_with, encode, encode_with, Framing, RegistrySchemas,
    CONFLUENT_MAGIC, SINGLE_OBJECT_MARKER,
};
pub use raw::RawEnvelope;
pub use registry::{SchemaFile, MAX_ALLOCATION_BYTES, SCHEMA_FILES};

use apache_avro::types::Value;
use apache_avro::Schema;

/// A type with an Avro schema in `schemas/`. Implemented for every record that crosses a
/// topic; the set is closed (the `Direct` supertrait, the fast binary path, is private).
pub trait Record: direct::Direct {
    /// Record name in the schema, without the `io.wcp.v1` namespace.
    const NAME: &'static str;
    /// The current schema, parsed once per process.
    fn schema() -> &'static Schema;
    /// The record as an Avro value of [`Record::schema`].
    fn to_avro(&self) -> Value;
    /// The record from a value of the current schema (after resolution from older ones).
    fn from_avro(v: Value) -> Result<Self, WireError>;
}

/// The current schema's text, as registered in a schema registry.
pub fn schema_json<T: Record>() -> &'static str {
    registry::codec(T::NAME).json
}

/// CRC-64-AVRO fingerprint of the current schema (what single-object encoding writes).
pub fn fingerprint<T: Record>() -> u64 {
    registry::codec(T::NAME).fingerprint
}
