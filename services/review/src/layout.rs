//! Page chrome: the navigation a role may use, the sign-out form, the language switch.
//! Every page is rendered by maud, which escapes every value it interpolates.

use maud::{html, Markup, DOCTYPE};
use wcp_review::Role;

use crate::auth::Authed;
use crate::i18n::{t, Lang};

pub fn time(ms: i64) -> String {
    wcp_archive::time::rfc3339(ms)
}

/// The hidden CSRF field every form carries.
pub fn csrf(a: &Authed) -> Markup {
    html! { input type="hidden" name="csrf" value=(a.csrf); }
}

pub fn page(a: &Authed, title: &str, body: Markup) -> Markup {
    let l = a.lang;
    let nav: Vec<(&str, &'static str)> = match a.role {
        Role::Reviewer => vec![
            ("/queue", "queue"),
            ("/search", "search"),
            ("/integrity", "integrity"),
        ],
        Role::Investigator => vec![
            ("/queue", "queue"),
            ("/search", "search"),
            ("/holds", "holds"),
            ("/consent", "consent"),
            ("/integrity", "integrity"),
        ],
        Role::Auditor => vec![("/audit", "audit"), ("/integrity", "integrity")],
        Role::Admin => vec![
            ("/admin/users", "users"),
            ("/audit", "audit"),
            ("/integrity", "integrity"),
        ],
    };
    html! {
        (DOCTYPE)
        html lang=(l.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t(l, "app")) }
                link rel="stylesheet" href="/static/app.css";
                script src="/static/app.js" defer {}
            }
            body {
                header {
                    strong { (t(l, "app")) }
                    nav { @for (href, key) in &nav { a href=(href) { (t(l, key)) } } }
                    span.who { (a.user) " · " (a.role.as_str()) }
                    a.lang href=(if l == Lang::Zh { "/lang/en" } else { "/lang/zh" }) { (if l == Lang::Zh { "English" } else { "中文" }) }
                    form.inline method="post" action="/signout" {
                        (csrf(a))
                        button #signout type="submit" { (t(l, "sign_out")) }
                    }
                }
                main { h1 { (title) } (body) }
            }
        }
    }
}

/// A page for people not signed in (sign-in).
pub fn bare(lang: Lang, title: &str, body: Markup) -> Markup {
    html! {
        (DOCTYPE)
        html lang=(lang.code()) {
            head {
                meta charset="utf-8";
                meta name="viewport" content="width=device-width, initial-scale=1";
                title { (title) " · " (t(lang, "app")) }
                link rel="stylesheet" href="/static/app.css";
            }
            body.bare { main { h1 { (t(lang, "app")) } (body) } }
        }
    }
}

/// A message shown after an action (`?msg=`), from a closed set so a link cannot inject text.
pub fn flash(lang: Lang, code: Option<&str>) -> Markup {
    let text = match code {
        Some("done") => Some(if lang == Lang::Zh {
            "已完成。"
        } else {
            "Done."
        }),
        Some("hold") => Some(if lang == Lang::Zh {
            "已设置保全。"
        } else {
            "Hold placed."
        }),
        Some("released") => Some(if lang == Lang::Zh {
            "已解除保全。"
        } else {
            "Hold released."
        }),
        _ => None,
    };
    html! { @if let Some(t) = text { p.flash role="status" { (t) } } }
}

/// An error the person can act on (a refused action, invalid input).
pub fn problem(msg: &str) -> Markup {
    html! { p.problem role="alert" { (msg) } }
}

/// The regions served empty because the archiver has written none of their messages yet
/// (`Console::empty_regions`); nothing when every region has an archive.
pub fn empty_regions(lang: Lang, names: &[String]) -> Markup {
    html! {
        @if !names.is_empty() {
            p #empty-regions.hint {
                @for (i, r) in names.iter().enumerate() {
                    @if i > 0 { " · " }
                    @if lang == Lang::Zh { (r) " 区域尚无归档消息" } @else { "No messages archived yet in " (r) }
                }
                @if lang == Lang::Zh { "：归档服务写入该区域第一条消息后自动显示。" }
                @else { ": shown empty until the archiver writes the region's first message; it appears here without a restart." }
            }
        }
    }
}
