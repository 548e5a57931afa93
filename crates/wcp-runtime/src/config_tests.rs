use super::*;

fn s(v: &[&str]) -> Vec<String> {
    v.iter().map(|x| x.to_string()).collect()
}

fn env(v: &[(&str, &str)]) -> Vec<(String, String)> {
    v.iter()
        .map(|(a, b)| (a.to_string(), b.to_string()))
        .collect()
}

/// A service with two keys of its own, as the archiver has.
#[derive(Debug, Clone, Default)]
struct Dir {
    dir: Option<String>,
    retries: u32,
}

impl Settings for Dir {
    const KEYS: &'static [&'static str] = &["archive_dir", "retries"];
    const ENV: &'static [&'static str] = &["WCP_ANON_KEY"];
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "archive_dir" => self.dir = Some(v.into()),
            "retries" => self.retries = v.parse().map_err(|_| format!("`{v}` is not a number"))?,
            _ => return Err("unknown key".into()),
        }
        Ok(())
    }
    fn check(&self) -> Vec<String> {
        match self.dir {
            None => vec!["archive_dir is required".into()],
            Some(_) => vec![],
        }
    }
}

fn load<S: Settings>(
    service: &str,
    args: &[&str],
    e: &[(&str, &str)],
) -> Result<(Config, S), Vec<String>> {
    Config::from_sources(service, &s(args), &env(e)).map_err(|e| match e {
        RuntimeError::Config(list) => list,
        other => panic!("not a config error: {other}"),
    })
}

#[test]
fn defaults_and_names() {
    let (c, _) = load::<NoSettings>("classifier", &[], &[]).unwrap();
    assert_eq!(c.group(), "wcp-classifier");
    assert_eq!(c.batch_max_events, 500);
    assert_eq!(c.flush_interval_ms, 0);
    assert_eq!(c.transactional_id(), "wcp-classifier-0");
    let (c, _) = load::<NoSettings>("archiver", &[], &[]).unwrap();
    assert_eq!((c.batch_max_events, c.flush_interval_ms), (2_000, 100));
    let (c, _) = load::<NoSettings>("ingest", &["--topic-prefix", "t1."], &[]).unwrap();
    assert_eq!(c.topic("chat.events"), "t1.chat.events");
    assert_eq!(c.transactional_id(), "t1.wcp-ingest-0");
    // The prefix isolates the consumer group too, configured or default.
    assert_eq!(c.group(), "t1.wcp-ingest");
    let (c, _) =
        load::<NoSettings>("ingest", &["--topic-prefix", "t1.", "--group-id", "g"], &[]).unwrap();
    assert_eq!(c.group(), "t1.g");
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
    let (c, d) = load::<Dir>(
        "archiver",
        &["--flush-interval-ms=5", "--retries", "3"],
        &[
            ("WCP_CONFIG", path.to_str().unwrap()),
            ("WCP_INSTANCE_ID", "b"),
            ("WCP_KAFKA__SASL_PASSWORD", "hunter2"),
            ("WCP_LOG_FORMAT", "json"),
            ("WCP_ANON_KEY", "k"),
            ("PATH", "/bin"),
        ],
    )
    .unwrap();
    assert_eq!(c.batch_max_events, 7);
    assert_eq!(c.instance_id, "b");
    assert_eq!(c.flush_interval_ms, 5);
    assert_eq!(d.dir.as_deref(), Some("/x"));
    assert_eq!(d.retries, 3);
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
    let p = path.to_str().unwrap();
    let list = load::<Dir>("x", &["--config", p, "--flush-interval-ms", "soon"], &[]).unwrap_err();
    // four bad values, one unknown key, and the missing archive_dir
    assert_eq!(list.len(), 6, "{list:?}");
}

#[test]
fn unknown_names_are_errors_with_a_suggestion() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(&path, "archive_dri = \"/x\"\n").unwrap();
    let list = load::<Dir>(
        "archiver",
        &["--config", path.to_str().unwrap(), "--instance-idd", "1"],
        &[
            ("WCP_KAFKA_BOOTSRAP", "10.0.0.1:9092"),
            ("WCP_ARCHIVE_REGION", "cn"),
            ("WCP_ANON_KEYS", "x"),
        ],
    )
    .unwrap_err();
    let all = list.join("\n");
    for want in [
        "unknown key archive_dri (did you mean archive_dir?)",
        "unknown argument --instance-idd (did you mean --instance-id?)",
        "unknown environment variable WCP_KAFKA_BOOTSRAP (did you mean WCP_KAFKA_BOOTSTRAP?)",
        "unknown environment variable WCP_ARCHIVE_REGION",
        "unknown environment variable WCP_ANON_KEYS (did you mean WCP_ANON_KEY?)",
    ] {
        assert!(all.contains(want), "missing {want:?} in\n{all}");
    }
    // A variable the service does not read is refused even when it is another's key.
    let list = load::<NoSettings>("classifier", &[], &[("WCP_ARCHIVE_DIR", "/x")]).unwrap_err();
    assert!(list[0].contains("WCP_ARCHIVE_DIR"), "{list:?}");
}

/// A service reading one variable per region declares the prefix; other names stay refused.
#[derive(Debug, Clone, Default)]
struct PerRegion;

impl Settings for PerRegion {
    const KEYS: &'static [&'static str] = &[];
    const ENV: &'static [&'static str] = &["WCP_ARCHIVE_KEY_*"];
    fn set(&mut self, key: &str, _: &str) -> Result<(), String> {
        Err(format!("unknown key {key}"))
    }
}

#[test]
fn env_prefixes_accept_only_their_names() {
    assert!(load::<PerRegion>("archiver", &[], &[("WCP_ARCHIVE_KEY_CN", "ab")]).is_ok());
    let list = load::<PerRegion>("archiver", &[], &[("WCP_ARCHIVE_KEYS", "ab")]).unwrap_err();
    assert!(list[0].contains("WCP_ARCHIVE_KEYS"), "{list:?}");
}

#[test]
fn names_not_in_upper_case_are_refused_with_the_variable_meant() {
    // Trial 15g D1: `wcp_archive_encryption_key_file_cn` was ignored and the region's archive
    // written in clear; `wcp_kafka_bootstrap` fell back to the file's address.
    let list = load::<PerRegion>("archiver", &[], &[("wcp_archive_key_cn", "ab")]).unwrap_err();
    assert_eq!(
        list,
        vec![
            "environment variable wcp_archive_key_cn is not in upper case (did you mean \
             WCP_ARCHIVE_KEY_CN?): wcp reads WCP_* names exactly as written, so it would be ignored"
                .to_string()
        ]
    );
    let list = load::<Dir>(
        "archiver",
        &[],
        &[
            ("wcp_kafka_bootstrap", "10.0.0.1:9092"),
            ("Wcp_Anon_Key", "x"),
            ("wcp_kafka__security_protocol", "ssl"),
            ("wcp_archive_dri", "/x"),
            ("wcpx", "not ours"),
            ("PATH", "/bin"),
        ],
    )
    .unwrap_err();
    let all = list.join("\n");
    assert_eq!(
        list.len(),
        5,
        "the four names and the missing archive_dir: {all}"
    );
    for want in [
        "wcp_kafka_bootstrap is not in upper case (did you mean WCP_KAFKA_BOOTSTRAP?)",
        "Wcp_Anon_Key is not in upper case (did you mean WCP_ANON_KEY?)",
        "wcp_kafka__security_protocol is not in upper case (did you mean WCP_KAFKA__SECURITY_PROTOCOL?)",
        "wcp_archive_dri is not in upper case (did you mean WCP_ARCHIVE_DIR?)",
    ] {
        assert!(all.contains(want), "missing {want:?} in\n{all}");
    }
}

/// Trial 15i D5: the CLI ignored `wcp_kafka__security_protocol=sasl_ssl` (ran as PLAINTEXT)
/// where the services refuse it. The CLI's check gives the services' message for the
/// variables it reads, and leaves the others alone.
#[test]
fn the_cli_check_refuses_a_read_variable_in_the_wrong_case_as_the_services_do() {
    let vars = env(&[
        ("wcp_kafka__security_protocol", "sasl_ssl"),
        ("Wcp_Actor", "alice"),
        ("WCP_kafka__sasl_mechanism", "PLAIN"),
        ("wcp_kafka_bootstrap", "10.0.0.1:9092"),
        ("WCP_KAFKA__SASL_USERNAME", "u"),
        ("PATH", "/bin"),
    ]);
    let reads = ["WCP_KAFKA__*", "WCP_ACTOR"];
    let list = crate::config_source::wrong_case_problems(&vars, &reads);
    let services = load::<Dir>(
        "archiver",
        &[],
        &[("wcp_kafka__security_protocol", "sasl_ssl")],
    )
    .unwrap_err();
    assert_eq!(list[0], services[0], "not the services' message");
    assert_eq!(
        list[1..],
        [
            "environment variable Wcp_Actor is not in upper case (did you mean WCP_ACTOR?): wcp \
             reads WCP_* names exactly as written, so it would be ignored",
            "environment variable WCP_kafka__sasl_mechanism is not in upper case (did you mean \
             WCP_KAFKA__SASL_MECHANISM?): wcp reads WCP_* names exactly as written, so it would \
             be ignored",
        ]
    );
}

/// A misspelt librdkafka property is a configuration error at start-up naming the variable
/// and the property meant, as an unknown `WCP_*` name is (a trial's 15g D4: it stopped the
/// service later as "transient", exit 1).
#[test]
fn a_misspelt_librdkafka_property_is_a_configuration_error() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("c.toml");
    std::fs::write(
        &path,
        "[kafka]\n\"sasl.mechanisms\" = \"PLAIN\"\n\"ssl.ca.locaton\" = \"/x\"\n",
    )
    .unwrap();
    let list = load::<NoSettings>(
        "retention-tagger",
        &["--config", path.to_str().unwrap()],
        &[
            ("WCP_KAFKA__SECURTY_PROTOCOL", "plaintext"),
            ("WCP_KAFKA__MESSAGE_TIMEOUT_MS", "soon"),
            ("WCP_KAFKA__SASL_USERNAME", "u"),
        ],
    )
    .unwrap_err();
    assert_eq!(list.len(), 3, "{list:?}");
    let all = list.join("\n");
    for want in [
        "environment variable WCP_KAFKA__SECURTY_PROTOCOL: securty.protocol is not a librdkafka \
         property (did you mean security.protocol? set WCP_KAFKA__SECURITY_PROTOCOL)",
        "environment variable WCP_KAFKA__MESSAGE_TIMEOUT_MS: Invalid value for configuration \
         property \"message.timeout.ms\"",
        ": kafka.ssl.ca.locaton: ssl.ca.locaton is not a librdkafka property (did you mean \
         ssl.ca.location?)",
    ] {
        assert!(all.contains(want), "missing {want:?} in\n{all}");
    }
}

#[test]
fn delivery_properties_cannot_be_overridden() {
    let list = load::<NoSettings>(
        "classifier",
        &[],
        &[
            ("WCP_KAFKA__ISOLATION_LEVEL", "read_uncommitted"),
            ("WCP_KAFKA__ENABLE_AUTO_COMMIT", "true"),
            ("WCP_KAFKA__TRANSACTIONAL_ID", "x"),
            ("WCP_KAFKA__LINGER_MS", "20"),
        ],
    )
    .unwrap_err();
    assert_eq!(list.len(), 3, "{list:?}");
    assert!(
        list.iter()
            .any(|e| e.contains("isolation.level cannot be overridden: read_committed")),
        "{list:?}"
    );
}

#[test]
fn librdkafka_aliases_of_delivery_properties_cannot_be_overridden() {
    let list = load::<NoSettings>(
        "classifier",
        &[],
        &[
            ("WCP_KAFKA__METADATA_BROKER_LIST", "elsewhere:9092"),
            ("WCP_KAFKA__REQUEST_REQUIRED_ACKS", "1"),
            ("WCP_KAFKA__AUTO_COMMIT_ENABLE", "true"),
        ],
    )
    .unwrap_err();
    assert_eq!(list.len(), 3, "{list:?}");
    for (prop, of) in [
        ("metadata.broker.list", "bootstrap.servers"),
        ("request.required.acks", "acks"),
        ("auto.commit.enable", "enable.auto.commit"),
    ] {
        assert!(
            list.iter()
                .any(|e| e.contains(&format!("{prop} cannot be overridden"))
                    && e.contains(&format!("alias of {of}"))),
            "{prop}: {list:?}"
        );
    }
}

#[test]
fn statistics_interval_is_protected_and_transaction_timeout_is_not() {
    let list = load::<NoSettings>(
        "classifier",
        &[],
        &[("WCP_KAFKA__STATISTICS_INTERVAL_MS", "0")],
    )
    .unwrap_err();
    assert_eq!(list.len(), 1, "{list:?}");
    assert!(
        list[0].contains("statistics.interval.ms cannot be overridden")
            && list[0].contains("readiness"),
        "{list:?}"
    );
    // A broker whose transaction.max.timeout.ms is below 60 s needs a lower value.
    let (cfg, _) = load::<NoSettings>(
        "classifier",
        &[],
        &[("WCP_KAFKA__TRANSACTION_TIMEOUT_MS", "30000")],
    )
    .unwrap();
    assert_eq!(
        cfg.kafka
            .get(crate::config::TRANSACTION_TIMEOUT)
            .map(String::as_str),
        Some("30000")
    );
    assert!(!PROTECTED_PROPS
        .iter()
        .any(|(p, _)| *p == crate::config::TRANSACTION_TIMEOUT));
}

#[test]
fn a_region_suffix_must_name_a_region_of_the_policy() {
    use crate::config_source::region_suffix_problems;
    let prefixes = [
        "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_",
        "WCP_ARCHIVE_ENCRYPTION_KEY_",
        "WCP_ARCHIVE_KEY_",
    ];
    let regions: Vec<String> = ["cn", "hk", "sg", "cn-north"].map(String::from).to_vec();
    let check = |var: &str, value: &str| {
        region_suffix_problems(&[(var.into(), value.into())], &prefixes, &regions)
    };
    for ok in [
        "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN",
        "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN_NORTH",
        "WCP_ARCHIVE_ENCRYPTION_KEY_SG",
        "WCP_ARCHIVE_KEY_HK",
        "WCP_OTHER_CM",
    ] {
        assert_eq!(check(ok, "x"), Vec::<String>::new(), "{ok}");
    }
    // The trial's typo: refused, with the variable it meant.
    let e = check("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM", "/keys/cn");
    assert_eq!(
        e,
        vec![
            "unknown environment variable WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM (did you mean \
             WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN?): CM is not a region of the policy (regions: \
             cn, hk, sg, cn-north)"
                .to_string()
        ]
    );
    // The right region in lower case (trial 15f D3): the variable it meant, no contradiction.
    let e = check("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_cn", "/keys/cn");
    assert_eq!(
        e,
        vec![
            "unknown environment variable WCP_ARCHIVE_ENCRYPTION_KEY_FILE_cn (did you mean \
             WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN?): the suffix is the name in upper case"
                .to_string()
        ]
    );
    let e = check("WCP_ARCHIVE_ENCRYPTION_KEY_HKG", "ab");
    assert!(
        e[0].contains("did you mean WCP_ARCHIVE_ENCRYPTION_KEY_HK?"),
        "{e:?}"
    );
    let e = check("WCP_ARCHIVE_KEY_EU", "ab");
    assert!(
        e[0].contains("EU is not a region") && !e[0].contains("did you mean"),
        "{e:?}"
    );
    // `FILE_X` read as the key variable of a region `file-x` is not a region either.
    let e = check("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_", "ab");
    assert_eq!(e.len(), 1, "{e:?}");
    // Set but empty: unset for the services, nothing to refuse.
    assert!(check("WCP_ARCHIVE_KEY_EU", "").is_empty());
    // Every problem at once.
    let env = [
        ("WCP_ARCHIVE_KEY_CM".to_string(), "ab".to_string()),
        (
            "WCP_ARCHIVE_ENCRYPTION_KEY_SQ".to_string(),
            "ab".to_string(),
        ),
    ];
    assert_eq!(region_suffix_problems(&env, &prefixes, &regions).len(), 2);
}
