//! What a librdkafka property accepts, added to librdkafka's bare refusal (`Invalid value
//! "plaintxt" for configuration property "security.protocol"`, `Invalid value for
//! configuration property "message.timeout.ms"`: trial 15i D7): the values of the enumerated
//! properties an operator sets, with a did-you-mean, and an integer's unit and range.
//!
//! The ranges come from librdkafka itself ([`crate::kafka_props`] asks it with a value below
//! any minimum), so they are those of the version linked; the enumerations are librdkafka's
//! CONFIGURATION.md, for the properties an operator sets (TLS, SASL, offsets, compression).

use crate::config_source::closest;

/// librdkafka's accepted values of the enumerated properties (its CONFIGURATION.md; it
/// matches them in any case, except the SASL mechanisms: [`SASL_MECHANISMS`]).
const ENUMS: &[(&str, &[&str])] = &[
    (
        "security.protocol",
        &["plaintext", "ssl", "sasl_plaintext", "sasl_ssl"],
    ),
    ("ssl.endpoint.identification.algorithm", &["none", "https"]),
    (
        "auto.offset.reset",
        &[
            "smallest",
            "earliest",
            "beginning",
            "largest",
            "latest",
            "end",
            "error",
        ],
    ),
    (
        "compression.codec",
        &["none", "gzip", "snappy", "lz4", "zstd"],
    ),
    (
        "compression.type",
        &["none", "gzip", "snappy", "lz4", "zstd"],
    ),
    ("broker.address.family", &["any", "v4", "v6"]),
    (
        "client.dns.lookup",
        &[
            "use_all_dns_ips",
            "resolve_canonical_bootstrap_servers_only",
        ],
    ),
];

/// The SASL mechanisms librdkafka implements. `sasl.mechanism(s)` is a plain string to its
/// configuration, compared exactly (upper case) only when a client starts, so wcp checks it
/// at start-up itself ([`sasl_problem`]).
pub const SASL_MECHANISMS: &[&str] = &[
    "GSSAPI",
    "PLAIN",
    "SCRAM-SHA-256",
    "SCRAM-SHA-512",
    "OAUTHBEARER",
];

/// librdkafka's refusal `why` of `prop = value`, with what the property accepts when wcp
/// knows it. `range`: librdkafka's answer to a value below any minimum ("… is outside allowed
/// range 0..2147483647"), asked only for a value that is not a number. Pure.
pub fn explain(
    prop: &str,
    value: &str,
    why: &str,
    range: impl FnOnce() -> Option<String>,
) -> String {
    let why = why.trim_end();
    if why.starts_with("Expected bool value") {
        // librdkafka names the values ("true or false"); a typo gets its did-you-mean.
        return format!("{why}{}", meant(value, &["true", "false"]));
    }
    if let Some(values) = enum_values(prop) {
        if why.starts_with("Invalid value") {
            return format!(
                "{why}: one of {}{}",
                values.join(", "),
                meant(value, values)
            );
        }
    }
    // "Invalid value for configuration property" without the value: not a number.
    if why.starts_with("Invalid value for configuration property") {
        if let Some((lo, hi)) = range().as_deref().and_then(parse_range) {
            return format!("{why}: expected {} from {lo} to {hi}", number_kind(prop));
        }
    }
    // "… is outside allowed range 10..300000" already says it; the unit is added.
    if why.contains("outside allowed range") && prop.ends_with(".ms") {
        return format!("{why} (milliseconds)");
    }
    why.to_string()
}

/// `sasl.mechanism` / `sasl.mechanisms` naming no mechanism librdkafka implements, which it
/// reports only when a client starts ("Unsupported SASL mechanism"). Pure.
pub fn sasl_problem(prop: &str, value: &str) -> Option<String> {
    if !matches!(prop, "sasl.mechanism" | "sasl.mechanisms") || SASL_MECHANISMS.contains(&value) {
        return None;
    }
    let upper = value.to_ascii_uppercase();
    let hint = if SASL_MECHANISMS.contains(&upper.as_str()) {
        format!(" (did you mean {upper}? librdkafka compares it in upper case)")
    } else {
        meant(value, SASL_MECHANISMS)
    };
    Some(format!(
        "Invalid value \"{value}\" for configuration property \"{prop}\": one of {}{hint}",
        SASL_MECHANISMS.join(", ")
    ))
}

fn enum_values(prop: &str) -> Option<&'static [&'static str]> {
    ENUMS.iter().find(|(p, _)| *p == prop).map(|(_, v)| *v)
}

/// " (did you mean X?)" for the value of `values` closest to `value` (in any case), if close.
fn meant(value: &str, values: &[&str]) -> String {
    let lower = value.to_ascii_lowercase();
    let by_lower: Vec<String> = values.iter().map(|v| v.to_ascii_lowercase()).collect();
    closest(&lower, by_lower.iter().map(String::as_str))
        .and_then(|c| values.iter().find(|v| v.eq_ignore_ascii_case(c)))
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

/// `(min, max)` of librdkafka's "… is outside allowed range MIN..MAX".
fn parse_range(said: &str) -> Option<(String, String)> {
    let range = said.split("outside allowed range ").nth(1)?.trim();
    let (lo, hi) = range.split_once("..")?;
    Some((lo.to_string(), hi.to_string()))
}

/// What kind of number `prop` takes, by librdkafka's naming of units.
fn number_kind(prop: &str) -> &'static str {
    if prop.ends_with(".ms") {
        "an integer (milliseconds)"
    } else if prop.ends_with(".kbytes") {
        "an integer (kilobytes)"
    } else if prop.ends_with(".bytes") {
        "an integer (bytes)"
    } else {
        "an integer"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn no_range() -> Option<String> {
        panic!("the range is asked only for a value that is not a number")
    }

    #[test]
    fn an_enumerated_value_gets_the_values_and_the_closest() {
        let why = r#"Invalid value "plaintxt" for configuration property "security.protocol""#;
        assert_eq!(
            explain("security.protocol", "plaintxt", why, no_range),
            format!(
                "{why}: one of plaintext, ssl, sasl_plaintext, sasl_ssl (did you mean plaintext?)"
            )
        );
        let why = r#"Invalid value "SASL-SSL" for configuration property "security.protocol""#;
        assert!(explain("security.protocol", "SASL-SSL", why, no_range)
            .ends_with("(did you mean sasl_ssl?)"));
        let why = r#"Invalid value "http" for configuration property "ssl.endpoint.identification.algorithm""#;
        assert_eq!(
            explain(
                "ssl.endpoint.identification.algorithm",
                "http",
                why,
                no_range
            ),
            format!("{why}: one of none, https (did you mean https?)")
        );
        // Nothing close: the values, no guess.
        let why = r#"Invalid value "tls13" for configuration property "security.protocol""#;
        assert_eq!(
            explain("security.protocol", "tls13", why, no_range),
            format!("{why}: one of plaintext, ssl, sasl_plaintext, sasl_ssl")
        );
    }

    #[test]
    fn a_number_gets_its_unit_and_librdkafkas_range() {
        let why = r#"Invalid value for configuration property "message.timeout.ms""#;
        let range = || {
            Some(
                "Configuration property \"message.timeout.ms\" value -2147483648 is outside \
                 allowed range 0..2147483647\n"
                    .to_string(),
            )
        };
        assert_eq!(
            explain("message.timeout.ms", "abc", why, range),
            format!("{why}: expected an integer (milliseconds) from 0 to 2147483647")
        );
        let why = r#"Invalid value for configuration property "message.max.bytes""#;
        let range = || Some("value -2147483648 is outside allowed range 1000..1000000000".into());
        assert_eq!(
            explain("message.max.bytes", "1MB", why, range),
            format!("{why}: expected an integer (bytes) from 1000 to 1000000000")
        );
        // Out of range: librdkafka's words (its trailing newline gone), with the unit.
        let why = "Configuration property \"socket.timeout.ms\" value 1 is outside allowed range \
                   10..300000\n";
        assert_eq!(
            explain("socket.timeout.ms", "1", why, no_range),
            format!("{} (milliseconds)", why.trim_end())
        );
    }

    #[test]
    fn a_boolean_gets_a_did_you_mean_and_others_stay_as_librdkafka_said() {
        let why = r#"Expected bool value for "enable.idempotence": true or false"#;
        assert_eq!(
            explain("enable.idempotence", "ture", why, no_range),
            format!("{why} (did you mean true?)")
        );
        assert_eq!(explain("enable.idempotence", "yes", why, no_range), why);
        let why = r#"Invalid value "brokr" for configuration property "debug""#;
        assert_eq!(explain("debug", "brokr", why, no_range), why);
    }

    #[test]
    fn a_sasl_mechanism_librdkafka_does_not_implement_is_named_at_start() {
        assert_eq!(sasl_problem("sasl.mechanism", "SCRAM-SHA-512"), None);
        assert_eq!(sasl_problem("security.protocol", "x"), None);
        assert_eq!(
            sasl_problem("sasl.mechanism", "SCRAM-SHA-513").as_deref(),
            Some(
                "Invalid value \"SCRAM-SHA-513\" for configuration property \"sasl.mechanism\": \
                 one of GSSAPI, PLAIN, SCRAM-SHA-256, SCRAM-SHA-512, OAUTHBEARER (did you mean \
                 SCRAM-SHA-512?)"
            )
        );
        assert!(sasl_problem("sasl.mechanisms", "scram-sha-256")
            .unwrap()
            .ends_with("(did you mean SCRAM-SHA-256? librdkafka compares it in upper case)"));
    }
}
