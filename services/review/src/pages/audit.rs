//! The access log for auditors (and admins): filter by person, action and time; export as
//! JSON Lines. Reading and exporting it are themselves recorded.

use axum::extract::{Query, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use wcp_archive::dates::End;
use wcp_review::access::{self, LogFilter};
use wcp_review::access_words as words;

use crate::auth::AuditReader;
use crate::i18n::t;
use crate::layout::{page, time};
use crate::pages::alert::access as record;
use crate::pages::params::{self, opt};
use crate::state::{lock, Shared};

#[derive(Deserialize, Default)]
pub struct AuditQuery {
    actor: Option<String>,
    action: Option<String>,
    from: Option<String>,
    to: Option<String>,
}

fn filter(q: &AuditQuery, zone: i32) -> Result<LogFilter, params::BadInput> {
    Ok(LogFilter {
        actor: params::id("actor", &q.actor)?,
        action: params::id("action", &q.action)?,
        from_ms: params::time("from", &q.from, zone, End::From)?,
        to_ms: params::time("to", &q.to, zone, End::To)?,
    })
}

fn asked(q: &AuditQuery) -> serde_json::Value {
    params::given(&[
        ("actor", opt(&q.actor)),
        ("action", opt(&q.action)),
        ("from", opt(&q.from)),
        ("to", opt(&q.to)),
    ])
}

pub async fn show(
    State(state): State<Shared>,
    AuditReader(a): AuditReader,
    Query(q): Query<AuditQuery>,
) -> Response {
    let f = match filter(&q, a.zone) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let asked = asked(&q);
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            c.audit(record(
                &a2,
                "view_audit",
                serde_json::json!({ "filter": asked }),
                "",
            ))?;
            access::list(&lock(&c.console), &f, 1000)
        })
        .await;
    let rows = match res {
        Ok(r) => r,
        Err(e) => return crate::error_page(&a, e),
    };
    let l = a.lang;
    let export = format!(
        "/audit.jsonl?{}",
        serde_urlencoded::to_string([
            ("actor", opt(&q.actor)),
            ("action", opt(&q.action)),
            ("from", opt(&q.from)),
            ("to", opt(&q.to))
        ])
        .unwrap_or_default()
    );
    page(&a, t(l, "audit"), html! {
        form.filters method="get" action="/audit" {
            label { (t(l, "actor")) input name="actor" value=(opt(&q.actor).unwrap_or("")); }
            label { (t(l, "action")) input name="action" value=(opt(&q.action).unwrap_or("")); }
            (params::date_fields(l, opt(&q.from), opt(&q.to), a.zone))
            button type="submit" { (t(l, "filter")) }
            " " a #export-audit href=(export) { "JSON Lines ↓" }
        }
        p.hint #seq-note { (t(l, "seq_note")) }
        table #audit {
            thead { tr { th { "#" } th { (t(l, "time")) } th { (t(l, "actor")) } th { (t(l, "role")) } th { (t(l, "action")) } th { (t(l, "address")) } th { (t(l, "target")) } th { (t(l, "reason_col")) } } }
            tbody {
                @for (seq, r) in &rows {
                    tr {
                        td { (seq) } td { (time(r.at_ms, a.zone)) } td.actor { (r.actor) } td { (r.role) }
                        td.action { (words::action(&r.action)) " " code { (r.action) } }
                        td { (r.from) } td.what { (words::target(&r.target)) } td { (r.why) }
                    }
                }
            }
        }
    })
    .into_response()
}

pub async fn export(
    State(state): State<Shared>,
    AuditReader(a): AuditReader,
    Query(q): Query<AuditQuery>,
) -> Response {
    let f = match filter(&q, a.zone) {
        Ok(f) => f,
        Err(e) => return e.into_response(),
    };
    let asked = asked(&q);
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let rows = access::list(&lock(&c.console), &f, u64::MAX)?;
            c.audit(record(
                &a2,
                "export_audit",
                serde_json::json!({ "filter": asked, "records": rows.len() }),
                "",
            ))?;
            let mut out = String::new();
            for (seq, r) in rows.iter().rev() {
                let mut v = serde_json::to_value(r)?;
                v["seq"] = (*seq).into();
                out.push_str(&v.to_string());
                out.push('\n');
            }
            Ok::<_, wcp_review::ReviewError>(out)
        })
        .await;
    match res {
        Ok(body) => (
            [
                (header::CONTENT_TYPE, "application/x-ndjson; charset=utf-8"),
                (
                    header::CONTENT_DISPOSITION,
                    "attachment; filename=\"wcp-review-access.jsonl\"",
                ),
            ],
            body,
        )
            .into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}
