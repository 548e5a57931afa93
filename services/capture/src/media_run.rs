//! Runs the media stage on threads of its own inside `wcp-capture`, apart from the text
//! capture: its own consumer group on `wecom.raw` (`<group_id>-media-<corp_id>`), its own
//! transactional id (`wcp-capture-media-<instance>`), its own SDK child. A media failure
//! of any kind (even a fatal one: a store that cannot be written, 10009 for media) stops
//! media only: it is logged, counted and retried after a pause while the text goes on.

use std::time::Duration;

use wcp_runtime::txloop::{self, LoopOptions};
use wcp_runtime::{lag, Config, RunCtx};

use crate::media::MediaStage;
use crate::metrics::CaptureMetrics;
use crate::s3::S3Store;
use crate::settings::Settings;
use crate::store::Store;
use crate::supervisor::{ChildSpec, Supervisor};

/// Records per media transaction: each may wait on downloads.
const BATCH: usize = 4;
/// The media transactions' timeout: above `BATCH` records' downloads with their retries
/// (see `media::BATCH_RETRY_BUDGET`); the broker's `transaction.max.timeout.ms` default is
/// 15 min.
const TXN_TIMEOUT_MS: &str = "900000";
const RESTART_PAUSE: Duration = Duration::from_secs(10);
const BACKLOG_EVERY: Duration = Duration::from_secs(10);

/// The media loop's config: the service's, with its own group, transactional id and batch.
pub fn media_config(cfg: &Config, corp_id: &str) -> Config {
    let mut c = cfg.clone();
    c.service = format!("{}-media", cfg.service);
    c.group_id = format!("{}-media-{corp_id}", cfg.group_id);
    c.batch_max_events = BATCH;
    c.kafka
        .insert("transaction.timeout.ms".into(), TXN_TIMEOUT_MS.into());
    // The loop does not poll while a batch downloads.
    c.kafka
        .insert("max.poll.interval.ms".into(), "960000".into());
    c
}

/// The media loop until shutdown, restarted after any error. Returns at shutdown.
pub fn run(cfg: &Config, ctx: &RunCtx, s: &Settings, m: &CaptureMetrics, exe: std::path::PathBuf) {
    let mcfg = media_config(cfg, &s.corp_id);
    if !s.media_enabled() {
        return;
    }
    std::thread::scope(|scope| {
        scope.spawn(|| backlog(cfg, &mcfg, ctx, m));
        while !ctx.shutdown_requested() {
            let store = match open_store(s, &cfg.instance_id, m) {
                Ok(st) => st,
                Err(e) => {
                    failed(m, &e);
                    ctx.sleep(RESTART_PAUSE);
                    continue;
                }
            };
            let spec = ChildSpec {
                role: "media",
                exe: exe.clone(),
                library: s.library.clone(),
                corp_id: s.corp_id.clone(),
                secret: s.secret.clone(),
            };
            let sup = Supervisor::new(spec, m.clone());
            let mut stage = MediaStage::new(s, store, sup, m.clone());
            m.media_up.set(1);
            match txloop::run(&mcfg, ctx, &mut stage, LoopOptions::default()) {
                Ok(()) => {}
                Err(e) => failed(m, &e.to_string()),
            }
            m.media_up.set(0);
            ctx.sleep(RESTART_PAUSE);
        }
    });
}

/// The store the settings name: the directory or the bucket.
pub fn open_store(s: &Settings, instance: &str, m: &CaptureMetrics) -> Result<Store, String> {
    if let Some(c) = &s.media_s3 {
        let s3 = S3Store::new(c, m.media_store_retries.clone())?;
        let tmp = std::env::temp_dir().join("wcp-media");
        return Store::open_s3(s3, &tmp, &s.region, instance)
            .map_err(|e| format!("media temporary directory {}: {e}", tmp.display()));
    }
    let dir = s.media_dir.clone().unwrap_or_default();
    // `e` names the path that failed, under the media directory.
    Store::open(&dir, &s.region, instance).map_err(|e| format!("media store: {e}"))
}

fn failed(m: &CaptureMetrics, error: &str) {
    m.media_up.set(0);
    m.media_restarts.inc();
    tracing::error!(
        error,
        "media capture stopped; the text capture goes on; retrying in 10 s"
    );
}

/// `wcp_capture_media_backlog`: records of `wecom.raw` the media stage has not looked at
/// yet, and the age of the oldest, as the broker sees the media group.
fn backlog(cfg: &Config, mcfg: &Config, ctx: &RunCtx, m: &CaptureMetrics) {
    // The service's connection settings: the media loop's producer-only properties would make
    // librdkafka warn on every measurement.
    let client = wcp_runtime::kafka::client_config(cfg);
    let kctx = wcp_runtime::kafka::PlainCtx::new(&ctx.metrics.brokers);
    let group = mcfg.group();
    let raw = mcfg.topic(wcp_model::topics::RAW);
    loop {
        let now = wcp_model::clock::now_ms();
        match lag::measure(&client, &kctx, &group, &raw, Duration::from_secs(5), now) {
            Ok(parts) => {
                let mine = parts.iter().filter(|p| p.group == group && p.topic == raw);
                let (n, age) =
                    mine.fold((0i64, 0f64), |(n, a), p| (n + p.lag, a.max(p.lag_seconds)));
                m.media_backlog.set(n);
                m.media_backlog_seconds.set(age);
            }
            Err(e) => tracing::debug!(error = %e, "media backlog not measured"),
        }
        if ctx.sleep(BACKLOG_EVERY) {
            return;
        }
    }
}
