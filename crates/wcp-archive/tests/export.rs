//! RSMF manifests validate against Relativity's schema; the files parse as MIME.
mod common;

use std::io::Read;

use common::rsmf::schema;
use common::{consent, in_room, recall, switch, text, DAY_MS, T0};
use mail_parser::MimeHeaders;
use wcp_archive::{EmlGrouping, Query};

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

/// Everything as EML threads into `out` with `opts` (None: UTC+08:00 alone): the report
/// and the first file's bytes.
fn thread_eml(
    a: &mut wcp_archive::Archive,
    out: &std::path::Path,
    opts: Option<&wcp_archive::ExportOptions>,
) -> (wcp_archive::ExportReport, Vec<u8>) {
    let at_480 = wcp_archive::ExportOptions {
        zone: 480,
        ..wcp_archive::ExportOptions::default()
    };
    let r = a
        .export_eml_with(
            &Query::default(),
            "t",
            out,
            EmlGrouping::Thread,
            opts.unwrap_or(&at_480),
        )
        .unwrap();
    let raw = std::fs::read(&r.files[0]).unwrap();
    (r, raw)
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
    assert_eq!(report.counts.records, 7);
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
    let (_, raw) = thread_eml(&mut a, &dir.path().join("e"), None);
    let parsed = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let body = parsed.body_text(0).unwrap_or_default().to_string();
    assert!(
        body.contains("recorded 6 s before the message was sent"),
        "{body}"
    );
}

/// A media message from staff: `msgtype` with the WeCom payload `payload`.
fn media_msg(msgid: &str, msgtype: &str, payload: &str, t: i64) -> wcp_model::EnrichedEvent {
    let mut e = text(msgid, "", t);
    e.event.msgtype = msgtype.into();
    e.event.payload_json = payload.into();
    e
}

/// Puts `bytes` into the region's media store as the capture does; returns (md5, sha256).
fn store_media(media_dir: &std::path::Path, region: &str, bytes: &[u8]) -> (String, String) {
    use sha2::{Digest, Sha256};
    let sha = hex::encode(Sha256::digest(bytes));
    let p = media_dir
        .join(region)
        .join("sha256")
        .join(&sha[..2])
        .join(&sha[2..4]);
    std::fs::create_dir_all(&p).unwrap();
    std::fs::write(p.join(&sha), bytes).unwrap();
    (md5_hex(bytes), sha)
}

fn custom_of(e: &serde_json::Value, name: &str) -> Option<String> {
    e["custom"]
        .as_array()?
        .iter()
        .find(|c| c["name"] == name)
        .and_then(|c| c["value"].as_str())
        .map(str::to_string)
}

/// An image, a voice message, a file and a sticker (trial 18d D2): both exports say what
/// each is and keep its reference (md5sum, sdkfileid, size); the files the region's media
/// store holds (the image and the file) ride along, inside the RSMF zip as the event's
/// attachment and as MIME attachments of the EML; the others say why they are not there.
#[test]
fn media_messages_carry_their_type_reference_and_file() {
    let dir = tempfile::tempdir().unwrap();
    let media_dir = dir.path().join("media");
    let png = b"\x89PNG\r\n\x1a\n a tiny image".to_vec();
    let xlsx = b"PK\x03\x04 client list".to_vec();
    let (png_md5, png_sha) = store_media(&media_dir, "cn", &png);
    let (xlsx_md5, xlsx_sha) = store_media(&media_dir, "cn", &xlsx);
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        media_msg(
            "i1",
            "image",
            &format!(
                r#"{{"md5sum":"{png_md5}","filesize":{},"sdkfileid":"SDKIMG"}}"#,
                png.len()
            ),
            T0,
        ),
        media_msg(
            "v1",
            "voice",
            r#"{"md5sum":"9db09c7fa627c9e53f17736c786a74d5","voice_size":6810,"play_length":10,"sdkfileid":"SDKVOICE"}"#,
            T0 + 1_000,
        ),
        media_msg(
            "f1",
            "file",
            &format!(
                r#"{{"md5sum":"{xlsx_md5}","filename":"客户名单.xlsx","fileext":"xlsx","filesize":"{}","sdkfileid":"SDKFILE"}}"#,
                xlsx.len()
            ),
            T0 + 2_000,
        ),
        media_msg(
            "e1",
            "emotion",
            r#"{"type":1,"imagesize":962604,"md5sum":"94c2b0bba52cc456cb8221b248096612","sdkfileid":"SDKSTICKER"}"#,
            T0 + 3_000,
        ),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    let with_store = wcp_archive::ExportOptions {
        zone: 480,
        media_dir: Some(media_dir.clone()),
        ..wcp_archive::ExportOptions::default()
    };

    // RSMF with the store.
    let r = a
        .export_rsmf_with(&Query::default(), "t", &dir.path().join("r"), &with_store)
        .unwrap();
    let (_s, zip_bytes) = open_rsmf(&std::fs::read(&r.files[0]).unwrap());
    let m = manifest(zip_bytes.clone());
    let errors: Vec<String> = schema().iter_errors(&m).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let ev = |id: &str| {
        m["events"]
            .as_array()
            .unwrap()
            .iter()
            .find(|e| e["id"] == id)
            .unwrap()
            .clone()
    };
    let (i1, v1, f1, e1) = (ev("i1"), ev("v1"), ev("f1"), ev("e1"));
    assert_eq!(
        i1["body"],
        format!("[image, {} bytes, md5 {png_md5}]", png.len())
    );
    assert_eq!(
        v1["body"],
        "[voice message, 10 s, 6810 bytes, md5 9db09c7fa627c9e53f17736c786a74d5]"
    );
    assert!(f1["body"].as_str().unwrap().contains("[file 客户名单.xlsx"));
    assert_eq!(
        e1["body"],
        "[sticker, 962604 bytes, md5 94c2b0bba52cc456cb8221b248096612]"
    );
    assert_eq!(custom_of(&i1, "md5sum").as_deref(), Some(png_md5.as_str()));
    assert_eq!(custom_of(&i1, "sdkfileid").as_deref(), Some("SDKIMG"));
    assert_eq!(custom_of(&v1, "play_length").as_deref(), Some("10 s"));
    assert_eq!(custom_of(&e1, "media_type").as_deref(), Some("sticker"));
    assert_eq!(custom_of(&i1, "media_status").as_deref(), Some("attached"));
    let not_in_store = custom_of(&v1, "media_status").unwrap();
    assert!(
        not_in_store.starts_with("not in this export: not in the region's media store"),
        "{not_in_store}"
    );
    assert_eq!(custom_of(&e1, "media_status"), Some(not_in_store));
    assert!(v1.get("attachments").is_none());
    // The attachments name files in the zip holding exactly the stored bytes.
    let mut z = zip::ZipArchive::new(std::io::Cursor::new(zip_bytes)).unwrap();
    for (e, sha, bytes, display) in [
        (&i1, &png_sha, &png, format!("image-{}.png", &png_md5[..8])),
        (&f1, &xlsx_sha, &xlsx, "客户名单.xlsx".to_string()),
    ] {
        let att = &e["attachments"][0];
        let id = att["id"].as_str().unwrap();
        assert!(id.starts_with(sha.as_str()), "{id}");
        assert_eq!(att["display"], display);
        assert_eq!(att["size"], bytes.len());
        let mut got = Vec::new();
        z.by_name(id).unwrap().read_to_end(&mut got).unwrap();
        assert_eq!(&got, bytes);
    }

    // RSMF without a store: the same words and references, and why the file is not there.
    let r = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("r2"), 480)
        .unwrap();
    let (_s, zip_bytes) = open_rsmf(&std::fs::read(&r.files[0]).unwrap());
    assert_eq!(
        zip::ZipArchive::new(std::io::Cursor::new(zip_bytes.clone()))
            .unwrap()
            .len(),
        1
    );
    let m2 = manifest(zip_bytes);
    let i1 = m2["events"]
        .as_array()
        .unwrap()
        .iter()
        .find(|e| e["id"] == "i1")
        .unwrap()
        .clone();
    assert_eq!(i1["body"], m["events"][0]["body"]);
    assert_eq!(
        custom_of(&i1, "media_status").as_deref(),
        Some("not in this export: media store not available")
    );

    // EML thread with the store: the words and references on each line, the two files attached.
    let (_, raw) = thread_eml(&mut a, &dir.path().join("t"), Some(&with_store));
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    let body = msg.body_text(0).unwrap().to_string();
    assert!(
        body.contains(&format!(
            "zhangsan: [image, {} bytes, md5 {png_md5}] (sdkfileid SDKIMG; attached as image-",
            png.len()
        )),
        "{body}"
    );
    assert!(body.contains("[voice message, 10 s, 6810 bytes, md5 9db09c7fa627c9e53f17736c786a74d5] (sdkfileid SDKVOICE; not in this export: not in the region's media store"), "{body}");
    assert!(body.contains("[sticker, 962604 bytes"), "{body}");
    let mut atts: Vec<(String, Vec<u8>)> = msg
        .attachments()
        .map(|p| {
            (
                p.attachment_name().unwrap_or_default().to_string(),
                p.contents().to_vec(),
            )
        })
        .collect();
    atts.sort();
    assert_eq!(
        atts,
        vec![
            (format!("image-{}.png", &png_md5[..8]), png.clone()),
            ("客户名单.xlsx".to_string(), xlsx.clone()),
        ]
    );
    // EML per message without a store: the words and why.
    let pm = a
        .export_eml(
            &Query::default(),
            "t",
            &dir.path().join("p"),
            EmlGrouping::Message,
            480,
        )
        .unwrap();
    let bodies: Vec<String> = pm
        .files
        .iter()
        .map(|f| {
            let raw = std::fs::read(f).unwrap();
            let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
            assert_eq!(msg.attachments().count(), 0);
            msg.body_text(0).unwrap().to_string()
        })
        .collect();
    assert!(
        bodies.iter().any(
            |b| b.starts_with("[file 客户名单.xlsx") && b.contains("media store not available")
        ),
        "{bodies:?}"
    );
}

/// The store lookup: by md5 in the message's own region only; a file whose name is not its
/// sha256 is not taken; a media folder that does not exist is an error, not "no media".
#[test]
fn the_media_store_is_read_by_md5_in_the_region_only() {
    use std::collections::HashMap;
    use wcp_archive::export::store::resolve;
    let dir = tempfile::tempdir().unwrap();
    let (md5, sha) = store_media(dir.path(), "cn", b"image bytes");
    let (hk_md5, _) = store_media(dir.path(), "hk", b"hk only");
    let wanted = HashMap::from([(
        "cn".to_string(),
        vec![(md5.clone(), Some(11)), (hk_md5.clone(), None)],
    )]);
    let r = resolve(Some(dir.path()), &wanted).unwrap();
    assert!(r.store);
    assert_eq!(r.by_md5[&md5].sha256, sha);
    assert_eq!(r.by_md5[&md5].bytes, b"image bytes");
    assert!(
        !r.by_md5.contains_key(&hk_md5),
        "residency: cn reads cn's store"
    );
    assert!(!resolve(None, &wanted).unwrap().store);
    assert!(resolve(Some(&dir.path().join("nope")), &wanted).is_err());
    // Content under another file's name (tampered, or a partial copy) is not taken.
    let (_, sha) = store_media(dir.path(), "sg", b"original");
    let path = dir
        .path()
        .join("sg/sha256")
        .join(&sha[..2])
        .join(&sha[2..4])
        .join(&sha);
    std::fs::write(&path, b"tampered").unwrap();
    let tampered = md5_hex(b"tampered");
    let wanted = HashMap::from([("sg".to_string(), vec![(tampered, None)])]);
    assert!(resolve(Some(dir.path()), &wanted)
        .unwrap()
        .by_md5
        .is_empty());
}

fn md5_hex(bytes: &[u8]) -> String {
    use md5::{Digest, Md5};
    hex::encode(Md5::digest(bytes))
}

/// The counts agree (trial 18d D7): a conversation of 3 messages, a recall and a consent
/// record is "5 records: 3 messages, 1 recall, 1 consent or account notice" in the report,
/// the EML subject and the RSMF (which says why it has 4 events).
#[test]
fn every_export_counts_the_same_records_in_words() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        consent("k0", "wmCLIENT", true, T0),
        text("k1", "hello", T0 + 1_000),
        text("k2", "保本", T0 + 2_000),
        recall("k3", "k2", T0 + 3_000),
        text("k4", "bye", T0 + 4_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    let words = "5 records: 3 messages, 1 recall, 1 consent or account notice";
    let r = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("r"), 480)
        .unwrap();
    assert_eq!(r.counts.words(), words);
    let bytes = std::fs::read(&r.files[0]).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(
        msg.header_raw("X-RSMF-EventCount").map(str::trim),
        Some("4")
    );
    assert_eq!(msg.header_raw("X-WCP-Records").map(str::trim), Some(words));
    let text_part = msg.body_text(0).unwrap();
    assert!(
        text_part.contains("4 events from")
            && text_part.contains(words)
            && text_part.contains("a recall is shown on its message"),
        "{text_part}"
    );
    let (e, raw) = thread_eml(&mut a, &dir.path().join("e"), None);
    assert_eq!(e.counts, r.counts);
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some(format!("WeCom conversation wmCLIENT|zhangsan ({words})").as_str())
    );
    // The recall and consent lines are in words, as the RSMF's disclaimers.
    let body = msg.body_text(0).unwrap();
    assert!(
        body.contains("zhangsan: zhangsan recalled message k2"),
        "{body}"
    );
    assert!(
        body.contains("wmCLIENT: wmCLIENT agreed to the archiving of this conversation"),
        "{body}"
    );
}

/// A hold on one message (a breach finding's) exports that message, not the whole archive:
/// the export's selection honours `msgid` as search does.
#[test]
fn a_one_message_query_exports_one_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let q = Query {
        msgid: Some("a2".into()),
        ..Query::default()
    };
    let r = a
        .export_eml(&q, "t", &dir.path().join("m"), EmlGrouping::Message, 0)
        .unwrap();
    assert_eq!((r.counts.records, r.files.len()), (1, 1));
    let bytes = std::fs::read(&r.files[0]).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
    assert_eq!(msg.header_raw("X-WCP-Msgid").map(str::trim), Some("a2"));
}

/// The subject and header of a file exported for CASE-2024-017.
fn names_the_case(msg: &mail_parser::Message<'_>) {
    let subject = msg.subject().unwrap();
    assert!(
        subject.starts_with("Case CASE-2024-017: WeCom conversation"),
        "{subject}"
    );
    let case = msg.header_raw("X-WCP-Case").map(str::trim);
    assert_eq!(case, Some("CASE-2024-017"));
}

/// An export made for a case (trial 18d D8) selects what the case's holds cover, each message
/// once though two holds overlap, and names the case and its holds: the RSMF's conversation
/// `custom`, `X-WCP-Case` / `X-WCP-Hold` and the subject of both formats. A case no hold
/// has, or a case with a search, is refused.
#[test]
fn a_case_export_names_the_case_and_its_holds() {
    use wcp_archive::{ExportOptions, HoldRequest, HoldScope};
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    for scope in [
        HoldScope::Custodian("zhangsan".into()),
        HoldScope::Conversation("wmCLIENT|zhangsan".into()),
    ] {
        let req = HoldRequest {
            scope,
            reason: "SEC inquiry".into(),
            case_id: "CASE-2024-017".into(),
        };
        a.place_hold(&req, "officer").unwrap();
    }
    let case = a.export_case("CASE-2024-017", 480).unwrap();
    assert_eq!(case.holds.len(), 2);
    assert!(
        case.holds[0].starts_with("hold #")
            && case.holds[0].contains(
                "every message of custodian zhangsan (reason: SEC inquiry; placed by officer at "
            ),
        "{:?}",
        case.holds
    );
    let opts = ExportOptions {
        zone: 480,
        case: Some(case.clone()),
        ..ExportOptions::default()
    };
    let r = a
        .export_rsmf_with(&Query::default(), "t", &dir.path().join("r"), &opts)
        .unwrap();
    // zhangsan's messages (the room's g1 is lisi's and not covered), each once.
    assert_eq!(r.counts.records, 6, "{:?}", r.counts);
    for f in &r.files {
        let bytes = std::fs::read(f).unwrap();
        let msg = mail_parser::MessageParser::default().parse(&bytes).unwrap();
        names_the_case(&msg);
        let raw = String::from_utf8_lossy(&bytes);
        for hold in &case.holds {
            assert!(raw.contains(&format!("X-WCP-Hold: {hold}\r\n")), "{raw}");
        }
        let (_s, zip) = open_rsmf(&bytes);
        let m = manifest(zip);
        let errors: Vec<String> = schema().iter_errors(&m).map(|e| e.to_string()).collect();
        assert!(errors.is_empty(), "{errors:?}");
        let conv = &m["conversations"][0];
        assert_eq!(
            custom_of(conv, "legal_hold_case").as_deref(),
            Some("CASE-2024-017")
        );
        assert_eq!(custom_of(conv, "legal_holds"), Some(case.holds.join("; ")));
    }
    let (_, raw) = thread_eml(&mut a, &dir.path().join("e"), Some(&opts));
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    names_the_case(&msg);
    let err = a.export_case("CASE-1999-000", 480).unwrap_err().to_string();
    assert!(
        err.contains("no hold has case id \"CASE-1999-000\""),
        "{err}"
    );
    let both = Query {
        text: Some("保本".into()),
        ..Query::default()
    };
    let err = a
        .export_rsmf_with(&both, "t", &dir.path().join("x"), &opts)
        .unwrap_err()
        .to_string();
    assert!(err.contains("a case or a search, not both"), "{err}");
}
