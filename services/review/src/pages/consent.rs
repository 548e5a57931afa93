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
use crate::pseudonyms::Lookup;
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
            let Some(contact) = &c2 else {
                return Ok((Vec::new(), Vec::new(), Lookup::None));
            };
            let (mut rows, mut held) = history(c, &a2, contact)?;
            // A contact without consent is archived under a pseudonym (trial 18c D2).
            let lookup = Lookup::resolve(
                c.settings.tenant_key.as_ref(),
                contact,
                !rows.is_empty() || !held.is_empty(),
                |ps| {
                    (rows, held) = history(c, &a2, ps)?;
                    Ok::<_, wcp_review::ReviewError>(!rows.is_empty() || !held.is_empty())
                },
            )?;
            Ok::<_, wcp_review::ReviewError>((rows, held, lookup))
        })
        .await;
    let (rows, held, lookup) = match res {
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
            @if let Some(typed) = &contact { (lookup.note(l, typed)) }
            @if rows.is_empty() && !held.is_empty() { p #consent-state { (t(l, "consent_unknown")) } }
            @if !held.is_empty() {
                ul #held-back { @for (region, h) in &held { li { (explain::held_back_line(h, region, l, a.zone)) } } }
            }
            table #consent { tbody { @for (region, at, kind, msgid) in &rows { tr { td { (time(*at, a.zone)) } td.state { (kind) } td { (region) } td { code { (msgid) } } } } } }
        }
    })
    .into_response()
}

type Events = Vec<(String, i64, String, String)>;
type Held = Vec<(String, wcp_archive::review_query::HeldBack)>;

/// `contact`'s consent events (region, time, agree/disagree, msgid; oldest first) and
/// held-back messages in every region; audited as a consent view.
fn history(
    c: &crate::state::Console,
    a: &crate::auth::Authed,
    contact: &str,
) -> Result<(Events, Held), wcp_review::ReviewError> {
    let held = crate::pages::search::held_back(c, contact, None)?;
    let mut rows = Vec::new();
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
    let n: u64 = held.iter().map(|(_, h)| h.messages).sum();
    c.audit(access(
        a,
        "view_consent",
        serde_json::json!({ "contact": contact, "events": rows.len(), "held_back": n }),
        "",
    ))?;
    Ok((rows, held))
}
