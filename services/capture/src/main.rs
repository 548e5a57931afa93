//! wcp-capture: pulls a corp's WeCom session archive through Tencent's SDK and writes each
//! decrypted message to `wecom.raw` exactly once, with the cursor in the same transaction.
//!
//! Layout: `main` (role: service or SDK child), `child` (the SDK child: the only process that loads
//! Tencent's library), `proto` (the pipe protocol), `supervisor` (spawn, deadlines, restarts),
//! `deadline` (a call's limit, in time the parent was running), `settings`, `keys` (private keys
//! per `publickey_ver`), `chatdata` (the GetChatData answer), `decrypt` (RSA + DecryptData →
//! plaintext or dead letter), `records` (what a transaction writes), `tx` (the transactions),
//! `leader` (one active instance per corp), `capture` (the loop), `metrics`; media apart from the
//! text: `mediaref` (the files a message names), `media_fetch` (chunks → md5 check), `store`
//! (content-addressed files), `media` (the stage: media records, `media_missing` marks),
//! `media_run` (its threads); the recovery commands: `recover` (shared), `redecrypt` (dead
//! letters), `refetch` (a seq range), `seen` (what is already written), `consent_api` +
//! `consent_import` (WeCom's consent answers into `consent.ledger`).
//! See docs/CAPTURE.md.

use std::process::ExitCode;

use wcp_runtime::{Config, RunCtx, RuntimeError};

mod capture;
mod chatdata;
mod child;
mod consent_api;
mod consent_import;
mod deadline;
mod decrypt;
mod keys;
mod leader;
mod media;
mod media_fetch;
mod media_run;
mod mediaref;
mod metrics;
mod proto;
mod records;
mod recover;
mod redecrypt;
mod refetch;
mod s3;
mod seen;
mod settings;
mod store;
mod supervisor;
mod tx;

use capture::{Capture, End};
use settings::Settings;
use supervisor::{ChildSpec, Supervisor};

fn main() -> ExitCode {
    // The child and the recovery commands write media and state too (trial 17a D9).
    wcp_runtime::private_files::owner_only();
    if std::env::args().nth(1).as_deref() == Some(child::CHILD_ARG) {
        return child::main();
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    if let Some(sub @ ("redecrypt" | "refetch" | "consent-import")) =
        args.first().map(String::as_str)
    {
        return recover::main(sub, &args[1..]);
    }
    wcp_runtime::app::main("capture", run)
}

fn run(cfg: &Config, raw: &settings::CaptureKeys, ctx: &RunCtx) -> Result<(), RuntimeError> {
    let s = Settings::resolve(raw, &|k| std::env::var(k).ok())?;
    tracing::info!(settings = ?s, "capture settings");
    let keys = keys::KeyRing::load(&s.key_dirs).map_err(RuntimeError::Config)?;
    tracing::info!(versions = ?keys.versions(), "private keys loaded");
    let m = metrics::CaptureMetrics::register(&ctx.metrics);
    let exe = std::env::current_exe()?;
    let spec = ChildSpec {
        role: "chat",
        exe: exe.clone(),
        library: s.library.clone(),
        corp_id: s.corp_id.clone(),
        secret: s.secret.clone(),
    };
    let mut sup = Supervisor::new(spec, m.clone());
    // A library that cannot be loaded, or credentials refused for good, stop the service
    // here, before it joins anything. Transient failures are retried by the loop.
    match sup.start() {
        Err(supervisor::CallError::Fatal(msg)) => return Err(RuntimeError::Fatal(msg)),
        Err(e) => tracing::warn!(error = %e, "the SDK child did not start; retrying"),
        Ok(()) => {}
    }
    // One process per instance_id (the shared start-up check, in the corp's group).
    let leader = leader::Leader::join(cfg, ctx, &s.corp_id)?;
    ctx.set_ready(true);
    // Media on threads of their own: nothing there can hold up the text below.
    let end = std::thread::scope(|scope| {
        if s.media_enabled() {
            scope.spawn(|| media_run::run(cfg, ctx, &s, &m, exe));
        }
        let end = capture(cfg, ctx, &s, keys, sup, &m, &leader);
        // (A SIGTERM that interrupted a read is no error: nothing to say.)
        let failed = end
            .as_ref()
            .err()
            .filter(|e| !matches!(e, RuntimeError::Interrupted(_)));
        if let Some(e) = failed {
            // Not capturing any more, and saying so before anything else happens (the
            // media thread below may take a moment to end); the media thread ends with the
            // service.
            m.standing_by();
            ctx.set_not_ready(format!("stopping on a fatal error: {e}"));
            ctx.request_shutdown();
        }
        end
    });
    // The membership goes last, once nothing uses it (see `Leader::close`); the last line
    // of a clean stop comes after its rebalance lines.
    leader.close();
    if end.is_ok() {
        tracing::info!("stopped cleanly");
    }
    end
}

fn capture(
    cfg: &Config,
    ctx: &RunCtx,
    s: &Settings,
    keys: keys::KeyRing,
    sup: Supervisor,
    m: &metrics::CaptureMetrics,
    leader: &leader::Leader,
) -> Result<(), RuntimeError> {
    let mut cap = Capture::new(cfg, ctx, s, keys, sup, m.clone());
    loop {
        if !leader.wait_active(cfg, ctx)? {
            return Ok(());
        }
        m.active.set(1);
        let end = cap.term(leader);
        m.standing_by();
        match end? {
            End::Shutdown => return Ok(()),
            End::Lost => continue,
        }
    }
}
