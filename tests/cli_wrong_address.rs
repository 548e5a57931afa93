//! The Kafka commands of the CLI pointed at an address that is not a Kafka broker (issue 15
//! trial 15d: an HTTP port gave librdkafka's "Invalid response size 1213486160 … increase
//! receive.message.max.bytes", or only "OperationTimedOut"): each names the address as not
//! a Kafka broker and says which setting to fix, as the services do. No broker needed.
mod e2e;

use std::io::{Read, Write};
use std::process::Command;

/// A local HTTP server answering every request with 400, on a thread of its own.
fn http_listener() -> String {
    let http = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = http.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        for mut conn in http.incoming().flatten() {
            std::thread::spawn(move || {
                let mut buf = [0u8; 512];
                let _ = conn.read(&mut buf);
                let _ = conn.write_all(b"HTTP/1.1 400 Bad Request\r\ncontent-length: 0\r\n\r\n");
            });
        }
    });
    addr
}

/// A `wcp run` archive (`archive-cn.db`) in `dir`, for `wcp archive verify --anchors kafka:…`.
fn archive(dir: &std::path::Path) -> String {
    let out = dir.join("run");
    let run = Command::new(e2e::wcp_bin())
        .args(["run", "--input"])
        .arg(e2e::repo_root().join("fixtures/wecom_samples.jsonl"))
        .arg("--out")
        .arg(&out)
        .env_remove("WCP_ANON_KEY")
        .output()
        .expect("run wcp run");
    assert!(
        run.status.success(),
        "{}",
        String::from_utf8_lossy(&run.stderr)
    );
    out.join("archive-cn.db").display().to_string()
}

/// Trial 15i D8 (the RUNBOOK's WcpArchiveVerifyFailed step 3): the anchors read from Kafka
/// said only "Meta data fetch error: BrokerTransportFailure" for a wrong --bootstrap.
fn verify_anchors<'a>(db: &'a str, addr: &'a str) -> Vec<&'a str> {
    vec![
        "archive",
        "verify",
        "--db",
        db,
        "--anchors",
        "kafka:archive.anchors",
        "--bootstrap",
        addr,
    ]
}

/// A local server that accepts connections and never answers (Prometheus' port in a trial:
/// it waits for a request line Kafka never sends).
fn silent_listener() -> String {
    let silent = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
    let addr = silent.local_addr().unwrap().to_string();
    std::thread::spawn(move || {
        let held: Vec<_> = silent.incoming().flatten().collect();
        drop(held);
    });
    addr
}

#[test]
fn every_kafka_command_names_an_http_port_as_not_a_kafka_broker() {
    every_command_says(&http_listener(), "answered, but it is not a Kafka broker");
}

/// librdkafka's first request waits 10 s for a reply; the commands wait longer, so the cause
/// is named instead of "Timed out 1 in-flight".
#[test]
fn every_kafka_command_names_a_silent_port_as_not_answering_as_kafka() {
    every_command_says(
        &silent_listener(),
        "accepted the connection but did not answer as a Kafka broker",
    );
}

/// Nothing listening (a stopped broker, a trial's 15f D5): the address, the cause and the fix.
#[test]
fn every_kafka_command_names_a_closed_port_and_the_fix() {
    let closed = {
        let l = std::net::TcpListener::bind("127.0.0.1:0").unwrap();
        l.local_addr().unwrap().to_string()
    };
    let dir = tempfile::tempdir().unwrap();
    let db = archive(dir.path());
    for args in [
        vec!["produce", "--bootstrap", &closed, "--synthetic", "5"],
        vec!["lag", "--bootstrap", &closed],
        verify_anchors(&db, &closed),
    ] {
        let mut cmd = Command::new(e2e::wcp_bin());
        e2e::procs::without_wcp_env(&mut cmd);
        let out = cmd.args(&args).output().expect("run wcp");
        let err = String::from_utf8_lossy(&out.stderr);
        let what = format!("wcp {}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(
            err.contains(&format!("Kafka at {closed}")),
            "{what}: the address is not named:\n{err}"
        );
        assert!(
            err.contains("check --bootstrap (or $KAFKA_BOOTSTRAP) and that the broker is up"),
            "{what}: no fix named:\n{err}"
        );
    }
}

/// A misspelt `WCP_KAFKA__*` property (a trial's 15g D4): a configuration error naming the
/// variable and the property meant, exit 2, before anything connects.
#[test]
fn every_kafka_command_names_a_misspelt_librdkafka_property() {
    every_command_refuses_at_once(
        ("WCP_KAFKA__SECURTY_PROTOCOL", "plaintext"),
        "environment variable WCP_KAFKA__SECURTY_PROTOCOL: securty.protocol is not a librdkafka \
         property (did you mean security.protocol? set WCP_KAFKA__SECURITY_PROTOCOL)",
    );
}

/// Each Kafka command with `var` set: exit 2 saying `want`, before anything connects.
fn every_command_refuses_at_once(var: (&str, &str), want: &str) {
    for args in [
        vec!["produce", "--bootstrap", "127.0.0.1:1", "--synthetic", "5"],
        vec!["lag", "--bootstrap", "127.0.0.1:1"],
        vec!["tail", "chat.alerts", "--bootstrap", "127.0.0.1:1"],
        vec!["topics", "create", "--bootstrap", "127.0.0.1:1"],
    ] {
        let mut cmd = Command::new(e2e::wcp_bin());
        e2e::procs::without_wcp_env(&mut cmd);
        cmd.env(var.0, var.1);
        let started = std::time::Instant::now();
        let out = cmd.args(&args).output().expect("run wcp");
        let err = String::from_utf8_lossy(&out.stderr);
        let what = format!("wcp {}", args.join(" "));
        assert_eq!(out.status.code(), Some(2), "{what}: {err}");
        assert!(err.contains(want), "{what}: {err}");
        assert!(
            started.elapsed().as_secs() < 5,
            "{what}: waited for a broker"
        );
    }
}

/// Trial 15i D7: a value librdkafka refuses was reported in its bare words. The CLI names what
/// the property accepts, as the services do (the same `wcp_runtime::kafka_props`).
#[test]
fn a_refused_librdkafka_value_is_explained() {
    for (var, value, want) in [
        (
            "WCP_KAFKA__SECURITY_PROTOCOL",
            "plaintxt",
            "for configuration property \"security.protocol\": one of plaintext, ssl, \
             sasl_plaintext, sasl_ssl (did you mean plaintext?)",
        ),
        (
            "WCP_KAFKA__MESSAGE_TIMEOUT_MS",
            "abc",
            "environment variable WCP_KAFKA__MESSAGE_TIMEOUT_MS: Invalid value for configuration \
             property \"message.timeout.ms\": expected an integer (milliseconds) from 0 to \
             2147483647",
        ),
    ] {
        let mut cmd = Command::new(e2e::wcp_bin());
        e2e::procs::without_wcp_env(&mut cmd);
        let out = cmd
            .env(var, value)
            .args(["produce", "--bootstrap", "127.0.0.1:1", "--synthetic", "1"])
            .output()
            .expect("run wcp");
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(2), "{var}: {err}");
        assert!(err.contains(want), "{var}: {err}");
    }
}

/// Trial 15i D5: `wcp_kafka__security_protocol=sasl_ssl wcp lag` ran as PLAINTEXT (exit 0)
/// where the services refuse the name. The CLI refuses a variable it reads written in another
/// case with the services' message (exit 2), before anything connects.
#[test]
fn every_command_refuses_a_variable_it_reads_in_the_wrong_case() {
    every_command_refuses_at_once(
        ("wcp_kafka__security_protocol", "sasl_ssl"),
        "environment variable wcp_kafka__security_protocol is not in upper case (did you mean \
         WCP_KAFKA__SECURITY_PROTOCOL?): wcp reads WCP_* names exactly as written, so it would \
         be ignored",
    );
    // Not a Kafka command: the archive writer's actor, as `wcp archive` reads it.
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    let out = cmd
        .env("wcp_actor", "alice")
        .args(["archive", "verify", "--db", "/nonexistent/archive-cn.db"])
        .output()
        .expect("run wcp");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains("wcp_actor is not in upper case (did you mean WCP_ACTOR?)"),
        "{err}"
    );
}

fn every_command_says(addr: &str, want: &str) {
    let addr = addr.to_string();
    let dir = tempfile::tempdir().unwrap();
    let file = dir.path().join("one.jsonl");
    std::fs::write(&file, b"{\"msgid\":\"m1\",\"action\":\"send\"}\n").unwrap();
    let file = file.display().to_string();
    let db = archive(dir.path());
    let commands: Vec<Vec<&str>> = vec![
        verify_anchors(&db, &addr),
        vec!["produce", "--bootstrap", &addr, "--file", &file],
        vec!["produce", "--bootstrap", &addr, "--synthetic", "5"],
        vec!["lag", "--bootstrap", &addr],
        vec!["tail", "chat.alerts", "--bootstrap", &addr, "--max", "1"],
        vec!["topics", "create", "--bootstrap", &addr],
    ];
    // Each waits out its metadata timeout (10 s): run side by side.
    let runs: Vec<_> = commands
        .iter()
        .map(|args| {
            let mut cmd = Command::new(e2e::wcp_bin());
            e2e::procs::without_wcp_env(&mut cmd);
            cmd.args(args)
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .expect("run wcp")
        })
        .collect();
    for (args, run) in commands.into_iter().zip(runs) {
        let out = run.wait_with_output().expect("wait for wcp");
        let err = String::from_utf8_lossy(&out.stderr);
        let what = format!("wcp {}", args.join(" "));
        assert!(!out.status.success(), "{what}: succeeded");
        assert!(
            err.contains(&format!("{addr} {want}")),
            "{what}: the address is not named as not a Kafka broker:\n{err}"
        );
        assert!(
            err.contains("point --bootstrap (or $KAFKA_BOOTSTRAP) at the broker's client listener"),
            "{what}: no fix named:\n{err}"
        );
        assert!(
            !err.contains("receive.message.max.bytes")
                && !err.contains("[thrd:")
                && !err.contains("0.10"),
            "{what}: librdkafka's own words:\n{err}"
        );
        eprintln!("{what}: {}", err.trim());
    }
}

/// Trial 15h D9: the services' `WCP_KAFKA_BOOTSTRAP` and a misspelt `KAFKA_BOOSTRAP` were
/// ignored in silence, and the command failed on the default address. Both are named, before
/// connecting and in the error. No broker needed: nothing listens on the default address here.
#[test]
fn a_broker_variable_the_cli_does_not_read_is_named_when_the_default_address_fails() {
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    cmd.env_remove("KAFKA_BOOTSTRAP")
        .env("WCP_KAFKA_BOOTSTRAP", "127.0.0.1:39092")
        .env("KAFKA_BOOSTRAP", "127.0.0.1:39092");
    let out = cmd.arg("lag").output().expect("run wcp");
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let said = "KAFKA_BOOSTRAP is not read (did you mean KAFKA_BOOTSTRAP?), WCP_KAFKA_BOOTSTRAP \
                is the services' variable; the CLI reads --bootstrap or KAFKA_BOOTSTRAP";
    let (note, error) = err.split_once("error:").unwrap_or(("", &err));
    assert!(note.contains(said), "no note before connecting:\n{err}");
    assert!(error.contains(said), "not in the error:\n{err}");
    assert!(
        note.contains("connecting to the default 127.0.0.1:9092"),
        "{err}"
    );
    assert!(error.contains("Kafka at 127.0.0.1:9092"), "{err}");

    // An address given: nothing to say about the environment.
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    cmd.env("WCP_KAFKA_BOOTSTRAP", "127.0.0.1:39092")
        .env("KAFKA_BOOTSTRAP", "127.0.0.1:1");
    let out = cmd.arg("lag").output().expect("run wcp");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!err.contains("WCP_KAFKA_BOOTSTRAP"), "{err}");
}
