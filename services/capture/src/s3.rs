//! The S3-compatible media store (AWS S3, MinIO, Ceph RGW): an object per content, keyed
//! like the directory store's path (`<region>/sha256/<ab>/<cd>/<sha256>`). Requests are
//! SigV4-presigned by `rusty-s3` (no I/O of its own) and sent by `ureq` (blocking, with
//! timeouts): the media stage runs on threads of its own. An object is HEADed before it is
//! PUT, so the same content is uploaded once; the PUT carries `Content-MD5`, so the server
//! checks the bytes it received. A presigned URL carries a signature: it is never logged.

use std::fs::File;
use std::path::Path;
use std::time::Duration;

use base64::Engine;
use rusty_s3::{Bucket, Credentials, S3Action, UrlStyle};

use crate::store::StoreError;

/// How a presigned request stays valid (a PUT of a large file included).
const SIGNED_FOR: Duration = Duration::from_secs(3600);
/// Attempts of a request that fails transiently (5xx, 429, timeouts, refused connections).
const TRIES: u32 = 4;

/// Where the bucket is and who writes it: `media_s3_*` keys and the credentials.
#[derive(Clone, PartialEq, Eq)]
pub struct S3Config {
    pub endpoint: String,
    pub bucket: String,
    pub region: String,
    pub path_style: bool,
    pub access_key_id: String,
    pub secret_access_key: String,
}

impl std::fmt::Debug for S3Config {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("S3Config")
            .field("endpoint", &self.endpoint)
            .field("bucket", &self.bucket)
            .field("region", &self.region)
            .field("path_style", &self.path_style)
            .field("access_key_id", &"<redacted>")
            .field("secret_access_key", &"<redacted>")
            .finish()
    }
}

pub struct S3Store {
    bucket: Bucket,
    creds: Credentials,
    agent: ureq::Agent,
    /// `s3://<bucket>`: the `store` of the media records.
    pub label: String,
    /// `wcp_capture_media_store_retries_total`.
    retries: prometheus::IntCounter,
    backoff: Duration,
}

/// What an answer of the store means.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Class {
    Ok,
    /// HEAD: no such object (yet).
    Absent,
    /// Worth another try: 5xx, 408, 429.
    Transient,
    /// Will not get better by itself: 403 (credentials, policy), 404 NoSuchBucket, other 4xx.
    Refused,
}

/// Classifies an HTTP status of a HEAD (`head`) or PUT.
pub fn classify(status: u16, head: bool) -> Class {
    match status {
        200..=299 => Class::Ok,
        404 if head => Class::Absent,
        408 | 429 | 500..=599 => Class::Transient,
        _ => Class::Refused,
    }
}

/// The `<Code>` of an S3 error body (`NoSuchBucket`, `AccessDenied`, `InvalidAccessKeyId`).
pub fn error_code(body: &str) -> Option<&str> {
    let start = body.find("<Code>")? + "<Code>".len();
    let len = body[start..].find("</Code>")?;
    Some(&body[start..start + len]).filter(|c| c.len() < 64)
}

/// What to do about a refusal, in words for the log and the `media_missing` mark.
fn refusal(label: &str, status: u16, code: Option<&str>) -> String {
    // A HEAD's answer has no body: a 403 without a code is about credentials or policy too.
    let fix = match (status, code.unwrap_or("")) {
        (_, "NoSuchBucket") => "create the bucket or correct media_s3_bucket / media_s3_endpoint",
        (403, _) | (_, "InvalidAccessKeyId" | "SignatureDoesNotMatch" | "AccessDenied") => {
            "check AWS_ACCESS_KEY_ID / AWS_SECRET_ACCESS_KEY (or media_s3_credentials_file) \
             and the bucket policy (s3:PutObject, s3:GetObject)"
        }
        _ => "check media_s3_endpoint, media_s3_region and media_s3_bucket",
    };
    let code = code.unwrap_or("(no error code)");
    format!("media store {label} refused the upload: HTTP {status} {code}; {fix}")
}

impl S3Store {
    pub fn new(c: &S3Config, retries: prometheus::IntCounter) -> Result<S3Store, String> {
        let endpoint: url::Url = c
            .endpoint
            .parse()
            .map_err(|e| format!("media_s3_endpoint {}: {e}", c.endpoint))?;
        let style = if c.path_style {
            UrlStyle::Path
        } else {
            UrlStyle::VirtualHost
        };
        let bucket =
            Bucket::new(endpoint, style, c.bucket.clone(), c.region.clone()).map_err(|e| {
                format!(
                    "media_s3_bucket {} at {}: {e} (an IP address or a MinIO/Ceph endpoint \
                     needs media_s3_path_style = true)",
                    c.bucket, c.endpoint
                )
            })?;
        let agent = ureq::Agent::config_builder()
            .timeout_connect(Some(Duration::from_secs(10)))
            .timeout_global(Some(Duration::from_secs(600)))
            .http_status_as_error(false)
            .build()
            .into();
        Ok(S3Store {
            bucket,
            creds: Credentials::new(c.access_key_id.clone(), c.secret_access_key.clone()),
            agent,
            label: format!("s3://{}", c.bucket),
            retries,
            backoff: Duration::from_millis(250),
        })
    }

    /// Uploads `file` (its MD5 `md5_hex`) as `key` unless an object is there already.
    /// Returns whether it was uploaded.
    pub fn put_once(&self, key: &str, file: &Path, md5_hex: &str) -> Result<bool, StoreError> {
        if self.attempt(|| self.head(key))? == Class::Ok {
            return Ok(false);
        }
        let md5 = hex::decode(md5_hex).map_err(|e| StoreError::Io(std::io::Error::other(e)))?;
        let md5 = base64::engine::general_purpose::STANDARD.encode(md5);
        self.attempt(|| self.put(key, file, &md5))?;
        Ok(true)
    }

    /// Runs `req` until it answers other than `Transient`, backing off, at most `TRIES` times.
    fn attempt(
        &self,
        req: impl Fn() -> Result<(Class, u16, Option<String>), String>,
    ) -> Result<Class, StoreError> {
        let mut last = String::new();
        for n in 0..TRIES {
            if n > 0 {
                self.retries.inc();
                std::thread::sleep(self.backoff * (1 << (n - 1)));
            }
            match req() {
                Ok((Class::Refused, status, code)) => {
                    return Err(StoreError::Refused(refusal(
                        &self.label,
                        status,
                        code.as_deref(),
                    )))
                }
                Ok((Class::Transient, status, code)) => {
                    last = format!(
                        "HTTP {status}{}",
                        code.map(|c| format!(" {c}")).unwrap_or_default()
                    );
                }
                Ok((class, _, _)) => return Ok(class),
                Err(e) => last = e,
            }
        }
        Err(StoreError::Transient(format!(
            "media store {}: {last} (after {TRIES} attempts)",
            self.label
        )))
    }

    fn head(&self, key: &str) -> Result<(Class, u16, Option<String>), String> {
        let url = self
            .bucket
            .head_object(Some(&self.creds), key)
            .sign(SIGNED_FOR);
        let resp = self.agent.head(url.as_str()).call().map_err(transport)?;
        let status = resp.status().as_u16();
        Ok((classify(status, true), status, None))
    }

    fn put(
        &self,
        key: &str,
        file: &Path,
        md5_b64: &str,
    ) -> Result<(Class, u16, Option<String>), String> {
        let mut action = self.bucket.put_object(Some(&self.creds), key);
        action
            .headers_mut()
            .insert("content-md5", md5_b64.to_string());
        let url = action.sign(SIGNED_FOR);
        let body = File::open(file).map_err(|e| format!("temporary file: {e}"))?;
        let mut resp = self
            .agent
            .put(url.as_str())
            .header("content-md5", md5_b64)
            .send(body)
            .map_err(transport)?;
        let status = resp.status().as_u16();
        let class = classify(status, false);
        let code = match class {
            Class::Ok => None,
            _ => resp
                .body_mut()
                .with_config()
                .limit(64 * 1024)
                .read_to_string()
                .ok()
                .and_then(|b| error_code(&b).map(str::to_string)),
        };
        Ok((class, status, code))
    }
}

/// A failure to get an answer at all (timeout, refused connection, DNS): transient. The
/// error names no URL (a presigned one carries the signature).
fn transport(e: ureq::Error) -> String {
    match e {
        ureq::Error::Io(io) => format!("connection: {}", io.kind()),
        ureq::Error::Timeout(t) => format!("timeout ({t})"),
        ureq::Error::HostNotFound => "host not found".into(),
        ureq::Error::ConnectionFailed => "connection failed".into(),
        other => format!("request failed: {}", kind_of(&other)),
    }
}

fn kind_of(e: &ureq::Error) -> String {
    // Debug of the error kind only; the variants that could carry the URL are mapped above
    // or named by their variant.
    let s = format!("{e:?}");
    s.split(['(', ' ', '{'])
        .next()
        .unwrap_or("other")
        .to_string()
}

#[cfg(test)]
#[path = "s3_tests.rs"]
mod moto_tests;

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn statuses_are_classified() {
        assert_eq!(classify(200, true), Class::Ok);
        assert_eq!(classify(404, true), Class::Absent);
        assert_eq!(classify(404, false), Class::Refused, "NoSuchBucket on PUT");
        assert_eq!(classify(403, true), Class::Refused);
        for s in [500, 502, 503, 429, 408] {
            assert_eq!(classify(s, false), Class::Transient, "{s}");
        }
    }

    #[test]
    fn error_codes_are_read_and_name_the_fix() {
        let body =
            "<?xml version=\"1.0\"?><Error><Code>NoSuchBucket</Code><Message>x</Message></Error>";
        assert_eq!(error_code(body), Some("NoSuchBucket"));
        assert_eq!(error_code("<html>bad gateway</html>"), None);
        let r = refusal("s3://b", 404, Some("NoSuchBucket"));
        assert!(r.contains("media_s3_bucket"), "{r}");
        let r = refusal("s3://b", 403, Some("InvalidAccessKeyId"));
        assert!(r.contains("AWS_ACCESS_KEY_ID"), "{r}");
    }

    #[test]
    fn keys_are_path_or_virtual_host_urls_and_secrets_are_redacted() {
        let mut c = S3Config {
            endpoint: "http://127.0.0.1:9000".into(),
            bucket: "wcp-media".into(),
            region: "cn-north-1".into(),
            path_style: true,
            access_key_id: "AKIDEXAMPLE".into(),
            secret_access_key: "wJalrXUtnFEMI".into(),
        };
        let s = S3Store::new(&c, prometheus::IntCounter::new("r", "r").unwrap()).unwrap();
        let key = crate::store::content_key("cn", &"ab".repeat(32));
        assert_eq!(
            s.bucket.object_url(&key).as_str(),
            format!(
                "http://127.0.0.1:9000/wcp-media/cn/sha256/ab/ab/{}",
                "ab".repeat(32)
            )
        );
        assert_eq!(s.label, "s3://wcp-media");
        let dbg = format!("{c:?}");
        assert!(
            !dbg.contains("AKIDEXAMPLE") && !dbg.contains("wJalr"),
            "{dbg}"
        );
        c.path_style = false;
        c.endpoint = "https://s3.cn-north-1.amazonaws.com.cn".into();
        let s = S3Store::new(&c, prometheus::IntCounter::new("r", "r").unwrap()).unwrap();
        assert_eq!(
            s.bucket.object_url("cn/x").as_str(),
            "https://wcp-media.s3.cn-north-1.amazonaws.com.cn/cn/x"
        );
        c.endpoint = "http://127.0.0.1:9000".into();
        let e = S3Store::new(&c, prometheus::IntCounter::new("r", "r").unwrap())
            .err()
            .unwrap();
        assert!(e.contains("media_s3_path_style"), "{e}");
    }
}
