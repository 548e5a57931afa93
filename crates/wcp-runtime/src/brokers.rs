//! Is the service still connected to Kafka? librdkafka retries a lost broker for ever and the
//! loop keeps polling, so without this a stage stayed ready while its broker was down (a
//! trial). The consumer's statistics (every 2 s) list each broker connection with its state:
//! when none is `UP`, `/readyz` answers 503 naming the brokers, how long, and librdkafka's
//! last error; the next statistics with one `UP` make it ready again.
//!
//! Also [`explain_cause`]: librdkafka's words for "that address is not a Kafka broker".

use std::sync::{Arc, Mutex};
use std::time::Instant;

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
pub fn explain_cause(reason: &str) -> String {
    if reason.contains("Invalid response size") || reason.contains("receive.message.max.bytes") {
        // librdkafka prefixes the broker: "127.0.0.1:8080/bootstrap: Receive failed: ...".
        let addr = reason
            .split_once('/')
            .map(|(a, _)| a)
            .filter(|a| a.contains(':') && !a.contains(' '));
        let who = addr.map_or("the address".to_string(), |a| a.to_string());
        return format!(
            "{who} answered, but it is not a Kafka broker (its reply is not Kafka's protocol: \
             an HTTP or other server on that port?); point kafka_bootstrap at the broker's \
             client listener"
        );
    }
    reason.to_string()
}

#[derive(Debug, Default)]
struct State {
    /// Since when no broker has been up, and which ones.
    down: Option<(Instant, Vec<String>)>,
    last_error: Option<String>,
}

/// Shared between the consumer's callbacks (librdkafka's thread) and `/readyz`.
#[derive(Debug, Clone, Default)]
pub struct BrokerHealth(Arc<Mutex<State>>);

impl BrokerHealth {
    fn state(&self) -> std::sync::MutexGuard<'_, State> {
        self.0.lock().unwrap_or_else(|p| p.into_inner())
    }

    /// A statistics document's view at `now`.
    pub fn observe(&self, view: &BrokerView, now: Instant) {
        let mut s = self.state();
        if view.up > 0 {
            if s.down.take().is_some() {
                tracing::info!("Kafka reachable again");
            }
            s.last_error = None;
        } else if s.down.is_none() {
            tracing::warn!(brokers = %view.addrs.join(","), "no Kafka broker reachable");
            s.down = Some((now, view.addrs.clone()));
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
        let (since, addrs) = s.down.as_ref()?;
        let secs = now.saturating_duration_since(*since).as_secs();
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

    /// True while no broker is up.
    pub fn is_down(&self) -> bool {
        self.state().down.is_some()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;
    use std::time::Duration;

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

    #[test]
    fn down_names_brokers_duration_and_cause_then_recovers() {
        let h = BrokerHealth::default();
        let t = Instant::now();
        let up = BrokerView {
            up: 1,
            addrs: vec!["10.0.0.1:9092".into()],
        };
        let down = BrokerView {
            up: 0,
            addrs: vec!["10.0.0.1:9092".into()],
        };
        h.observe(&up, t);
        assert_eq!(h.down_reason(t), None);
        h.note_error("10.0.0.1:9092/1: Connect to ipv4#10.0.0.1:9092 failed: Connection refused");
        h.note_error("1/1 brokers are down");
        h.observe(&down, t);
        // A later document while still down keeps the first moment.
        h.observe(&down, t + Duration::from_secs(10));
        let why = h.down_reason(t + Duration::from_secs(30)).unwrap();
        assert_eq!(
            why,
            "Kafka broker 10.0.0.1:9092 unreachable for 30s (10.0.0.1:9092/1: Connect to \
             ipv4#10.0.0.1:9092 failed: Connection refused)"
        );
        assert!(h.is_down());
        h.observe(&up, t + Duration::from_secs(31));
        assert_eq!(h.down_reason(t + Duration::from_secs(32)), None);
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
        let plain = "127.0.0.1:1/bootstrap: Connect to ipv4#127.0.0.1:1 failed: Connection refused";
        assert_eq!(explain_cause(plain), plain);
    }
}
