//! An authorization failure from the broker, said so an operator can fix it: which principal
//! was denied what, and where the grants come from (ops/kafka/acls.txt, the KafkaUser in
//! k8s/). librdkafka reports it as "Broker: Topic authorization failed" and the like, at
//! whichever call first touched the resource; this turns any of them into one fatal error.

use rdkafka::error::RDKafkaErrorCode;

use crate::config::Config;
use crate::error::RuntimeError;

/// The resource kinds the broker can deny, as they appear in librdkafka's error text.
const DENIALS: &[(&str, &str)] = &[
    ("topic authorization failed", "a topic it reads or writes"),
    ("group authorization failed", "its consumer group"),
    (
        "transactional id authorization failed",
        "its transactional id",
    ),
    (
        "cluster authorization failed",
        "the cluster (IdempotentWrite)",
    ),
];

/// `e` unchanged unless it is an authorization failure; then a fatal error naming the
/// principal, the kind of resource denied (with this service's group or transactional id)
/// and the fix.
pub fn explain(e: RuntimeError, cfg: &Config) -> RuntimeError {
    let text = e.to_string();
    let lower = text.to_ascii_lowercase();
    let by_code = match &e {
        RuntimeError::Kafka(k) => match k.rdkafka_error_code() {
            Some(RDKafkaErrorCode::TopicAuthorizationFailed) => Some(0),
            Some(RDKafkaErrorCode::GroupAuthorizationFailed) => Some(1),
            Some(RDKafkaErrorCode::TransactionalIdAuthorizationFailed) => Some(2),
            Some(RDKafkaErrorCode::ClusterAuthorizationFailed) => Some(3),
            _ => None,
        },
        _ => None,
    };
    let Some(i) = by_code.or_else(|| DENIALS.iter().position(|(t, _)| lower.contains(t))) else {
        return e;
    };
    let what = match i {
        1 => format!("{} {} (Read)", DENIALS[i].1, cfg.group()),
        2 => format!("{} {} (Write)", DENIALS[i].1, cfg.transactional_id()),
        0 => format!(
            "{} (Read/Write/Describe on a {}* topic)",
            DENIALS[i].1, cfg.topic_prefix
        ),
        _ => DENIALS[i].1.to_string(),
    };
    let who = cfg
        .kafka
        .get("sasl.username")
        .map_or("ANONYMOUS (no sasl.username)", String::as_str);
    RuntimeError::Fatal(format!(
        "Kafka at {} is not authorized for User:{who}: denied access to {what} ({text}). \
         Grant wcp-{}'s ACLs to this principal: the table ops/kafka/acls.txt lists them (on \
         Kubernetes: the KafkaUser wcp-{} in k8s/), or set WCP_KAFKA__SASL_USERNAME to the \
         service's own user",
        cfg.kafka_bootstrap, cfg.service, cfg.service
    ))
}

#[cfg(test)]
mod tests {
    use super::*;
    use rdkafka::error::KafkaError;

    fn cfg() -> Config {
        let env = [("WCP_KAFKA__SASL_USERNAME".to_string(), "u1".to_string())];
        let (c, _) = Config::from_sources::<crate::config::NoSettings>("classifier", &[], &env)
            .expect("config");
        c
    }

    #[test]
    fn authorization_failures_name_principal_resource_and_fix() {
        let e = RuntimeError::Kafka(KafkaError::GroupListFetch(
            RDKafkaErrorCode::GroupAuthorizationFailed,
        ));
        let msg = explain(e, &cfg()).to_string();
        assert!(msg.contains("User:u1"), "{msg}");
        assert!(msg.contains("consumer group wcp-classifier"), "{msg}");
        assert!(msg.contains("ops/kafka/acls.txt"), "{msg}");
        // Seen only as text (wrapped by a caller).
        let e = RuntimeError::Fatal("init: Broker: Transactional Id authorization failed".into());
        let msg = explain(e, &cfg()).to_string();
        assert!(msg.contains("transactional id wcp-classifier-0"), "{msg}");
    }

    #[test]
    fn other_errors_pass_unchanged() {
        let e = RuntimeError::Fatal("fenced".into());
        assert_eq!(explain(e, &cfg()).to_string(), "fatal: fenced");
    }
}
