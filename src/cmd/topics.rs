//! `wcp topics create`: creates every pipeline topic (compaction for the consent ledger, the
//! capture cursor and the archive anchors, time retention for the rest). Idempotent: topics
//! that already exist are reported and kept.

use std::io::Write;
use std::process::ExitCode;
use std::time::Duration;

use clap::{Args, Subcommand};
use rdkafka::admin::{AdminClient, AdminOptions, NewTopic, TopicReplication};
use rdkafka::error::RDKafkaErrorCode;
use wcp_model::topics;

use super::kafka::{bootstrap, CliCtx};

/// Every topic of the pipeline (before the prefix).
pub const TOPICS: &[&str] = &topics::ALL;

#[derive(Args)]
#[command(after_help = "Example:\n  wcp topics create --bootstrap 127.0.0.1:9092 --partitions 6")]
pub struct TopicsArgs {
    #[command(subcommand)]
    action: TopicsAction,
}

#[derive(Subcommand)]
enum TopicsAction {
    /// Create all pipeline topics (idempotent).
    Create(CreateArgs),
}

#[derive(Args)]
struct CreateArgs {
    /// Kafka bootstrap servers (default: $KAFKA_BOOTSTRAP, else 127.0.0.1:9092).
    #[arg(long)]
    bootstrap: Option<String>,
    /// Prefix added to every topic name.
    #[arg(long, default_value = "")]
    prefix: String,
    /// Partitions per topic (the unit of scaling of each service); `wecom.raw` and
    /// `capture.cursor` always get one (the capture `seq` is a single ordered stream).
    #[arg(long, default_value_t = 3)]
    partitions: i32,
    /// Replication factor.
    #[arg(long, default_value_t = 1)]
    replication_factor: i32,
    /// Retention of the time-retained topics, in hours.
    #[arg(long, default_value_t = 168)]
    retention_hours: u64,
}

/// Topic-level settings: the ledger, the capture cursor and the anchors are compacted (the
/// latest record per contact / corp / region forever); the others keep a week by default, which is enough to replay
/// after an outage.
pub fn topic_configs(name: &str, retention_ms: &str) -> Vec<(&'static str, String)> {
    // Records up to wcp's limit, not the broker's ~1 MB default (trial 17a D4).
    let size = (
        "max.message.bytes",
        wcp_runtime::kafka::MAX_MESSAGE_BYTES.to_string(),
    );
    let mut c = topic_retention(name, retention_ms);
    c.push(size);
    c
}

fn topic_retention(name: &str, retention_ms: &str) -> Vec<(&'static str, String)> {
    // The anchors: the newest signed head per region, kept forever.
    if name == topics::CONSENT_LEDGER
        || name == topics::CAPTURE_CURSOR
        || name == topics::ARCHIVE_ANCHORS
    {
        vec![
            ("cleanup.policy", "compact".into()),
            ("min.compaction.lag.ms", "60000".into()),
        ]
    } else {
        vec![
            ("cleanup.policy", "delete".into()),
            ("retention.ms", retention_ms.into()),
        ]
    }
}

pub fn run(args: TopicsArgs) -> anyhow::Result<ExitCode> {
    let TopicsAction::Create(a) = args.action;
    let addr = bootstrap(a.bootstrap.as_deref());
    let admin: AdminClient<CliCtx> = super::kafka::client_config(&addr)?
        .set_log_level(wcp_runtime::mismatch::CAUSE_LOG_LEVEL)
        .create_with_context(CliCtx::default())?;
    // Names the address and the cause instead of a timeout after 30 s.
    super::kafka::check_reachable(&addr)?;
    let retention_ms = (a.retention_hours * 3_600_000).to_string();
    let names: Vec<String> = TOPICS.iter().map(|t| format!("{}{t}", a.prefix)).collect();
    let configs: Vec<Vec<(&str, String)>> = TOPICS
        .iter()
        .map(|t| topic_configs(t, &retention_ms))
        .collect();
    let new: Vec<NewTopic<'_>> = names
        .iter()
        .zip(&configs)
        .map(|(n, cfgs)| {
            // The capture `seq` is one ordered stream: gap detection needs one partition; the
            // capture elects its one active instance per corp on capture.cursor's partition.
            let parts = if n.ends_with(topics::RAW) || n.ends_with(topics::CAPTURE_CURSOR) {
                1
            } else {
                a.partitions
            };
            let topic = NewTopic::new(n, parts, TopicReplication::Fixed(a.replication_factor));
            cfgs.iter().fold(topic, |t, (k, v)| t.set(k, v))
        })
        .collect();
    let opts = AdminOptions::new().operation_timeout(Some(Duration::from_secs(30)));
    let rt = tokio::runtime::Builder::new_current_thread()
        .enable_all()
        .build()?;
    let results = rt.block_on(admin.create_topics(&new, &opts))?;
    let mut failed = false;
    let mut out = std::io::stdout().lock();
    for r in results {
        // A closed stdout (`| head`) must not turn a successful creation into a panic.
        match r {
            Ok(t) => _ = writeln!(out, "created  {t}"),
            Err((t, RDKafkaErrorCode::TopicAlreadyExists)) => _ = writeln!(out, "exists   {t}"),
            Err((t, e)) => {
                eprintln!("failed   {t}: {e}");
                failed = true;
            }
        }
    }
    Ok(if failed {
        ExitCode::FAILURE
    } else {
        ExitCode::SUCCESS
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ledger_is_compacted_others_retained() {
        let compact = ("cleanup.policy", "compact".to_string());
        for t in [
            topics::CONSENT_LEDGER,
            topics::CAPTURE_CURSOR,
            topics::ARCHIVE_ANCHORS,
        ] {
            assert!(topic_configs(t, "1").contains(&compact), "{t}");
        }
        let e = topic_configs(topics::EVENTS, "5");
        assert!(e.contains(&("retention.ms", "5".to_string())));
        // Trial 17a D4: every topic takes records up to wcp's limit, not Kafka's ~1 MB.
        for t in TOPICS {
            let c = topic_configs(t, "5");
            assert!(
                c.contains(&("max.message.bytes", "20971520".to_string())),
                "{t}: {c:?}"
            );
        }
        assert_eq!(TOPICS.len(), 12);
        assert!(TOPICS.contains(&topics::ARCHIVE_ANCHORS));
        assert!(
            TOPICS.contains(&topics::MEDIA),
            "the capture's media records"
        );
    }
}
