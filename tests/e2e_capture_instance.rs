//! One `wcp-capture` process per `instance_id` (issue 15, trial 3, D3), against the real
//! broker and the stand-in SDK: a second process started with the `instance_id` of a live
//! one stops with exit 1 naming the first, which keeps capturing; a process fenced anyway
//! (another member joined with its `group.instance.id`) stops at once with exit 1, reporting
//! `wcp_capture_active` 0 and not ready meanwhile, and writes nothing to `wecom.raw` after
//! it learnt of the fence; SIGTERM stops a capture with exit 0 and no ERROR line in its log.
mod capture_kit;
mod e2e;

use std::time::{Duration, Instant, SystemTime, UNIX_EPOCH};

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn, CORP};
use e2e::kafka::TopicReader;
use e2e::ops::get;
use e2e::procs::{require_binaries, Pipeline};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;
use serde_json::json;

const TEST: &str = "e2e_capture_instance";
/// GetChatData batch size: small, so a commit follows every (slow) call.
const BATCH: u64 = 5;

/// A pipeline whose stand-in serves `n` messages, one GetChatData per `slow_ms`.
fn setup(
    name: &str,
    n: u64,
    slow_ms: u64,
) -> (String, Pipeline, std::path::PathBuf, std::path::PathBuf) {
    let bootstrap = e2e::bootstrap_or_skip(TEST).expect("bootstrap");
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, name);
    let lines: Vec<Vec<u8>> = (1..=n).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], false);
    standin.fault(json!({"call": "GetChatData", "kind": "slow", "ms": slow_ms, "times": 0}));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    (bootstrap, p, script, keys)
}

fn env() -> Vec<(&'static str, String)> {
    vec![
        ("WCP_INSTANCE_ID", "first".to_string()),
        ("WCP_SDK_BATCH_LIMIT", BATCH.to_string()),
    ]
}

fn start(name: &str, p: &Pipeline, script: &std::path::Path, keys: &std::path::Path) -> Capture {
    let env = env();
    let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
    let mut c = Capture::new(name, p, script, keys, &env);
    c.spawn();
    c
}

fn wait_capturing(c: &Capture, seq: f64) {
    e2e::wait_for(
        &format!("{} active past seq {seq}", c.name),
        Duration::from_secs(90),
        || (c.is_active() && c.metric("wcp_capture_seq") >= seq).then_some(()),
    );
}

#[test]
fn a_second_capture_with_a_live_id_stops_naming_the_first() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    let (_, p, script, keys) = setup("cap-inst", 10_000, 200);
    let mut first = start("a", &p, &script, &keys);
    wait_capturing(&first, 5.0);

    // Same instance_id, another process (its own ops port and log).
    let mut second = start("b", &p, &script, &keys);
    // It waits out a session timeout (a killed predecessor would be gone by then), then stops.
    let code = second.wait_exit(Duration::from_secs(60));
    let log = second.log();
    assert_eq!(code, Some(1), "the second capture did not stop:\n{log}");
    assert!(
        log.contains("another instance of wcp-capture with instance_id \"first\" is running")
            && log.contains(&format!("-{CORP}"))
            && log.contains("member "),
        "the message does not name the other instance and the corp's group:\n{log}"
    );
    assert!(
        !log.contains("capture partition assigned"),
        "the second capture joined the group:\n{log}"
    );

    // The first one never noticed: still running, ready, capturing.
    assert!(first.running(), "{}", first.log_tail(20));
    let seq = first.metric("wcp_capture_seq");
    wait_capturing(&first, seq + 1.0);
    assert_eq!(get(&first.ops_addr, "/readyz").map(|r| r.status), Some(200));
    assert!(!first.log().contains("fenced"), "{}", first.log_tail(20));

    // SIGTERM: exit 0 within the deadline, and a clean stop logs no ERROR (a trial saw
    // rdkafka's "Failed to close consumer queue on drop" on every stop).
    let code = first.terminate(Duration::from_secs(25));
    assert_eq!(code, Some(0), "SIGTERM:\n{}", first.log_tail(20));
    let errors = first.error_lines();
    assert!(
        errors.is_empty(),
        "ERROR lines on a clean run and stop:\n{}",
        errors.join("\n")
    );
    // "stopped cleanly" is the last line: the membership's rebalance lines come before it,
    // and leaving is no "revoked: standing by" (trial 19a D9).
    let log = first.log();
    let after = log
        .rsplit_once("stopped cleanly")
        .map(|(_, a)| a.trim().to_string());
    assert_eq!(after.as_deref(), Some(""), "{}", first.log_tail(20));
    assert!(
        !log.contains("revoked: standing by"),
        "{}",
        first.log_tail(20)
    );
    // A stopped instance left the group: a process started again with its id is not
    // "another instance", and it captures again.
    let mut again = start("c", &p, &script, &keys);
    wait_capturing(&again, seq + 2.0);
    assert!(
        !again.log().contains("another instance"),
        "{}",
        again.log_tail(20)
    );
    again.kill9();
    eprintln!(
        "{TEST}: second instance refused; first kept capturing; SIGTERM clean; restart captures"
    );
}

#[test]
fn a_fenced_capture_stops_at_once_and_writes_nothing_more() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    let (bootstrap, p, script, keys) = setup("cap-fence", 10_000, 500);
    let mut cap = start("a", &p, &script, &keys);
    wait_capturing(&cap, 10.0);

    // What a second process that passed the start-up check at the same moment does: join
    // the corp's group with this instance's group.instance.id. The broker fences `cap`.
    let group = corp_group(&bootstrap, &p.prefix);
    let fencer: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .set("group.id", &group)
        .set("group.instance.id", format!("first-{CORP}"))
        .set("client.id", "e2e-fencer")
        .set("session.timeout.ms", "10000")
        .set("enable.auto.commit", "false")
        .create()
        .expect("fencer");
    fencer
        .subscribe(&[&p.topic("capture.cursor")])
        .expect("subscribe");
    let fenced_at = Instant::now();
    // When librdkafka in the capture reported the fence (seen in its log; at the latest,
    // when the process is seen gone).
    let mut fence_seen_ms: Option<i64> = None;
    let mut lies = Vec::new();
    let code = loop {
        let _ = fencer.poll(Duration::from_millis(50));
        let log = cap.log();
        if fence_seen_ms.is_none() && log.contains("Static consumer fenced") {
            fence_seen_ms = Some(now_ms());
        }
        // Once the process says it stops, it must not claim to capture or be ready.
        if log.contains("was fenced out of group") {
            let active = cap.metric("wcp_capture_active");
            let ready = get(&cap.ops_addr, "/readyz").map(|r| r.status);
            if active != 0.0 || ready == Some(200) {
                lies.push(format!("active {active}, /readyz {ready:?}"));
            }
        }
        if !cap.running() {
            fence_seen_ms.get_or_insert_with(now_ms);
            break cap.wait_exit(Duration::from_secs(1));
        }
        assert!(
            fenced_at.elapsed() < Duration::from_secs(30),
            "the fenced capture still runs after 30 s (active {}, /readyz {:?}):\n{}",
            cap.metric("wcp_capture_active"),
            get(&cap.ops_addr, "/readyz").map(|r| (r.status, r.body)),
            cap.log_tail(20)
        );
    };
    let took = fenced_at.elapsed();
    let log = cap.log();
    assert_eq!(code, Some(1), "exit code:\n{}", cap.log_tail(20));
    assert!(
        log.contains(&format!("was fenced out of group {group}"))
            && log.contains("instance_id \"first\""),
        "the last line does not say what happened:\n{}",
        cap.log_tail(10)
    );
    assert!(lies.is_empty(), "while stopping: {lies:?}");

    // Nothing written once the process knew of the fence: every commit is preceded by the
    // check, so a record sent (timestamped) later than the fence's report cannot exist
    // (0.5 s for the clocks of the log line and this loop).
    let seen = fence_seen_ms.expect("set at exit at the latest");
    let mut raw = TopicReader::new(&bootstrap, &p.topic("wecom.raw"));
    raw.drain(10, Duration::from_secs(30));
    let late: Vec<(Option<u64>, i64)> = raw
        .records
        .iter()
        .filter(|r| r.timestamp_ms > seen + 500)
        .map(|r| (seq_of(r), r.timestamp_ms - seen))
        .collect();
    assert!(
        late.is_empty(),
        "written after the fence (seq, ms after it was reported): {late:?}"
    );
    let max = raw.records.iter().filter_map(seq_of).max().unwrap_or(0);
    eprintln!(
        "{TEST}: exit 1 {:.1}s after the fencing member joined; wecom.raw ends at seq {max}, \
         nothing written after the fence",
        took.as_secs_f64()
    );
}

fn now_ms() -> i64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map(|d| d.as_millis() as i64)
        .unwrap_or(0)
}

/// The capture's group for `CORP` (`<prefix>…wcp-capture-<corp>`), as the broker lists it.
fn corp_group(bootstrap: &str, prefix: &str) -> String {
    let admin: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .create()
        .expect("admin");
    e2e::wait_for("the capture's group", Duration::from_secs(30), || {
        let list = admin.fetch_group_list(None, Duration::from_secs(5)).ok()?;
        list.groups()
            .iter()
            .map(|g| g.name().to_string())
            .find(|n| n.starts_with(prefix) && n.ends_with(&format!("-{CORP}")))
    })
}
