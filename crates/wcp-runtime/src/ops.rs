//! The ops HTTP server: `/healthz`, `/readyz`, `/metrics`.

use std::net::SocketAddr;

use axum::extract::State;
use axum::http::StatusCode;
use axum::routing::get;
use axum::Router;

use crate::shutdown::RunCtx;

/// The ops routes over a shared [`RunCtx`].
pub fn router(ctx: RunCtx) -> Router {
    Router::new()
        .route("/healthz", get(|| async { "ok\n" }))
        .route("/readyz", get(readyz))
        .route("/metrics", get(metrics))
        .with_state(ctx)
}

/// 200 `ready`, or 503 with the reason (`not ready: connecting to Kafka at ...`).
async fn readyz(State(ctx): State<RunCtx>) -> (StatusCode, String) {
    if ctx.is_ready() {
        (StatusCode::OK, "ready\n".into())
    } else {
        let why = ctx.not_ready_reason();
        (
            StatusCode::SERVICE_UNAVAILABLE,
            format!("not ready: {why}\n"),
        )
    }
}

async fn metrics(State(ctx): State<RunCtx>) -> ([(&'static str, &'static str); 1], String) {
    // Readiness also follows the brokers' health, which changes outside `set_ready`.
    ctx.metrics.ready.set(i64::from(ctx.is_ready()));
    (
        [("content-type", "text/plain; version=0.0.4")],
        ctx.metrics.render(),
    )
}

/// Serves until the process exits.
pub async fn serve(addr: SocketAddr, ctx: RunCtx) -> std::io::Result<()> {
    let listener = tokio::net::TcpListener::bind(addr).await?;
    tracing::info!(%addr, "ops server listening");
    axum::serve(listener, router(ctx)).await
}
