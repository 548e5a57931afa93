//! Validation of what URLs and forms carry: ids, regions, dates. Invalid input is a 400
//! naming the field, never a query.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};
use maud::{html, Markup};
use wcp_archive::dates::{self, End};

use crate::i18n::{t, Lang};

pub struct BadInput(pub String);

impl IntoResponse for BadInput {
    fn into_response(self) -> Response {
        (
            StatusCode::BAD_REQUEST,
            format!("invalid input: {}\n", self.0),
        )
            .into_response()
    }
}

impl BadInput {
    /// The refusal in the console's page (header, menu, language), for a page a person opens
    /// from a link or an edited URL; the plain-text form is for scripts posting forms.
    pub fn page(self, a: &crate::auth::Authed) -> Response {
        let title = t(a.lang, "invalid_input");
        let body = html! { (crate::layout::problem(&self.0)) };
        (StatusCode::BAD_REQUEST, crate::layout::page(a, title, body)).into_response()
    }
}

/// Empty form fields are absent.
pub fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A From/To field: a local date (`YYYY-MM-DD` in the console's zone; To takes in the whole
/// day) or an RFC 3339 time, as epoch ms, exactly as `wcp archive search --from/--to` reads it.
pub fn time(field: &str, s: &Option<String>, zone: i32, end: End) -> Result<Option<i64>, BadInput> {
    opt(s)
        .map(|v| dates::bound(v, zone, end))
        .transpose()
        .map_err(|e| BadInput(format!("{field}: {e}")))
}

/// The From and To fields of a filter form, labelled with what they mean: To includes its
/// day, and both are days in the console's zone (trial 18 D2, D3).
pub fn date_fields(lang: Lang, from: Option<&str>, to: Option<&str>, zone: i32) -> Markup {
    let z = dates::zone(zone);
    html! {
        label { (t(lang, "from")) input type="date" name="from" value=(from.unwrap_or("")); }
        label { (t(lang, "to_inclusive")) input type="date" name="to" value=(to.unwrap_or("")); }
        span.hint #zone { (t(lang, "zone_note")) " " (z) }
    }
}

/// The filter fields a person set, as they gave them (for the access log: what was asked,
/// in the words of the form, never a debug dump of the parsed query).
pub fn given(fields: &[(&str, Option<&str>)]) -> serde_json::Value {
    let set = fields
        .iter()
        .filter_map(|(k, v)| v.map(|v| (k.to_string(), serde_json::Value::from(v))));
    serde_json::Value::Object(set.collect())
}

/// Ids (participants, conversations, rules, msgids): printable, no control characters, bounded.
pub fn id(field: &str, s: &Option<String>) -> Result<Option<String>, BadInput> {
    match opt(s) {
        None => Ok(None),
        Some(v) if v.len() <= 256 && !v.chars().any(char::is_control) => Ok(Some(v.to_string())),
        Some(_) => Err(BadInput(format!("{field}: not an id"))),
    }
}

/// A region name as the console knows it.
pub fn region<'a>(
    state: &'a crate::state::Console,
    name: &str,
) -> Result<&'a crate::state::Region, BadInput> {
    state
        .region(name)
        .ok_or_else(|| BadInput(format!("region {name:?} is not served here")))
}
