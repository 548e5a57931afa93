//! The queue: pending / in review / escalated / closed items across the regions this
//! console serves, with filters, sort, counts per status, paging, bulk selection and
//! keyboard navigation (`assets/app.js`).

use std::collections::BTreeMap;

use axum::extract::{Query, State};
use axum::response::{IntoResponse, Response};
use maud::html;
use serde::Deserialize;
use wcp_archive::dates::End;
use wcp_model::RiskCategory;
use wcp_review::access::AccessRecord;
use wcp_review::items::Item;
use wcp_review::queue::{self, CountBy, Filter, Sort, StatusFilter};

use crate::auth::Reader;
use crate::i18n::t;
use crate::layout::{csrf, flash, page, time};
use crate::pages::params::{self, opt, BadInput};
use crate::pseudonyms::Lookup;
use crate::state::{lock, now_ms, Shared};

pub const PAGE: u64 = 50;

#[derive(Deserialize, Default, Clone)]
pub struct QueueQuery {
    pub status: Option<String>,
    pub category: Option<String>,
    pub severity: Option<String>,
    pub region: Option<String>,
    pub from: Option<String>,
    pub to: Option<String>,
    pub participant: Option<String>,
    pub rule: Option<String>,
    pub kind: Option<String>,
    pub sort: Option<String>,
    pub page: Option<u64>,
    pub mine: Option<String>,
    pub msg: Option<String>,
    pub error: Option<String>,
}

/// The validated filter, the regions to ask, the sort and the page.
pub fn parse(
    q: &QueueQuery,
    user: &str,
    zone: i32,
) -> Result<(Filter, Option<String>, Sort, u64), BadInput> {
    let status = match opt(&q.status) {
        None => StatusFilter::Open,
        Some(s) => StatusFilter::parse(s).ok_or_else(|| BadInput(format!("status {s:?}")))?,
    };
    let severity = match opt(&q.severity) {
        None => None,
        Some("low") => Some(0),
        Some("medium") => Some(1),
        Some("high") => Some(2),
        Some(s) => return Err(BadInput(format!("severity {s:?}"))),
    };
    let sort = match opt(&q.sort) {
        None | Some("newest") => Sort::Newest,
        Some("oldest") => Sort::Oldest,
        Some("severity") => Sort::Severity,
        Some(s) => return Err(BadInput(format!("sort {s:?}"))),
    };
    let category = match opt(&q.category) {
        None => None,
        Some(c) if categories().contains(&c) => Some(c.to_string()),
        // Said like a bad severity, not answered with an empty queue (trial 18d D11).
        Some(c) => return Err(BadInput(format!("category {c:?}"))),
    };
    let f = Filter {
        status,
        category,
        severity,
        from_ms: params::time("from", &q.from, zone, End::From)?,
        to_ms: params::time("to", &q.to, zone, End::To)?,
        participant: params::id("participant", &q.participant)?,
        rule_id: params::id("rule", &q.rule)?,
        kind: params::id("kind", &q.kind)?,
        assignee: opt(&q.mine).map(|_| user.to_string()),
    };
    Ok((
        f,
        params::id("region", &q.region)?,
        sort,
        q.page.unwrap_or(0).min(10_000),
    ))
}

/// Every category an item can have: the risk categories, the pipeline's own alerts
/// (wcp-stages), capture's (services/capture) and the console's samples.
fn categories() -> Vec<&'static str> {
    RiskCategory::ALL
        .iter()
        .map(|c| c.as_str())
        .chain([
            "consent_violation",
            "recall_of_flagged",
            "seq_gap",
            "capture_decrypt_failure",
            "capture_data_expired",
            "media_missing",
            "sample",
        ])
        .collect()
}

fn sort_key(sort: Sort, i: &(String, Item)) -> (i64, i64) {
    match sort {
        Sort::Newest => (-i.1.new.time_ms, 0),
        Sort::Oldest => (i.1.new.time_ms, 0),
        Sort::Severity => (
            -wcp_review::items::severity_rank(i.1.new.severity),
            i.1.new.time_ms,
        ),
    }
}

pub async fn show(
    State(state): State<Shared>,
    Reader(a): Reader,
    Query(q): Query<QueueQuery>,
) -> Response {
    let (filter, region, sort, pg) = match parse(&q, &a.user, a.zone) {
        Ok(p) => p,
        Err(e) => return refused(&a, &q, e),
    };
    if let (Some(f), Some(to)) = (filter.from_ms, filter.to_ms) {
        if f > to {
            return refused(&a, &q, BadInput(t(a.lang, "from_after_to").into()));
        }
    }
    if let Some(r) = &region {
        if let Err(e) = params::region(&state, r) {
            return refused(&a, &q, e);
        }
    }
    let scope = a.scope();
    let a2 = a.clone();
    let f2 = filter.clone();
    let asked = params::given(&[
        ("status", Some(filter.status.as_str())),
        ("category", opt(&q.category)),
        ("severity", opt(&q.severity)),
        ("region", opt(&q.region)),
        ("from", opt(&q.from)),
        ("to", opt(&q.to)),
        ("participant", opt(&q.participant)),
        ("rule", opt(&q.rule)),
        ("kind", opt(&q.kind)),
        ("mine", opt(&q.mine).map(|_| "yes")),
    ]);
    let res = state
        .blocking(move |c| {
            let ask = Asked {
                scope: &scope,
                sort,
                pg,
                region: region.as_deref(),
            };
            let (mut rows, mut counts, mut more) = list_regions(c, &a2, &ask, &f2, &asked)?;
            // A contact without consent is queued under a pseudonym: the typed id is looked up
            // under it as Search and Consent do (trial 18d D3), audited as a queue view.
            let lookup = match f2.participant.as_deref() {
                None => Lookup::None,
                Some(p) => Lookup::resolve(
                    c.settings.tenant_key.as_ref(),
                    p,
                    !counts.is_empty(),
                    |ps| {
                        let f3 = Filter {
                            participant: Some(ps.to_string()),
                            ..f2.clone()
                        };
                        let mut asked = asked.clone();
                        asked["participant"] = ps.into();
                        (rows, counts, more) = list_regions(c, &a2, &ask, &f3, &asked)?;
                        Ok::<_, wcp_review::ReviewError>(!counts.is_empty())
                    },
                )?,
            };
            let empty: Vec<String> = c
                .empty_regions()
                .into_iter()
                .filter(|n| region.as_ref().is_none_or(|x| x == n))
                .collect();
            let phrases = phrases(c, &a2, &rows);
            Ok::<_, wcp_review::ReviewError>((rows, counts, more, empty, lookup, phrases))
        })
        .await;
    match res {
        Ok((rows, counts, more, empty, lookup, phrases)) => {
            let listed = Listed {
                rows: &rows,
                phrases: &phrases,
                counts: &counts,
                more,
                empty: &empty,
                problem: None,
                lookup,
            };
            render(&a, &q, &filter, &listed, pg).into_response()
        }
        Err(e) => crate::error_page(&a, e),
    }
}

/// Where and how one queue page is asked.
struct Asked<'a> {
    scope: &'a wcp_review::roles::Scope,
    sort: Sort,
    pg: u64,
    region: Option<&'a str>,
}

type Rows = Vec<(String, Item)>;

/// The matched words of each row's message where it has some (region, item id → words).
type Phrases = std::collections::HashMap<(String, i64), String>;

/// The words that raised each risk alert on the page, from its archived message (trial 18d
/// D4), masked as the message is for a viewer who does not see PII. Shown, never logged.
fn phrases(c: &crate::state::Console, a: &crate::auth::Authed, rows: &Rows) -> Phrases {
    let mut out = Phrases::new();
    for (region, it) in rows.iter().filter(|(_, it)| !it.new.msgid.is_empty()) {
        let Some(arch) = c.region(region).and_then(|r| r.archive()) else {
            continue;
        };
        let Some(m) = lock(arch).message(&it.new.msgid) else {
            continue;
        };
        let Some(cl) = &m.stored.classification else {
            continue;
        };
        if let Some(p) =
            crate::explain::queue_phrase(&it.new.category, cl, &m.stored.text, a.role.sees_pii())
        {
            out.insert((region.clone(), it.id), p);
        }
    }
    out
}

/// One page of the queue over the regions asked (rows, counts per status, whether there
/// are more), audited as a queue view with the filter `asked` as the person set it.
fn list_regions(
    c: &crate::state::Console,
    a: &crate::auth::Authed,
    ask: &Asked,
    f: &Filter,
    asked: &serde_json::Value,
) -> Result<(Rows, BTreeMap<String, u64>, bool), wcp_review::ReviewError> {
    let (sort, pg) = (ask.sort, ask.pg);
    let mut rows: Rows = Vec::new();
    let mut counts: BTreeMap<String, u64> = BTreeMap::new();
    for r in c
        .regions
        .iter()
        .filter(|r| ask.region.is_none_or(|x| x == r.name))
    {
        let store = lock(&r.store);
        for it in queue::list(&store, ask.scope, f, sort, 0, (pg + 1) * PAGE + 1)? {
            rows.push((r.name.clone(), it));
        }
        for (k, n) in queue::count_by(&store, ask.scope, f, CountBy::Status)? {
            *counts.entry(k).or_default() += n;
        }
    }
    rows.sort_by_key(|i| sort_key(sort, i));
    let more = rows.len() as u64 > (pg + 1) * PAGE;
    let rows: Rows = rows
        .into_iter()
        .skip((pg * PAGE) as usize)
        .take(PAGE as usize)
        .collect();
    let items: Vec<String> = rows.iter().map(|(r, i)| format!("{r}/{}", i.id)).collect();
    c.audit(AccessRecord {
        actor: a.user.clone(),
        role: a.role.as_str().into(),
        at_ms: now_ms(),
        action: "view_queue".into(),
        from: a.ip.clone(),
        target: serde_json::json!({ "filter": asked, "page": pg, "items": items }),
        why: String::new(),
    })?;
    Ok((rows, counts, more))
}

/// A filter that cannot run (a date that does not read, From after To, a region not served
/// here): the queue page with the form as it was filled and what is wrong, no rows, as
/// search does (trial 18c D8; a bare 400 page left the person without the form).
fn refused(a: &crate::auth::Authed, q: &QueueQuery, why: BadInput) -> Response {
    let filter = Filter {
        status: opt(&q.status)
            .and_then(StatusFilter::parse)
            .unwrap_or_default(),
        ..Filter::default()
    };
    let listed = Listed {
        rows: &[],
        phrases: &Phrases::new(),
        counts: &BTreeMap::new(),
        more: false,
        empty: &[],
        problem: Some(format!("{}: {}", t(a.lang, "invalid_input"), why.0)),
        lookup: Lookup::None,
    };
    (
        axum::http::StatusCode::BAD_REQUEST,
        render(a, q, &filter, &listed, 0),
    )
        .into_response()
}

/// The filter and sort fields a person set, as (name, value) pairs, in a fixed order.
fn filter_pairs(q: &QueueQuery) -> Vec<(&'static str, String)> {
    let fields: [(&str, &Option<String>); 11] = [
        ("status", &q.status),
        ("category", &q.category),
        ("severity", &q.severity),
        ("region", &q.region),
        ("from", &q.from),
        ("to", &q.to),
        ("participant", &q.participant),
        ("rule", &q.rule),
        ("kind", &q.kind),
        ("sort", &q.sort),
        ("mine", &q.mine),
    ];
    fields
        .into_iter()
        .filter_map(|(k, v)| opt(v).map(|v| (k, v.to_string())))
        .collect()
}

/// This view of the queue: the filters, the sort and the page.
fn view_pairs(q: &QueueQuery) -> Vec<(&'static str, String)> {
    let mut pairs = filter_pairs(q);
    if let Some(p) = q.page.filter(|p| *p > 0) {
        pairs.push(("page", p.to_string()));
    }
    pairs
}

fn link_with(q: &QueueQuery, key: &str, value: &str) -> String {
    let mut pairs: Vec<(&str, String)> = filter_pairs(q);
    pairs.retain(|(k, _)| *k != key);
    if !value.is_empty() {
        pairs.push((key, value.to_string()));
    }
    format!(
        "/queue?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// The queue a bulk action returns to: the page it was sent from, with every filter, the
/// sort and the page, and the result (`msg=done` or the refusals). `back` is what the bulk
/// form carried; it is re-read as queue fields so it can only name a queue view
/// (trial 18b D8: the filter was dropped after a bulk close).
pub fn back_to(back: &str, msg: Option<&str>, error: Option<&str>) -> String {
    let q: QueueQuery = serde_urlencoded::from_str(back).unwrap_or_default();
    let mut pairs = view_pairs(&q);
    if let Some(m) = msg {
        pairs.push(("msg", m.to_string()));
    }
    if let Some(e) = error {
        pairs.push(("error", e.to_string()));
    }
    format!(
        "/queue?{}",
        serde_urlencoded::to_string(&pairs).unwrap_or_default()
    )
}

/// What the stores returned for one page of the queue.
struct Listed<'a> {
    rows: &'a [(String, Item)],
    phrases: &'a Phrases,
    counts: &'a BTreeMap<String, u64>,
    more: bool,
    /// Regions without an archive yet (shown empty).
    empty: &'a [String],
    /// Why the filter could not run, shown above the form.
    problem: Option<String>,
    /// The Participant looked up under its pseudonym, if it was.
    lookup: Lookup,
}

fn render(
    a: &crate::auth::Authed,
    q: &QueueQuery,
    f: &Filter,
    listed: &Listed,
    pg: u64,
) -> maud::Markup {
    let Listed {
        rows,
        phrases,
        counts,
        more,
        empty,
        ref problem,
        ref lookup,
    } = *listed;
    let l = a.lang;
    let n = |k: &str| counts.get(k).copied().unwrap_or(0);
    let open = n("pending") + n("in_review") + n("escalated");
    let tabs = [
        ("open", open),
        ("pending", n("pending")),
        ("in_review", n("in_review")),
        ("escalated", n("escalated")),
        ("closed", n("closed")),
    ];
    let cats = categories();
    page(
        a,
        t(l, "queue"),
        html! {
            (flash(l, q.msg.as_deref()))
            @if let Some(e) = opt(&q.error) { (crate::layout::problem(e)) }
            @if let Some(e) = problem { (crate::layout::problem(e)) }
            (crate::layout::empty_regions(l, empty))
            nav.tabs {
                @for (key, count) in tabs {
                    a.tab.current[f.status.as_str() == key] href=(link_with(q, "status", key)) data-status=(key) {
                        (t(l, match key { "open" => "open", "pending" => "pending", "in_review" => "in_review", "escalated" => "escalated", _ => "closed" }))
                        " " span.count { (count) }
                    }
                }
            }
            form.filters method="get" action="/queue" {
                input type="hidden" name="status" value=(f.status.as_str());
                label { (t(l, "category")) select name="category" { option value="" { "—" } @for c in &cats { option value=(c) selected[opt(&q.category) == Some(*c)] { (crate::i18n::word(l, c)) } } } }
                label { (t(l, "severity")) select name="severity" { option value="" { "—" } @for s in ["high", "medium", "low"] { option value=(s) selected[opt(&q.severity) == Some(s)] { (crate::i18n::word(l, s)) } } } }
                label { (t(l, "region")) input name="region" size="4" value=(opt(&q.region).unwrap_or("")); }
                (params::date_fields(l, opt(&q.from), opt(&q.to), a.zone))
                label { (t(l, "participant")) input name="participant" value=(opt(&q.participant).unwrap_or("")); }
                label { (t(l, "rule")) input name="rule" value=(opt(&q.rule).unwrap_or("")); }
                label { (t(l, "sort")) select name="sort" {
                    @for (v, k) in [("newest", "newest"), ("oldest", "oldest"), ("severity", "severity")] { option value=(v) selected[opt(&q.sort) == Some(v)] { (t(l, k)) } }
                } }
                button type="submit" { (t(l, "filter")) }
                p.hint #participant-hint { (t(l, "participant_hint")) }
            }
            p.hint { (t(l, "keys_help")) }
            form #bulk method="post" action="/queue/bulk" {
                (csrf(a))
                input type="hidden" name="back" value=(serde_urlencoded::to_string(view_pairs(q)).unwrap_or_default());
                table #queue.queue {
                    thead { tr { th {} th { (t(l, "time")) } th { (t(l, "region")) } th { (t(l, "category")) } th { (t(l, "severity")) } th { (t(l, "rule")) } th { (t(l, "participant")) } th { (t(l, "status")) } th { (t(l, "assignee")) } th { (t(l, "outcome")) } } }
                    tbody {
                        @for (region, it) in rows {
                            @let href = format!("/alerts/{region}/{}", it.id);
                            tr.row data-href=(href) {
                                td { input type="checkbox" name="sel" value=(format!("{region}:{}", it.id)); }
                                td.time { a.open href=(href) { (time(it.new.time_ms, a.zone)) } }
                                td { (region) }
                                td title=(it.new.category) { (crate::i18n::word(l, &it.new.category)) }
                                td class=(format!("sev-{}", it.new.severity.as_str())) { (crate::i18n::word(l, it.new.severity.as_str())) }
                                td.rule {
                                    @if let Some(p) = phrases.get(&(region.clone(), it.id)) { span.phrase { "“" (p) "”" } br; }
                                    code.rule-id { (it.new.rule_id) }
                                }
                                td { (it.new.sender) }
                                td.status { (crate::i18n::word(l, it.state.status.as_str())) }
                                td { (it.state.assignee.as_deref().unwrap_or("")) }
                                td.outcome { @if let Some(o) = it.state.outcome { (t(l, o.as_str())) } }
                            }
                        }
                    }
                }
                @if let Some(p) = opt(&q.participant).filter(|p| problem.is_none() && !crate::pages::search::looks_like_a_name(p)) { (lookup.note(l, p)) }
                @if rows.is_empty() && problem.is_none() {
                    p { (t(l, "no_results")) }
                    @if let Some(p) = opt(&q.participant).filter(|p| crate::pages::search::looks_like_a_name(p)) {
                        p.problem #participant-name role="alert" { (p) " — " (t(l, "participant_is_id")) }
                    }
                }
                fieldset.bulk {
                    legend { (t(l, "selected")) }
                    select name="action" {
                        option value="claim" { (t(l, "claim")) }
                        option value="release" { (t(l, "release")) }
                        option value="assign" { (t(l, "assign")) }
                        option value="close" { (t(l, "close")) }
                    }
                    input name="to" placeholder=(t(l, "assign"));
                    select name="outcome" { @for o in ["no_issue", "false_positive", "breach"] { option value=(o) { (t(l, o)) } } }
                    input name="note" placeholder=(t(l, "note"));
                    button type="submit" { (t(l, "apply")) }
                }
            }
            nav.pages {
                @if pg > 0 { a href=(link_with(q, "page", &(pg - 1).to_string())) { "←" } }
                @if more { a #next href=(link_with(q, "page", &(pg + 1).to_string())) { (t(l, "more")) " →" } }
            }
        },
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_bulk_action_returns_to_the_filtered_queue() {
        let q = QueueQuery {
            status: Some("all".into()),
            category: Some("consent_violation".into()),
            participant: Some("张伟 x".into()),
            sort: Some("oldest".into()),
            mine: Some("1".into()),
            page: Some(2),
            msg: Some("done".into()),
            ..QueueQuery::default()
        };
        let back = serde_urlencoded::to_string(view_pairs(&q)).unwrap();
        assert_eq!(
            back_to(&back, Some("done"), None),
            "/queue?status=all&category=consent_violation&participant=%E5%BC%A0%E4%BC%9F+x\
             &sort=oldest&mine=1&page=2&msg=done"
        );
        // Only queue fields come back: no old result, nothing else a crafted form carries.
        assert_eq!(
            back_to(
                "msg=x&error=y&next=https://x.example/&severity=high",
                None,
                Some("a/1: no")
            ),
            "/queue?severity=high&error=a%2F1%3A+no"
        );
        assert_eq!(back_to("", Some("done"), None), "/queue?msg=done");
    }
}
