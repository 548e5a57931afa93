//! Every record type survives encode → decode unchanged, in both framings.

mod common;

use std::fmt::Debug;

use wcp_schema::apache_avro::reader::datum::GenericDatumReader;
use wcp_schema::apache_avro::writer::datum::GenericDatumWriter;
use wcp_schema::{decode, decode_with, encode, encode_with, Framing, Record, RegistrySchemas};

/// The direct fast path and the generic `Value` path (apache-avro, validating against the
/// schema) write the same body and read each other's bytes.
fn same_as_generic<T: Record + PartialEq + Debug>(v: &T, body: &[u8]) {
    let writer = GenericDatumWriter::builder(T::schema()).build().unwrap();
    let generic = writer
        .write_value_ref(&mut Vec::new(), &v.to_avro())
        .map(|_| ())
        .map_err(|e| e.to_string());
    assert_eq!(generic, Ok(()), "to_avro value is valid for the schema");
    let mut bytes = Vec::new();
    writer.write_value_ref(&mut bytes, &v.to_avro()).unwrap();
    assert_eq!(bytes, body, "direct and generic bodies differ");
    let reader = GenericDatumReader::builder(T::schema()).build().unwrap();
    let value = reader.read_value(&mut &body[..]).unwrap();
    assert_eq!(&T::from_avro(value).unwrap(), v);
}

fn round_trip<T: Record + PartialEq + Debug>(values: Vec<T>) {
    assert!(!values.is_empty());
    let mut registry = RegistrySchemas::new();
    registry
        .insert(7, wcp_schema::schema_json::<T>())
        .expect("current schema registers");
    for v in values {
        let bytes = encode(&v).expect("encodes");
        assert_eq!(&bytes[..2], &[0xC3, 0x01]);
        assert_eq!(&bytes[2..10], &wcp_schema::fingerprint::<T>().to_le_bytes());
        same_as_generic(&v, &bytes[10..]);
        assert_eq!(decode::<T>(&bytes).expect("decodes"), v);
        // decode_with also reads the default framing.
        assert_eq!(decode_with::<T>(&bytes, &registry).expect("decodes"), v);

        let confluent = encode_with(&v, Framing::Confluent { schema_id: 7 }).expect("encodes");
        assert_eq!(&confluent[..5], &[0, 0, 0, 0, 7]);
        assert_eq!(&confluent[5..], &bytes[10..], "same Avro body");
        assert_eq!(decode_with::<T>(&confluent, &registry).expect("decodes"), v);
    }
}

#[test]
fn chat_event() {
    round_trip(common::chat_events());
}

#[test]
fn enriched_event() {
    round_trip(common::enriched_events());
}

#[test]
fn consent_record() {
    round_trip(common::consent_records());
}

#[test]
fn alert() {
    round_trip(common::alerts());
}

#[test]
fn anonymised_event() {
    round_trip(common::anonymised_events());
}

#[test]
fn dead_letter() {
    round_trip(common::dead_letters());
}

#[test]
fn raw_envelope() {
    round_trip(common::raw_envelopes());
}

/// Every parsable line of the shared WeCom samples round-trips as a ChatEvent and as an
/// EnrichedEvent. Skips when the development data is absent.
#[test]
fn shared_samples_round_trip() {
    let dir = concat!(env!("CARGO_MANIFEST_DIR"), "/../../../shared/data/wecom");
    let mut seen = 0;
    for file in ["samples.jsonl", "lenient.jsonl"] {
        let Ok(text) = std::fs::read(format!("{dir}/{file}")) else {
            eprintln!("skipping {file}: development data not present");
            continue;
        };
        for (i, line) in text.split(|b| *b == b'\n').enumerate() {
            let Ok(event) = wcp_model::parse_wecom(line, Some(i as u64)) else {
                continue;
            };
            let bytes = encode(&event).unwrap();
            assert_eq!(decode::<wcp_model::ChatEvent>(&bytes).unwrap(), event);
            let enriched = wcp_model::EnrichedEvent::new(event);
            let bytes = encode(&enriched).unwrap();
            assert_eq!(
                decode::<wcp_model::EnrichedEvent>(&bytes).unwrap(),
                enriched
            );
            seen += 1;
        }
    }
    eprintln!("{seen} sample events round-tripped");
}
