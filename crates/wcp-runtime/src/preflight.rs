//! Checks before a service joins its consumer group: the broker answers (an error names the
//! address and librdkafka's cause, not just "OperationTimedOut"), the credentials are
//! accepted, and no other live process runs with this service's `instance_id`.
//!
//! One instance per id: every client of an instance uses `client.id` =
//! `<prefix>wcp-<service>-<instance_id>`, which the broker lists with each group member. A
//! member with our client id in our group is another process. A process killed with -9 stays
//! listed until its session times out, so the check waits that long for the member to go
//! before it calls it live; a live one keeps heartbeating and stays.

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext};
use rdkafka::error::{KafkaError, RDKafkaErrorCode};
use rdkafka::{ClientConfig, ClientContext};

use crate::config::Config;
use crate::error::RuntimeError;
use crate::kafka;
use crate::shutdown::RunCtx;

/// How long the broker may stay unreachable at start-up before the process gives up.
const CONNECT_PATIENCE: Duration = Duration::from_secs(60);
/// The consumers' `session.timeout.ms` plus a margin: how long a killed predecessor can
/// stay listed in the group.
pub const STALE_MEMBER_WAIT: Duration = Duration::from_secs(13);

/// Remembers librdkafka's last error: it holds the cause ("Connection refused", "SASL
/// authentication error: ...") that the failed call itself only reports as a timeout.
#[derive(Default, Clone)]
struct LastError(Arc<Mutex<Option<(RDKafkaErrorCode, String)>>>);

impl ClientContext for LastError {
    fn error(&self, error: KafkaError, reason: &str) {
        let code = error.rdkafka_error_code().unwrap_or(RDKafkaErrorCode::Fail);
        let mut last = self.0.lock().unwrap_or_else(|p| p.into_inner());
        // "1/1 brokers are down" says less than the connection failure before it.
        if last.is_none() || !reason.contains("brokers are down") {
            *last = Some((code, reason.to_string()));
        }
    }
    /// Also keeps warnings: a refused connection is logged on librdkafka's thread at once,
    /// while the error callback waits for a poll.
    /// At INFO (the security.protocol hint, `mismatch`): other INFO lines are dropped.
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        if !crate::mismatch::worth_keeping(level, msg) {
            return;
        }
        {
            let mut last = self.0.lock().unwrap_or_else(|p| p.into_inner());
            // An error with a code (authentication) is worth more than a log line; the
            // protocol hint is worth more than "brokers are down".
            let vague = last
                .as_ref()
                .is_some_and(|l| l.1.contains("brokers are down"));
            if last.is_none() || vague {
                *last = Some((RDKafkaErrorCode::Fail, msg.to_string()));
            }
        }
        kafka::forward_log(level, fac, msg);
    }
}

impl ConsumerContext for LastError {}

impl LastError {
    fn get(&self) -> Option<(RDKafkaErrorCode, String)> {
        self.0.lock().unwrap_or_else(|p| p.into_inner()).clone()
    }
}

/// Runs the checks; `Err` stops the service (exit 1) with a message that says what to fix.
pub fn check(cfg: &Config, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let last = LastError::default();
    let consumer: BaseConsumer<LastError> =
        preflight_client(cfg).create_with_context(last.clone())?;
    connect(cfg, ctx, &consumer, &last)?;
    sole_instance(cfg, ctx, consumer, &cfg.group())
}

/// The one-instance-per-id check of [`check`] for a service whose members sit in a group of
/// their own rather than `cfg.group()`: the capture joins `<group>-<corp_id>`. Call it right
/// before joining that group; `Err` stops the service (exit 1) naming the other instance.
pub fn sole_instance_in(cfg: &Config, ctx: &RunCtx, group: &str) -> Result<(), RuntimeError> {
    let consumer: BaseConsumer<LastError> =
        preflight_client(cfg).create_with_context(LastError::default())?;
    sole_instance(cfg, ctx, consumer, group)
}

/// Failed group listings in a row after which the check drops its client for a new one.
const RECREATE_AFTER: u32 = 3;

fn preflight_client(cfg: &Config) -> ClientConfig {
    let mut c = ClientConfig::new();
    c.set("bootstrap.servers", &cfg.kafka_bootstrap)
        .set("client.id", format!("{}-preflight", cfg.client_id()))
        .set_log_level(crate::mismatch::CAUSE_LOG_LEVEL);
    for (k, v) in &cfg.kafka {
        c.set(k, v);
    }
    c
}

fn connect(
    cfg: &Config,
    ctx: &RunCtx,
    consumer: &BaseConsumer<LastError>,
    last: &LastError,
) -> Result<(), RuntimeError> {
    let addr = &cfg.kafka_bootstrap;
    let start = Instant::now();
    ctx.set_not_ready(format!("connecting to Kafka at {addr}"));
    loop {
        let res = consumer.fetch_metadata(None, Duration::from_secs(3));
        // Serves the error callback, which carries the cause.
        let _ = consumer.poll(Duration::from_millis(100));
        let cause = last.get();
        let why = match (&res, &cause) {
            (Ok(_), _) => return Ok(()),
            (Err(_), Some((_, reason))) => crate::brokers::explain_cause(reason),
            (Err(e), None) => e.to_string(),
        };
        let auth = matches!(
            cause.as_ref().map(|c| c.0),
            Some(RDKafkaErrorCode::Authentication | RDKafkaErrorCode::SaslAuthenticationFailed)
        );
        if auth {
            return Err(RuntimeError::Fatal(crate::brokers::credentials_refused(
                addr, &why,
            )));
        }
        // A certificate the client does not trust stays untrusted: stop as for a wrong
        // password, naming the CA file and the broker (it retried for ever: trial 17a D14).
        if let Some((_, reason)) = cause
            .as_ref()
            .filter(|c| crate::mismatch::untrusted_certificate(&c.1))
        {
            let ca = cfg.kafka.get("ssl.ca.location").map(String::as_str);
            return Err(RuntimeError::Fatal(crate::mismatch::untrusted_explain(
                addr,
                ca,
                &crate::brokers::explain_cause(reason),
            )));
        }
        // Under the rate limit of librdkafka's lines (trial 15j D8: one line every 4 s): the
        // first at once, then one summary per window; `/readyz` always has the latest cause.
        match crate::lograte::check("preflight") {
            crate::lograte::Verdict::Emit => {
                tracing::warn!(bootstrap = %addr, cause = %why, "cannot reach Kafka; retrying")
            }
            crate::lograte::Verdict::Suppress => {}
            crate::lograte::Verdict::Summary { suppressed, .. } => tracing::warn!(
                bootstrap = %addr,
                cause = %why,
                "cannot reach Kafka; retrying ({suppressed} similar messages suppressed)"
            ),
        }
        ctx.set_not_ready(format!("cannot reach Kafka at {addr}: {why}"));
        if start.elapsed() >= CONNECT_PATIENCE {
            return Err(RuntimeError::Fatal(format!(
                "cannot reach Kafka at {addr} after {} s: {why} (check kafka_bootstrap and \
                 that the broker is up and reachable from here)",
                CONNECT_PATIENCE.as_secs()
            )));
        }
        if ctx.sleep(Duration::from_secs(1)) {
            return Err(RuntimeError::Interrupted(
                "shutdown while connecting to Kafka".into(),
            ));
        }
    }
}

/// Members of our group with our client id, as "member <id> at <host>".
pub fn same_id_members<C: ClientContext>(
    cfg: &Config,
    client: &rdkafka::client::Client<C>,
) -> Result<Vec<String>, RuntimeError> {
    same_id_members_in(cfg, &cfg.group(), client)
}

/// Members of `group` with our client id, as "member <id> at <host>".
pub fn same_id_members_in<C: ClientContext>(
    cfg: &Config,
    group: &str,
    client: &rdkafka::client::Client<C>,
) -> Result<Vec<String>, RuntimeError> {
    let client_id = cfg.client_id();
    let list = client.fetch_group_list(Some(group), Duration::from_secs(10))?;
    Ok(list
        .groups()
        .iter()
        .filter(|g| g.name() == group)
        .flat_map(|g| g.members())
        .filter(|m| m.client_id() == client_id)
        .map(|m| format!("member {} at {}", m.id(), m.client_host()))
        .collect())
}

fn sole_instance(
    cfg: &Config,
    ctx: &RunCtx,
    mut consumer: BaseConsumer<LastError>,
    group: &str,
) -> Result<(), RuntimeError> {
    let start = Instant::now();
    let mut failed = 0u32;
    loop {
        // A broker that has just started answers CoordinatorLoadInProgress for a while: not
        // a reason to exit (the pipeline bench caught a service dying of it). After the
        // shared test broker froze for 12-17 s, one client's group listings failed with
        // BrokerTransportFailure for 80 s: a client whose listings keep failing is replaced
        // by a new one, which bootstraps afresh.
        let others = crate::error::retry_transient("group membership check", || {
            same_id_members_in(cfg, group, consumer.client()).inspect_err(|_| {
                failed += 1;
                if failed % RECREATE_AFTER == 0 {
                    match preflight_client(cfg).create_with_context(LastError::default()) {
                        Ok(fresh) => consumer = fresh,
                        Err(e) => tracing::warn!(error = %e, "cannot re-create the check's client"),
                    }
                }
            })
        })?;
        failed = 0;
        if others.is_empty() {
            return Ok(());
        }
        if start.elapsed() >= STALE_MEMBER_WAIT {
            return Err(RuntimeError::Fatal(format!(
                "another instance of wcp-{} with instance_id {:?} is running in group {} \
                 ({}); stop it, or give this process its own instance_id (WCP_INSTANCE_ID)",
                cfg.service,
                cfg.instance_id,
                group,
                others.join(", ")
            )));
        }
        ctx.set_not_ready(format!(
            "waiting for an earlier instance with instance_id {:?} to leave group {} ({})",
            cfg.instance_id,
            group,
            others.join(", ")
        ));
        if ctx.sleep(Duration::from_secs(1)) {
            return Err(RuntimeError::Interrupted(
                "shutdown during the start-up checks".into(),
            ));
        }
    }
}
