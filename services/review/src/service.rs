//! Wiring of the service: configuration keys, opening the stores and archives, the console's
//! HTTP server on its own runtime thread, the daily sample, and the consumer loop.

use std::sync::Mutex;
use std::time::Duration;

use wcp_archive::{Archive, ArchiveOptions};
use wcp_review::{accounts, chain, ConsoleStore, RegionStore};
use wcp_review_web::{consume, feed, state::now_ms, Console, Region, Settings};
use wcp_runtime::{Config, RunCtx, RuntimeError};

use crate::settings::ReviewSettings;

fn fatal(what: &str, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Fatal(format!("{what}: {e}"))
}

/// The region's archive, read-only. The archiver creates it with the region's first message,
/// so a console started with the pipeline waits for it, not ready and saying why, instead of
/// exiting (a crash loop in the archiver's pod). `None`: shutdown requested while waiting.
fn open_archive(path: &std::path::Path, ctx: &RunCtx) -> Result<Option<Archive>, RuntimeError> {
    let mut logged = false;
    while !path.exists() {
        if !logged {
            tracing::warn!(archive = %path.display(), "waiting for the archive");
            logged = true;
        }
        ctx.set_not_ready(format!(
            "waiting for the archive {}: the archiver creates it with the region's first message",
            path.display()
        ));
        if ctx.sleep(Duration::from_secs(1)) {
            return Ok(None);
        }
    }
    // Just created: the archiver may still be writing its schema.
    let mut tries = 0;
    loop {
        match Archive::open(path, ArchiveOptions::default()) {
            Ok(a) => return Ok(Some(a)),
            Err(e) if tries < 10 => {
                tracing::warn!(archive = %path.display(), error = %e, "archive not readable yet");
                tries += 1;
                if ctx.sleep(Duration::from_secs(1)) {
                    return Ok(None);
                }
            }
            Err(e) => return Err(fatal(&path.display().to_string(), e)),
        }
    }
}

pub fn run(cfg: &Config, s: &ReviewSettings, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let store_dir = s.store_dir.clone();
    std::fs::create_dir_all(&store_dir).map_err(|e| fatal("store_dir", e))?;
    let key_file = s
        .review_key_file
        .clone()
        .unwrap_or_else(|| store_dir.join("review.key"));
    let key = chain::load_or_create_key(&key_file).map_err(|e| fatal("review_key_file", e))?;
    let mut opened = Vec::new();
    for (name, path) in s.regions.clone() {
        let store = RegionStore::open(
            &store_dir.join(format!("review-{name}.db")),
            &name,
            key.clone(),
        )
        .map_err(|e| fatal("review store", e))?;
        let Some(archive) = open_archive(&path, ctx)? else {
            return Ok(()); // shutdown while waiting
        };
        let archive_key = s
            .archive_keys
            .iter()
            .find(|(r, _)| *r == name)
            .map(|(_, k)| k.clone());
        opened.push(Region {
            name,
            store: Mutex::new(store),
            archive: Some(Mutex::new(archive)),
            archive_path: Some(path),
            archive_key,
        });
    }
    let mut console = ConsoleStore::open(&store_dir.join("review-console.db"), key)
        .map_err(|e| fatal("console store", e))?;
    if let Some((user, password)) =
        accounts::bootstrap(&mut console, now_ms()).map_err(|e| fatal("accounts", e))?
    {
        // On the terminal only (never in the structured log).
        eprintln!("wcp-review: first start: created `{user}` (investigator); one-time password: {password}");
    }
    let settings = Settings {
        secure_cookies: s.secure_cookies,
        trust_forwarded: s.trust_forwarded,
        sla_high_s: s.sla_high_s,
        export_dir: s
            .export_dir
            .clone()
            .unwrap_or_else(|| store_dir.join("exports")),
        ..Settings::default()
    };
    let shared = Console::new(console, opened, settings);
    // The queue and SLA metrics on the ops port too: that is the port Prometheus scrapes
    // (compose, k8s), and WcpReviewHighSeverityPastSla reads them.
    ctx.metrics
        .registry
        .register(Box::new(wcp_review_web::metrics::OpsCollector(
            shared.clone(),
        )))
        .map_err(|e| fatal("metrics", e))?;
    let addr = s.listen_addr;
    let (web, stop) = (shared.clone(), ctx.clone());
    let listener = std::net::TcpListener::bind(addr).map_err(|e| fatal("listen_addr", e))?;
    listener
        .set_nonblocking(true)
        .map_err(|e| fatal("listen_addr", e))?;
    std::thread::Builder::new()
        .name("wcp-review-web".into())
        .spawn(move || {
            let rt = match tokio::runtime::Builder::new_multi_thread()
                .worker_threads(2)
                .enable_all()
                .build()
            {
                Ok(rt) => rt,
                Err(e) => return tracing::error!(error = %e, "console runtime"),
            };
            rt.block_on(async move {
                let Ok(listener) = tokio::net::TcpListener::from_std(listener) else {
                    return;
                };
                tracing::info!(%addr, "review console listening");
                let shutdown = async move {
                    while !stop.shutdown_requested() {
                        tokio::time::sleep(Duration::from_millis(200)).await;
                    }
                };
                if let Err(e) = wcp_review_web::serve(listener, web, shutdown).await {
                    tracing::error!(error = %e, "console server failed");
                }
            });
        })?;
    // The sample: every day the archives cover so far (reproducible; re-runs add nothing).
    let percent = s.sample_percent;
    match feed::draw_samples(
        &shared,
        (percent * 100.0).round() as u32,
        &s.sample_seed,
        None,
    ) {
        Ok(n) => tracing::info!(sampled = n, "sample drawn"),
        Err(e) => tracing::warn!(error = %e, "sampling failed"),
    }
    let route_wait = Duration::from_millis(s.route_wait_ms);
    consume::run(cfg, ctx, shared, route_wait)
}
