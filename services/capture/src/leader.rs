//! One active capture per corp. Every instance for a corp joins the consumer group
//! `<prefix><group_id>-<corp_id>` on `capture.cursor`, a topic of one partition: the member that is
//! assigned the partition captures, the others stand by. When the active instance dies, the
//! group gives the partition to a standby after `session.timeout.ms`; the standby's
//! `init_transactions` then fences the old producer (an instance that only froze cannot
//! commit any more) and it resumes from the committed cursor. The partition is paused:
//! membership is all that is wanted from the group, not its records.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::ClientContext;
use wcp_runtime::{Config, RunCtx, RuntimeError};

use crate::records::CURSOR_TOPIC;

pub struct LeaderCtx {
    active: Arc<AtomicBool>,
}

impl ClientContext for LeaderCtx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        wcp_runtime::kafka::forward_log(level, fac, msg);
    }
}

impl ConsumerContext for LeaderCtx {
    fn pre_rebalance(&self, _c: &BaseConsumer<Self>, r: &Rebalance<'_>) {
        if let Rebalance::Revoke(_) = r {
            if self.active.swap(false, Ordering::SeqCst) {
                tracing::warn!("capture partition revoked: standing by");
            }
        }
    }

    fn post_rebalance(&self, c: &BaseConsumer<Self>, r: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = r {
            if tpl.count() > 0 {
                if let Err(e) = c.pause(tpl) {
                    tracing::warn!(error = %e, "cannot pause capture.cursor");
                }
                tracing::info!("capture partition assigned: this instance is active");
                self.active.store(true, Ordering::SeqCst);
            }
        }
    }
}

pub struct Leader {
    consumer: BaseConsumer<LeaderCtx>,
    active: Arc<AtomicBool>,
}

impl Leader {
    pub fn join(cfg: &Config, corp_id: &str) -> Result<Leader, RuntimeError> {
        let topic = cfg.topic(CURSOR_TOPIC);
        let group = format!("{}-{corp_id}", cfg.group());
        let active = Arc::new(AtomicBool::new(false));
        let consumer: BaseConsumer<LeaderCtx> = wcp_runtime::kafka::consumer_config(cfg, &group)
            .set("statistics.interval.ms", "0")
            // Static membership: a restarted instance (same instance_id) takes its place
            // back at once instead of waiting out its predecessor's session.
            .set(
                "group.instance.id",
                format!("{}-{}", cfg.instance_id, corp_id),
            )
            .create_with_context(LeaderCtx {
                active: active.clone(),
            })?;
        // A topic created a moment ago may not be in the metadata yet: retried a while.
        let parts = wcp_runtime::error::retry_transient("capture.cursor metadata", || {
            let md = consumer.fetch_metadata(Some(&topic), Duration::from_secs(10))?;
            match md
                .topics()
                .iter()
                .find(|t| t.name() == topic && t.error().is_none())
                .map(|t| t.partitions().len())
            {
                Some(n) if n > 0 => Ok(n),
                _ => Err(RuntimeError::Abortable(format!("{topic} not found"))),
            }
        })
        .unwrap_or(0);
        if parts != 1 {
            return Err(RuntimeError::Config(vec![format!(
                "topic {topic} must exist with exactly one partition (it has {parts}): \
                 `wcp topics create` makes it so"
            )]));
        }
        consumer.subscribe(&[&topic])?;
        Ok(Leader { consumer, active })
    }

    /// Serves the group protocol (rebalances, heartbeats); call often.
    pub fn poll(&self, wait: Duration) {
        // The partition is paused: nothing is fetched; a stray record is of no interest.
        let _ = self.consumer.poll(wait);
    }

    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst)
    }

    /// Stands by until assigned (true) or shutdown (false).
    pub fn wait_active(&self, ctx: &RunCtx) -> bool {
        let start = std::time::Instant::now();
        let mut said = false;
        loop {
            self.poll(Duration::from_millis(100));
            if self.is_active() {
                return true;
            }
            if ctx.shutdown_requested() {
                return false;
            }
            // The first assignment takes a moment; only a long wait means another holder.
            if !said && start.elapsed() > Duration::from_secs(15) {
                tracing::info!("standing by: another instance holds this corp's capture");
                said = true;
            }
        }
    }
}
