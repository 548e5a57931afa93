//! Who is asking. [`Authed`] is a signed-in person (session cookie → console store); the
//! role guards ([`Reader`], [`Investigator`], [`AuditReader`], [`Admin`]) are extractors, so
//! a handler states in its signature who may call it and a route without one does not
//! compile. Every refusal is decided here, on the server.

use std::net::SocketAddr;

use axum::extract::{ConnectInfo, FromRequestParts};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use wcp_review::roles::Scope;
use wcp_review::{accounts, sessions, Role};

use crate::i18n::{t, Lang};
use crate::state::{lock, now_ms, Shared};

pub const SESSION_COOKIE: &str = "wcp_session";
pub const PRE_COOKIE: &str = "wcp_pre";

/// The value of cookie `name` in the request.
pub fn cookie<'a>(parts: &'a Parts, name: &str) -> Option<&'a str> {
    parts
        .headers
        .get_all(header::COOKIE)
        .iter()
        .filter_map(|v| v.to_str().ok())
        .flat_map(|v| v.split(';'))
        .filter_map(|kv| kv.trim().split_once('='))
        .find(|(k, _)| *k == name)
        .map(|(_, v)| v)
}

pub fn set_cookie(name: &str, value: &str, secure: bool, max_age_s: i64) -> String {
    format!(
        "{name}={value}; Path=/; HttpOnly; SameSite=Strict; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

pub fn lang_of(parts: &Parts) -> Lang {
    let accept = parts
        .headers
        .get(header::ACCEPT_LANGUAGE)
        .and_then(|v| v.to_str().ok());
    Lang::pick(cookie(parts, "lang"), accept)
}

/// The client address: the socket's, or the first X-Forwarded-For hop behind a trusted proxy.
pub fn client_addr(parts: &Parts, trust_forwarded: bool) -> String {
    if trust_forwarded {
        if let Some(f) = parts
            .headers
            .get("x-forwarded-for")
            .and_then(|v| v.to_str().ok())
        {
            if let Some(first) = f.split(',').next() {
                return first.trim().chars().take(64).collect();
            }
        }
    }
    parts
        .extensions
        .get::<ConnectInfo<SocketAddr>>()
        .map(|c| c.0.ip().to_string())
        .unwrap_or_else(|| "unknown".into())
}

/// A signed-in person.
#[derive(Debug, Clone)]
pub struct Authed {
    pub token: String,
    pub user: String,
    pub role: Role,
    pub csrf: String,
    pub queues: Vec<String>,
    pub ip: String,
    pub lang: Lang,
    /// Minutes east of UTC: the zone of every date field and time shown (one for the console).
    pub zone: i32,
}

impl Authed {
    pub fn scope(&self) -> Scope {
        Scope::of(&self.user, self.role, &self.queues)
    }
}

pub enum Reject {
    SignIn,
    MustChange,
    Forbidden(Lang),
    Internal,
}

impl IntoResponse for Reject {
    fn into_response(self) -> Response {
        match self {
            Reject::SignIn => Redirect::to("/signin").into_response(),
            Reject::MustChange => Redirect::to("/password").into_response(),
            Reject::Forbidden(lang) => forbidden(lang),
            Reject::Internal => {
                (StatusCode::INTERNAL_SERVER_ERROR, "internal error").into_response()
            }
        }
    }
}

pub fn forbidden(lang: Lang) -> Response {
    let body = maud::html! {
        (maud::DOCTYPE)
        html lang=(lang.code()) {
            head { meta charset="utf-8"; title { "403" } link rel="stylesheet" href="/static/app.css"; }
            body { main { h1 { "403" } p #forbidden { (t(lang, "forbidden")) } p { a href="/" { (t(lang, "queue")) } } } }
        }
    };
    (StatusCode::FORBIDDEN, body).into_response()
}

impl FromRequestParts<Shared> for Authed {
    type Rejection = Reject;

    async fn from_request_parts(
        parts: &mut Parts,
        state: &Shared,
    ) -> Result<Self, Self::Rejection> {
        let token = cookie(parts, SESSION_COOKIE)
            .ok_or(Reject::SignIn)?
            .to_string();
        let lang = lang_of(parts);
        let ip = client_addr(parts, state.settings.trust_forwarded);
        let path = parts.uri.path().to_string();
        let tok = token.clone();
        let found = state
            .blocking(move |c| {
                let store = lock(&c.console);
                let s = sessions::find(&store, &tok, now_ms())?;
                let u = match &s {
                    Some(s) => accounts::get(&store, &s.username)?,
                    None => None,
                };
                Ok::<_, wcp_review::ReviewError>(s.zip(u))
            })
            .await
            .map_err(|_| Reject::Internal)?;
        let (s, u) = found.ok_or(Reject::SignIn)?;
        if u.disabled || u.role != s.role {
            return Err(Reject::SignIn);
        }
        if u.must_change && path != "/password" && path != "/signout" {
            return Err(Reject::MustChange);
        }
        Ok(Authed {
            token,
            user: s.username,
            role: s.role,
            csrf: s.csrf,
            queues: u.queues,
            ip,
            lang,
            zone: state.settings.utc_offset_minutes,
        })
    }
}

/// Records a role's refusal in the access log before the 403 (trial 18 D9: a reviewer's
/// refused search was missing from the log). The query string is kept as the access log
/// keeps a search's query, cut to 512 characters.
async fn refused(parts: &Parts, state: &Shared, a: &Authed, who_may: &'static str) {
    let target = serde_json::json!({
        "method": parts.method.as_str(),
        "page": parts.uri.path(),
        "query": asked(parts.uri.query().unwrap_or("")),
    });
    let rec = wcp_review::access::AccessRecord {
        actor: a.user.clone(),
        role: a.role.as_str().into(),
        at_ms: now_ms(),
        action: "page_denied".into(),
        from: a.ip.clone(),
        target,
        why: format!("{who_may} only"),
    };
    if let Err(e) = state.blocking(move |c| c.audit(rec)).await {
        // The 403 stands either way; the failure to record it is the operator's to see.
        tracing::error!(error = %e, "a refusal could not be written to the access log");
    }
}

/// A refused page's query as the fields typed (`text: 保本`), not percent-encoding; cut to
/// 512 characters, as it may be anything typed.
fn asked(query: &str) -> serde_json::Value {
    let q: String = query.chars().take(512).collect();
    match serde_urlencoded::from_str::<Vec<(String, String)>>(&q) {
        Ok(pairs) => pairs
            .into_iter()
            .filter(|(_, v)| !v.trim().is_empty())
            .map(|(k, v)| (k, serde_json::Value::from(v)))
            .collect::<serde_json::Map<_, _>>()
            .into(),
        Err(_) => q.into(),
    }
}

macro_rules! guard {
    ($(#[$doc:meta])* $name:ident, $allowed:expr, $who_may:literal) => {
        $(#[$doc])*
        pub struct $name(pub Authed);

        impl FromRequestParts<Shared> for $name {
            type Rejection = Reject;

            async fn from_request_parts(parts: &mut Parts, state: &Shared) -> Result<Self, Self::Rejection> {
                let a = Authed::from_request_parts(parts, state).await?;
                let allowed: fn(Role) -> bool = $allowed;
                if allowed(a.role) {
                    Ok($name(a))
                } else {
                    refused(parts, state, &a, $who_may).await;
                    Err(Reject::Forbidden(a.lang))
                }
            }
        }
    };
}

guard!(
    /// Reads chat content: reviewers (their queues) and investigators.
    Reader,
    Role::reads_content,
    "reviewers and investigators"
);
guard!(
    /// Everything content: every queue, the whole archive, holds, exports.
    Investigator,
    Role::investigates,
    "investigators"
);
guard!(
    /// The access log and integrity pages: auditors and admins.
    AuditReader,
    Role::reads_audit,
    "auditors and admins"
);
guard!(
    /// Accounts, roles and queue assignments.
    Admin,
    Role::administers,
    "admins"
);
