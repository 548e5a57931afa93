//! Every schema file, parsed once per process, and the codecs built from them.
//!
//! A codec per record holds the current schema (what we write) and one reader per known
//! revision, keyed by CRC-64-AVRO fingerprint over the whole process: decoding looks the
//! fingerprint up, checks it is a revision of the expected record, and resolves data written
//! with an old revision into the current schema.

use std::collections::HashMap;
use std::sync::LazyLock;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::Schema;

use crate::canonical::fingerprint_of;

/// One `.avsc` file embedded in the binary.
#[derive(Debug, Clone, Copy)]
pub struct SchemaFile {
    /// Record name (without the `io.wcp.v1` namespace), as in [`crate::Record::NAME`].
    pub record: &'static str,
    /// Path from the repository root.
    pub path: &'static str,
    pub json: &'static str,
    /// True for the revision this build writes; false for history kept for reading.
    pub current: bool,
}

macro_rules! file {
    ($record:literal, $path:literal, $current:expr) => {
        SchemaFile {
            record: $record,
            path: $path,
            json: include_str!(concat!("../../../", $path)),
            current: $current,
        }
    };
}

/// Every schema this build knows: the current revision of each record, then history.
/// Evolving a record = copy its file to `schemas/history/<name>.rN.avsc`, add it here, edit
/// the current file compatibly (docs/WIRE.md).
pub const SCHEMA_FILES: &[SchemaFile] = &[
    file!("RawEnvelope", "schemas/raw_envelope.avsc", true),
    file!("ChatEvent", "schemas/chat_event.avsc", true),
    file!("EnrichedEvent", "schemas/enriched_event.avsc", true),
    file!("ConsentRecord", "schemas/consent_record.avsc", true),
    file!("Alert", "schemas/alert.avsc", true),
    file!("AnonymisedEvent", "schemas/anonymised_event.avsc", true),
    file!("DeadLetter", "schemas/dead_letter.avsc", true),
    file!("RawEnvelope", "schemas/history/raw_envelope.r1.avsc", false),
    file!("ChatEvent", "schemas/history/chat_event.r1.avsc", false),
    file!(
        "EnrichedEvent",
        "schemas/history/enriched_event.r1.avsc",
        false
    ),
    file!(
        "ConsentRecord",
        "schemas/history/consent_record.r1.avsc",
        false
    ),
    file!("Alert", "schemas/history/alert.r1.avsc", false),
    file!("Alert", "schemas/history/alert.r2.avsc", false),
    file!(
        "AnonymisedEvent",
        "schemas/history/anonymised_event.r1.avsc",
        false
    ),
    file!("DeadLetter", "schemas/history/dead_letter.r1.avsc", false),
];

/// The current schema of one record.
pub(crate) struct Codec {
    pub name: &'static str,
    pub schema: &'static Schema,
    pub json: &'static str,
    pub fingerprint: u64,
}

/// A known writer schema (any revision) and how to read it into the current schema.
pub(crate) struct Revision {
    pub record: &'static str,
    /// The current revision is read by the direct path; `reader` serves older ones.
    pub current: bool,
    pub reader: GenericDatumReader<'static>,
}

struct Registry {
    codecs: Vec<Codec>,
    by_fingerprint: HashMap<u64, Revision>,
}

static REGISTRY: LazyLock<Registry> = LazyLock::new(build);

/// Parses a file for the registry. Schemas are embedded at compile time and every one is
/// parsed by the test suite, so failure here is a build defect, not an input error.
fn parse_static(file: &SchemaFile) -> &'static Schema {
    let schema = Schema::parse_str(file.json)
        .unwrap_or_else(|e| panic!("embedded schema {} does not parse: {e}", file.path));
    // Leaked once per file per process: the registry lives as long as the process and the
    // datum readers/writers borrow their schemas.
    Box::leak(Box::new(schema))
}

/// Largest single allocation (one string, byte array or array of values) the Avro decoder may
/// make. A corrupt length prefix otherwise makes the decoder reserve up to the library's
/// 512 MiB default before it notices the input is short. 16 MiB is far above any WeCom
/// message (files travel as `sdkfileid` references, not content) and Kafka's 1 MB default.
pub const MAX_ALLOCATION_BYTES: usize = 16 * 1024 * 1024;

fn build() -> Registry {
    // Process-wide and set-once in apache-avro: the first caller wins, which is this
    // registry as long as no other code decodes Avro before the first wcp record.
    apache_avro::util::max_allocation_bytes(MAX_ALLOCATION_BYTES);
    let mut codecs = Vec::new();
    let mut by_fingerprint = HashMap::new();
    for file in SCHEMA_FILES.iter().filter(|f| f.current) {
        let schema = parse_static(file);
        let fingerprint = fingerprint_of(schema);
        let reader = GenericDatumReader::builder(schema)
            .build()
            .unwrap_or_else(|e| panic!("schema {}: {e}", file.path));
        let old = by_fingerprint.insert(
            fingerprint,
            Revision {
                record: file.record,
                current: true,
                reader,
            },
        );
        assert!(old.is_none(), "duplicate schema fingerprint: {}", file.path);
        codecs.push(Codec {
            name: file.record,
            schema,
            json: file.json,
            fingerprint,
        });
    }
    for file in SCHEMA_FILES.iter().filter(|f| !f.current) {
        let writer_schema = parse_static(file);
        let current = codecs
            .iter()
            .find(|c| c.name == file.record)
            .unwrap_or_else(|| panic!("history file {} names an unknown record", file.path));
        let reader = GenericDatumReader::builder(writer_schema)
            .reader_schema(current.schema)
            .build()
            .unwrap_or_else(|e| panic!("schema {}: {e}", file.path));
        let old = by_fingerprint.insert(
            fingerprint_of(writer_schema),
            Revision {
                record: file.record,
                current: false,
                reader,
            },
        );
        assert!(old.is_none(), "duplicate schema fingerprint: {}", file.path);
    }
    Registry {
        codecs,
        by_fingerprint,
    }
}

/// The codec of a record by name; names come from `Record::NAME`, all of which are registered.
pub(crate) fn codec(name: &str) -> &'static Codec {
    REGISTRY
        .codecs
        .iter()
        .find(|c| c.name == name)
        .unwrap_or_else(|| panic!("record {name} has no schema in SCHEMA_FILES"))
}

/// The revision a fingerprint belongs to, if any.
pub(crate) fn revision(fingerprint: u64) -> Option<&'static Revision> {
    REGISTRY.by_fingerprint.get(&fingerprint)
}
