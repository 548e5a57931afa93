//! Legal holds and exports, through wcp-archive's own functions so each is a chained record
//! of the archive (placing and releasing need the archive's signing key on this console).
//! Holds: place by case id with a reason (a custodian, a conversation or a text search),
//! release with a reason, see what each covers. Exports are in `pages::export`.

use axum::extract::{Path, Query, State};
use axum::response::{IntoResponse, Redirect, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use wcp_archive::{
    keys, Archive, ArchiveOptions, Hold, HoldRequest, HoldScope, Query as ArchiveQuery,
};
use wcp_review::ReviewError;

use crate::auth::{Authed, Investigator};
use crate::i18n::{t, Lang};
use crate::layout::{csrf, flash, page, problem, time};
use crate::pages::alert::access;
use crate::pages::params::{self, opt};
use crate::state::{lock, Console, Region, Shared};

pub(crate) fn arch_err(e: wcp_archive::ArchiveError) -> ReviewError {
    ReviewError::Invalid(e.to_string())
}

pub fn scope_query(s: &HoldScope) -> ArchiveQuery {
    s.query()
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

/// What a hold covers, in words (never the stored JSON): "every message of custodian
/// zhangwei", "conversation a|b", "messages matching text “保本”".
pub fn covers(l: Lang, zone: i32, s: &HoldScope) -> String {
    let zh = l == Lang::Zh;
    match s {
        HoldScope::Custodian(p) if zh => format!("保管人 {p} 的全部消息"),
        HoldScope::Custodian(p) => format!("every message of custodian {p}"),
        HoldScope::Conversation(c) if zh => format!("会话 {c}"),
        HoldScope::Conversation(c) => format!("conversation {c}"),
        HoldScope::Message(m) if zh => format!("消息 {m}"),
        HoldScope::Message(m) => format!("message {m}"),
        HoldScope::Query(q) => {
            let mut parts = Vec::new();
            let mut add = |en: &str, cn: &str, v: String| {
                parts.push(format!("{} {v}", if zh { cn } else { en }))
            };
            if let Some(t) = &q.text {
                add("text", "文本", format!("“{t}”"))
            }
            if let Some(p) = &q.participant {
                add("participant", "参与者", p.clone())
            }
            if let Some(c) = &q.conversation {
                add("conversation", "会话", c.clone())
            }
            if let Some(f) = q.from_ms {
                add("from", "起", time(f, zone))
            }
            if let Some(t) = q.to_ms {
                add("before", "止", time(t, zone))
            }
            if let Some(r) = q.risk {
                add("risk", "风险类别", r.as_str().to_string())
            }
            if let Some(p) = &q.pii {
                add("PII", "个人信息", p.clone())
            }
            if let Some(m) = &q.msgtype {
                add("type", "类型", m.clone())
            }
            if let Some(c) = q.class {
                add("class", "分类", c.as_str().to_string())
            }
            if let Some(r) = q.recalled {
                add("recalled", "已撤回", r.to_string())
            }
            let what = if parts.is_empty() {
                if zh {
                    "全部".to_string()
                } else {
                    "everything".to_string()
                }
            } else {
                parts.join(", ")
            };
            if zh {
                format!("匹配的消息：{what}")
            } else {
                format!("messages matching {what}")
            }
        }
    }
}

#[derive(Deserialize, Default)]
pub struct HoldsQuery {
    msg: Option<String>,
    /// Where a hold was just placed: `cn:28,hk:0` (region:messages), and the regions passed
    /// over; read back only for regions this console serves.
    placed: Option<String>,
    passed: Option<String>,
}

impl HoldsQuery {
    /// What the placement said, from the redirect after it (so a reload places nothing).
    fn placed_note(&self, l: Lang, served: &[String]) -> Option<String> {
        let served = |r: &str| served.iter().any(|s| s == r);
        let places: Counts = opt(&self.placed)?
            .split(',')
            .filter_map(|x| x.split_once(':'))
            .filter(|(r, _)| served(r))
            .filter_map(|(r, n)| Some((r.to_string(), n.parse().ok()?)))
            .collect();
        let passed: Vec<String> = opt(&self.passed)
            .unwrap_or("")
            .split(',')
            .filter(|r| served(r))
            .map(str::to_string)
            .collect();
        (!places.is_empty()).then(|| placed_note(l, &places, &passed))
    }

    /// The redirect after placing a hold.
    fn after_placing(places: &[(String, u64)], passed: &[String]) -> String {
        let placed: Vec<String> = places.iter().map(|(r, n)| format!("{r}:{n}")).collect();
        let mut pairs = vec![("placed", placed.join(","))];
        if !passed.is_empty() {
            pairs.push(("passed", passed.join(",")));
        }
        format!(
            "/holds?{}",
            serde_urlencoded::to_string(pairs).unwrap_or_default()
        )
    }
}

pub async fn show(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Query(q): Query<HoldsQuery>,
) -> Response {
    let served: Vec<String> = state.regions.iter().map(|r| r.name.clone()).collect();
    let placed = q.placed_note(a.lang, &served);
    render_with(&state, &a, None, None, q.msg.as_deref(), placed).await
}

pub(crate) async fn render(state: &Shared, a: &Authed, error: Option<String>) -> Response {
    render_with(state, a, error, None, None, None).await
}

/// The holds page; `confirm` is a hold that would cover no message, shown back with a
/// warning and a button to place it anyway (a misspelt custodian otherwise looks placed).
async fn render_with(
    state: &Shared,
    a: &Authed,
    error: Option<String>,
    confirm: Option<(PlaceForm, Vec<String>)>,
    msg: Option<&str>,
    placed: Option<String>,
) -> Response {
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
        (flash(l, msg))
        @if let Some(p) = &placed { p.flash #placed role="status" { (p) } }
        @if let Some(e) = &error { (problem(e)) }
        @if let Some((f, searched)) = &confirm {
            section #confirm-empty {
                p.problem role="alert" {
                    @if l == Lang::Zh { "该保全在 " (searched.join("、")) " 中覆盖 0 条消息。请检查拼写（保管人为企业微信 ID，例如 zhangwei）。保全也会覆盖之后归档的消息。" }
                    @else { "This hold covers 0 messages in " (searched.join(", ")) ". Check the spelling (a custodian is a WeCom id such as zhangwei). A hold also covers messages archived later." }
                }
                form method="post" action="/holds" {
                    (csrf(a))
                    @for (k, v) in f.fields() { input type="hidden" name=(k) value=(v); }
                    input type="hidden" name="confirm_empty" value="1";
                    button #place-anyway type="submit" { (t(l, "place_anyway")) }
                }
            }
        }
        (crate::layout::empty_regions(l, &empty))
        form #place-hold method="post" action="/holds" {
            (csrf(a))
            label { (t(l, "region")) select name="region" { option value="all" { (t(l, "all_regions")) } @for r in &regions { option value=(r) { (r) } } } }
            label { (t(l, "case_id")) input name="case_id" required; }
            label { (t(l, "custodian")) input name="custodian"; }
            label { (t(l, "conversation")) input name="conversation"; }
            label { (t(l, "text")) input name="text"; }
            label { (t(l, "reason")) input name="reason" required; }
            button type="submit" { (t(l, "place_hold")) }
            p.hint { (t(l, "custodian_everywhere")) }
        }
        table #holds {
            thead { tr { th { (t(l, "region")) } th { "#" } th { (t(l, "case_id")) } th { (t(l, "covers")) } th { (t(l, "reason_col")) } th { (t(l, "actor")) } th { (t(l, "status")) } th {} } }
            tbody {
                @for (region, hs) in &list {
                    @for (h, n) in hs {
                        tr {
                            td { (region) } td { (h.id) } td.case { (h.case_id) }
                            td.covers { (covers_cell(l, a.zone, h, *n)) }
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

#[derive(Deserialize, Clone)]
pub struct PlaceForm {
    region: String,
    case_id: String,
    reason: String,
    custodian: Option<String>,
    conversation: Option<String>,
    text: Option<String>,
    /// Set by the "place it anyway" button after the 0-message warning.
    confirm_empty: Option<String>,
}

impl PlaceForm {
    /// The fields to post again from the confirmation.
    fn fields(&self) -> Vec<(&'static str, String)> {
        let mut v = vec![
            ("region", self.region.clone()),
            ("case_id", self.case_id.clone()),
            ("reason", self.reason.clone()),
        ];
        for (k, x) in [
            ("custodian", &self.custodian),
            ("conversation", &self.conversation),
            ("text", &self.text),
        ] {
            if let Some(x) = opt(x) {
                v.push((k, x.to_string()));
            }
        }
        v
    }
}

/// The regions a hold goes to: a custodian's messages are in every region (a chat with a
/// colleague in another region is archived there), so a custodian hold goes to all of
/// them whatever region was picked; other holds to the region picked, or all.
pub fn hold_regions(scope: &HoldScope, picked: &str, all: &[String]) -> Vec<String> {
    if matches!(scope, HoldScope::Custodian(_)) || picked == "all" {
        all.to_vec()
    } else {
        vec![picked.to_string()]
    }
}

type Counts = Vec<(String, u64)>;

/// Where a hold is placed among the regions asked, with how many messages it covers in each
/// (`counts`), and the regions passed over: a conversation's messages are in one region, so
/// a conversation hold goes only where it covers messages (all asked when it covers none
/// anywhere: the person confirmed that). A custodian or text hold goes everywhere asked: it
/// also covers messages archived there later.
pub fn hold_targets(scope: &HoldScope, counts: &[(String, u64)]) -> (Counts, Vec<String>) {
    let some = counts.iter().any(|(_, n)| *n > 0);
    if matches!(scope, HoldScope::Conversation(_)) && some {
        let (places, passed): (Counts, Counts) = counts.iter().cloned().partition(|(_, n)| *n > 0);
        (places, passed.into_iter().map(|(r, _)| r).collect())
    } else {
        (counts.to_vec(), Vec::new())
    }
}

/// "Hold placed: cn → 28 messages, hk → 0 messages (it covers messages archived there
/// later). Not placed in hk: no message of this conversation is archived there."
pub fn placed_note(l: Lang, places: &[(String, u64)], passed: &[String]) -> String {
    let zh = l == Lang::Zh;
    let each: Vec<String> = places
        .iter()
        .map(|(r, n)| format!("{r} → {n} {}", crate::i18n::messages(l, *n)))
        .collect();
    let mut out = if zh {
        format!("已设置保全：{}。", each.join("，"))
    } else {
        format!("Hold placed: {}.", each.join(", "))
    };
    if places.iter().any(|(_, n)| *n == 0) {
        out.push_str(if zh {
            "覆盖 0 条消息的地区，保全也覆盖之后在该地区归档的消息。"
        } else {
            " Where it covers 0 messages it covers messages archived there later."
        });
    }
    if !passed.is_empty() {
        out.push_str(&if zh {
            format!("未在 {} 设置：该地区没有此会话的消息。", passed.join("、"))
        } else {
            format!(
                " Not placed in {}: no message of this conversation is archived there.",
                passed.join(", ")
            )
        });
    }
    out
}

/// The Covers cell: what the hold covers and how many messages, or, once released, that it
/// holds nothing now (trial 18d D9: a released hold still read "→ 5 messages").
fn covers_cell(l: Lang, zone: i32, h: &Hold, n: u64) -> maud::Markup {
    let what = covers(l, zone, &h.scope);
    html! {
        @if h.released_at_ms.is_some() {
            (what) " · " em.released {
                @if l == Lang::Zh { "已解除，不再保全任何消息（现有 " (n) " 条消息符合其范围）" }
                @else { "released: holds nothing now (" (n) " " (crate::i18n::messages(l, n)) " match its scope)" }
            }
        } @else {
            (what) " → " strong { (n) } " " (crate::i18n::messages(l, n))
        }
    }
}

enum Placed {
    /// Holds placed (region, messages covered); regions with no archive yet where nothing
    /// could be placed; regions passed over (see [`hold_targets`]).
    Done {
        skipped: Vec<String>,
        places: Counts,
        passed: Vec<String>,
    },
    /// The hold would cover no message in these regions: nothing placed, confirm first.
    Empty(Vec<String>),
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
    if f.region != "all" {
        if let Err(e) = params::region(&state, &f.region) {
            return e.into_response();
        }
    }
    let all: Vec<String> = state.regions.iter().map(|r| r.name.clone()).collect();
    let targets = hold_regions(&scope, &f.region, &all);
    let (a2, f2) = (a.clone(), f.clone());
    let res = state
        .blocking(move |c| {
            let q = scope_query(&scope);
            let (mut found, mut skipped, mut total) = (Vec::new(), Vec::new(), 0);
            for name in &targets {
                let r = c.region(name).ok_or(ReviewError::NotFound)?;
                match r.archive() {
                    Some(arch) => {
                        let n = lock(arch).review_count(&q).map_err(arch_err)?;
                        total += n;
                        found.push((r, n));
                    }
                    None => skipped.push(name.clone()),
                }
            }
            if found.is_empty() {
                return Err(ReviewError::Refused(format!("no messages archived yet in {}: place the hold once the archiver has written messages there", skipped.join(", "))));
            }
            if total == 0 && opt(&f2.confirm_empty).is_none() {
                return Ok(Placed::Empty(found.iter().map(|(r, _)| r.name.clone()).collect()));
            }
            // A conversation lives in one region: not placed where it has no message (trial 18d
            // D9: "All regions" added a silent 0-message hold in hk).
            let counts: Vec<(String, u64)> = found.iter().map(|(r, n)| (r.name.clone(), *n)).collect();
            let (places, passed) = hold_targets(&scope, &counts);
            found.retain(|(r, _)| places.iter().any(|(p, _)| *p == r.name));
            // Every region's signing key first, so a missing one places nothing anywhere.
            let writers = found.iter().map(|(r, _)| writer(r, &a2.user)).collect::<Result<Vec<_>, _>>()?;
            let req = HoldRequest { scope, reason: f2.reason.trim().to_string(), case_id: f2.case_id.trim().to_string() };
            for ((r, n), mut w) in found.iter().zip(writers) {
                let hold = w.place_hold(&req, &a2.user).map_err(arch_err)?;
                c.audit(access(&a2, "hold_place", serde_json::json!({ "region": r.name, "hold": hold.id, "case_id": hold.case_id, "scope": hold.scope, "messages": n }), &req.reason))?;
            }
            Ok(Placed::Done { skipped, places, passed })
        })
        .await;
    match res {
        Ok(Placed::Done {
            skipped,
            places,
            passed,
        }) if skipped.is_empty() => {
            Redirect::to(&HoldsQuery::after_placing(&places, &passed)).into_response()
        }
        Ok(Placed::Done {
            skipped,
            places,
            passed,
        }) => {
            let why = format!("hold placed; no archive yet in {}: place it there too once the archiver has written messages", skipped.join(", "));
            let said = placed_note(a.lang, &places, &passed);
            render_with(&state, &a, Some(why), None, None, Some(said)).await
        }
        Ok(Placed::Empty(searched)) => {
            render_with(&state, &a, None, Some((f, searched)), None, None).await
        }
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
        Ok(()) => Redirect::to("/holds?msg=released").into_response(),
        Err(e) => render(&state, &a, Some(e.to_string())).await,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_custodian_hold_goes_to_every_region() {
        let all = ["cn".to_string(), "hk".to_string()];
        let who = HoldScope::Custodian("zhangwei".into());
        assert_eq!(hold_regions(&who, "cn", &all), all);
        let conv = HoldScope::Conversation("a|b".into());
        assert_eq!(hold_regions(&conv, "hk", &all), ["hk"]);
        assert_eq!(hold_regions(&conv, "all", &all), all);
    }

    #[test]
    fn a_conversation_hold_goes_only_where_the_conversation_is_and_says_so() {
        let counts = vec![("cn".to_string(), 28), ("hk".to_string(), 0)];
        let conv = HoldScope::Conversation("a|b".into());
        let (places, passed) = hold_targets(&conv, &counts);
        assert_eq!(
            (places.as_slice(), passed.as_slice()),
            (&counts[..1], &["hk".to_string()][..])
        );
        assert_eq!(
            placed_note(Lang::En, &places, &passed),
            "Hold placed: cn → 28 messages. Not placed in hk: no message of this conversation is archived there."
        );
        // Confirmed to cover nothing yet: placed where asked.
        let none = vec![("cn".to_string(), 0)];
        assert_eq!(hold_targets(&conv, &none), (none.clone(), Vec::new()));
        // A custodian's later messages can land in any region: placed everywhere, and said.
        let who = HoldScope::Custodian("liuyang".into());
        let (places, passed) = hold_targets(&who, &counts);
        assert_eq!((places.clone(), passed.is_empty()), (counts.clone(), true));
        assert_eq!(
            placed_note(Lang::En, &places, &passed),
            "Hold placed: cn → 28 messages, hk → 0 messages. Where it covers 0 messages it covers messages archived there later."
        );
        assert!(placed_note(Lang::Zh, &places, &passed)
            .starts_with("已设置保全：cn → 28 条消息，hk → 0 条消息。"));
        // The redirect carries it, read back only for served regions.
        let url = HoldsQuery::after_placing(&counts[..1], &["hk".to_string()]);
        assert_eq!(url, "/holds?placed=cn%3A28&passed=hk");
        let q: HoldsQuery = serde_urlencoded::from_str(url.trim_start_matches("/holds?")).unwrap();
        let served = ["cn".to_string(), "hk".to_string()];
        assert_eq!(
            q.placed_note(Lang::En, &served).unwrap(),
            "Hold placed: cn → 28 messages. Not placed in hk: no message of this conversation is archived there."
        );
        assert_eq!(q.placed_note(Lang::En, &served[1..]), None);
    }

    #[test]
    fn covers_reads_in_words() {
        let q = HoldScope::Query(ArchiveQuery {
            text: Some("保本".into()),
            ..ArchiveQuery::default()
        });
        assert_eq!(covers(Lang::En, 480, &q), "messages matching text “保本”");
        assert_eq!(
            covers(Lang::En, 480, &HoldScope::Custodian("zhangwei".into())),
            "every message of custodian zhangwei"
        );
        assert_eq!(
            covers(Lang::Zh, 480, &HoldScope::Conversation("a|b".into())),
            "会话 a|b"
        );
    }
}
