//! An export made for a legal-hold case names the case and its holds in every file (trial 18d
//! D8): the selection is what the case's holds cover, each message once.

use serde::Serialize;

use crate::dates::rfc3339_in;
use crate::error::ArchiveError;
use crate::hold::{Hold, HoldScope};
use crate::query::Query;
use crate::Archive;

/// The case an export is for: its id, its active holds in words and what they select.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct ExportCase {
    pub case_id: String,
    /// "hold #3: every message of custodian liuyang (reason: …; placed by alice at …)".
    pub holds: Vec<String>,
    #[serde(skip)]
    pub queries: Vec<Query>,
}

/// What a hold covers, in words.
fn scope_words(s: &HoldScope) -> String {
    match s {
        HoldScope::Custodian(p) => format!("every message of custodian {p}"),
        HoldScope::Conversation(c) => format!("conversation {c}"),
        HoldScope::Message(m) => format!("message {m}"),
        HoldScope::Query(q) => format!(
            "messages matching {}",
            serde_json::to_string(q).unwrap_or_default()
        ),
    }
}

/// One hold in words; times in zone `z`.
pub fn hold_words(h: &Hold, z: i32) -> String {
    let released = match (&h.released_by, h.released_at_ms) {
        (Some(by), Some(at)) => format!("; released by {by} at {}", rfc3339_in(at, z)),
        _ => String::new(),
    };
    format!(
        "hold #{}: {} (reason: {}; placed by {} at {}{released})",
        h.id,
        scope_words(&h.scope),
        h.reason,
        h.placed_by,
        rfc3339_in(h.placed_at_ms, z)
    )
}

impl Archive {
    /// The case `case_id` as its holds in this archive define it (released ones too, said so:
    /// a production may follow a release); an error naming the case when no hold has it (a
    /// typo must not give an empty production).
    pub fn export_case(&self, case_id: &str, zone: i32) -> Result<ExportCase, ArchiveError> {
        let holds: Vec<Hold> = self
            .list_holds(true)?
            .into_iter()
            .filter(|h| h.case_id == case_id)
            .collect();
        if holds.is_empty() {
            return Err(ArchiveError::Invalid(format!(
                "no hold has case id {case_id:?} in this archive (wcp archive hold list shows the holds)"
            )));
        }
        Ok(ExportCase {
            case_id: case_id.to_string(),
            holds: holds.iter().map(|h| hold_words(h, zone)).collect(),
            queries: holds.iter().map(|h| h.scope.query()).collect(),
        })
    }
}
