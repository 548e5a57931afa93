//! `wcp-capture consent-import --input FILE`: asks WeCom's server API whether each external
//! contact of the input (JSON lines: `{"userid","external_userid"}` or `{"roomid"}`) agreed
//! to the archive, and writes the answers to `consent.ledger` (key: the contact) in one
//! transaction. HTTP with a timeout per request, retries with a backoff for network
//! failures, 5xx and busy answers, and a new access token when it expired. Queries WeCom
//! refuses are reported (exit 1) and the others still written.

use std::collections::BTreeMap;
use std::time::Duration;

use wcp_model::topics;
use wcp_runtime::{codec, Config, Metrics, RunCtx};

use crate::consent_api::{self, ApiError, Query};
use crate::recover::{counts, Failure};
use crate::settings::{CaptureKeys, Settings};
use crate::tx::{Tx, TxError};

struct Http {
    agent: ureq::Agent,
    base: String,
    retries: u32,
    corp_id: String,
    secret: String,
    token: Option<String>,
}

/// One answer: the HTTP status and the body.
fn exchange(req: Result<ureq::http::Response<ureq::Body>, ureq::Error>) -> Result<Vec<u8>, String> {
    let mut resp = req.map_err(|e| format!("request failed: {e}"))?;
    let status = resp.status().as_u16();
    let body = resp
        .body_mut()
        .read_to_vec()
        .map_err(|e| format!("reading the answer: {e}"))?;
    match status {
        200 => Ok(body),
        s => Err(format!("HTTP {s}")),
    }
}

impl Http {
    fn new(raw: &CaptureKeys, s: &Settings) -> Result<Http, Failure> {
        let num = |k: &str, d: u64| match raw.get(k) {
            None => Ok(d),
            Some(v) => v
                .trim()
                .parse::<u64>()
                .map_err(|_| Failure::Usage(format!("{k}: `{v}` is not a number"))),
        };
        let timeout = Duration::from_secs(num("consent_timeout_s", 10)?.max(1));
        let retries = num("consent_retries", 4)? as u32;
        let tls = ureq::tls::TlsConfig::builder()
            .provider(ureq::tls::TlsProvider::NativeTls)
            .build();
        let agent = ureq::Agent::config_builder()
            .timeout_global(Some(timeout))
            .http_status_as_error(false)
            .tls_config(tls)
            .build()
            .into();
        Ok(Http {
            agent,
            base: raw
                .get("wecom_api_base")
                .unwrap_or("https://qyapi.weixin.qq.com")
                .trim_end_matches('/')
                .to_string(),
            retries,
            corp_id: s.corp_id.clone(),
            secret: s.secret.clone(),
            token: None,
        })
    }

    /// `f` until it answers, retrying transient failures (never logs a URL: it holds the
    /// secret or the token).
    fn retrying<T>(
        &mut self,
        what: &str,
        mut f: impl FnMut(&mut Http) -> Result<T, Attempt>,
    ) -> Result<T, String> {
        let mut last = String::new();
        for attempt in 0..=self.retries {
            if attempt > 0 {
                std::thread::sleep(Duration::from_millis(200 << attempt.min(6)));
            }
            match f(self) {
                Ok(v) => return Ok(v),
                Err(Attempt::Again(why)) => last = why,
                Err(Attempt::Stop(why)) => return Err(why),
            }
            tracing::warn!(what, attempt, error = %last, "WeCom API call failed; retrying");
        }
        Err(format!("{last} (after {} attempts)", self.retries + 1))
    }

    fn token(&mut self) -> Result<String, String> {
        if let Some(t) = &self.token {
            return Ok(t.clone());
        }
        let t = self.retrying("gettoken", |h| {
            let url = format!("{}/cgi-bin/gettoken", h.base);
            let req = h
                .agent
                .get(&url)
                .query("corpid", &h.corp_id)
                .query("corpsecret", &h.secret)
                .call();
            let body = exchange(req).map_err(Attempt::Again)?;
            consent_api::token(&body).map_err(Attempt::from)
        })?;
        self.token = Some(t.clone());
        Ok(t)
    }

    fn ask(&mut self, q: &Query) -> Result<Vec<wcp_model::ConsentRecord>, String> {
        let (path, body) = q.request();
        self.retrying(path, |h| {
            let token = h.token().map_err(Attempt::Stop)?;
            let url = format!("{}{path}", h.base);
            let req = h
                .agent
                .post(&url)
                .query("access_token", &token)
                .header("content-type", "application/json")
                .send(&body[..]);
            let answer = exchange(req).map_err(Attempt::Again)?;
            consent_api::records(q, &answer).map_err(|e| {
                if matches!(e, ApiError::Token(_)) {
                    h.token = None;
                }
                Attempt::from(e)
            })
        })
    }
}

enum Attempt {
    Again(String),
    Stop(String),
}

impl From<ApiError> for Attempt {
    fn from(e: ApiError) -> Attempt {
        match e {
            ApiError::Token(_) | ApiError::Busy(..) => Attempt::Again(e.to_string()),
            ApiError::Refused(..) | ApiError::Json(_) => Attempt::Stop(e.to_string()),
        }
    }
}

/// The queries of the input file; every bad line named (file:line) before anything is asked.
fn queries(path: &str) -> Result<Vec<Query>, Failure> {
    let text = std::fs::read_to_string(path)
        .map_err(|e| Failure::Usage(format!("--input {path}: {e}")))?;
    let mut out = Vec::new();
    let mut bad = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        match serde_json::from_str::<Query>(line) {
            Ok(q) => out.push(q),
            Err(_) => bad.push(format!(
                "{path}:{}: expected {{\"userid\",\"external_userid\"}} or {{\"roomid\"}}",
                i + 1
            )),
        }
    }
    if !bad.is_empty() {
        return Err(Failure::Usage(bad.join("\n")));
    }
    Ok(out)
}

pub fn run(args: &[String]) -> Result<String, Failure> {
    let mut input = None;
    let mut rest = Vec::new();
    let mut it = args.iter();
    while let Some(a) = it.next() {
        if a == "--input" {
            input = Some(
                it.next()
                    .ok_or(Failure::Usage("--input needs a file".into()))?,
            );
        } else {
            rest.push(a.clone());
        }
    }
    let input = input.ok_or(Failure::Usage("--input FILE is required".into()))?;
    let qs = queries(input)?;
    let env: Vec<(String, String)> = std::env::vars().collect();
    let (cfg, raw) = Config::from_sources::<CaptureKeys>("capture", &rest, &env)?;
    let s = Settings::resolve(&raw, &|k| std::env::var(k).ok())?;
    let mut http = Http::new(&raw, &s)?;
    let mut outs = Vec::new();
    let mut failed: BTreeMap<String, usize> = BTreeMap::new();
    let (mut agreed, mut disagreed) = (0, 0);
    for q in &qs {
        match http.ask(q) {
            Ok(recs) => {
                for r in recs {
                    if r.agreed {
                        agreed += 1
                    } else {
                        disagreed += 1
                    }
                    let key = r.contact.clone().into_bytes();
                    outs.push(codec::encode(topics::CONSENT_LEDGER, Some(key), &r)?);
                }
            }
            Err(why) => {
                tracing::error!(error = %why, "a consent query failed");
                *failed.entry(why).or_default() += 1;
            }
        }
    }
    let ctx = RunCtx::new(Metrics::new().without_archive(), cfg.shutdown_deadline_ms);
    if !outs.is_empty() {
        let mut tx = Tx::start(&cfg, &format!("{}.consent", s.corp_id), &ctx)?;
        match tx.commit(&ctx, &outs) {
            Ok(()) => {}
            Err(TxError::Fatal(e)) => return Err(Failure::Run(e.to_string())),
            Err(_) => {
                return Err(Failure::Run(
                    "the consent.ledger transaction failed; nothing was written, run again".into(),
                ))
            }
        }
    }
    let report = format!(
        "queries: {}\nledger records written: {} (agreed {agreed}, disagreed {disagreed})\nqueries failed: {} ({})",
        qs.len(),
        outs.len(),
        failed.values().sum::<usize>(),
        counts(&failed)
    );
    if failed.is_empty() {
        Ok(report)
    } else {
        Err(Failure::Run(report))
    }
}
