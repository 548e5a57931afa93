//! The capture against a real broker and the stand-in SDK library
//! (`crates/wecom-sdk-standin`): the fixtures round-trip through capture → ingest → … →
//! archive exactly as `wcp run` processes them, with a key rotation mid-stream; key
//! problems go to `chat.dlq` with an alert; a crash, a hang and errors of the library mid
//! batch lose and repeat nothing; 10010 raises the gap alert; fatal conditions stop the
//! service with a clear message.
mod capture_kit;
mod e2e;

use std::collections::BTreeMap;
use std::time::Duration;

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn};
use e2e::kafka::TopicReader;
use e2e::outcome::{Outcome, Sinks};
use e2e::procs::{require_binaries, Pipeline, SERVICES};
use serde_json::json;
use wcp_model::{Alert, DeadLetter};

const TEST: &str = "e2e_capture";

/// The fixtures as the stand-in serves them: one message per non-blank line.
fn fixture_lines() -> Vec<Vec<u8>> {
    let mut lines = Vec::new();
    for f in [
        "wecom_samples.jsonl",
        "wecom_lenient.jsonl",
        "wecom_malformed.jsonl",
    ] {
        let b = std::fs::read(e2e::repo_root().join("fixtures").join(f)).expect("fixture");
        for l in b.split(|c| *c == b'\n') {
            let l = l.strip_suffix(b"\r").unwrap_or(l);
            if !l.iter().all(u8::is_ascii_whitespace) {
                lines.push(l.to_vec());
            }
        }
    }
    lines
}

/// Reads `topic` until at least `n` records and caught up.
fn read(p: &Pipeline, topic: &str, n: usize) -> Vec<e2e::kafka::Record> {
    capture_kit::wait_topic(&p.bootstrap, &p.topic(topic));
    let mut r = TopicReader::new(&p.bootstrap, &p.topic(topic));
    assert!(
        r.drain(n, Duration::from_secs(120)),
        "{topic}: fewer than {n} records"
    );
    r.records
}

#[test]
fn fixtures_round_trip_through_capture_to_the_archive_with_a_key_rotation() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&SERVICES);
    let mut p = Pipeline::new(&bootstrap, "cap-rt");
    let lines = fixture_lines();
    let n = lines.len() as u64;
    // publickey_ver 1 for the first 20 messages, then 2 (a rotation mid-stream).
    let mut standin = StandIn::new(
        &p.dir.path().join("standin"),
        &lines,
        &[(1, 1), (21, 2)],
        false,
    );
    let script = standin.set("first_seq", json!(1)).write();
    let keys = key_dir(
        &p.dir.path().join("keys"),
        &[("v1.pem", "v1.pem"), ("v2.pem", "2")],
    );
    let input = p.dir.path().join("input.jsonl");
    std::fs::write(
        &input,
        lines
            .iter()
            .flat_map(|l| [l.as_slice(), b"\n"].concat())
            .collect::<Vec<u8>>(),
    )
    .expect("input");
    let expected = Outcome::from_reference(&input, &p.dir.path().join("reference"));
    assert!(!expected.archive.is_empty() && !expected.dead_letters.is_empty());

    p.create_topics(3);
    p.start(&SERVICES);
    let mut sinks = Sinks::new(&p);
    let mut cap = Capture::new("a", &p, &script, &keys, &[]);
    cap.spawn();

    // wecom.raw: every message byte for byte, in seq order, with its key version.
    let raw = read(&p, "wecom.raw", lines.len());
    assert_eq!(raw.len(), lines.len(), "wecom.raw holds each message once");
    for (i, r) in raw.iter().enumerate() {
        let seq = i as u64 + 1;
        assert_eq!(seq_of(r), Some(seq), "record {i}");
        assert_eq!(
            r.value, lines[i],
            "seq {seq} differs from the served message"
        );
        let ver = capture_kit::header(r, "publickey_ver");
        assert_eq!(
            ver.as_deref(),
            Some(if seq < 21 { "1" } else { "2" }),
            "seq {seq}"
        );
    }
    eprintln!("{TEST}: {n} messages captured (keys v1 then v2)");
    e2e::outcome::assert_same_as_reference(TEST, &mut p, &mut sinks, &expected);
    assert!(cap.running(), "wcp-capture died:\n{}", cap.log_tail(30));
    assert_eq!(cap.metric("wcp_capture_messages_total"), n as f64);
    assert_eq!(cap.metric("wcp_capture_seq"), n as f64);
}

#[test]
fn key_problems_go_to_the_dead_letter_topic_with_an_alert() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-keys");
    let lines: Vec<Vec<u8>> = (1..=12).map(synthetic_line).collect();
    // seq 5-6 wrapped with version 3, which the capture is not given; seq 9: DecryptData
    // refuses (10006); seq 11: a corrupted random key (RSA fails).
    let mut standin = StandIn::new(
        &p.dir.path().join("standin"),
        &lines,
        &[(1, 1), (5, 3), (7, 2)],
        false,
    );
    standin.fault(
        json!({"call": "DecryptData", "kind": "error", "code": 10006, "at_seq": 9, "times": 0}),
    );
    let script = standin.write();
    let keys = key_dir(
        &p.dir.path().join("keys"),
        &[("v1.pem", "v1.pem"), ("v2.pem", "v2.pem")],
    );
    capture_kit::create_topics(&p, 1);
    let mut cap = Capture::new("a", &p, &script, &keys, &[]);
    cap.spawn();
    let raw = read(&p, "wecom.raw", 9);
    let seqs: Vec<u64> = raw.iter().filter_map(seq_of).collect();
    assert_eq!(seqs, vec![1, 2, 3, 4, 7, 8, 10, 11, 12]);
    let dlq = read(&p, "chat.dlq", 3);
    let mut by_seq = BTreeMap::new();
    for r in &dlq {
        let d: DeadLetter = wcp_schema::decode(&r.value).expect("dead letter");
        let env: serde_json::Value =
            serde_json::from_slice(&d.original).expect("envelope is the encrypted item");
        assert!(env.get("encrypt_chat_msg").is_some() && env.get("encrypt_random_key").is_some());
        assert_eq!(d.stage, "capture");
        by_seq.insert(
            env["seq"].as_u64().unwrap(),
            (d.reason_code, env["publickey_ver"].as_u64()),
        );
    }
    assert_eq!(
        by_seq,
        BTreeMap::from([
            (5, ("unknown_publickey_ver".to_string(), Some(3))),
            (6, ("unknown_publickey_ver".to_string(), Some(3))),
            (9, ("sdk_10006".to_string(), Some(2))),
        ])
    );
    let alerts = read(&p, "chat.alerts", 3);
    let ids: Vec<String> = alerts
        .iter()
        .map(|r| wcp_schema::decode::<Alert>(&r.value).expect("alert"))
        .filter(|a| a.category == "capture_decrypt_failure")
        .map(|a| a.alert_id)
        .collect();
    assert_eq!(ids.len(), 3, "{ids:?}");
    e2e::wait_for("decrypt failure metrics", Duration::from_secs(10), || {
        (cap.sample("wcp_capture_decrypt_failures_total{reason=\"unknown_publickey_ver\"}") == 2.0
            && cap.sample("wcp_capture_decrypt_failures_total{reason=\"sdk_10006\"}") == 1.0
            // Counted with every other service's alerts, so WcpHighSeverityComplianceAlert sees them.
            && cap.sample(
                "wcp_compliance_alerts_total{category=\"capture_decrypt_failure\",severity=\"high\"}",
            ) == 3.0)
            .then_some(())
    });

    // The missing version is installed (a rotated Secret): later messages of version 3 are
    // decrypted without a restart.
    std::fs::copy(capture_kit::key_file("v3.pem"), keys.join("v3.pem")).expect("install v3");
    let more: Vec<Vec<u8>> = (1..=14).map(synthetic_line).collect();
    let mut standin2 = StandIn::new(
        &p.dir.path().join("standin"),
        &more,
        &[(1, 1), (5, 3), (7, 2), (13, 3)],
        false,
    );
    standin2.fault(
        json!({"call": "DecryptData", "kind": "error", "code": 10006, "at_seq": 9, "times": 0}),
    );
    standin2.write();
    // The running stand-in read its script at start: restart the capture (it resumes at 12).
    cap.kill9();
    cap.spawn();
    let raw = read(&p, "wecom.raw", 11);
    let seqs: Vec<u64> = raw.iter().filter_map(seq_of).collect();
    assert_eq!(
        &seqs[9..],
        &[13, 14],
        "v3 messages after the key was installed"
    );
    eprintln!(
        "{TEST}: key problems: dead letters {by_seq:?}; v3 decrypted after install: {:?}",
        &seqs[9..]
    );
}

#[test]
fn crash_hang_and_errors_of_the_library_mid_batch_lose_and_repeat_nothing() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-chaos");
    let n = 3_000u64;
    let lines: Vec<Vec<u8>> = (1..=n).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], true);
    standin
        .fault(json!({"call": "GetChatData", "kind": "segfault", "at_seq": 700}))
        .fault(json!({"call": "DecryptData", "kind": "hang", "at_seq": 1600}))
        .fault(json!({"call": "GetChatData", "kind": "error", "code": 10001, "at_seq": 2200, "times": 2}))
        .fault(json!({"call": "GetChatData", "kind": "slow", "ms": 2500, "at_seq": 2600}))
        .fault(json!({"call": "DecryptData", "kind": "abort", "at_seq": 2900}));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("bulk-v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let mut cap = Capture::new(
        "a",
        &p,
        &script,
        &keys,
        &[
            ("WCP_SDK_BATCH_LIMIT", "500"),
            ("WCP_SDK_TIMEOUT_S", "2"),
            ("WCP_SDK_HANG_GRACE_S", "2"),
        ],
    );
    cap.spawn();
    let raw = read(&p, "wecom.raw", n as usize);
    let seqs: Vec<u64> = raw.iter().filter_map(seq_of).collect();
    let expected: Vec<u64> = (1..=n).collect();
    let same_bytes = raw.iter().zip(&lines).all(|(r, l)| &r.value == l);
    let calls = standin.calls();
    let fired = calls.matches(" fault ").count();
    eprintln!(
        "{TEST}: chaos: {n} messages; wecom.raw {} records, seq contiguous 1..{n}: {}, bytes equal: {same_bytes}; \
         faults fired {fired}; child restarts crash {} hang {}; GetChatData 10001 errors {}",
        raw.len(),
        seqs == expected,
        cap.sample("wcp_capture_child_restarts_total{child=\"chat\",reason=\"crash\"}"),
        cap.sample("wcp_capture_child_restarts_total{child=\"chat\",reason=\"hang\"}"),
        cap.sample("wcp_capture_sdk_errors_total{call=\"GetChatData\",code=\"10001\"}"),
    );
    assert_eq!(seqs, expected, "every seq exactly once, in order");
    assert!(same_bytes, "messages byte for byte");
    assert_eq!(fired, 6, "every scripted fault fired:\n{calls}");
    assert_eq!(
        cap.sample("wcp_capture_child_restarts_total{child=\"chat\",reason=\"crash\"}"),
        2.0
    );
    assert_eq!(
        cap.sample("wcp_capture_child_restarts_total{child=\"chat\",reason=\"hang\"}"),
        1.0
    );
    assert_eq!(
        cap.sample("wcp_capture_sdk_errors_total{call=\"GetChatData\",code=\"10001\"}"),
        2.0
    );
    assert!(cap.running(), "the service itself never went down");
    // The child died of the signal the library raised, as a real crash inside it would.
    let log = cap.log();
    for signal in ["killed by signal 11", "killed by signal 6"] {
        assert!(
            log.contains(signal),
            "log names '{signal}':\n{}",
            cap.log_tail(40)
        );
    }
}

#[test]
fn expired_data_raises_the_gap_alert() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-expired");
    let lines: Vec<Vec<u8>> = (1..=20).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], false);
    // Messages 1-10 expired before the capture ran; the first GetChatData says so.
    standin
        .set("expired_before", json!(11))
        .fault(json!({"call": "GetChatData", "kind": "error", "code": 10010}));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let mut cap = Capture::new("a", &p, &script, &keys, &[]);
    cap.spawn();
    let raw = read(&p, "wecom.raw", 10);
    assert_eq!(
        raw.iter().filter_map(seq_of).collect::<Vec<_>>(),
        (11..=20).collect::<Vec<_>>()
    );
    let alerts = read(&p, "chat.alerts", 1);
    let a: Alert = wcp_schema::decode(&alerts[0].value).expect("alert");
    assert_eq!(a.category, "capture_data_expired");
    assert_eq!(
        a.alert_id,
        format!("capture_data_expired:{}:0", capture_kit::CORP)
    );
    assert_eq!(cap.metric("wcp_capture_data_expired_total"), 1.0);
    assert_eq!(
        cap.sample(
            "wcp_compliance_alerts_total{category=\"capture_data_expired\",severity=\"high\"}"
        ),
        1.0
    );
}

/// The stand-in's other way of expiry (the real SDK's too): no 10010, it serves from the
/// first seq Tencent still has. Seqs 1-2 were gone; a capture from cursor 0 reports them
/// like a 10010 (trial 15d D11: it noticed nothing).
#[test]
fn seqs_skipped_by_the_sdk_raise_the_expired_alert_with_the_range() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-skipped");
    let lines: Vec<Vec<u8>> = (1..=20).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], false);
    standin.set("expired_before", json!(3));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let mut cap = Capture::new("a", &p, &script, &keys, &[("WCP_SDK_BATCH_LIMIT", "5")]);
    cap.spawn();
    let raw = read(&p, "wecom.raw", 18);
    assert_eq!(
        raw.iter().filter_map(seq_of).collect::<Vec<_>>(),
        (3..=20).collect::<Vec<_>>()
    );
    let alerts = read(&p, "chat.alerts", 1);
    assert_eq!(
        alerts.len(),
        1,
        "one alert for the hole, none for later batches"
    );
    let a: Alert = wcp_schema::decode(&alerts[0].value).expect("alert");
    assert_eq!(a.category, "capture_data_expired");
    assert_eq!(
        a.alert_id,
        format!("capture_data_expired:{}:1-2", capture_kit::CORP)
    );
    assert_eq!(cap.metric("wcp_capture_data_expired_total"), 1.0);
    assert_eq!(
        cap.sample(
            "wcp_compliance_alerts_total{category=\"capture_data_expired\",severity=\"high\"}"
        ),
        1.0
    );
    let log = cap.log();
    assert!(
        log.contains("seqs 1-2 were never served: the SDK answered from seq 3"),
        "{}",
        cap.log_tail(20)
    );
}

#[test]
fn fatal_conditions_stop_the_service_with_a_clear_message() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-fatal");
    let lines: Vec<Vec<u8>> = (1..=3).map(synthetic_line).collect();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    p.create_topics(1);
    type Case<'a> = (
        &'a str,
        Option<serde_json::Value>,
        &'a [(&'a str, &'a str)],
        &'a str,
    );
    let cases: [Case; 4] = [
        (
            "nolib",
            None,
            &[("WCP_SDK_LIBRARY", "/nonexistent/libWeWorkFinanceSdk_C.so")],
            "sdk_library /nonexistent/libWeWorkFinanceSdk_C.so: no such file",
        ),
        (
            "secret",
            None,
            &[("WCP_SDK_SECRET", "wrong")],
            "refused Init",
        ),
        (
            "ip",
            Some(json!({"call": "GetChatData", "kind": "error", "code": 10009, "times": 0})),
            &[],
            "allow list",
        ),
        (
            "cert",
            Some(json!({"call": "GetChatData", "kind": "error", "code": 10011, "times": 0})),
            &[],
            "certificate",
        ),
    ];
    for (name, fault, env, needle) in cases {
        let mut standin = StandIn::new(&p.dir.path().join(name), &lines, &[(1, 1)], false);
        if let Some(f) = fault {
            standin.fault(f);
        }
        let script = standin.write();
        let mut cap = Capture::new(name, &p, &script, &keys, env);
        cap.spawn();
        let code = cap.wait_exit(Duration::from_secs(60));
        // A missing library is a configuration error (exit 2), the SDK's refusals fatal (1).
        let want = if name == "nolib" { 2 } else { 1 };
        assert_eq!(code, Some(want), "{name}: exit code");
        assert!(
            cap.log().contains(needle),
            "{name}: log lacks `{needle}`:\n{}",
            cap.log_tail(10)
        );
        eprintln!("{TEST}: {name}: exit {want} with `{needle}`");
    }
}
