//! Wiring of the service: configuration keys, opening the stores and archives, the console's
//! HTTP server on its own runtime thread, the daily sample, and the consumer loop.

use std::path::PathBuf;
use std::sync::Mutex;
use std::time::Duration;

use wcp_archive::{Archive, ArchiveOptions};
use wcp_review::{accounts, chain, ConsoleStore, RegionStore};
use wcp_review_web::{consume, feed, state::now_ms, Console, Region, Settings};
use wcp_runtime::{Config, RunCtx, RuntimeError};

pub const KEYS: &[&str] = &[
    "listen_addr",
    "regions",
    "store_dir",
    "review_key_file",
    "archive_keys",
    "export_dir",
    "sample_percent",
    "sample_seed",
    "secure_cookies",
    "trust_forwarded",
    "route_wait_ms",
];

/// The service's keys, as strings (each parsed where it is used).
#[derive(Debug, Clone, Default)]
pub struct ReviewSettings(std::collections::BTreeMap<String, String>);

impl wcp_runtime::Settings for ReviewSettings {
    const KEYS: &'static [&'static str] = KEYS;
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.0.insert(key.to_string(), value.to_string());
        Ok(())
    }
}

impl ReviewSettings {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

/// `a=x,b=y` pairs.
fn pairs(v: Option<&str>) -> Vec<(String, String)> {
    v.unwrap_or("")
        .split(',')
        .filter_map(|kv| kv.split_once('='))
        .map(|(k, v)| (k.trim().to_string(), v.trim().to_string()))
        .collect()
}

fn fatal(what: &str, e: impl std::fmt::Display) -> RuntimeError {
    RuntimeError::Fatal(format!("{what}: {e}"))
}

pub fn run(cfg: &Config, s: &ReviewSettings, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let regions = pairs(s.get("regions"));
    if regions.is_empty() {
        return Err(fatal(
            "regions",
            "set WCP_REGIONS, e.g. cn=/data/archive-cn.db,hk=/data/archive-hk.db",
        ));
    }
    let store_dir = PathBuf::from(s.get("store_dir").unwrap_or("review"));
    std::fs::create_dir_all(&store_dir).map_err(|e| fatal("store_dir", e))?;
    let key_file = s
        .get("review_key_file")
        .map(PathBuf::from)
        .unwrap_or_else(|| store_dir.join("review.key"));
    let key = chain::load_or_create_key(&key_file).map_err(|e| fatal("review_key_file", e))?;
    let archive_keys = pairs(s.get("archive_keys"));
    let mut opened = Vec::new();
    for (name, path) in regions {
        let store = RegionStore::open(
            &store_dir.join(format!("review-{name}.db")),
            &name,
            key.clone(),
        )
        .map_err(|e| fatal("review store", e))?;
        let archive =
            Archive::open(path.as_ref(), ArchiveOptions::default()).map_err(|e| fatal(&path, e))?;
        let archive_key = archive_keys
            .iter()
            .find(|(r, _)| *r == name)
            .map(|(_, k)| PathBuf::from(k));
        opened.push(Region {
            name,
            store: Mutex::new(store),
            archive: Some(Mutex::new(archive)),
            archive_path: Some(path.into()),
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
        secure_cookies: s.get("secure_cookies") != Some("false"),
        trust_forwarded: s.get("trust_forwarded") == Some("true"),
        export_dir: s
            .get("export_dir")
            .map(PathBuf::from)
            .unwrap_or_else(|| store_dir.join("exports")),
        ..Settings::default()
    };
    let shared = Console::new(console, opened, settings);
    let addr: std::net::SocketAddr = s
        .get("listen_addr")
        .unwrap_or("0.0.0.0:8080")
        .parse()
        .map_err(|e| fatal("listen_addr", e))?;
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
    let percent: f64 = s
        .get("sample_percent")
        .and_then(|v| v.parse().ok())
        .unwrap_or(2.0);
    let seed = s.get("sample_seed").unwrap_or("wcp").to_string();
    match feed::draw_samples(&shared, (percent * 100.0).round() as u32, &seed, None) {
        Ok(n) => tracing::info!(sampled = n, "sample drawn"),
        Err(e) => tracing::warn!(error = %e, "sampling failed"),
    }
    let route_wait = Duration::from_millis(
        s.get("route_wait_ms")
            .and_then(|v| v.parse().ok())
            .unwrap_or(60_000),
    );
    consume::run(cfg, ctx, shared, route_wait)
}
