//! `wcp lag`: every wcp consumer group's lag as the broker sees it (committed offsets against
//! the end of each partition, and the age of the oldest record still waiting), the same
//! measurement `wcp-lag-exporter` exposes on /metrics. For the RUNBOOK: which stage is behind,
//! by how much, and whether it is moving — without a Kafka distribution's tools.

use std::io::Write;
use std::process::ExitCode;

use clap::Args;
use serde_json::json;

use super::kafka::bootstrap;

/// Examples and exit status: a script or a RUNBOOK check tells "no such group" (exit 1) from
/// "no lag" (exit 0) by the code alone (trial 15i D6).
const AFTER_HELP: &str = "Examples:
  wcp lag
  wcp lag --group wcp-archiver --json
  wcp lag --delete-group wcp-archiver-x

Exit status:
  0  at least one group matched and is listed, with or without lag
  1  no group matched (no group of that name has committed offsets: a typo, a wrong --prefix,
     or a stage that has not committed yet); --delete-group: the group has active members,
     or there is no such group
  2  the broker could not be read, or a configuration error";

#[derive(Args)]
#[command(after_help = AFTER_HELP)]
pub struct LagArgs {
    /// Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092).
    #[arg(long)]
    bootstrap: Option<String>,
    /// Prefix of the topic names and groups (`topic_prefix` of the services).
    #[arg(long, default_value = "")]
    prefix: String,
    /// Only groups whose name (after the prefix) starts with this.
    #[arg(long, default_value = "wcp-")]
    group: String,
    /// One JSON object per partition instead of a table.
    #[arg(long)]
    json: bool,
    /// Delete this consumer group (after the prefix) instead: one that belongs to no deployed
    /// service (a removed region, a test run), whose lag keeps WcpConsumerLagHigh firing. A
    /// group with active members is refused; never delete a deployed stage's group (it
    /// resumes from its offsets).
    #[arg(long, value_name = "GROUP")]
    delete_group: Option<String>,
}

pub fn run(args: LagArgs) -> anyhow::Result<ExitCode> {
    let addr = bootstrap(args.bootstrap.as_deref());
    if let Some(g) = &args.delete_group {
        return super::group_delete::run(&addr, &format!("{}{g}", args.prefix));
    }
    // With the WCP_KAFKA__* properties (TLS, SASL), as the other commands.
    let mut client = super::kafka::client_config(&addr)?;
    // librdkafka's warnings carry the cause (a silent port): kept, not printed.
    client.set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL);
    // Keeps librdkafka's cause: the failed call itself says only "OperationTimedOut".
    let kctx = wcp_runtime::kafka::PlainCtx::default();
    let groups = format!("{}{}", args.prefix, args.group);
    let found = wcp_runtime::lag::measure(
        &client,
        &kctx,
        &groups,
        &args.prefix,
        super::kafka::METADATA_TIMEOUT,
        wcp_model::clock::now_ms(),
    )
    .map_err(|e| {
        let why = match kctx.take_error() {
            Some(cause) => super::kafka::for_cli(&cause),
            // The admin calls keep no cause (an untrusted certificate or a TLS client at a
            // PLAINTEXT listener read "OperationTimedOut"): a probe of the address names it.
            None => match super::kafka::check_reachable(&addr) {
                Err(cause) => return cause,
                Ok(()) => e.to_string(),
            },
        };
        super::kafka::with_fix(format!(
            "cannot read consumer-group lag from Kafka at {addr}: {why}"
        ))
    })?;
    if found.is_empty() {
        // On standard error, exit 1: an empty table must not read as "no lag" (trial 15i D6).
        eprintln!(
            "no consumer group named {groups}* has committed offsets at {addr} (check --group \
             and --prefix: a stage's group is <prefix>wcp-<service>)"
        );
        return Ok(ExitCode::from(1));
    }
    let mut out = std::io::stdout().lock();
    if args.json {
        for l in &found {
            let line = json!({
                "group": l.group, "topic": l.topic, "partition": l.partition,
                "committed": l.committed, "end": l.end, "lag": l.lag,
                "lag_seconds": l.lag_seconds, "waiting": l.waiting,
            });
            writeln!(out, "{line}")?;
        }
        return Ok(ExitCode::SUCCESS);
    }
    writeln!(
        out,
        "{:<32} {:<32} {:>4} {:>12} {:>12} {:>10} {:>12}",
        "GROUP", "TOPIC", "PART", "COMMITTED", "END", "LAG", "LAG_SECONDS"
    )?;
    for l in &found {
        writeln!(
            out,
            "{:<32} {:<32} {:>4} {:>12} {:>12} {:>10} {:>12.1}",
            l.group, l.topic, l.partition, l.committed, l.end, l.lag, l.lag_seconds
        )?;
    }
    Ok(ExitCode::SUCCESS)
}
