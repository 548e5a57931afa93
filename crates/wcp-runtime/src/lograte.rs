//! librdkafka repeats itself during a broker outage: every client reports "all brokers down"
//! and every failed reconnection, about 12 lines a second per service (issue 15 trial). The
//! first line of a kind is logged at once; later ones of that kind within `WINDOW` are
//! counted, not logged, and the next one after the window is logged as a summary with the
//! count. When Kafka is reachable again the total suppressed since it was last reachable
//! (what the summaries counted and what no summary has counted yet) is reported and the
//! counts are forgotten, so the next outage starts with a line at once.
//!
//! [`RateLimit`] is the pure decision (time passed in); [`check`] and [`recovered`] are the
//! process-wide instance the librdkafka callbacks share.

use std::collections::HashMap;
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::{Mutex, OnceLock};
use std::time::{Duration, Instant};

use rdkafka::types::RDKafkaErrorCode;

/// At most one line per kind in this long.
pub const WINDOW: Duration = Duration::from_secs(30);

/// What to do with one message.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// Log it as it is.
    Emit,
    /// Count it, log nothing.
    Suppress,
    /// Log it with the number of similar messages suppressed since the last line of its
    /// kind, and how long this kind has been repeating.
    Summary {
        suppressed: u64,
        repeating: Duration,
    },
}

#[derive(Debug, Clone)]
struct Kind {
    /// The first message of this run of repeats.
    first: Instant,
    last_logged: Instant,
    last_seen: Instant,
    suppressed: u64,
}

/// Per-kind counts; no clock inside.
#[derive(Debug, Clone)]
pub struct RateLimit {
    window: Duration,
    kinds: HashMap<String, Kind>,
    /// Every message suppressed since the last [`RateLimit::reset`], summarised or not.
    total: u64,
}

impl RateLimit {
    pub fn new(window: Duration) -> RateLimit {
        RateLimit {
            window,
            kinds: HashMap::new(),
            total: 0,
        }
    }

    /// The verdict for a message of `kind` at `now`.
    pub fn check(&mut self, kind: &str, now: Instant) -> Verdict {
        let Some(k) = self.kinds.get_mut(kind) else {
            self.kinds.insert(
                kind.to_string(),
                Kind {
                    first: now,
                    last_logged: now,
                    last_seen: now,
                    suppressed: 0,
                },
            );
            return Verdict::Emit;
        };
        let quiet = now.saturating_duration_since(k.last_seen) > self.window;
        k.last_seen = now;
        if now.saturating_duration_since(k.last_logged) < self.window {
            k.suppressed += 1;
            self.total += 1;
            return Verdict::Suppress;
        }
        k.last_logged = now;
        let suppressed = std::mem::take(&mut k.suppressed);
        if suppressed == 0 {
            // Nothing held back: a kind silent for a whole window starts a new run.
            if quiet {
                k.first = now;
            }
            return Verdict::Emit;
        }
        let repeating = now.saturating_duration_since(k.first);
        if quiet {
            k.first = now;
        }
        Verdict::Summary {
            suppressed,
            repeating,
        }
    }

    /// The trouble is over: every message suppressed since the last reset (those the
    /// summaries counted too: the closing line once counted only the rest, 16 of an
    /// outage's 624, trial 15h D8), and every kind forgotten (its next message is logged at
    /// once).
    pub fn reset(&mut self) -> u64 {
        self.kinds.clear();
        std::mem::take(&mut self.total)
    }
}

fn shared() -> std::sync::MutexGuard<'static, RateLimit> {
    static LIMIT: OnceLock<Mutex<RateLimit>> = OnceLock::new();
    LIMIT
        .get_or_init(|| Mutex::new(RateLimit::new(WINDOW)))
        .lock()
        .unwrap_or_else(|p| p.into_inner())
}

/// The process-wide verdict for a librdkafka message of `kind`, now.
pub fn check(kind: &str) -> Verdict {
    shared().check(kind, Instant::now())
}

/// Kafka is reachable again (`brokers`): the number suppressed since it was last reachable,
/// and a fresh start.
pub fn recovered() -> u64 {
    shared().reset()
}

/// Set once the service is stopping (`RunCtx::request_shutdown`).
static STOPPING: AtomicBool = AtomicBool::new(false);

/// The service is stopping: from now on librdkafka's lines about brokers going down are its
/// clients' own teardown, not an outage (trial 15j D9: "1/1 brokers are down … Connection
/// refused" at a clean stop with the broker up). They are logged at debug level.
pub fn stopping() {
    STOPPING.store(true, Ordering::SeqCst);
}

/// Whether a librdkafka line (`code`: its error code, if any) says a broker went away or
/// could not be reached: at shutdown, the client's own teardown.
fn teardown_line(code: Option<RDKafkaErrorCode>, msg: &str) -> bool {
    matches!(
        code,
        Some(RDKafkaErrorCode::AllBrokersDown | RDKafkaErrorCode::BrokerTransportFailure)
    ) || [
        "brokers are down",
        "Connect to ",
        "Connection refused",
        "Disconnected",
        "AllBrokersDown",
        "BrokerTransportFailure",
    ]
    .iter()
    .any(|s| msg.contains(s))
}

/// The rate limit's kind of a librdkafka line: every line saying the broker is unreachable,
/// from any client of the process (consumer, producers, readers) and of any code or facility,
/// is one kind, so an outage gives one summary per window, not one per client and code (trial
/// 15j D8: about 6 lines per 30 s per service, several the same second); `own` otherwise.
fn kind_of(own: String, code: Option<RDKafkaErrorCode>, msg: &str) -> String {
    if teardown_line(code, msg) {
        BROKER_UNREACHABLE.to_string()
    } else {
        own
    }
}

const BROKER_UNREACHABLE: &str = "broker unreachable";

/// A line [`teardown_line`] logged at debug level once the service is stopping: true when it
/// was (and must not be logged otherwise).
fn quiet_at_shutdown(stopping: bool, code: Option<RDKafkaErrorCode>, msg: &str) -> bool {
    if stopping && teardown_line(code, msg) {
        tracing::debug!("librdkafka while stopping: {msg}");
        return true;
    }
    false
}

/// librdkafka's error callback of a client (`who`: "" for the consumer, " producer"), logged
/// under the rate limit; a summary says how long the broker has been unreachable.
pub fn client_error(
    health: &crate::brokers::BrokerHealth,
    who: &str,
    error: &rdkafka::error::KafkaError,
    reason: &str,
) {
    if quiet_at_shutdown(
        STOPPING.load(Ordering::SeqCst),
        error.rdkafka_error_code(),
        reason,
    ) {
        return;
    }
    let kind = kind_of(
        format!("error{who} {:?}", error.rdkafka_error_code()),
        error.rdkafka_error_code(),
        reason,
    );
    let reason = crate::brokers::explain_cause(reason);
    match check(&kind) {
        Verdict::Emit => tracing::warn!(error = %error, "librdkafka{who}: {reason}"),
        Verdict::Suppress => {}
        Verdict::Summary {
            suppressed,
            repeating,
        } => match health.down_for(Instant::now()) {
            Some(down) => tracing::warn!(
                error = %error,
                "Kafka broker unreachable for {}s, {suppressed} similar messages suppressed \
                 (last: librdkafka{who}: {reason})",
                down.as_secs()
            ),
            None => tracing::warn!(
                error = %error,
                "librdkafka{who}: {reason} ({suppressed} similar messages suppressed in the \
                 last {}s)",
                repeating.as_secs().min(WINDOW.as_secs())
            ),
        },
    }
}

/// A warning the loop repeats on every poll while Kafka is away (a consumer error), under
/// the same limit.
pub fn warn_repeated(kind: &str, msg: &str) {
    match check(kind) {
        Verdict::Emit => tracing::warn!("{msg}"),
        Verdict::Suppress => {}
        Verdict::Summary { suppressed, .. } => {
            tracing::warn!("{msg} ({suppressed} similar messages suppressed)")
        }
    }
}

/// A librdkafka log line to `tracing` (rdkafka itself logs through the `log` crate), under
/// the rate limit except for debug lines (asked for with the `debug` property).
pub fn client_log(level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
    use rdkafka::config::RDKafkaLogLevel as L;
    if quiet_at_shutdown(STOPPING.load(Ordering::SeqCst), None, msg) {
        return;
    }
    let (line, suffix) = if matches!(level, L::Debug) {
        (true, String::new())
    } else {
        match check(&kind_of(format!("log {level:?} {fac}"), None, msg)) {
            Verdict::Emit => (true, String::new()),
            Verdict::Suppress => (false, String::new()),
            Verdict::Summary { suppressed, .. } => {
                (true, format!(" ({suppressed} similar messages suppressed)"))
            }
        }
    };
    if !line {
        return;
    }
    // An address that is not a Kafka broker, or one that did not answer: librdkafka's advice
    // (raise receive.message.max.bytes, a broker older than 0.10) is wrong, and it is no
    // error of librdkafka's (trials D9, 15g D7): said as `/readyz` says it.
    if let Some(cause) = crate::brokers::log_line(msg) {
        tracing::warn!(facility = fac, "librdkafka: {cause}{suffix}");
        return;
    }
    match level {
        L::Emerg | L::Alert | L::Critical | L::Error => {
            tracing::error!(facility = fac, "librdkafka: {msg}{suffix}")
        }
        L::Warning => tracing::warn!(facility = fac, "librdkafka: {msg}{suffix}"),
        L::Notice | L::Info => tracing::info!(facility = fac, "librdkafka: {msg}{suffix}"),
        L::Debug => tracing::debug!(facility = fac, "librdkafka: {msg}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    const W: Duration = Duration::from_secs(30);

    fn at(t0: Instant, s: u64) -> Instant {
        t0 + Duration::from_secs(s)
    }

    fn summary(suppressed: u64, repeating_s: u64) -> Verdict {
        let repeating = Duration::from_secs(repeating_s);
        Verdict::Summary {
            suppressed,
            repeating,
        }
    }

    #[test]
    fn every_client_s_broker_down_line_is_one_kind() {
        let a = kind_of(
            "error Some(AllBrokersDown)".into(),
            Some(RDKafkaErrorCode::AllBrokersDown),
            "1/1 brokers are down",
        );
        let b = kind_of(
            "error producer Some(BrokerTransportFailure)".into(),
            Some(RDKafkaErrorCode::BrokerTransportFailure),
            "x",
        );
        let c = kind_of(
            "log Error FAIL".into(),
            None,
            "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused",
        );
        assert_eq!(
            (a.as_str(), b.as_str()),
            (BROKER_UNREACHABLE, BROKER_UNREACHABLE)
        );
        assert_eq!(c, BROKER_UNREACHABLE);
        assert_eq!(
            kind_of("log Warning CONFWARN".into(), None, "unknown property"),
            "log Warning CONFWARN"
        );
    }

    #[test]
    fn brokers_going_down_while_stopping_is_no_outage() {
        let down = "1/1 brokers are down";
        let refused =
            "127.0.0.1:9092/bootstrap: Connect to ipv4#127.0.0.1:9092 failed: Connection refused";
        let code = Some(RDKafkaErrorCode::AllBrokersDown);
        assert!(quiet_at_shutdown(true, code, down));
        assert!(quiet_at_shutdown(true, None, refused));
        // Running: the outage is logged as before.
        assert!(!quiet_at_shutdown(false, code, down));
        assert!(!quiet_at_shutdown(false, None, refused));
        // Stopping, but about something else: logged.
        assert!(!quiet_at_shutdown(
            true,
            Some(RDKafkaErrorCode::TopicAuthorizationFailed),
            "Topic authorization failed"
        ));
    }

    #[test]
    fn first_at_once_then_one_summary_per_window() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        assert_eq!(r.check("down", t0), Verdict::Emit);
        // 12 a second for the rest of the window: all counted.
        for ms in (83..30_000).step_by(83) {
            let now = t0 + Duration::from_millis(ms);
            assert_eq!(r.check("down", now), Verdict::Suppress, "{ms} ms");
        }
        let n = (83..30_000).step_by(83).count() as u64;
        assert_eq!(r.check("down", at(t0, 30)), summary(n, 30));
        assert_eq!(r.check("down", at(t0, 31)), Verdict::Suppress);
        assert_eq!(r.check("down", at(t0, 60)), summary(1, 60));
    }

    #[test]
    fn kinds_are_counted_apart() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        assert_eq!(r.check("consumer down", t0), Verdict::Emit);
        assert_eq!(r.check("producer down", t0), Verdict::Emit);
        assert_eq!(r.check("consumer down", at(t0, 1)), Verdict::Suppress);
        assert_eq!(r.check("log FAIL", at(t0, 1)), Verdict::Emit);
        assert_eq!(r.check("producer down", at(t0, 2)), Verdict::Suppress);
        assert_eq!(r.check("consumer down", at(t0, 31)), summary(1, 31));
    }

    #[test]
    fn a_rare_message_is_always_logged_and_a_quiet_kind_starts_a_new_run() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        for s in [0, 40, 80, 500] {
            assert_eq!(r.check("rare", at(t0, s)), Verdict::Emit, "{s}");
        }
        // Repeats, then silence longer than the window: the summary counts the old run and
        // the run after it is measured from its own start.
        assert_eq!(r.check("rare", at(t0, 501)), Verdict::Suppress);
        assert_eq!(r.check("rare", at(t0, 600)), summary(1, 100));
        assert_eq!(r.check("rare", at(t0, 601)), Verdict::Suppress);
        assert_eq!(r.check("rare", at(t0, 630)), summary(1, 30));
    }

    /// Trial 15h D8: the summaries of an outage said 5, 55, 11, 59 ... (624 in all), the
    /// closing line 16 (what no summary had counted yet). It says the total.
    #[test]
    fn recovery_reports_every_message_suppressed_summaries_included() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        let mut summarised = 0;
        // Two kinds, 4 messages a second for 100 s: summaries every 30 s.
        for ms in (0..100_000).step_by(250) {
            for kind in ["consumer down", "producer down"] {
                if let Verdict::Summary { suppressed, .. } =
                    r.check(kind, t0 + Duration::from_millis(ms))
                {
                    summarised += suppressed;
                }
            }
        }
        let sent = 2 * (0..100_000).step_by(250).count() as u64;
        // Per kind: the first and the three summaries (30, 60, 90 s) were logged.
        let logged = 2 * 4;
        assert!(summarised > 0);
        assert_eq!(r.reset(), sent - logged, "{summarised} in summaries");
        assert_eq!(r.reset(), 0, "the next outage counts afresh");
    }

    #[test]
    fn recovery_reports_the_unsummarised_and_starts_afresh() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        assert_eq!(r.reset(), 0);
        r.check("a", t0);
        r.check("a", at(t0, 1));
        r.check("a", at(t0, 2));
        r.check("b", at(t0, 2));
        r.check("b", at(t0, 3));
        assert_eq!(r.reset(), 3);
        assert_eq!(r.reset(), 0);
        assert_eq!(r.check("a", at(t0, 4)), Verdict::Emit, "a new outage");
    }

    #[test]
    fn the_window_edge_and_a_clock_that_does_not_move() {
        let t0 = Instant::now();
        let mut r = RateLimit::new(W);
        r.check("k", t0);
        assert_eq!(r.check("k", t0), Verdict::Suppress);
        assert_eq!(
            r.check("k", t0 + W - Duration::from_nanos(1)),
            Verdict::Suppress
        );
        assert!(matches!(
            r.check("k", t0 + W),
            Verdict::Summary { suppressed: 2, .. }
        ));
        // An earlier instant (reports from two threads) is not a negative duration.
        assert_eq!(r.check("k", t0), Verdict::Suppress);
    }
}
