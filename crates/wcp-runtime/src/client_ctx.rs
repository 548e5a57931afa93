//! The context of every librdkafka client a service makes besides its loop's consumer and
//! transactional producer (`kafka::CtxHandle`, `kafka::ProducerCtx`): whole-topic readers,
//! the lag exporter's admin reads, plain producers (dead letters, anchors), the capture's
//! group membership. Without it librdkafka's default context logs every "all brokers down"
//! and every failed reconnection unlimited (`rdkafka::client` / `librdkafka` targets: a trial
//! counted ~300 lines a minute from the capture and the lag exporter during an outage);
//! here they go through the same rate limit as the loop's (`lograte`), feed the service's
//! broker health (`brokers`: the cause `/readyz` shows) and, when the client sends
//! statistics, its readiness.

use std::sync::{Arc, Mutex};

use rdkafka::consumer::ConsumerContext;
use rdkafka::error::KafkaError;
use rdkafka::producer::{DeliveryResult, ProducerContext};
use rdkafka::ClientContext;

use crate::brokers::{BrokerHealth, Client};

/// See the module doc. Cheap to clone: clones share the broker health and the last error.
#[derive(Clone, Default)]
pub struct PlainCtx {
    brokers: BrokerHealth,
    /// Statistics from this client count for readiness as this kind of client (`None`:
    /// statistics, if any, are ignored).
    stats: Option<Client>,
    /// librdkafka's last error, explained (`brokers::explain_cause`), until taken.
    last: Arc<Mutex<Option<String>>>,
}

impl PlainCtx {
    /// Errors noted in `brokers` (the service's: `RunCtx::metrics.brokers`); statistics
    /// ignored.
    pub fn new(brokers: &BrokerHealth) -> PlainCtx {
        PlainCtx {
            brokers: brokers.clone(),
            ..PlainCtx::default()
        }
    }

    /// Like [`PlainCtx::new`], and this client's statistics (`statistics.interval.ms`) count
    /// for readiness as `client`: for a client that lives as long as the service and is
    /// polled (the capture's membership, polled whether it captures or stands by).
    pub fn with_stats(brokers: &BrokerHealth, client: Client) -> PlainCtx {
        PlainCtx {
            stats: Some(client),
            ..PlainCtx::new(brokers)
        }
    }

    /// librdkafka's last error since the last call, in plain words (for an error message
    /// whose call reports only "OperationTimedOut").
    pub fn take_error(&self) -> Option<String> {
        self.last.lock().unwrap_or_else(|p| p.into_inner()).take()
    }

    fn note(&self, reason: &str) {
        let mut last = self.last.lock().unwrap_or_else(|p| p.into_inner());
        let plain = crate::brokers::explain_cause(reason);
        // A named cause (not a Kafka broker) is kept over librdkafka's later, vaguer lines
        // about the same failure; "1/1 brokers are down" says less than the connection
        // failure before it.
        let named = |m: &str| m.contains("point kafka_bootstrap");
        let keep = last.as_deref().is_some_and(named) && !named(&plain);
        if !keep && (last.is_none() || !reason.contains("brokers are down")) {
            *last = Some(plain);
        }
    }
}

impl ClientContext for PlainCtx {
    fn log(&self, level: rdkafka::config::RDKafkaLogLevel, fac: &str, msg: &str) {
        // Warnings, and the INFO line naming a security.protocol mismatch (`mismatch`).
        if crate::mismatch::worth_keeping(level, msg) {
            self.note(msg);
        }
        crate::kafka::forward_log(level, fac, msg);
    }

    fn error(&self, error: KafkaError, reason: &str) {
        self.note(reason);
        self.brokers.note_error(reason);
        crate::lograte::client_error(&self.brokers, "", &error, reason);
    }

    fn stats_raw(&self, raw: &[u8]) {
        let Some(client) = self.stats else {
            return;
        };
        if let Ok(v) = serde_json::from_slice::<serde_json::Value>(raw) {
            if let Some(view) = crate::brokers::view_from_stats(&v) {
                self.brokers
                    .observe(client, &view, std::time::Instant::now());
            }
        }
    }
}

impl ConsumerContext for PlainCtx {}

impl ProducerContext for PlainCtx {
    type DeliveryOpaque = ();
    /// Delivery failures surface where the producer is flushed (dead letters) or are
    /// retried by design (anchors).
    fn delivery(&self, _: &DeliveryResult<'_>, _: ()) {}
}
