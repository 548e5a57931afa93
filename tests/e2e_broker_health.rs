//! The Kafka connection as a platform engineer sees it (issue 15): an address that answers
//! but is not a Kafka broker, or accepts the connection and stays silent, is named as such, and `/readyz` answers 503 naming the broker
//! and the outage's length while no broker is up, 200 again when it returns (a private
//! scripts/kafka.sh broker, stopped and started by the test).
mod e2e;

use std::time::Duration;

use e2e::ops::get;
use e2e::procs::{free_port, require_binaries, Pipeline};

const TEST: &str = "e2e_broker_health";
/// How long the broker stays down: past the log limit's 30 s window (`lograte`).
const OUTAGE: Duration = Duration::from_secs(40);

/// A classifier pointed at `listener`, served by `serve` on a thread of its own: waits for
/// `/readyz` 503 containing `want` (with the address in front), stops the classifier, checks
/// its log says the same, and returns the 503 body.
fn named_503(
    listener: std::net::TcpListener,
    serve: fn(std::net::TcpListener),
    want: &str,
    limit: Duration,
) -> String {
    require_binaries(&["classifier"]);
    let addr = listener.local_addr().unwrap().to_string();
    std::thread::spawn(move || serve(listener));
    let mut p = Pipeline::new(&addr, "notkafka");
    let mut svc = p.spawn_extra("classifier", "notkafka", &[]);
    let want = format!("{addr} {want}");
    let body = e2e::wait_for(&format!("a 503 saying {want:?}"), limit, || {
        let r = get(&svc.ops_addr, "/readyz")?;
        (r.status == 503 && r.body.contains(&want)).then_some(r.body)
    });
    svc.terminate(Duration::from_secs(10));
    assert!(svc.log_text().contains(&want), "{}", svc.log_tail(10));
    assert!(
        body.contains("point kafka_bootstrap at the broker's client listener"),
        "{body}"
    );
    body
}

/// An address that answers but is not Kafka (an HTTP port): the error says so and names the
/// address, instead of librdkafka's hint to raise `receive.message.max.bytes`.
#[test]
fn an_http_port_as_bootstrap_is_named_as_not_a_kafka_broker() {
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let serve = |http: std::net::TcpListener| {
        use std::io::{Read, Write};
        for mut conn in http.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    };
    let want = "answered, but it is not a Kafka broker";
    let body = named_503(http, serve, want, Duration::from_secs(30));
    assert!(
        !body.contains("increase receive.message.max.bytes"),
        "{body}"
    );
}

/// An address that accepts the connection and never answers (an HTTP server waiting for a
/// request line, e.g. Prometheus' port in a trial): named as not answering as a Kafka broker,
/// not librdkafka's "probably due to broker version < 0.10".
#[test]
fn a_silent_port_as_bootstrap_is_named_as_not_answering_as_kafka() {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    // Accepted connections are kept open, unread and unanswered, until the test ends.
    let serve = |silent: std::net::TcpListener| {
        let held: Vec<_> = silent.incoming().flatten().collect();
        drop(held);
    };
    let want = "accepted the connection but did not answer as a Kafka broker";
    // librdkafka gives up on the first request after api.version.request.timeout.ms (10 s).
    let body = named_503(silent, serve, want, Duration::from_secs(45));
    assert!(!body.contains("broker version < 0.10"), "{body}");
}

/// A stage whose broker goes away is not ready, saying which broker and for how long, logs
/// the outage in a few lines (the first of each kind, then a summary with the count of the
/// rest), and is ready again when it returns, saying so (a trial saw /readyz stay 200 through a 3.5-minute outage).
#[test]
fn readiness_follows_the_broker() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    require_binaries(&["classifier", "archiver", "review"]);
    let Some(broker) = e2e::broker::PrivateBroker::start() else {
        eprintln!("{TEST}: SKIPPED readiness_follows_the_broker: no scripts/kafka.sh jar cache");
        return;
    };
    let mut p = Pipeline::new(&broker.bootstrap, "brokerdown");
    p.create_topics(1);
    // A transactional stage and the archiver (offsets in its own store): both consumers.
    p.start(&["classifier", "archiver"]);
    // The review console answers /readyz on two ports (ops and console): a trial saw the
    // console port say ready through an outage while the ops port said 503.
    let web = format!("127.0.0.1:{}", free_port());
    let (store, regions) = (
        p.dir.path().join("review").display().to_string(),
        format!("cn={}", p.archive_dir().join("archive-cn.db").display()),
    );
    let mut review = p.spawn_extra(
        "review",
        "review",
        &[
            ("WCP_REGIONS", regions.as_str()),
            ("WCP_STORE_DIR", store.as_str()),
            ("WCP_LISTEN_ADDR", web.as_str()),
        ],
    );
    review.wait_ready(Duration::from_secs(90));
    let console_ready = |want: u16| {
        let r = get(&web, "/readyz")?;
        (r.status == want).then_some(r.body)
    };
    e2e::wait_for("console port /readyz 200", Duration::from_secs(30), || {
        console_ready(200)
    });
    let lines_before: Vec<usize> = ["classifier", "archiver"]
        .map(|n| p.service(n).log_text().lines().count())
        .to_vec();
    broker.stop();
    let stopped = std::time::Instant::now();
    for name in ["classifier", "archiver"] {
        let addr = p.service(name).ops_addr.clone();
        let body = e2e::wait_for(
            &format!("wcp-{name} /readyz 503 while the broker is down"),
            Duration::from_secs(60),
            || {
                let r = get(&addr, "/readyz")?;
                (r.status == 503 && r.body.contains("unreachable for")).then_some(r.body)
            },
        );
        assert!(
            body.contains(&format!(
                "Kafka broker {} unreachable for",
                broker.bootstrap
            )),
            "{name}: {body}"
        );
        let metrics = get(&addr, "/metrics").unwrap().body;
        assert!(
            metrics.contains("wcp_ready 0"),
            "{name}: wcp_ready while down"
        );
        eprintln!(
            "{TEST}: wcp-{name} while the broker is down: {}",
            body.trim()
        );
    }
    for addr in [review.ops_addr.clone(), web.clone()] {
        let body = e2e::wait_for(
            &format!("wcp-review {addr}/readyz 503 while the broker is down"),
            Duration::from_secs(60),
            || {
                let r = get(&addr, "/readyz")?;
                (r.status == 503 && r.body.contains("unreachable for")).then_some(r.body)
            },
        );
        eprintln!(
            "{TEST}: wcp-review {addr} while the broker is down: {}",
            body.trim()
        );
    }
    // Past the 30 s window of the log limit: librdkafka's repeats are counted, not logged
    // (a trial saw ~12 lines a second per service), and one summary says how long.
    std::thread::sleep(OUTAGE.saturating_sub(stopped.elapsed()));
    for (i, name) in ["classifier", "archiver"].into_iter().enumerate() {
        let log = p.service(name).log_text();
        let during: Vec<&str> = log.lines().skip(lines_before[i]).collect();
        eprintln!(
            "{TEST}: wcp-{name} logged {} lines in the first {:.0} s of the outage",
            during.len(),
            stopped.elapsed().as_secs_f64()
        );
        assert!(
            during.len() <= 40,
            "wcp-{name}: {} lines during a {OUTAGE:?} outage:\n{}",
            during.len(),
            during.join("\n")
        );
        assert!(
            during
                .iter()
                .any(|l| l.contains("similar messages suppressed")),
            "wcp-{name}: no summary line:\n{}",
            during.join("\n")
        );
    }
    broker.start_again();
    for name in ["classifier", "archiver"] {
        p.service(name).wait_ready(Duration::from_secs(90));
        let log = p.service(name).log_text();
        assert!(
            log.contains("Kafka reachable again after"),
            "wcp-{name}: no recovery line: {}",
            p.service(name).log_tail(10)
        );
    }
    review.wait_ready(Duration::from_secs(90));
    e2e::wait_for(
        "console port /readyz 200 again",
        Duration::from_secs(30),
        || console_ready(200),
    );
    review.assert_running();
    review.terminate(Duration::from_secs(20));
    p.assert_all_running();
}
