//! Typed service configuration: defaults in code, then the TOML file (`--config FILE` or
//! `WCP_CONFIG`), then `WCP_<KEY>` environment variables, then `--<key> value` arguments.
//! Every problem found is collected and reported at once.

use std::collections::BTreeMap;
use std::fmt;
use std::net::SocketAddr;
use std::path::PathBuf;

use crate::error::RuntimeError;

/// librdkafka properties that are secrets: accepted from the environment only, never printed.
const SECRET_PROPS: &[&str] = &[
    "sasl.password",
    "ssl.key.password",
    "ssl.key.pem",
    "ssl.keystore.password",
    "sasl.oauthbearer.client.secret",
];

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
    "policy_file",
];

/// Configuration of one service.
#[derive(Clone)]
pub struct Config {
    pub service: String,
    pub kafka_bootstrap: String,
    pub topic_prefix: String,
    pub group_id: String,
    pub instance_id: String,
    pub ops_addr: SocketAddr,
    pub shutdown_deadline_ms: u64,
    pub batch_max_events: usize,
    pub flush_interval_ms: u64,
    pub policy_file: Option<PathBuf>,
    /// librdkafka pass-through properties (TLS, SASL, tuning).
    pub kafka: BTreeMap<String, String>,
    /// Service-specific string keys (e.g. `archive_dir`), only those the service declared.
    pub extra: BTreeMap<String, String>,
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
            .field("group_id", &self.group_id)
            .field("instance_id", &self.instance_id)
            .field("ops_addr", &self.ops_addr)
            .field("shutdown_deadline_ms", &self.shutdown_deadline_ms)
            .field("batch_max_events", &self.batch_max_events)
            .field("flush_interval_ms", &self.flush_interval_ms)
            .field("policy_file", &self.policy_file)
            .field("kafka", &kafka)
            .field("extra", &self.extra)
            .finish()
    }
}

fn is_secret(prop: &str) -> bool {
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
            flush_interval_ms: 100,
            policy_file: None,
            kafka: BTreeMap::new(),
            extra: BTreeMap::new(),
        }
    }

    /// Loads the configuration from the process arguments and environment.
    pub fn load(service: &str, extra_keys: &[&str]) -> Result<Config, RuntimeError> {
        let args: Vec<String> = std::env::args().skip(1).collect();
        let env: Vec<(String, String)> = std::env::vars().collect();
        Config::from_sources(service, extra_keys, &args, &env)
    }

    /// Full name of a topic: the prefix applies to every topic.
    pub fn topic(&self, name: &str) -> String {
        format!("{}{}", self.topic_prefix, name)
    }

    /// `transactional.id`: stable per instance so a restart fences its zombie predecessor.
    pub fn transactional_id(&self) -> String {
        format!(
            "{}wcp-{}-{}",
            self.topic_prefix, self.service, self.instance_id
        )
    }

    /// A service-specific key, if set.
    pub fn extra(&self, key: &str) -> Option<&str> {
        self.extra.get(key).map(String::as_str)
    }

    /// Loads from explicit sources (testable without touching the process environment).
    pub fn from_sources(
        service: &str,
        extra_keys: &[&str],
        args: &[String],
        env: &[(String, String)],
    ) -> Result<Config, RuntimeError> {
        let mut errors = Vec::new();
        let mut values: Vec<(String, String, Source)> = Vec::new();
        let mut file = env
            .iter()
            .find(|(k, _)| k == "WCP_CONFIG")
            .map(|(_, v)| PathBuf::from(v));
        let mut cli = Vec::new();
        let mut it = args.iter();
        while let Some(a) = it.next() {
            let Some(key) = a.strip_prefix("--") else {
                errors.push(format!("unexpected argument `{a}`"));
                continue;
            };
            let (key, inline) = match key.split_once('=') {
                Some((k, v)) => (k.to_string(), Some(v.to_string())),
                None => (key.to_string(), None),
            };
            let Some(v) = inline.or_else(|| it.next().cloned()) else {
                errors.push(format!("--{key} needs a value"));
                continue;
            };
            if key == "config" {
                file = Some(PathBuf::from(v));
            } else {
                cli.push((key.replace('-', "_"), v, Source::Arg));
            }
        }
        if let Some(path) = &file {
            match std::fs::read_to_string(path) {
                Ok(text) => read_toml(&text, path, &mut values, &mut errors),
                Err(e) => errors.push(format!("cannot read {}: {e}", path.display())),
            }
        }
        for (k, v) in env {
            if let Some(prop) = k.strip_prefix("WCP_KAFKA__") {
                let prop = prop.to_ascii_lowercase().replace('_', ".");
                values.push((format!("kafka.{prop}"), v.clone(), Source::Env));
            } else if let Some(key) = k.strip_prefix("WCP_") {
                let key = key.to_ascii_lowercase();
                // Other WCP_* variables (WCP_LOG_FORMAT, WCP_ANON_KEY…) are not config keys.
                if COMMON_KEYS.contains(&key.as_str()) || extra_keys.contains(&key.as_str()) {
                    values.push((key, v.clone(), Source::Env));
                }
            }
        }
        values.extend(cli);
        let mut cfg = Config::defaults(service);
        for (key, value, source) in values {
            if let Err(e) = cfg.set(&key, &value, source, extra_keys) {
                errors.push(format!("{key} ({}): {e}", source.name()));
            }
        }
        if cfg.batch_max_events == 0 {
            errors.push("batch_max_events: must be at least 1".into());
        }
        if errors.is_empty() {
            Ok(cfg)
        } else {
            Err(RuntimeError::Config(errors))
        }
    }

    fn set(&mut self, key: &str, v: &str, source: Source, extra: &[&str]) -> Result<(), String> {
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
                    .map_err(|_| format!("`{v}` is not a socket address"))?
            }
            "shutdown_deadline_ms" => self.shutdown_deadline_ms = num(v)?,
            "batch_max_events" => self.batch_max_events = num(v)? as usize,
            "flush_interval_ms" => self.flush_interval_ms = num(v)?,
            "policy_file" => self.policy_file = Some(PathBuf::from(v)),
            _ => {
                if let Some(prop) = key.strip_prefix("kafka.") {
                    if is_secret(prop) && source == Source::File {
                        return Err("secrets are accepted from the environment only".into());
                    }
                    self.kafka.insert(prop.to_string(), v.to_string());
                } else if extra.contains(&key) {
                    self.extra.insert(key.to_string(), v.to_string());
                } else {
                    return Err("unknown key".into());
                }
            }
        }
        Ok(())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Source {
    File,
    Env,
    Arg,
}

impl Source {
    fn name(self) -> &'static str {
        match self {
            Source::File => "config file",
            Source::Env => "environment",
            Source::Arg => "argument",
        }
    }
}

/// Flattens the TOML file into (key, string value) pairs; `[kafka]` becomes `kafka.<prop>`.
fn read_toml(
    text: &str,
    path: &std::path::Path,
    out: &mut Vec<(String, String, Source)>,
    errors: &mut Vec<String>,
) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("{}: {e}", path.display()));
            return;
        }
    };
    for (k, v) in table {
        if k == "kafka" {
            match v {
                toml::Value::Table(props) => {
                    for (p, pv) in props {
                        match scalar(&pv) {
                            Some(s) => out.push((format!("kafka.{p}"), s, Source::File)),
                            None => errors.push(format!("kafka.{p}: must be a scalar")),
                        }
                    }
                }
                _ => errors.push("kafka: must be a table".into()),
            }
            continue;
        }
        match scalar(&v) {
            Some(s) => out.push((k, s, Source::File)),
            None => errors.push(format!("{k}: must be a scalar")),
        }
    }
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}

#[cfg(test)]
#[path = "config_tests.rs"]
mod tests;
