//! Bad bytes give typed errors, never a panic: they come from the network.

mod common;

use wcp_model::{Alert, ConsentRecord, EnrichedEvent};
use wcp_schema::apache_avro::types::Value;
use wcp_schema::apache_avro::writer::datum::GenericDatumWriter;
use wcp_schema::{
    decode, decode_with, encode, encode_with, Framing, RawEnvelope, Record, RegistrySchemas,
    WireError,
};

fn sample() -> Vec<u8> {
    encode(&common::enriched_events()[2]).unwrap()
}

#[test]
fn bad_marker() {
    assert_eq!(
        decode::<EnrichedEvent>(b"{\"msgid\":1}"),
        Err(WireError::BadMarker)
    );
    let mut bytes = sample();
    bytes[1] = 0x02;
    assert_eq!(decode::<EnrichedEvent>(&bytes), Err(WireError::BadMarker));
    // A Confluent-framed record is not single-object encoded.
    let confluent = encode_with(&common::alerts()[0], Framing::Confluent { schema_id: 1 }).unwrap();
    assert_eq!(decode::<Alert>(&confluent), Err(WireError::BadMarker));
}

#[test]
fn unknown_fingerprint() {
    let mut bytes = sample();
    bytes[2..10].copy_from_slice(&0x0123_4567_89ab_cdefu64.to_le_bytes());
    assert_eq!(
        decode::<EnrichedEvent>(&bytes),
        Err(WireError::UnknownFingerprint(0x0123_4567_89ab_cdef))
    );
}

#[test]
fn wrong_record() {
    let bytes = encode(&common::consent_records()[0]).unwrap();
    assert_eq!(
        decode::<Alert>(&bytes),
        Err(WireError::WrongRecord {
            expected: "Alert",
            found: "ConsentRecord"
        })
    );
}

#[test]
fn every_truncation_is_an_error() {
    let bytes = sample();
    for len in 0..bytes.len() {
        let err = decode::<EnrichedEvent>(&bytes[..len]).expect_err("truncated input must fail");
        if len < 10 {
            assert_eq!(err, WireError::Truncated { len, needed: 10 });
        } else {
            assert_eq!(err, WireError::BodyTruncated { len: len - 10 });
        }
    }
}

#[test]
fn trailing_bytes() {
    let mut bytes = sample();
    bytes.extend_from_slice(&[0, 0, 0]);
    assert_eq!(
        decode::<EnrichedEvent>(&bytes),
        Err(WireError::TrailingBytes { len: 3 })
    );
}

/// A length prefix far beyond the input must be refused, not allocated: by the direct path
/// (current schema) and by the generic path (older revision, through apache-avro).
#[test]
fn huge_length_prefix() {
    // zigzag(2^40) as a varint: the payload claims a terabyte.
    let mut huge = Vec::new();
    let mut n: u64 = 1 << 41;
    while n >= 0x80 {
        huge.push((n as u8) | 0x80);
        n >>= 7;
    }
    huge.push(n as u8);

    let mut bytes = encode(&common::raw_envelopes()[1]).unwrap();
    bytes.truncate(10);
    bytes.extend_from_slice(&huge);
    assert_eq!(
        decode::<RawEnvelope>(&bytes),
        Err(WireError::BodyTruncated { len: huge.len() })
    );

    let r1 = wcp_schema::SCHEMA_FILES
        .iter()
        .find(|f| !f.current && f.record == "RawEnvelope")
        .unwrap();
    let r1 = wcp_schema::apache_avro::Schema::parse_str(r1.json).unwrap();
    let mut bytes = vec![0xC3, 0x01];
    bytes.extend_from_slice(&wcp_schema::fingerprint_of(&r1).to_le_bytes());
    bytes.extend_from_slice(&huge);
    let err = decode::<RawEnvelope>(&bytes).unwrap_err();
    assert!(
        matches!(err, WireError::Avro(ref m) if m.contains("allocat")),
        "{err:?}"
    );
}

/// Corrupted bodies decode to something or fail with a typed error; they never panic and
/// never print content.
#[test]
fn corrupted_bodies_never_panic() {
    let original = sample();
    let mut state: u64 = 0x9e37_79b9_7f4a_7c15;
    let mut next = || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut failures = 0;
    for _ in 0..3000 {
        let mut bytes = original.clone();
        for _ in 0..(next() % 4 + 1) {
            let at = 10 + (next() as usize) % (bytes.len() - 10);
            bytes[at] = next() as u8;
        }
        if let Err(e) = decode::<EnrichedEvent>(&bytes) {
            failures += 1;
            let msg = e.to_string();
            assert!(!msg.contains("保本"), "error leaks content: {msg}");
        }
    }
    assert!(failures > 0, "corruption was never detected");
}

/// A value the schema allows but the model does not (a recall without `pre_msgid`).
#[test]
fn shape_error_names_record_and_field() {
    let event = common::chat_events().remove(1);
    let Value::Record(mut fields) = event.to_avro() else {
        panic!("a record")
    };
    let kind = fields.iter_mut().find(|(n, _)| n == "kind").unwrap();
    let Value::Record(kind_fields) = &mut kind.1 else {
        panic!("a record")
    };
    kind_fields[1].1 = Value::Union(0, Box::new(Value::Null));
    let value = Value::Record(fields);
    let expected = WireError::Shape {
        record: "EventKind",
        field: "pre_msgid",
        problem: "required for `recall`".into(),
    };
    // Generic path.
    assert_eq!(
        wcp_model::ChatEvent::from_avro(value.clone()).unwrap_err(),
        expected
    );
    // Direct path, from bytes the schema accepts.
    let writer = GenericDatumWriter::builder(wcp_model::ChatEvent::schema())
        .build()
        .unwrap();
    let mut bytes = vec![0xC3, 0x01];
    bytes.extend_from_slice(&wcp_schema::fingerprint::<wcp_model::ChatEvent>().to_le_bytes());
    writer.write_value_ref(&mut bytes, &value).unwrap();
    assert_eq!(decode::<wcp_model::ChatEvent>(&bytes), Err(expected));
}

#[test]
fn bad_primitive_is_a_shape_error() {
    let mut bytes = encode(&common::consent_records()[0]).unwrap();
    let at = 10 + 1 + common::consent_records()[0].contact.len();
    assert_eq!(bytes[at], 1, "the `agreed` byte");
    bytes[at] = 2;
    assert_eq!(
        decode::<ConsentRecord>(&bytes),
        Err(WireError::Shape {
            record: "ConsentRecord",
            field: "agreed",
            problem: "boolean byte 2".into()
        })
    );
}

#[test]
fn confluent_errors() {
    let rec = common::consent_records().remove(0);
    let bytes = encode_with(&rec, Framing::Confluent { schema_id: 42 }).unwrap();
    let mut registry = RegistrySchemas::new();
    assert_eq!(wcp_schema::confluent_schema_id(&bytes), Some(42));
    assert_eq!(
        decode_with::<ConsentRecord>(&bytes, &registry),
        Err(WireError::UnknownSchemaId(42))
    );
    assert_eq!(
        decode_with::<ConsentRecord>(&bytes[..3], &registry),
        Err(WireError::Truncated { len: 3, needed: 5 })
    );
    assert!(matches!(
        registry.insert(42, "{not json"),
        Err(WireError::Avro(_))
    ));
    registry
        .insert(42, wcp_schema::schema_json::<ConsentRecord>())
        .unwrap();
    assert!(registry.contains(42));
    assert_eq!(decode_with::<ConsentRecord>(&bytes, &registry), Ok(rec));
    assert!(matches!(
        decode_with::<Alert>(&bytes, &registry),
        Err(WireError::WrongRecord { .. })
    ));
}

/// A writer schema this build does not ship (a newer producer added a field) still decodes
/// through the registry: the unknown field is skipped.
#[test]
fn confluent_foreign_writer_schema() {
    let newer = wcp_schema::schema_json::<ConsentRecord>().replacen(
        r#""fields": ["#,
        r#""fields": [{"name": "channel", "type": "string", "default": "", "doc": "new"},"#,
        1,
    );
    assert_ne!(newer, wcp_schema::schema_json::<ConsentRecord>());
    let mut registry = RegistrySchemas::new();
    registry.insert(9, &newer).unwrap();
    let mut bytes = vec![0, 0, 0, 0, 9, 0x04, b'w', b'x'];
    bytes.extend_from_slice(&[0x06, b'w', b'm', b'1', 0x00, 0x04, 0x02, b'm']);
    assert_eq!(
        decode_with::<ConsentRecord>(&bytes, &registry),
        Ok(ConsentRecord {
            contact: "wm1".into(),
            agreed: false,
            at_ms: 2,
            msgid: "m".into()
        })
    );
}
