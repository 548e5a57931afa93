//! Legal holds and exports, through wcp-archive's own functions so each is a chained record
//! of the archive (placing and releasing need the archive's signing key on this console).
//! Holds: place by case id with a reason (a custodian, a conversation or a text search),
//! release with a reason, see what each covers. Exports are in `pages::export`.

use axum::extract::{Path, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use wcp_archive::{
    keys, Archive, ArchiveOptions, Hold, HoldRequest, HoldScope, Query as ArchiveQuery,
};
use wcp_review::ReviewError;

use crate::auth::{Authed, Investigator};
use crate::i18n::t;
use crate::layout::{csrf, page, problem, time};
use crate::pages::alert::access;
use crate::pages::params::{self, opt};
use crate::state::{lock, Console, Region, Shared};

pub(crate) fn arch_err(e: wcp_archive::ArchiveError) -> ReviewError {
    ReviewError::Invalid(e.to_string())
}

pub fn scope_query(s: &HoldScope) -> ArchiveQuery {
    match s {
        HoldScope::Custodian(p) => ArchiveQuery {
            participant: Some(p.clone()),
            ..ArchiveQuery::default()
        },
        HoldScope::Conversation(c) => ArchiveQuery {
            conversation: Some(c.clone()),
            ..ArchiveQuery::default()
        },
        HoldScope::Query(q) => ArchiveQuery {
            limit: None,
            ..q.clone()
        },
    }
}

/// A writer handle on the region's archive, for holds and exports (chained, audited there).
/// Refused in a region whose archive does not exist yet: opening a writer there would
/// create the archive with this console's key, ahead of the archiver.
pub(crate) fn writer(r: &Region, actor: &str) -> Result<Archive, ReviewError> {
    r.require_archive()?;
    let (Some(path), Some(key)) = (&r.archive_path, &r.archive_key) else {
        return Err(ReviewError::Refused(format!("region {}: this console has no signing key for the archive; place holds with `wcp archive hold place`", r.name)));
    };
    let key = keys::load_signing_key(key).map_err(arch_err)?;
    Archive::open(
        path,
        ArchiveOptions {
            signing_key: Some(key),
            actor: actor.to_string(),
            ..ArchiveOptions::default()
        },
    )
    .map_err(arch_err)
}

type Listing = Vec<(String, Vec<(Hold, u64)>)>;

fn listing(c: &Console) -> Result<Listing, ReviewError> {
    let mut out = Vec::new();
    for r in &c.regions {
        let Some(arch) = r.archive() else { continue };
        let arch = lock(arch);
        let mut hs = Vec::new();
        for h in arch.list_holds(true).map_err(arch_err)? {
            let n = arch
                .review_count(&scope_query(&h.scope))
                .map_err(arch_err)?;
            hs.push((h, n));
        }
        out.push((r.name.clone(), hs));
    }
    Ok(out)
}

pub async fn show(State(state): State<Shared>, Investigator(a): Investigator) -> Response {
    render(&state, &a, None).await
}

pub(crate) async fn render(state: &Shared, a: &Authed, error: Option<String>) -> Response {
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            c.audit(access(&a2, "view_holds", serde_json::Value::Null, ""))?;
            Ok::<_, ReviewError>((listing(c)?, c.empty_regions()))
        })
        .await;
    let (list, empty) = match res {
        Ok(l) => l,
        Err(e) => return crate::error_page(a, e),
    };
    let l = a.lang;
    let regions: Vec<String> = state.regions.iter().map(|r| r.name.clone()).collect();
    page(a, t(l, "holds"), html! {
        @if let Some(e) = &error { (problem(e)) }
        (crate::layout::empty_regions(l, &empty))
        form #place-hold method="post" action="/holds" {
            (csrf(a))
            label { (t(l, "region")) select name="region" { @for r in &regions { option value=(r) { (r) } } } }
            label { (t(l, "case_id")) input name="case_id" required; }
            label { (t(l, "custodian")) input name="custodian"; }
            label { (t(l, "conversation")) input name="conversation"; }
            label { (t(l, "text")) input name="text"; }
            label { (t(l, "reason")) input name="reason" required; }
            button type="submit" { (t(l, "place_hold")) }
        }
        table #holds {
            thead { tr { th { (t(l, "region")) } th { "#" } th { (t(l, "case_id")) } th { (t(l, "covers")) } th { (t(l, "reason")) } th { (t(l, "actor")) } th { (t(l, "status")) } th {} } }
            tbody {
                @for (region, hs) in &list {
                    @for (h, n) in hs {
                        tr {
                            td { (region) } td { (h.id) } td.case { (h.case_id) }
                            td { code { (serde_json::to_string(&h.scope).unwrap_or_default()) } " → " strong { (n) } " " (t(l, "messages")) }
                            td { (h.reason) } td { (h.placed_by) " " (time(h.placed_at_ms, a.zone)) }
                            td { @match &h.released_at_ms { Some(at) => { "released " (time(*at, a.zone)) }, None => { "active" } } }
                            td {
                                @if h.released_at_ms.is_none() {
                                    form.inline method="post" action=(format!("/holds/{region}/{}/release", h.id)) {
                                        (csrf(a)) input name="reason" required placeholder=(t(l, "reason")); button type="submit" { (t(l, "release_hold")) }
                                    }
                                }
                                form.inline method="post" action="/export" {
                                    (csrf(a)) input type="hidden" name="region" value=(region); input type="hidden" name="case_id" value=(h.case_id);
                                    select name="format" { option value="rsmf" { "RSMF 2.0" } option value="eml" { "EML" } }
                                    button type="submit" { (t(l, "export")) }
                                }
                            }
                        }
                    }
                }
            }
        }
    })
    .into_response()
}

#[derive(Deserialize)]
pub struct PlaceForm {
    region: String,
    case_id: String,
    reason: String,
    custodian: Option<String>,
    conversation: Option<String>,
    text: Option<String>,
}

pub async fn place(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Form(f): Form<PlaceForm>,
) -> Response {
    let scope = match (
        params::id("custodian", &f.custodian),
        params::id("conversation", &f.conversation),
        opt(&f.text),
    ) {
        (Ok(Some(p)), Ok(None), None) => HoldScope::Custodian(p),
        (Ok(None), Ok(Some(c)), None) => HoldScope::Conversation(c),
        (Ok(None), Ok(None), Some(t)) => HoldScope::Query(ArchiveQuery {
            text: Some(t.to_string()),
            ..ArchiveQuery::default()
        }),
        _ => {
            return render(
                &state,
                &a,
                Some("give exactly one of custodian, conversation or text".into()),
            )
            .await
        }
    };
    if f.case_id.trim().is_empty()
        || f.reason.trim().is_empty()
        || params::id("case_id", &Some(f.case_id.clone())).is_err()
    {
        return render(&state, &a, Some("case id and reason are required".into())).await;
    }
    if let Err(e) = params::region(&state, &f.region) {
        return e.into_response();
    }
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let r = c.region(&f.region).ok_or(ReviewError::NotFound)?;
            let req = HoldRequest { scope, reason: f.reason.trim().to_string(), case_id: f.case_id.trim().to_string() };
            let hold = writer(r, &a2.user)?.place_hold(&req, &a2.user).map_err(arch_err)?;
            c.audit(access(&a2, "hold_place", serde_json::json!({ "region": f.region, "hold": hold.id, "case_id": hold.case_id, "scope": hold.scope }), &req.reason))
        })
        .await;
    match res {
        Ok(()) => Redirect::to("/holds").into_response(),
        Err(e) => render(&state, &a, Some(e.to_string())).await,
    }
}

#[derive(Deserialize)]
pub struct ReleaseForm {
    reason: String,
}

pub async fn release(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Path((region, id)): Path<(String, i64)>,
    Form(f): Form<ReleaseForm>,
) -> Response {
    if let Err(e) = params::region(&state, &region) {
        return e.into_response();
    }
    if f.reason.trim().is_empty() {
        return render(&state, &a, Some("a reason is required".into())).await;
    }
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let r = c.region(&region).ok_or(ReviewError::NotFound)?;
            writer(r, &a2.user)?
                .release_hold(id, &a2.user, f.reason.trim())
                .map_err(arch_err)?;
            c.audit(access(
                &a2,
                "hold_release",
                serde_json::json!({ "region": region, "hold": id }),
                f.reason.trim(),
            ))
        })
        .await;
    match res {
        Ok(()) => Redirect::to("/holds").into_response(),
        Err(e) => render(&state, &a, Some(e.to_string())).await,
    }
}
