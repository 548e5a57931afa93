//! The alert page: the message with its evidence and PII, why it was raised, the
//! conversation around it (paging further), consent and retention, the actions and the
//! history. Reviewers see only items of their queues (or assigned to them): anything else
//! is a 403, and the refusal is in the access log too.

use axum::extract::{Path, Query, State};
use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use serde::Deserialize;
use wcp_archive::fate::Removed;
use wcp_archive::ArchivedMessage;
use wcp_model::{ConsentState, Disposition, Role};
use wcp_review::access::AccessRecord;
use wcp_review::items::{self, ActionRecord, Item};

use crate::auth::{forbidden, Authed, Reader};
use crate::explain;
use crate::i18n::{t, word, Lang};
use crate::layout::{csrf, flash, page, time};
use crate::pages::params;
use crate::state::{lock, now_ms, Shared};
use crate::view::{MessageView, Viewer, WindowHolds};

#[derive(Deserialize, Default)]
pub struct AlertQuery {
    before: Option<u64>,
    after: Option<u64>,
    msg: Option<String>,
    /// Why an action from this page was refused, shown at its forms (never from the URL).
    #[serde(skip)]
    refused: Option<String>,
}

impl AlertQuery {
    /// The page again after a refused action, saying why (trial 18b D11: a bare "409").
    pub fn refused(why: String) -> AlertQuery {
        AlertQuery {
            refused: Some(why),
            ..AlertQuery::default()
        }
    }
}

pub struct Loaded {
    pub item: Item,
    pub message: Option<ArchivedMessage>,
    pub context: Vec<ArchivedMessage>,
    pub history: Vec<ActionRecord>,
    pub viewer: Viewer,
    /// How the message left the archive, when it is not there.
    pub removed: Option<Removed>,
    /// When the refusing contact refused (their latest `disagree` up to the message).
    pub refused_at: Option<i64>,
    /// When the message is gone (expired), the consent of the alert's external participants
    /// at its time from their consent records, which outlive it: (contact, state, refused at).
    pub ledger: Vec<(String, ConsentState, Option<i64>)>,
    /// The other alerts on the same message (its risk alerts, the alert of its recall).
    pub related: Vec<Item>,
    /// The case ids of the active legal holds that keep the message (trial 18c D4).
    pub held: Vec<String>,
    /// The holds on the conversation window's messages, marked as on the conversation page.
    pub window_holds: WindowHolds,
    /// The conversation's messages disposed of under retention within the window's times,
    /// shown where they were (trial 18c D5).
    pub disposed: Vec<wcp_archive::disposal::Disposed>,
}

pub enum Outcome {
    Shown(Box<Loaded>),
    Denied,
    Missing,
}

pub fn access(a: &Authed, action: &str, target: serde_json::Value, why: &str) -> AccessRecord {
    AccessRecord {
        actor: a.user.clone(),
        role: a.role.as_str().into(),
        at_ms: now_ms(),
        action: action.into(),
        from: a.ip.clone(),
        target,
        why: why.into(),
    }
}

pub async fn show(
    State(state): State<Shared>,
    Reader(a): Reader,
    Path((region, id)): Path<(String, i64)>,
    Query(q): Query<AlertQuery>,
) -> Response {
    if let Err(e) = params::region(&state, &region) {
        return e.into_response();
    }
    let n = state.settings.context_messages;
    let (before, after) = (
        q.before.unwrap_or(n).min(500),
        q.after.unwrap_or(n + 1).min(500),
    );
    let a2 = a.clone();
    let r2 = region.clone();
    let res = state
        .blocking(move |c| {
            let r = c.region(&r2).ok_or(wcp_review::ReviewError::NotFound)?;
            let item = items::get(&lock(&r.store), id)?;
            let Some(item) = item else { return Ok(Outcome::Missing) };
            if !a2.scope().covers(&item.queue, item.state.assignee.as_deref()) {
                c.audit(access(&a2, "view_alert_denied", serde_json::json!({ "region": r2, "item": id }), "not in the reviewer's queues"))?;
                return Ok(Outcome::Denied);
            }
            let history = items::history(&lock(&r.store), id)?;
            let related = match item.new.msgid.as_str() {
                "" => Vec::new(),
                msgid => items::alerts_of_msgid(&lock(&r.store), msgid)?.into_iter().filter(|x| x.id != id).collect(),
            };
            let invalid = |e: wcp_archive::ArchiveError| wcp_review::ReviewError::Invalid(e.to_string());
            let (mut held, mut window_holds) = (Vec::new(), WindowHolds::default());
            let mut disposed = Vec::new();
            let (message, context, removed, refused_at, ledger) = match r.archive() {
                Some(arch) => {
                    let arch = lock(arch);
                    let m = arch.message(&item.new.msgid);
                    let t = m.as_ref().map(|m| m.stored.time_ms).unwrap_or(item.new.time_ms);
                    let ctx = arch.conversation_window(&item.new.conversation_id, t, before, after).map_err(invalid)?;
                    let times: Vec<i64> = ctx.iter().map(|m| m.stored.time_ms).collect();
                    let (lo, hi) = crate::disposed::span(&times, t, before, after);
                    disposed = arch.disposed_in(&item.new.conversation_id, lo, hi).map_err(invalid)?;
                    let removed = if m.is_none() { arch.removed(&item.new.msgid).map_err(invalid)? } else { None };
                    held = arch.holds_on(&item.new.msgid).map_err(invalid)?.into_iter().map(|h| h.case_id).collect();
                    window_holds = WindowHolds::of(&arch, ctx.iter().chain(m.iter())).map_err(invalid)?;
                    let refused_at = match m.as_ref().and_then(|m| m.stored.consent.as_ref()) {
                        Some(d) if d.state == wcp_model::ConsentState::Disagreed => {
                            let mut at = None;
                            for cc in d.contacts.iter().filter(|cc| cc.state == d.state) {
                                at = at.max(arch.last_disagree_time(&cc.contact, t).map_err(invalid)?);
                            }
                            at
                        }
                        _ => None,
                    };
                    let ledger = match (&m, it_consent(&item)) {
                        (None, true) => ledger_of(&arch, &item).map_err(invalid)?,
                        _ => Vec::new(),
                    };
                    (m, ctx, removed, refused_at, ledger)
                }
                None => (None, Vec::new(), None, None, Vec::new()),
            };
            let shown: Vec<&str> = context.iter().map(|m| m.stored.msgid.as_str()).chain(message.iter().map(|m| m.stored.msgid.as_str())).collect();
            let gone: Vec<&str> = disposed.iter().map(|d| d.msgid.as_str()).collect();
            c.audit(access(&a2, "view_alert", serde_json::json!({ "region": r2, "item": id, "alert": item.new.key, "messages": shown, "disposed": gone }), ""))?;
            let unmasked = lock(&c.unmasked).get(&a2.token).cloned().unwrap_or_default();
            let viewer = Viewer { clear: a2.role.sees_pii(), unmasked, zone: a2.zone, lang: a2.lang };
            Ok::<_, wcp_review::ReviewError>(Outcome::Shown(Box::new(Loaded { item, message, context, history, viewer, removed, refused_at, ledger, related, held, window_holds, disposed })))
        })
        .await;
    match res {
        Ok(Outcome::Shown(l)) => render(&a, &region, &l, &q, before, after).into_response(),
        Ok(Outcome::Denied) => forbidden(a.lang),
        Ok(Outcome::Missing) => (StatusCode::NOT_FOUND, "no such alert\n").into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}

/// The consent state that raised a consent alert, from its rule (the message may be gone).
fn alert_consent(it: &Item) -> ConsentState {
    if it.new.rule_id == "consent.disagreed_contact" {
        ConsentState::Disagreed
    } else {
        ConsentState::Unknown
    }
}

fn it_consent(it: &Item) -> bool {
    it.new.category == "consent_violation"
}

/// The consent at the alert's time of each of its participants who is no staff member (a
/// contact's id or pseudonym), from the archive's consent records.
fn ledger_of(
    arch: &wcp_archive::Archive,
    it: &Item,
) -> Result<Vec<(String, ConsentState, Option<i64>)>, wcp_archive::ArchiveError> {
    let mut out = Vec::new();
    for p in &it.new.participants {
        let contact = p.starts_with("PARTICIPANT_") || Role::of_id(p) == Role::External;
        if !contact {
            continue;
        }
        let events: Vec<(String, i64)> = arch
            .consent_events(p)?
            .into_iter()
            .map(|e| (e.stored.msgtype, e.stored.time_ms))
            .collect();
        let (state, refused) = explain::ledger_state(&events, it.new.time_ms);
        out.push((p.clone(), state, refused));
    }
    Ok(out)
}

fn unmask_form<'a>(a: &'a Authed, region: &'a str, id: i64) -> impl Fn(&str, usize) -> Markup + 'a {
    move |msgid: &str, index: usize| {
        html! {
            details.unmask {
                summary { (t(a.lang, "unmask")) }
                form method="post" action=(format!("/alerts/{region}/{id}/unmask")) {
                    (csrf(a))
                    input type="hidden" name="msgid" value=(msgid);
                    input type="hidden" name="index" value=(index);
                    input name="reason" required placeholder=(t(a.lang, "reason"));
                    button type="submit" { (t(a.lang, "unmask")) }
                }
            }
        }
    }
}

fn render(a: &Authed, region: &str, l: &Loaded, q: &AlertQuery, before: u64, after: u64) -> Markup {
    let lang = a.lang;
    let it = &l.item;
    let base = format!("/alerts/{region}/{}", it.id);
    let um = unmask_form(a, region, it.id);
    let unmask: crate::view::UnmaskControl<'_> = if l.viewer.clear { None } else { Some(&um) };
    let evidence = evidence_spans(it, l.message.as_ref());
    let why = why_lines(lang, a.zone, it, l);
    let title = format!(
        "{} · {}",
        word(lang, &it.new.category),
        word(lang, it.new.severity.as_str())
    );
    let current = l.message.as_ref().map(|m| m.stored.msgid.as_str());
    page(
        a,
        &title,
        html! {
            (flash(lang, q.msg.as_deref()))
            dl.facts {
                dt { (t(lang, "status")) } dd #status { (word(lang, it.state.status.as_str())) }
                dt { (t(lang, "assignee")) } dd #assignee { (it.state.assignee.as_deref().unwrap_or("—")) }
                @if let Some(o) = it.state.outcome { dt { (t(lang, "outcome")) } dd #outcome { (word(lang, o.as_str())) } }
                dt { (t(lang, "region")) } dd { (region) }
                dt { (t(lang, "time")) } dd { (time(it.new.time_ms, a.zone)) }
                dt { (t(lang, "conversation")) } dd { code { (it.new.conversation_id) } }
                dt { (t(lang, "tags")) } dd #tags { (it.state.tags.join(" ")) }
            }
            @if !l.viewer.clear { p.hint { (t(lang, "masked_note")) } }
            section #message {
                h2 { (t(lang, "evidence")) }
                @match &l.message {
                    Some(m) => {
                        @let v = MessageView::new(m, &l.viewer, &evidence); ol.conversation { (v.line(true, unmask)) }
                        @if let Some(notice) = explain::quarantine_notice(&m.stored, region, lang, a.zone) {
                            div #quarantine-notice.notice { @for n in &notice { p { (n) } } }
                        }
                        @if let Some(lines) = explain::unknown_contact(&m.stored, region, lang, a.zone) {
                            div #who-contact.notice { h3 { (t(lang, "who_contact")) } @for n in &lines { p { (n) } } }
                        }
                    }
                    None => { p #gone { (explain::removed_line(l.removed.as_ref(), lang, a.zone)) } }
                }
                h3 { (t(lang, "why_raised")) }
                ul #why.why { @for w in &why { li { (w) } } }
                @if !l.related.is_empty() {
                    ul #related.why {
                        @for r in &l.related {
                            li { a href=(format!("/alerts/{region}/{}", r.id)) { (t(lang, "alert_of")) " " (word(lang, &r.new.category)) } " · " (word(lang, r.new.severity.as_str())) " · " (word(lang, r.state.status.as_str())) }
                        }
                    }
                }
                details #why-detail.detail {
                    summary { (t(lang, "rule_detail")) }
                    ul {
                        li { (t(lang, "rule")) ": " code { (it.new.rule_id) } " · " (it.new.kind) }
                        @if let Some(c) = l.message.as_ref().and_then(|m| m.stored.classification.as_ref()) {
                            @for r in c.risks.iter().filter(|r| r.category.as_str() == it.new.category) {
                                // The words that matched, beside the rule id: an id names its rule group
                                // (`guarantee.zh.保本` also fires on 保底), not the words (trial 18b D12).
                                @let words = explain::span_text(l.message.as_ref().map_or("", |m| m.stored.text.as_str()), r.start, r.end);
                                li.rule-hit { code { (r.rule_id) } @if !words.is_empty() { " " (t(lang, "matched")) " “" span.matched { (words) } "”" } " → " (r.category.as_str()) " (" (format!("{:.2}", r.score)) ") @" (r.start) "–" (r.end) }
                            }
                            @if !c.top_features.is_empty() { li { (t(lang, "features")) ": " @for f in &c.top_features { code { (f) } " " } } }
                            @for p in &c.pii { li.pii-type { (p.entity) " @" (p.start) "–" (p.end) } }
                        }
                    }
                }
            }
            @if let Some(m) = &l.message {
                section #context {
                    h2 { (t(lang, "consent_state")) }
                    ul { @for cc in m.stored.consent.iter().flat_map(|c| c.contacts.iter()) { li { code { (cc.contact) } " — " strong.consent { (word(lang, cc.state.as_str())) } " " a href=(format!("/consent?contact={}", cc.contact)) { "↗" } } } }
                    h2 { (t(lang, "retention")) }
                    @if let Some(rt) = &m.stored.retention {
                        p { @for r in &rt.rules { code { (r) } " " } " · " (t(lang, "keep_until")) " " strong #keep-until { (time(rt.keep_until_ms, a.zone)) } @if rt.legal_hold { " · legal hold" } }
                    }
                    @if !l.held.is_empty() { p #held { strong { (t(lang, "held")) } " " (l.held.join(", ")) } }
                }
            }
            @if l.message.is_none() && !l.ledger.is_empty() {
                section #context {
                    h2 { (t(lang, "consent_state")) }
                    ul { @for (contact, state, _) in &l.ledger { li { code { (contact) } " — " strong.consent { (word(lang, state.as_str())) } " " a href=(format!("/consent?contact={contact}")) { "↗" } } } }
                }
            }
            section #conversation {
                h2 { (t(lang, "conversation")) }
                a #earlier href=(format!("{base}?before={}&after={after}", before + 20)) { "↑ " (t(lang, "earlier")) }
                @let shown = conversation_rows(l);
                @if l.disposed.is_empty() && shown.iter().all(|m| current.is_some_and(|c| c == m.stored.msgid)) { p #no-others.hint { (t(lang, "no_other_messages")) } }
                ol.conversation {
                    @for row in crate::disposed::rows(shown, &l.disposed) {
                        @match row {
                            crate::disposed::Row::Message(m) => {
                                @let cur = l.message.as_ref().is_some_and(|x| x.stored.msgid == m.stored.msgid);
                                (l.window_holds.line(m, &l.viewer, if cur { &evidence } else { &[] }, cur, unmask))
                            }
                            crate::disposed::Row::Disposed(d) => { (crate::disposed::line(d, lang, a.zone)) }
                        }
                    }
                }
                a #later href=(format!("{base}?before={before}&after={}", after + 20)) { "↓ " (t(lang, "later")) }
            }
            @if let Some(why) = &q.refused { p.problem #refused role="alert" { (why) } }
            (actions(a, &base, it, l.history.iter().any(|h| matches!(h.act, wcp_review::actions::Act::Hold { .. }))))
            section #history {
                h2 { (t(lang, "history")) }
                ol { @for h in &l.history { li { (time(h.at_ms, a.zone)) " · " strong { (h.by) } " (" (h.role.as_str()) ") · " (h.act.name()) (act_detail(&h.act)) } } }
            }
        },
    )
}

/// The conversation window, with the alert's own message where the window lacks it: a
/// quarantined message is no searchable message, but its row (who, when, type) belongs in
/// its conversation.
fn conversation_rows(l: &Loaded) -> Vec<&ArchivedMessage> {
    let mut rows: Vec<&ArchivedMessage> = l.context.iter().collect();
    if let Some(m) = &l.message {
        if !rows.iter().any(|x| x.stored.msgid == m.stored.msgid) {
            let at = rows.partition_point(|x| x.stored.time_ms <= m.stored.time_ms);
            rows.insert(at, m);
        }
    }
    rows
}

/// The spans to highlight as this alert's evidence, in the text shown. The alert's own spans
/// count characters of the text the pipeline read; when the archive keeps the content
/// reduced (anonymised) the stored risk spans of the alert's category are the ones moved onto
/// the stored text.
fn evidence_spans(it: &Item, m: Option<&ArchivedMessage>) -> Vec<(u32, u32)> {
    match m.and_then(|m| {
        (m.stored.disposition != Disposition::Archive).then_some(m.stored.classification.as_ref()?)
    }) {
        Some(c) => c
            .risks
            .iter()
            .filter(|r| r.category.as_str() == it.new.category)
            .map(|r| (r.start, r.end))
            .collect(),
        None => it.new.evidence.iter().map(|s| (s.start, s.end)).collect(),
    }
}

/// "Why it was raised" in plain words: the consent line for a consent alert, else the
/// phrase(s) of the alert's category and the class; the rule id when nothing else is known.
fn why_lines(lang: Lang, zone: i32, it: &Item, l: &Loaded) -> Vec<String> {
    let m = l.message.as_ref().map(|m| &m.stored);
    let mut out = Vec::new();
    let recall = it.new.category == "recall_of_flagged";
    if let (true, Some(m)) = (recall, l.message.as_ref()) {
        let raised: Vec<String> = l
            .related
            .iter()
            .filter(|r| r.new.category != "recall_of_flagged")
            .map(|r| {
                let phrase = m.stored.classification.as_ref().and_then(|c| {
                    explain::risk_lines(&r.new.category, c, &m.stored.text, lang)
                        .into_iter()
                        .next()
                });
                match phrase {
                    Some(p) => format!("{}: {p}", r.new.category),
                    None => r.new.category.clone(),
                }
            })
            .collect();
        let recalled = m.recalled_at_ms.unwrap_or(it.new.time_ms);
        let from = &m.stored.from.id;
        out.push(explain::recall_line(
            from,
            m.stored.time_ms,
            recalled,
            &raised,
            lang,
            zone,
        ));
    } else if it.new.category == "consent_violation" {
        match m {
            Some(m) => out.extend(explain::consent_line(m, l.refused_at, lang, zone)),
            None => {
                // The message expired: the alert's rule says which state raised it, the
                // consent records who and when.
                let state = alert_consent(it);
                let who: Vec<&str> = l
                    .ledger
                    .iter()
                    .filter(|c| c.1 == state)
                    .map(|c| c.0.as_str())
                    .collect();
                let refused = l
                    .ledger
                    .iter()
                    .filter(|c| c.1 == state)
                    .filter_map(|c| c.2)
                    .max();
                out.extend(explain::consent_sentence(
                    state,
                    &who,
                    refused,
                    it.new.time_ms,
                    None,
                    lang,
                    zone,
                ));
            }
        }
        out.push(explain::consent_guidance(alert_consent(it), lang).to_string());
    } else if let Some(m) = m {
        if let Some(c) = &m.classification {
            out.extend(explain::risk_lines(&it.new.category, c, &m.text, lang));
            if !out.is_empty() {
                out.push(format!(
                    "{} {} ({:.2})",
                    t(lang, "classified_as"),
                    c.class.as_str(),
                    c.business_score
                ));
            }
        }
    }
    let recall_alert = l
        .related
        .iter()
        .any(|r| r.new.category == "recall_of_flagged");
    if let (false, true, Some(m)) = (recall, recall_alert, m) {
        let at = l.message.as_ref().and_then(|x| x.recalled_at_ms);
        out.extend(at.map(|at| explain::recalled_later(&m.from.id, m.time_ms, at, lang, zone)));
    }
    if out.is_empty() {
        out.push(format!("{}: {}", t(lang, "rule"), it.new.rule_id));
    }
    out
}

fn act_detail(act: &wcp_review::actions::Act) -> Markup {
    use wcp_review::actions::Act;
    html! {
        @match act {
            Act::Close { outcome, note } => { " → " (outcome.as_str()) ": " q { (note) } }
            Act::Escalate { to, note } => { " → " (to) ": " q { (note) } }
            Act::Assign { to } => { " → " (to) }
            Act::Tag { tags } => { ": " (tags.join(" ")) }
            Act::Note { note } | Act::Reopen { note } => { ": " q { (note) } }
            Act::Hold { region, hold, case_id } => { " → " a href="/holds" { (region) " #" (hold) } " · " (case_id) }
            _ => {}
        }
    }
}

/// Only the actions the item's status allows this person (`actions::offered`): a closed
/// alert shows tags, notes and, for investigators, Reopen with a mandatory note.
fn actions(a: &Authed, base: &str, it: &Item, held: bool) -> Markup {
    let l = a.lang;
    let act = format!("{base}/act");
    let by = wcp_review::actions::Actor {
        name: &a.user,
        role: a.role,
    };
    let ok = wcp_review::actions::offered(&it.state, by);
    let has = |n: &str| ok.contains(&n);
    html! {
        section #actions {
            @if has("claim") { form.inline method="post" action=(act) { (csrf(a)) input type="hidden" name="act" value="claim"; button #claim type="submit" { (t(l, "claim")) } } }
            @if has("release") { form.inline method="post" action=(act) { (csrf(a)) input type="hidden" name="act" value="release"; button #release type="submit" { (t(l, "release")) } } }
            @if has("close") {
                form #close-form method="post" action=(act) {
                    (csrf(a)) input type="hidden" name="act" value="close";
                    select name="outcome" { @for o in ["no_issue", "false_positive", "breach"] { option value=(o) { (t(l, o)) } } }
                    input #close-note name="note" required placeholder=(t(l, "note"));
                    button #close type="submit" { (t(l, "close")) }
                    p.hint #breach-hint { (t(l, "breach_holds")) }
                }
            }
            @if has("escalate") {
                form #escalate-form method="post" action=(act) {
                    (csrf(a)) input type="hidden" name="act" value="escalate";
                    input #escalate-to name="to" required placeholder=(t(l, "escalate"));
                    input #escalate-note name="note" required placeholder=(t(l, "note"));
                    button #escalate type="submit" { (t(l, "escalate")) }
                }
            }
            @if has("assign") { (one_field(a, &act, "assign", "to", t(l, "assign"), t(l, "assign"))) }
            @if has("reopen") {
                (one_field(a, &act, "reopen", "note", t(l, "note"), t(l, "reopen")))
                @if held { p.hint #reopen-hold { (t(l, "reopen_keeps_hold")) } }
            }
            @if has("tag") { (one_field(a, &act, "tag", "tags", t(l, "add_tags"), t(l, "tags"))) }
            @if has("escalate") { p.hint { "e → " (t(l, "escalate")) } }
        }
    }
}

/// A form of one action with one required field: `#<act>-form`, `#<act>-<field>`, `#<act>`.
fn one_field(a: &Authed, url: &str, act: &str, field: &str, hint: &str, label: &str) -> Markup {
    html! {
        form id=(format!("{act}-form")) method="post" action=(url) {
            (csrf(a)) input type="hidden" name="act" value=(act);
            input id=(format!("{act}-{field}")) name=(field) required placeholder=(hint);
            button id=(act) type="submit" { (label) }
        }
    }
}
