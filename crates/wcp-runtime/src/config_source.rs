//! Where configuration values come from: the TOML file, `WCP_*` variables and `--key value`
//! arguments, flattened to (key, string value, source) in that order of precedence. Names
//! that match no key are errors with a did-you-mean, so a typo never falls back to a default
//! in silence (`WCP_KAFKA_BOOTSRAP` once pointed a service at 127.0.0.1:9092).

use std::path::{Path, PathBuf};

use crate::config::is_secret;
use crate::kafka_props;

/// Where a value came from (secrets are refused from the file).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Source {
    File,
    Env,
    Arg,
}

impl Source {
    pub fn name(self) -> &'static str {
        match self {
            Source::File => "config file",
            Source::Env => "environment",
            Source::Arg => "argument",
        }
    }
}

pub type Value = (String, String, Source);

/// The closest of `candidates` to `name`, when close enough to be a typo.
pub fn did_you_mean<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> String {
    closest(name, candidates)
        .map(|c| format!(" (did you mean {c}?)"))
        .unwrap_or_default()
}

/// The closest of `candidates` to `name` when close enough to be a typo (two edits, or one
/// in four characters for long names).
pub fn closest<'a>(name: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let best = candidates
        .into_iter()
        .map(|c| (strsim::damerau_levenshtein(name, c), c))
        .min();
    match best {
        Some((d, c)) if d <= 2.max(name.len() / 4) => Some(c),
        _ => None,
    }
}

/// `<PREFIX><REGION>` variables (`WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN`) whose suffix names no
/// region of the configuration: the prefix accepted them, so a typo (`..._CM`) would otherwise
/// leave the region without its key in silence. `prefixes`: longest first where one extends
/// another (`..._KEY_FILE_` before `..._KEY_`); `regions` as the policy names them (the
/// suffix is the name upper-cased, other characters as `_`). Empty values are ignored.
pub fn region_suffix_problems(
    env: &[(String, String)],
    prefixes: &[&str],
    regions: &[String],
) -> Vec<String> {
    let known = format!(
        "is not a region of the policy (regions: {})",
        regions.join(", ")
    );
    suffix_problems(env, prefixes, regions, &known)
}

/// The archive's per-region variables (encryption key file, encryption key, signing key)
/// whose region is none of `regions`, in this process's environment: the archiver and
/// `wcp run` refuse them alike (trial 17a D6: `wcp run` wrote a plain archive in silence).
pub fn archive_region_var_problems(regions: &[String]) -> Vec<String> {
    let mut env: Vec<(String, String)> = std::env::vars().collect();
    env.sort();
    let prefixes = [
        "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_",
        "WCP_ARCHIVE_ENCRYPTION_KEY_",
        "WCP_ARCHIVE_KEY_",
    ];
    region_suffix_problems(&env, &prefixes, regions)
}

/// As [`region_suffix_problems`] for any set of names, `known` ending each problem after the
/// suffix (`"<SUFFIX> {known}"`, e.g. `is not a region of the policy (…)`): the review
/// console's names are the archive regions it serves and its own store, not a policy's.
pub fn suffix_problems(
    env: &[(String, String)],
    prefixes: &[&str],
    names: &[String],
    known: &str,
) -> Vec<String> {
    let up = |r: &str| -> String {
        let up = r.chars().map(|c| c.to_ascii_uppercase());
        up.map(|c| if c.is_ascii_alphanumeric() { c } else { '_' })
            .collect()
    };
    let suffixes: Vec<String> = names.iter().map(|r| up(r)).collect();
    let mut out = Vec::new();
    for (var, value) in env {
        if value.is_empty() {
            continue;
        }
        // The first prefix whose remainder is a region wins; else the first that matches.
        let matching: Vec<&str> = prefixes
            .iter()
            .copied()
            .filter(|p| var.starts_with(p))
            .collect();
        if matching.is_empty()
            || matching
                .iter()
                .any(|p| suffixes.contains(&var[p.len()..].to_string()))
        {
            continue;
        }
        let prefix = matching[0];
        let suffix = &var[prefix.len()..];
        // The right region in the wrong case (`..._cn`): say so, not "cn is not a region
        // (regions: cn, …)" (a trial's 15f D3).
        if let Some(s) = suffixes.iter().find(|s| s.eq_ignore_ascii_case(suffix)) {
            out.push(format!(
                "unknown environment variable {var} (did you mean {prefix}{s}?): the suffix \
                 is the name in upper case"
            ));
            continue;
        }
        // Region names are short: one edit in three characters is a typo, two in two a
        // different region.
        let hint = suffixes
            .iter()
            .map(|s| (strsim::damerau_levenshtein(suffix, s), s))
            .filter(|(d, _)| *d <= (suffix.len() / 3).max(1))
            .min()
            .map(|(_, s)| format!(" (did you mean {prefix}{s}?)"))
            .unwrap_or_default();
        out.push(format!(
            "unknown environment variable {var}{hint}: {suffix} {known}"
        ));
    }
    out
}

/// Collects every value for `known` keys (plus `kafka.<prop>`) and every problem: unknown
/// keys, arguments and `WCP_*` variables other than the keys and `extra_env`.
pub fn collect(
    args: &[String],
    env: &[(String, String)],
    known: &[&str],
    extra_env: &[&str],
) -> (Vec<Value>, Vec<String>) {
    let mut errors = Vec::new();
    let mut values = Vec::new();
    let mut file = env
        .iter()
        .find(|(k, _)| k == "WCP_CONFIG")
        .map(|(_, v)| PathBuf::from(v));
    let mut cli = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        let Some(key) = a.strip_prefix("--") else {
            errors.push(format!("unexpected argument `{a}`"));
            continue;
        };
        let (key, inline) = match key.split_once('=') {
            Some((k, v)) => (k.to_string(), Some(v.to_string())),
            None => (key.to_string(), None),
        };
        let Some(v) = inline.or_else(|| it.next().cloned()) else {
            errors.push(format!("--{key} needs a value"));
            continue;
        };
        let name = key.replace('-', "_");
        if key == "config" {
            file = Some(PathBuf::from(v));
        } else if known.contains(&name.as_str()) {
            cli.push((name, v, Source::Arg));
        } else {
            let flags = known.iter().map(|k| k.replace('_', "-"));
            let flags: Vec<String> = flags.map(|f| format!("--{f}")).collect();
            let hint = did_you_mean(a, flags.iter().map(String::as_str));
            errors.push(format!("unknown argument --{key}{hint}"));
        }
    }
    if let Some(path) = &file {
        match std::fs::read_to_string(path) {
            Ok(text) => read_toml(&text, path, known, &mut values, &mut errors),
            Err(e) => errors.push(format!("cannot read config file {}: {e}", path.display())),
        }
    }
    let env_names: Vec<String> = known
        .iter()
        .map(|k| format!("WCP_{}", k.to_ascii_uppercase()))
        .chain(extra_env.iter().map(|s| s.to_string()))
        .collect();
    for (k, v) in env {
        if !k.starts_with("WCP_") && k.to_ascii_uppercase().starts_with("WCP_") {
            // Variable names are case-sensitive: `wcp_kafka_bootstrap` would otherwise be
            // ignored without a word, and a region's archive written without its key.
            errors.push(lower_case_problem(k, &env_names, extra_env));
            continue;
        }
        if let Some(prop) = k.strip_prefix("WCP_KAFKA__") {
            let prop = prop.to_ascii_lowercase().replace('_', ".");
            if let Some(p) = kafka_props::problem(&prop, v, is_secret(&prop)) {
                errors.push(kafka_props::describe(
                    &format!("environment variable {k}"),
                    &prop,
                    &p,
                    true,
                ));
            }
            values.push((format!("kafka.{prop}"), v.clone(), Source::Env));
        } else if let Some(key) = k.strip_prefix("WCP_") {
            let key = key.to_ascii_lowercase();
            if known.contains(&key.as_str()) {
                values.push((key, v.clone(), Source::Env));
            } else if !extra_env
                .iter()
                .any(|e| e.strip_suffix('*').map_or(*e == k, |p| k.starts_with(p)))
            {
                let hint = did_you_mean(k, env_names.iter().map(String::as_str));
                errors.push(format!(
                    "unknown environment variable {k}{hint}: not a setting of this service"
                ));
            }
        }
    }
    values.extend(cli);
    (values, errors)
}

/// The services' upper-case check for a program that reads only some `WCP_*` variables (the
/// `wcp` CLI: trial 15i D5, where `wcp_kafka__security_protocol=sasl_ssl wcp lag` ran as
/// PLAINTEXT): each variable of `env` written otherwise than in upper case whose upper-case
/// name is one of `reads` (names, or prefixes ending in `*`) is a problem, with the services'
/// message. Variables it does not read are left alone (a shell may hold the services'). Pure.
pub fn wrong_case_problems(env: &[(String, String)], reads: &[&str]) -> Vec<String> {
    let names: Vec<String> = reads
        .iter()
        .filter(|r| !r.ends_with('*'))
        .map(|r| r.to_string())
        .collect();
    env.iter()
        .filter(|(k, _)| {
            let upper = k.to_ascii_uppercase();
            *k != upper
                && reads.iter().any(|r| match r.strip_suffix('*') {
                    Some(prefix) => upper.starts_with(prefix),
                    None => upper == *r,
                })
        })
        .map(|(k, _)| lower_case_problem(k, &names, reads))
        .collect()
}

/// The error for a `WCP_*` name not in upper case, naming the variable meant.
fn lower_case_problem(var: &str, env_names: &[String], extra_env: &[&str]) -> String {
    let upper = var.to_ascii_uppercase();
    let known = upper.starts_with("WCP_KAFKA__")
        || env_names.contains(&upper)
        || extra_env
            .iter()
            .any(|e| e.strip_suffix('*').is_some_and(|p| upper.starts_with(p)));
    let meant = if known {
        format!(" (did you mean {upper}?)")
    } else {
        did_you_mean(&upper, env_names.iter().map(String::as_str))
    };
    format!(
        "environment variable {var} is not in upper case{meant}: wcp reads WCP_* names \
         exactly as written, so it would be ignored"
    )
}

/// Flattens the TOML file into (key, string value) pairs; `[kafka]` becomes `kafka.<prop>`.
fn read_toml(
    text: &str,
    path: &Path,
    known: &[&str],
    out: &mut Vec<Value>,
    errors: &mut Vec<String>,
) {
    let table: toml::Table = match text.parse() {
        Ok(t) => t,
        Err(e) => {
            errors.push(format!("{}: {e}", path.display()));
            return;
        }
    };
    for (k, v) in table {
        if k == "kafka" {
            match v {
                toml::Value::Table(props) => {
                    for (p, pv) in props {
                        match scalar(&pv) {
                            Some(s) => {
                                if let Some(why) = kafka_props::problem(&p, &s, is_secret(&p)) {
                                    let origin = format!("{}: kafka.{p}", path.display());
                                    errors.push(kafka_props::describe(&origin, &p, &why, false));
                                }
                                out.push((format!("kafka.{p}"), s, Source::File))
                            }
                            None => errors.push(format!("kafka.{p}: must be a scalar")),
                        }
                    }
                }
                _ => errors.push("kafka: must be a table".into()),
            }
            continue;
        }
        if !known.contains(&k.as_str()) {
            let hint = did_you_mean(&k, known.iter().copied());
            errors.push(format!("{}: unknown key {k}{hint}", path.display()));
            continue;
        }
        match scalar(&v) {
            Some(s) => out.push((k, s, Source::File)),
            None => errors.push(format!("{k}: must be a scalar")),
        }
    }
}

fn scalar(v: &toml::Value) -> Option<String> {
    match v {
        toml::Value::String(s) => Some(s.clone()),
        toml::Value::Integer(i) => Some(i.to_string()),
        toml::Value::Boolean(b) => Some(b.to_string()),
        toml::Value::Float(f) => Some(f.to_string()),
        _ => None,
    }
}
