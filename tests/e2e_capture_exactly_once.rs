//! Exactly-once capture under kill -9: the stand-in SDK serves 50,000 messages; two
//! `wcp-capture` instances run for the same corp (one active, one standby). The active one is
//! SIGKILLed at random moments, some times restarted at once (it takes its place back), some
//! times left down until the standby has taken over. Afterwards `wecom.raw`, read
//! `read_committed`, holds every seq exactly once, contiguous, each message byte for byte.
//!
//! `WCP_E2E_CAPTURE_MESSAGES` (default 50000) and `WCP_E2E_CAPTURE_KILLS` (default 4)
//! tune the run.
mod capture_kit;
mod e2e;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn};
use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};
use serde_json::json;

const TEST: &str = "e2e_capture_exactly_once";

fn env_num(key: &str, default: u64) -> u64 {
    std::env::var(key)
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(default)
}

#[test]
fn no_seq_lost_or_duplicated_under_kill_9_and_standby_takeover() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let n = env_num("WCP_E2E_CAPTURE_MESSAGES", 50_000);
    let kills = env_num("WCP_E2E_CAPTURE_KILLS", 4) as usize;
    let started = Instant::now();
    let p = Pipeline::new(&bootstrap, "cap-eo");
    let lines: Vec<Vec<u8>> = (1..=n).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], true);
    // Every GetChatData takes 100 ms, as a remote server would: the run lasts long enough
    // for the kills to land mid-stream.
    standin.fault(json!({"call": "GetChatData", "kind": "slow", "ms": 100, "times": 0}));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("bulk-v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let env: &[(&str, &str)] = &[("WCP_SDK_BATCH_LIMIT", "250")];
    let mut caps = [
        Capture::new("a", &p, &script, &keys, env),
        Capture::new("b", &p, &script, &keys, env),
    ];
    caps[0].spawn();
    e2e::wait_for("instance a active", Duration::from_secs(60), || {
        caps[0].is_active().then_some(())
    });
    caps[1].spawn();

    let mut rng = e2e::Rng::new();
    let mut takeovers = 0;
    let mut events = Vec::new();
    for k in 0..kills {
        std::thread::sleep(Duration::from_millis(rng.range(2_000, 6_000)));
        let active = wait_active(&mut caps);
        let at = started.elapsed().as_secs_f64();
        let seq = caps[active].metric("wcp_capture_seq");
        caps[active].kill9();
        let other = 1 - active;
        if k % 2 == 0 {
            // Restarted at once: static group membership gives it its place back.
            std::thread::sleep(Duration::from_millis(rng.range(200, 1_500)));
            caps[active].spawn();
            events.push(format!(
                "{at:.1}s kill -9 {} at seq {seq}, restarted",
                caps[active].name
            ));
        } else {
            // Left down: the standby takes over after the session timeout.
            let t0 = Instant::now();
            e2e::wait_for("standby takeover", Duration::from_secs(90), || {
                caps[other].is_active().then_some(())
            });
            takeovers += 1;
            events.push(format!(
                "{at:.1}s kill -9 {} at seq {seq}, {} took over in {:.1}s",
                caps[active].name,
                caps[other].name,
                t0.elapsed().as_secs_f64()
            ));
            caps[active].spawn();
        }
        eprintln!("{TEST}: {}", events.last().unwrap());
    }

    let mut raw = TopicReader::new(&bootstrap, &p.topic("wecom.raw"));
    let drained = raw.drain(n as usize, Duration::from_secs(600));
    for c in caps.iter_mut() {
        assert!(
            c.running(),
            "wcp-capture {} died:\n{}",
            c.name,
            c.log_tail(30)
        );
    }
    let seqs: Vec<u64> = raw.records.iter().filter_map(seq_of).collect();
    let mut count: BTreeMap<u64, usize> = BTreeMap::new();
    for s in &seqs {
        *count.entry(*s).or_default() += 1;
    }
    let lost = (1..=n).filter(|s| !count.contains_key(s)).count();
    let duplicated: usize = count.values().map(|c| c - 1).sum();
    let contiguous = seqs.iter().enumerate().all(|(i, s)| *s == i as u64 + 1);
    let bytes_equal = raw
        .records
        .iter()
        .filter_map(|r| Some((seq_of(r)?, &r.value)))
        .all(|(s, v)| lines.get(s as usize - 1) == Some(v));
    let restarts: f64 = caps
        .iter()
        .map(|c| c.metric("wcp_capture_child_restarts_total"))
        .sum();
    eprintln!(
        "{TEST}: {n} messages, {kills} kill -9 ({takeovers} standby takeovers), {:.0}s in all (drained: {drained})\n\
         {TEST}: wecom.raw (read_committed): expected {n} got {} lost {lost} duplicated {duplicated}; \
         seq contiguous: {contiguous}; bytes equal: {bytes_equal}; SDK child restarts {restarts}",
        started.elapsed().as_secs_f64(),
        seqs.len(),
    );
    assert_eq!((lost, duplicated), (0, 0), "wecom.raw lost/duplicated");
    assert!(contiguous, "seq contiguous in wecom.raw order");
    assert!(bytes_equal, "every message byte for byte");
    assert!(takeovers >= kills / 2, "standby takeovers");
}

/// The index of the active instance (waits for one).
fn wait_active(caps: &mut [Capture; 2]) -> usize {
    e2e::wait_for("an active capture", Duration::from_secs(90), || {
        (0..2).find(|&i| caps[i].is_active())
    })
}
