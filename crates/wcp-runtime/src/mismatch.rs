//! A client whose `security.protocol` does not match the listener. A TLS listener answers a
//! client speaking PLAINTEXT with a 7-byte TLS alert and closes: librdkafka logs only an INFO
//! line, `Disconnected (after 1ms in state APIVERSION_QUERY)` (its hint "might be caused by
//! incorrect security.protocol configuration" is never added in 2.12: it tests the format
//! string "%s" for "Disconnected", not the message), never an error. So a PLAINTEXT client at
//! a SASL_SSL listener saw nothing but "0/1 brokers are down" and "check that the broker is
//! up" (trial 17a D5) while the broker was up. The mirror of a SASL client at a PLAINTEXT
//! listener, which `brokers::credentials_refused` names (trial 15i D2).
//!
//! The clients that keep librdkafka's cause log at INFO ([`CAUSE_LOG_LEVEL`]) and keep the
//! lines [`worth_keeping`] says; `brokers::explain_cause` turns them into [`explain`]'s words.

use rdkafka::config::RDKafkaLogLevel;

/// The log level of a client that keeps librdkafka's cause: INFO, because the
/// security.protocol hint is an INFO line (a connection closed with one request in flight).
pub const CAUSE_LOG_LEVEL: RDKafkaLogLevel = RDKafkaLogLevel::Info;

/// librdkafka's words when a TLS listener drops a client's first request sent in clear
/// (rdkafka_broker.c, rd_kafka_broker_set_error: a disconnect in state APIVERSION_QUERY), in
/// a version that adds them.
const TLS_LISTENER: &str = "incorrect security.protocol configuration";

/// The connection closed while Kafka's first request (ApiVersion) waited for its answer: what
/// librdkafka 2.12 logs for a TLS listener that a client spoke PLAINTEXT to. (A TLS client at
/// a PLAINTEXT listener fails earlier, in its handshake, with "SSL handshake failed".)
fn closed_at_first_request(msg: &str) -> bool {
    msg.contains(TLS_LISTENER)
        || (msg.contains("Disconnected") && msg.contains("in state APIVERSION_QUERY"))
}

/// ... and when a listener closes the connection right after it came up, for a client
/// without SASL.
const SASL_LISTENER: &str = "broker might require SASL authentication";

/// Whether a librdkafka log line at `level` is worth keeping as a cause: warnings and worse,
/// and the INFO lines that name a security.protocol mismatch. Pure.
pub fn worth_keeping(level: RDKafkaLogLevel, msg: &str) -> bool {
    use RDKafkaLogLevel as L;
    matches!(
        level,
        L::Emerg | L::Alert | L::Critical | L::Error | L::Warning
    ) || closed_at_first_request(msg)
        || msg.contains(SASL_LISTENER)
}

/// The cause and the fix when `reason` is librdkafka's security.protocol hint; `who` is the
/// broker's address as the message names it. Pure.
pub fn explain(reason: &str, who: &str) -> Option<String> {
    if closed_at_first_request(reason) {
        return Some(format!(
            "{who} closed the connection at Kafka's first request, as a TLS listener does \
             to a client speaking PLAINTEXT: the listener is probably SASL_SSL or SSL and \
             this client's security.protocol does not match it. Set \
             WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL (with WCP_KAFKA__SASL_MECHANISM, \
             WCP_KAFKA__SASL_USERNAME, WCP_KAFKA__SASL_PASSWORD and \
             WCP_KAFKA__SSL_CA_LOCATION; or SSL for a TLS listener without SASL), or point \
             kafka_bootstrap at a PLAINTEXT listener"
        ));
    }
    if reason.contains(SASL_LISTENER) {
        return Some(format!(
            "{who} closed the connection right after it was made: the listener probably \
             requires SASL (SASL_SSL or SASL_PLAINTEXT) and this client does not sign in. Set \
             WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL (or SASL_PLAINTEXT) with \
             WCP_KAFKA__SASL_MECHANISM, WCP_KAFKA__SASL_USERNAME and \
             WCP_KAFKA__SASL_PASSWORD, or point kafka_bootstrap at a listener without SASL"
        ));
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    /// librdkafka 2.12's line for a PLAINTEXT client at the SASL_SSL test broker (the INFO
    /// line `wcp topics create` got from scripts/kafka.sh secure, 7 Dec 2026) ...
    const PLAIN_AT_TLS: &str =
        "[thrd:127.0.0.1:29692/bootstrap]: 127.0.0.1:29692/bootstrap: Disconnected (after 0ms \
         in state APIVERSION_QUERY)";
    /// ... and with the hint a librdkafka that adds it gives.
    const PLAIN_AT_TLS_HINT: &str = "127.0.0.1:29692/bootstrap: Disconnected: requesting \
        ApiVersion: might be caused by incorrect security.protocol configuration (connecting \
        to a SSL listener?) or broker version is < 0.10 (see api.version.request) (after 2ms \
        in state APIVERSION_QUERY)";

    #[test]
    fn a_plaintext_client_at_a_tls_listener_is_told_the_protocol_not_the_broker() {
        for line in [PLAIN_AT_TLS, PLAIN_AT_TLS_HINT] {
            assert!(worth_keeping(RDKafkaLogLevel::Info, line));
            let e = crate::brokers::explain_cause(line);
            assert!(
                e.starts_with("127.0.0.1:29692 closed the connection"),
                "{e}"
            );
            assert!(e.contains("WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL"), "{e}");
            assert!(!e.contains("0.10"), "{e}");
        }
        // Closed later, in state UP: not this.
        let up = "127.0.0.1:9092/1: Disconnected (after 5000ms in state UP)";
        assert!(!worth_keeping(RDKafkaLogLevel::Info, up));
        let sasl = "127.0.0.1:9093/1: Disconnected: verify that security.protocol is \
                    correctly configured, broker might require SASL authentication (after \
                    5ms in state UP)";
        assert!(worth_keeping(RDKafkaLogLevel::Info, sasl));
        let e = crate::brokers::explain_cause(sasl);
        assert!(e.contains("requires SASL"), "{e}");
        // Other INFO lines (an idle connection closed) are not causes.
        let idle = "127.0.0.1:9092/1: Disconnected (after 600000ms in state UP)";
        assert!(!worth_keeping(RDKafkaLogLevel::Info, idle));
        assert!(worth_keeping(RDKafkaLogLevel::Warning, idle));
        assert_eq!(explain(idle, "x"), None);
    }
}
