//! The CLI's `WCP_*` variables written in the wrong case are refused, as the services refuse
//! theirs (`wcp_runtime::config_source`): `wcp_kafka__security_protocol=sasl_ssl wcp lag` used to
//! run as PLAINTEXT in silence (trial 15i D5). Only the variables the CLI reads are checked: a
//! shell may hold the services' own (`WCP_KAFKA_BOOTSTRAP`, which `kafka::bootstrap` names).

use anyhow::bail;

/// Every `WCP_*` variable the CLI reads (a name, or a prefix ending in `*`).
pub const READS: &[&str] = &[
    // librdkafka properties of every Kafka command (`kafka::client_config`).
    "WCP_KAFKA__*",
    // The writer's signing key per region (`wcp_archive::regions`).
    "WCP_ARCHIVE_KEY_*",
    // Encryption at rest (`wcp_archive::at_rest::key_vars`): the archive's and the console's.
    "WCP_ARCHIVE_ENCRYPTION_KEY_*",
    "WCP_REVIEW_ENCRYPTION_KEY_*",
    // `wcp archive` writers' actor, `wcp run`'s tenant key.
    "WCP_ACTOR",
    "WCP_ANON_KEY",
];

/// Refuses (exit 2, before anything runs) a variable the CLI reads, written in another case.
pub fn check() -> anyhow::Result<()> {
    let env: Vec<(String, String)> = std::env::vars_os()
        .filter_map(|(k, v)| Some((k.into_string().ok()?, v.to_string_lossy().into_owned())))
        .collect();
    let problems = wcp_runtime::config_source::wrong_case_problems(&env, READS);
    if !problems.is_empty() {
        bail!("invalid configuration:\n  {}", problems.join("\n  "));
    }
    Ok(())
}
