//! The archiver's write retries: a transient SQLite failure is retried for as long as it
//! lasts, with the service held not ready meanwhile (issue 15: a locked database made earlier
//! versions exit after ~85 s while staying ready).

use std::time::{Duration, Instant};

use wcp_runtime::RunCtx;

use crate::writer::{Batch, Writer};

/// How a batch's write ended.
pub enum Written {
    Yes,
    /// Shutdown while retrying: the batch is not written and its offsets not stored, so it
    /// is read again after the restart.
    Stopped,
    /// A failure that is fatal by its class (corruption, a schema or key problem).
    Fatal(String),
}

/// Writes one batch, retrying transient failures (a locked or busy database, I/O) with
/// backoff for as long as they last: each failed attempt counts in
/// `wcp_archive_write_failures_total`, `wcp_archive_write_failing` is 1 until a write succeeds,
/// and meanwhile `/readyz` answers 503 with the reason.
/// Retrying the same batch is safe: its SQLite transaction either committed whole (rows and
/// offsets) or not at all, and the archive dedups on msgid.
pub fn write_with_retry(writer: &mut Writer, batch: &Batch, ctx: &RunCtx) -> Written {
    let mut backoff = Duration::from_millis(100);
    let mut failing_since: Option<Instant> = None;
    for attempt in 1u64.. {
        let e = match writer.write(batch) {
            Ok(()) => {
                if let Some(t) = failing_since {
                    ctx.metrics.archive_write_failing.set(0);
                    ctx.release_hold();
                    tracing::info!(
                        attempts = attempt,
                        seconds = t.elapsed().as_secs(),
                        "archive writes recovered"
                    );
                }
                return Written::Yes;
            }
            Err(e) => e,
        };
        ctx.metrics.archive_write_failures.inc();
        ctx.metrics.archive_write_failing.set(1);
        // Which region's file, and the fix when the storage is the cause (trial 17a D16).
        let said = crate::storage::write_failed(writer.failing_at(), &e);
        if !e.is_transient() {
            return Written::Fatal(said);
        }
        let since = *failing_since.get_or_insert_with(Instant::now);
        let why = format!(
            "archive writes failing for {} s ({attempt} attempts), retrying: {said}",
            since.elapsed().as_secs()
        );
        // Held: the consumer loop's polling would otherwise mark the service ready again.
        ctx.hold_not_ready(why);
        tracing::warn!(error = %said, attempt, "archive write failed; retrying");
        if ctx.sleep(backoff) {
            return Written::Stopped;
        }
        backoff = (backoff * 2).min(Duration::from_secs(5));
    }
    unreachable!("the loop returns")
}
