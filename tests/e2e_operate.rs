//! Operating the services as a platform engineer does (issue 15): a misspelt variable stops a
//! service at once with a did-you-mean and exit code 2; a wrong broker address shows in
//! `/readyz` and the log with the address and the cause; logs to a file carry no colour
//! codes; a second process with a live `instance_id` stops naming the other while the first
//! keeps running; a missing key file or SDK library is a configuration error (exit 2); the
//! topic prefix isolates consumer groups; `wcp produce` counts deliveries
//! and fails naming a missing topic; `wcp tail` reads a topic back decoded.
mod e2e;

use std::process::Command;
use std::time::Duration;

use e2e::ops::get;
use e2e::procs::{free_port, require_binaries, Pipeline};
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::ClientConfig;

const TEST: &str = "e2e_operate";

#[test]
fn a_misspelt_variable_stops_the_service_with_a_suggestion() {
    require_binaries(&["classifier", "archiver", "review", "retention-tagger"]);
    // No broker needed: the configuration is checked before anything connects.
    let mut p = Pipeline::new("127.0.0.1:1", "config");
    let mut svc = p.spawn_extra(
        "classifier",
        "typo",
        &[("WCP_KAFKA_BOOTSRAP", "127.0.0.1:9092")],
    );
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    let log = svc.log_text();
    assert!(
        log.contains(
            "unknown environment variable WCP_KAFKA_BOOTSRAP (did you mean WCP_KAFKA_BOOTSTRAP?)"
        ),
        "{log}"
    );
    // A misspelt librdkafka property: a configuration error naming the variable and the
    // property meant, not "transient" when the first client is created (a trial's 15g D4).
    let mut svc = p.spawn_extra(
        "retention-tagger",
        "kafka-typo",
        &[("WCP_KAFKA__SECURTY_PROTOCOL", "plaintext")],
    );
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    let log = svc.log_text();
    assert!(
        log.contains(
            "WCP_KAFKA__SECURTY_PROTOCOL: securty.protocol is not a librdkafka property (did \
             you mean security.protocol? set WCP_KAFKA__SECURITY_PROTOCOL)"
        ),
        "{log}"
    );
    // The variables the deployments used to set and no service reads.
    let mut svc = p.spawn_extra("archiver", "region", &[("WCP_ARCHIVE_REGION", "cn")]);
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    assert!(svc.log_text().contains("WCP_ARCHIVE_REGION"));
    // A misspelt region in a per-region variable (the policy's regions are cn, hk, sg):
    // the cn archive would otherwise be created without its encryption key (a trial).
    let key = p.dir.path().join("cn.dbkey");
    std::fs::write(&key, format!("{}\n", "ab".repeat(32))).unwrap();
    let key = key.display().to_string();
    let mut svc = p.spawn_extra(
        "archiver",
        "regiontypo",
        &[("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM", key.as_str())],
    );
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    let log = svc.log_text();
    assert!(
        log.contains(
            "unknown environment variable WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM (did you mean \
             WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN?): CM is not a region of the policy (regions: \
             cn, hk, sg)"
        ),
        "{log}"
    );
    // The review console reads the same variables for the regions it serves.
    let archive = p.dir.path().join("archive-cn.db").display().to_string();
    let mut svc = p.spawn_extra(
        "review",
        "regiontypo",
        &[
            ("WCP_REGIONS", format!("cn={archive}").as_str()),
            ("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM", key.as_str()),
        ],
    );
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    let log = svc.log_text();
    assert!(
        log.contains(
            "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM (did you mean \
             WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN?): CM is not a region this console serves \
             (regions: cn)"
        ),
        "{log}"
    );
    // A review store's key: the console has no policy, and CONSOLE is its own store, not a
    // region (trial 15e D3: "SH is not a region of the policy (regions: cn, hk, sg, console)").
    // Its whole stderr is the one error line.
    let regions: Vec<String> = ["cn", "hk", "sg"]
        .iter()
        .map(|r| {
            format!(
                "{r}={}",
                p.dir.path().join(format!("archive-{r}.db")).display()
            )
        })
        .collect();
    let out = Command::new(e2e::bin_dir().join("wcp-review"))
        .env_clear()
        .env("PATH", std::env::var("PATH").unwrap_or_default())
        .env("WCP_REGIONS", regions.join(","))
        .env("WCP_STORE_DIR", p.dir.path().join("store-sh"))
        .env("WCP_REVIEW_ENCRYPTION_KEY_FILE_SH", key.as_str())
        .current_dir(p.dir.path())
        .output()
        .expect("run wcp-review");
    assert_eq!(out.status.code(), Some(2));
    assert_eq!(
        String::from_utf8_lossy(&out.stderr),
        "wcp-review: invalid configuration:\n  unknown environment variable \
         WCP_REVIEW_ENCRYPTION_KEY_FILE_SH (did you mean WCP_REVIEW_ENCRYPTION_KEY_FILE_SG?): SH \
         is neither a region this console serves (regions: cn, hk, sg) nor CONSOLE, the key of \
         the console's own store (accounts and sessions)\n(wcp-review --help lists the \
         settings)\n"
    );
    // The archiver needs the tenant key: a configuration error, exit 2, saying which.
    let mut svc = p.spawn_extra("archiver", "nokey", &[("WCP_ANON_KEY", "")]);
    assert_eq!(svc.wait_exit(Duration::from_secs(10)), Some(2));
    assert!(
        svc.log_text().contains(
            "tenant key is required: set anon_key_file (config) or WCP_ANON_KEY_FILE (env)"
        ),
        "{}",
        svc.log_text()
    );
    p.services.clear();
}

/// A key file or library that is not where the configuration says is a configuration error:
/// exit 2 before anything connects, the message naming the file and what to put there
/// (a trial saw the archiver exit 1 after connecting, for a missing signing key).
#[test]
fn a_missing_key_file_or_library_is_a_configuration_error() {
    require_binaries(&["archiver", "review", "capture", "anonymiser"]);
    // A closed port: a check that waited for the broker would time out, not exit 2.
    let mut p = Pipeline::new(&format!("127.0.0.1:{}", free_port()), "nofile");
    let dir = p.dir.path().to_path_buf();
    let missing = |name: &str| dir.join(name).display().to_string();
    let store = missing("store");
    let regions = format!("cn={}", missing("archive-cn.db"));
    let lib = missing("libWeWorkFinanceSdk_C.so");
    let keys = dir.join("keys");
    std::fs::create_dir_all(&keys).unwrap();
    let keys = keys.display().to_string();
    let no_anon = vec![
        ("WCP_ANON_KEY", String::new()),
        ("WCP_ANON_KEY_FILE", missing("anon")),
    ];
    // (service, extra env, what the message names, the fix it gives)
    type Case<'a> = (&'a str, Vec<(&'a str, String)>, String, &'a str);
    let cases: Vec<Case> = vec![
        (
            "archiver",
            vec![("WCP_SIGNING_KEY_FILE", missing("signing-key"))],
            format!("signing_key_file {}", missing("signing-key")),
            "mount the archive's Ed25519 signing key",
        ),
        (
            "archiver",
            vec![("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN", missing("cn-db-key"))],
            format!(
                "$WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN: cannot read the encryption key file {}",
                missing("cn-db-key")
            ),
            "openssl rand -hex 32",
        ),
        (
            "archiver",
            no_anon.clone(),
            missing("anon"),
            "anon_key_file",
        ),
        ("anonymiser", no_anon, missing("anon"), "anon_key_file"),
        (
            "review",
            vec![
                ("WCP_REGIONS", regions.clone()),
                ("WCP_STORE_DIR", store.clone()),
                ("WCP_ARCHIVE_KEYS", format!("cn={}", missing("cn-signing"))),
            ],
            format!("archive_keys: cn={}", missing("cn-signing")),
            "archive signing key",
        ),
        (
            "review",
            vec![
                ("WCP_REGIONS", regions),
                ("WCP_STORE_DIR", store),
                ("WCP_REVIEW_ENCRYPTION_KEY_FILE_CN", missing("review-key")),
            ],
            format!(
                "$WCP_REVIEW_ENCRYPTION_KEY_FILE_CN: cannot read the encryption key file {}",
                missing("review-key")
            ),
            "openssl rand -hex 32",
        ),
        (
            "capture",
            vec![
                ("WCP_CORP_ID", "ww1".into()),
                ("WCP_SDK_SECRET", "s".into()),
                ("WCP_SDK_LIBRARY", lib.clone()),
                ("WCP_PRIVATE_KEYS_DIR", keys),
            ],
            format!("sdk_library {lib}: no such file"),
            "WCP_SDK_LIBRARY",
        ),
    ];
    for (i, (service, env, names, fix)) in cases.into_iter().enumerate() {
        let env: Vec<(&str, &str)> = env.iter().map(|(k, v)| (*k, v.as_str())).collect();
        let mut svc = p.spawn_extra(service, &format!("{service}{i}"), &env);
        let code = svc.wait_exit(Duration::from_secs(15));
        let log = svc.log_text();
        assert_eq!(code, Some(2), "case {i} {service}: exit code; log:\n{log}");
        assert!(
            log.contains(&names) && log.contains(fix),
            "case {i} {service}: the message should name `{names}` and `{fix}`:\n{log}"
        );
    }
    p.services.clear();
}

#[test]
fn a_wrong_address_is_named_with_its_cause_in_readyz_and_logs() {
    require_binaries(&["classifier"]);
    let closed = free_port();
    let addr = format!("127.0.0.1:{closed}");
    let mut p = Pipeline::new(&addr, "noaddr");
    let mut svc = p.spawn_extra("classifier", "noaddr", &[]);
    let body = e2e::wait_for("a 503 naming the cause", Duration::from_secs(20), || {
        let r = get(&svc.ops_addr, "/readyz")?;
        (r.status == 503 && r.body.contains("Connection refused")).then_some(r.body)
    });
    assert!(
        body.contains(&format!("cannot reach Kafka at {addr}")),
        "{body}"
    );
    svc.terminate(Duration::from_secs(10));
    let log = svc.log_text();
    assert!(
        log.contains(&addr) && log.contains("Connection refused"),
        "{log}"
    );
    // Written to a file: plain text, no ANSI colour codes.
    assert!(!log.contains('\u{1b}'), "ANSI escape in a log file:\n{log}");
}

#[test]
fn a_second_instance_with_a_live_id_stops_naming_the_first() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["classifier"]);
    let mut p = Pipeline::new(&bootstrap, "instance");
    p.create_topics(2);
    p.start(&["classifier"]);
    let mut second = p.spawn_extra("classifier", "second", &[]);
    // It waits out a session timeout (a killed predecessor would be gone by then), then stops.
    let code = second.wait_exit(Duration::from_secs(40));
    let log = second.log_text();
    assert_eq!(code, Some(1), "the second instance did not stop:\n{log}");
    assert!(
        log.contains("another instance of wcp-classifier with instance_id \"0\" is running"),
        "{log}"
    );
    assert!(
        log.contains("member "),
        "the other instance is not named:\n{log}"
    );
    // The first one never noticed: still running and ready.
    let first = p.service("classifier");
    first.assert_running();
    assert_eq!(get(&first.ops_addr, "/readyz").map(|r| r.status), Some(200));
    assert!(
        !first.log_text().contains("fenced"),
        "{}",
        first.log_tail(20)
    );

    // A restart after kill -9 is not a second instance: the dead member times out and the
    // new process becomes ready.
    p.service("classifier").restart();
    p.service("classifier").wait_ready(Duration::from_secs(60));

    // The prefix isolates the consumer group as it does the topics.
    let admin: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", &bootstrap)
        .create()
        .expect("client");
    let group = format!("{}wcp-classifier", p.prefix);
    let list = admin
        .fetch_group_list(Some(&group), Duration::from_secs(10))
        .expect("group list");
    let members = list
        .groups()
        .first()
        .map(|g| g.members().len())
        .unwrap_or(0);
    assert_eq!(members, 1, "group {group} should hold the classifier");
}

#[test]
fn produce_counts_deliveries_and_names_a_missing_topic() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "produce");
    let run = |prefix: &str| {
        Command::new(e2e::wcp_bin())
            .args(["produce", "--bootstrap", &bootstrap, "--prefix", prefix])
            .args(["--synthetic", "40", "--seed", "3"])
            .output()
            .expect("run wcp produce")
    };
    // Before the topics exist: nothing is sent, the topic is named, exit non-zero.
    let out = run(&p.prefix);
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(!out.status.success());
    assert!(
        err.contains(&format!("topic {}wecom.raw does not exist", p.prefix)),
        "{err}"
    );
    p.create_topics(1);
    let out = run(&p.prefix);
    let text = String::from_utf8_lossy(&out.stdout);
    assert!(
        out.status.success(),
        "{text}{}",
        String::from_utf8_lossy(&out.stderr)
    );
    assert!(text.contains("sent 40, delivered 40, failed 0"), "{text}");
    let mut raw = e2e::kafka::TopicReader::new(&bootstrap, &p.topic("wecom.raw"));
    e2e::wait_for("40 records", Duration::from_secs(30), || {
        raw.poll_for(Duration::from_millis(500));
        (raw.records.len() == 40).then_some(())
    });
    // `wcp tail` reads them back, decoded, one JSON object per record.
    let out = Command::new(e2e::wcp_bin())
        .args([
            "tail",
            "wecom.raw",
            "--bootstrap",
            &bootstrap,
            "--prefix",
            &p.prefix,
        ])
        .args(["--from-beginning", "--json", "--exit-when-idle", "5"])
        .output()
        .expect("run wcp tail");
    assert!(out.status.success());
    let lines: Vec<serde_json::Value> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(|l| serde_json::from_str(l).expect("a JSON line"))
        .collect();
    assert_eq!(lines.len(), 40);
    assert_eq!(lines[0]["headers"]["seq"], "1");
    assert!(
        lines[0]["value"]["msgid"].as_str().is_some(),
        "{}",
        lines[0]
    );
}
