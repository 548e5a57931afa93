//! Page chrome: the navigation a role may use, the sign-out form, the language switch.
//! Every page is rendered by maud, which escapes every value it interpolates.

use maud::{html, Markup, DOCTYPE};
use wcp_review::Role;

use crate::auth::Authed;
use crate::i18n::{t, Lang};

/// An instant in the console's zone with its offset written out (`2024-11-28 01:30:00 +08:00`).
pub fn time(ms: i64, zone: i32) -> String {
    wcp_archive::dates::local(ms, zone)
}

/// The hidden CSRF field every form carries.
pub fn csrf(a: &Authed) -> Markup {
    html! { input type="hidden" name="csrf" value=(a.csrf); }
}

/// The menu: each page with the capability its route's guard asks for (`crate::auth`), so a
/// role is offered only pages it may open (trial 18 D17: a reviewer was offered Search).
type MenuItem = (&'static str, &'static str, fn(Role) -> bool);

const NAV: [MenuItem; 7] = [
    ("/queue", "queue", Role::reads_content),
    ("/search", "search", Role::investigates),
    ("/holds", "holds", Role::investigates),
    ("/consent", "consent", Role::investigates),
    ("/admin/users", "users", Role::administers),
    ("/audit", "audit", Role::reads_audit),
    ("/integrity", "integrity", |_| true),
];

/// The (href, label key) pairs of `role`'s menu.
pub fn nav(role: Role) -> Vec<(&'static str, &'static str)> {
    NAV.iter()
        .filter(|(_, _, may)| may(role))
        .map(|(href, key, _)| (*href, *key))
        .collect()
}

pub fn page(a: &Authed, title: &str, body: Markup) -> Markup {
    let l = a.lang;
    let nav = nav(a.role);
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
        Some(c) if c.starts_with("did.") => return done_banner(crate::done::words(lang, c)),
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

fn done_banner(text: Option<String>) -> Markup {
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

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_menu_offers_only_what_the_role_may_open() {
        let hrefs = |r| nav(r).into_iter().map(|(h, _)| h).collect::<Vec<_>>();
        assert_eq!(hrefs(Role::Reviewer), ["/queue", "/integrity"]);
        assert_eq!(
            hrefs(Role::Investigator),
            ["/queue", "/search", "/holds", "/consent", "/integrity"]
        );
        assert_eq!(hrefs(Role::Auditor), ["/audit", "/integrity"]);
        assert_eq!(hrefs(Role::Admin), ["/admin/users", "/audit", "/integrity"]);
    }
}
