//! Who may do what. The web layer turns each of these into an extractor, so a handler that
//! needs a capability cannot be written without asking for it.

use serde::{Deserialize, Serialize};

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Role {
    /// Works the queues assigned to them; PII masked unless unmasked (audited) one by one.
    Reviewer,
    /// Every queue, content unmasked, searches everything, holds and exports.
    Investigator,
    /// Read-only: the access log, integrity, consent; no chat content.
    Auditor,
    /// Accounts, roles and queue assignments; no chat content.
    Admin,
}

impl Role {
    pub const ALL: [Role; 4] = [
        Role::Reviewer,
        Role::Investigator,
        Role::Auditor,
        Role::Admin,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Role::Reviewer => "reviewer",
            Role::Investigator => "investigator",
            Role::Auditor => "auditor",
            Role::Admin => "admin",
        }
    }

    pub fn parse(s: &str) -> Option<Role> {
        Role::ALL.into_iter().find(|r| r.as_str() == s)
    }

    /// May read chat content (queue items, messages, search results).
    pub fn reads_content(self) -> bool {
        matches!(self, Role::Reviewer | Role::Investigator)
    }

    /// Sees PII in clear without an audited unmask.
    pub fn sees_pii(self) -> bool {
        self == Role::Investigator
    }

    /// Every queue, search over the whole archive, holds, exports.
    pub fn investigates(self) -> bool {
        self == Role::Investigator
    }

    pub fn reads_audit(self) -> bool {
        matches!(self, Role::Auditor | Role::Admin)
    }

    pub fn administers(self) -> bool {
        self == Role::Admin
    }
}

/// A reviewer's view of the queue: the queues (alert categories, or `sample`) they work.
/// `None` = every queue (investigators).
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Scope {
    pub username: String,
    pub queues: Option<Vec<String>>,
}

impl Scope {
    pub fn of(username: &str, role: Role, queues: &[String]) -> Scope {
        Scope {
            username: username.to_string(),
            queues: if role.investigates() {
                None
            } else {
                Some(queues.to_vec())
            },
        }
    }

    /// An item is in scope when its queue is one of the person's or it is assigned to them.
    pub fn covers(&self, queue: &str, assignee: Option<&str>) -> bool {
        match &self.queues {
            None => true,
            Some(qs) => {
                qs.iter().any(|q| q == "*" || q == queue) || assignee == Some(&self.username)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn capabilities() {
        assert!(Role::Reviewer.reads_content() && !Role::Reviewer.sees_pii());
        assert!(Role::Investigator.sees_pii() && Role::Investigator.investigates());
        assert!(!Role::Auditor.reads_content() && Role::Auditor.reads_audit());
        assert!(!Role::Admin.reads_content() && Role::Admin.administers());
        for r in Role::ALL {
            assert_eq!(Role::parse(r.as_str()), Some(r));
        }
        assert_eq!(Role::parse("root"), None);
    }

    #[test]
    fn scope_covers_own_queues_and_assignments() {
        let s = Scope::of("ann", Role::Reviewer, &["off_channel".into()]);
        assert!(s.covers("off_channel", None));
        assert!(!s.covers("insider_information", None));
        assert!(s.covers("insider_information", Some("ann")));
        assert!(!s.covers("insider_information", Some("bob")));
        assert!(Scope::of("ivy", Role::Investigator, &[]).covers("x", None));
        assert!(Scope::of("r", Role::Reviewer, &["*".into()]).covers("x", None));
    }
}
