//! A broker outage as the capture and the lag exporter live it (issue 15 trial 15d, D3/D4),
//! against a private scripts/kafka.sh broker that the test stops and starts, and the stand-in
//! SDK: an instance that started as a standby and took the corp over after a kill -9 follows
//! the broker like every service (`/readyz` 503 naming the broker while it is down, whether
//! it holds the corp or stands by; 200 again when it returns), and neither the captures nor
//! the lag exporter log librdkafka's repeats unlimited (a trial counted ~300 lines a minute
//! of `Global error: AllBrokersDown`): the first line of a kind, then a summary per 30 s.
mod capture_kit;
mod e2e;

use std::time::{Duration, Instant};

use capture_kit::{key_dir, synthetic_line, Capture, StandIn};
use e2e::ops::get;
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "e2e_capture_outage";
/// Past the log limit's 30 s window, so a summary is due.
const OUTAGE: Duration = Duration::from_secs(45);
/// Lines a process may log in `OUTAGE` (the stages log ~6 a minute; a flood is ~300).
const MAX_LINES: usize = 40;

fn capture(name: &str, p: &Pipeline, script: &std::path::Path, keys: &std::path::Path) -> Capture {
    let mut c = Capture::new(name, p, script, keys, &[("WCP_SDK_BATCH_LIMIT", "5")]);
    c.spawn();
    c
}

/// `/readyz` of `addr` answers 503 naming the broker as unreachable, within a minute.
fn wait_503(what: &str, addr: &str, bootstrap: &str) -> String {
    let want = format!("Kafka broker {bootstrap} unreachable for");
    e2e::wait_for(
        &format!("{what} /readyz 503 while the broker is down"),
        Duration::from_secs(60),
        || {
            let r = get(addr, "/readyz")?;
            (r.status == 503 && r.body.contains(&want)).then_some(r.body)
        },
    )
}

#[test]
fn a_capture_that_took_over_follows_the_broker_and_outage_logs_are_rate_limited() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    require_binaries(&["capture", "lag-exporter"]);
    let Some(broker) = e2e::broker::PrivateBroker::start() else {
        eprintln!("{TEST}: SKIPPED: no scripts/kafka.sh jar cache");
        return;
    };
    let mut p = Pipeline::new(&broker.bootstrap, "capout");
    let lines: Vec<Vec<u8>> = (1..=100_000).map(synthetic_line).collect();
    let mut standin = StandIn::new(&p.dir.path().join("standin"), &lines, &[(1, 1)], false);
    standin
        .fault(serde_json::json!({"call": "GetChatData", "kind": "slow", "ms": 300, "times": 0}));
    let script = standin.write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    p.common_env.push(("WCP_LAG_INTERVAL_S".into(), "5".into()));
    p.start(&["lag-exporter"]);

    // The trial's sequence: "a" active, "b" a standby; kill -9 of "a"; "b" takes over; "a"
    // comes back (a standby, or it takes the corp back: either way "b" started as one).
    let mut a = capture("a", &p, &script, &keys);
    e2e::wait_for("a active", Duration::from_secs(90), || {
        (a.is_active() && a.metric("wcp_capture_seq") >= 5.0).then_some(())
    });
    let mut b = capture("b", &p, &script, &keys);
    e2e::wait_for("b ready (standing by)", Duration::from_secs(60), || {
        get(&b.ops_addr, "/readyz").filter(|r| r.status == 200)
    });
    a.kill9();
    e2e::wait_for("b takes over", Duration::from_secs(60), || {
        (b.is_active() && b.metric("wcp_capture_seq") > 5.0).then_some(())
    });
    a.spawn();
    e2e::wait_for("a ready again", Duration::from_secs(60), || {
        get(&a.ops_addr, "/readyz").filter(|r| r.status == 200)
    });
    // Settled: one of them active.
    e2e::wait_for("one active capture", Duration::from_secs(60), || {
        (a.is_active() != b.is_active()).then_some(())
    });
    std::thread::sleep(Duration::from_secs(3));
    let lag = p.service("lag-exporter").ops_addr.clone();
    let before = [a.log().lines().count(), b.log().lines().count()];
    let lag_before = p.service("lag-exporter").log_text().lines().count();

    broker.stop();
    let stopped = Instant::now();
    for (name, addr) in [("a", &a.ops_addr), ("b", &b.ops_addr)] {
        let body = wait_503(&format!("capture {name}"), addr, &broker.bootstrap);
        let ready = e2e::ops::metric_sum(&get(addr, "/metrics").unwrap().body, "wcp_ready");
        assert_eq!(ready, Some(0.0), "capture {name}: wcp_ready while down");
        eprintln!(
            "{TEST}: capture {name} while the broker is down: {}",
            body.trim()
        );
    }
    let body = e2e::wait_for("lag exporter /readyz 503", Duration::from_secs(60), || {
        get(&lag, "/readyz")
            .filter(|r| r.status == 503)
            .map(|r| r.body)
    });
    eprintln!(
        "{TEST}: lag exporter while the broker is down: {}",
        body.trim()
    );

    std::thread::sleep(OUTAGE.saturating_sub(stopped.elapsed()));
    let outage = stopped.elapsed().as_secs();
    let logs = [
        ("capture a", a.log(), before[0]),
        ("capture b", b.log(), before[1]),
        (
            "lag exporter",
            p.service("lag-exporter").log_text(),
            lag_before,
        ),
    ];
    for (name, log, skip) in &logs {
        let during: Vec<&str> = log.lines().skip(*skip).collect();
        eprintln!(
            "{TEST}: {name} logged {} lines in {outage} s of outage",
            during.len()
        );
        assert!(
            during.len() <= MAX_LINES,
            "{name}: {} lines in {outage} s of outage:\n{}",
            during.len(),
            during.join("\n")
        );
        assert!(
            !during
                .iter()
                .any(|l| l.contains("rdkafka::client") || l.contains(" librdkafka: librdkafka")),
            "{name}: librdkafka lines that bypass the rate limit:\n{}",
            during.join("\n")
        );
        assert!(
            during.iter().any(|l| l.contains("suppressed")),
            "{name}: no summary line:\n{}",
            during.join("\n")
        );
    }

    broker.start_again();
    for (name, addr) in [
        ("a", &a.ops_addr),
        ("b", &b.ops_addr),
        ("lag exporter", &lag),
    ] {
        e2e::wait_for(
            &format!("{name} ready after the broker returned"),
            Duration::from_secs(120),
            || get(addr, "/readyz").filter(|r| r.status == 200),
        );
    }
    assert!(a.running() && b.running(), "a capture exited");
    e2e::wait_for("one active capture again", Duration::from_secs(90), || {
        (a.is_active() != b.is_active()).then_some(())
    });
    p.assert_all_running();
}
