//! Integrity: each region archive's chain head and last signed checkpoint, the review
//! stores' heads, and the result of the last verification (run from here on demand).

use axum::extract::State;
use axum::response::{IntoResponse, Redirect, Response};
use maud::html;

use crate::auth::Authed;
use crate::i18n::t;
use crate::layout::{csrf, page, time};
use crate::pages::alert::access;
use crate::state::{lock, now_ms, Console, Shared};

pub async fn show(State(state): State<Shared>, a: Authed) -> Response {
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            c.audit(access(&a2, "view_integrity", serde_json::Value::Null, ""))?;
            let mut heads = Vec::new();
            for r in &c.regions {
                if let Some(arch) = r.archive() {
                    heads.push((r.name.clone(), lock(arch).chain_head().ok()));
                }
            }
            let v = lock(&c.verifications).clone();
            Ok::<_, wcp_review::ReviewError>((heads, v, c.empty_regions()))
        })
        .await;
    let (heads, verifications, empty) = match res {
        Ok(x) => x,
        Err(e) => return crate::error_page(&a, e),
    };
    let l = a.lang;
    let mut names: Vec<&String> = verifications.keys().collect();
    names.sort();
    page(&a, t(l, "integrity"), html! {
        (crate::layout::empty_regions(l, &empty))
        table #heads {
            thead { tr { th { (t(l, "region")) } th { "records" } th { "head" } th { "last signed checkpoint" } th { "public key" } } }
            tbody {
                @for (region, h) in &heads {
                    @if let Some(h) = h {
                        tr { td { (region) } td { (h.records) } td { (h.head_seq) " " code { (h.head_hash.get(..16).unwrap_or("")) "…" } }
                             td { @if let (Some(id), Some(seq), Some(at)) = (h.checkpoint_id, h.checkpoint_seq, h.checkpoint_signed_at_ms) { "#" (id) " @" (seq) " " (time(at, a.zone)) } }
                             td { code { (h.public_key.as_deref().unwrap_or("—")) } } }
                    }
                }
            }
        }
        h2 { "Last verification" }
        table #verifications { tbody { @for n in names { @let (at, summary, ok) = &verifications[n]; tr { td { (n) } td { (time(*at, a.zone)) } td.result class=(if *ok { "ok" } else { "bad" }) { (summary) } } } } }
        form method="post" action="/integrity/verify" { (csrf(&a)) button #verify type="submit" { (t(l, "verify_now")) } }
    })
    .into_response()
}

/// Verifies every archive and review store now and keeps the results for the page.
pub fn run_all(c: &Console) {
    let now = now_ms();
    let mut results = Vec::new();
    for r in &c.regions {
        if let Some(arch) = r.archive() {
            let res = lock(arch).verify();
            results.push((
                format!("archive-{}", r.name),
                match res {
                    Ok(rep) if rep.ok => (
                        format!(
                            "OK: {} records, {} checkpoints",
                            rep.records_checked, rep.checkpoints_checked
                        ),
                        true,
                    ),
                    Ok(rep) => (
                        format!(
                            "FAILED: {}",
                            rep.first_problem().map(|p| p.words()).unwrap_or_default()
                        ),
                        false,
                    ),
                    Err(e) => (format!("could not verify: {e}"), false),
                },
            ));
        } else {
            let (s, ok) = match r.state() {
                crate::state::ArchiveState::Broken(why) => {
                    (format!("could not open: {why}"), false)
                }
                _ => (
                    "no messages archived yet: nothing to verify".to_string(),
                    true,
                ),
            };
            results.push((format!("archive-{}", r.name), (s, ok)));
        }
        let res = wcp_review::verify::verify(lock(&r.store).store.conn(), None);
        results.push((format!("review-{}", r.name), summary(res)));
    }
    results.push((
        "review-console".into(),
        summary(wcp_review::verify::verify(
            lock(&c.console).store.conn(),
            None,
        )),
    ));
    let mut v = lock(&c.verifications);
    for (k, (s, ok)) in results {
        v.insert(k, (now, s, ok));
    }
}

fn summary(r: Result<wcp_review::verify::Report, wcp_review::ReviewError>) -> (String, bool) {
    match r {
        Ok(rep) if rep.ok() => (
            format!("OK: {} events, {} checkpoints", rep.events, rep.checkpoints),
            true,
        ),
        Ok(rep) => (format!("FAILED: {}", rep.problems.join("; ")), false),
        Err(e) => (format!("could not verify: {e}"), false),
    }
}

pub async fn verify(State(state): State<Shared>, a: Authed) -> Response {
    let a2 = a.clone();
    let r = state
        .blocking(move |c| {
            run_all(c);
            c.audit(access(&a2, "verify", serde_json::Value::Null, ""))
        })
        .await;
    match r {
        Ok(()) => Redirect::to("/integrity").into_response(),
        Err(e) => crate::error_page(&a, e),
    }
}
