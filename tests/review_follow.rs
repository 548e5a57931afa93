//! `wcp review --dir OUT` follows its folder: a `wcp run --out OUT` made while the console
//! serves (the compliance officer feeding their own messages after `wcp demo`) reaches the
//! open console's queue without a restart, and a region archive that appears is named.

mod browser;

use std::path::Path;
use std::process::Stdio;
use std::time::{Duration, Instant};

use browser::*;

/// A risky message from staff to the consenting client, after everything in the first run.
const LATER: &str = r#"{"msgid": "review_follow_1", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732700000000, "msgtype": "text", "text": {"content": "这个产品保本保收益，放心买"}}"#;

/// The review store's items (kind, msgid) of region `region`, read as the queue page reads.
fn queued(out: &Path, region: &str) -> Vec<(String, String)> {
    let db = out.join(format!("review-{region}.db"));
    let conn =
        rusqlite::Connection::open_with_flags(&db, rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY)
            .unwrap();
    let mut stmt = conn.prepare("SELECT kind, msgid FROM items").unwrap();
    let rows = stmt
        .query_map([], |r| Ok((r.get(0)?, r.get(1)?)))
        .unwrap()
        .map(Result::unwrap)
        .collect();
    rows
}

#[test]
fn a_later_run_reaches_the_open_console() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let (_console, _base, _otp) = start_console(&out);
    let before = queued(&out, "cn");
    assert!(before.iter().any(|(_, m)| m == "review_markup_1"));
    assert!(!before.iter().any(|(_, m)| m == "review_follow_1"));

    let input = tmp.path().join("later.jsonl");
    std::fs::write(&input, format!("{LATER}\n")).unwrap();
    let st = wcp()
        .args(["run", "--input"])
        .arg(&input)
        .arg("--out")
        .arg(&out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "the second wcp run failed");
    let alerted = std::fs::read_to_string(out.join("alerts.jsonl"))
        .unwrap()
        .contains("review_follow_1");
    assert!(alerted, "the later message raised an alert in alerts.jsonl");

    // The console queues it within a few of its 2 s ticks, once.
    let deadline = Instant::now() + Duration::from_secs(30);
    let later = loop {
        let q = queued(&out, "cn");
        let later: Vec<_> = q
            .iter()
            .filter(|(k, m)| k == "alert" && m == "review_follow_1")
            .cloned()
            .collect();
        if !later.is_empty() || Instant::now() > deadline {
            break later;
        }
        std::thread::sleep(Duration::from_millis(250));
    };
    assert!(
        !later.is_empty(),
        "the later alert never reached the console"
    );
    std::thread::sleep(Duration::from_secs(5));
    let q = queued(&out, "cn");
    assert_eq!(q.len(), before.len() + later.len(), "nothing queued twice");
}
