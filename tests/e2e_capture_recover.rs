//! The capture's recovery commands against a real broker and the stand-in SDK library, run
//! exactly as docs/RUNBOOK.md writes them (`wcp-capture redecrypt`, `wcp-capture refetch
//! …`): dead letters of an unknown key version recovered into `wecom.raw` once the key is
//! installed, exactly once however often the command runs; a seq range the live capture
//! passed fetched again without duplicating a msgid and without moving the live cursor.
mod capture_kit;
mod e2e;

use std::time::Duration;

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn, CORP};
use e2e::kafka::{RawProducer, Record, TopicReader};
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "e2e_capture_recover";

/// The RUNBOOK's `wcp-capture <sub>` command spans, in order.
fn runbook_commands(sub: &str) -> Vec<String> {
    let md = std::fs::read_to_string(e2e::repo_root().join("docs/RUNBOOK.md")).expect("RUNBOOK");
    let start = format!("wcp-capture {sub}");
    // The same command cited by two entries (WcpWeComSeqGap sends dead-lettered gaps to
    // WcpCaptureDecryptFailures' `redecrypt`) is one command.
    let mut found: Vec<String> = Vec::new();
    for cmd in md
        .split('`')
        .skip(1)
        .step_by(2)
        .map(|s| s.split_whitespace().collect::<Vec<_>>().join(" "))
        .filter(|s| s.starts_with(&start))
    {
        if !found.contains(&cmd) {
            found.push(cmd);
        }
    }
    assert!(
        !found.is_empty(),
        "docs/RUNBOOK.md has no `{start}` command"
    );
    found
}

/// Everything in `topic` once caught up (and quiet for a moment, so a late duplicate shows).
fn all(p: &Pipeline, topic: &str, at_least: usize) -> Vec<Record> {
    capture_kit::wait_topic(&p.bootstrap, &p.topic(topic));
    let mut r = TopicReader::new(&p.bootstrap, &p.topic(topic));
    assert!(
        r.drain(at_least, Duration::from_secs(120)),
        "{topic}: fewer than {at_least} records"
    );
    r.poll_for(Duration::from_secs(2));
    r.records
}

fn seqs(records: &[Record]) -> Vec<u64> {
    let mut s: Vec<u64> = records.iter().filter_map(seq_of).collect();
    s.sort_unstable();
    s
}

/// Runs `line`, asserting success and that the output holds each of `expect`.
fn run(cap: &Capture, line: &str, expect: &[&str]) -> String {
    let (ok, out) = cap.sh(line);
    assert!(ok, "`{line}` failed:\n{out}");
    for e in expect {
        assert!(out.contains(e), "`{line}`: no `{e}` in:\n{out}");
    }
    eprintln!("{TEST}: $ {line}\n{}", out.trim_end());
    out
}

#[test]
fn dead_letters_of_an_unknown_key_are_recovered_once_after_the_key_is_installed() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-redecrypt");
    let lines: Vec<Vec<u8>> = (1..=12).map(synthetic_line).collect();
    // seq 5-6 wrapped with version 3, which is not installed at first.
    let standin = StandIn::new(
        &p.dir.path().join("standin"),
        &lines,
        &[(1, 1), (5, 3), (7, 1)],
        false,
    );
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let mut cap = Capture::new("a", &p, &script, &keys, &[]);
    cap.spawn();
    assert_eq!(
        seqs(&all(&p, "wecom.raw", 10)),
        vec![1, 2, 3, 4, 7, 8, 9, 10, 11, 12]
    );
    assert_eq!(all(&p, "chat.dlq", 2).len(), 2);
    let [cmd] = runbook_commands("redecrypt")
        .try_into()
        .expect("one command");

    // The key is still missing: nothing is recovered, both are reported as still failing.
    run(
        &cap,
        &cmd,
        &[
            "dead letters of the capture in chat.dlq: 2",
            "recovered (written to wecom.raw): 0",
            "still failing: 2 (unknown_publickey_ver: 2)",
        ],
    );
    assert_eq!(all(&p, "wecom.raw", 10).len(), 10);

    std::fs::copy(capture_kit::key_file("v3.pem"), keys.join("v3.pem")).expect("install v3");
    run(
        &cap,
        &cmd,
        &["recovered (written to wecom.raw): 2", "still failing: 0"],
    );
    let raw = all(&p, "wecom.raw", 12);
    assert_eq!(seqs(&raw), (1..=12).collect::<Vec<_>>(), "each seq once");
    for r in raw.iter().filter(|r| matches!(seq_of(r), Some(5 | 6))) {
        let seq = seq_of(r).unwrap();
        assert_eq!(r.value, lines[seq as usize - 1], "seq {seq} byte for byte");
        assert_eq!(
            capture_kit::header(r, "publickey_ver").as_deref(),
            Some("3")
        );
        assert_eq!(capture_kit::header(r, "corp_id").as_deref(), Some(CORP));
    }

    // Again (an operator repeating it, a run killed and restarted): nothing twice.
    run(
        &cap,
        &cmd,
        &[
            "recovered (written to wecom.raw): 0",
            "already in wecom.raw: 2",
        ],
    );
    assert_eq!(
        seqs(&all(&p, "wecom.raw", 12)),
        (1..=12).collect::<Vec<_>>()
    );
    assert!(
        cap.running(),
        "the live capture runs on:\n{}",
        cap.log_tail(20)
    );
}

#[test]
fn a_seq_range_is_fetched_again_once_without_moving_the_live_cursor() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-refetch");
    let lines: Vec<Vec<u8>> = (1..=20).map(synthetic_line).collect();
    // seq 3 wrapped with version 3, which is not installed: the refetch dead-letters it.
    let standin = StandIn::new(
        &p.dir.path().join("standin"),
        &lines,
        &[(1, 1), (3, 3), (4, 1)],
        false,
    );
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    // A cursor restored past seqs 1-10 (the gap): the capture resumes at 11.
    let producer = RawProducer::new(&bootstrap);
    let cursor = serde_json::json!({"corp_id": CORP, "seq": 10}).to_string();
    producer.send(
        &p.topic("capture.cursor"),
        0,
        CORP.as_bytes(),
        cursor.as_bytes(),
    );
    producer.flush();
    let mut cap = Capture::new("a", &p, &script, &keys, &[]);
    cap.spawn();
    assert_eq!(
        seqs(&all(&p, "wecom.raw", 10)),
        (11..=20).collect::<Vec<_>>()
    );
    e2e::wait_for("cursor 20", Duration::from_secs(30), || {
        (cap.metric("wcp_capture_seq") == 20.0).then_some(())
    });
    let cursors = all(&p, "capture.cursor", 2).len();

    let (ok, out) = cap.sh("wcp-capture refetch --from 15 --to 25");
    assert!(
        !ok && out.contains("past the live capture's committed cursor 20"),
        "{out}"
    );
    let [cmd] = runbook_commands("refetch").try_into().expect("one command");
    let line = cmd
        .replace("<first missing seq>", "1")
        .replace("<last missing seq>", "20");
    assert!(
        !line.contains('<'),
        "a placeholder the test does not fill: {cmd}"
    );
    run(
        &cap,
        &line,
        &[
            "fetched from the SDK: 20",
            "written to wecom.raw: 9",
            "already in wecom.raw: 10",
            "not decryptable: 1 (unknown_publickey_ver: 1); new dead letters: 1",
        ],
    );
    let raw = all(&p, "wecom.raw", 19);
    let expected: Vec<u64> = (1..=20).filter(|s| *s != 3).collect();
    assert_eq!(seqs(&raw), expected, "each seq once");
    for r in &raw {
        let seq = seq_of(r).unwrap();
        assert_eq!(r.value, lines[seq as usize - 1], "seq {seq} byte for byte");
    }
    let dlq = all(&p, "chat.dlq", 1);
    assert_eq!(dlq.len(), 1, "seq 3 dead-lettered once");

    run(
        &cap,
        &line,
        &[
            "written to wecom.raw: 0",
            "already in wecom.raw: 19",
            "new dead letters: 0",
        ],
    );
    assert_eq!(seqs(&all(&p, "wecom.raw", 19)), expected);
    assert_eq!(all(&p, "chat.dlq", 1).len(), 1);
    let after = all(&p, "capture.cursor", cursors);
    assert_eq!(after.len(), cursors, "the refetch wrote no cursor");
    assert_eq!(cap.metric("wcp_capture_seq"), 20.0);
    assert!(
        cap.running(),
        "the live capture runs on:\n{}",
        cap.log_tail(20)
    );
}
