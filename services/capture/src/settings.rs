//! The capture's own settings: its keys as the runtime collects them ([`CaptureKeys`]) and,
//! for secrets, the environment or files, resolved into [`Settings`]. Every problem is
//! reported at once, at start-up (exit 2), before anything connects.

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use wcp_runtime::RuntimeError;

use crate::s3::S3Config;

/// Config keys of the capture beyond the common ones (docs/CAPTURE.md, configuration).
pub const KEYS: &[&str] = &[
    "corp_id",
    "sdk_library",
    "sdk_secret_file",
    "private_keys_dir",
    "sdk_batch_limit",
    "sdk_timeout_s",
    "sdk_proxy",
    "sdk_hang_grace_s",
    "poll_interval_ms",
    "decrypt_threads",
    "media_dir",
    // The S3-compatible media store instead of media_dir (s3.rs).
    "media_s3_endpoint",
    "media_s3_bucket",
    "media_s3_region",
    "media_s3_path_style",
    "media_s3_credentials_file",
    "region",
    "media_timeout_s",
    "media_max_bytes",
    // `wcp-capture consent-import` (consent_import.rs).
    "wecom_api_base",
    "consent_timeout_s",
    "consent_retries",
];

/// The archive Secret (admin console → 管理工具 → 会话内容存档), when not in a file.
pub const SECRET_ENV: &str = "WCP_SDK_SECRET";
/// The proxy's `user:password`, when a proxy is used.
pub const PROXY_PASSWORD_ENV: &str = "WCP_SDK_PROXY_PASSWORD";
/// The S3 media store's credentials, when not in `media_s3_credentials_file`.
pub const S3_KEY_ENV: &str = "AWS_ACCESS_KEY_ID";
pub const S3_SECRET_ENV: &str = "AWS_SECRET_ACCESS_KEY";

/// The capture's keys as written (file, `WCP_<KEY>`, `--<key>`), checked and parsed by
/// [`Settings::resolve`].
#[derive(Debug, Clone, Default)]
pub struct CaptureKeys(BTreeMap<String, String>);

impl wcp_runtime::Settings for CaptureKeys {
    const KEYS: &'static [&'static str] = KEYS;
    // AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY are read too: not WCP_ variables.
    const ENV: &'static [&'static str] = &[SECRET_ENV, PROXY_PASSWORD_ENV];
    fn set(&mut self, key: &str, value: &str) -> Result<(), String> {
        self.0.insert(key.to_string(), value.to_string());
        Ok(())
    }

    /// Everything [`Settings::resolve`] would refuse, reported before connecting.
    fn check(&self) -> Vec<String> {
        match Settings::resolve(self, &|k| std::env::var(k).ok()) {
            Err(RuntimeError::Config(list)) => list,
            // Files that are not there are configuration errors (exit 2), not run-time ones.
            Ok(s) => s.missing_files(),
            _ => Vec::new(),
        }
    }
}

impl CaptureKeys {
    pub fn get(&self, key: &str) -> Option<&str> {
        self.0.get(key).map(String::as_str)
    }
}

#[derive(Clone)]
pub struct Settings {
    pub corp_id: String,
    pub library: PathBuf,
    pub secret: String,
    pub key_dirs: Vec<PathBuf>,
    /// GetChatData `limit`: at most 1000 (the SDK refuses more).
    pub batch_limit: u32,
    /// The SDK's own timeout per call (seconds).
    pub sdk_timeout_s: u32,
    /// How long past `sdk_timeout_s` a call may run before the child counts as hung.
    pub hang_grace: Duration,
    pub proxy: String,
    pub proxy_password: String,
    pub poll_interval: Duration,
    pub decrypt_threads: usize,
    /// The media store, a directory …; None (and no `media_s3`): media are not fetched.
    pub media_dir: Option<PathBuf>,
    /// … or an S3-compatible bucket (never both).
    pub media_s3: Option<S3Config>,
    /// The residency region the media store's files belong to (a directory name).
    pub region: String,
    /// The SDK's timeout per `GetMediaData` chunk (seconds).
    pub media_timeout_s: u32,
    /// Larger files are not fetched (`media_missing`, reason `too_large`).
    pub media_max_bytes: u64,
}

impl std::fmt::Debug for Settings {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Settings")
            .field("corp_id", &self.corp_id)
            .field("library", &self.library)
            .field("secret", &"<redacted>")
            .field("key_dirs", &self.key_dirs)
            .field("batch_limit", &self.batch_limit)
            .field("sdk_timeout_s", &self.sdk_timeout_s)
            .field("proxy", &self.proxy)
            .field("media_dir", &self.media_dir)
            .field("media_s3", &self.media_s3)
            .field("region", &self.region)
            .finish_non_exhaustive()
    }
}

impl Settings {
    pub fn resolve(
        cfg: &CaptureKeys,
        env: &dyn Fn(&str) -> Option<String>,
    ) -> Result<Settings, RuntimeError> {
        let mut errors = Vec::new();
        let mut required = |key: &str, hint: &str| match cfg.get(key) {
            Some(v) if !v.trim().is_empty() => v.trim().to_string(),
            _ => {
                errors.push(format!("{key}: required ({hint})"));
                String::new()
            }
        };
        let corp_id = required("corp_id", "the corp id, admin console → 我的企业 → 企业ID");
        let library = PathBuf::from(required(
            "sdk_library",
            "path of Tencent's libWeWorkFinanceSdk_C.so, env WCP_SDK_LIBRARY",
        ));
        let keys = required(
            "private_keys_dir",
            "directories of the private keys, comma-separated",
        );
        let key_dirs = keys
            .split(',')
            .map(str::trim)
            .filter(|s| !s.is_empty())
            .map(PathBuf::from)
            .collect();
        let secret = match (cfg.get("sdk_secret_file"), env(SECRET_ENV)) {
            (Some(f), _) => std::fs::read_to_string(f)
                .map(|s| s.trim().to_string())
                .unwrap_or_else(|e| {
                    errors.push(format!("sdk_secret_file {f}: {e}"));
                    String::new()
                }),
            (None, Some(s)) if !s.trim().is_empty() => s.trim().to_string(),
            _ => {
                errors.push(format!(
                    "the archive Secret is required: sdk_secret_file or ${SECRET_ENV}"
                ));
                String::new()
            }
        };
        let mut num = |key: &str, default: u64, lo: u64, hi: u64| -> u64 {
            match cfg.get(key).map(|v| v.trim().parse::<u64>()) {
                None => default,
                Some(Ok(n)) if (lo..=hi).contains(&n) => n,
                Some(_) => {
                    errors.push(format!("{key}: must be a number from {lo} to {hi}"));
                    default
                }
            }
        };
        let batch_limit = num("sdk_batch_limit", 1000, 1, 1000) as u32;
        let sdk_timeout_s = num("sdk_timeout_s", 30, 1, 600) as u32;
        let hang_grace = Duration::from_secs(num("sdk_hang_grace_s", 15, 1, 600));
        let poll_interval = Duration::from_millis(num("poll_interval_ms", 1000, 10, 600_000));
        let decrypt_threads = num("decrypt_threads", 2, 1, 64) as usize;
        let media_timeout_s = num("media_timeout_s", 30, 1, 600) as u32;
        let media_max_bytes = num("media_max_bytes", 1 << 30, 1, 64 << 30);
        let region = cfg.get("region").unwrap_or("default").trim().to_string();
        if let Err(e) = wcp_model::region::check_name(&region) {
            errors.push(format!("region: {e}"));
        }
        let media_dir = cfg
            .get("media_dir")
            .map(str::trim)
            .filter(|d| !d.is_empty())
            .map(PathBuf::from);
        let media_s3 = s3_config(cfg, env, &mut errors);
        if media_dir.is_some() && media_s3.is_some() {
            errors.push(
                "media_dir and media_s3_bucket are both set: the media store is one or the other; \
                 remove one"
                    .into(),
            );
        }
        if !errors.is_empty() {
            return Err(RuntimeError::Config(errors));
        }
        Ok(Settings {
            corp_id,
            library,
            secret,
            key_dirs,
            batch_limit,
            sdk_timeout_s,
            hang_grace,
            proxy: cfg.get("sdk_proxy").unwrap_or("").to_string(),
            proxy_password: env(PROXY_PASSWORD_ENV).unwrap_or_default(),
            poll_interval,
            decrypt_threads,
            media_dir,
            media_s3,
            region,
            media_timeout_s,
            media_max_bytes,
        })
    }

    /// Whether media are fetched (a store is named).
    pub fn media_enabled(&self) -> bool {
        self.media_dir.is_some() || self.media_s3.is_some()
    }

    /// The SDK library and key directories that do not exist.
    fn missing_files(&self) -> Vec<String> {
        let mut out = Vec::new();
        if self.library.is_dir() {
            out.push(format!(
                "sdk_library {}: is a directory, not the library file; give the path of \
                 libWeWorkFinanceSdk_C.so itself (WCP_SDK_LIBRARY, docs/CAPTURE.md)",
                self.library.display()
            ));
        } else if !self.library.is_file() {
            out.push(format!(
                "sdk_library {}: no such file; put Tencent's libWeWorkFinanceSdk_C.so there or \
                 set WCP_SDK_LIBRARY to where it is (docs/CAPTURE.md)",
                self.library.display()
            ));
        }
        for d in self.key_dirs.iter().filter(|d| !d.is_dir()) {
            out.push(format!(
                "private_keys_dir {}: no such directory; mount the private keys (v1.pem, ...) there",
                d.display()
            ));
        }
        out
    }

    /// The deadline of one SDK call before its child counts as hung.
    pub fn call_limit(&self, timeout_s: u32) -> Duration {
        Duration::from_secs(u64::from(timeout_s)) + self.hang_grace
    }
}

/// The `media_s3_*` keys and the credentials, when `media_s3_bucket` is set.
fn s3_config(
    cfg: &CaptureKeys,
    env: &dyn Fn(&str) -> Option<String>,
    errors: &mut Vec<String>,
) -> Option<S3Config> {
    let get = |k: &str| cfg.get(k).map(str::trim).filter(|v| !v.is_empty());
    let Some(bucket) = get("media_s3_bucket") else {
        for k in [
            "media_s3_endpoint",
            "media_s3_region",
            "media_s3_credentials_file",
        ] {
            if get(k).is_some() {
                errors.push(format!(
                    "{k} is set but media_s3_bucket is not: name the bucket, or remove {k}"
                ));
            }
        }
        return None;
    };
    let endpoint = get("media_s3_endpoint").unwrap_or_else(|| {
        errors.push(
            "media_s3_endpoint: required with media_s3_bucket (e.g. \
             https://s3.cn-north-1.amazonaws.com.cn, or the MinIO/Ceph URL)"
                .into(),
        );
        ""
    });
    let path_style = match get("media_s3_path_style") {
        None | Some("false") => false,
        Some("true") => true,
        Some(_) => {
            errors.push("media_s3_path_style: must be true or false".into());
            false
        }
    };
    let (key, secret) = match get("media_s3_credentials_file") {
        Some(f) => match std::fs::read_to_string(f) {
            Ok(text) => (
                ini_value(&text, "aws_access_key_id"),
                ini_value(&text, "aws_secret_access_key"),
            ),
            Err(e) => {
                errors.push(format!("media_s3_credentials_file {f}: {e}"));
                return None;
            }
        },
        None => (
            env(S3_KEY_ENV).filter(|v| !v.trim().is_empty()),
            env(S3_SECRET_ENV).filter(|v| !v.trim().is_empty()),
        ),
    };
    let (Some(access_key_id), Some(secret_access_key)) = (key, secret) else {
        errors.push(format!(
            "media_s3_bucket: the bucket's credentials are required: ${S3_KEY_ENV} and \
             ${S3_SECRET_ENV}, or media_s3_credentials_file (aws_access_key_id = …, \
             aws_secret_access_key = …)"
        ));
        return None;
    };
    Some(S3Config {
        endpoint: endpoint.to_string(),
        bucket: bucket.to_string(),
        region: get("media_s3_region").unwrap_or("us-east-1").to_string(),
        path_style,
        access_key_id: access_key_id.trim().to_string(),
        secret_access_key: secret_access_key.trim().to_string(),
    })
}

/// `name = value` of an AWS credentials file (its first occurrence: the file holds one profile).
fn ini_value(text: &str, name: &str) -> Option<String> {
    text.lines().find_map(|l| {
        let (k, v) = l.split_once('=')?;
        (k.trim() == name).then(|| v.trim().to_string())
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    fn cfg(pairs: &[(&str, &str)]) -> CaptureKeys {
        let mut k = CaptureKeys::default();
        for (key, v) in pairs {
            wcp_runtime::Settings::set(&mut k, key, v).unwrap();
        }
        k
    }

    #[test]
    fn every_missing_setting_is_reported_at_once() {
        let err = Settings::resolve(&cfg(&[("sdk_batch_limit", "5000")]), &|_| None)
            .err()
            .unwrap()
            .to_string();
        for needle in [
            "corp_id",
            "sdk_library",
            "private_keys_dir",
            "Secret",
            "sdk_batch_limit",
        ] {
            assert!(err.contains(needle), "{needle} missing in {err}");
        }
    }

    #[test]
    fn a_directory_as_the_library_is_named_a_directory() {
        let dir = std::env::temp_dir();
        let c = cfg(&[
            ("corp_id", "ww1"),
            ("sdk_library", dir.to_str().unwrap()),
            ("private_keys_dir", dir.to_str().unwrap()),
        ]);
        let s = Settings::resolve(&c, &|_| Some("x".into())).unwrap();
        let problems = s.missing_files().join("\n");
        assert!(
            problems.contains("is a directory, not the library file"),
            "{problems}"
        );
        assert!(!problems.contains("no such file"), "{problems}");
    }

    #[test]
    fn secret_from_env_and_redacted() {
        let c = cfg(&[
            ("corp_id", "ww1"),
            ("sdk_library", "/opt/wecom/libWeWorkFinanceSdk_C.so"),
            ("private_keys_dir", "/keys/a, /keys/b"),
        ]);
        let s = Settings::resolve(&c, &|k| (k == SECRET_ENV).then(|| "s3cr3t".into())).unwrap();
        assert_eq!(s.secret, "s3cr3t");
        assert_eq!(
            s.key_dirs,
            vec![PathBuf::from("/keys/a"), PathBuf::from("/keys/b")]
        );
        assert_eq!(s.batch_limit, 1000);
        assert!(!format!("{s:?}").contains("s3cr3t"));
        assert_eq!(s.media_dir, None, "media are off unless a store is named");
        assert_eq!((s.region.as_str(), s.media_timeout_s), ("default", 30));
    }

    #[test]
    fn media_settings_are_typed_and_checked() {
        let base = [
            ("corp_id", "ww1"),
            ("sdk_library", "/l.so"),
            ("private_keys_dir", "/k"),
            ("sdk_secret_file", "/nonexistent/secret"),
        ];
        let mut pairs = base.to_vec();
        pairs.extend([
            ("region", "../cn"),
            ("media_timeout_s", "0"),
            ("media_max_bytes", "lots"),
        ]);
        let err = Settings::resolve(&cfg(&pairs), &|_| None)
            .err()
            .unwrap()
            .to_string();
        for needle in ["region", "media_timeout_s", "media_max_bytes"] {
            assert!(err.contains(needle), "{needle} missing in {err}");
        }
        let mut pairs = base[..3].to_vec();
        pairs.extend([
            ("media_dir", "/var/lib/wcp/media"),
            ("region", "cn-east"),
            ("media_max_bytes", "1048576"),
        ]);
        let s = Settings::resolve(&cfg(&pairs), &|_| Some("x".into())).unwrap();
        assert_eq!(s.media_dir, Some(PathBuf::from("/var/lib/wcp/media")));
        assert_eq!((s.region.as_str(), s.media_max_bytes), ("cn-east", 1 << 20));
    }

    #[test]
    fn the_s3_store_is_checked_and_exclusive_with_media_dir() {
        let base = [
            ("corp_id", "ww1"),
            ("sdk_library", "/l.so"),
            ("private_keys_dir", "/k"),
        ];
        let env = |k: &str| match k {
            S3_KEY_ENV => Some("AKID".to_string()),
            S3_SECRET_ENV => Some("SECRET".to_string()),
            _ => Some("x".to_string()),
        };
        let mut pairs = base.to_vec();
        pairs.extend([
            ("media_s3_bucket", "wcp-media"),
            ("media_s3_endpoint", "http://minio:9000"),
            ("media_s3_path_style", "true"),
        ]);
        let s = Settings::resolve(&cfg(&pairs), &env).unwrap();
        let c = s.media_s3.clone().unwrap();
        assert_eq!(
            (c.bucket.as_str(), c.region.as_str()),
            ("wcp-media", "us-east-1")
        );
        assert!(c.path_style && s.media_enabled());
        assert_eq!(c.access_key_id, "AKID");
        assert!(!format!("{s:?}").contains("SECRET"));

        let mut both = pairs.clone();
        both.push(("media_dir", "/m"));
        let err = Settings::resolve(&cfg(&both), &env)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("media_dir and media_s3_bucket"), "{err}");

        let no_creds = |k: &str| (k == SECRET_ENV).then(|| "x".to_string());
        let err = Settings::resolve(&cfg(&pairs), &no_creds)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("AWS_ACCESS_KEY_ID"), "{err}");

        let mut no_bucket = base.to_vec();
        no_bucket.push(("media_s3_endpoint", "http://minio:9000"));
        let err = Settings::resolve(&cfg(&no_bucket), &env)
            .err()
            .unwrap()
            .to_string();
        assert!(err.contains("media_s3_bucket is not"), "{err}");

        let dir = tempfile::tempdir().unwrap();
        let f = dir.path().join("credentials");
        std::fs::write(
            &f,
            "[default]\naws_access_key_id = K2\naws_secret_access_key = S2\n",
        )
        .unwrap();
        let mut file = pairs.clone();
        file.push(("media_s3_credentials_file", f.to_str().unwrap()));
        let c = Settings::resolve(&cfg(&file), &|_| Some("x".into()))
            .unwrap()
            .media_s3
            .unwrap();
        assert_eq!(
            (c.access_key_id.as_str(), c.secret_access_key.as_str()),
            ("K2", "S2")
        );
    }
}
