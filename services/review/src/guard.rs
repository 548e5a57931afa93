//! Two layers every request passes: CSRF on every state change (a POST must carry the form
//! token of its session — or of the sign-in page's pre-session cookie — and must not come
//! from another site), and the security headers of every response (a CSP without inline
//! script, no framing, no sniffing, no caching of pages).

use axum::body::{to_bytes, Body};
use axum::extract::{Request, State};
use axum::http::request::Parts;
use axum::http::{header, HeaderValue, Method, StatusCode};
use axum::middleware::Next;
use axum::response::{IntoResponse, Response};
use wcp_review::access::AccessRecord;
use wcp_review::sessions;

use crate::auth::{client_addr, cookie, PRE_COOKIE, SESSION_COOKIE};
use crate::state::{lock, now_ms, Shared};

/// Largest form body accepted (a bulk action on a few hundred items fits easily).
const MAX_FORM_BYTES: usize = 1 << 20;

fn refuse(why: &'static str) -> Response {
    (StatusCode::FORBIDDEN, format!("request refused: {why}\n")).into_response()
}

pub async fn csrf(State(state): State<Shared>, req: Request, next: Next) -> Response {
    if req.method() != Method::POST {
        return next.run(req).await;
    }
    let (parts, body) = req.into_parts();
    let signin = parts.uri.path() == "/signin";
    // The session the post claims, so a refusal of a signed-in person is in the access log.
    let session = match cookie(&parts, SESSION_COOKIE).map(str::to_string) {
        Some(token) if !signin => {
            state
                .blocking(move |c| {
                    sessions::find(&lock(&c.console), &token, now_ms())
                        .ok()
                        .flatten()
                })
                .await
        }
        _ => None,
    };
    // Browsers send Sec-Fetch-Site; a cross-site form post is refused whatever it carries.
    if let Some(site) = parts
        .headers
        .get("sec-fetch-site")
        .and_then(|v| v.to_str().ok())
    {
        if site != "same-origin" && site != "none" {
            return refuse_logged(&state, &parts, session, "cross-site request").await;
        }
    }
    let expected = if signin {
        cookie(&parts, PRE_COOKIE).map(str::to_string)
    } else {
        session.as_ref().map(|s| s.csrf.clone())
    };
    let Some(expected) = expected else {
        return refuse("no session (sign in again)");
    };
    let bytes = match to_bytes(body, MAX_FORM_BYTES).await {
        Ok(b) => b,
        Err(_) => return (StatusCode::PAYLOAD_TOO_LARGE, "form too large\n").into_response(),
    };
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&bytes).unwrap_or_default();
    let given = pairs
        .iter()
        .find(|(k, _)| k == "csrf")
        .map(|(_, v)| v.as_str())
        .unwrap_or("");
    if !sessions::same_token(given, &expected) {
        let why = "missing or wrong form token (reload the page)";
        return refuse_logged(&state, &parts, session, why).await;
    }
    next.run(Request::from_parts(parts, Body::from(bytes)))
        .await
}

/// A refused post of a signed-in person is a `request_denied` record (trial 18 D9: every
/// refusal is logged); one without a session has nobody to name and is only refused.
async fn refuse_logged(
    state: &Shared,
    parts: &Parts,
    session: Option<sessions::Session>,
    why: &'static str,
) -> Response {
    if let Some(s) = session {
        let rec = AccessRecord {
            actor: s.username,
            role: s.role.as_str().into(),
            at_ms: now_ms(),
            action: "request_denied".into(),
            from: client_addr(parts, state.settings.trust_forwarded),
            target: serde_json::json!({ "method": "POST", "page": parts.uri.path() }),
            why: why.into(),
        };
        if let Err(e) = state.blocking(move |c| c.audit(rec)).await {
            tracing::error!(error = %e, "a refusal could not be written to the access log");
        }
    }
    refuse(why)
}

pub const CSP: &str =
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; \
    connect-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'";

pub async fn headers(req: Request, next: Next) -> Response {
    let mut res = next.run(req).await;
    let h = res.headers_mut();
    h.insert(
        header::CONTENT_SECURITY_POLICY,
        HeaderValue::from_static(CSP),
    );
    h.insert(
        header::X_CONTENT_TYPE_OPTIONS,
        HeaderValue::from_static("nosniff"),
    );
    h.insert(header::X_FRAME_OPTIONS, HeaderValue::from_static("DENY"));
    h.insert(
        header::REFERRER_POLICY,
        HeaderValue::from_static("no-referrer"),
    );
    if !h.contains_key(header::CACHE_CONTROL) {
        h.insert(header::CACHE_CONTROL, HeaderValue::from_static("no-store"));
    }
    res
}
