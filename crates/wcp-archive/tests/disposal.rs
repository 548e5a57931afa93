//! A message expired under retention stays visible in exports as a placeholder in its place
//! — msgid, sender, time sent, the rule, when and by whom it was expired, never its content —
//! from a tombstone that is chained like every record (trial 18c D5).
mod common;

use common::rsmf::schema;
use common::{in_room, keep_until, text, DAY_MS, T0};
use wcp_archive::{EmlGrouping, ProblemKind, Query};

const SECRET: &str = "the secret plan 保本";

/// Three messages of one conversation, the middle one (rule `personal_30d`) due a day later,
/// and a group message; then the middle one expires.
fn expired(dir: &tempfile::TempDir) -> wcp_archive::Archive {
    let mut a = common::open(&dir.path().join("a.db"));
    let mut middle = keep_until(text("d2", SECRET, T0 + 60_000), T0 + DAY_MS);
    middle.retention.as_mut().unwrap().rules = vec!["personal_30d".into()];
    a.insert_batch(
        &[
            text("d1", "first", T0),
            middle,
            text("d3", "last", T0 + 120_000),
            in_room(text("g1", "group hello", T0), "wrROOM1", "lisi"),
        ],
        &[],
    )
    .unwrap();
    assert_eq!(
        common::expire_at(&mut a, T0 + 2 * DAY_MS, "officer"),
        (1, 0)
    );
    assert!(a.message("d2").is_none());
    a
}

fn conversation() -> Query {
    Query {
        conversation: Some("wmCLIENT|zhangsan".into()),
        ..Query::default()
    }
}

fn manifest(rsmf: &[u8]) -> (String, serde_json::Value) {
    let s = common::rsmf::manifest_text(rsmf);
    let v = serde_json::from_str(&s).unwrap();
    (s, v)
}

#[test]
fn an_expired_message_is_a_placeholder_in_its_place_in_rsmf() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = expired(&dir);
    let r = a
        .export_rsmf(&conversation(), "ediscovery", &dir.path().join("r"), 480)
        .unwrap();
    assert_eq!(
        (r.counts.messages, r.counts.disposed, r.unplaced),
        (2, 1, 0)
    );
    assert_eq!(r.files.len(), 1);
    let (text, m) = manifest(&std::fs::read(&r.files[0]).unwrap());
    let errors: Vec<String> = schema().iter_errors(&m).map(|e| e.to_string()).collect();
    assert!(errors.is_empty(), "{errors:?}");
    let events = m["events"].as_array().unwrap();
    let ids: Vec<&str> = events.iter().map(|e| e["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["d1", "d2", "d3"], "the placeholder sits where it was");
    let d2 = &events[1];
    assert_eq!(d2["type"], "disclaimer");
    assert_eq!(d2["participant"], "zhangsan");
    assert_eq!(d2["conversation"], "wmCLIENT|zhangsan");
    assert_eq!(d2["timestamp"], "2025-11-25T00:01:00.000+08:00");
    let body = d2["body"].as_str().unwrap();
    assert!(
        body.contains(
            "disposed of under retention rule personal_30d on 2025-11-27T00:00:00.000+08:00"
        ) && body.contains("expired by officer"),
        "{body}"
    );
    let custom: std::collections::HashMap<&str, &str> = d2["custom"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| (c["name"].as_str().unwrap(), c["value"].as_str().unwrap()))
        .collect();
    assert_eq!(custom["retention_rules"], "personal_30d");
    assert_eq!(custom["expired_at"], "2025-11-27T00:00:00.000+08:00");
    assert_eq!(custom["keep_until"], "2025-11-26T00:00:00.000+08:00");
    assert_eq!(custom["expired_by"], "officer");
    assert!(!text.contains("secret"), "no content: {text}");
    assert!(a.verify().unwrap().ok);
}

#[test]
fn an_expired_message_is_a_transcript_line_in_its_place_in_eml() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = expired(&dir);
    let r = a
        .export_eml(
            &conversation(),
            "ediscovery",
            &dir.path().join("t"),
            EmlGrouping::Thread,
            480,
        )
        .unwrap();
    assert_eq!(r.files.len(), 1);
    let raw = std::fs::read(&r.files[0]).unwrap();
    let msg = mail_parser::MessageParser::default().parse(&raw).unwrap();
    assert_eq!(
        msg.subject(),
        Some("WeCom conversation wmCLIENT|zhangsan (3 records: 2 messages, 1 message disposed of under retention)")
    );
    let body = msg.body_text(0).unwrap().to_string();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert!(lines[0].ends_with("zhangsan: first"), "{body}");
    assert!(
        lines[1].starts_with(
            "[2025-11-25T00:01:00.000+08:00] zhangsan [disposed of]: message d2 from zhangsan"
        ) && lines[1].contains("retention rule personal_30d")
            && lines[1].contains("2025-11-27T00:00:00.000+08:00"),
        "{body}"
    );
    assert!(lines[2].ends_with("zhangsan: last"), "{body}");
    assert!(!body.contains("secret"), "{body}");
    // Per message: the placeholder is an e-mail of its own, without content.
    let per = a
        .export_eml(
            &conversation(),
            "ediscovery",
            &dir.path().join("m"),
            EmlGrouping::Message,
            480,
        )
        .unwrap();
    assert_eq!(per.files.len(), 3);
    let d2: Vec<_> = per
        .files
        .iter()
        .map(|f| std::fs::read(f).unwrap())
        .filter(|b| {
            let m = mail_parser::MessageParser::default().parse(b).unwrap();
            m.header_raw("X-WCP-Msgid").map(str::trim) == Some("d2")
        })
        .collect();
    assert_eq!(d2.len(), 1);
    let m = mail_parser::MessageParser::default().parse(&d2[0]).unwrap();
    assert!(m.header_raw("X-WCP-Disposed-At").is_some());
    assert!(!m.body_text(0).unwrap().contains("secret"));
    // A search by content cannot say whether a disposed-of message matched: no placeholder.
    let by_text = a
        .export_eml(
            &Query {
                text: Some("first".into()),
                ..conversation()
            },
            "ediscovery",
            &dir.path().join("x"),
            EmlGrouping::Thread,
            480,
        )
        .unwrap();
    assert_eq!((by_text.counts.messages, by_text.counts.disposed), (1, 0));
}

#[test]
fn a_changed_disposition_record_fails_verify() {
    let dir = tempfile::tempdir().unwrap();
    let a = expired(&dir);
    drop(a);
    let conn = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    let (seq, body): (i64, Vec<u8>) = conn
        .query_row(
            "SELECT seq, body FROM records WHERE kind = 'tombstone'",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    let t: serde_json::Value = serde_json::from_slice(&body).unwrap();
    assert_eq!(t["placement"]["conversation_id"], "wmCLIENT|zhangsan");
    assert_eq!(t["placement"]["time_ms"], T0 + 60_000);
    // Moving the placeholder to another conversation is tampering with the evidence.
    let moved = String::from_utf8(body)
        .unwrap()
        .replace("wmCLIENT|zhangsan", "wmOTHER|zhangsan");
    conn.execute(
        "UPDATE records SET body = ?1 WHERE seq = ?2",
        rusqlite::params![moved.into_bytes(), seq],
    )
    .unwrap();
    drop(conn);
    let a = common::open(&dir.path().join("a.db"));
    let v = a.verify().unwrap();
    assert!(!v.ok);
    assert!(
        v.problems
            .iter()
            .any(|p| p.kind == ProblemKind::Altered && p.seq == seq),
        "{:#?}",
        v.problems
    );
}

/// A tombstone written before tombstones recorded their conversation
/// (`fixtures/archive-tombstone-v4.zip`, made by git 8c606b1 with `common::open`: messages
/// t4a, t4b, t4c, t4b expired) is counted, not placed, and the archive still verifies.
#[test]
fn an_old_tombstone_is_counted_not_placed() {
    let dir = tempfile::tempdir().unwrap();
    let file = std::fs::File::open(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/tests/fixtures/archive-tombstone-v4.zip"
    ))
    .unwrap();
    let mut zip = zip::ZipArchive::new(file).unwrap();
    let path = dir.path().join("old.db");
    std::io::copy(
        &mut zip.by_name("archive-tombstone-v4.db").unwrap(),
        &mut std::fs::File::create(&path).unwrap(),
    )
    .unwrap();
    let mut a = common::open(&path);
    assert!(a.verify().unwrap().ok);
    let r = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("r"), 0)
        .unwrap();
    assert_eq!(
        (r.counts.messages, r.counts.disposed, r.unplaced),
        (2, 0, 1)
    );
    // Expiring another message now writes the new shape next to the old one.
    a.insert_batch(
        &[keep_until(text("t4d", "new", T0 + 3_000), T0 + DAY_MS)],
        &[],
    )
    .unwrap();
    assert_eq!(
        common::expire_at(&mut a, T0 + 2 * DAY_MS, "officer"),
        (1, 0)
    );
    let r = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("r2"), 0)
        .unwrap();
    assert_eq!(
        (r.counts.messages, r.counts.disposed, r.unplaced),
        (2, 1, 1)
    );
    assert!(a.verify().unwrap().ok);
}

/// The console's placeholders: a conversation's disposed-of messages in a time range, read
/// by the tombstones' index (not a scan of every record).
#[test]
fn the_console_finds_a_conversations_placeholders_by_index() {
    let dir = tempfile::tempdir().unwrap();
    let a = expired(&dir);
    let d = a
        .disposed_in("wmCLIENT|zhangsan", T0, T0 + 120_000)
        .unwrap();
    assert_eq!(d.len(), 1);
    assert_eq!(
        (d[0].msgid.as_str(), d[0].at.from.as_str(), d[0].at.time_ms),
        ("d2", "zhangsan", T0 + 60_000)
    );
    assert_eq!(d[0].at.rules, ["personal_30d"]);
    assert!(a
        .disposed_in("wmCLIENT|zhangsan", T0 + 61_000, i64::MAX)
        .unwrap()
        .is_empty());
    assert!(a
        .disposed_in("wrROOM1", i64::MIN, i64::MAX)
        .unwrap()
        .is_empty());
    let conn = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    let plan: String = conn
        .query_row(
            "EXPLAIN QUERY PLAN SELECT seq, body FROM records WHERE kind = 'tombstone' \
             AND json_extract(CAST(body AS TEXT), '$.placement.conversation_id') = ?1 ORDER BY seq",
            ["wmCLIENT|zhangsan"],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("records_disposed"), "{plan}");
}
