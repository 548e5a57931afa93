//! Parsing Canonical Form and the CRC-64-AVRO fingerprint, written from the Avro spec.
//!
//! Why not `Schema::fingerprint::<Rabin>()`: apache-avro 0.22 writes a logical type as
//! `{"type":"long"}` in the canonical form instead of `"long"` (spec rule [PRIMITIVES]), so its
//! fingerprint of any schema with a `timestamp-millis` field differs from Java's
//! `SchemaNormalization.parsingFingerprint64` and Python's fastavro, and their single-object
//! readers would not recognise our records. Tests pin our fingerprints to fastavro's.

use apache_avro::Schema;
use serde_json::Value as Json;

const PRIMITIVES: [&str; 8] = [
    "null", "boolean", "int", "long", "float", "double", "bytes", "string",
];

/// The schema's Parsing Canonical Form.
pub fn canonical_form(schema: &Schema) -> String {
    // apache-avro serialises a schema back to its full JSON (logical types, docs, defaults
    // included); the spec's transformation is applied to that.
    let json = serde_json::to_value(schema).unwrap_or(Json::Null);
    let mut out = String::new();
    write(&json, "", &mut out);
    out
}

/// CRC-64-AVRO of the schema's Parsing Canonical Form.
pub fn fingerprint_of(schema: &Schema) -> u64 {
    crc64_avro(canonical_form(schema).as_bytes())
}

fn full_name(name: &str, namespace: &str) -> String {
    if name.contains('.') || namespace.is_empty() || PRIMITIVES.contains(&name) {
        name.to_string()
    } else {
        format!("{namespace}.{name}")
    }
}

fn quoted(s: &str) -> String {
    Json::String(s.to_string()).to_string()
}

/// [FULLNAMES], [STRIP], [ORDER], [PRIMITIVES], [STRINGS], [WHITESPACE].
fn write(j: &Json, namespace: &str, out: &mut String) {
    match j {
        Json::String(name) => out.push_str(&quoted(&full_name(name, namespace))),
        Json::Array(branches) => {
            out.push('[');
            for (i, b) in branches.iter().enumerate() {
                if i > 0 {
                    out.push(',');
                }
                write(b, namespace, out);
            }
            out.push(']');
        }
        Json::Object(o) => match o.get("type") {
            Some(Json::String(t))
                if matches!(t.as_str(), "record" | "error" | "enum" | "fixed") =>
            {
                let name = o.get("name").and_then(Json::as_str).unwrap_or("");
                let ns = o
                    .get("namespace")
                    .and_then(Json::as_str)
                    .unwrap_or(namespace);
                let full = full_name(name, ns);
                let inner_ns = full.rsplit_once('.').map(|(n, _)| n).unwrap_or("");
                out.push_str(&format!(
                    "{{\"name\":{},\"type\":{}",
                    quoted(&full),
                    quoted(t)
                ));
                match t.as_str() {
                    "enum" => {
                        out.push_str(",\"symbols\":");
                        out.push_str(&o.get("symbols").cloned().unwrap_or(Json::Null).to_string());
                    }
                    "fixed" => {
                        out.push_str(",\"size\":");
                        out.push_str(&o.get("size").cloned().unwrap_or(Json::Null).to_string());
                    }
                    _ => {
                        out.push_str(",\"fields\":[");
                        let fields = o.get("fields").and_then(Json::as_array);
                        for (i, f) in fields.into_iter().flatten().enumerate() {
                            if i > 0 {
                                out.push(',');
                            }
                            let fname = f.get("name").and_then(Json::as_str).unwrap_or("");
                            out.push_str(&format!("{{\"name\":{},\"type\":", quoted(fname)));
                            write(f.get("type").unwrap_or(&Json::Null), inner_ns, out);
                            out.push('}');
                        }
                        out.push(']');
                    }
                }
                out.push('}');
            }
            Some(Json::String(t)) if t == "array" => {
                out.push_str("{\"type\":\"array\",\"items\":");
                write(o.get("items").unwrap_or(&Json::Null), namespace, out);
                out.push('}');
            }
            Some(Json::String(t)) if t == "map" => {
                out.push_str("{\"type\":\"map\",\"values\":");
                write(o.get("values").unwrap_or(&Json::Null), namespace, out);
                out.push('}');
            }
            // A primitive, possibly with a logical type: its simple form.
            Some(t) => write(t, namespace, out),
            None => out.push_str("null"),
        },
        other => out.push_str(&other.to_string()),
    }
}

/// CRC-64-AVRO as given in the Avro specification ("Schema Fingerprints").
fn crc64_avro(data: &[u8]) -> u64 {
    const EMPTY: u64 = 0xc15d_213a_a4d7_a795;
    static TABLE: std::sync::LazyLock<[u64; 256]> = std::sync::LazyLock::new(|| {
        let mut table = [0u64; 256];
        for (i, slot) in table.iter_mut().enumerate() {
            let mut fp = i as u64;
            for _ in 0..8 {
                fp = (fp >> 1) ^ (EMPTY & 0u64.wrapping_sub(fp & 1));
            }
            *slot = fp;
        }
        table
    });
    let mut fp = EMPTY;
    for b in data {
        fp = (fp >> 8) ^ TABLE[((fp ^ u64::from(*b)) & 0xff) as usize];
    }
    fp
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn logical_types_take_their_simple_form() {
        let s = Schema::parse_str(
            r#"{"type":"record","name":"R","namespace":"a.b","doc":"x","fields":[
                {"name":"t","type":["null",{"type":"long","logicalType":"timestamp-millis"}],"default":null},
                {"name":"e","type":{"type":"enum","name":"E","symbols":["x","y"],"default":"x"}},
                {"name":"l","type":{"type":"array","items":"E"}}]}"#,
        )
        .unwrap();
        assert_eq!(
            canonical_form(&s),
            r#"{"name":"a.b.R","type":"record","fields":[{"name":"t","type":["null","long"]},{"name":"e","type":{"name":"a.b.E","type":"enum","symbols":["x","y"]}},{"name":"l","type":{"type":"array","items":"a.b.E"}}]}"#
        );
    }

    #[test]
    fn spec_test_vectors() {
        assert_eq!(crc64_avro(b"\"int\""), 0x7275_d51a_3f39_5c8f);
        // Agrees with apache-avro's Rabin where its canonical form is right.
        let s = Schema::parse_str(
            r#"{"type":"record","name":"X","fields":[{"name":"a","type":"string"}]}"#,
        )
        .unwrap();
        let theirs = s.fingerprint::<apache_avro::rabin::Rabin>();
        assert_eq!(fingerprint_of(&s).to_le_bytes().to_vec(), theirs.bytes);
    }
}
