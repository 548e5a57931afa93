//! wcp-review: the review console, as a library so the same application runs as the
//! `wcp-review` service and inside `wcp review --dir OUT`.
//!
//! Layout: `state` (stores, settings, the blocking bridge), `auth` (session extractor and
//! role guards), `guard` (CSRF and security headers on every request), `layout`/`i18n`
//! (page chrome, English and Chinese text), `oidc` (OpenID Connect sign-in), `view` (how a message is shown: the one place
//! PII masking is decided), `disposed` (an expired message's placeholder), `pages/*` (one file per screen), `feed` (alerts and samples
//! into the queue), `metrics`.

pub mod auth;
pub mod consume;
pub mod dir;
pub mod disposed;
pub mod done;
pub mod explain;
pub mod feed;
pub mod follow;
pub mod guard;
pub mod i18n;
pub mod layout;
pub mod metrics;
pub mod oidc;
pub mod pages;
pub mod pseudonyms;
pub mod region;
pub mod route;
pub mod state;
pub mod view;

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::{header, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;

use crate::auth::Authed;
use crate::pages::{
    admin, alert, audit, bulk, consent, export, holds, integrity, oidc as oidc_pages, queue,
    search, signin,
};
pub use crate::state::{Console, Region, Settings, Shared};

/// A failure the person cannot fix (the store is unavailable…): logged without content.
pub fn error_page(a: &Authed, e: wcp_review::ReviewError) -> Response {
    if let wcp_review::ReviewError::Refused(why) | wcp_review::ReviewError::Invalid(why) = &e {
        let body = layout::page(a, "400", layout::problem(why));
        return (StatusCode::BAD_REQUEST, body).into_response();
    }
    tracing::error!(error = %e, "request failed");
    (
        StatusCode::INTERNAL_SERVER_ERROR,
        "internal error; see the console's log\n",
    )
        .into_response()
}

async fn home(a: Authed) -> Redirect {
    Redirect::to(signin::home_of(a.role))
}

async fn metrics(State(state): State<Shared>) -> Response {
    let body = state.blocking(|c| c.metrics.render(c)).await;
    ([(header::CONTENT_TYPE, "text/plain; version=0.0.4")], body).into_response()
}

/// Ready while every store answers and every archive that exists opens (a region whose
/// archive the archiver has not created yet is served empty and does not hold the console)
/// and, in the service, while the ops port says ready (`Console::not_ready`).
async fn readyz(State(state): State<Shared>) -> Response {
    let problems = state
        .blocking(|c| {
            let mut p = c.not_ready();
            if c.console.lock().is_err() || c.regions.iter().any(|r| r.store.lock().is_err()) {
                p.push("a store's lock is poisoned".into());
            }
            p
        })
        .await;
    if problems.is_empty() {
        (StatusCode::OK, "ready\n").into_response()
    } else {
        let body = format!("not ready: {}\n", problems.join("; "));
        (StatusCode::SERVICE_UNAVAILABLE, body).into_response()
    }
}

fn asset(body: &'static str, kind: &'static str) -> Response {
    (
        [
            (header::CONTENT_TYPE, kind),
            (header::CACHE_CONTROL, "max-age=3600"),
        ],
        body,
    )
        .into_response()
}

/// Every route, with its guard in the handler's signature.
pub fn router(state: Shared) -> Router {
    Router::new()
        .route("/", get(home))
        .route("/signin", get(signin::show).post(signin::submit))
        .route("/signout", post(signin::signout))
        .route("/oidc/login", get(oidc_pages::login))
        .route(oidc::config::CALLBACK_PATH, get(oidc_pages::callback))
        .route(
            "/password",
            get(signin::password_page).post(signin::password_submit),
        )
        .route("/lang/{code}", get(signin::lang))
        .route("/queue", get(queue::show))
        .route("/queue/bulk", post(bulk::bulk))
        .route("/alerts/{region}/{id}", get(alert::show))
        .route("/alerts/{region}/{id}/act", post(bulk::act))
        .route("/alerts/{region}/{id}/unmask", post(bulk::unmask))
        .route("/search", get(search::show))
        .route("/conversation/{region}", get(search::conversation))
        .route("/holds", get(holds::show).post(holds::place))
        .route("/holds/{region}/{id}/release", post(holds::release))
        .route("/export", post(export::export))
        .route("/exports/{dir}/{file}", get(export::download))
        .route("/consent", get(consent::show))
        .route("/integrity", get(integrity::show))
        .route("/integrity/verify", post(integrity::verify))
        .route("/audit", get(audit::show))
        .route("/audit.jsonl", get(audit::export))
        .route("/admin/users", get(admin::show).post(admin::save))
        .route(
            "/static/app.js",
            get(|| async {
                asset(
                    include_str!("../assets/app.js"),
                    "text/javascript; charset=utf-8",
                )
            }),
        )
        .route(
            "/static/app.css",
            get(|| async { asset(include_str!("../assets/app.css"), "text/css; charset=utf-8") }),
        )
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .layer(axum::middleware::from_fn_with_state(
            state.clone(),
            guard::csrf,
        ))
        .layer(axum::middleware::from_fn(guard::headers))
        .with_state(state)
}

/// Serves the console until `shutdown` resolves.
pub async fn serve(
    listener: tokio::net::TcpListener,
    state: Shared,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    axum::serve(
        listener,
        router(state).into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
