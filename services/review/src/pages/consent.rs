//! A contact's consent history (the `agree`/`disagree` events archived in each region) for
//! data-protection officers and investigators.

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;

use crate::auth::Investigator;
use crate::explain;
use crate::i18n::t;
use crate::layout::{page, time};
use crate::pages::alert::access;
use crate::pages::params;
use crate::state::{lock, Shared};

#[derive(Deserialize, Default)]
pub struct ConsentQuery {
    contact: Option<String>,
}

pub async fn show(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Query(q): Query<ConsentQuery>,
) -> Response {
    let contact = match params::id("contact", &q.contact) {
        Ok(c) => c,
        Err(e) => return e.into_response(),
    };
    let a2 = a.clone();
    let c2 = contact.clone();
    let res = state
        .blocking(move |c| {
            let (mut rows, mut held) = (Vec::new(), Vec::new());
            if let Some(contact) = &c2 {
                held = crate::pages::search::held_back(c, contact, None)?;
                for r in &c.regions {
                    if let Some(arch) = r.archive() {
                        for m in lock(arch)
                            .consent_events(contact)
                            .map_err(|e| wcp_review::ReviewError::Invalid(e.to_string()))?
                        {
                            rows.push((
                                r.name.clone(),
                                m.stored.time_ms,
                                m.stored.msgtype.clone(),
                                m.stored.msgid.clone(),
                            ));
                        }
                    }
                }
                rows.sort_by_key(|r| r.1);
                c.audit(access(
                    &a2,
                    "view_consent",
                    serde_json::json!({ "contact": contact, "events": rows.len(), "held_back": held.iter().map(|(_, h)| h.messages).sum::<u64>() }),
                    "",
                ))?;
            }
            Ok::<_, wcp_review::ReviewError>((rows, held))
        })
        .await;
    let (rows, held) = match res {
        Ok(r) => r,
        Err(e) => return crate::error_page(&a, e),
    };
    let l = a.lang;
    page(&a, t(l, "consent"), html! {
        form.filters method="get" action="/consent" {
            label { (t(l, "contact")) input name="contact" value=(contact.as_deref().unwrap_or("")) required; }
            button type="submit" { (t(l, "search")) }
        }
        @if contact.is_some() {
            @if rows.is_empty() && held.is_empty() { p { (t(l, "no_results")) } }
            @if rows.is_empty() && !held.is_empty() { p #consent-state { (t(l, "consent_unknown")) } }
            @if !held.is_empty() {
                ul #held-back { @for (region, h) in &held { li { (explain::held_back_line(h, region, l, a.zone)) } } }
            }
            table #consent { tbody { @for (region, at, kind, msgid) in &rows { tr { td { (time(*at, a.zone)) } td.state { (kind) } td { (region) } td { code { (msgid) } } } } } }
        }
    })
    .into_response()
}
