//! One error type for the runtime, classified so the loop knows what to do with it.

use rdkafka::error::{KafkaError, RDKafkaErrorCode};

/// How the loop reacts to an error.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ErrorClass {
    /// Retry after a backoff (broker unavailable, timeouts, an abortable transaction).
    Transient,
    /// The record can never be processed: dead-letter it and move on.
    Poison,
    /// The process must stop (fenced producer, bad config, lost archive).
    Fatal,
}

impl ErrorClass {
    /// Label value for `wcp_errors_total{error_type}`.
    pub fn label(self) -> &'static str {
        match self {
            ErrorClass::Transient => "transient",
            ErrorClass::Poison => "poison",
            ErrorClass::Fatal => "fatal",
        }
    }
}

/// Errors raised by the runtime and the services built on it.
#[derive(Debug, thiserror::Error)]
pub enum RuntimeError {
    #[error("invalid configuration:\n  {}", .0.join("\n  "))]
    Config(Vec<String>),
    #[error("kafka: {0}")]
    Kafka(#[from] KafkaError),
    /// A transaction failed in a way that needs an abort and a rewind.
    #[error("transaction must be aborted: {0}")]
    Abortable(String),
    /// A record the stage rejects: `code` is a dead-letter reason code (a metric label),
    /// `detail` says why without quoting content.
    #[error("poison record ({code}): {detail}")]
    Poison { code: &'static str, detail: String },
    #[error("fatal: {0}")]
    Fatal(String),
    /// Shutdown was requested before the work named could finish ("shutdown while reading
    /// the cursor"): the process stops, and cleanly (exit 0) — a SIGTERM that happens to
    /// land during a start-up read is not a failure (a deployment test saw exit 1).
    #[error("{0}")]
    Interrupted(String),
    #[error("io: {0}")]
    Io(#[from] std::io::Error),
}

impl RuntimeError {
    /// A poison error from a dead-letter reason.
    pub fn poison(reason: &wcp_model::DeadLetterReason) -> RuntimeError {
        RuntimeError::Poison {
            code: reason.code(),
            detail: reason.to_string(),
        }
    }

    /// Classifies the error (see [`ErrorClass`]).
    pub fn class(&self) -> ErrorClass {
        match self {
            RuntimeError::Config(_) | RuntimeError::Fatal(_) | RuntimeError::Interrupted(_) => {
                ErrorClass::Fatal
            }
            RuntimeError::Poison { .. } => ErrorClass::Poison,
            RuntimeError::Abortable(_) | RuntimeError::Io(_) => ErrorClass::Transient,
            RuntimeError::Kafka(e) => classify_kafka(e),
        }
    }
}

/// Fencing and other fatal librdkafka errors stop the process; everything else is retried.
fn classify_kafka(e: &KafkaError) -> ErrorClass {
    if let KafkaError::Transaction(t) = e {
        if t.is_fatal() {
            return ErrorClass::Fatal;
        }
    }
    match e.rdkafka_error_code() {
        Some(
            RDKafkaErrorCode::Fatal
            | RDKafkaErrorCode::ProducerFenced
            | RDKafkaErrorCode::InvalidProducerEpoch
            | RDKafkaErrorCode::TransactionalIdAuthorizationFailed
            | RDKafkaErrorCode::GroupAuthorizationFailed
            | RDKafkaErrorCode::TopicAuthorizationFailed,
        ) => ErrorClass::Fatal,
        _ => ErrorClass::Transient,
    }
}

/// Runs `f` until it succeeds or fails with a non-transient error, backing off between
/// attempts (200 ms doubling to 5 s, about two minutes in all): a broker that is starting, or
/// a topic whose leader is being elected, is not a reason to exit.
pub fn retry_transient<T>(
    what: &str,
    mut f: impl FnMut() -> Result<T, RuntimeError>,
) -> Result<T, RuntimeError> {
    let mut backoff = std::time::Duration::from_millis(200);
    let mut attempt = 0;
    loop {
        match f() {
            Err(e) if e.class() == ErrorClass::Transient && attempt < 30 => {
                tracing::warn!(error = %e, what, attempt, "transient error; retrying");
                std::thread::sleep(backoff);
                backoff = (backoff * 2).min(std::time::Duration::from_secs(5));
                attempt += 1;
            }
            other => return other,
        }
    }
}

/// What a failed transaction step asks for.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum TxnFailure {
    /// Retry the same call (e.g. a commit that timed out).
    Retry,
    /// Abort the transaction and rewind the consumer.
    Abort,
    /// Stop the process (fenced by a newer instance).
    Fatal,
}

/// Maps a transactional API error to the recovery the loop performs.
pub fn txn_failure(e: &KafkaError) -> TxnFailure {
    match e {
        KafkaError::Transaction(t) if t.is_fatal() => TxnFailure::Fatal,
        KafkaError::Transaction(t) if t.txn_requires_abort() => TxnFailure::Abort,
        KafkaError::Transaction(t) if t.is_retriable() => TxnFailure::Retry,
        _ if classify_kafka(e) == ErrorClass::Fatal => TxnFailure::Fatal,
        _ => TxnFailure::Abort,
    }
}

/// True for the errors a producer gets when another producer with its `transactional.id`
/// bumped the epoch. After a broker restart the same codes can come from the broker's own
/// recovery (a transaction timed out and was aborted), so the loop also looks at recent
/// broker trouble before deciding a rival instance exists.
pub fn is_fencing(e: &KafkaError) -> bool {
    matches!(
        e.rdkafka_error_code(),
        Some(RDKafkaErrorCode::ProducerFenced | RDKafkaErrorCode::InvalidProducerEpoch)
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn retries_transient_only() {
        let mut n = 0;
        let r = retry_transient("t", || {
            n += 1;
            if n < 3 {
                Err(RuntimeError::Abortable("x".into()))
            } else {
                Ok(n)
            }
        });
        assert_eq!(r.unwrap(), 3);
        let mut m = 0;
        let r: Result<(), _> = retry_transient("t", || {
            m += 1;
            Err(RuntimeError::Fatal("x".into()))
        });
        assert!(r.is_err());
        assert_eq!(m, 1);
    }

    #[test]
    fn classes() {
        assert_eq!(RuntimeError::Config(vec![]).class(), ErrorClass::Fatal);
        let p = RuntimeError::Poison {
            code: "invalid_json",
            detail: "x".into(),
        };
        assert_eq!(p.class(), ErrorClass::Poison);
        let fenced_plain = RuntimeError::Kafka(KafkaError::MessageProduction(
            RDKafkaErrorCode::ProducerFenced,
        ));
        assert_eq!(fenced_plain.class(), ErrorClass::Fatal);
        let timeout = RuntimeError::Kafka(KafkaError::MessageProduction(
            RDKafkaErrorCode::MessageTimedOut,
        ));
        assert_eq!(timeout.class(), ErrorClass::Transient);
        let fenced = KafkaError::MessageProduction(RDKafkaErrorCode::ProducerFenced);
        assert_eq!(txn_failure(&fenced), TxnFailure::Fatal);
        assert_eq!(txn_failure(&timeout_err()), TxnFailure::Abort);
        assert!(is_fencing(&fenced));
        assert!(!is_fencing(&timeout_err()));
        let invalid_state =
            KafkaError::MessageProduction(RDKafkaErrorCode::InvalidTransactionalState);
        assert!(!is_fencing(&invalid_state));
    }

    fn timeout_err() -> KafkaError {
        KafkaError::MessageProduction(RDKafkaErrorCode::MessageTimedOut)
    }
}
