//! The access audit: every view, search, unmask, export, disposition, hold and sign-in is a
//! chained `access` event in the console store — who, what, when, from where, why.

use serde::{Deserialize, Serialize};

use crate::accounts::{UserRecord, KIND_USER};
use crate::db::ConsoleStore;
use crate::error::ReviewError;

pub const KIND_ACCESS: &str = "access";

#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct AccessRecord {
    pub actor: String,
    pub role: String,
    pub at_ms: i64,
    /// `sign_in`, `sign_in_failed`, `sign_out`, `view_queue`, `view_alert`, `search`,
    /// `unmask`, `export`, `disposition`, `hold_place`, `hold_release`, `view_audit`, …
    pub action: String,
    /// Client address as the server saw it.
    pub from: String,
    /// What was accessed: region/item, message ids shown, the query, the file…
    pub target: serde_json::Value,
    /// The reason given (unmask, holds) or the outcome.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub why: String,
}

impl AccessRecord {
    /// A `sign_in` / `sign_in_failed` record; `via` is `password` or `oidc`, `who` the name
    /// typed or the provider's identity (cut to 128 characters: it may be anything typed).
    pub fn sign_in(
        action: &str,
        who: &str,
        role: &str,
        from: &str,
        via: &str,
        why: String,
        at_ms: i64,
    ) -> AccessRecord {
        AccessRecord {
            actor: who.chars().take(128).collect(),
            role: role.to_string(),
            at_ms,
            action: action.to_string(),
            from: from.to_string(),
            target: serde_json::json!({ "via": via }),
            why,
        }
    }
}

pub fn append(store: &mut ConsoleStore, rec: &AccessRecord) -> Result<i64, ReviewError> {
    let body = serde_json::to_vec(rec)?;
    store.store.write(rec.at_ms, |conn, head| {
        head.append(conn, KIND_ACCESS, rec.at_ms, &body)
    })
}

/// Filters for reading the log; newest first.
#[derive(Debug, Clone, Default)]
pub struct LogFilter {
    pub actor: Option<String>,
    pub action: Option<String>,
    pub from_ms: Option<i64>,
    pub to_ms: Option<i64>,
}

/// The access log as the auditor reads it, newest first: every `access` event and every
/// account change (`user` event, as `account_<change>`: who did it, the account's name, role,
/// queues and state — never its password hash). Both share the console store's sequence, so
/// listing both leaves no number out: a gap in `seq` would be a missing record (trial 18
/// D14: account events left gaps that looked like deletions).
pub fn list(
    store: &ConsoleStore,
    f: &LogFilter,
    limit: u64,
) -> Result<Vec<(i64, AccessRecord)>, ReviewError> {
    let conn = store.store.conn();
    let mut stmt = conn.prepare_cached(
        "SELECT seq, kind, at_ms, body FROM events WHERE kind IN ('access', 'user') AND at_ms >= ?1 AND at_ms < ?2 ORDER BY seq DESC",
    )?;
    let rows = stmt.query_map(
        rusqlite::params![f.from_ms.unwrap_or(i64::MIN), f.to_ms.unwrap_or(i64::MAX)],
        |r| {
            Ok((
                r.get::<_, i64>(0)?,
                r.get::<_, String>(1)?,
                r.get::<_, i64>(2)?,
                r.get::<_, Vec<u8>>(3)?,
            ))
        },
    )?;
    let mut out = Vec::new();
    for row in rows {
        let (seq, kind, at_ms, body) = row?;
        let rec: AccessRecord = if kind == KIND_USER {
            account_record(&serde_json::from_slice(&body)?, at_ms)
        } else {
            serde_json::from_slice(&body)?
        };
        if f.actor.as_ref().is_some_and(|a| *a != rec.actor)
            || f.action.as_ref().is_some_and(|a| *a != rec.action)
        {
            continue;
        }
        out.push((seq, rec));
        if out.len() as u64 >= limit {
            break;
        }
    }
    Ok(out)
}

/// An account change as a row of the access log.
fn account_record(u: &UserRecord, at_ms: i64) -> AccessRecord {
    AccessRecord {
        actor: u.by.clone(),
        role: String::new(),
        at_ms,
        action: format!("account_{}", u.change),
        from: String::new(),
        target: serde_json::json!({
            "account": u.user.username,
            "role": u.user.role.as_str(),
            "queues": u.user.queues,
            "disabled": u.user.disabled,
            "sign_in": if u.user.oidc_subject.is_some() { "oidc" } else { "password" },
        }),
        why: String::new(),
    }
}
