//! Byte framings around one Avro-binary record.
//!
//! - Single-object encoding (Avro spec, our default): `C3 01`, the writer schema's 8-byte
//!   CRC-64-AVRO fingerprint (little-endian), the Avro binary body.
//! - Confluent Schema Registry framing: `00`, the registry's 4-byte schema id (big-endian),
//!   the Avro binary body. The id → writer schema lookup is supplied by the caller
//!   ([`RegistrySchemas`]); this crate does no HTTP.

use std::collections::HashMap;

use apache_avro::reader::datum::GenericDatumReader;
use apache_avro::Schema;

use crate::canonical::fingerprint_of;
use crate::direct::{In, Out};
use crate::registry::{codec, revision, Revision};
use crate::{Record, WireError};

/// First two bytes of every single-object encoded record.
pub const SINGLE_OBJECT_MARKER: [u8; 2] = [0xC3, 0x01];
const SINGLE_OBJECT_HEADER: usize = 10;
/// First byte of every Confluent-framed record.
pub const CONFLUENT_MAGIC: u8 = 0x00;
const CONFLUENT_HEADER: usize = 5;

/// How [`encode_with`] frames a record.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Framing {
    /// Avro single-object encoding (self-describing by fingerprint; the default).
    SingleObject,
    /// Confluent wire format; `schema_id` is the registry's id of this record's current
    /// schema (register [`crate::schema_json`] under the topic's subject first).
    Confluent { schema_id: u32 },
}

/// Encodes with single-object framing: `C3 01` + fingerprint (LE) + Avro binary.
pub fn encode<T: Record>(rec: &T) -> Result<Vec<u8>, WireError> {
    encode_with(rec, Framing::SingleObject)
}

pub fn encode_with<T: Record>(rec: &T, framing: Framing) -> Result<Vec<u8>, WireError> {
    let mut out = Out(Vec::with_capacity(256));
    match framing {
        Framing::SingleObject => {
            out.0.extend_from_slice(&SINGLE_OBJECT_MARKER);
            out.0
                .extend_from_slice(&codec(T::NAME).fingerprint.to_le_bytes());
        }
        Framing::Confluent { schema_id } => {
            out.0.push(CONFLUENT_MAGIC);
            out.0.extend_from_slice(&schema_id.to_be_bytes());
        }
    }
    // The direct path; tests prove it writes the same bytes as the generic `to_avro` path.
    rec.write(&mut out);
    Ok(out.0)
}

/// Decodes a single-object encoded record written with the current or any older revision of
/// `T`'s schema (resolved into the current one).
pub fn decode<T: Record>(bytes: &[u8]) -> Result<T, WireError> {
    let marker_len = bytes.len().min(2);
    if bytes[..marker_len] != SINGLE_OBJECT_MARKER[..marker_len] {
        return Err(WireError::BadMarker);
    }
    if bytes.len() < SINGLE_OBJECT_HEADER {
        return Err(WireError::Truncated {
            len: bytes.len(),
            needed: SINGLE_OBJECT_HEADER,
        });
    }
    let mut le = [0u8; 8];
    le.copy_from_slice(&bytes[2..SINGLE_OBJECT_HEADER]);
    let fingerprint = u64::from_le_bytes(le);
    let rev = revision(fingerprint).ok_or(WireError::UnknownFingerprint(fingerprint))?;
    read_known::<T>(rev, &bytes[SINGLE_OBJECT_HEADER..])
}

/// The schema id of a Confluent-framed record, to fetch from the registry before
/// [`decode_with`] when [`RegistrySchemas::contains`] says it is missing.
pub fn confluent_schema_id(bytes: &[u8]) -> Option<u32> {
    if bytes.len() < CONFLUENT_HEADER || bytes[0] != CONFLUENT_MAGIC {
        return None;
    }
    Some(u32::from_be_bytes([bytes[1], bytes[2], bytes[3], bytes[4]]))
}

/// Decodes either framing, told apart by the first byte, so a topic can move from one to the
/// other without a flag day.
pub fn decode_with<T: Record>(bytes: &[u8], registry: &RegistrySchemas) -> Result<T, WireError> {
    match bytes.first() {
        Some(&CONFLUENT_MAGIC) => {}
        Some(_) => return decode(bytes),
        None => {
            return Err(WireError::Truncated {
                len: 0,
                needed: CONFLUENT_HEADER,
            })
        }
    }
    let id = confluent_schema_id(bytes).ok_or(WireError::Truncated {
        len: bytes.len(),
        needed: CONFLUENT_HEADER,
    })?;
    let body = &bytes[CONFLUENT_HEADER..];
    match registry.by_id.get(&id) {
        None => Err(WireError::UnknownSchemaId(id)),
        Some(WriterSchema::Known(rev)) => read_known::<T>(rev, body),
        Some(WriterSchema::Foreign(schema)) => {
            // Slow path: a writer schema this build does not ship (e.g. written by a newer
            // release). Built per call; a mixed-version period is short.
            let reader = GenericDatumReader::builder(schema)
                .reader_schema(T::schema())
                .build()?;
            read_body(&reader, body)
        }
    }
}

fn read_known<T: Record>(rev: &Revision, body: &[u8]) -> Result<T, WireError> {
    if rev.record != T::NAME {
        return Err(WireError::WrongRecord {
            expected: T::NAME,
            found: rev.record,
        });
    }
    if !rev.current {
        return read_body(&rev.reader, body);
    }
    let mut input = In::new(body);
    let rec = T::read(&mut input)?;
    input.finish()?;
    Ok(rec)
}

/// The generic path: Avro `Value`s with schema resolution, for older and foreign writers.
fn read_body<T: Record>(reader: &GenericDatumReader<'_>, body: &[u8]) -> Result<T, WireError> {
    let mut input = EofGuard {
        rest: body,
        hit_eof: false,
    };
    let value = reader.read_value(&mut input);
    if input.hit_eof {
        return Err(WireError::BodyTruncated { len: body.len() });
    }
    if !input.rest.is_empty() {
        return Err(WireError::TrailingBytes {
            len: input.rest.len(),
        });
    }
    T::from_avro(value?)
}

/// Remembers whether the decoder tried to read past the end of the body. Avro binary is
/// self-delimiting, so a complete record never does; and apache-avro reads end-of-input at a
/// union index as `null`, which would turn a record cut before its trailing optional fields
/// into a valid-looking one with those fields silently empty.
struct EofGuard<'a> {
    rest: &'a [u8],
    hit_eof: bool,
}

impl std::io::Read for EofGuard<'_> {
    fn read(&mut self, buf: &mut [u8]) -> std::io::Result<usize> {
        if buf.len() > self.rest.len() {
            self.hit_eof = true;
        }
        self.rest.read(buf)
    }
}

/// Writer schemas by Confluent registry id, filled by the caller from the registry
/// (`GET /schemas/ids/{id}`). Schemas equal to one this build ships reuse its prepared
/// reader; others are kept parsed.
#[derive(Default)]
pub struct RegistrySchemas {
    by_id: HashMap<u32, WriterSchema>,
}

enum WriterSchema {
    Known(&'static Revision),
    Foreign(Schema),
}

impl RegistrySchemas {
    pub fn new() -> Self {
        Self::default()
    }

    /// Adds the schema text the registry returned for `id`.
    pub fn insert(&mut self, id: u32, schema_json: &str) -> Result<(), WireError> {
        let schema = Schema::parse_str(schema_json)?;
        let writer = match revision(fingerprint_of(&schema)) {
            Some(rev) => WriterSchema::Known(rev),
            None => WriterSchema::Foreign(schema),
        };
        self.by_id.insert(id, writer);
        Ok(())
    }

    pub fn contains(&self, id: u32) -> bool {
        self.by_id.contains_key(&id)
    }
}
