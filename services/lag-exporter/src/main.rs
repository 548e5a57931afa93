//! wcp-lag-exporter: every wcp consumer group's lag as the broker sees it, on `/metrics`:
//! `wcp_consumergroup_lag{group,topic,partition}` (records between the committed and the end
//! offset) and `wcp_consumergroup_lag_seconds{group,topic,partition}` (age of the oldest
//! record the group has not consumed). Measured outside the consumers (`wcp_runtime::lag`),
//! so `WcpConsumerLagHigh` fires for a consumer that is dead or stuck, whose own gauges
//! vanish or stop moving.
//!
//! Groups measured: those named `<topic_prefix><lag_group_prefix>` (default `wcp-`), over the
//! topics named `<topic_prefix>*`. `/readyz` is 200 once a measurement succeeded and 503 with
//! the reason (librdkafka's cause, e.g. an address that is not a Kafka broker) while the
//! broker cannot be read.

mod series;

use std::process::ExitCode;
use std::time::Duration;

use prometheus::{GaugeVec, IntGaugeVec, Opts};
use wcp_runtime::{kafka, lag, Config, RunCtx, RuntimeError, Settings};

/// `lag_interval_s` (default 15: a scrape interval) and `lag_group_prefix` (default `wcp-`).
#[derive(Debug, Clone)]
struct LagSettings {
    interval_s: u64,
    group_prefix: String,
}

impl Default for LagSettings {
    fn default() -> Self {
        LagSettings {
            interval_s: 15,
            group_prefix: "wcp-".into(),
        }
    }
}

impl Settings for LagSettings {
    const KEYS: &'static [&'static str] = &["lag_interval_s", "lag_group_prefix"];

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        match key {
            "lag_interval_s" => {
                self.interval_s = v
                    .parse()
                    .ok()
                    .filter(|n| *n > 0)
                    .ok_or_else(|| format!("not a positive whole number of seconds: {v:?}"))?
            }
            "lag_group_prefix" => self.group_prefix = v.to_string(),
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }
}

fn main() -> ExitCode {
    wcp_runtime::app::main("lag-exporter", run)
}

fn run(cfg: &Config, s: &LagSettings, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let labels = &["group", "topic", "partition"];
    let records = IntGaugeVec::new(
        Opts::new(
            "wcp_consumergroup_lag",
            "records between the group's committed offset and the end of the partition, read from the broker",
        ),
        labels,
    )
    .map_err(|e| RuntimeError::Fatal(e.to_string()))?;
    let seconds = GaugeVec::new(
        Opts::new(
            "wcp_consumergroup_lag_seconds",
            "age of the oldest record the group has not consumed (0 when none waits), read from the broker",
        ),
        labels,
    )
    .map_err(|e| RuntimeError::Fatal(e.to_string()))?;
    let registry = &ctx.metrics.registry;
    for c in [
        Box::new(records.clone()) as Box<dyn prometheus::core::Collector>,
        Box::new(seconds.clone()),
    ] {
        registry
            .register(c)
            .map_err(|e| RuntimeError::Fatal(e.to_string()))?;
    }
    let client = kafka::client_config(cfg);
    // Fresh clients every measurement, all with the service's rate-limited context.
    let kctx = kafka::PlainCtx::new(&ctx.metrics.brokers);
    let group_prefix = format!("{}{}", cfg.topic_prefix, s.group_prefix);
    let interval = Duration::from_secs(s.interval_s);
    let mut series = series::Series::default();
    let apply = |set: &[(series::Key, series::Lag)]| {
        for (k, l) in set {
            let values = [k[0].as_str(), k[1].as_str(), k[2].as_str()];
            records.with_label_values(&values).set(l.records);
            seconds.with_label_values(&values).set(l.seconds);
        }
    };
    loop {
        let now = wcp_model::clock::now_ms();
        // A cause from an earlier round says nothing about this one.
        let _ = kctx.take_error();
        match lag::measure(
            &client,
            &kctx,
            &group_prefix,
            &cfg.topic_prefix,
            Duration::from_secs(10),
            now,
        ) {
            Ok(found) => {
                let n = found.len();
                let found = found
                    .into_iter()
                    .map(|l| {
                        let key = [l.group, l.topic, l.partition.to_string()];
                        let lag = series::Lag {
                            records: l.lag,
                            seconds: l.lag_seconds,
                            waiting: l.waiting,
                        };
                        (key, lag)
                    })
                    .collect();
                let up = series.measured(found, now);
                apply(&up.set);
                // A deleted group or topic must not stay frozen at its last value.
                for gone in &up.remove {
                    let values = [gone[0].as_str(), gone[1].as_str(), gone[2].as_str()];
                    let _ = records.remove_label_values(&values);
                    let _ = seconds.remove_label_values(&values);
                }
                tracing::debug!(partitions = n, "lag measured");
                ctx.set_ready(true);
            }
            Err(e) => {
                // The broker is unreachable: the waiting records still wait, and get older.
                apply(&series.failed(now));
                // librdkafka's cause ("answered, but it is not a Kafka broker", "Connection
                // refused"), not just the call's "OperationTimedOut".
                let why = match kctx.take_error() {
                    Some(cause) => format!("{e}: {cause}"),
                    None => e.to_string(),
                };
                wcp_runtime::lograte::warn_repeated(
                    "lag not measured",
                    &format!("lag not measured: {why}"),
                );
                ctx.set_not_ready(format!(
                    "cannot read consumer-group lag from {}: {why}",
                    cfg.kafka_bootstrap
                ));
            }
        }
        if ctx.sleep(interval) {
            return Ok(());
        }
    }
}
