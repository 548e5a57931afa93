//! The schema files themselves: they parse, are documented, agree with each other, are all
//! embedded, and every revision in history stays compatible with the current one.

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value as Json;
use wcp_schema::apache_avro::schema_compatibility::SchemaCompatibility;
use wcp_schema::apache_avro::Schema;
use wcp_schema::{fingerprint_of, SCHEMA_FILES};

fn repo_root() -> &'static Path {
    Path::new(concat!(env!("CARGO_MANIFEST_DIR"), "/../.."))
}

#[test]
fn every_avsc_on_disk_parses_and_is_embedded() {
    let mut on_disk = BTreeSet::new();
    for dir in ["schemas", "schemas/history"] {
        for entry in std::fs::read_dir(repo_root().join(dir)).unwrap() {
            let path = entry.unwrap().path();
            if path.extension().is_some_and(|e| e == "avsc") {
                let text = std::fs::read_to_string(&path).unwrap();
                Schema::parse_str(&text)
                    .unwrap_or_else(|e| panic!("{} does not parse: {e}", path.display()));
                let name = path.file_name().unwrap().to_str().unwrap();
                on_disk.insert(format!("{dir}/{name}"));
            }
        }
    }
    let embedded: BTreeSet<String> = SCHEMA_FILES.iter().map(|f| f.path.to_string()).collect();
    assert_eq!(on_disk, embedded, "schemas/ and SCHEMA_FILES disagree");
    assert_eq!(SCHEMA_FILES.iter().filter(|f| f.current).count(), 7);
}

/// Walks a schema's JSON and calls `f` on every named type definition (record or enum).
fn named_types<'a>(j: &'a Json, f: &mut dyn FnMut(&'a serde_json::Map<String, Json>)) {
    match j {
        Json::Object(o) => {
            if matches!(
                o.get("type").and_then(Json::as_str),
                Some("record" | "enum")
            ) && o.contains_key("name")
            {
                f(o);
            }
            o.values().for_each(|v| named_types(v, f));
        }
        Json::Array(a) => a.iter().for_each(|v| named_types(v, f)),
        _ => {}
    }
}

#[test]
fn every_field_and_type_is_documented_and_namespaced() {
    for file in SCHEMA_FILES {
        let j: Json = serde_json::from_str(file.json).unwrap();
        assert_eq!(j["namespace"], "io.wcp.v1", "{}", file.path);
        assert_eq!(j["name"], file.record, "{}", file.path);
        named_types(&j, &mut |t| {
            let name = t["name"].as_str().unwrap();
            let doc = t.get("doc").and_then(Json::as_str).unwrap_or("");
            assert!(!doc.is_empty(), "{}: type {name} has no doc", file.path);
            for field in t
                .get("fields")
                .and_then(Json::as_array)
                .into_iter()
                .flatten()
            {
                let doc = field.get("doc").and_then(Json::as_str).unwrap_or("");
                assert!(
                    !doc.is_empty(),
                    "{}: {name}.{} has no doc",
                    file.path,
                    field["name"]
                );
            }
        });
    }
}

/// Types inlined in several files (ChatEvent in EnrichedEvent, Class, ConsentState) must be
/// identical wherever they appear in current schemas: one contract, not several that drift.
#[test]
fn shared_types_are_identical_across_current_schemas() {
    let mut seen: Vec<(String, Json, &str)> = Vec::new();
    let mut checked = 0;
    for file in SCHEMA_FILES.iter().filter(|f| f.current) {
        let j: Json = serde_json::from_str(file.json).unwrap();
        named_types(&j, &mut |t| {
            let mut t = t.clone();
            t.remove("namespace");
            let name = t["name"].as_str().unwrap().to_string();
            let t = Json::Object(t);
            match seen.iter().find(|(n, _, _)| *n == name) {
                Some((_, first, where_)) => {
                    assert_eq!(
                        first, &t,
                        "{name} differs between {where_} and {}",
                        file.path
                    );
                    checked += 1;
                }
                None => seen.push((name, t, file.path)),
            }
        });
    }
    assert!(checked >= 3, "expected shared types, found {checked}");
}

#[test]
fn history_is_fully_compatible_with_current() {
    for old in SCHEMA_FILES.iter().filter(|f| !f.current) {
        let current = SCHEMA_FILES
            .iter()
            .find(|f| f.current && f.record == old.record)
            .unwrap();
        let old_schema = Schema::parse_str(old.json).unwrap();
        let new_schema = Schema::parse_str(current.json).unwrap();
        assert_ne!(
            fingerprint_of(&old_schema),
            fingerprint_of(&new_schema),
            "{} is not a different revision",
            old.path
        );
        // Backward (new readers read old data) and forward (old readers read new data):
        // producers and consumers may upgrade in either order.
        SchemaCompatibility::mutual_read(&old_schema, &new_schema)
            .unwrap_or_else(|e| panic!("{} vs {}: {e}", old.path, current.path));
    }
}

/// The fingerprint is CRC-64-AVRO of the Parsing Canonical Form (the spec's test vector).
#[test]
fn fingerprint_matches_the_avro_spec() {
    let schema = Schema::parse_str(r#""int""#).unwrap();
    assert_eq!(fingerprint_of(&schema), 0x7275d51a3f395c8f);
}

/// Fingerprints computed by an independent implementation (Python fastavro 1.13:
/// `fingerprint(to_parsing_canonical_form(parse_schema(s)), "CRC-64-AVRO")`, as a
/// little-endian u64), so producers and consumers in other languages recognise our records.
/// History entries never change; when a current schema changes, recompute its entry (and
/// see docs/WIRE.md, "Evolving a schema").
const INDEPENDENT_FINGERPRINTS: [(&str, u64); 15] = [
    ("schemas/raw_envelope.avsc", 0x33db3c7ee13cd095),
    ("schemas/chat_event.avsc", 0x5366a27bb9b4a0fa),
    ("schemas/enriched_event.avsc", 0x17a5ebd22d268ba0),
    ("schemas/consent_record.avsc", 0xa4646fb33794eb4c),
    ("schemas/alert.avsc", 0x48d4e6db38c04993),
    ("schemas/anonymised_event.avsc", 0x8eabf65dbaafa8ff),
    ("schemas/dead_letter.avsc", 0xaf7b2446f751507c),
    ("schemas/history/raw_envelope.r1.avsc", 0x2f98d34b72d897bf),
    ("schemas/history/chat_event.r1.avsc", 0x88225f3596dc2ffb),
    ("schemas/history/enriched_event.r1.avsc", 0x135f76c03ce0ebce),
    ("schemas/history/consent_record.r1.avsc", 0x174aa14473572886),
    ("schemas/history/alert.r1.avsc", 0xea1acd174bd0767a),
    ("schemas/history/alert.r2.avsc", 0x83866cb11af29e4d),
    (
        "schemas/history/anonymised_event.r1.avsc",
        0x0087c1b3a2f3b788,
    ),
    ("schemas/history/dead_letter.r1.avsc", 0x2b2e7934c833a650),
];

#[test]
fn fingerprints_agree_with_an_independent_implementation() {
    assert_eq!(INDEPENDENT_FINGERPRINTS.len(), SCHEMA_FILES.len());
    for (path, expected) in INDEPENDENT_FINGERPRINTS {
        let file = SCHEMA_FILES.iter().find(|f| f.path == path).unwrap();
        let schema = Schema::parse_str(file.json).unwrap();
        assert_eq!(fingerprint_of(&schema), expected, "{path}");
    }
}
