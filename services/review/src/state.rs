//! The console's shared state: the console store (accounts, sessions, access audit), one
//! review store and one archive handle per residency region, the sign-in limiter, and the
//! values a reviewer unmasked in this session. SQLite handles sit behind std mutexes and
//! are only touched from blocking tasks (`Console::blocking`).

use std::collections::{HashMap, HashSet};
use std::path::PathBuf;
use std::sync::atomic::{AtomicBool, AtomicI64};
use std::sync::{Arc, Mutex, MutexGuard, OnceLock};

use wcp_review::access::{self, AccessRecord};
use wcp_review::ratelimit::Limiter;
use wcp_review::ConsoleStore;

use crate::metrics::ConsoleMetrics;
pub use crate::region::{ArchiveState, Region};
pub use wcp_model::clock::now_ms;

/// Four hours: a high-severity alert (guaranteed returns, insider information, a recall of a
/// flagged message) reviewed within the trading day it was raised.
pub const DEFAULT_SLA_HIGH_S: u64 = 4 * 3600;

#[derive(Debug, Clone)]
pub struct Settings {
    /// `Secure` on cookies (true everywhere; browsers accept it on http://127.0.0.1 too).
    pub secure_cookies: bool,
    pub session_ttl_ms: i64,
    /// Messages shown before and after the alerting one.
    pub context_messages: u64,
    /// Where exports are written (one folder per export).
    pub export_dir: PathBuf,
    /// The capture's media store (`media_dir`, holding `<region>/sha256/…`): exports attach
    /// the media found there; None: they say "media store not available".
    pub media_dir: Option<PathBuf>,
    /// Take the client address from X-Forwarded-For (behind an ingress).
    pub trust_forwarded: bool,
    /// Sign-in failures allowed per user name / address in `signin_window_ms`.
    pub signin_max_failures: usize,
    pub signin_window_ms: i64,
    /// How long a high-severity alert may wait unreviewed (`sla_high_s`): exported as
    /// `wcp_review_sla_seconds{severity="high"}`, which `WcpReviewHighSeverityPastSla`
    /// compares with the oldest pending item's age.
    pub sla_high_s: u64,
    /// Local (password) sign-in; production with OpenID Connect turns it off
    /// (`local_signin = false`), so every sign-in goes through the identity provider.
    pub local_signin: bool,
    /// The zone dates are read and times shown in: the pipeline policy's
    /// `utc_offset_minutes`, as `wcp archive search` uses (`wcp_archive::dates`).
    pub utc_offset_minutes: i32,
    /// The tenant pseudonymisation key, when the console may look a contact's WeCom id up
    /// under its pseudonym (`wcp review --dir` with `OUT/tenant.key`; the service's
    /// `anon_key_file`, off by default). None: search says only where pseudonyms are shown.
    pub tenant_key: Option<crate::pseudonyms::TenantKey>,
}

/// The built-in policy's zone (China Standard Time), the CLI's default too.
pub const DEFAULT_UTC_OFFSET_MINUTES: i32 = 480;

impl Default for Settings {
    fn default() -> Self {
        Settings {
            secure_cookies: true,
            session_ttl_ms: 8 * 3600 * 1000,
            context_messages: 5,
            export_dir: std::env::temp_dir().join("wcp-review-exports"),
            media_dir: None,
            trust_forwarded: false,
            signin_max_failures: 5,
            signin_window_ms: 15 * 60 * 1000,
            sla_high_s: DEFAULT_SLA_HIGH_S,
            local_signin: true,
            utc_offset_minutes: DEFAULT_UTC_OFFSET_MINUTES,
            tenant_key: None,
        }
    }
}

pub struct Console {
    pub console: Mutex<ConsoleStore>,
    pub regions: Vec<Region>,
    pub limiter: Mutex<Limiter>,
    /// Per session token: (msgid, PII index) values unmasked with an audited reason.
    pub unmasked: Mutex<HashMap<String, HashSet<(String, usize)>>>,
    /// Last verification per store or archive: (when, summary, ok).
    pub verifications: Mutex<HashMap<String, (i64, String, bool)>>,
    pub settings: Settings,
    pub metrics: ConsoleMetrics,
    /// The `chat.alerts` consumer's last batch was not full (it read everything there was);
    /// the sampler draws only then, or when the consumer has been idle for a tick, so a
    /// message's alert is queued before the message could be sampled.
    pub alerts_caught_up: AtomicBool,
    /// When the consumer last queued a batch (ms since the epoch; 0 = never).
    pub alerts_last_batch_ms: AtomicI64,
    /// The service's run context (`wcp-review` only; not `wcp review --dir`): the console
    /// port's `/readyz` gives the same answer as the ops port, broker outages included.
    pub runtime: OnceLock<wcp_runtime::RunCtx>,
    /// The OpenID Connect provider, when configured (set once at start).
    pub oidc: OnceLock<crate::oidc::Oidc>,
}

pub type Shared = Arc<Console>;

/// Locks a mutex, recovering the data if a panicking thread poisoned it (the SQLite handle
/// itself stays consistent: every write is one transaction).
pub fn lock<T>(m: &Mutex<T>) -> MutexGuard<'_, T> {
    m.lock().unwrap_or_else(|p| p.into_inner())
}

impl Console {
    pub fn new(console: ConsoleStore, regions: Vec<Region>, settings: Settings) -> Shared {
        let limiter = Limiter::new(settings.signin_max_failures, settings.signin_window_ms);
        Arc::new(Console {
            console: Mutex::new(console),
            regions,
            limiter: Mutex::new(limiter),
            unmasked: Mutex::new(HashMap::new()),
            verifications: Mutex::new(HashMap::new()),
            settings,
            metrics: ConsoleMetrics::new(),
            alerts_caught_up: AtomicBool::new(false),
            alerts_last_batch_ms: AtomicI64::new(0),
            runtime: OnceLock::new(),
            oidc: OnceLock::new(),
        })
    }

    /// Why the console is not ready: an archive that exists but cannot be opened, and, in
    /// the service, whatever holds the ops port's `/readyz` at 503 (a broker outage, the
    /// consumer not yet assigned), so both ports answer alike.
    pub fn not_ready(&self) -> Vec<String> {
        let mut p = self.archive_problems();
        if let Some(ctx) = self.runtime.get() {
            if !ctx.is_ready() {
                let why = ctx.not_ready_reason();
                if !p.iter().any(|q| why.contains(q.as_str())) {
                    p.push(why);
                }
            }
        }
        p
    }

    pub fn region(&self, name: &str) -> Option<&Region> {
        self.regions.iter().find(|r| r.name == name)
    }

    /// Regions whose archive the archiver has not created yet (served empty), by name.
    pub fn empty_regions(&self) -> Vec<String> {
        self.regions
            .iter()
            .filter(|r| r.is_empty_region())
            .map(|r| r.name.clone())
            .collect()
    }

    /// Tries to open every archive not open yet; returns why any existing one cannot be
    /// opened (what readiness reports). A region without an archive yet is not a problem.
    pub fn archive_problems(&self) -> Vec<String> {
        self.regions
            .iter()
            .filter_map(|r| match r.attach() {
                ArchiveState::Broken(why) => Some(format!("region {}: {why}", r.name)),
                _ => None,
            })
            .collect()
    }

    /// Runs SQLite work off the async threads.
    pub async fn blocking<T: Send + 'static>(
        self: &Arc<Self>,
        f: impl FnOnce(&Console) -> T + Send + 'static,
    ) -> T {
        let me = Arc::clone(self);
        match tokio::task::spawn_blocking(move || f(&me)).await {
            Ok(v) => v,
            Err(e) => std::panic::resume_unwind(e.into_panic()),
        }
    }

    /// Writes one access record. A failure to audit is an error of the request: content
    /// is not shown unless its access was recorded.
    pub fn audit(&self, rec: AccessRecord) -> Result<(), wcp_review::ReviewError> {
        self.metrics.access(&rec.action);
        access::append(&mut lock(&self.console), &rec).map(|_| ())
    }
}
