//! Validation of what URLs and forms carry: ids, regions, dates. Invalid input is a 400
//! naming the field, never a query.

use axum::http::StatusCode;
use axum::response::{IntoResponse, Response};

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

/// Empty form fields are absent.
pub fn opt(s: &Option<String>) -> Option<&str> {
    s.as_deref().map(str::trim).filter(|s| !s.is_empty())
}

/// A `YYYY-MM-DD` (UTC day start) or RFC 3339 time, as epoch ms.
pub fn time(field: &str, s: &Option<String>) -> Result<Option<i64>, BadInput> {
    match opt(s) {
        None => Ok(None),
        Some(v) => {
            let full = if v.len() == 10 {
                format!("{v}T00:00:00Z")
            } else {
                v.to_string()
            };
            wcp_archive::time::parse_rfc3339(&full)
                .map(Some)
                .map_err(|e| BadInput(format!("{field}: {e}")))
        }
    }
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
