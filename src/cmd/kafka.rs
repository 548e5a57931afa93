//! What the Kafka subcommands (`produce`, `topics`, `tail`) share: the bootstrap address, a
//! client context that keeps librdkafka's last error (the cause a failed call reports only
//! as a timeout) and counts delivery reports, and a reachability check that names the
//! address and the cause.

use std::collections::BTreeMap;
use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::Mutex;
use std::time::Duration;

use anyhow::{anyhow, bail};
use rdkafka::client::Client;
use rdkafka::consumer::{Consumer, ConsumerContext};
use rdkafka::error::KafkaError;
use rdkafka::message::Message;
use rdkafka::producer::{DeliveryResult, ProducerContext};
use rdkafka::{ClientConfig, ClientContext};
use wcp_runtime::kafka_props;

/// How long a command waits for the broker's first answers: longer than librdkafka's own
/// wait for a reply to its first request (`api.version.request.timeout.ms`, 10 s), so that
/// for a port that accepts and stays silent (Prometheus' in a trial) its cause has arrived
/// and is named, not "Timed out 1 in-flight".
pub const METADATA_TIMEOUT: Duration = Duration::from_secs(12);

/// The address used when neither `--bootstrap` nor `KAFKA_BOOTSTRAP` gives one.
pub const DEFAULT_BOOTSTRAP: &str = "127.0.0.1:9092";

/// `--bootstrap`, else `KAFKA_BOOTSTRAP`, else the local default. Falling back to the default
/// while the environment holds a variable meant for it (the services' `WCP_KAFKA_BOOTSTRAP`,
/// a misspelt `KAFKA_BOOSTRAP`: trial 15h D9), a note says so before connecting, and a
/// failure to reach the default address repeats it ([`with_fix`]).
pub fn bootstrap(arg: Option<&str>) -> String {
    if let Some(a) = arg {
        return a.to_string();
    }
    if let Ok(a) = std::env::var("KAFKA_BOOTSTRAP") {
        return a;
    }
    let names: Vec<String> = std::env::vars_os()
        .filter_map(|(k, _)| k.into_string().ok())
        .collect();
    if let Some(said) = stray_bootstrap_vars(names.iter().map(String::as_str)) {
        eprintln!("note: {said}; connecting to the default {DEFAULT_BOOTSTRAP}");
        let _ = STRAY_BOOTSTRAP.set(said);
    }
    DEFAULT_BOOTSTRAP.into()
}

/// What [`bootstrap`] noted about the environment, for the error if the default address fails.
static STRAY_BOOTSTRAP: std::sync::OnceLock<String> = std::sync::OnceLock::new();

/// The CLI reads its broker address from `--bootstrap` or `KAFKA_BOOTSTRAP` only; what to say
/// of the environment variables among `names` that look meant for it: the services'
/// `WCP_KAFKA_BOOTSTRAP` (the CLI does not read it: one variable for the commands, as the
/// docs say), and near misses of `KAFKA_BOOTSTRAP` (the services' did-you-mean distance).
/// `None` when there is none. Pure.
pub fn stray_bootstrap_vars<'a>(names: impl IntoIterator<Item = &'a str>) -> Option<String> {
    let mut seen = Vec::new();
    for name in names {
        if name == "KAFKA_BOOTSTRAP" {
            continue;
        }
        let upper = name.to_ascii_uppercase();
        if upper == "WCP_KAFKA_BOOTSTRAP" {
            seen.push(format!("{name} is the services' variable"));
        } else if wcp_runtime::config_source::closest(&upper, ["KAFKA_BOOTSTRAP"]).is_some() {
            seen.push(format!(
                "{name} is not read (did you mean KAFKA_BOOTSTRAP?)"
            ));
        }
    }
    seen.sort();
    (!seen.is_empty()).then(|| {
        format!(
            "{}; the CLI reads --bootstrap or KAFKA_BOOTSTRAP",
            seen.join(", ")
        )
    })
}

/// A client of `bootstrap` with the librdkafka properties of the environment: every
/// `WCP_KAFKA__<PROP>` variable, as for the services (`WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL`,
/// `WCP_KAFKA__SASL_MECHANISM`, `WCP_KAFKA__SASL_USERNAME`, `WCP_KAFKA__SASL_PASSWORD`,
/// `WCP_KAFKA__SSL_CA_LOCATION`, ...), so the CLI reaches a cluster that requires TLS and SASL.
/// A misspelt or refused property is an error naming the variable and the property meant
/// (exit 2), as for the services, not librdkafka's "Client config error" when a client is
/// created.
pub fn client_config(bootstrap: &str) -> anyhow::Result<ClientConfig> {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", bootstrap);
    let (props, ignored) = env_props(std::env::vars());
    let mut problems = Vec::new();
    for (k, v) in props {
        let secret = wcp_runtime::config::is_secret(&k);
        if let Some(p) = wcp_runtime::kafka_props::problem(&k, &v, secret) {
            let var = format!("environment variable {}", kafka_props::env_name(&k));
            problems.push(kafka_props::describe(&var, &k, &p, true));
        }
        c.set(k, v);
    }
    if !problems.is_empty() {
        bail!("invalid configuration:\n  {}", problems.join("\n  "));
    }
    for var in ignored {
        eprintln!(
            "note: {var} is not used: the address comes from --bootstrap or $KAFKA_BOOTSTRAP \
             (here {bootstrap})"
        );
    }
    Ok(c)
}

/// The librdkafka properties of `WCP_KAFKA__<PROP>` variables, and the variables left out:
/// the broker address by librdkafka's name (or its alias) would silently override
/// `--bootstrap` (the services refuse it: `kafka_bootstrap` is the one place).
fn env_props(vars: impl Iterator<Item = (String, String)>) -> (Vec<(String, String)>, Vec<String>) {
    let (mut props, mut ignored) = (Vec::new(), Vec::new());
    for (k, v) in vars {
        let Some(prop) = k.strip_prefix("WCP_KAFKA__") else {
            continue;
        };
        let prop = prop.to_ascii_lowercase().replace('_', ".");
        if prop == "bootstrap.servers" || prop == "metadata.broker.list" {
            ignored.push(k);
        } else {
            props.push((prop, v));
        }
    }
    (props, ignored)
}

/// Client context of the CLI: the last librdkafka error and the delivery outcome.
#[derive(Default)]
pub struct CliCtx {
    last_error: Mutex<Option<String>>,
    pub delivered: AtomicU64,
    pub failed: AtomicU64,
    /// Failed deliveries by error (the first few kinds are enough to say what went wrong).
    pub failures: Mutex<BTreeMap<String, u64>>,
    /// The first [`LINES_KEPT`] failed deliveries that carried a line number (`wcp produce
    /// --file`), with the error: the line is named, not only the count (trial 17a D4).
    pub failed_lines: Mutex<Vec<(usize, String)>>,
}

/// How many failed lines [`CliCtx`] keeps to name.
pub const LINES_KEPT: usize = 20;

impl CliCtx {
    /// librdkafka's last error message, if any since the last call.
    pub fn take_error(&self) -> Option<String> {
        self.last_error.lock().ok().and_then(|mut e| e.take())
    }
}

impl CliCtx {
    /// Keeps `msg` (in plain words: [`for_cli`]) unless it is the vaguer "N/N brokers are
    /// down" after a real cause.
    fn note(&self, msg: &str) {
        if let Ok(mut e) = self.last_error.lock() {
            let plain = for_cli(msg);
            // A named cause (not a Kafka broker) is kept over librdkafka's later, vaguer
            // lines about the same failure ("Timed out 1 in-flight ...").
            let named = |m: &str| m.contains("point --bootstrap");
            let keep = e.as_deref().is_some_and(named) && !named(&plain);
            if !keep && (e.is_none() || !msg.contains("brokers are down")) {
                *e = Some(plain);
            }
        }
    }
}

/// librdkafka's `cause` made plain as the services say it (`wcp_runtime::brokers::
/// explain_cause`: an HTTP port "answered, but it is not a Kafka broker", not librdkafka's
/// advice to raise receive.message.max.bytes; no thread tag), naming the CLI's setting.
pub fn for_cli(cause: &str) -> String {
    // The broker's certificate not trusted: the CA file this client trusts, as the services
    // name it (trial 17a D14).
    if wcp_runtime::mismatch::untrusted_certificate(cause) {
        let ca = std::env::var("WCP_KAFKA__SSL_CA_LOCATION").ok();
        let addr = wcp_runtime::brokers::broker_addr(cause).unwrap_or("the broker");
        return wcp_runtime::mismatch::untrusted_explain(
            addr,
            ca.as_deref(),
            &wcp_runtime::brokers::explain_cause(cause),
        )
        .replace(
            "check kafka_bootstrap",
            "check --bootstrap (or $KAFKA_BOOTSTRAP)",
        );
    }
    wcp_runtime::brokers::explain_cause(cause).replace(
        "point kafka_bootstrap at",
        "point --bootstrap (or $KAFKA_BOOTSTRAP) at",
    )
}

impl ClientContext for CliCtx {
    fn error(&self, error: KafkaError, reason: &str) {
        let msg = if reason.is_empty() {
            error.to_string()
        } else {
            reason.to_string()
        };
        self.note(&msg);
    }
    /// Warnings are kept, not printed: the log line of a failed connection ("Connect to
    /// ipv4#127.0.0.1:1 failed: Connection refused") arrives on librdkafka's own thread,
    /// while the error callback waits for a poll.
    /// Clients log at INFO for librdkafka's security.protocol hint (`wcp_runtime::mismatch`).
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, _: &str, msg: &str) {
        if wcp_runtime::mismatch::worth_keeping(level, msg) {
            self.note(msg);
        }
    }
}

impl ConsumerContext for CliCtx {}

impl ProducerContext for CliCtx {
    /// The record's line in its file (1-based), 0 for none.
    type DeliveryOpaque = usize;
    fn delivery(&self, result: &DeliveryResult<'_>, line: usize) {
        match result {
            Ok(_) => {
                self.delivered.fetch_add(1, Ordering::Relaxed);
            }
            Err((e, m)) => {
                self.failed.fetch_add(1, Ordering::Relaxed);
                if let Ok(mut f) = self.failures.lock() {
                    *f.entry(format!("{} ({e})", m.topic())).or_default() += 1;
                }
                if let Ok(mut l) = self.failed_lines.lock() {
                    if line > 0 && l.len() < LINES_KEPT {
                        l.push((line, e.to_string()));
                    }
                }
            }
        }
    }
}

/// The partitions of `topic`; an error that names the address and the cause when the broker
/// cannot be reached, and the topic when it does not exist.
pub fn partitions(
    client: &Client<CliCtx>,
    bootstrap: &str,
    topic: &str,
) -> anyhow::Result<Vec<i32>> {
    let md = client
        .fetch_metadata(Some(topic), METADATA_TIMEOUT)
        .map_err(|e| unreachable(client.context(), bootstrap, e))?;
    let t = md
        .topics()
        .iter()
        .find(|t| t.name() == topic)
        .ok_or_else(|| anyhow!("topic {topic} does not exist"))?;
    if t.error().is_some() || t.partitions().is_empty() {
        bail!(
            "topic {topic} does not exist at {bootstrap} (create the topics first: wcp topics \
             create --bootstrap {bootstrap}{})",
            prefix_hint(topic)
        );
    }
    Ok(t.partitions().iter().map(|p| p.id()).collect())
}

/// Whether the broker at `bootstrap` answers; an error naming the address and the cause when
/// not. For clients whose own events this command cannot serve (an admin client: its
/// librdkafka errors wait on a queue nobody polls), a consumer of its own asks instead.
pub fn check_reachable(bootstrap: &str) -> anyhow::Result<()> {
    let probe: rdkafka::consumer::BaseConsumer<CliCtx> = client_config(bootstrap)?
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    metadata(&probe, bootstrap, None).map(|_| ())
}

/// The metadata of `topic` (all topics: `None`) from a consumer created with [`CliCtx`] (log
/// level Warning, so the cause is kept); an error naming the address and the cause when the
/// broker does not answer, as [`unreachable`] says it.
pub fn metadata(
    consumer: &rdkafka::consumer::BaseConsumer<CliCtx>,
    bootstrap: &str,
    topic: Option<&str>,
) -> anyhow::Result<rdkafka::metadata::Metadata> {
    consumer
        .fetch_metadata(topic, METADATA_TIMEOUT)
        .map_err(|e| {
            // Serves the error and log events that carry the cause.
            let _ = consumer.poll(Duration::from_millis(200));
            unreachable(consumer.context(), bootstrap, e)
        })
}

/// The error for a broker that did not answer: the address and librdkafka's cause.
pub fn unreachable(ctx: &CliCtx, bootstrap: &str, e: KafkaError) -> anyhow::Error {
    with_fix(match ctx.take_error() {
        Some(cause) => format!("cannot reach Kafka at {bootstrap}: {cause}"),
        None => format!("cannot reach Kafka at {bootstrap} ({e})"),
    })
}

/// `said` with the fix, as the services name it, unless the cause already named one (a port
/// that is not a Kafka broker's); and what [`bootstrap`] noted of the environment, if it fell
/// back to the default address.
pub fn with_fix(said: String) -> anyhow::Error {
    let said = if said.contains("--bootstrap") {
        said
    } else {
        format!(
            "{said} (check --bootstrap (or $KAFKA_BOOTSTRAP) and that the broker is up and \
             reachable from here)"
        )
    };
    match STRAY_BOOTSTRAP.get() {
        // The default address failed while a variable meant for it was set (trial 15h D9).
        Some(stray) => anyhow!("{said}; note: {stray}"),
        None => anyhow!(said),
    }
}

/// `e` with librdkafka's last error appended when it has one (served by a poll since).
pub fn with_cause(e: anyhow::Error, ctx: &CliCtx) -> anyhow::Error {
    match ctx.take_error() {
        Some(cause) => anyhow!("{e}: {cause}"),
        None => e,
    }
}

fn prefix_hint(topic: &str) -> String {
    for t in wcp_model::topics::ALL {
        if let Some(p) = topic.strip_suffix(t).filter(|p| !p.is_empty()) {
            return format!(" --prefix {p}");
        }
    }
    String::new()
}

#[cfg(test)]
mod env_tests {
    use super::{env_props, stray_bootstrap_vars};

    /// Trial 15h D9: `WCP_KAFKA_BOOTSTRAP` and `KAFKA_BOOSTRAP` were ignored in silence and
    /// the commands failed on 127.0.0.1:9092.
    #[test]
    fn a_variable_meant_for_the_broker_address_is_named() {
        assert_eq!(
            stray_bootstrap_vars(["PATH", "WCP_KAFKA_BOOTSTRAP"]).as_deref(),
            Some(
                "WCP_KAFKA_BOOTSTRAP is the services' variable; the CLI reads --bootstrap or \
                 KAFKA_BOOTSTRAP"
            )
        );
        assert_eq!(
            stray_bootstrap_vars(["WCP_KAFKA_BOOTSTRAP", "KAFKA_BOOSTRAP"]).as_deref(),
            Some(
                "KAFKA_BOOSTRAP is not read (did you mean KAFKA_BOOTSTRAP?), WCP_KAFKA_BOOTSTRAP \
                 is the services' variable; the CLI reads --bootstrap or KAFKA_BOOTSTRAP"
            )
        );
        for near in [
            "kafka_bootstrap",
            "KAFKA_BOOTSTRAPS",
            "KAFKA_BOOTSTRP",
            "KAFK_BOOTSTRAP",
        ] {
            assert!(stray_bootstrap_vars([near]).is_some(), "{near}");
        }
        // The right one, and the others a shell of this project holds, say nothing.
        let quiet = [
            "KAFKA_BOOTSTRAP",
            "KAFKA_HOME_DIR",
            "KAFKA_LIB_DIR",
            "KAFKA_PORT",
            "KAFKA_CONTROLLER_PORT",
            "WCP_KAFKA__BOOTSTRAP_SERVERS",
            "WCP_E2E_BIN_DIR",
        ];
        assert_eq!(stray_bootstrap_vars(quiet), None);
    }

    #[test]
    fn the_broker_address_never_comes_from_a_pass_through_variable() {
        let vars = [
            ("WCP_KAFKA__SECURITY_PROTOCOL", "SASL_SSL"),
            ("WCP_KAFKA__BOOTSTRAP_SERVERS", "10.0.0.9:9092"),
            ("WCP_KAFKA__METADATA_BROKER_LIST", "10.0.0.9:9092"),
            ("KAFKA_BOOTSTRAP", "127.0.0.1:9092"),
        ]
        .map(|(k, v)| (k.to_string(), v.to_string()));
        let (props, ignored) = env_props(vars.into_iter());
        assert_eq!(
            props,
            vec![("security.protocol".to_string(), "SASL_SSL".to_string())]
        );
        assert_eq!(
            ignored,
            vec![
                "WCP_KAFKA__BOOTSTRAP_SERVERS",
                "WCP_KAFKA__METADATA_BROKER_LIST"
            ]
        );
    }
}
