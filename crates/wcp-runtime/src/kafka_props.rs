//! librdkafka properties given through `WCP_KAFKA__<PROP>` or `[kafka]`: checked at start-up,
//! so a misspelt name (`WCP_KAFKA__SECURTY_PROTOCOL`) is a configuration error with a
//! did-you-mean (exit 2), not a "transient" failure when the first client is created.
//!
//! librdkafka itself decides whether it knows a property and accepts its value: it is the
//! authority for the version linked, aliases and build features (no SSL, no SASL) included.
//! The names suggested come from a list kept in the repository (`kafka_props.txt`, from
//! librdkafka's CONFIGURATION.md), because the one way to enumerate librdkafka's names,
//! `rd_kafka_conf_dump`, is reachable only through FFI and the workspace forbids unsafe
//! code; a test checks that librdkafka knows every listed name.

use rdkafka::error::KafkaError;
use rdkafka::types::RDKafkaConfRes;
use rdkafka::ClientConfig;

/// Every librdkafka property name of the list (comments and blank lines left out).
pub fn names() -> impl Iterator<Item = &'static str> {
    include_str!("kafka_props.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
}

/// What is wrong with `prop = value` for librdkafka, if anything: an unknown name (with the
/// closest known name, see [`suggestion`]) or a value it refuses. `secret`: the value is not
/// repeated (librdkafka's message quotes it).
pub fn problem(prop: &str, value: &str, secret: bool) -> Option<Problem> {
    let mut c = ClientConfig::new();
    c.set(prop, value);
    match c.create_native_config() {
        Ok(_) => crate::kafka_values::sasl_problem(prop, value)
            .or_else(|| missing_file(prop, value))
            .map(Problem::Invalid),
        Err(KafkaError::ClientConfig(RDKafkaConfRes::RD_KAFKA_CONF_UNKNOWN, ..)) => {
            Some(Problem::Unknown(suggestion(prop).map(str::to_string)))
        }
        Err(KafkaError::ClientConfig(_, _, _, _)) if secret => {
            Some(Problem::Invalid("librdkafka refused the value".into()))
        }
        // With what the property accepts (trial 15i D7): the values, the range.
        Err(KafkaError::ClientConfig(_, desc, _, _)) => Some(Problem::Invalid(
            crate::kafka_values::explain(prop, value, &desc, || range(prop)),
        )),
        Err(e) => Some(Problem::Invalid(e.to_string())),
    }
}

/// The properties naming a file librdkafka reads when a client is created: a missing one
/// failed there as "ssl.ca.location failed: error:05880002:x509 certificate
/// routines::system lib", naming neither the path nor that it is missing, classed transient
/// (exit 1; trial 17a D14). Checked with the configuration instead (exit 2).
const FILE_PROPS: &[&str] = &[
    "ssl.ca.location",
    "ssl.certificate.location",
    "ssl.key.location",
    "ssl.keystore.location",
    "ssl.crl.location",
    "sasl.kerberos.keytab",
];

/// Why `value` of a file property cannot be used: missing, or not readable. `probe` is
/// librdkafka's "the system's CA store", not a path.
fn missing_file(prop: &str, value: &str) -> Option<String> {
    if !FILE_PROPS.contains(&prop) || (prop == "ssl.ca.location" && value == "probe") {
        return None;
    }
    let why = match std::fs::metadata(value) {
        Err(e) if e.kind() == std::io::ErrorKind::NotFound => "does not exist".to_string(),
        Err(e) => format!("cannot be read: {e}"),
        // A CA location may be a folder of certificates; the others are files.
        Ok(m) if m.is_dir() && prop != "ssl.ca.location" => "is a folder, not a file".into(),
        Ok(_) => match std::fs::File::open(value) {
            Ok(_) => return None,
            Err(e) => format!("cannot be read: {e}"),
        },
    };
    Some(format!(
        "{prop} names the file {value}, which {why} (give the path of the PEM file the \
         client needs, readable by this process)"
    ))
}

/// librdkafka's answer to a value below any minimum of a numeric property ("… is outside
/// allowed range MIN..MAX"), so the range named is the linked version's.
fn range(prop: &str) -> Option<String> {
    let mut c = ClientConfig::new();
    c.set(prop, i32::MIN.to_string());
    match c.create_native_config() {
        Err(KafkaError::ClientConfig(_, desc, _, _)) => Some(desc),
        _ => None,
    }
}

/// Why librdkafka refused a property.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Problem {
    /// No such property; the closest known name when close enough to be a typo.
    Unknown(Option<String>),
    /// librdkafka's reason (the value is out of range or not one of its choices).
    Invalid(String),
}

/// The known property closest to `prop` when it is close enough to be a typo.
pub fn suggestion(prop: &str) -> Option<&'static str> {
    crate::config_source::closest(prop, names())
}

/// The `WCP_KAFKA__<PROP>` variable that sets `prop` (`security.protocol` →
/// `WCP_KAFKA__SECURITY_PROTOCOL`).
pub fn env_name(prop: &str) -> String {
    format!("WCP_KAFKA__{}", prop.to_ascii_uppercase().replace('.', "_"))
}

/// The error line for `prop` given as `origin` (a variable, `file: kafka.<prop>`). For a
/// variable the suggestion names the variable to set, as for other `WCP_*` names.
pub fn describe(origin: &str, prop: &str, problem: &Problem, is_env: bool) -> String {
    match problem {
        Problem::Unknown(Some(s)) if is_env => format!(
            "{origin}: {prop} is not a librdkafka property (did you mean {s}? set {})",
            env_name(s)
        ),
        Problem::Unknown(Some(s)) => {
            format!("{origin}: {prop} is not a librdkafka property (did you mean {s}?)")
        }
        Problem::Unknown(None) => format!(
            "{origin}: {prop} is not a librdkafka property (see librdkafka's CONFIGURATION.md)"
        ),
        Problem::Invalid(why) => format!("{origin}: {why}"),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_misspelt_name_gets_the_closest_property() {
        assert_eq!(suggestion("securty.protocol"), Some("security.protocol"));
        assert_eq!(suggestion("sasl.mechanism"), Some("sasl.mechanism"));
        assert_eq!(suggestion("ssl.ca.locaton"), Some("ssl.ca.location"));
        assert_eq!(suggestion("message.timout.ms"), Some("message.timeout.ms"));
        // Nothing near: no suggestion rather than a wrong one.
        assert_eq!(suggestion("colour"), None);
        assert_eq!(
            env_name("security.protocol"),
            "WCP_KAFKA__SECURITY_PROTOCOL"
        );
    }

    #[test]
    fn the_message_names_the_variable_and_the_property_meant() {
        let p = Problem::Unknown(Some("security.protocol".into()));
        assert_eq!(
            describe("WCP_KAFKA__SECURTY_PROTOCOL", "securty.protocol", &p, true),
            "WCP_KAFKA__SECURTY_PROTOCOL: securty.protocol is not a librdkafka property (did \
             you mean security.protocol? set WCP_KAFKA__SECURITY_PROTOCOL)"
        );
    }

    /// Trial 17a D14: a missing CA file is a configuration error naming the setting and the
    /// path, not librdkafka's "x509 ... system lib" when the first client is created.
    #[test]
    fn a_missing_certificate_file_is_named_with_its_setting() {
        let missing = "/nonexistent/wcp-test/ca.pem";
        let Some(Problem::Invalid(why)) = problem("ssl.ca.location", missing, false) else {
            panic!("a missing CA file is accepted");
        };
        assert!(
            why.contains("ssl.ca.location") && why.contains(missing),
            "{why}"
        );
        assert!(why.contains("does not exist"), "{why}");
        let line = describe(
            "WCP_KAFKA__SSL_CA_LOCATION",
            "ssl.ca.location",
            &Problem::Invalid(why),
            true,
        );
        assert!(line.starts_with("WCP_KAFKA__SSL_CA_LOCATION: "), "{line}");
        assert!(problem("ssl.key.location", missing, false).is_some());
        // An existing file, a folder of CAs and the system store are fine.
        let dir = std::env::temp_dir();
        assert_eq!(
            problem("ssl.ca.location", &dir.display().to_string(), false),
            None
        );
        assert_eq!(problem("ssl.ca.location", "probe", false), None);
        let f = dir.join(format!("wcp-kafka-props-{}.pem", std::process::id()));
        std::fs::write(&f, "x").expect("write");
        assert_eq!(
            problem("ssl.certificate.location", &f.display().to_string(), false),
            None
        );
        let _ = std::fs::remove_file(&f);
    }

    #[test]
    fn librdkafka_decides_what_is_known_and_valid() {
        assert_eq!(
            problem("securty.protocol", "plaintext", false),
            Some(Problem::Unknown(Some("security.protocol".into())))
        );
        assert_eq!(problem("security.protocol", "plaintext", false), None);
        // Topic properties are accepted on the client's configuration too.
        assert_eq!(problem("acks", "all", false), None);
        let Some(Problem::Invalid(why)) = problem("security.protocol", "plaintxt", false) else {
            panic!("an invalid value is a problem");
        };
        assert!(why.contains("plaintxt"), "{why}");
        // What it accepts, from librdkafka itself for a number (trial 15i D7).
        assert!(why.ends_with("(did you mean plaintext?)"), "{why}");
        let Some(Problem::Invalid(why)) = problem("message.timeout.ms", "abc", false) else {
            panic!("an invalid value is a problem");
        };
        assert!(
            why.ends_with("expected an integer (milliseconds) from 0 to 2147483647"),
            "{why}"
        );
        let Some(Problem::Invalid(why)) = problem("socket.timeout.ms", "abc", false) else {
            panic!("an invalid value is a problem");
        };
        assert!(why.ends_with("from 10 to 300000"), "{why}");
        assert!(problem("sasl.mechanism", "SCRAM-SHA-513", false).is_some());
        let Some(Problem::Invalid(why)) = problem("message.timeout.ms", "soon", true) else {
            panic!("an invalid value is a problem");
        };
        assert!(
            !why.contains("soon"),
            "a secret's value is not repeated: {why}"
        );
    }

    /// The suggestions are names librdkafka knows (an upgrade that drops one fails here):
    /// any value it is given, librdkafka's answer is not "no such property".
    #[test]
    fn librdkafka_knows_every_listed_name() {
        let unknown: Vec<&str> = names()
            .filter(|n| matches!(problem(n, "x", true), Some(Problem::Unknown(_))))
            .collect();
        assert!(names().count() > 150);
        assert!(unknown.is_empty(), "{unknown:?}");
    }
}
