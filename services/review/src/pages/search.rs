//! Search over the regional archives (full text in Chinese and English, participant,
//! conversation, dates, risk category, PII type) and the conversation view its results open.
//! Investigators only: reviewers read conversations through the alerts of their queues.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use wcp_archive::dates::End;
use wcp_archive::{ArchivedMessage, Query as ArchiveQuery};
use wcp_model::RiskCategory;

use crate::auth::Investigator;
use crate::i18n::{t, Lang};
use crate::layout::{csrf, page, problem};
use crate::pages::alert::access;
use crate::pages::params::{self, opt, BadInput};
use crate::pseudonyms::Lookup;
use crate::state::{lock, Shared};
use crate::view::{MessageView, Viewer, WindowHolds};

pub const PAGE: u64 = 50;

#[derive(Deserialize, Default)]
pub struct SearchQuery {
    pub text: Option<String>,
    pub participant: Option<String>,
    pub conversation: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub risk: Option<String>,
    pub pii: Option<String>,
    pub region: Option<String>,
    pub page: Option<u64>,
}

pub fn to_query(q: &SearchQuery, zone: i32) -> Result<ArchiveQuery, BadInput> {
    let risk = match opt(&q.risk) {
        None => None,
        Some(r) => Some(RiskCategory::parse(r).ok_or_else(|| BadInput(format!("risk {r:?}")))?),
    };
    let pii = params::id("pii", &q.pii)?;
    if pii
        .as_ref()
        .is_some_and(|p| !p.chars().all(|c| c.is_ascii_uppercase() || c == '_'))
    {
        return Err(BadInput("pii: an entity name like PHONE_NUMBER".into()));
    }
    let text = opt(&q.text).map(str::to_string);
    if text.as_ref().is_some_and(|t| t.chars().count() > 200) {
        return Err(BadInput("text: at most 200 characters".into()));
    }
    Ok(ArchiveQuery {
        participant: params::id("participant", &q.participant)?,
        conversation: params::id("conversation", &q.conversation)?,
        from_ms: params::time("from", &q.from, zone, End::From)?,
        to_ms: params::time("to", &q.to, zone, End::To)?,
        risk,
        pii,
        text,
        ..ArchiveQuery::default()
    })
}

fn is_empty(q: &ArchiveQuery) -> bool {
    *q == ArchiveQuery::default()
}

/// Why a search cannot run, in the person's language: a date that does not read, or a
/// From after its To (which would find nothing and look like an empty archive).
fn refusal(q: &SearchQuery, zone: i32, l: Lang) -> Result<(ArchiveQuery, Option<String>), String> {
    let aq = to_query(q, zone).map_err(|e| e.0)?;
    let region = params::id("region", &q.region).map_err(|e| e.0)?;
    if let (Some(f), Some(to)) = (aq.from_ms, aq.to_ms) {
        if f > to {
            return Err(t(l, "from_after_to").to_string());
        }
    }
    Ok((aq, region))
}

/// A participant that is not a WeCom id: it has a character no WeCom id has (a display
/// name such as 张伟, a space). The archive holds ids only, so it can find nothing.
pub fn looks_like_a_name(p: &str) -> bool {
    !p.chars()
        .all(|c| c.is_ascii_alphanumeric() || matches!(c, '_' | '-' | '.' | '@' | ':' | '|'))
}

/// The search form, filled with what was asked.
fn form(q: &SearchQuery, l: Lang, zone: i32) -> Markup {
    html! {
        form #search.filters method="get" action="/search" {
            label { (t(l, "text")) input #q name="text" value=(opt(&q.text).unwrap_or("")) autofocus; }
            label { (t(l, "participant")) input name="participant" value=(opt(&q.participant).unwrap_or("")) placeholder="zhangwei"; }
            label { (t(l, "conversation")) input name="conversation" value=(opt(&q.conversation).unwrap_or("")); }
            (params::date_fields(l, opt(&q.from), opt(&q.to), zone))
            label { (t(l, "risk")) select name="risk" { option value="" { "—" } @for c in RiskCategory::ALL { option value=(c.as_str()) selected[opt(&q.risk) == Some(c.as_str())] { (c.as_str()) } } } }
            label { (t(l, "pii_type")) input name="pii" value=(opt(&q.pii).unwrap_or("")) placeholder="PHONE_NUMBER"; }
            label { (t(l, "region")) input name="region" size="4" value=(opt(&q.region).unwrap_or("")); }
            button type="submit" { (t(l, "search")) }
            p.hint #participant-hint { (t(l, "participant_hint")) }
        }
    }
}

pub async fn show(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Query(q): Query<SearchQuery>,
) -> Response {
    let (aq, region) = match refusal(&q, a.zone, a.lang) {
        Ok(x) => x,
        Err(why) => {
            // The form again with what is wrong, in the console's page (trial 18b D9).
            let body = html! { (problem(&why)) (form(&q, a.lang, a.zone)) };
            return (StatusCode::BAD_REQUEST, page(&a, t(a.lang, "search"), body)).into_response();
        }
    };
    let pg = q.page.unwrap_or(0).min(1000);
    let a2 = a.clone();
    let aq2 = aq.clone();
    let res = state
        .blocking(move |c| {
            let (mut found, mut more) = if is_empty(&aq2) {
                (Vec::new(), false)
            } else {
                search_regions(c, &a2, &aq2, region.as_deref(), pg)?
            };
            let empty: Vec<String> = c
                .empty_regions()
                .into_iter()
                .filter(|n| region.as_ref().is_none_or(|x| x == n))
                .collect();
            let mut held = match &aq2.participant {
                Some(p) => held_back(c, p, region.as_deref())?,
                None => Vec::new(),
            };
            // A contact without consent is archived under a pseudonym: look the typed id up
            // under it when the console has the tenant key (trial 18c D2), audited as a search.
            let lookup = match aq2.participant.as_deref() {
                None => Lookup::None,
                Some(p) => Lookup::resolve(
                    c.settings.tenant_key.as_ref(),
                    p,
                    !found.is_empty() || !held.is_empty(),
                    |ps| {
                        let aq3 = ArchiveQuery {
                            participant: Some(ps.to_string()),
                            ..aq2.clone()
                        };
                        (found, more) = search_regions(c, &a2, &aq3, region.as_deref(), pg)?;
                        held = held_back(c, ps, region.as_deref())?;
                        Ok::<_, wcp_review::ReviewError>(!found.is_empty() || !held.is_empty())
                    },
                )?,
            };
            Ok::<_, wcp_review::ReviewError>((found, more, empty, held, lookup))
        })
        .await;
    let (found, more, empty, held, lookup) = match res {
        Ok(x) => x,
        Err(e) => return crate::error_page(&a, e),
    };
    let l = a.lang;
    let viewer = Viewer {
        clear: true,
        unmasked: Default::default(),
        zone: a.zone,
        lang: a.lang,
    };
    let next = |p: u64| {
        let pairs = [
            ("text", opt(&q.text)),
            ("participant", opt(&q.participant)),
            ("conversation", opt(&q.conversation)),
            ("from", opt(&q.from)),
            ("to", opt(&q.to)),
            ("risk", opt(&q.risk)),
            ("pii", opt(&q.pii)),
            ("region", opt(&q.region)),
        ];
        format!(
            "/search?{}&page={p}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    };
    page(&a, t(l, "search"), html! {
        (crate::layout::empty_regions(l, &empty))
        (form(&q, l, a.zone))
        @if !is_empty(&aq) {
            h2 { (t(l, "results")) }
            @if found.is_empty() && held.is_empty() {
                p { (t(l, "no_results")) }
                @if let Some(p) = opt(&q.participant).filter(|p| looks_like_a_name(p)) {
                    p.problem #participant-name role="alert" { (p) " — " (t(l, "participant_is_id")) }
                }
            }
            @if let Some(p) = opt(&q.participant).filter(|p| !looks_like_a_name(p)) { (lookup.note(l, p)) }
            @if !held.is_empty() {
                @let who = lookup.pseudonym().or(opt(&q.participant)).unwrap_or("");
                h3 { (t(l, "held_back")) }
                ul #held-back { @for (region, h) in &held { li { (crate::explain::held_back_line(h, region, l, a.zone)) " " a href=(format!("/consent?contact={who}")) { (t(l, "consent")) " ↗" } } } }
            }
            @if !found.is_empty() {
                p.legend #legend { mark.hit { (t(l, "legend_hit")) } " " mark.risk { (t(l, "legend_risk")) } }
            }
            ol #results.conversation {
                @for (region, m) in &found {
                    @let href = format!("/conversation/{region}?{}", serde_urlencoded::to_string([("id", m.stored.conversation_id.as_str()), ("at", &m.stored.time_ms.to_string())]).unwrap_or_default());
                    li.row data-href=(href) {
                        a.open href=(format!("{href}#m-{}", m.stored.msgid)) { (region) " · " code { (m.stored.conversation_id) } }
                        ol { (MessageView::with_hits(m, &viewer, &[], opt(&q.text).unwrap_or("")).line(false, None)) }
                    }
                }
            }
            nav.pages { @if pg > 0 { a href=(next(pg - 1)) { "←" } } @if more { a href=(next(pg + 1)) { (t(l, "more")) " →" } } }
        }
    })
    .into_response()
}

/// One search over the regions asked, newest first, one page; audited with its query.
fn search_regions(
    c: &crate::state::Console,
    a: &crate::auth::Authed,
    aq: &ArchiveQuery,
    region: Option<&str>,
    pg: u64,
) -> Result<(Vec<(String, ArchivedMessage)>, bool), wcp_review::ReviewError> {
    let mut found: Vec<(String, ArchivedMessage)> = Vec::new();
    let mut more = false;
    for r in c
        .regions
        .iter()
        .filter(|r| region.is_none_or(|x| x == r.name))
    {
        if let Some(arch) = r.archive() {
            let (ms, m) = lock(arch)
                .review_search(aq, 0, (pg + 1) * PAGE)
                .map_err(|e| wcp_review::ReviewError::Invalid(e.to_string()))?;
            more |= m;
            found.extend(ms.into_iter().map(|x| (r.name.clone(), x)));
        }
    }
    found.sort_by_key(|(_, m)| -m.stored.time_ms);
    more |= found.len() as u64 > (pg + 1) * PAGE;
    found = found
        .into_iter()
        .skip((pg * PAGE) as usize)
        .take(PAGE as usize)
        .collect();
    c.metrics.search();
    let ids: Vec<String> = found.iter().map(|(_, m)| m.stored.msgid.clone()).collect();
    c.audit(access(
        a,
        "search",
        serde_json::json!({ "query": aq, "page": pg, "messages": ids }),
        "",
    ))?;
    Ok((found, more))
}

/// The quarantined messages of `participant` per region: search lists only searchable
/// messages, and a contact without consent has nothing else (trial 18b D2).
pub(crate) fn held_back(
    c: &crate::state::Console,
    participant: &str,
    region: Option<&str>,
) -> Result<Vec<(String, wcp_archive::review_query::HeldBack)>, wcp_review::ReviewError> {
    let mut out = Vec::new();
    for r in c
        .regions
        .iter()
        .filter(|r| region.is_none_or(|x| x == r.name))
    {
        if let Some(arch) = r.archive() {
            let h = lock(arch)
                .held_back(participant)
                .map_err(|e| wcp_review::ReviewError::Invalid(e.to_string()))?;
            out.extend(h.map(|h| (r.name.clone(), h)));
        }
    }
    Ok(out)
}

#[derive(Deserialize)]
pub struct ConvQuery {
    id: String,
    at: Option<i64>,
    before: Option<u64>,
    after: Option<u64>,
}

pub async fn conversation(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Path(region): Path<String>,
    Query(q): Query<ConvQuery>,
) -> Response {
    if let Err(e) = params::region(&state, &region) {
        return e.into_response();
    }
    let conv = match params::id("id", &Some(q.id.clone())) {
        Ok(Some(c)) => c,
        Ok(None) => return BadInput("id: required".into()).into_response(),
        Err(e) => return e.into_response(),
    };
    let at = q.at.unwrap_or(i64::MAX);
    let (before, after) = (
        q.before.unwrap_or(20).min(500),
        q.after.unwrap_or(20).min(500),
    );
    let a2 = a.clone();
    let (r2, c2) = (region.clone(), conv.clone());
    let res = state
        .blocking(move |c| {
            let r = c.region(&r2).ok_or(wcp_review::ReviewError::NotFound)?;
            let invalid = |e: wcp_archive::ArchiveError| wcp_review::ReviewError::Invalid(e.to_string());
            let (mut msgs, mut holds) = (Vec::new(), WindowHolds::default());
            let mut disposed = Vec::new();
            if let Some(arch) = r.archive() {
                let arch = lock(arch);
                msgs = arch.conversation_window(&c2, at, before, after).map_err(invalid)?;
                holds = WindowHolds::of(&arch, &msgs).map_err(invalid)?;
                // Expired messages where they were (trial 18c D5), within the window's times.
                let times: Vec<i64> = msgs.iter().map(|m| m.stored.time_ms).collect();
                let (lo, hi) = crate::disposed::span(&times, at, before, after);
                disposed = arch.disposed_in(&c2, lo, hi).map_err(invalid)?;
            }
            c.audit(access(&a2, "view_conversation", serde_json::json!({ "region": r2, "conversation": c2, "messages": msgs.iter().map(|m| m.stored.msgid.clone()).collect::<Vec<_>>(), "disposed": disposed.iter().map(|d| d.msgid.clone()).collect::<Vec<_>>() }), ""))?;
            Ok::<_, wcp_review::ReviewError>((msgs, holds, disposed))
        })
        .await;
    let (msgs, holds, disposed) = match res {
        Ok(m) => m,
        Err(e) => return crate::error_page(&a, e),
    };
    let l = a.lang;
    let viewer = Viewer {
        clear: true,
        unmasked: Default::default(),
        zone: a.zone,
        lang: a.lang,
    };
    // A side of the window with fewer messages than asked reaches the conversation's start or
    // end: said there instead of a link that would show nothing more.
    let earlier = msgs.iter().filter(|m| m.stored.time_ms < at).count() as u64;
    let (start, end) = (earlier < before, (msgs.len() as u64 - earlier) < after);
    let link = |b: u64, f: u64| {
        format!(
            "/conversation/{region}?{}",
            // Without `at` the window is the conversation's end, and the links keep it so
            // (not at=9223372036854775807: trial 18d D10).
            serde_urlencoded::to_string(
                [("id", conv.clone())]
                    .into_iter()
                    .chain(q.at.map(|at| ("at", at.to_string())))
                    .chain([("before", b.to_string()), ("after", f.to_string())])
                    .collect::<Vec<_>>()
            )
            .unwrap_or_default()
        )
    };
    page(&a, t(l, "conversation"), html! {
        p { code { (conv) } " · " (region) }
        // The whole conversation, as the hold export writes it (RSMF 2.0 or EML threads).
        form #export-conversation.inline method="post" action="/export" {
            (csrf(&a)) input type="hidden" name="region" value=(region); input type="hidden" name="conversation" value=(conv);
            select name="format" { option value="rsmf" { "RSMF 2.0" } option value="eml" { "EML" } }
            button type="submit" { (t(l, "export_conversation")) }
        }
        @if start { p #conversation-start.hint { (t(l, "conversation_start")) } } @else { a #earlier href=(link(before + 50, after)) { "↑ " (t(l, "earlier")) } }
        ol #conversation.conversation {
            @for row in crate::disposed::rows(msgs.iter().collect(), &disposed) {
                @match row {
                    crate::disposed::Row::Message(m) => { (holds.line(m, &viewer, &[], m.stored.time_ms == at, None)) }
                    crate::disposed::Row::Disposed(d) => { (crate::disposed::line(d, l, a.zone)) }
                }
            }
        }
        @if end { p #conversation-end.hint { (t(l, "conversation_end")) } } @else { a #later href=(link(before, after + 50)) { "↓ " (t(l, "later")) } }
    })
    .into_response()
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(from: &str, to: &str) -> SearchQuery {
        SearchQuery {
            from: Some(from.into()),
            to: Some(to.into()),
            ..SearchQuery::default()
        }
    }

    #[test]
    fn from_after_to_is_said_not_searched() {
        let zone = 8 * 3600;
        assert_eq!(
            refusal(&q("2026-12-03", "2026-12-01"), zone, Lang::En).unwrap_err(),
            "From is after To: give a From on or before the To day."
        );
        assert!(refusal(&q("2026-12-03", "2026-12-01"), zone, Lang::Zh)
            .unwrap_err()
            .starts_with("起始日期晚于截止日期"));
        assert!(refusal(&q("2026-12-01", "2026-12-01"), zone, Lang::En).is_ok());
        assert!(refusal(&q("2026-13-01", ""), zone, Lang::En)
            .unwrap_err()
            .starts_with("from: "));
    }

    #[test]
    fn a_display_name_is_not_taken_for_a_wecom_id() {
        assert!(looks_like_a_name("张伟"));
        assert!(looks_like_a_name("Zhang Wei"));
        for id in [
            "zhangwei",
            "wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ",
            "PARTICIPANT_03a3",
            "single:a|b",
        ] {
            assert!(!looks_like_a_name(id), "{id}");
        }
    }
}
