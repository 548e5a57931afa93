//! Lists every embedded schema with its CRC-64-AVRO fingerprint (as single-object encoding
//! writes it), e.g. to check a producer in another language:
//! `cargo run -p wcp-schema --example schemas`.

use wcp_schema::apache_avro::Schema;
use wcp_schema::{fingerprint_of, SCHEMA_FILES};

fn main() {
    println!(
        "{:<16} {:<9} {:<18} {:<23} file",
        "record", "revision", "fingerprint", "header bytes"
    );
    for f in SCHEMA_FILES {
        let schema = Schema::parse_str(f.json).expect("embedded schemas parse");
        let fp = fingerprint_of(&schema);
        let header: Vec<String> = [0xC3, 0x01]
            .into_iter()
            .chain(fp.to_le_bytes())
            .map(|b| format!("{b:02x}"))
            .collect();
        let revision = if f.current { "current" } else { "history" };
        println!(
            "{:<16} {:<9} {:#018x} {} {}",
            f.record,
            revision,
            fp,
            header.join(""),
            f.path
        );
    }
}
