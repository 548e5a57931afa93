//! Typed service configuration: defaults in code, then the TOML file (`--config FILE` or
//! `WCP_CONFIG`), then `WCP_<KEY>` environment variables, then `--<key> value` arguments.
//! Keys every service shares live in [`Config`]; a service's own keys in a [`Settings`] type
//! of its own. Every problem found is collected and reported at once; an unknown key or
//! `WCP_*` variable is one of them, with the closest known name as a suggestion.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::{Path, PathBuf};

use crate::config_source::{collect, Source};
use crate::error::RuntimeError;

/// librdkafka properties that are secrets: accepted from the environment only, never printed.
const SECRET_PROPS: &[&str] = &[
    "sasl.password",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl.keystore.password",
    "sasl.oauthbearer.client.secret",
];

/// librdkafka properties the delivery guarantees rest on (docs/DELIVERY.md): the runtime sets
/// them, and a pass-through value is refused at start-up with the reason.
pub const PROTECTED_PROPS: &[(&str, &str)] = &[
    ("bootstrap.servers", "set kafka_bootstrap instead"),
    (
        "group.id",
        "set group_id instead (topic_prefix is added to it)",
    ),
    ("group.instance.id", "derived from the instance_id"),
    (
        "client.id",
        "derived from the service and instance_id (one instance per id)",
    ),
    (
        "transactional.id",
        "derived from the service and instance_id (fencing of zombies)",
    ),
    (
        "enable.idempotence",
        "transactions and dedup need an idempotent producer",
    ),
    (
        "isolation.level",
        "read_committed: aborted transactions must stay invisible",
    ),
    (
        "enable.auto.commit",
        "offsets are committed inside the transaction",
    ),
    (
        "enable.auto.offset.store",
        "offsets are committed inside the transaction",
    ),
    (
        "auto.offset.reset",
        "earliest: a new group must not skip records",
    ),
    ("acks", "all: required by idempotence"),
    (
        "enable.partition.eof",
        "the loop does not expect EOF events",
    ),
    (
        "statistics.interval.ms",
        "2000: the consumer lag metrics and broker readiness (/readyz) come from the statistics",
    ),
    // librdkafka's aliases of the above (CONFIGURATION.md): the same property by another name.
    (
        "metadata.broker.list",
        "alias of bootstrap.servers: set kafka_bootstrap instead",
    ),
    (
        "request.required.acks",
        "alias of acks: all, required by idempotence",
    ),
    (
        "auto.commit.enable",
        "deprecated alias of enable.auto.commit: offsets are committed inside the transaction",
    ),
];

/// Deliberately not protected: `transaction.timeout.ms` (60 s by default). It must not exceed
/// the broker's `transaction.max.timeout.ms` (a managed Kafka may cap it below 60 s, and then
/// `init_transactions` fails), and it must exceed a batch's processing time: both are the
/// operator's to match. Too low a value aborts batches, which are then redone (never lost or
/// duplicated: the offsets are in the same transaction).
pub const TRANSACTION_TIMEOUT: &str = "transaction.timeout.ms";

/// Keys every service understands.
pub const COMMON_KEYS: &[&str] = &[
    "kafka_bootstrap",
    "topic_prefix",
    "group_id",
    "instance_id",
    "ops_addr",
    "shutdown_deadline_ms",
    "batch_max_events",
    "flush_interval_ms",
    "producer_recovery_patience_ms",
];

/// `WCP_*` variables that are not config keys but read by every service.
pub const PROCESS_ENV: &[&str] = &["WCP_CONFIG", "WCP_LOG_FORMAT"];

/// A service's own keys (beyond [`COMMON_KEYS`]), typed. `set` parses one value; `check`
/// looks at the whole once everything is set (a required key, two keys that conflict).
pub trait Settings: Default + Clone + fmt::Debug + Send + 'static {
    /// The keys, as written in the file (`WCP_<KEY>` in the environment).
    const KEYS: &'static [&'static str];
    /// Further `WCP_*` variables the service reads itself (secrets such as `WCP_ANON_KEY`);
    /// a name ending in `*` is a prefix (`WCP_ARCHIVE_KEY_*`: one variable per region).
    const ENV: &'static [&'static str] = &[];
    fn set(&mut self, key: &str, value: &str) -> Result<(), String>;
    fn check(&self) -> Vec<String> {
        Vec::new()
    }
}

/// The settings of a service with no keys of its own.
#[derive(Debug, Clone, Default)]
pub struct NoSettings;

impl Settings for NoSettings {
    const KEYS: &'static [&'static str] = &[];
    fn set(&mut self, key: &str, _: &str) -> Result<(), String> {
        Err(format!("unknown key {key}"))
    }
}

/// The settings of a service that reads the pipeline policy: `policy_file`, unset for the
/// built-in policy (the runtime only carries the path; `wcp_stages::Policy::load` reads it).
#[derive(Debug, Clone, Default)]
pub struct PolicySettings {
    pub policy_file: Option<PathBuf>,
}

impl PolicySettings {
    /// The policy through `load` (`wcp_stages::Policy::load`), warnings logged
    /// ([`crate::stage_settings::load_policy`]).
    pub fn policy<P, E: fmt::Display>(
        &self,
        load: impl FnOnce(Option<&Path>) -> Result<P, E>,
        warnings: impl FnOnce(&P) -> Vec<String>,
    ) -> Result<P, RuntimeError> {
        crate::stage_settings::load_policy(self.policy_file.as_deref(), load, warnings)
    }
}

impl Settings for PolicySettings {
    const KEYS: &'static [&'static str] = &["policy_file"];
    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "policy_file" => self.policy_file = Some(PathBuf::from(v)),
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }
}

/// Configuration every service shares.
#[derive(Clone)]
pub struct Config {
    pub service: String,
    pub kafka_bootstrap: String,
    pub topic_prefix: String,
    /// The consumer group before the prefix: [`Config::group`] is what Kafka sees.
    pub group_id: String,
    pub instance_id: String,
    pub ops_addr: SocketAddr,
    pub shutdown_deadline_ms: u64,
    pub batch_max_events: usize,
    pub flush_interval_ms: u64,
    /// How long one re-created transactional producer's `init_transactions` is retried
    /// before a fresh producer replaces it (`txproducer::recreate`, which itself never gives
    /// up on a broker outage).
    pub producer_recovery_patience_ms: u64,
    /// librdkafka pass-through properties (TLS, SASL, tuning).
    pub kafka: BTreeMap<String, String>,
}

impl fmt::Debug for Config {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let kafka: BTreeMap<&str, &str> = self
            .kafka
            .iter()
            .map(|(k, v)| (k.as_str(), if is_secret(k) { "<redacted>" } else { v }))
            .collect();
        f.debug_struct("Config")
            .field("service", &self.service)
            .field("kafka_bootstrap", &self.kafka_bootstrap)
            .field("topic_prefix", &self.topic_prefix)
            .field("group_id", &self.group())
            .field("instance_id", &self.instance_id)
            .field("ops_addr", &self.ops_addr)
            .field("shutdown_deadline_ms", &self.shutdown_deadline_ms)
            .field("batch_max_events", &self.batch_max_events)
            .field("flush_interval_ms", &self.flush_interval_ms)
            .field(
                "producer_recovery_patience_ms",
                &self.producer_recovery_patience_ms,
            )
            .field("kafka", &kafka)
            .finish()
    }
}

pub fn is_secret(prop: &str) -> bool {
    SECRET_PROPS.contains(&prop) || prop.contains("password") || prop.contains("secret")
}

/// Records per transaction unless configured. The archiver's cost per SQLite transaction is
/// high (every index page a batch touches is rewritten whole in the WAL): 2,000-record
/// batches ingest ~40% faster than 500 (`cargo bench -p wcp-archive`), and its batches fill
/// only under load, when throughput matters more than the extra wait.
fn default_batch(service: &str) -> usize {
    match service {
        "archiver" => 2_000,
        _ => 500,
    }
}

/// How long a batch waits for more records once the consumer holds none (see
/// `batch::fill_batch`) unless configured: the Kafka→Kafka stages take what is there, so a
/// record is held only by the transaction before it (end-to-end latency, docs/TESTING.md);
/// the archiver, off that path, waits to write fewer, larger SQLite transactions.
fn default_flush_ms(service: &str) -> u64 {
    match service {
        "archiver" => 100,
        _ => 0,
    }
}

impl Config {
    /// Defaults for `service` (`group_id` = `wcp-<service>`).
    pub fn defaults(service: &str) -> Config {
        Config {
            service: service.to_string(),
            kafka_bootstrap: "127.0.0.1:9092".into(),
            topic_prefix: String::new(),
            group_id: format!("wcp-{service}"),
            instance_id: "0".into(),
            ops_addr: SocketAddr::from(([0, 0, 0, 0], 9090)),
            shutdown_deadline_ms: 20_000,
            batch_max_events: default_batch(service),
            flush_interval_ms: default_flush_ms(service),
            producer_recovery_patience_ms: 180_000,
            kafka: BTreeMap::new(),
        }
    }

    /// Loads the configuration from the process arguments and environment.
    pub fn load<S: Settings>(service: &str) -> Result<(Config, S), RuntimeError> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::from_sources(service, &args, &env)
    }

    /// Full name of a topic: the prefix applies to every topic.
    pub fn topic(&self, name: &str) -> String {
        format!("{}{}", self.topic_prefix, name)
    }

    /// The consumer group Kafka sees: the prefix applies to groups as to topics, so a
    /// prefixed test instance never joins the live group.
    pub fn group(&self) -> String {
        format!("{}{}", self.topic_prefix, self.group_id)
    }

    /// `transactional.id`: stable per instance so a restart fences its zombie predecessor.
    pub fn transactional_id(&self) -> String {
        format!(
            "{}wcp-{}-{}",
            self.topic_prefix, self.service, self.instance_id
        )
    }

    /// The librdkafka `client.id`: names this instance in the broker's group listing, which
    /// is how a second instance with the same id is recognised (`instance`).
    pub fn client_id(&self) -> String {
        format!(
            "{}wcp-{}-{}",
            self.topic_prefix, self.service, self.instance_id
        )
    }

    /// Loads from explicit sources (testable without touching the process environment).
    pub fn from_sources<S: Settings>(
        service: &str,
        args: &[String],
        env: &[(String, String)],
    ) -> Result<(Config, S), RuntimeError> {
        let mut known: Vec<&str> = COMMON_KEYS.to_vec();
        known.extend_from_slice(S::KEYS);
        let mut extra_env: Vec<&str> = PROCESS_ENV.to_vec();
        extra_env.extend_from_slice(S::ENV);
        let (values, mut errors) = collect(args, env, &known, &extra_env);
        let mut cfg = Config::defaults(service);
        let mut settings = S::default();
        for (key, value, source) in values {
            let res = if COMMON_KEYS.contains(&key.as_str()) {
                cfg.set(&key, &value)
            } else if let Some(prop) = key.strip_prefix("kafka.") {
                cfg.set_kafka(prop, &value, source)
            } else {
                settings.set(&key, &value)
            };
            if let Err(e) = res {
                errors.push(format!("{key} ({}): {e}", source.name()));
            }
        }
        if cfg.batch_max_events == 0 {
            errors.push("batch_max_events: must be at least 1".into());
        }
        errors.extend(settings.check());
        if errors.is_empty() {
            Ok((cfg, settings))
        } else {
            Err(RuntimeError::Config(errors))
        }
    }

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        let num = |v: &str| {
            v.parse::<u64>()
                .map_err(|_| format!("`{v}` is not a number"))
        };
        match key {
            "kafka_bootstrap" => self.kafka_bootstrap = v.to_string(),
            "topic_prefix" => self.topic_prefix = v.to_string(),
            "group_id" => self.group_id = v.to_string(),
            "instance_id" => self.instance_id = v.to_string(),
            "ops_addr" => {
                self.ops_addr = v
                    .parse()
                    .map_err(|_| format!("`{v}` is not a socket address (HOST:PORT)"))?
            }
            "shutdown_deadline_ms" => self.shutdown_deadline_ms = num(v)?,
            "batch_max_events" => self.batch_max_events = num(v)? as usize,
            "flush_interval_ms" => self.flush_interval_ms = num(v)?,
            "producer_recovery_patience_ms" => match num(v)? {
                0 => return Err("must be at least 1 (milliseconds)".into()),
                n => self.producer_recovery_patience_ms = n,
            },
            _ => return Err("unknown key".into()),
        }
        Ok(())
    }

    fn set_kafka(&mut self, prop: &str, v: &str, source: Source) -> Result<(), String> {
        if let Some((_, why)) = PROTECTED_PROPS.iter().find(|(p, _)| *p == prop) {
            return Err(format!(
                "librdkafka property {prop} cannot be overridden: {why}"
            ));
        }
        if is_secret(prop) && source == Source::File {
            return Err("secrets are accepted from the environment only".into());
        }
        self.kafka.insert(prop.to_string(), v.to_string());
        Ok(())
    }
}

/// A secret of a service: the bytes of `file` (the setting `file_key`) when set, else the
/// value of the environment variable `env_var` (non-empty). `what` names it in the error,
/// which names both settings exactly (a trial: "set its file key" named none).
pub fn secret(
    file: Option<&Path>,
    file_key: &str,
    env_var: &str,
    what: &str,
) -> Result<Vec<u8>, RuntimeError> {
    if let Some(f) = file {
        return std::fs::read(f)
            .map_err(|e| RuntimeError::Config(vec![format!("{what} file {}: {e}", f.display())]));
    }
    match std::env::var(env_var) {
        Ok(k) if !k.is_empty() => Ok(k.into_bytes()),
        _ => Err(RuntimeError::Config(vec![format!(
            "{what} is required: set {file_key} (config) or WCP_{} (env) to its file, or \
             {env_var} to the key itself",
            file_key.to_ascii_uppercase()
        )])),
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
