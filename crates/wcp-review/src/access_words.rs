//! The access log in plain words for the auditor's page (trial 18 D14: it showed Rust debug
//! strings and raw JSON). The action code stays beside the words (it is what the Action
//! filter and the JSON Lines export use); what was accessed reads as `key: value` pairs.

use serde_json::Value;

/// What the person did, as a sentence fragment ("opened an alert").
pub fn action(code: &str) -> String {
    let known = match code {
        "sign_in" => "signed in",
        "sign_in_failed" => "failed to sign in",
        "sign_out" => "signed out",
        "password_change" => "changed their password",
        "view_queue" => "viewed the queue",
        "view_alert" => "opened an alert",
        "view_alert_denied" => "was refused an alert outside their queues",
        "view_conversation" => "opened a conversation",
        "search" => "searched the archive",
        "unmask" => "unmasked a value",
        "unmask_denied" => "was refused an unmask",
        "disposition" => "acted on an alert",
        "disposition_denied" => "was refused an action on an alert",
        "view_holds" => "viewed the legal holds",
        "hold_place" => "placed a legal hold",
        "hold_release" => "released a legal hold",
        "export" => "exported messages",
        "export_download" => "downloaded an export file",
        "view_consent" => "viewed consent records",
        "view_integrity" => "viewed the integrity page",
        "verify" => "verified the stores",
        "view_audit" => "read the access log",
        "export_audit" => "exported the access log",
        "view_users" => "viewed the accounts",
        "user_save" => "saved an account",
        "page_denied" => "was refused a page their role may not open",
        "request_denied" => "had a form post refused (cross-site or stale form)",
        "account_add" => "added an account",
        "account_update" => "changed an account",
        "account_bootstrap" => "created the first account (console start)",
        "account_password" => "set a new password",
        other => return other.replace('_', " "),
    };
    known.to_string()
}

/// What was accessed: `filter: status open, category off_channel · page: 0 · items: cn/1`.
/// Empty values (null, "", []) are left out.
pub fn target(v: &Value) -> String {
    match v {
        Value::Object(m) => pairs(m, ": ", " · "),
        other => inner(other),
    }
}

fn inner(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        Value::Bool(b) => if *b { "yes" } else { "no" }.into(),
        Value::Number(n) => n.to_string(),
        Value::Array(a) => a.iter().map(inner).collect::<Vec<_>>().join(", "),
        Value::Object(m) => pairs(m, " ", ", "),
    }
}

/// `key<kv>value<sep>…` over the non-empty fields.
fn pairs(m: &serde_json::Map<String, Value>, kv: &str, sep: &str) -> String {
    m.iter()
        .filter(|(_, v)| !is_empty(v))
        .map(|(k, v)| format!("{}{kv}{}", k.replace('_', " "), inner(v)))
        .collect::<Vec<_>>()
        .join(sep)
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        Value::Object(m) => m.values().all(is_empty),
        _ => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn actions_read_as_words() {
        assert_eq!(
            action("view_alert_denied"),
            "was refused an alert outside their queues"
        );
        assert_eq!(
            action("page_denied"),
            "was refused a page their role may not open"
        );
        assert_eq!(action("account_add"), "added an account");
        assert_eq!(action("something_new"), "something new");
    }

    #[test]
    fn targets_read_as_pairs_without_json_or_debug() {
        let v = json!({
            "filter": { "status": "open", "category": "off_channel", "participant": null, "from": "" },
            "page": 0,
            "items": ["cn/1", "cn/2"],
            "empty": [],
        });
        let s = target(&v);
        assert_eq!(
            s,
            "filter: category off_channel, status open · items: cn/1, cn/2 · page: 0"
        );
        assert!(!s.contains('{') && !s.contains('"'), "{s}");
        assert_eq!(
            target(&json!({ "act": { "act": "close", "outcome": "breach" }, "oidc": true })),
            "act: act close, outcome breach · oidc: yes"
        );
    }
}
