//! OpenID Connect sign-in routes: `/oidc/login` sends the browser to the provider with a
//! fresh state, nonce and PKCE challenge; `/oidc/callback` takes the code back, has the
//! provider's ID token verified, and starts the same session as a local sign-in for the
//! account provisioned with that identity. Every outcome is an access record.

use axum::extract::{Query, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;
use serde::Deserialize;
use wcp_review::access::AccessRecord;
use wcp_review::{accounts, sessions};

use crate::auth::{client_addr, cookie, lang_of, set_cookie, SESSION_COOKIE};
use crate::i18n::Lang;
use crate::layout::{bare, problem};
use crate::oidc::flow::{account_key, admit, Refusal};
use crate::pages::signin::home_of;
use crate::state::{lock, now_ms, Shared};

/// The browser's handle on its sign-in in progress. SameSite=Lax, not Strict: the provider
/// sends the browser back with a cross-site navigation, which must carry it.
pub const LOGIN_COOKIE: &str = "wcp_oidc";

fn login_cookie(value: &str, secure: bool, max_age_s: i64) -> String {
    format!(
        "{LOGIN_COOKIE}={value}; Path=/oidc; HttpOnly; SameSite=Lax; Max-Age={max_age_s}{}",
        if secure { "; Secure" } else { "" }
    )
}

fn refused_page(lang: Lang, status: StatusCode, r: &Refusal, provider: &str) -> Response {
    let zh = lang == Lang::Zh;
    let msg = match r {
        Refusal::UnknownIdentity(k) if zh => format!(
            "{provider} 账号 {k} 没有本审查台的访问权限。请管理员为其开通（wcp review user add --oidc-subject {k}）。"
        ),
        Refusal::UnknownIdentity(k) => format!(
            "Your {provider} account ({k}) has no access to this console. Ask an administrator to \
             provision it (wcp review user add --oidc-subject {k}, or the Users page)."
        ),
        Refusal::Disabled(_) if zh => "该账号已停用。".into(),
        Refusal::Disabled(_) => "This account is disabled.".into(),
        Refusal::TooMany => crate::i18n::t(lang, "too_many").into(),
        r if r.retry() && zh => "登录未完成或已过期，请重新登录。".into(),
        r if r.retry() => "The sign-in did not complete or has expired. Please sign in again.".into(),
        _ if zh => format!("{provider} 登录被拒绝。"),
        _ => format!("Sign-in with {provider} was refused."),
    };
    let body = bare(
        lang,
        crate::i18n::t(lang, "sign_in"),
        html! {
            div #oidc-refused { (problem(&msg)) }
            p { a href="/signin" { (crate::i18n::t(lang, "sign_in")) } }
        },
    );
    (status, body).into_response()
}

/// Starts a sign-in at the provider.
pub async fn login(State(state): State<Shared>, parts: Parts) -> Response {
    let lang = lang_of(&parts);
    let Some(oidc) = state.oidc.get() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    match oidc.begin().await {
        Ok((url, login)) => {
            let Ok(key) = sessions::random_token() else {
                return StatusCode::INTERNAL_SERVER_ERROR.into_response();
            };
            lock(&oidc.pending).insert(key.clone(), now_ms(), login);
            let ttl_s = crate::oidc::flow::LOGIN_TTL_MS / 1000;
            let c = login_cookie(&key, state.settings.secure_cookies, ttl_s);
            ([(header::SET_COOKIE, c)], Redirect::to(&url)).into_response()
        }
        Err(r) => {
            // The provider's address and the transport error only: nothing of a person.
            tracing::warn!(reason = %r.reason(), detail = %r.detail(), "OIDC sign-in could not start");
            refused_page(
                lang,
                StatusCode::BAD_GATEWAY,
                &r,
                &oidc.config.provider_name,
            )
        }
    }
}

#[derive(Deserialize)]
pub struct Callback {
    code: Option<String>,
    state: Option<String>,
    error: Option<String>,
}

/// The provider sends the browser back here with `code` and `state` (or `error`).
pub async fn callback(
    State(state): State<Shared>,
    parts: Parts,
    Query(q): Query<Callback>,
) -> Response {
    let lang = lang_of(&parts);
    let Some(oidc) = state.oidc.get() else {
        return StatusCode::NOT_FOUND.into_response();
    };
    let ip = client_addr(&parts, state.settings.trust_forwarded);
    let ki = format!("ip:{ip}");
    let outcome = async {
        if !lock(&state.limiter).allowed(&ki, now_ms()) {
            return Err(Refusal::TooMany);
        }
        let login = cookie(&parts, LOGIN_COOKIE)
            .and_then(|k| lock(&oidc.pending).take(k, now_ms()))
            .ok_or(Refusal::NoLogin)?;
        if let Some(e) = &q.error {
            let code: String = e.chars().take(64).collect();
            return Err(Refusal::Denied(format!("authorization: {code}")));
        }
        if !login.state_matches(q.state.as_deref().unwrap_or("")) {
            return Err(Refusal::StateMismatch);
        }
        let code = q
            .code
            .clone()
            .ok_or(Refusal::Denied("no code returned".into()))?;
        let id = oidc.finish(code, login).await?;
        account_key(oidc.config.user_claim, &id)
    }
    .await;
    let ttl = state.settings.session_ttl_ms;
    let result = state
        .blocking(move |c| {
            let now = now_ms();
            let rec = |action: &str, who: &str, role: &str, why: String| {
                AccessRecord::sign_in(action, who, role, &ip, "oidc", why, now)
            };
            let admitted = outcome.and_then(|key| {
                let found = accounts::by_subject(&lock(&c.console), &key)
                    .map_err(|e| Refusal::Provider(format!("account store: {e}")))?;
                admit(&key, found)
            });
            match admitted {
                Ok(u) => {
                    let (token, _) =
                        sessions::start(&lock(&c.console), &u.username, u.role, now, ttl)?;
                    c.audit(rec("sign_in", &u.username, u.role.as_str(), String::new()))?;
                    Ok::<_, wcp_review::ReviewError>(Ok((token, u.role)))
                }
                Err(r) => {
                    if !matches!(r, Refusal::TooMany) {
                        lock(&c.limiter).failed(&ki, now);
                    }
                    // The identity when the provider vouched for it, else nobody yet.
                    let who = match &r {
                        Refusal::UnknownIdentity(k) | Refusal::Disabled(k) => k.as_str(),
                        _ => "",
                    };
                    let why = match r.detail() {
                        d if d.is_empty() => r.reason(),
                        d => format!("{}: {d}", r.reason()),
                    };
                    c.audit(rec("sign_in_failed", who, "", why))?;
                    Ok(Err(r))
                }
            }
        })
        .await;
    let secure = state.settings.secure_cookies;
    let clear = login_cookie("", secure, 0);
    match result {
        Ok(Ok((token, role))) => {
            let session = set_cookie(SESSION_COOKIE, &token, secure, ttl / 1000);
            // A page, not a redirect: the browser arrived here from the provider's site,
            // and a redirect would keep that cross-site origin, so the SameSite=Strict
            // session cookie would not go with it. A navigation from this page does.
            let home = home_of(role);
            let body = bare(
                lang,
                crate::i18n::t(lang, "sign_in"),
                html! {
                    meta http-equiv="refresh" content=(format!("0;url={home}"));
                    p #oidc-done { a href=(home) { (crate::i18n::t(lang, "queue")) } }
                },
            );
            // Appended, not a header array: that would insert, keeping only the last cookie.
            let mut res = ([(header::SET_COOKIE, session)], body).into_response();
            if let Ok(v) = clear.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Ok(Err(r)) => {
            tracing::info!(reason = %r.reason(), "OIDC sign-in refused");
            let status = match r {
                Refusal::TooMany => StatusCode::TOO_MANY_REQUESTS,
                Refusal::Provider(_) => StatusCode::BAD_GATEWAY,
                Refusal::UnknownIdentity(_) | Refusal::Disabled(_) => StatusCode::FORBIDDEN,
                _ => StatusCode::UNAUTHORIZED,
            };
            let mut res = refused_page(lang, status, &r, &oidc.config.provider_name);
            if let Ok(v) = clear.parse() {
                res.headers_mut().append(header::SET_COOKIE, v);
            }
            res
        }
        Err(e) => {
            tracing::error!(error = %e, "OIDC sign-in failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}
