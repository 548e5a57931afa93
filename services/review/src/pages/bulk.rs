//! Actions on items: one item (the alert page's forms), a selection (the queue's bulk
//! form), and unmasking one PII value with a reason. Each is checked against the person's
//! scope and the disposition rules, chained in the region's store, and audited.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Redirect, Response};
use serde::Deserialize;
use wcp_review::actions::{decide, Act, Actor, Outcome};
use wcp_review::{accounts, items, ReviewError};

use crate::auth::{forbidden, Authed, Reader};
use crate::layout::{page, problem};
use crate::pages::alert::{self, access, AlertQuery};
use crate::pages::breach_hold;
use crate::pages::params::{self, BadInput};
use crate::pages::queue::back_to;
use crate::state::{lock, now_ms, Console, Shared};

#[derive(Deserialize, Default)]
pub struct ActForm {
    act: Option<String>,
    action: Option<String>,
    outcome: Option<String>,
    note: Option<String>,
    to: Option<String>,
    tags: Option<String>,
    #[serde(default)]
    sel: Vec<String>,
}

fn build(f: &ActForm) -> Result<Act, BadInput> {
    let name = f.act.as_deref().or(f.action.as_deref()).unwrap_or("");
    let note = f.note.clone().unwrap_or_default();
    let to = f.to.clone().unwrap_or_default().trim().to_string();
    Ok(match name {
        "claim" => Act::Claim,
        "release" => Act::Release,
        "assign" => Act::Assign { to },
        "escalate" => Act::Escalate { to, note },
        "close" => {
            let o = f.outcome.as_deref().unwrap_or("");
            Act::Close {
                outcome: Outcome::parse(o).ok_or_else(|| BadInput(format!("outcome {o:?}")))?,
                note,
            }
        }
        "tag" => Act::Tag {
            tags: f
                .tags
                .as_deref()
                .unwrap_or("")
                .split_whitespace()
                .map(String::from)
                .collect(),
        },
        "note" => Act::Note { note },
        "reopen" => Act::Reopen { note },
        other => return Err(BadInput(format!("action {other:?}"))),
    })
}

/// Applies `act` to one item after the scope check; the refusal text is for the person.
fn act_on(
    c: &Console,
    a: &Authed,
    region: &str,
    id: i64,
    act: Act,
) -> Result<Result<(), String>, ReviewError> {
    let r = c.region(region).ok_or(ReviewError::NotFound)?;
    let item = items::get(&lock(&r.store), id)?.ok_or(ReviewError::NotFound)?;
    if !a
        .scope()
        .covers(&item.queue, item.state.assignee.as_deref())
    {
        c.audit(access(
            a,
            "disposition_denied",
            serde_json::json!({ "region": region, "item": id, "act": act.name() }),
            "not in the reviewer's queues",
        ))?;
        return Ok(Err("forbidden".into()));
    }
    if let Act::Assign { to } | Act::Escalate { to, .. } = &act {
        let target = accounts::get(&lock(&c.console), to)?;
        if !target.is_some_and(|u| u.role.reads_content() && !u.disabled) {
            return Ok(Err(format!("{to} is not a reviewer or investigator here")));
        }
    }
    let name = act.name();
    let outcome = match &act {
        Act::Close { outcome, .. } => Some(outcome.as_str()),
        _ => None,
    };
    let target = serde_json::json!({ "region": region, "item": id, "alert": item.new.key, "act": name, "outcome": outcome,
        "to": match &act { Act::Assign { to } | Act::Escalate { to, .. } => Some(to.clone()), _ => None } });
    let by = Actor {
        name: &a.user,
        role: a.role,
    };
    // A breach finding keeps its evidence: the hold first (only for a close the rules
    // accept), so a hold that cannot be placed leaves the alert open with the reason.
    let mut held = None;
    if outcome == Some(Outcome::Breach.as_str()) {
        if let Err(why) = decide(&item.state, &act, by) {
            return Ok(Err(why));
        }
        held = match breach_hold::place(c, a, region, &item) {
            Ok(h) => h,
            Err(ReviewError::Refused(why) | ReviewError::Invalid(why)) => {
                return Ok(Err(format!("not closed as breach: its message could not be placed under legal hold ({why})")));
            }
            Err(e) => return Err(e),
        };
    }
    // The store's lock ends with the statement: the hold's act below takes it again.
    let applied = items::apply(&mut lock(&r.store), id, act, by, now_ms());
    match applied {
        Ok(_) => {
            c.metrics.disposition(&a.user, name);
            c.audit(access(a, "disposition", target, ""))?;
            if let Some(h) = held {
                items::apply(&mut lock(&r.store), id, h, by, now_ms())?;
            }
            Ok(Ok(()))
        }
        Err(ReviewError::Refused(why)) => Ok(Err(why)),
        Err(e) => Err(e),
    }
}

fn refused(a: &Authed, back: &str, why: &str) -> Response {
    if why == "forbidden" {
        return forbidden(a.lang);
    }
    let body = page(
        a,
        "409",
        maud::html! { (problem(why)) p { a href=(back) { "←" } } },
    );
    (StatusCode::CONFLICT, body).into_response()
}

pub async fn act(
    State(state): State<Shared>,
    Reader(a): Reader,
    Path((region, id)): Path<(String, i64)>,
    axum::Form(f): axum::Form<ActForm>,
) -> Response {
    if let Err(e) = params::region(&state, &region) {
        return e.into_response();
    }
    let act = match build(&f) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    let back = format!("/alerts/{region}/{id}");
    let did = crate::done::code(&act, 1);
    let a2 = a.clone();
    let r2 = region.clone();
    match state.blocking(move |c| act_on(c, &a2, &r2, id, act)).await {
        Ok(Ok(())) => Redirect::to(&format!("{back}?msg={did}")).into_response(),
        Ok(Err(why)) if why != "forbidden" => {
            // The alert page again with the refusal at its forms, not a bare error page.
            let mut page = alert::show(
                State(state),
                Reader(a),
                Path((region, id)),
                Query(AlertQuery::refused(why)),
            )
            .await;
            if page.status() == StatusCode::OK {
                *page.status_mut() = StatusCode::CONFLICT;
            }
            page
        }
        Ok(Err(why)) => refused(&a, &back, &why),
        Err(ReviewError::NotFound) => (StatusCode::NOT_FOUND, "no such alert\n").into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}

pub async fn bulk(
    State(state): State<Shared>,
    Reader(a): Reader,
    body: axum::body::Bytes,
) -> Response {
    // Repeated `sel` fields: parse as pairs (serde_urlencoded has no sequences).
    let pairs: Vec<(String, String)> = serde_urlencoded::from_bytes(&body).unwrap_or_default();
    let get = |k: &str| pairs.iter().find(|(x, _)| x == k).map(|(_, v)| v.clone());
    let f = ActForm {
        act: None,
        action: get("action"),
        outcome: get("outcome"),
        note: get("note"),
        to: get("to"),
        tags: get("tags"),
        sel: pairs
            .iter()
            .filter(|(k, _)| k == "sel")
            .map(|(_, v)| v.clone())
            .collect(),
    };
    let act = match build(&f) {
        Ok(x) => x,
        Err(e) => return e.into_response(),
    };
    // The queue view the form was sent from, to return to it (filters kept).
    let back = get("back").unwrap_or_default();
    let mut targets = Vec::new();
    for s in f.sel.iter().take(500) {
        match s
            .split_once(':')
            .and_then(|(r, i)| Some((r.to_string(), i.parse::<i64>().ok()?)))
        {
            Some((r, i)) if state.region(&r).is_some() => targets.push((r, i)),
            _ => return BadInput(format!("selection {s:?}")).into_response(),
        }
    }
    let did = crate::done::code(&act, targets.len());
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let mut refusals = Vec::new();
            for (r, i) in targets {
                if let Err(why) = act_on(c, &a2, &r, i, act.clone())? {
                    refusals.push(format!("{r}/{i}: {why}"));
                }
            }
            Ok::<_, ReviewError>(refusals)
        })
        .await;
    match res {
        Ok(r) if r.is_empty() => Redirect::to(&back_to(&back, Some(&did), None)).into_response(),
        Ok(r) => Redirect::to(&back_to(&back, None, Some(&r.join("; ")))).into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}

#[derive(Deserialize)]
pub struct UnmaskForm {
    msgid: String,
    index: usize,
    reason: String,
}

pub async fn unmask(
    State(state): State<Shared>,
    Reader(a): Reader,
    Path((region, id)): Path<(String, i64)>,
    axum::Form(f): axum::Form<UnmaskForm>,
) -> Response {
    if let Err(e) = params::region(&state, &region) {
        return e.into_response();
    }
    let back = format!("/alerts/{region}/{id}");
    if f.reason.trim().is_empty() {
        return refused(&a, &back, "a reason is required to unmask a value");
    }
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let r = c.region(&region).ok_or(ReviewError::NotFound)?;
            let item = items::get(&lock(&r.store), id)?.ok_or(ReviewError::NotFound)?;
            if !a2.scope().covers(&item.queue, item.state.assignee.as_deref()) {
                c.audit(access(&a2, "unmask_denied", serde_json::json!({ "region": region, "item": id }), &f.reason))?;
                return Ok(false);
            }
            // Only a message this alert's page shows can be unmasked from it.
            let entity = r.archive().and_then(|arch| lock(arch).message(&f.msgid)).and_then(|m| {
                (m.stored.conversation_id == item.new.conversation_id).then_some(())?;
                m.stored.classification?.pii.get(f.index).map(|p| p.entity.clone())
            });
            let Some(entity) = entity else { return Err(ReviewError::Invalid("no such value".into())) };
            c.audit(access(&a2, "unmask", serde_json::json!({ "region": region, "item": id, "msgid": f.msgid, "index": f.index, "entity": entity }), f.reason.trim()))?;
            lock(&c.unmasked).entry(a2.token.clone()).or_default().insert((f.msgid.clone(), f.index));
            Ok::<_, ReviewError>(true)
        })
        .await;
    match res {
        Ok(true) => Redirect::to(&back).into_response(),
        Ok(false) => forbidden(a.lang),
        Err(ReviewError::Invalid(m)) => BadInput(m).into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}
