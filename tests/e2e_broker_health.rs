//! The Kafka connection as a platform engineer sees it (issue 15): an address that answers
//! but is not a Kafka broker is named as such, and `/readyz` answers 503 naming the broker
//! and the outage's length while no broker is up, 200 again when it returns (a private
//! scripts/kafka.sh broker, stopped and started by the test).
mod e2e;

use std::time::Duration;

use e2e::ops::get;
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "e2e_broker_health";

/// An address that answers but is not Kafka (an HTTP port): the error says so and names the
/// address, instead of librdkafka's hint to raise `receive.message.max.bytes`.
#[test]
fn an_http_port_as_bootstrap_is_named_as_not_a_kafka_broker() {
    require_binaries(&["classifier"]);
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = http.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        use std::io::{Read, Write};
        for mut conn in http.incoming().flatten() {
            let mut buf = [0u8; 512];
            let _ = conn.read(&mut buf);
            let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
        }
    });
    let mut p = Pipeline::new(&addr, "http");
    let mut svc = p.spawn_extra("classifier", "http", &[]);
    let want = format!("{addr} answered, but it is not a Kafka broker");
    let body = e2e::wait_for(
        "a 503 naming a non-Kafka answer",
        Duration::from_secs(30),
        || {
            let r = get(&svc.ops_addr, "/readyz")?;
            (r.status == 503 && r.body.contains(&want)).then_some(r.body)
        },
    );
    assert!(
        !body.contains("increase receive.message.max.bytes"),
        "{body}"
    );
    svc.terminate(Duration::from_secs(10));
    assert!(svc.log_text().contains(&want), "{}", svc.log_tail(10));
}

/// A stage whose broker goes away is not ready, saying which broker and for how long, and
/// ready again when it returns (a trial saw /readyz stay 200 through a 3.5-minute outage).
#[test]
fn readiness_follows_the_broker() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    require_binaries(&["classifier", "archiver"]);
    let Some(broker) = e2e::broker::PrivateBroker::start() else {
        eprintln!("{TEST}: SKIPPED readiness_follows_the_broker: no scripts/kafka.sh jar cache");
        return;
    };
    let mut p = Pipeline::new(&broker.bootstrap, "brokerdown");
    p.create_topics(1);
    // A transactional stage and the archiver (offsets in its own store): both consumers.
    p.start(&["classifier", "archiver"]);
    broker.stop();
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
    broker.start_again();
    for name in ["classifier", "archiver"] {
        p.service(name).wait_ready(Duration::from_secs(90));
    }
    p.assert_all_running();
}
