//! The review service's own keys, typed: each value is parsed when it is read (a bad one is
//! a configuration error naming the key, exit 2, before anything connects), and `check`
//! refuses a configuration without regions.

use std::net::SocketAddr;
use std::path::PathBuf;

use wcp_review_web::oidc::OidcConfig;
use wcp_runtime::Settings;

#[derive(Debug, Clone)]
pub struct ReviewSettings {
    /// `regions = "cn=/data/archive-cn.db,hk=…"`: one review store per region, each reading
    /// that region's archive.
    pub regions: Vec<(String, PathBuf)>,
    pub store_dir: PathBuf,
    /// Default `<store_dir>/review.key`.
    pub review_key_file: Option<PathBuf>,
    /// `archive_keys = "cn=/run/secrets/…"`: the archive signing key per region (exports).
    pub archive_keys: Vec<(String, PathBuf)>,
    /// Default `<store_dir>/exports`.
    pub export_dir: Option<PathBuf>,
    /// The capture's `media_dir`, read-only: exports attach the media files found there.
    pub media_dir: Option<PathBuf>,
    pub sample_percent: f64,
    pub sample_seed: String,
    /// Seconds between two draws of the sample from newly archived messages; a message is
    /// drawn at the second tick after it is archived, once its alert (if any) is queued.
    pub sample_interval_s: u64,
    pub secure_cookies: bool,
    pub trust_forwarded: bool,
    pub route_wait_ms: u64,
    /// Seconds a high-severity alert may stay pending before `WcpReviewHighSeverityPastSla`.
    pub sla_high_s: u64,
    pub listen_addr: SocketAddr,
    /// `oidc_*`: OpenID Connect sign-in (off while no `oidc_issuer_url`).
    pub oidc: OidcConfig,
    /// `local_signin = false`: passwords refused, OIDC only (needs the oidc_* keys).
    pub local_signin: bool,
    /// The zone of the console's dates and times: the pipeline policy's
    /// `[classifier] utc_offset_minutes` (default 480, UTC+08:00, as the built-in policy).
    pub utc_offset_minutes: i32,
    /// `anon_key_file`: the tenant pseudonymisation key (the anonymiser's), so search and
    /// the consent page find a contact without consent by their WeCom id under its
    /// pseudonym. Off by default: the key links pseudonyms to people (docs/PRIVACY.md).
    pub anon_key_file: Option<PathBuf>,
}

impl Default for ReviewSettings {
    fn default() -> Self {
        ReviewSettings {
            regions: Vec::new(),
            store_dir: PathBuf::from("review"),
            review_key_file: None,
            archive_keys: Vec::new(),
            export_dir: None,
            media_dir: None,
            sample_percent: 2.0,
            sample_seed: "wcp".into(),
            sample_interval_s: 60,
            secure_cookies: true,
            trust_forwarded: false,
            route_wait_ms: 60_000,
            sla_high_s: wcp_review_web::state::DEFAULT_SLA_HIGH_S,
            listen_addr: SocketAddr::from(([0, 0, 0, 0], 8080)),
            oidc: OidcConfig::default(),
            local_signin: true,
            utc_offset_minutes: wcp_review_web::state::DEFAULT_UTC_OFFSET_MINUTES,
            anon_key_file: None,
        }
    }
}

/// `a=x,b=y` pairs; an item without `=` or with an empty side is an error.
fn pairs(v: &str) -> Result<Vec<(String, PathBuf)>, String> {
    let mut out = Vec::new();
    for item in v.split(',').map(str::trim).filter(|i| !i.is_empty()) {
        match item.split_once('=') {
            Some((k, p)) if !k.trim().is_empty() && !p.trim().is_empty() => {
                out.push((k.trim().to_string(), PathBuf::from(p.trim())))
            }
            _ => return Err(format!("{item:?} is not region=path")),
        }
    }
    Ok(out)
}

fn boolean(v: &str) -> Result<bool, String> {
    match v {
        "true" => Ok(true),
        "false" => Ok(false),
        _ => Err(format!("{v:?} is not true or false")),
    }
}

impl Settings for ReviewSettings {
    const KEYS: &'static [&'static str] = &[
        "listen_addr",
        "regions",
        "store_dir",
        "review_key_file",
        "archive_keys",
        "export_dir",
        "media_dir",
        "sample_percent",
        "sample_seed",
        "sample_interval_s",
        "secure_cookies",
        "trust_forwarded",
        "route_wait_ms",
        "sla_high_s",
        "local_signin",
        "utc_offset_minutes",
        "anon_key_file",
        "oidc_issuer_url",
        "oidc_client_id",
        "oidc_client_secret_file",
        "oidc_redirect_url",
        "oidc_provider_name",
        "oidc_scopes",
        "oidc_user_claim",
    ];
    /// Encryption keys of the archives read and of the review stores (`wcp_archive::at_rest`:
    /// `WCP_ARCHIVE_ENCRYPTION_KEY_FILE_<REGION>`, `WCP_REVIEW_ENCRYPTION_KEY_FILE_<REGION>`,
    /// `..._CONSOLE`, or the keys themselves without `_FILE`).
    const ENV: &'static [&'static str] = &[
        "WCP_ARCHIVE_ENCRYPTION_KEY_*",
        "WCP_REVIEW_ENCRYPTION_KEY_*",
    ];

    fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        let num = |e: std::num::ParseFloatError| e.to_string();
        match key {
            "listen_addr" => self.listen_addr = v.parse().map_err(|e| format!("{v:?}: {e}"))?,
            "regions" => self.regions = pairs(v)?,
            "store_dir" => self.store_dir = PathBuf::from(v),
            "review_key_file" => self.review_key_file = Some(PathBuf::from(v)),
            "archive_keys" => self.archive_keys = pairs(v)?,
            "export_dir" => self.export_dir = Some(PathBuf::from(v)),
            "media_dir" => self.media_dir = Some(PathBuf::from(v)),
            "sample_percent" => {
                let p: f64 = v.parse().map_err(num)?;
                if !(0.0..=100.0).contains(&p) {
                    return Err(format!("{p} is not a percentage from 0 to 100"));
                }
                self.sample_percent = p;
            }
            "sample_seed" => self.sample_seed = v.to_string(),
            "sample_interval_s" => {
                let s: u64 = v.parse().map_err(|e| format!("{v:?}: {e}"))?;
                if s == 0 {
                    return Err("give seconds between draws, at least 1 (e.g. 60)".into());
                }
                self.sample_interval_s = s;
            }
            "secure_cookies" => self.secure_cookies = boolean(v)?,
            "trust_forwarded" => self.trust_forwarded = boolean(v)?,
            "route_wait_ms" => self.route_wait_ms = v.parse().map_err(|e| format!("{e}"))?,
            "utc_offset_minutes" => {
                let m: i32 = v.parse().map_err(|e| format!("{v:?}: {e}"))?;
                if !(-14 * 60..=14 * 60).contains(&m) {
                    return Err(format!("{m}: minutes east of UTC, -840 to 840"));
                }
                self.utc_offset_minutes = m;
            }
            "sla_high_s" => {
                let s: u64 = v.parse().map_err(|e| format!("{v:?}: {e}"))?;
                if s == 0 {
                    return Err("0 would page for every new alert; give seconds, e.g. 14400".into());
                }
                self.sla_high_s = s;
            }
            "local_signin" => self.local_signin = boolean(v)?,
            "anon_key_file" => self.anon_key_file = Some(PathBuf::from(v)),
            k if k.starts_with("oidc_") => self.oidc.set(k, v)?,
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }

    fn check(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.regions.is_empty() {
            out.push(
                "regions: required, e.g. regions = \"cn=/data/archive-cn.db,hk=/data/archive-hk.db\" \
                 (WCP_REGIONS)"
                    .to_string(),
            );
        }
        for (r, file) in &self.archive_keys {
            if !self.regions.iter().any(|(n, _)| n == r) {
                out.push(format!("archive_keys: region {r:?} is not in regions"));
            }
            // Read now, not at the first export: a missing secret is a configuration error.
            if let Err(e) = wcp_archive::keys::load_signing_key(file) {
                out.push(format!(
                    "archive_keys: {r}={}: {e}; mount region {r}'s archive signing key there",
                    file.display()
                ));
            }
        }
        if let Some(f) = &self.anon_key_file {
            // Read now, not at the first lookup: a missing or bad key is a configuration error.
            if let Err(e) = wcp_review_web::pseudonyms::TenantKey::load(f) {
                out.push(format!(
                    "anon_key_file: {e}; mount the tenant key there (hex, the anonymiser's) or \
                     leave the key unset"
                ));
            }
        }
        out.extend(self.oidc.check());
        if !self.local_signin && !self.oidc.enabled() {
            out.push(
                "local_signin = false leaves no way to sign in: configure oidc_issuer_url and \
                 the other oidc_* keys, or keep local sign-in"
                    .into(),
            );
        }
        if let Some(f) = self
            .oidc
            .client_secret_file
            .as_ref()
            .filter(|f| !f.is_file())
        {
            out.push(format!(
                "oidc_client_secret_file: {} is not a readable file; mount the client secret there",
                f.display()
            ));
        }
        out.extend(wcp_archive::at_rest::env_key_problems(&[
            "ARCHIVE", "REVIEW",
        ]));
        if !self.regions.is_empty() {
            let mut env: Vec<(String, String)> = std::env::vars().collect();
            env.sort();
            out.extend(self.region_var_problems(&env));
        }
        out
    }
}

impl ReviewSettings {
    /// Per-region key variables whose `<REGION>` names no region of `regions` (a typo such
    /// as `WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM` would leave `cn` read as a plain archive, in
    /// silence). The review stores have one more name: `CONSOLE`, the console's own store.
    fn region_var_problems(&self, env: &[(String, String)]) -> Vec<String> {
        use wcp_runtime::config_source::suffix_problems;
        let mut names: Vec<String> = self.regions.iter().map(|(n, _)| n.clone()).collect();
        // The console has no policy: its regions are the archives its `regions` names.
        let served = format!(
            "a region this console serves (regions: {})",
            names.join(", ")
        );
        let mut out = suffix_problems(
            env,
            &[
                "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_",
                "WCP_ARCHIVE_ENCRYPTION_KEY_",
            ],
            &names,
            &format!("is not {served}"),
        );
        let stores = format!(
            "is neither {served} nor CONSOLE, the key of the console's own store (accounts \
             and sessions)"
        );
        names.push("console".into());
        out.extend(suffix_problems(
            env,
            &[
                "WCP_REVIEW_ENCRYPTION_KEY_FILE_",
                "WCP_REVIEW_ENCRYPTION_KEY_",
            ],
            &names,
            &stores,
        ));
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn values_are_parsed_and_bad_ones_named() {
        let mut s = ReviewSettings::default();
        s.set("regions", "cn=/a/archive-cn.db, hk=/b.db").unwrap();
        assert_eq!(s.regions[1], ("hk".into(), PathBuf::from("/b.db")));
        assert!(s.set("regions", "cn").is_err());
        assert!(s.set("secure_cookies", "no").is_err());
        assert!(s.set("sample_percent", "250").is_err());
        assert!(s.set("listen_addr", "localhost").is_err());
        s.set("archive_keys", "sg=/k").unwrap();
        // sg is not in regions, and its key file /k does not exist.
        assert_eq!(s.check().len(), 2, "{:?}", s.check());
        assert_eq!(ReviewSettings::default().check().len(), 1);
        assert_eq!(s.sla_high_s, 4 * 3600, "default SLA");
        s.set("sla_high_s", "7200").unwrap();
        assert_eq!(s.sla_high_s, 7200);
        assert!(
            s.set("sla_high_s", "0").is_err(),
            "an SLA of 0 pages at once"
        );
        assert!(s.set("sla_high_s", "4h").is_err());
        assert_eq!(s.sample_interval_s, 60, "default: a draw a minute");
        s.set("sample_interval_s", "5").unwrap();
        assert_eq!(s.sample_interval_s, 5);
        assert!(s.set("sample_interval_s", "0").is_err());
        assert_eq!(s.utc_offset_minutes, 480, "the built-in policy's zone");
        s.set("utc_offset_minutes", "-300").unwrap();
        assert_eq!(s.utc_offset_minutes, -300);
        assert!(s.set("utc_offset_minutes", "900").is_err());
        assert!(s.set("utc_offset_minutes", "8h").is_err());
    }

    #[test]
    fn a_tenant_key_file_is_read_at_start() {
        let mut s = ReviewSettings::default();
        s.set("regions", "cn=/a/archive-cn.db").unwrap();
        s.set("anon_key_file", "/nonexistent/tenant.key").unwrap();
        let e = s.check().join("\n");
        assert!(
            e.contains("anon_key_file: ") && e.contains("tenant key /nonexistent/tenant.key"),
            "{e}"
        );
        let key = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(key.path(), "ab".repeat(32)).unwrap();
        s.set("anon_key_file", key.path().to_str().unwrap())
            .unwrap();
        assert!(s.check().is_empty(), "{:?}", s.check());
    }

    #[test]
    fn oidc_keys_are_read_and_checked_together() {
        let mut s = ReviewSettings::default();
        s.set("regions", "cn=/a/archive-cn.db").unwrap();
        // Every oidc_* key listed (so WCP_OIDC_* is read) is one OidcConfig knows.
        let listed: Vec<_> = ReviewSettings::KEYS
            .iter()
            .filter(|k| k.starts_with("oidc_"))
            .collect();
        assert_eq!(listed.len(), 7, "{listed:?}");
        for k in listed {
            let v = if k.ends_with("claim") { "sub" } else { "x" };
            assert!(OidcConfig::default().set(k, v).is_ok(), "{k}");
        }
        assert!(s.check().is_empty(), "{:?}", s.check());
        s.set("local_signin", "false").unwrap();
        assert_eq!(s.check().len(), 1, "no way to sign in: {:?}", s.check());
        let secret = tempfile::NamedTempFile::new().unwrap();
        std::fs::write(secret.path(), "s3cret\n").unwrap();
        s.set("oidc_issuer_url", "https://login.example.com/realms/wcp")
            .unwrap();
        s.set("oidc_client_id", "wcp-review").unwrap();
        s.set(
            "oidc_redirect_url",
            "https://review.example.com/oidc/callback",
        )
        .unwrap();
        s.set("oidc_client_secret_file", "/nonexistent/secret")
            .unwrap();
        assert_eq!(s.check().len(), 1, "secret file missing: {:?}", s.check());
        s.set("oidc_client_secret_file", secret.path().to_str().unwrap())
            .unwrap();
        assert!(s.check().is_empty(), "{:?}", s.check());
        assert!(s.set("local_signin", "off").is_err());
    }

    #[test]
    fn a_misspelt_region_suffix_is_named() {
        let mut s = ReviewSettings::default();
        s.set("regions", "cn=/a/archive-cn.db,hk=/a/archive-hk.db")
            .unwrap();
        let env = |pairs: &[(&str, &str)]| -> Vec<(String, String)> {
            pairs
                .iter()
                .map(|(k, v)| (k.to_string(), v.to_string()))
                .collect()
        };
        let ok = env(&[
            ("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN", "/k/cn"),
            ("WCP_ARCHIVE_ENCRYPTION_KEY_HK", "00"),
            ("WCP_REVIEW_ENCRYPTION_KEY_FILE_HK", "/k/r-hk"),
            ("WCP_REVIEW_ENCRYPTION_KEY_FILE_CONSOLE", "/k/console"),
        ]);
        assert!(s.region_var_problems(&ok).is_empty());
        let typo = env(&[("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CM", "/k/cn")]);
        let p = s.region_var_problems(&typo);
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(p[0].contains("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN"), "{p:?}");
        // The console's own store is a review store, not an archive.
        let console = env(&[("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CONSOLE", "/k/c")]);
        assert_eq!(s.region_var_problems(&console).len(), 1);
        let review_typo = env(&[("WCP_REVIEW_ENCRYPTION_KEY_FILE_CONSOL", "/k/c")]);
        assert_eq!(s.region_var_problems(&review_typo).len(), 1);
        // The console has no policy, and CONSOLE is its own store, not a region (trial 15e D3).
        let archive_typo = env(&[("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_HG", "/k/hk")]);
        assert_eq!(
            s.region_var_problems(&archive_typo),
            vec![
                "unknown environment variable WCP_ARCHIVE_ENCRYPTION_KEY_FILE_HG (did you mean \
                 WCP_ARCHIVE_ENCRYPTION_KEY_FILE_HK?): HG is not a region this console serves \
                 (regions: cn, hk)"
                    .to_string()
            ]
        );
        let store_typo = env(&[("WCP_REVIEW_ENCRYPTION_KEY_FILE_CH", "/k/r")]);
        assert_eq!(
            s.region_var_problems(&store_typo),
            vec![
                "unknown environment variable WCP_REVIEW_ENCRYPTION_KEY_FILE_CH (did you mean \
                 WCP_REVIEW_ENCRYPTION_KEY_FILE_CN?): CH is neither a region this console \
                 serves (regions: cn, hk) nor CONSOLE, the key of the console's own store \
                 (accounts and sessions)"
                    .to_string()
            ]
        );
    }
}
