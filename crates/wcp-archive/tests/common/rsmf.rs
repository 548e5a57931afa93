//! Reading `.rsmf` exports back: Relativity's RSMF 2.0.0 schema (formats checked) and the
//! manifest inside a file's `rsmf.zip`.

use std::io::Read;

pub fn schema() -> jsonschema::Validator {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/rsmf/rsmf_schema_2_0_0.json"
    );
    let schema: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    jsonschema::options()
        .should_validate_formats(true)
        .build(&schema)
        .unwrap()
}

/// The text of `rsmf_manifest.json` in the first attachment of an `.rsmf` file's bytes.
pub fn manifest_text(rsmf: &[u8]) -> String {
    let msg = mail_parser::MessageParser::default().parse(rsmf).unwrap();
    let zip = msg.attachments().next().unwrap().contents().to_vec();
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip)).unwrap();
    let mut s = String::new();
    z.by_name("rsmf_manifest.json")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    s
}
