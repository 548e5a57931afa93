//! Accounts for admins: add a local account (a one-time password is shown once) or an
//! OpenID Connect one (its identity at the provider; no password), change a role or
//! queues, disable. No chat content here.

use axum::extract::State;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use wcp_review::accounts::{self, User};
use wcp_review::{sessions, Role};

use crate::auth::{Admin, Authed};
use crate::i18n::t;
use crate::layout::{csrf, page, problem};
use crate::pages::alert::access;
use crate::state::{lock, now_ms, Shared};

pub async fn show(State(state): State<Shared>, Admin(a): Admin) -> Response {
    render(&state, &a, None, None).await
}

async fn render(
    state: &Shared,
    a: &Authed,
    error: Option<String>,
    created: Option<(String, String)>,
) -> Response {
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            c.audit(access(&a2, "view_users", serde_json::Value::Null, ""))?;
            accounts::list(&lock(&c.console))
        })
        .await;
    let users = match res {
        Ok(u) => u,
        Err(e) => return crate::error_page(a, e),
    };
    let l = a.lang;
    page(a, t(l, "users"), html! {
        @if let Some(e) = &error { (problem(e)) }
        @if let Some((u, p)) = &created { p.flash #created { "One-time password for " strong { (u) } ": " code #otp { (p) } " (shown once)" } }
        table #users {
            thead { tr { th { (t(l, "username")) } th { (t(l, "role")) } th { (t(l, "queues")) } th { (t(l, "status")) } } }
            tbody { @for u in &users { tr { td { (u.username) } td { (u.role.as_str()) } td { (u.queues.join(" ")) } td { @if u.disabled { "disabled" } @else if u.oidc_subject.is_some() { "OIDC" } @else { "local" } } } } }
        }
        h2 { (t(l, "save")) }
        form #user-form method="post" action="/admin/users" {
            (csrf(a))
            label { (t(l, "username")) input name="username" required; }
            label { (t(l, "role")) select name="role" { @for r in Role::ALL { option value=(r.as_str()) { (r.as_str()) } } } }
            label { (t(l, "queues")) input name="queues" placeholder="off_channel insider_information sample *"; }
            label { "OIDC subject" input name="oidc_subject" placeholder="sub (or e-mail with oidc_user_claim = email)"; }
            label { input type="checkbox" name="disabled" value="1"; " disabled" }
            button type="submit" { (t(l, "save")) }
        }
    })
    .into_response()
}

#[derive(Deserialize)]
pub struct UserForm {
    username: String,
    role: String,
    queues: Option<String>,
    disabled: Option<String>,
    /// The identity at the provider: set for a new OIDC account or to link one; empty
    /// keeps what the account has.
    oidc_subject: Option<String>,
}

pub async fn save(
    State(state): State<Shared>,
    Admin(a): Admin,
    Form(f): Form<UserForm>,
) -> Response {
    let Some(role) = Role::parse(&f.role) else {
        return render(&state, &a, Some(format!("role {:?}", f.role)), None).await;
    };
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let mut store = lock(&c.console);
            let existing = accounts::get(&store, f.username.trim())?;
            let subject = f.oidc_subject.as_deref().map(str::trim).filter(|s| !s.is_empty()).map(String::from);
            let oidc_subject = subject.or_else(|| existing.as_ref().and_then(|u| u.oidc_subject.clone()));
            let user = User {
                username: f.username.trim().to_string(),
                role,
                queues: f.queues.as_deref().unwrap_or("").split_whitespace().map(String::from).collect(),
                // An OIDC account has no password to replace.
                must_change: oidc_subject.is_none() && existing.as_ref().is_none_or(|u| u.must_change),
                disabled: f.disabled.is_some(),
                oidc_subject,
            };
            let password = if existing.is_none() && user.oidc_subject.is_none() { Some(accounts::random_password()?) } else { None };
            accounts::put(&mut store, user.clone(), password.as_deref(), &a2.user, if existing.is_none() { "add" } else { "update" }, now_ms())?;
            // A changed role or a disabled account takes effect now, not at the next sign-in.
            sessions::end_all(&store, &user.username, now_ms())?;
            drop(store);
            c.audit(access(&a2, "user_save", serde_json::json!({ "user": user.username, "role": role.as_str(), "queues": user.queues, "disabled": user.disabled, "oidc": user.oidc_subject.is_some() }), ""))?;
            Ok::<_, wcp_review::ReviewError>(password.map(|p| (user.username, p)))
        })
        .await;
    match res {
        Ok(created) => render(&state, &a, None, created).await,
        Err(e) => render(&state, &a, Some(e.to_string()), None).await,
    }
}
