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

/// The reverse of [`closed_at_first_request`]: a client speaking TLS (SSL, SASL_SSL) at a
/// listener without TLS (PLAINTEXT, SASL_PLAINTEXT). The listener reads the TLS ClientHello
/// as an absurd request size and closes, so the handshake ends with "SSL connection closed
/// by peer" (librdkafka 2.12 adds "connecting to a PLAINTEXT broker listener?" to the error,
/// not to the log line; both seen against scripts/kafka.sh's PLAINTEXT broker, 8 Dec 2026).
fn tls_at_plain_listener(msg: &str) -> bool {
    msg.contains("connecting to a PLAINTEXT broker listener")
        || (msg.contains("SSL connection closed by peer") && msg.contains("in state SSL_HANDSHAKE"))
}

/// A TLS client without SASL (security.protocol SSL) at a SASL_SSL listener: the handshake
/// succeeds, then the broker closes the connection at the first request that is not SASL's,
/// within milliseconds of it coming up ("SSL connection closed by peer (after 3ms in state
/// UP)"). A connection dropped later in state UP (idle, a broker stopping) is not this.
fn tls_without_sasl(msg: &str) -> bool {
    if !msg.contains("SSL connection closed by peer") {
        return false;
    }
    let Some((_, after)) = msg.split_once("(after ") else {
        return false;
    };
    let Some((ms, state)) = after.split_once("ms in state ") else {
        return false;
    };
    state.starts_with("UP") && ms.trim().parse::<u64>().is_ok_and(|ms| ms < 1_000)
}

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

/// Whether librdkafka's `reason` says the broker's TLS certificate could not be verified:
/// signed by a CA this client does not trust (ssl.ca.location), or not issued for the
/// address. Retrying never fixes it, so a service stops (trial 17a D14). Pure.
pub fn untrusted_certificate(reason: &str) -> bool {
    reason.contains("certificate verify failed")
}

/// What to say when the broker's certificate is not trusted: the broker, the CA file the
/// client trusts (`ca`: ssl.ca.location, `None` for the system's store) and the fix. Pure.
pub fn untrusted_explain(addr: &str, ca: Option<&str>, why: &str) -> String {
    let trusted = match ca {
        Some(f) => format!("the CA in {f} (ssl.ca.location, WCP_KAFKA__SSL_CA_LOCATION)"),
        None => "the system's CA store (ssl.ca.location is not set)".to_string(),
    };
    format!(
        "Kafka at {addr} presented a TLS certificate this client does not trust: it is not          signed by {trusted}, or not issued for {addr} ({why}). Set          WCP_KAFKA__SSL_CA_LOCATION to the file of the CA that signed the broker's          certificate (scripts/kafka.sh secure: <dir>/tls/ca.pem), and check kafka_bootstrap          names the broker as its certificate does"
    )
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
    if tls_at_plain_listener(reason) {
        return Some(format!(
            "{who} closed the connection during the TLS handshake, as a listener without TLS \
             (PLAINTEXT or SASL_PLAINTEXT) does to a client speaking TLS: this client's \
             security.protocol (SSL or SASL_SSL) does not match the listener. Set \
             WCP_KAFKA__SECURITY_PROTOCOL=PLAINTEXT (or SASL_PLAINTEXT when the listener \
             takes SASL without TLS), or point kafka_bootstrap at the TLS listener"
        ));
    }
    if tls_without_sasl(reason) {
        return Some(format!(
            "{who} closed the TLS connection at the first request, as a SASL_SSL listener \
             does to a client that does not sign in: this client's security.protocol is \
             probably SSL. Set WCP_KAFKA__SECURITY_PROTOCOL=SASL_SSL with \
             WCP_KAFKA__SASL_MECHANISM, WCP_KAFKA__SASL_USERNAME and \
             WCP_KAFKA__SASL_PASSWORD, or point kafka_bootstrap at a TLS listener without SASL"
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

    /// The lines librdkafka 2.12 gave against scripts/kafka.sh's brokers (8 Dec 2026): a TLS
    /// client at the PLAINTEXT listener (the CLI's error, then a service's log line), an SSL
    /// client at the SASL_SSL listener, a SASL_PLAINTEXT client at the SASL_SSL listener.
    const TLS_AT_PLAIN: &str = "sasl_ssl://127.0.0.1:29392/bootstrap: SSL handshake failed: \
        Disconnected: SSL connection closed by peer: connecting to a PLAINTEXT broker listener? \
        (after 2ms in state SSL_HANDSHAKE)";
    const TLS_AT_PLAIN_LOG: &str = "[thrd:sasl_ssl://127.0.0.1:29392/bootstrap]: \
        sasl_ssl://127.0.0.1:29392/bootstrap: Disconnected: SSL connection closed by peer \
        (after 1ms in state SSL_HANDSHAKE)";
    const SSL_AT_SASL_SSL: &str = "ssl://127.0.0.1:29394/bootstrap: Disconnected: SSL \
        connection closed by peer (after 3ms in state UP)";
    const SASL_PLAIN_AT_TLS: &str = "sasl_plaintext://127.0.0.1:29394/bootstrap: \
        Disconnected (after 0ms in state APIVERSION_QUERY)";

    #[test]
    fn a_tls_client_at_a_listener_without_tls_or_sasl_is_told_the_protocol() {
        for line in [TLS_AT_PLAIN, TLS_AT_PLAIN_LOG] {
            let e = crate::brokers::explain_cause(line);
            assert!(
                e.starts_with("127.0.0.1:29392 closed the connection during the TLS handshake"),
                "{e}"
            );
            assert!(e.contains("WCP_KAFKA__SECURITY_PROTOCOL=PLAINTEXT"), "{e}");
        }
        let e = crate::brokers::explain_cause(SSL_AT_SASL_SSL);
        assert!(
            e.starts_with("127.0.0.1:29394 closed the TLS connection"),
            "{e}"
        );
        assert!(e.contains("SECURITY_PROTOCOL=SASL_SSL"), "{e}");
        // The same words after a long connection in state UP: not a mismatch.
        let later = "ssl://127.0.0.1:29394/1: Disconnected: SSL connection closed by peer \
                     (after 600000ms in state UP)";
        assert_eq!(explain(later, "x"), None);
        // The address, not the protocol in front of it.
        let e = crate::brokers::explain_cause(SASL_PLAIN_AT_TLS);
        assert!(
            e.starts_with("127.0.0.1:29394 closed the connection"),
            "{e}"
        );
    }

    #[test]
    fn an_untrusted_certificate_names_the_ca_file_and_the_broker() {
        let line = "sasl_ssl://127.0.0.1:29394/bootstrap: SSL handshake failed: \
            error:0A000086:SSL routines::certificate verify failed: broker certificate could \
            not be verified, verify that ssl.ca.location is correctly configured or root CA \
            certificates are installed (install ca-certificates package) (after 6ms in state \
            SSL_HANDSHAKE)";
        assert!(untrusted_certificate(line));
        assert!(!untrusted_certificate(TLS_AT_PLAIN));
        let e = untrusted_explain("127.0.0.1:29394", Some("/etc/other.pem"), line);
        assert!(
            e.starts_with("Kafka at 127.0.0.1:29394 presented a TLS certificate"),
            "{e}"
        );
        assert!(e.contains("/etc/other.pem") && e.contains("WCP_KAFKA__SSL_CA_LOCATION"));
        let e = untrusted_explain("b:9093", None, line);
        assert!(e.contains("system's CA store"), "{e}");
    }
}
