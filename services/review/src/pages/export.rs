//! Export: a conversation or everything a case's holds cover, as RSMF 2.0 or EML, through
//! wcp-archive's own export (audited there and in the console's log), downloaded from the
//! console.

use std::path::PathBuf;

use axum::extract::{Path, State};
use axum::http::header;
use axum::response::{IntoResponse, Response};
use axum::Form;
use maud::html;
use serde::Deserialize;
use wcp_archive::{Counts, EmlGrouping, ExportOptions, Query as ArchiveQuery};
use wcp_review::ReviewError;

use crate::auth::Investigator;
use crate::i18n::{t, Lang};
use crate::layout::page;
use crate::pages::alert::access;
use crate::pages::holds::{arch_err, render, writer};
use crate::pages::params::{self, BadInput};
use crate::state::{now_ms, Shared};

#[derive(Deserialize)]
pub struct ExportForm {
    region: String,
    format: String,
    case_id: Option<String>,
    conversation: Option<String>,
}

pub async fn export(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Form(f): Form<ExportForm>,
) -> Response {
    if let Err(e) = params::region(&state, &f.region) {
        return e.into_response();
    }
    let eml = match f.format.as_str() {
        "rsmf" => false,
        "eml" => true,
        other => return BadInput(format!("format {other:?}")).into_response(),
    };
    let (case, conv) = match (
        params::id("case_id", &f.case_id),
        params::id("conversation", &f.conversation),
    ) {
        (Ok(c), Ok(v)) => (c, v),
        (Err(e), _) | (_, Err(e)) => return e.into_response(),
    };
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let r = c.region(&f.region).ok_or(ReviewError::NotFound)?;
            let mut w = writer(r, &a2.user)?;
            // A case: what its holds cover, each message once, every file naming the case
            // and its holds (trial 18d D8).
            let (query, export_case) = match (&case, &conv) {
                (Some(case), None) => (ArchiveQuery::default(), Some(w.export_case(case, a2.zone).map_err(arch_err)?)),
                (None, Some(conv)) => (ArchiveQuery { conversation: Some(conv.clone()), ..ArchiveQuery::default() }, None),
                _ => return Err(ReviewError::Invalid("export a case id or a conversation".into())),
            };
            let name = format!("{}-{}-{}", now_ms(), a2.user, f.region);
            let dir = c.settings.export_dir.join(&name);
            std::fs::create_dir_all(&dir)?;
            let mut files = Vec::new();
            let opts = ExportOptions { zone: a2.zone, media_dir: c.settings.media_dir.clone(), case: export_case };
            let q = &query;
            let rep = if eml { w.export_eml_with(q, &a2.user, &dir, EmlGrouping::Thread, &opts) } else { w.export_rsmf_with(q, &a2.user, &dir, &opts) }.map_err(arch_err)?;
            let counts = rep.counts;
            let unplaced = rep.unplaced;
            files.extend(rep.files.iter().filter_map(|p| p.file_name().map(|n| n.to_string_lossy().to_string())));
            files.sort();
            files.dedup();
            c.audit(access(&a2, "export", serde_json::json!({ "region": f.region, "format": f.format, "case_id": case, "conversation": conv, "messages": counts.records, "counts": counts, "folder": name, "files": files }), ""))?;
            Ok::<_, ReviewError>((name, files, counts, unplaced))
        })
        .await;
    let l = a.lang;
    match res {
        Ok((name, files, counts, unplaced)) => page(&a, t(l, "export"), html! {
            p #exported { (exported(l, &counts)) }
            @if unplaced > 0 { p #unplaced.hint { (unplaced_words(l, unplaced)) } }
            ul #files { @for f in &files { li { a href=(format!("/exports/{name}/{f}")) { (f) } } } }
        })
        .into_response(),
        Err(e) => render(&state, &a, Some(e.to_string())).await,
    }
}

/// What was exported, the records first, as the EML subject and the RSMF say it (trial 18d
/// D7: "5 messages" here, 4 events in the RSMF, without saying why).
fn exported(l: crate::i18n::Lang, c: &Counts) -> String {
    match l {
        crate::i18n::Lang::En => c.words(),
        crate::i18n::Lang::Zh if c.records == c.messages => format!("{} 条消息", c.messages),
        crate::i18n::Lang::Zh => {
            let mut s = format!("{} 条记录：{} 条消息", c.records, c.messages);
            if c.recalls > 0 {
                s.push_str(&format!("，{} 条撤回", c.recalls));
            }
            if c.notices > 0 {
                s.push_str(&format!("，{} 条同意或账号通知", c.notices));
            }
            if c.disposed > 0 {
                s.push_str(&format!(
                    "，{} 条已按保留规则处置（原位置显示占位记录）",
                    c.disposed
                ));
            }
            s
        }
    }
}

/// Tombstones older than their placement: said, never silently left out.
fn unplaced_words(l: Lang, n: u64) -> String {
    match l {
        Lang::En => format!("{n} message(s) of this archive were disposed of before this version recorded their conversation: no export can place them."),
        Lang::Zh => format!("本归档有 {n} 条消息在本版本记录其会话之前已被处置：导出无法将其放回原位置。"),
    }
}

/// Downloads a file of an export. Names are checked: one path component each, no dots first.
pub async fn download(
    State(state): State<Shared>,
    Investigator(a): Investigator,
    Path((dir, file)): Path<(String, String)>,
) -> Response {
    let ok = |s: &str| {
        !s.is_empty()
            && !s.starts_with('.')
            && !s.contains('/')
            && !s.contains('\\')
            && s.len() < 256
    };
    if !ok(&dir) || !ok(&file) {
        return BadInput("file name".into()).into_response();
    }
    let path: PathBuf = state.settings.export_dir.join(&dir).join(&file);
    let disposition = attachment(&file);
    let a2 = a.clone();
    let res = state
        .blocking(move |c| {
            let bytes = std::fs::read(&path)?;
            c.audit(access(
                &a2,
                "export_download",
                serde_json::json!({ "folder": dir, "file": file }),
                "",
            ))?;
            Ok::<_, ReviewError>(bytes)
        })
        .await;
    match res {
        Ok(bytes) => (
            [
                (header::CONTENT_TYPE, "application/octet-stream".to_string()),
                (header::CONTENT_DISPOSITION, disposition),
            ],
            bytes,
        )
            .into_response(),
        Err(_) => (axum::http::StatusCode::NOT_FOUND, "no such file\n").into_response(),
    }
}

/// `Content-Disposition` naming the file, so the browser saves it under the export's own name
/// (trial 18c D9: Chromium took the URL's): an ASCII `filename` (other characters as `_`)
/// and the exact name as RFC 5987 `filename*`.
fn attachment(file: &str) -> String {
    let ascii: String = file
        .chars()
        .map(|c| match c {
            'A'..='Z' | 'a'..='z' | '0'..='9' | '.' | '-' | '_' => c,
            _ => '_',
        })
        .collect();
    let exact: String = file
        .bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'.' | b'-' | b'_' => (b as char).to_string(),
            _ => format!("%{b:02X}"),
        })
        .collect();
    format!("attachment; filename=\"{ascii}\"; filename*=UTF-8''{exact}")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_download_is_named_after_its_file() {
        assert_eq!(
            attachment("conversation-1.eml"),
            "attachment; filename=\"conversation-1.eml\"; filename*=UTF-8''conversation-1.eml"
        );
        assert_eq!(
            attachment("会话 \"a\".rsmf"),
            "attachment; filename=\"____a_.rsmf\"; filename*=UTF-8''%E4%BC%9A%E8%AF%9D%20%22a%22.rsmf"
        );
    }
}
