use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn env(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

#[test]
fn defaults_and_names() {
    let c = Config::from_sources("classifier", &[], &[], &[]).unwrap();
    assert_eq!(c.group_id, "wcp-classifier");
    assert_eq!(c.batch_max_events, 500);
    assert_eq!(c.transactional_id(), "wcp-classifier-0");
    let c = Config::from_sources("archiver", &[], &[], &[]).unwrap();
    assert_eq!(c.batch_max_events, 2_000);
    let c = Config::from_sources("ingest", &[], &s(&["--topic-prefix", "t1."]), &[]).unwrap();
    assert_eq!(c.topic("chat.events"), "t1.chat.events");
    assert_eq!(c.transactional_id(), "t1.wcp-ingest-0");
}

#[test]
fn file_env_and_args_layer() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "batch_max_events = 7\ninstance_id = \"a\"\narchive_dir = \"/x\"\n[kafka]\n\"security.protocol\" = \"SSL\"\n",
    )
    .unwrap();
    let e = env(&[
        ("WCP_CONFIG", path.to_str().unwrap()),
        ("WCP_INSTANCE_ID", "b"),
        ("WCP_KAFKA__SASL_PASSWORD", "hunter2"),
        ("WCP_LOG_FORMAT", "json"),
    ]);
    let c = Config::from_sources(
        "archiver",
        &["archive_dir"],
        &s(&["--flush-interval-ms=5"]),
        &e,
    )
    .unwrap();
    assert_eq!(c.batch_max_events, 7);
    assert_eq!(c.instance_id, "b");
    assert_eq!(c.flush_interval_ms, 5);
    assert_eq!(c.extra("archive_dir"), Some("/x"));
    assert_eq!(c.kafka["security.protocol"], "SSL");
    assert_eq!(c.kafka["sasl.password"], "hunter2");
    let dbg = format!("{c:?}");
    assert!(!dbg.contains("hunter2"), "{dbg}");
}

#[test]
fn all_errors_reported_at_once() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "batch_max_events = \"many\"\nbogus = 1\nops_addr = \"nowhere\"\n[kafka]\n\"sasl.password\" = \"x\"\n",
    )
    .unwrap();
    let args = s(&[
        "--config",
        path.to_str().unwrap(),
        "--flush-interval-ms",
        "soon",
    ]);
    let err = Config::from_sources("x", &[], &args, &[]).unwrap_err();
    let RuntimeError::Config(list) = err else {
        panic!("not a config error")
    };
    assert_eq!(list.len(), 5, "{list:?}");
}
