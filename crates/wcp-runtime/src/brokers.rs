//! Is the service still connected to Kafka? librdkafka retries a lost broker for ever and the
//! loop keeps polling, so without this a stage stayed ready while its broker was down (a
//! trial). The statistics of the service's clients (every 2 s: the consumer's, served by the
//! loop's poll, and the transactional producer's, served by its own thread) list each broker
//! connection with its state. The reports of the last [`FRESH_FOR`] decide (see `cut_off`):
//! when none sees a broker `UP`, `/readyz` answers 503 naming the brokers, how long, and
//! librdkafka's last error; the next report with one `UP` makes it ready again. One place
//! for every service: `RunCtx::is_ready` asks it.
//!
//! Also [`explain_cause`]: librdkafka's words for "that address is not a Kafka broker".

use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

/// What one statistics document says about the broker connections.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct BrokerView {
    /// Connections in state `UP` (librdkafka's internal broker not counted).
    pub up: usize,
    /// The brokers' addresses (`host:port`), sorted, without duplicates.
    pub addrs: Vec<String>,
}

/// The broker part of a librdkafka statistics document; `None` when it lists no broker
/// (nothing to conclude from).
pub fn view_from_stats(stats: &serde_json::Value) -> Option<BrokerView> {
    let brokers = stats.get("brokers")?.as_object()?;
    let mut up = 0;
    let mut addrs = Vec::new();
    for (name, b) in brokers {
        if b.get("source").and_then(|s| s.as_str()) == Some("internal") {
            continue;
        }
        if b.get("state").and_then(|s| s.as_str()) == Some("UP") {
            up += 1;
        }
        // "127.0.0.1:9092/1" or "127.0.0.1:9092/bootstrap": the address before the slash.
        let addr = name.rsplit_once('/').map_or(name.as_str(), |(a, _)| a);
        // A logical broker (the group coordinator) has no address of its own.
        if b.get("source").and_then(|s| s.as_str()) != Some("logical") {
            addrs.push(addr.to_string());
        }
    }
    addrs.sort();
    addrs.dedup();
    (up > 0 || !addrs.is_empty()).then_some(BrokerView { up, addrs })
}

/// librdkafka's cause, made plain where it misleads. An address that answers with something
/// other than Kafka's protocol (an HTTP server: "HTTP" read as a 1.2 GB message size) gets
/// librdkafka's hint to raise `receive.message.max.bytes`, which is never the fix.
///
/// An address that accepts the connection and stays silent (an HTTP server waiting for a
/// request line it never gets, e.g. Prometheus' port) times out Kafka's first request,
/// which librdkafka blames on "broker version < 0.10": no broker this client can use is that
/// old, so the silence is named instead.
///
/// A log line's thread tag (`[thrd:127.0.0.1:9091/bootstrap]: `) is dropped: it repeats
/// the broker and is no part of the cause.
/// What to say when the broker refused a SASL sign-in. A listener that takes no SASL at all
/// (PLAINTEXT or SSL, e.g. a wrong port) answers the handshake with an empty list of
/// mechanisms: the credentials were never checked, so pointing at them sends the operator to
/// the wrong fix (trial 15i D2).
pub fn credentials_refused(addr: &str, why: &str) -> String {
    let offers_none = why
        .split_once("supported mechanisms:")
        .is_some_and(|(_, rest)| {
            let rest = rest.trim_start();
            rest.is_empty() || rest.starts_with('(')
        });
    if offers_none {
        format!(
            "Kafka at {addr} does not take SASL there: the listener offered no SASL mechanism, \
             so the credentials were never checked ({why}). Check kafka_bootstrap (the \
             listener and port) and security.protocol (WCP_KAFKA__SECURITY_PROTOCOL: PLAINTEXT \
             or SSL for a listener without SASL)"
        )
    } else {
        format!(
            "Kafka at {addr} refused the credentials: {why} (check sasl.username and \
             WCP_KAFKA__SASL_PASSWORD, and that the user exists on the cluster)"
        )
    }
}

pub fn explain_cause(reason: &str) -> String {
    explain_cause_in(reason, ephemeral_ports())
}

/// The kernel's ephemeral (client source) port range, read once; `None` off Linux.
fn ephemeral_ports() -> Option<(u16, u16)> {
    static RANGE: std::sync::OnceLock<Option<(u16, u16)>> = std::sync::OnceLock::new();
    *RANGE.get_or_init(|| {
        let text = std::fs::read_to_string("/proc/sys/net/ipv4/ip_local_port_range").ok()?;
        let mut it = text.split_whitespace().map(|n| n.parse::<u16>().ok());
        Some((it.next()??, it.next()??))
    })
}

/// [`explain_cause`] with the ephemeral port range given (pure). A loopback broker address
/// whose port lies in that range and that "did not answer" may be this client connected to
/// itself while the broker is down (a trial): it reads its own request back, which is no
/// answer. Said as a possibility: the two look the same from here.
pub fn explain_cause_in(reason: &str, ephemeral: Option<(u16, u16)>) -> String {
    let reason = strip_thread_tag(reason);
    let addr = || broker_addr(reason);
    let who = || addr().map_or("the address".to_string(), |a| a.to_string());
    let itself = || {
        let a = addr()?;
        let (host, port) = a.rsplit_once(':')?;
        let port: u16 = port.parse().ok()?;
        let (lo, hi) = ephemeral?;
        let loopback = host == "localhost" || host.starts_with("127.") || host == "[::1]";
        (loopback && (lo..=hi).contains(&port)).then(|| {
            format!(
                "; or, the broker being down, this client connected to itself: port {port} \
                 lies in the ephemeral port range {lo}-{hi} (docs/OPERATIONS.md \"Broker \
                 ports\")"
            )
        })
    };
    if let Some(plain) = crate::mismatch::explain(reason, &who()) {
        return plain;
    }
    if is_not_kafka(reason) {
        return format!(
            "{} answered, but it is not a Kafka broker (its reply is not Kafka's protocol: \
             an HTTP or other server on that port?); point kafka_bootstrap at the broker's \
             client listener",
            who()
        );
    }
    if reason.contains("ApiVersionRequest failed") && reason.contains("Timed out") {
        return format!(
            "{} accepted the connection but did not answer as a Kafka broker (no reply to \
             Kafka's first request: an HTTP or other server on that port?{}); point \
             kafka_bootstrap at the broker's client listener",
            who(),
            itself().unwrap_or_default()
        );
    }
    // Another failure of the first request (the connection closed under it): the cause
    // stays, the advice goes.
    reason.replace(OLD_BROKER_ADVICE, "")
}

/// The broker a librdkafka message is about: "127.0.0.1:8080/bootstrap: Receive failed: ...",
/// in some messages after its thread's name ("[thrd:127.0.0.1:8080/bootstrap]: ...") or with
/// the protocol in front ("sasl_ssl://127.0.0.1:9093/bootstrap: ...", which is no part of the
/// address: it was named "sasl_plaintext:"). Pure.
pub fn broker_addr(reason: &str) -> Option<&str> {
    let reason = strip_thread_tag(reason);
    let bare = match reason.split_once("://") {
        Some((scheme, rest)) if scheme.chars().all(|c| c.is_ascii_alphabetic() || c == '_') => rest,
        _ => reason,
    };
    bare.split_once('/')
        .map(|(a, _)| a.trim_start_matches("[thrd:"))
        .filter(|a| a.contains(':') && !a.contains(' '))
}

/// librdkafka's advice when Kafka's first request fails, whatever the failure: no broker
/// this client can use is older than 0.10, so it is never the fix.
const OLD_BROKER_ADVICE: &str =
    ": probably due to broker version < 0.10 (see api.version.request configuration)";

/// A librdkafka log line as the services log it: `Some` with [`explain_cause_in`]'s words
/// when the line carries librdkafka's misleading advice (a bigger
/// `receive.message.max.bytes`, a broker older than 0.10), `None` to log it as it is. Pure.
pub fn log_line_in(msg: &str, ephemeral: Option<(u16, u16)>) -> Option<String> {
    (is_not_kafka(msg)
        || msg.contains("broker version < 0.10")
        || crate::mismatch::explain(msg, "").is_some())
    .then(|| explain_cause_in(msg, ephemeral))
}

/// [`log_line_in`] with this machine's ephemeral port range.
pub fn log_line(msg: &str) -> Option<String> {
    log_line_in(msg, ephemeral_ports())
}

/// `reason` without librdkafka's leading `[thrd:...]: ` tag.
fn strip_thread_tag(reason: &str) -> &str {
    match reason
        .strip_prefix("[thrd:")
        .and_then(|r| r.split_once("]: "))
    {
        Some((_, rest)) => rest,
        None => reason,
    }
}

/// Whether librdkafka's `msg` is its wrong advice for an address that is not a Kafka
/// broker ([`explain_cause`] names the real cause instead).
pub fn is_not_kafka(msg: &str) -> bool {
    msg.contains("Invalid response size") || msg.contains("receive.message.max.bytes")
}

/// Which of the service's Kafka clients a statistics document came from. Both count: a
/// transactional loop stuck in a transaction step through an outage does not poll its
/// consumer (whose statistics are served by that poll), while its producer's background
/// thread keeps reporting (issue 15 trial: stages stayed ready for 6 minutes).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Client {
    Consumer,
    Producer,
}

/// A report older than this no longer says anything about now (statistics come every 2 s
/// from a client that is served; a consumer whose loop is busy elsewhere falls silent).
pub const FRESH_FOR: Duration = Duration::from_secs(5);

/// What one client last said.
#[derive(Debug, Clone)]
struct Report {
    client: Client,
    seen: Instant,
    /// Since when this client has seen no broker up (`None`: one is up).
    down_since: Option<Instant>,
    addrs: Vec<String>,
}

/// The pure decision: is the service cut off from Kafka at `now`, since when, and from which
/// brokers? The reports still fresh decide (the latest one when none is): down when every
/// one of them sees no broker up, since the earliest moment one of them lost its brokers.
fn cut_off(reports: &[Report], now: Instant) -> Option<(Instant, Vec<String>)> {
    let fresh: Vec<&Report> = reports
        .iter()
        .filter(|r| now.saturating_duration_since(r.seen) <= FRESH_FOR)
        .collect();
    let deciding = if fresh.is_empty() {
        reports.iter().max_by_key(|r| r.seen).into_iter().collect()
    } else {
        fresh
    };
    let mut since: Option<Instant> = None;
    let mut addrs = Vec::new();
    for r in &deciding {
        let d = r.down_since?;
        since = Some(since.map_or(d, |s| s.min(d)));
        addrs.extend(r.addrs.iter().cloned());
    }
    addrs.sort();
    addrs.dedup();
    since.map(|s| (s, addrs))
}

#[derive(Debug, Default)]
struct State {
    reports: Vec<Report>,
    last_error: Option<String>,
}

/// Shared between the clients' callbacks (librdkafka's threads) and `/readyz`: the one
/// place every service's readiness follows the broker from.
#[derive(Debug, Clone, Default)]
pub struct BrokerHealth(Arc<Mutex<State>>);

impl BrokerHealth {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A statistics document's view from `client` at `now`.
    pub fn observe(&self, client: Client, view: &BrokerView, now: Instant) {
        let mut s = self.state();
        let before = cut_off(&s.reports, now);
        let i = match s.reports.iter().position(|r| r.client == client) {
            Some(i) => i,
            None => {
                s.reports.push(Report {
                    client,
                    seen: now,
                    down_since: None,
                    addrs: Vec::new(),
                });
                s.reports.len() - 1
            }
        };
        let r = &mut s.reports[i];
        r.seen = now;
        r.addrs.clone_from(&view.addrs);
        if view.up > 0 {
            r.down_since = None;
        } else if r.down_since.is_none() {
            r.down_since = Some(now);
        }
        let after = cut_off(&s.reports, now);
        match (before, &after) {
            (None, Some((_, addrs))) => {
                tracing::warn!(brokers = %addrs.join(","), "no Kafka broker reachable");
            }
            (Some((since, _)), None) => {
                s.last_error = None;
                let secs = now.saturating_duration_since(since).as_secs();
                let suppressed = crate::lograte::recovered();
                tracing::info!(
                    down_s = secs,
                    suppressed,
                    "Kafka reachable again after {secs}s ({suppressed} librdkafka messages \
                     suppressed in all since it was last reachable)"
                );
            }
            _ => {}
        }
    }

    /// librdkafka's error callback: the cause shown while down.
    pub fn note_error(&self, reason: &str) {
        // "1/1 brokers are down" says less than the connection failure before it.
        let mut s = self.state();
        if s.last_error.is_none() || !reason.contains("brokers are down") {
            s.last_error = Some(explain_cause(reason));
        }
    }

    /// Why the service is not ready because of Kafka, at `now`; `None` while a broker is up.
    pub fn down_reason(&self, now: Instant) -> Option<String> {
        let s = self.state();
        let (since, addrs) = cut_off(&s.reports, now)?;
        let secs = now.saturating_duration_since(since).as_secs();
        let cause = s
            .last_error
            .as_ref()
            .map(|e| format!(" ({e})"))
            .unwrap_or_default();
        Some(format!(
            "Kafka broker {} unreachable for {secs}s{cause}",
            addrs.join(", ")
        ))
    }

    /// How long no broker has been up at `now`; `None` while one is.
    pub fn down_for(&self, now: Instant) -> Option<Duration> {
        let (since, _) = cut_off(&self.state().reports, now)?;
        Some(now.saturating_duration_since(since))
    }

    /// True while no broker is up.
    pub fn is_down(&self) -> bool {
        self.down_for(Instant::now()).is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn a_listener_without_sasl_is_not_blamed_on_the_credentials() {
        let none = "sasl_plaintext://127.0.0.1:39092/bootstrap: SASL SCRAM-SHA-512 mechanism handshake failed: Broker: Request not valid in current SASL state: broker's supported mechanisms:  (after 18ms in state AUTH_HANDSHAKE)";
        let said = credentials_refused("127.0.0.1:39092", none);
        assert!(said.contains("offered no SASL mechanism"), "{said}");
        assert!(
            said.contains("security.protocol") && !said.contains("sasl.username"),
            "{said}"
        );
        let other = "SASL SCRAM-SHA-512 mechanism handshake failed: broker's supported mechanisms: PLAIN (after 5ms)";
        let said = credentials_refused("k:9093", other);
        assert!(
            said.contains("refused the credentials") && said.contains("sasl.username"),
            "{said}"
        );
        let bad = "SASL authentication error: Authentication failed during authentication due to invalid credentials with SASL mechanism SCRAM-SHA-512";
        assert!(credentials_refused("k:9093", bad).contains("refused the credentials"));
    }

    #[test]
    fn brokers_up_down_and_internal_ones_ignored() {
        let stats = json!({"brokers": {
            "127.0.0.1:9092/bootstrap": {"source": "configured", "state": "INIT"},
            "127.0.0.1:9092/1": {"source": "learned", "state": "UP"},
            ":0/internal": {"source": "internal", "state": "UP"},
            "GroupCoordinator": {"source": "logical", "state": "UP"}
        }});
        let v = view_from_stats(&stats).unwrap();
        assert_eq!(v.addrs, vec!["127.0.0.1:9092".to_string()]);
        assert_eq!(v.up, 2, "the learned broker and the coordinator");
        let down = json!({"brokers": {
            "127.0.0.1:9092/1": {"source": "learned", "state": "CONNECT"},
            ":0/internal": {"source": "internal", "state": "UP"}
        }});
        assert_eq!(view_from_stats(&down).unwrap().up, 0);
        assert_eq!(view_from_stats(&json!({"brokers": {}})), None);
        assert_eq!(view_from_stats(&json!({})), None);
    }

    fn view(up: usize) -> BrokerView {
        BrokerView {
            up,
            addrs: vec!["10.0.0.1:9092".into()],
        }
    }

    fn secs(t: Instant, s: u64) -> Instant {
        t + Duration::from_secs(s)
    }

    #[test]
    fn down_names_brokers_duration_and_cause_then_recovers() {
        let h = BrokerHealth::default();
        let t = Instant::now();
        assert_eq!(h.down_reason(t), None, "no report yet: nothing known");
        h.observe(Client::Consumer, &view(1), t);
        assert_eq!(h.down_reason(t), None);
        h.note_error("10.0.0.1:9092/1: Connect to ipv4#10.0.0.1:9092 failed: Connection refused");
        h.note_error("1/1 brokers are down");
        h.observe(Client::Consumer, &view(0), t);
        // A later document while still down keeps the first moment.
        h.observe(Client::Consumer, &view(0), secs(t, 2));
        let why = h.down_reason(secs(t, 30)).unwrap();
        assert_eq!(
            why,
            "Kafka broker 10.0.0.1:9092 unreachable for 30s (10.0.0.1:9092/1: Connect to \
             ipv4#10.0.0.1:9092 failed: Connection refused)"
        );
        assert_eq!(h.down_for(secs(t, 30)), Some(Duration::from_secs(30)));
        h.observe(Client::Consumer, &view(1), secs(t, 31));
        assert_eq!(h.down_reason(secs(t, 32)), None);
        assert_eq!(h.down_for(secs(t, 32)), None);
    }

    /// The trial's case: the loop is stuck in a transaction step, its consumer silent since
    /// its last "up"; the producer's thread keeps reporting "down".
    #[test]
    fn a_silent_consumer_does_not_hide_the_producers_outage() {
        let h = BrokerHealth::default();
        let t = Instant::now();
        h.observe(Client::Consumer, &view(1), t);
        h.observe(Client::Producer, &view(1), t);
        h.observe(Client::Producer, &view(0), secs(t, 2));
        // The consumer's "up" is still fresh: one client reaches a broker.
        assert_eq!(h.down_for(secs(t, 4)), None);
        assert_eq!(h.down_for(t + FRESH_FOR), None);
        // Past FRESH_FOR only the producer speaks for now, and its outage began at 2 s.
        h.observe(Client::Producer, &view(0), secs(t, 6));
        assert_eq!(h.down_for(secs(t, 6)), Some(Duration::from_secs(4)));
        assert_eq!(h.down_for(secs(t, 300)), Some(Duration::from_secs(298)));
        // Back: the producer's first "up" ends it, the consumer still silent.
        h.observe(Client::Producer, &view(1), secs(t, 301));
        assert_eq!(h.down_for(secs(t, 301)), None);
    }

    #[test]
    fn down_only_while_every_fresh_report_is_down() {
        let t = Instant::now();
        let report = |client, seen: u64, down: Option<u64>| Report {
            client,
            seen: secs(t, seen),
            down_since: down.map(|d| secs(t, d)),
            addrs: vec![format!("{client:?}:9092")],
        };
        let c = Client::Consumer;
        let p = Client::Producer;
        let at = secs(t, 10);
        // (reports, expected down-since and brokers at 10 s)
        type Case<'a> = (Vec<Report>, Option<(u64, Vec<&'a str>)>);
        let cases: Vec<Case> = vec![
            (vec![], None),
            (vec![report(c, 9, None)], None),
            (
                vec![report(c, 9, Some(3))],
                Some((3, vec!["Consumer:9092"])),
            ),
            // Both fresh, one up: reachable.
            (vec![report(c, 9, Some(3)), report(p, 9, None)], None),
            // Both fresh and down: since the earlier, both named.
            (
                vec![report(c, 9, Some(3)), report(p, 8, Some(1))],
                Some((1, vec!["Consumer:9092", "Producer:9092"])),
            ),
            // A stale "up" does not count against a fresh "down".
            (
                vec![report(c, 4, None), report(p, 9, Some(7))],
                Some((7, vec!["Producer:9092"])),
            ),
            // A stale "down" does not count against a fresh "up".
            (vec![report(c, 4, Some(1)), report(p, 9, None)], None),
            // Nothing fresh: the latest report decides.
            (
                vec![report(c, 1, None), report(p, 2, Some(2))],
                Some((2, vec!["Producer:9092"])),
            ),
            (vec![report(c, 2, None), report(p, 1, Some(0))], None),
        ];
        for (i, (reports, want)) in cases.into_iter().enumerate() {
            let got = cut_off(&reports, at);
            let want = want.map(|(s, a)| (secs(t, s), a.into_iter().map(String::from).collect()));
            assert_eq!(got, want, "case {i}");
        }
    }

    #[test]
    fn a_non_kafka_reply_is_named_not_a_message_size_problem() {
        let raw = "127.0.0.1:8080/bootstrap: Receive failed: Invalid response size 1213486160 \
                   (0..100000000): increase receive.message.max.bytes";
        let e = explain_cause(raw);
        assert!(
            e.starts_with("127.0.0.1:8080 answered, but it is not a Kafka broker"),
            "{e}"
        );
        assert!(e.contains("kafka_bootstrap"), "{e}");
        // A server that accepts and stays silent (trial: Prometheus' port), librdkafka 2.x.
        let silent = "127.0.0.1:9091/bootstrap: ApiVersionRequest failed: Local: Timed out: \
                      probably due to broker version < 0.10 (see api.version.request \
                      configuration) (after 10009ms in state APIVERSION_QUERY)";
        let e = explain_cause(silent);
        assert!(
            e.starts_with(
                "127.0.0.1:9091 accepted the connection but did not answer as a Kafka broker"
            ),
            "{e}"
        );
        assert!(
            e.ends_with("point kafka_bootstrap at the broker's client listener"),
            "{e}"
        );
        assert!(!e.contains("0.10"), "{e}");
        // On a loopback port inside the ephemeral range it may be a self-connect.
        let e = explain_cause_in(silent, Some((9000, 9999)));
        assert!(
            e.contains(
                "; or, the broker being down, this client connected to itself: port 9091 lies \
                 in the ephemeral port range 9000-9999"
            ),
            "{e}"
        );
        assert!(!explain_cause_in(silent, Some((32768, 60999))).contains("itself"));
        assert!(!explain_cause_in(silent, None).contains("itself"));
        let remote = silent.replace("127.0.0.1", "10.1.2.3");
        assert!(!explain_cause_in(&remote, Some((9000, 9999))).contains("itself"));
        // The thread-name prefix of some librdkafka messages is not part of the address.
        let threaded = format!("[thrd:127.0.0.1:9091/bootstrap]: {silent}");
        assert!(
            explain_cause_in(&threaded, None).starts_with("127.0.0.1:9091 accepted"),
            "{}",
            explain_cause_in(&threaded, None)
        );
        let other_timeout = "127.0.0.1:9092/1: Timed out MetadataRequest in flight";
        assert_eq!(explain_cause(other_timeout), other_timeout);
        let plain = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused";
        assert_eq!(explain_cause(plain), plain);
    }

    /// A trial's 15g D7: during a broker outage, a client connected to itself on 39092 and
    /// every service logged librdkafka's "probably due to broker version < 0.10" line as it
    /// was; log lines get the words `/readyz` gives.
    #[test]
    fn a_log_line_with_librdkafkas_old_broker_advice_is_said_plainly() {
        let line = "[thrd:127.0.0.1:39092/bootstrap]: 127.0.0.1:39092/bootstrap: \
                    ApiVersionRequest failed: Local: Timed out: probably due to broker version \
                    < 0.10 (see api.version.request configuration) (after 10003ms in state \
                    APIVERSION_QUERY)";
        let said = log_line_in(line, Some((32768, 60999))).expect("rewritten");
        assert!(
            said.starts_with(
                "127.0.0.1:39092 accepted the connection but did not answer as a Kafka broker"
            ),
            "{said}"
        );
        assert!(said.contains("connected to itself: port 39092"), "{said}");
        assert!(
            !said.contains("0.10") && !said.contains("api.version"),
            "{said}"
        );
        // Another failure of the first request: the cause stays, the advice goes.
        let closed = "127.0.0.1:9092/bootstrap: ApiVersionRequest failed: Local: Broker \
                      transport failure: probably due to broker version < 0.10 (see \
                      api.version.request configuration) (after 3ms in state APIVERSION_QUERY)";
        assert_eq!(
            log_line_in(closed, None).as_deref(),
            Some(
                "127.0.0.1:9092/bootstrap: ApiVersionRequest failed: Local: Broker transport \
                 failure (after 3ms in state APIVERSION_QUERY)"
            )
        );
        let http = "127.0.0.1:8080/bootstrap: Receive failed: Invalid response size 1213486160 \
                    (0..100000000): increase receive.message.max.bytes";
        assert!(log_line_in(http, None).is_some_and(|s| s.contains("not a Kafka broker")));
        // Anything else is logged as librdkafka said it.
        let refused = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection \
                       refused";
        assert_eq!(log_line_in(refused, None), None);
    }

    /// A trial's message began `[thrd:127.0.0.1:39091 accepted the connection ...`: the
    /// cause came from a log line, which librdkafka starts with its thread's tag.
    #[test]
    fn a_log_lines_thread_tag_is_not_taken_for_the_address() {
        let silent = "[thrd:127.0.0.1:39091/bootstrap]: 127.0.0.1:39091/bootstrap: \
                      ApiVersionRequest failed: Local: Timed out: probably due to broker \
                      version < 0.10 (see api.version.request configuration) (after 10009ms \
                      in state APIVERSION_QUERY)";
        let e = explain_cause(silent);
        assert!(
            e.starts_with("127.0.0.1:39091 accepted the connection but did not answer"),
            "{e}"
        );
        let http = "[thrd:127.0.0.1:8080/bootstrap]: 127.0.0.1:8080/bootstrap: Receive failed: \
                    Invalid response size 1213486160 (0..100000000): increase \
                    receive.message.max.bytes";
        let e = explain_cause(http);
        assert!(
            e.starts_with("127.0.0.1:8080 answered, but it is not"),
            "{e}"
        );
        let refused = "[thrd:127.0.0.1:1/bootstrap]: 127.0.0.1:1/bootstrap: Connect to \
                       ipv4#127.0.0.1:1 failed: Connection refused";
        assert!(explain_cause(refused).starts_with("127.0.0.1:1/bootstrap: Connect"));
        // Already explained: unchanged.
        assert_eq!(explain_cause(&e), e);
        // Not a tag: unchanged.
        assert_eq!(explain_cause("[thrd:x"), "[thrd:x");
    }
}
