//! Property tests of the Avro decoders (bytes come from the network): for arbitrary bytes,
//! framed garbage and mutated or truncated real records of every type, in both framings,
//! decoding returns a value or a typed error — never a panic — and a value it returns
//! re-encodes and decodes to itself. `PROPTEST_CASES=N` runs N cases per property instead of
//! the defaults below (docs/TESTING.md, "Property tests").

mod common;

use std::sync::OnceLock;

use proptest::prelude::*;
use wcp_model::{Alert, AnonymisedEvent, ChatEvent, ConsentRecord, DeadLetter, EnrichedEvent};
use wcp_schema::{
    decode, decode_with, encode, schema_json, RawEnvelope, Record, RegistrySchemas, WireError,
};

#[path = "../../../tests/support/proptest_config.rs"]
mod proptest_config;
use proptest_config::config;

/// Confluent ids 1..=7: one per record type (0 and 8 stay unknown).
fn registry() -> &'static RegistrySchemas {
    static R: OnceLock<RegistrySchemas> = OnceLock::new();
    R.get_or_init(new_registry)
}

fn new_registry() -> RegistrySchemas {
    let mut r = RegistrySchemas::new();
    let schemas = [
        schema_json::<RawEnvelope>(),
        schema_json::<ChatEvent>(),
        schema_json::<EnrichedEvent>(),
        schema_json::<ConsentRecord>(),
        schema_json::<Alert>(),
        schema_json::<AnonymisedEvent>(),
        schema_json::<DeadLetter>(),
    ];
    for (i, s) in schemas.iter().enumerate() {
        r.insert(i as u32 + 1, s).expect("schema parses");
    }
    r
}

/// Encoded real records of every type (single-object framing), made once.
fn samples() -> &'static [Vec<u8>] {
    static S: OnceLock<Vec<Vec<u8>>> = OnceLock::new();
    S.get_or_init(new_samples)
}

fn new_samples() -> Vec<Vec<u8>> {
    fn enc<T: Record>(v: &[T]) -> Vec<Vec<u8>> {
        v.iter()
            .map(|x| encode(x).expect("encode sample"))
            .collect()
    }
    let mut out = Vec::new();
    out.extend(enc(&common::raw_envelopes()));
    out.extend(enc(&common::chat_events()));
    out.extend(enc(&common::enriched_events()));
    out.extend(enc(&common::consent_records()));
    out.extend(enc(&common::alerts()));
    out.extend(enc(&common::anonymised_events()));
    out.extend(enc(&common::dead_letters()));
    out
}

/// Decoding `bytes` as `T` (both framings) never panics; a decoded value round-trips.
fn check<T: Record + PartialEq + std::fmt::Debug>(
    bytes: &[u8],
    registry: &RegistrySchemas,
) -> Result<(), TestCaseError> {
    let decoded = [decode::<T>(bytes), decode_with::<T>(bytes, registry)];
    for v in decoded.into_iter().flatten() {
        let again = encode(&v).map_err(|e| TestCaseError::fail(format!("re-encode: {e}")))?;
        let back: Result<T, WireError> = decode(&again);
        prop_assert_eq!(
            back.as_ref().ok(),
            Some(&v),
            "decoded value does not round-trip"
        );
    }
    Ok(())
}

fn check_all(bytes: &[u8], registry: &RegistrySchemas) -> Result<(), TestCaseError> {
    check::<RawEnvelope>(bytes, registry)?;
    check::<ChatEvent>(bytes, registry)?;
    check::<EnrichedEvent>(bytes, registry)?;
    check::<ConsentRecord>(bytes, registry)?;
    check::<Alert>(bytes, registry)?;
    check::<AnonymisedEvent>(bytes, registry)?;
    check::<DeadLetter>(bytes, registry)
}

/// A real record with a few bytes replaced, inserted or removed, or cut short.
fn mutated() -> impl Strategy<Value = Vec<u8>> {
    let n = samples().len();
    (
        0..n,
        prop::collection::vec((any::<prop::sample::Index>(), any::<u8>(), 0u8..3), 1..6),
        prop::option::of(any::<prop::sample::Index>()),
    )
        .prop_map(|(i, edits, cut)| {
            let mut b = samples()[i].clone();
            for (at, byte, op) in edits {
                if b.is_empty() {
                    b.push(byte);
                    continue;
                }
                let at = at.index(b.len());
                match op {
                    0 => b[at] = byte,
                    1 => b.insert(at, byte),
                    _ => {
                        b.remove(at);
                    }
                }
            }
            if let Some(cut) = cut {
                let len = cut.index(b.len() + 1);
                b.truncate(len);
            }
            b
        })
}

/// The Confluent frame of id 1..=7 (some unknown: 0, 8) around arbitrary body bytes.
fn confluent_garbage() -> impl Strategy<Value = Vec<u8>> {
    (0u32..9, prop::collection::vec(any::<u8>(), 0..256)).prop_map(|(id, body)| {
        let mut b = vec![0u8];
        b.extend_from_slice(&id.to_be_bytes());
        b.extend(body);
        b
    })
}

/// The single-object frame of a real schema's fingerprint around arbitrary body bytes.
fn single_object_garbage() -> impl Strategy<Value = Vec<u8>> {
    let n = samples().len();
    (0..n, prop::collection::vec(any::<u8>(), 0..256)).prop_map(|(i, body)| {
        let mut b = samples()[i][..10].to_vec();
        b.extend(body);
        b
    })
}

proptest! {
    #![proptest_config(config(1000))]

    #[test]
    fn arbitrary_bytes_never_panic(bytes in prop::collection::vec(any::<u8>(), 0..512)) {
        check_all(&bytes, registry())?;
    }

    #[test]
    fn mutated_records_never_panic(bytes in mutated()) {
        check_all(&bytes, registry())?;
    }

    #[test]
    fn framed_garbage_never_panics(a in confluent_garbage(), b in single_object_garbage()) {
        check_all(&a, registry())?;
        check_all(&b, registry())?;
    }
}
