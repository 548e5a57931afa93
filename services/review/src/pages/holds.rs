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
}

pub async fn show(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Query(q): Query<HoldsQuery>,
) -> Response {
    render_with(&state, &a, None, None, q.msg.as_deref()).await
}

pub(crate) async fn render(state: &Shared, a: &Authed, error: Option<String>) -> Response {
    render_with(state, a, error, None, None).await
}

/// The holds page; `confirm` is a hold that would cover no message, shown back with a
/// warning and a button to place it anyway (a misspelt custodian otherwise looks placed).
async fn render_with(
    state: &Shared,
    a: &Authed,
    error: Option<String>,
    confirm: Option<(PlaceForm, Vec<String>)>,
    msg: Option<&str>,
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
                            td.covers { (covers(l, a.zone, &h.scope)) " → " strong { (n) } " " (crate::i18n::messages(l, *n)) }
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

enum Placed {
    /// Holds placed, by region; regions with no archive yet where nothing could be placed.
    Done { skipped: Vec<String> },
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
            // Every region's signing key first, so a missing one places nothing anywhere.
            let writers = found.iter().map(|(r, _)| writer(r, &a2.user)).collect::<Result<Vec<_>, _>>()?;
            let req = HoldRequest { scope, reason: f2.reason.trim().to_string(), case_id: f2.case_id.trim().to_string() };
            for ((r, n), mut w) in found.iter().zip(writers) {
                let hold = w.place_hold(&req, &a2.user).map_err(arch_err)?;
                c.audit(access(&a2, "hold_place", serde_json::json!({ "region": r.name, "hold": hold.id, "case_id": hold.case_id, "scope": hold.scope, "messages": n }), &req.reason))?;
            }
            Ok(Placed::Done { skipped })
        })
        .await;
    match res {
        Ok(Placed::Done { skipped }) if skipped.is_empty() => {
            Redirect::to("/holds?msg=hold").into_response()
        }
        Ok(Placed::Done { skipped }) => {
            let why = format!("hold placed; no archive yet in {}: place it there too once the archiver has written messages", skipped.join(", "));
            render(&state, &a, Some(why)).await
        }
        Ok(Placed::Empty(searched)) => {
            render_with(&state, &a, None, Some((f, searched)), None).await
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
