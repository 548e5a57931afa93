//! Sign-in, sign-out, the first password change, and the language switch.

use axum::extract::{Path, State};
use axum::http::request::Parts;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::{html, Markup};
use serde::Deserialize;
use wcp_review::access::AccessRecord;
use wcp_review::{accounts, sessions, Role};

use crate::auth::{client_addr, lang_of, set_cookie, Authed, PRE_COOKIE, SESSION_COOKIE};
use crate::i18n::{t, Lang};
use crate::layout::{bare, csrf, page, problem};
use crate::state::{lock, now_ms, Shared};

pub fn home_of(role: Role) -> &'static str {
    match role {
        Role::Reviewer | Role::Investigator => "/queue",
        Role::Auditor => "/audit",
        Role::Admin => "/admin/users",
    }
}

/// The sign-in page: "Sign in with <provider>" when OpenID Connect is configured, and the
/// local form unless `local_signin = false`.
fn form(state: &Shared, lang: Lang, pre: &str, error: Option<&str>) -> Markup {
    let provider = state.oidc.get().map(|o| o.config.provider_name.as_str());
    bare(
        lang,
        t(lang, "sign_in"),
        html! {
            @if let Some(e) = error { (problem(e)) }
            @if let Some(p) = provider {
                p { a #oidc-signin.button href="/oidc/login" {
                    @if lang == Lang::Zh { "使用 " (p) " 登录" } @else { "Sign in with " (p) }
                } }
            }
            @if state.settings.local_signin {
                form #signin method="post" action="/signin" {
                    input type="hidden" name="csrf" value=(pre);
                    label { (t(lang, "username")) input name="username" autocomplete="username" required autofocus; }
                    label { (t(lang, "password")) input name="password" type="password" autocomplete="current-password" required; }
                    button type="submit" { (t(lang, "sign_in")) }
                }
            }
        },
    )
}

/// The sign-in page; sets the pre-session cookie its form token is checked against.
pub async fn show(State(state): State<Shared>, parts: Parts) -> Response {
    let pre = sessions::random_token().unwrap_or_default();
    let cookie = set_cookie(PRE_COOKIE, &pre, state.settings.secure_cookies, 1800);
    let lang = lang_of(&parts);
    let page = form(&state, lang, &pre, None);
    ([(header::SET_COOKIE, cookie)], page).into_response()
}

#[derive(Deserialize)]
pub struct SignIn {
    username: String,
    password: String,
}

pub async fn submit(State(state): State<Shared>, parts: Parts, Form(f): Form<SignIn>) -> Response {
    let lang = lang_of(&parts);
    let ip = client_addr(&parts, state.settings.trust_forwarded);
    let pre = crate::auth::cookie(&parts, PRE_COOKIE)
        .unwrap_or_default()
        .to_string();
    if !state.settings.local_signin {
        let msg = match lang {
            Lang::Zh => "本审查台已关闭本地账号登录。",
            Lang::En => "Local sign-in is turned off on this console.",
        };
        return (StatusCode::FORBIDDEN, form(&state, lang, &pre, Some(msg))).into_response();
    }
    let ttl = state.settings.session_ttl_ms;
    let result = state
        .blocking(move |c| {
            let now = now_ms();
            let (ku, ki) = (format!("u:{}", f.username), format!("ip:{ip}"));
            {
                let mut l = lock(&c.limiter);
                if !l.allowed(&ku, now) || !l.allowed(&ki, now) {
                    return Ok::<_, wcp_review::ReviewError>(Err(StatusCode::TOO_MANY_REQUESTS));
                }
            }
            let user = accounts::authenticate(&lock(&c.console), &f.username, &f.password)?;
            let rec = |action: &str, who: &str, role: &str| {
                AccessRecord::sign_in(action, who, role, &ip, "password", String::new(), now)
            };
            match user {
                None => {
                    let mut l = lock(&c.limiter);
                    l.failed(&ku, now);
                    l.failed(&ki, now);
                    drop(l);
                    c.audit(rec("sign_in_failed", &f.username, ""))?;
                    Ok(Err(StatusCode::UNAUTHORIZED))
                }
                Some(u) => {
                    lock(&c.limiter).succeeded(&ku);
                    let (token, _) =
                        sessions::start(&lock(&c.console), &u.username, u.role, now, ttl)?;
                    c.audit(rec("sign_in", &u.username, u.role.as_str()))?;
                    Ok(Ok((token, u.role)))
                }
            }
        })
        .await;
    match result {
        Ok(Ok((token, role))) => {
            let cookie = set_cookie(
                SESSION_COOKIE,
                &token,
                state.settings.secure_cookies,
                ttl / 1000,
            );
            ([(header::SET_COOKIE, cookie)], Redirect::to(home_of(role))).into_response()
        }
        Ok(Err(code)) => {
            let msg = if code == StatusCode::TOO_MANY_REQUESTS {
                t(lang, "too_many")
            } else {
                t(lang, "bad_signin")
            };
            (code, form(&state, lang, &pre, Some(msg))).into_response()
        }
        Err(e) => {
            tracing::error!(error = %e, "sign-in failed");
            StatusCode::INTERNAL_SERVER_ERROR.into_response()
        }
    }
}

pub async fn signout(State(state): State<Shared>, a: Authed) -> Response {
    let a2 = a.clone();
    let r = state
        .blocking(move |c| {
            sessions::end(&lock(&c.console), &a2.token, now_ms())?;
            lock(&c.unmasked).remove(&a2.token);
            c.audit(AccessRecord {
                actor: a2.user.clone(),
                role: a2.role.as_str().into(),
                at_ms: now_ms(),
                action: "sign_out".into(),
                from: a2.ip.clone(),
                target: serde_json::Value::Null,
                why: String::new(),
            })
        })
        .await;
    if let Err(e) = r {
        tracing::error!(error = %e, "sign-out");
    }
    let clear = set_cookie(SESSION_COOKIE, "", state.settings.secure_cookies, 0);
    ([(header::SET_COOKIE, clear)], Redirect::to("/signin")).into_response()
}

pub async fn password_page(a: Authed) -> Markup {
    password_form(&a, None)
}

fn password_form(a: &Authed, error: Option<&str>) -> Markup {
    let l = a.lang;
    page(
        a,
        t(l, "change_password"),
        html! {
            p { (t(l, "one_time")) }
            @if let Some(e) = error { (problem(e)) }
            form #password method="post" action="/password" {
                (csrf(a))
                label { (t(l, "new_password")) input name="password" type="password" autocomplete="new-password" required minlength="12"; }
                button type="submit" { (t(l, "save")) }
            }
        },
    )
}

#[derive(Deserialize)]
pub struct NewPassword {
    password: String,
}

pub async fn password_submit(
    State(state): State<Shared>,
    a: Authed,
    Form(f): Form<NewPassword>,
) -> Response {
    if let Err(e) = accounts::validate_password(&f.password) {
        return (
            StatusCode::BAD_REQUEST,
            password_form(&a, Some(&e.to_string())),
        )
            .into_response();
    }
    let a2 = a.clone();
    let r = state
        .blocking(move |c| {
            let mut store = lock(&c.console);
            let mut u =
                accounts::get(&store, &a2.user)?.ok_or(wcp_review::ReviewError::NotFound)?;
            // A password would be a second way in, past the provider (which may have
            // disabled the person since).
            if u.oidc_subject.is_some() {
                return Err(wcp_review::ReviewError::Refused(
                    "this account signs in through OpenID Connect and has no password".into(),
                ));
            }
            if accounts::is_current_password(&store, &a2.user, &f.password)? {
                return Ok(false);
            }
            u.must_change = false;
            accounts::put(
                &mut store,
                u,
                Some(&f.password),
                &a2.user,
                "password",
                now_ms(),
            )?;
            drop(store);
            c.audit(AccessRecord {
                actor: a2.user.clone(),
                role: a2.role.as_str().into(),
                at_ms: now_ms(),
                action: "password_change".into(),
                from: a2.ip.clone(),
                target: serde_json::Value::Null,
                why: String::new(),
            })
            .map(|()| true)
        })
        .await;
    match r {
        Ok(true) => Redirect::to(home_of(a.role)).into_response(),
        Ok(false) => (
            StatusCode::BAD_REQUEST,
            password_form(&a, Some(t(a.lang, "same_password"))),
        )
            .into_response(),
        Err(e) => (
            StatusCode::BAD_REQUEST,
            password_form(&a, Some(&e.to_string())),
        )
            .into_response(),
    }
}

/// Sets the interface language (a preference cookie; no server state changes).
pub async fn lang(Path(code): Path<String>, parts: Parts) -> Response {
    let code = if code == "zh" { "zh" } else { "en" };
    let back = parts
        .headers
        .get(header::REFERER)
        .and_then(|v| v.to_str().ok())
        .and_then(|r| {
            r.find("://")
                .and_then(|i| r[i + 3..].find('/').map(|j| r[i + 3 + j..].to_string()))
        })
        .filter(|p| p.starts_with('/') && !p.starts_with("//"))
        .unwrap_or_else(|| "/".into());
    let cookie = format!("lang={code}; Path=/; SameSite=Lax; Max-Age=31536000");
    ([(header::SET_COOKIE, cookie)], Redirect::to(&back)).into_response()
}
