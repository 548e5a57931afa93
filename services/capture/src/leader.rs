//! One active capture per corp. Every instance for a corp joins the consumer group
//! `<prefix><group_id>-<corp_id>` on `capture.cursor`, a topic of one partition: the member that is
//! assigned the partition captures, the others stand by. When the active instance dies, the
//! group gives the partition to a standby after `session.timeout.ms`; the standby's
//! `init_transactions` then fences the old producer (an instance that only froze cannot
//! commit any more) and it resumes from the committed cursor. The partition is paused:
//! membership is all that is wanted from the group, not its records.
//!
//! One process per `instance_id`: before joining, the shared start-up check
//! (`wcp_runtime::preflight::sole_instance_in`) stops a second process whose `client.id` is
//! already a member of the corp's group. If two start at the same moment anyway, the
//! broker fences the older one (static membership: one member per `group.instance.id`);
//! librdkafka raises that as a fatal error, and [`Leader::check`] turns it into a fatal stop
//! (exit 1, so an orchestrator restarts it and `WcpCaptureNotActive` can fire), never a
//! process that keeps saying it captures.

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer, ConsumerContext, Rebalance};
use rdkafka::ClientContext;
use wcp_runtime::brokers::Client;
use wcp_runtime::kafka::PlainCtx;
use wcp_runtime::{Config, RunCtx, RuntimeError};

use crate::records::CURSOR_TOPIC;

pub struct LeaderCtx {
    active: Arc<AtomicBool>,
    /// Set by `Leader::close`: a rebalance served while leaving is the stop, not a loss or
    /// a gain of the corp (its lines came after "stopped cleanly", trial 19a D9).
    closing: Arc<AtomicBool>,
    /// librdkafka's messages under the service's rate limit, and this membership's broker
    /// view for readiness: the one client an instance keeps from start to stop, polled
    /// whether it captures or stands by (a standby has no other; a trial saw an instance
    /// that had taken over stay ready through a 12-minute outage).
    kafka: PlainCtx,
}

impl ClientContext for LeaderCtx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        self.kafka.log(level, fac, msg);
    }

    fn error(&self, error: rdkafka::error::KafkaError, reason: &str) {
        self.kafka.error(error, reason);
    }

    fn stats_raw(&self, raw: &[u8]) {
        self.kafka.stats_raw(raw);
    }
}

impl ConsumerContext for LeaderCtx {
    fn pre_rebalance(&self, _c: &BaseConsumer<Self>, r: &Rebalance<'_>) {
        if let Rebalance::Revoke(_) = r {
            if self.active.swap(false, Ordering::SeqCst) {
                if self.closing.load(Ordering::SeqCst) {
                    tracing::info!("capture partition released: stopping");
                } else {
                    tracing::warn!("capture partition revoked: standing by");
                }
            }
        }
    }

    fn post_rebalance(&self, c: &BaseConsumer<Self>, r: &Rebalance<'_>) {
        if let Rebalance::Assign(tpl) = r {
            if tpl.count() > 0 && !self.closing.load(Ordering::SeqCst) {
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
    closing: Arc<AtomicBool>,
    group: String,
}

impl Leader {
    /// The corp's group, `<prefix><group_id>-<corp_id>`.
    pub fn group(cfg: &Config, corp_id: &str) -> String {
        format!("{}-{corp_id}", cfg.group())
    }

    pub fn join(cfg: &Config, ctx: &RunCtx, corp_id: &str) -> Result<Leader, RuntimeError> {
        let topic = cfg.topic(CURSOR_TOPIC);
        let group = Leader::group(cfg, corp_id);
        wcp_runtime::preflight::sole_instance_in(cfg, ctx, &group)?;
        let active = Arc::new(AtomicBool::new(false));
        let closing = Arc::new(AtomicBool::new(false));
        // Statistics every 2 s (consumer_config): its broker view counts for readiness.
        let consumer: BaseConsumer<LeaderCtx> = wcp_runtime::kafka::consumer_config(cfg, &group)
            // Static membership: a restarted instance (same instance_id) takes its place
            // back at once instead of waiting out its predecessor's session.
            .set(
                "group.instance.id",
                format!("{}-{}", cfg.instance_id, corp_id),
            )
            .create_with_context(LeaderCtx {
                active: active.clone(),
                closing: closing.clone(),
                kafka: PlainCtx::with_stats(&ctx.metrics.brokers, Client::Consumer),
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
        Ok(Leader {
            consumer,
            active,
            closing,
            group,
        })
    }

    /// `Err` (fatal) once librdkafka has raised a fatal error on the membership: another
    /// process joined with this instance's `group.instance.id` and the broker fenced this
    /// one. It can never rejoin, so it must stop rather than stand by (or capture) forever.
    /// Reads librdkafka's state directly: no poll needed, so it is checked before every
    /// commit.
    pub fn check(&self, cfg: &Config) -> Result<(), RuntimeError> {
        let Some((code, reason)) = self.consumer.client().fatal_error() else {
            return Ok(());
        };
        self.active.store(false, Ordering::SeqCst);
        // Names the other process when the broker still answers.
        let others =
            wcp_runtime::preflight::same_id_members_in(cfg, &self.group, self.consumer.client())
                .map(|m| format!(" ({})", m.join(", ")))
                .unwrap_or_default();
        Err(RuntimeError::Fatal(format!(
            "this capture instance was fenced out of group {} by another process with \
             instance_id {:?}{others}: {reason} ({code:?}); stopping (give each process its \
             own instance_id, WCP_INSTANCE_ID)",
            self.group, cfg.instance_id
        )))
    }

    /// Leaves the group at shutdown. Unsubscribing first makes librdkafka send a
    /// LeaveGroup even for a static member (it only skips that when the consumer is being
    /// destroyed), so a standby takes the corp over at once rather than after the session
    /// timeout, and a restarted process passes the one-instance-per-id check at once. The
    /// consumer is then dropped with nothing left to revoke. A fenced consumer cannot be
    /// closed at all: librdkafka answers with the fatal error, which rdkafka's `Drop` logs as
    /// "Failed to close consumer queue on drop"; it is left to the process exit that follows.
    pub fn close(self) {
        if self.fenced() {
            std::mem::forget(self.consumer);
            return;
        }
        self.closing.store(true, Ordering::SeqCst);
        self.consumer.unsubscribe();
        let end = std::time::Instant::now() + Duration::from_secs(5);
        while self.active.load(Ordering::SeqCst) && std::time::Instant::now() < end {
            self.poll(Duration::from_millis(50));
        }
        // Serves the leave itself.
        self.poll(Duration::from_millis(200));
    }

    fn fenced(&self) -> bool {
        self.consumer.client().fatal_error().is_some()
    }

    /// Serves the group protocol (rebalances, heartbeats); call often.
    pub fn poll(&self, wait: Duration) {
        // The partition is paused: nothing is fetched; a stray record is of no interest.
        let _ = self.consumer.poll(wait);
    }

    /// Assigned the partition and not fenced.
    pub fn is_active(&self) -> bool {
        self.active.load(Ordering::SeqCst) && !self.fenced()
    }

    /// Stands by until assigned (true) or shutdown (false); `Err` when fenced.
    pub fn wait_active(&self, cfg: &Config, ctx: &RunCtx) -> Result<bool, RuntimeError> {
        let start = std::time::Instant::now();
        let mut said = false;
        loop {
            self.poll(Duration::from_millis(100));
            self.check(cfg)?;
            if self.is_active() {
                return Ok(true);
            }
            if ctx.shutdown_requested() {
                return Ok(false);
            }
            // The first assignment takes a moment; only a long wait means another holder.
            if !said && start.elapsed() > Duration::from_secs(15) {
                tracing::info!("standing by: another instance holds this corp's capture");
                said = true;
            }
        }
    }
}
