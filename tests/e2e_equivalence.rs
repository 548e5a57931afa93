//! End to end: all seven services, each its own process on a real broker, yield exactly the
//! archive rows, alerts, anonymised events and dead letters that `wcp run` yields for the
//! same input: the repo's sample, lenient and malformed WeCom fixtures, then a capture
//! stretch with `seq` numbers where a poison record reveals a gap, recalls whose original
//! lies thousands of records (many batches) away, before and after the recall, and re-sent
//! msgids (same seq; a later seq that reveals a gap): one event each, the gap alert anyway;
//! and a record over `[input] max_record_bytes` that reveals a gap (both runners get the same
//! policy: the gap alert, then the dead letter with its bytes).
mod e2e;

use e2e::outcome::{Outcome, Sinks};
use e2e::procs::{require_binaries, Pipeline, SERVICES};

const TEST: &str = "e2e_equivalence";
/// `[input] max_record_bytes` of both runners here.
const MAX_RECORD: usize = 2048;

#[test]
fn services_yield_what_wcp_run_yields() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&SERVICES);
    let mut p = Pipeline::new(&bootstrap, "eq");
    let input = p.dir.path().join("input.jsonl");
    let mut bytes = Vec::new();
    for f in [
        "wecom_samples.jsonl",
        "wecom_lenient.jsonl",
        "wecom_malformed.jsonl",
    ] {
        let mut b = std::fs::read(e2e::repo_root().join("fixtures").join(f)).expect("fixture");
        if !b.ends_with(b"\n") {
            b.push(b'\n');
        }
        bytes.extend(b);
    }
    bytes.extend(capture_stretch());
    std::fs::write(&input, &bytes).expect("write input");

    // A small record limit (the ingest step is the only one that reads `[input]`): the
    // stretch's oversize record is over it, every other line under it.
    let policy = p.dir.path().join("policy.toml");
    let text = wcp_stages::policy::BUILTIN_POLICY.replace(
        "max_record_bytes = 16777216",
        &format!("max_record_bytes = {MAX_RECORD}"),
    );
    assert_ne!(text, wcp_stages::policy::BUILTIN_POLICY);
    std::fs::write(&policy, text).expect("write policy");
    let policy = policy.to_str().expect("utf-8 path");
    let expected = Outcome::from_reference_with(
        &input,
        &p.dir.path().join("reference"),
        &["--policy", policy],
    );
    // An empty reference would make the comparison prove nothing.
    assert!(!expected.archive.is_empty(), "wcp run archived nothing");
    assert!(!expected.alerts.is_empty(), "wcp run raised no alert");
    assert!(
        !expected.anonymised.is_empty(),
        "wcp run anonymised nothing"
    );
    assert!(
        !expected.dead_letters.is_empty(),
        "wcp run dead-lettered nothing"
    );
    let has_alert = |id: &str| expected.alerts.iter().any(|(a, _)| a == id);
    assert!(has_alert("seq_gap:1002-1004"), "the poison record's gap");
    assert!(
        has_alert("xb-flag1:recall_of_flagged"),
        "recall after its original"
    );
    assert!(
        has_alert("xb-flag2:recall_of_flagged"),
        "recall before its original"
    );
    assert!(
        expected
            .dead_letters
            .iter()
            .any(|(code, _)| code == "time_out_of_range"),
        "the poison record is dead-lettered"
    );
    // Re-sent msgids: the gap a later seq reveals is news, the message is not.
    assert!(has_alert("seq_gap:1007-1009"), "the re-sent copy's gap");
    let twice: Vec<_> = e2e::outcome::counts(&expected.alerts)
        .into_iter()
        .filter(|(_, n)| *n > 1)
        .collect();
    assert!(twice.is_empty(), "alerts raised twice: {twice:?}");
    // The oversize record: its seq observed (gap 1011–1014 alerts, 1015 is not missing), its
    // bytes in the dead letter.
    assert!(has_alert("seq_gap:1011-1014"), "the oversize record's gap");
    assert!(
        expected
            .dead_letters
            .iter()
            .any(|(code, bytes)| code == "record_too_large" && bytes.len() > MAX_RECORD),
        "the oversize record is dead-lettered with its bytes"
    );
    for msgid in ["xb-seq6", "xb-flag1"] {
        let n = expected
            .anonymised
            .iter()
            .filter(|(m, _)| m == msgid)
            .count();
        assert_eq!(n, 1, "{msgid} anonymised once");
    }

    p.create_topics(3);
    let others: Vec<&str> = SERVICES.into_iter().filter(|s| *s != "ingest").collect();
    p.start(&others);
    let ingest = p.spawn_extra("ingest", "ingest", &[("WCP_POLICY_FILE", policy)]);
    p.services.push(ingest);
    p.service("ingest")
        .wait_ready(std::time::Duration::from_secs(90));
    let mut sinks = Sinks::new(&p);
    p.produce_file(&input);
    e2e::outcome::assert_same_as_reference(TEST, &mut p, &mut sinks, &expected);
    anchors_catch_a_cut_tail(&p);
}

/// The archiver published each region's signed head to `archive.anchors`: `wcp archive
/// verify --anchors kafka:…` passes on its archives and fails `truncated` on a copy whose
/// tail was cut at a checkpoint (a cut the file alone cannot show).
fn anchors_catch_a_cut_tail(p: &Pipeline) {
    let topic = format!("kafka:{}", p.topic("archive.anchors"));
    let verify = |db: &std::path::Path| {
        std::process::Command::new(e2e::wcp_bin())
            .args(["archive", "verify", "--db"])
            .arg(db)
            // A small limit: the cut must be named even behind the projections' problems.
            .args([
                "--anchors",
                &topic,
                "--bootstrap",
                &p.bootstrap,
                "--limit",
                "5",
            ])
            .output()
            .expect("wcp archive verify")
    };
    let dbs: Vec<std::path::PathBuf> = std::fs::read_dir(p.archive_dir())
        .expect("archive dir")
        .flatten()
        .map(|e| e.path())
        .filter(|f| {
            f.extension().is_some_and(|x| x == "db") && !f.to_string_lossy().ends_with(".access.db")
        })
        .collect();
    assert!(!dbs.is_empty(), "the archiver wrote no archive");
    for db in &dbs {
        let o = verify(db);
        assert!(
            o.status.success(),
            "{}: {}{}",
            db.display(),
            String::from_utf8_lossy(&o.stdout),
            String::from_utf8_lossy(&o.stderr)
        );
    }
    // A copy of the biggest region's archive, cut back to an earlier checkpoint.
    let db = dbs
        .iter()
        .max_by_key(|d| std::fs::metadata(d).map(|m| m.len()).unwrap_or(0))
        .unwrap();
    let cut_dir = p.dir.path().join("cut");
    std::fs::create_dir_all(&cut_dir).unwrap();
    let copy = cut_dir.join(db.file_name().unwrap());
    let conn = rusqlite::Connection::open(db).unwrap();
    conn.execute("VACUUM INTO ?1", [copy.to_string_lossy()])
        .unwrap();
    drop(conn);
    let conn = rusqlite::Connection::open(&copy).unwrap();
    let cut: i64 = conn
        .query_row(
            "SELECT MAX(seq) FROM checkpoints WHERE seq < (SELECT MAX(seq) FROM checkpoints)",
            [],
            |r| r.get(0),
        )
        .expect("the archive has two checkpoints");
    conn.execute_batch(&format!(
        "DELETE FROM records WHERE seq > {cut}; DELETE FROM checkpoints WHERE seq > {cut};"
    ))
    .unwrap();
    drop(conn);
    let o = verify(&copy);
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(out.contains("cut off"), "{out}");
}

/// Lines of one conversation (one partition, so its order holds in both runners), each with
/// its capture `seq`: a record 1005 that is poison (its time is absurd) right after 1001,
/// revealing the gap 1002–1004; a recall of a flagged message 2,100 records after it, and a
/// recall that comes 2,100 records before its flagged original (more than an archive batch
/// of 2,000 and several service batches of 500 apart). Then re-sent copies: 1006 again with
/// its own seq, and the flagged 1 with seq 1010 (revealing the gap 1007–1009). Then a record
/// over `MAX_RECORD` with seq 1015 (revealing the gap 1011–1014).
fn capture_stretch() -> Vec<u8> {
    const T: i64 = 1_732_700_000_000;
    let msg = |msgid: &str, t: i64, content: &str| {
        format!(
            r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["liuyang"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{content}"}}}}"#
        )
    };
    let recall = |msgid: &str, t: i64, target: &str| {
        format!(
            r#"{{"msgid":"{msgid}","action":"recall","from":"zhangwei","tolist":["liuyang"],"roomid":"","msgtime":{t},"msgtype":"revoke","revoke":{{"pre_msgid":"{target}"}}}}"#
        )
    };
    let with_seq = |seq: u64, line: String| format!("{{\"seq\":{seq},{}", &line[1..]);
    let mut lines = vec![
        with_seq(1001, msg("xb-seq1", T, "开盘前碰一下")),
        with_seq(
            1005,
            r#"{"msgid":"xb-poison","action":"send","from":"zhangwei","tolist":["liuyang"],"roomid":"","msgtime":99999999999999999999,"msgtype":"text","text":{"content":"x"}}"#.to_string(),
        ),
        with_seq(1006, msg("xb-seq6", T + 1, "收到")),
        msg("xb-flag1", T + 10, "放心，这个肯定稳赚，年化8%保底"),
        with_seq(1006, msg("xb-seq6", T + 1, "收到")),
        with_seq(1010, msg("xb-flag1", T + 10, "放心，这个肯定稳赚，年化8%保底")),
        recall("xb-recall2", T + 20, "xb-flag2"),
        // Over MAX_RECORD (3 bytes a character), under the broker's message size.
        with_seq(1015, msg("xb-big", T + 30, &"大".repeat(1_000))),
    ];
    for i in 0..2_100 {
        lines.push(msg(
            &format!("xb-fill-a{i}"),
            T + 100 + i,
            &format!("第{i}条日常沟通"),
        ));
    }
    lines.push(recall("xb-recall1", T + 5_000, "xb-flag1"));
    for i in 0..2_100 {
        lines.push(msg(
            &format!("xb-fill-b{i}"),
            T + 10_000 + i,
            &format!("第{i}条进度"),
        ));
    }
    lines.push(msg("xb-flag2", T + 15, "内幕消息，明天公告前先买入"));
    let mut out = lines.join("\n").into_bytes();
    out.push(b'\n');
    out
}
