//! Wiring of the service: configuration keys, opening the stores and archives, the console's
//! HTTP server on its own runtime thread, the archive watcher, the sampler, and the consumer loop.

use std::sync::atomic::Ordering;
use std::time::Duration;

use wcp_review::{accounts, chain, ConsoleStore, RegionStore};
use wcp_review_web::feed::Sampler;
use wcp_review_web::oidc::Oidc;
use wcp_review_web::state::{now_ms, ArchiveState};
use wcp_review_web::{consume, Console, Region, Settings, Shared};
use wcp_runtime::{Config, RunCtx, RuntimeError};

use crate::settings::ReviewSettings;

fn fatal(what: &str, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Fatal(format!("{what}: {e}"))
}

/// Every second: opens archives that appeared (a region the archiver has just started
/// writing), and holds readiness at 503 with the reason while an archive that exists cannot
/// be opened. A region without an archive yet is served empty and is not a problem: the
/// archiver creates the file with the region's first message, which may be days away.
fn watch_archives(console: Shared, ctx: RunCtx) -> std::io::Result<()> {
    std::thread::Builder::new()
        .name("wcp-review-archives".into())
        .spawn(move || {
            let mut held = false;
            loop {
                let problems = console.archive_problems();
                if !problems.is_empty() {
                    ctx.hold_not_ready(problems.join("; "));
                    held = true;
                } else if held {
                    ctx.release_hold();
                    held = false;
                }
                if ctx.sleep(Duration::from_secs(1)) {
                    return;
                }
            }
        })
        .map(|_| ())
}

/// Draws the sample every `every` until shutdown, each time only while the `chat.alerts`
/// consumer is caught up (its last batch was not full, or it has been idle for `every`): a
/// message is drawn at the second such tick after it was archived (`Sampler` settles), by
/// when its alert, if it has one, is queued and keeps it out of the sample. A failure (an
/// archive busy) is logged and retried at the next tick: the next tick reads on from the
/// same row.
fn sample_loop(mut sampler: Sampler, c: &Console, ctx: &RunCtx, every: Duration) {
    let started = now_ms();
    let every_ms = i64::try_from(every.as_millis()).unwrap_or(i64::MAX);
    loop {
        let last = c.alerts_last_batch_ms.load(Ordering::SeqCst).max(started);
        let idle = ctx.is_ready() && now_ms().saturating_sub(last) >= every_ms;
        if c.alerts_caught_up.load(Ordering::SeqCst) || idle {
            match sampler.tick(c) {
                Ok(0) => {}
                Ok(n) => tracing::info!(sampled = n, "sample drawn"),
                Err(e) => tracing::warn!(error = %e, "sampling failed; retrying at the next tick"),
            }
        }
        if ctx.sleep(every) {
            return;
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
        let archive_key = s
            .archive_keys
            .iter()
            .find(|(r, _)| *r == name)
            .map(|(_, k)| k.clone());
        let region = Region::new(name, store, Some(path), archive_key);
        if region.attach() == ArchiveState::NotYetCreated {
            tracing::info!(
                region = %region.name,
                "no archive yet: the region is served empty until the archiver writes its first message"
            );
        }
        opened.push(region);
    }
    let mut console = ConsoleStore::open(&store_dir.join("review-console.db"), key)
        .map_err(|e| fatal("console store", e))?;
    if !s.local_signin {
        // No local account to create: people are provisioned with their OIDC identity.
        if accounts::count(&console).map_err(|e| fatal("accounts", e))? == 0 {
            tracing::warn!(
                "no accounts yet and local sign-in is off: provision one with `wcp review user \
                 add --dir <store_dir> --username NAME --role admin --oidc-subject SUB`"
            );
        }
    } else if let Some((user, password)) =
        accounts::bootstrap(&mut console, now_ms()).map_err(|e| fatal("accounts", e))?
    {
        // On the terminal only (never in the structured log).
        eprintln!("wcp-review: first start: created `{user}` (investigator); one-time password: {password}");
    }
    let tenant_key = match &s.anon_key_file {
        Some(f) => Some(
            wcp_review_web::pseudonyms::TenantKey::load(f)
                .map_err(|e| fatal("anon_key_file", e))?,
        ),
        None => None,
    };
    let settings = Settings {
        tenant_key,
        secure_cookies: s.secure_cookies,
        trust_forwarded: s.trust_forwarded,
        sla_high_s: s.sla_high_s,
        local_signin: s.local_signin,
        utc_offset_minutes: s.utc_offset_minutes,
        media_dir: s.media_dir.clone(),
        export_dir: s
            .export_dir
            .clone()
            .unwrap_or_else(|| store_dir.join("exports")),
        ..Settings::default()
    };
    let shared = Console::new(console, opened, settings);
    if s.oidc.enabled() {
        let oidc = Oidc::new(s.oidc.clone()).map_err(|e| fatal("oidc", e))?;
        tracing::info!(issuer = %s.oidc.issuer_url, local_signin = s.local_signin, "OpenID Connect sign-in on");
        // Set once, before the server starts: an Err is impossible here.
        let _ = shared.oidc.set(oidc);
    }
    // Set once, before anything reads it: an Err is impossible here.
    let _ = shared.runtime.set(ctx.clone());
    watch_archives(shared.clone(), ctx.clone())?;
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
    // The sample, drawn from what is archived as it is archived (feed::Sampler).
    let sampler = Sampler::new(
        (s.sample_percent * 100.0).round() as u32,
        &s.sample_seed,
        true,
    );
    let every = Duration::from_secs(s.sample_interval_s);
    let (c2, stop) = (shared.clone(), ctx.clone());
    std::thread::Builder::new()
        .name("wcp-review-sample".into())
        .spawn(move || sample_loop(sampler, &c2, &stop, every))?;
    let route_wait = Duration::from_millis(s.route_wait_ms);
    consume::run(cfg, ctx, shared, route_wait)
}
