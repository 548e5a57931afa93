//! Schema evolution: data written with an earlier revision (schemas/history/*.rN.avsc)
//! decodes with the current reader, the fields added since taking their defaults; and data
//! written now stays readable by a consumer still on an earlier revision.

mod common;

use std::fmt::Debug;

use wcp_model::*;
use wcp_schema::apache_avro::reader::datum::GenericDatumReader;
use wcp_schema::apache_avro::schema::Schema;
use wcp_schema::apache_avro::types::Value;
use wcp_schema::apache_avro::writer::datum::GenericDatumWriter;
use wcp_schema::{decode, fingerprint_of, RawEnvelope, Record, SCHEMA_FILES};

/// Revision `rev` of `T`, from schemas/history.
fn previous<T: Record>(rev: u32) -> Schema {
    let suffix = format!(".r{rev}.avsc");
    let file = SCHEMA_FILES
        .iter()
        .find(|f| !f.current && f.record == T::NAME && f.path.ends_with(&suffix))
        .expect("the revision is kept");
    Schema::parse_str(file.json).unwrap()
}

/// Keeps only the fields the older `schema` has, so the value is what an old writer would
/// have produced. Named references are returned unchanged: no referenced type changed
/// between revisions.
fn project(v: Value, schema: &Schema) -> Value {
    match (v, schema) {
        (Value::Record(fields), Schema::Record(rs)) => Value::Record(
            rs.fields
                .iter()
                .map(|f| {
                    let (name, v) = fields.iter().find(|(n, _)| *n == f.name).unwrap().clone();
                    (name, project(v, &f.schema))
                })
                .collect(),
        ),
        (Value::Array(items), Schema::Array(a)) => {
            Value::Array(items.into_iter().map(|v| project(v, &a.items)).collect())
        }
        (Value::Union(i, v), Schema::Union(u)) => {
            let branch = &u.variants()[i as usize];
            Value::Union(i, Box::new(project(*v, branch)))
        }
        (v, _) => v,
    }
}

/// Writes `rec` as an r`rev` producer would have, single-object framed with its fingerprint.
fn write_previous<T: Record>(rev: u32, rec: &T) -> Vec<u8> {
    let old = previous::<T>(rev);
    let value = project(rec.to_avro(), &old);
    let writer = GenericDatumWriter::builder(&old).build().unwrap();
    let mut out = vec![0xC3, 0x01];
    out.extend_from_slice(&fingerprint_of(&old).to_le_bytes());
    writer
        .write_value_ref(&mut out, &value)
        .expect("valid r1 value");
    out
}

/// r`rev` data read by today's reader equals the record with the newer fields at their defaults.
fn reads_previous<T: Record + PartialEq + Debug>(rev: u32, values: Vec<T>, defaults: fn(T) -> T) {
    for v in values {
        let bytes = write_previous(rev, &v);
        assert_ne!(
            bytes,
            wcp_schema::encode(&v).unwrap(),
            "old bytes differ from today's"
        );
        assert_eq!(decode::<T>(&bytes).expect("old data decodes"), defaults(v));
    }
}

/// Today's data read by a consumer still on r`rev` (Avro resolution drops the new fields).
fn old_reader_reads_current<T: Record>(rev: u32, values: Vec<T>) {
    let old = previous::<T>(rev);
    let reader = GenericDatumReader::builder(T::schema())
        .reader_schema(&old)
        .build()
        .unwrap();
    for v in values {
        let bytes = wcp_schema::encode(&v).unwrap();
        let value = reader
            .read_value(&mut &bytes[10..])
            .expect("r1 reader reads r2 data");
        assert!(value.validate(&old));
    }
}

#[test]
fn raw_envelope_r1() {
    reads_previous(1, common::raw_envelopes(), |r| RawEnvelope {
        publickey_ver: None,
        ..r
    });
    old_reader_reads_current(1, common::raw_envelopes());
}

#[test]
fn chat_event_r1() {
    reads_previous(1, common::chat_events(), |e| ChatEvent { seq: None, ..e });
    old_reader_reads_current(1, common::chat_events());
}

#[test]
fn enriched_event_r1() {
    reads_previous(1, common::enriched_events(), |e| EnrichedEvent {
        event: ChatEvent {
            seq: None,
            ..e.event
        },
        retention: None,
        ..e
    });
    old_reader_reads_current(1, common::enriched_events());
}

#[test]
fn consent_record_r1() {
    reads_previous(1, common::consent_records(), |c| ConsentRecord {
        msgid: String::new(),
        ..c
    });
    old_reader_reads_current(1, common::consent_records());
}

#[test]
fn alert_r1() {
    reads_previous(1, common::alerts(), |a| Alert {
        evidence: vec![],
        region: None,
        ..a
    });
    old_reader_reads_current(1, common::alerts());
}

/// Issue 15 D9: alerts written before the alerter said the message's region read as
/// region-less, which the review console routes as before (look the message up).
#[test]
fn alert_r2() {
    reads_previous(2, common::alerts(), |a| Alert { region: None, ..a });
    old_reader_reads_current(2, common::alerts());
}

#[test]
fn anonymised_event_r1() {
    reads_previous(1, common::anonymised_events(), |a| AnonymisedEvent {
        pii_types: vec![],
        region: None,
        ..a
    });
    old_reader_reads_current(1, common::anonymised_events());
}

#[test]
fn dead_letter_r1() {
    reads_previous(1, common::dead_letters(), |d| DeadLetter {
        stage: "unknown".into(),
        ..d
    });
    old_reader_reads_current(1, common::dead_letters());
}

/// The same, from bytes written by hand from the spec, so the test does not only check the
/// library against itself: r1 ConsentRecord {contact "wm1", agreed true, at_ms 1}.
#[test]
fn hand_written_r1_bytes() {
    let mut bytes = vec![0xC3, 0x01];
    bytes.extend_from_slice(&fingerprint_of(&previous::<ConsentRecord>(1)).to_le_bytes());
    bytes.extend_from_slice(&[0x06, b'w', b'm', b'1', 0x01, 0x02]);
    let rec = decode::<ConsentRecord>(&bytes).unwrap();
    assert_eq!(
        rec,
        ConsentRecord {
            contact: "wm1".into(),
            agreed: true,
            at_ms: 1,
            msgid: String::new()
        }
    );
}

/// Under Confluent framing the writer schema comes from the registry by id; an id that holds
/// the previous revision is read with resolution, like its fingerprint is.
#[test]
fn confluent_id_of_previous_revision() {
    let rec = common::alerts().remove(0);
    let single_object = write_previous(1, &rec);
    let mut bytes = vec![0, 0, 0, 0, 3];
    bytes.extend_from_slice(&single_object[10..]);
    let r1 = SCHEMA_FILES
        .iter()
        .find(|f| f.path == "schemas/history/alert.r1.avsc")
        .unwrap();
    let mut registry = wcp_schema::RegistrySchemas::new();
    registry.insert(3, r1.json).unwrap();
    assert_eq!(
        wcp_schema::decode_with::<Alert>(&bytes, &registry),
        Ok(Alert {
            evidence: vec![],
            region: None,
            ..rec
        })
    );
}
