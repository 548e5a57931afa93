//! RSMF manifests validate against Relativity's schema; the files parse as MIME.
mod common;

use std::io::Read;

use common::{consent, in_room, recall, switch, text, DAY_MS, T0};
use mail_parser::MimeHeaders;
use wcp_archive::{EmlGrouping, Query};

fn schema() -> jsonschema::Validator {
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

fn archive(dir: &tempfile::TempDir) -> wcp_archive::Archive {
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        text("a1", "保本保息，年化8%", T0),
        text("a2", "Sounds good", T0 + 1_000),
        recall("a3", "a1", T0 + 2_000),
        consent("a4", "wmCLIENT", true, T0 + 3_000),
        text("b1", "next day", T0 + DAY_MS),
        in_room(text("g1", "group hello", T0), "wrROOM1", "lisi"),
        switch("s1", "zhangsan", T0 + 4_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    a
}

/// (headers, the one rsmf.zip attachment) of an `.rsmf` file.
fn open_rsmf(bytes: &[u8]) -> (String, Vec<u8>) {
    let msg = mail_parser::MessageParser::default()
        .parse(bytes)
        .expect("MIME message");
    assert_eq!(
        msg.header_raw("X-RSMF-Version").map(str::trim),
        Some("2.0.0")
    );
    let attachments: Vec<_> = msg.attachments().collect();
    assert_eq!(attachments.len(), 1, "exactly one attachment");
    assert_eq!(attachments[0].attachment_name(), Some("rsmf.zip"));
    (
        msg.subject().unwrap_or_default().to_string(),
        attachments[0].contents().to_vec(),
    )
}

fn manifest(zip_bytes: Vec<u8>) -> serde_json::Value {
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    let mut s = String::new();
    z.by_name("rsmf_manifest.json")
        .unwrap()
        .read_to_string(&mut s)
        .unwrap();
    serde_json::from_str(&s).unwrap()
}

#[test]
fn rsmf_files_validate_and_parse() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let out = dir.path().join("rsmf");
    let report = a
        .export_rsmf(&Query::default(), "ediscovery", &out, 480)
        .unwrap();
    assert_eq!(report.messages, 7);
    // Conversation wmCLIENT|zhangsan on day 0 and day 1 (local days, UTC+08:00), the room.
    assert_eq!(report.files.len(), 3, "{:?}", report.files);
    let validator = schema();
    let mut events_by_id = std::collections::HashMap::new();
    for f in &report.files {
        assert_eq!(f.extension().unwrap(), "rsmf");
        let (_subject, zip) = open_rsmf(&std::fs::read(f).unwrap());
        let m = manifest(zip);
        let errors: Vec<String> = validator.iter_errors(&m).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{f:?}: {errors:?}");
        for e in m["events"].as_array().unwrap() {
            events_by_id.insert(e["id"].as_str().unwrap().to_string(), e.clone());
        }
    }
    let a1 = &events_by_id["a1"];
    assert_eq!(a1["deleted"], true);
    // Times in the policy's zone with its offset, as the console shows them (trial 18b D7).
    assert_eq!(a1["timestamp"], "2025-11-25T00:00:00.000+08:00");
    assert_eq!(a1["body"], "保本保息，年化8%");
    let custom = a1["custom"].as_array().unwrap();
    assert!(
        custom
            .iter()
            .any(|c| c["name"] == "recalled_at" && c["value"] == "2025-11-25T00:00:02.000+08:00"),
        "{custom:?}"
    );
    assert!(
        !events_by_id.contains_key("a3"),
        "the recall is shown on its original"
    );
    assert_eq!(events_by_id["a4"]["type"], "disclaimer");
    assert_eq!(events_by_id["s1"]["type"], "disclaimer");
    assert_eq!(events_by_id["a2"]["type"], "message");
    assert!(events_by_id["a2"].get("deleted").is_none());
    let audit = a.audit_trail().unwrap();
    assert_eq!(audit.last().unwrap().action, "export_rsmf");
    let v = a.verify().unwrap();
    assert!(v.ok, "{:#?}", v.problems);
}

#[test]
fn one_file_per_conversation_day_and_at_most_ten_thousand_events() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let events: Vec<_> = (0..10_050)
        .map(|i| text(&format!("m{i}"), "x", T0 + i))
        .collect();
    a.insert_batch(&events, &[]).unwrap();
    let report = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("out"), 0)
        .unwrap();
    assert_eq!(report.files.len(), 2);
    let counts: Vec<usize> = report
        .files
        .iter()
        .map(|f| {
            manifest(open_rsmf(&std::fs::read(f).unwrap()).1)["events"]
                .as_array()
                .unwrap()
                .len()
        })
        .collect();
    assert_eq!(counts, [10_000, 50]);
}

#[test]
fn the_schema_rejects_a_broken_manifest() {
    // Guards the test above: the validator does reject what the schema forbids.
    let bad = serde_json::json!({ "version": "2.0.0", "participants": [{ "display": "no id" }], "conversations": [], "events": [] });
    assert!(!schema().is_valid(&bad));
}

#[test]
fn eml_per_message_and_per_thread() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let q = Query {
        conversation: Some("wmCLIENT|zhangsan".into()),
        ..Query::default()
    };
    let per_msg = a
        .export_eml(&q, "t", &dir.path().join("m"), EmlGrouping::Message, 0)
        .unwrap();
    assert_eq!(per_msg.files.len(), 6);
    let mut saw_recalled = false;
    for f in &per_msg.files {
        let bytes = std::fs::read(f).unwrap();
        let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        assert!(msg.from().is_some() && msg.date().is_some() && msg.message_id().is_some());
        if msg.header_raw("X-WCP-Msgid").map(str::trim) == Some("a1") {
            assert_eq!(msg.body_text(0).unwrap(), "保本保息，年化8%");
            assert!(msg.header_raw("X-WCP-Recalled-At").is_some());
            saw_recalled = true;
        }
    }
    assert!(saw_recalled);
    let threads = a
        .export_eml(
            &Query::default(),
            "t",
            &dir.path().join("t"),
            EmlGrouping::Thread,
            0,
        )
        .unwrap();
    assert_eq!(threads.files.len(), 2);
    let all: String = threads
        .files
        .iter()
        .map(|f| {
            let bytes = std::fs::read(f).unwrap();
            mail_parser::MessageParser::default()
                .parse(&bytes)
                .unwrap()
                .body_text(0)
                .unwrap()
                .to_string()
        })
        .collect();
    assert!(
        all.contains("Sounds good") && all.contains("group hello") && all.contains("[recalled")
    );
}

/// A thread that opens with the client's agree line is from the staff member whose
/// conversation it is, and its times are in the policy's zone with the offset (trial 18b D7).
#[test]
fn eml_thread_is_from_the_staff_member_in_the_policy_zone() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        consent("c0", "wmCLIENT", true, T0),
        text("c1", "Morning, the factsheet is attached", T0 + 600_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    let out = dir.path().join("t");
    let r = a
        .export_eml(&Query::default(), "t", &out, EmlGrouping::Thread, 480)
        .unwrap();
    let bytes = std::fs::read(&r.files[0]).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    let from = msg.from().and_then(|f| f.first()).and_then(|a| a.address());
    assert_eq!(from, Some("zhangsan@wecom.invalid"));
    let raw = String::from_utf8_lossy(&bytes);
    assert!(
        raw.contains("Date: Tue, 25 Nov 2025 00:00:00 +0800"),
        "{raw}"
    );
    let body = msg.body_text(0).unwrap();
    assert!(
        body.contains("[2025-11-25T00:10:00.000+08:00] zhangsan: Morning"),
        "{body}"
    );
}

/// An export never writes over a file already in its folder (the user's, or an earlier
/// production): it stops naming the file, and the file is unchanged.
#[test]
fn export_never_overwrites_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let out = dir.path().join("prod");
    let first = a.export_rsmf(&Query::default(), "t", &out, 0).unwrap();
    let victim = first.files[0].clone();
    std::fs::write(&victim, b"the user's own file").unwrap();
    let err = a
        .export_rsmf(&Query::default(), "t", &out, 0)
        .expect_err("a second export into the same folder stops");
    assert!(err.to_string().contains("not overwritten"), "{err}");
    assert_eq!(std::fs::read(&victim).unwrap(), b"the user's own file");
}

/// A recall recorded before its message was sent carries the console's warning into both
/// formats (trial 18c D5), and the RSMF manifest stays valid.
#[test]
fn a_recall_recorded_before_its_message_is_noted_in_exports() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        text("e1", "late message", T0 + 10_000),
        recall("e2", "e1", T0 + 4_000),
        text("e3", "ok", T0 + 20_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    let rsmf = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("r"), 480)
        .unwrap();
    let (_subject, zip) = open_rsmf(&std::fs::read(&rsmf.files[0]).unwrap());
    let m = manifest(zip);
    let errors: Vec<String> = schema().iter_errors(&m).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let notes: Vec<String> = m["events"]
        .as_array()
        .unwrap()
        .iter()
        .flat_map(|e| e["custom"].as_array().cloned().unwrap_or_default())
        .filter(|c| c["name"] == "recall_note")
        .map(|c| c["value"].as_str().unwrap().to_string())
        .collect();
    assert_eq!(notes.len(), 1, "only e1's recall is early: {notes:?}");
    assert!(notes[0].contains("recorded 6 s before"), "{notes:?}");
    let eml = a
        .export_eml(
            &Query::default(),
            "t",
            &dir.path().join("e"),
            EmlGrouping::Thread,
            480,
        )
        .unwrap();
    let raw = std::fs::read(&eml.files[0]).unwrap();
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let body = parsed.body_text(0).unwrap_or_default().to_string();
    assert!(
        body.contains("recorded 6 s before the message was sent"),
        "{body}"
    );
}
