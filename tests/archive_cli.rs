//! `wcp archive search` and `audit` as a reviewer and an auditor use them, on a `wcp run`
//! folder, with the public key only: the actor is required, `--msgid --around` shows the
//! conversation around a message, the table has the msgid, the local time and the full
//! conversation id, times are dates or RFC 3339, and the audit lists every read with the ids
//! it returned — also before the writer has chained the reader's access log.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2024-11-26T05:46:40Z: 13:46:40 in the built-in policy's UTC+08:00.
const T: i64 = 1_732_600_000_000;

fn line(msgid: &str, to: &str, t: i64, text: &str) -> String {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{text}"}}}}"#
    )
}

fn wcp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(args)
        .env_remove("WCP_ACTOR")
        .env_remove("WCP_ANON_KEY")
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn msgids(s: &str) -> Vec<String> {
    json_lines(s)
        .iter()
        .map(|v| v["msgid"].as_str().unwrap().to_string())
        .collect()
}

/// Five staff messages in one conversation a minute apart, one in another.
fn archive(dir: &Path) -> PathBuf {
    let mut lines: Vec<String> = (1..=5)
        .map(|i| {
            line(
                &format!("m{i}"),
                "lisi",
                T + (i - 1) * 60_000,
                "quarterly report",
            )
        })
        .collect();
    lines.push(line("m9", "wangwu", T, "lunch"));
    let input = dir.join("in.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    ok(wcp(&[
        "run",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    out.join("archive-cn.db")
}

#[test]
fn search_and_audit_as_a_reviewer_and_an_auditor() {
    let tmp = tempfile::tempdir().unwrap();
    let db = archive(tmp.path());
    let db = db.to_str().unwrap();

    // No silent default actor.
    let o = wcp(&["archive", "search", "--db", db, "--text", "report"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--actor"));

    // The conversation around m3, one message either side.
    let around = ok(wcp(&[
        "archive", "search", "--db", db, "--actor", "alice", "--msgid", "m3", "--around", "1",
        "--json",
    ]));
    assert_eq!(msgids(&around), ["m2", "m3", "m4"]);

    // The table: msgid, local time, the full conversation id on its own line.
    let table = ok(wcp(&[
        "archive", "search", "--db", db, "--actor", "alice", "--text", "report",
    ]));
    let conv = json_lines(&around)[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        table.contains("msgid") && table.contains("local time"),
        "{table}"
    );
    assert!(table.contains("UTC+08:00"), "{table}");
    assert!(table.contains(&format!("conversation {conv}")), "{table}");
    let m1 = table
        .lines()
        .find(|l| l.starts_with("m1 "))
        .expect("m1 row");
    assert!(m1.contains("2024-11-26 13:46:40"), "{m1}");

    // Dates are local midnight; RFC 3339 times are exact.
    let day = ok(wcp(&[
        "archive",
        "search",
        "--db",
        db,
        "--actor",
        "bob",
        "--from",
        "2024-11-26",
        "--to",
        "2024-11-27",
        "--json",
    ]));
    assert_eq!(msgids(&day).len(), 6);
    let later = ok(wcp(&[
        "archive",
        "search",
        "--db",
        db,
        "--actor",
        "bob",
        "--conversation",
        &conv,
        "--from",
        "2024-11-26T05:47:00Z",
        "--json",
    ]));
    assert_eq!(msgids(&later), ["m2", "m3", "m4", "m5"]);

    // The auditor sees every read at once (from the access log, not yet chained), with the
    // ids each returned, and can narrow by actor.
    let all = json_lines(&ok(wcp(&["archive", "audit", "--db", db, "--json"])));
    let reads: Vec<&serde_json::Value> = all.iter().filter(|v| v["action"] == "search").collect();
    assert_eq!(reads.len(), 4, "{all:#?}");
    assert!(reads.iter().all(|v| v["chained"] == false));
    let first = reads[0];
    assert_eq!(first["actor"], "alice");
    let ids: Vec<&str> = first["detail"]["msgids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    for shown in ["m2", "m3", "m4"] {
        assert!(ids.contains(&shown), "{ids:?}");
    }
    let bob = json_lines(&ok(wcp(&[
        "archive", "audit", "--db", db, "--actor", "bob", "--json",
    ])));
    assert_eq!(bob.len(), 2);
    assert!(bob.iter().all(|v| v["actor"] == "bob"));
    let text = ok(wcp(&["archive", "audit", "--db", db, "--actor", "alice"]));
    assert!(text.contains("log#1") && text.contains("search"), "{text}");
}
