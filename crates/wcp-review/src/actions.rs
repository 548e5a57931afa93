//! Dispositions as a pure state machine: [`decide`] takes an item's state, an action and
//! who acts, and returns the new state or the reason it is refused. `items::apply` records
//! the action as a chained event and updates the projection in the same transaction.

use serde::{Deserialize, Serialize};

use crate::roles::Role;

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Status {
    Pending,
    InReview,
    Escalated,
    Closed,
}

impl Status {
    pub const ALL: [Status; 4] = [
        Status::Pending,
        Status::InReview,
        Status::Escalated,
        Status::Closed,
    ];

    pub fn as_str(self) -> &'static str {
        match self {
            Status::Pending => "pending",
            Status::InReview => "in_review",
            Status::Escalated => "escalated",
            Status::Closed => "closed",
        }
    }

    pub fn parse(s: &str) -> Option<Status> {
        Status::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum Outcome {
    NoIssue,
    FalsePositive,
    Breach,
}

impl Outcome {
    pub const ALL: [Outcome; 3] = [Outcome::NoIssue, Outcome::FalsePositive, Outcome::Breach];

    pub fn as_str(self) -> &'static str {
        match self {
            Outcome::NoIssue => "no_issue",
            Outcome::FalsePositive => "false_positive",
            Outcome::Breach => "breach",
        }
    }

    pub fn parse(s: &str) -> Option<Outcome> {
        Outcome::ALL.into_iter().find(|x| x.as_str() == s)
    }
}

/// What a person does to an item.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
#[serde(tag = "act", rename_all = "snake_case")]
pub enum Act {
    Claim,
    Release,
    Assign {
        to: String,
    },
    Close {
        outcome: Outcome,
        note: String,
    },
    Escalate {
        to: String,
        note: String,
    },
    Tag {
        tags: Vec<String>,
    },
    Note {
        note: String,
    },
    /// Back to pending from closed (investigators, with a note): a new chained action, so
    /// the close and its outcome stay in the history.
    Reopen {
        note: String,
    },
    /// The console placed a legal hold on the alert's message in its region's archive (a
    /// close as breach keeps its evidence, trial 18c D3). Recorded by the console, never
    /// offered as a form: the hold is released only on the Holds page, not by a reopen.
    Hold {
        region: String,
        hold: i64,
        case_id: String,
    },
}

impl Act {
    pub fn name(&self) -> &'static str {
        match self {
            Act::Claim => "claim",
            Act::Release => "release",
            Act::Assign { .. } => "assign",
            Act::Close { .. } => "close",
            Act::Escalate { .. } => "escalate",
            Act::Tag { .. } => "tag",
            Act::Note { .. } => "note",
            Act::Reopen { .. } => "reopen",
            Act::Hold { .. } => "hold",
        }
    }
}

/// The part of an item that actions change.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct State {
    pub status: Status,
    pub assignee: Option<String>,
    pub outcome: Option<Outcome>,
    pub tags: Vec<String>,
}

impl State {
    pub fn new() -> State {
        State {
            status: Status::Pending,
            assignee: None,
            outcome: None,
            tags: Vec::new(),
        }
    }
}

impl Default for State {
    fn default() -> Self {
        State::new()
    }
}

/// Who acts: their name and role.
#[derive(Debug, Clone, Copy)]
pub struct Actor<'a> {
    pub name: &'a str,
    pub role: Role,
}

fn refuse<T>(why: &str) -> Result<T, String> {
    Err(why.to_string())
}

fn note_ok(note: &str) -> Result<(), String> {
    if note.trim().is_empty() {
        return refuse("a note is required");
    }
    if note.chars().count() > 4000 {
        return refuse("the note is longer than 4,000 characters");
    }
    Ok(())
}

/// Valid account or tag names: what a URL or a form may carry.
pub fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.len() <= 64
        && s.chars()
            .all(|c| c.is_ascii_alphanumeric() || matches!(c, '.' | '_' | '-' | '@'))
}

/// The new state after `act`, or why it is refused. Investigators may act on any item;
/// others only on items that are unassigned or theirs.
pub fn decide(state: &State, act: &Act, by: Actor<'_>) -> Result<State, String> {
    if !by.role.reads_content() {
        return refuse("this role cannot act on alerts");
    }
    let mine = state.assignee.as_deref() == Some(by.name);
    let free = state.assignee.is_none();
    let overrides = by.role.investigates();
    let mut next = state.clone();
    if state.status == Status::Closed
        && !matches!(
            act,
            Act::Tag { .. } | Act::Note { .. } | Act::Reopen { .. } | Act::Hold { .. }
        )
    {
        return refuse("the alert is closed");
    }
    match act {
        Act::Claim => {
            if !(free || mine || overrides) {
                return refuse("the alert is assigned to someone else");
            }
            next.status = Status::InReview;
            next.assignee = Some(by.name.to_string());
        }
        Act::Release => {
            if !(mine || overrides) {
                return refuse("only the assignee can release the alert");
            }
            next.status = Status::Pending;
            next.assignee = None;
        }
        Act::Assign { to } => {
            if !valid_name(to) {
                return refuse("invalid user name");
            }
            if !(free || mine || overrides) {
                return refuse("the alert is assigned to someone else");
            }
            next.status = Status::InReview;
            next.assignee = Some(to.clone());
        }
        Act::Close { outcome, note } => {
            note_ok(note)?;
            if !(free || mine || overrides) {
                return refuse("the alert is assigned to someone else");
            }
            next.status = Status::Closed;
            next.outcome = Some(*outcome);
            next.assignee = Some(by.name.to_string());
        }
        Act::Escalate { to, note } => {
            note_ok(note)?;
            if !valid_name(to) {
                return refuse("invalid user name");
            }
            if to == by.name {
                return refuse(
                    "you cannot escalate an alert to yourself: name another reviewer or \
                     investigator (an administrator adds one with `wcp review user add`)",
                );
            }
            if !(free || mine || overrides) {
                return refuse("the alert is assigned to someone else");
            }
            next.status = Status::Escalated;
            next.assignee = Some(to.clone());
        }
        Act::Tag { tags } => {
            if let Some(bad) = tags.iter().find(|t| !valid_name(t)) {
                return Err(format!("invalid tag {bad:?} (letters, digits, . _ - @)"));
            }
            for t in tags {
                if !next.tags.contains(t) {
                    next.tags.push(t.clone());
                }
            }
        }
        Act::Note { note } => note_ok(note)?,
        // Changes no state: it records what the archive now keeps.
        Act::Hold { .. } => {}
        Act::Reopen { note } => {
            note_ok(note)?;
            if state.status != Status::Closed {
                return refuse("only a closed alert can be reopened");
            }
            if !overrides {
                return refuse("only an investigator can reopen an alert");
            }
            next.status = Status::Pending;
            next.assignee = None;
            next.outcome = None;
        }
    }
    Ok(next)
}

/// The actions the alert page offers `by` on an item in `state`: each one `decide` would
/// accept (probed with a valid note and another person's name), less the no-ops a button
/// would only confuse with (claiming one's own alert, releasing an unassigned one).
pub fn offered(state: &State, by: Actor<'_>) -> Vec<&'static str> {
    let note = "·".to_string();
    let other = if by.name == "someone-else" {
        "someone-else-2"
    } else {
        "someone-else"
    };
    let probes = [
        Act::Claim,
        Act::Release,
        Act::Assign { to: other.into() },
        Act::Close {
            outcome: Outcome::NoIssue,
            note: note.clone(),
        },
        Act::Escalate {
            to: other.into(),
            note: note.clone(),
        },
        Act::Tag { tags: Vec::new() },
        Act::Note { note: note.clone() },
        Act::Reopen { note },
    ];
    let mine = state.assignee.as_deref() == Some(by.name);
    probes
        .iter()
        .filter(|a| decide(state, a, by).is_ok())
        .filter(|a| match a {
            Act::Claim => !(mine && state.status == Status::InReview),
            Act::Release => state.assignee.is_some(),
            _ => true,
        })
        .map(Act::name)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    const ANN: Actor = Actor {
        name: "ann",
        role: Role::Reviewer,
    };
    const BOB: Actor = Actor {
        name: "bob",
        role: Role::Reviewer,
    };
    const IVY: Actor = Actor {
        name: "ivy",
        role: Role::Investigator,
    };

    #[test]
    fn claim_close_flow() {
        let s = decide(&State::new(), &Act::Claim, ANN).unwrap();
        assert_eq!(
            (s.status, s.assignee.as_deref()),
            (Status::InReview, Some("ann"))
        );
        assert_eq!(
            decide(&s, &Act::Claim, BOB).unwrap_err(),
            "the alert is assigned to someone else"
        );
        let close = Act::Close {
            outcome: Outcome::FalsePositive,
            note: " ".into(),
        };
        assert_eq!(decide(&s, &close, ANN).unwrap_err(), "a note is required");
        let close = Act::Close {
            outcome: Outcome::FalsePositive,
            note: "lexicon noise".into(),
        };
        assert_eq!(
            decide(&s, &close, BOB).unwrap_err(),
            "the alert is assigned to someone else"
        );
        let c = decide(&s, &close, ANN).unwrap();
        assert_eq!(
            (c.status, c.outcome),
            (Status::Closed, Some(Outcome::FalsePositive))
        );
        assert_eq!(
            decide(&c, &Act::Claim, IVY).unwrap_err(),
            "the alert is closed"
        );
        let t = decide(
            &c,
            &Act::Tag {
                tags: vec!["fp-lexicon".into()],
            },
            ANN,
        )
        .unwrap();
        assert_eq!(t.tags, vec!["fp-lexicon"]);
    }

    #[test]
    fn a_closed_alert_offers_only_tags_notes_and_an_investigators_reopen() {
        let s = decide(&State::new(), &Act::Claim, ANN).unwrap();
        assert_eq!(
            offered(&s, ANN),
            ["release", "assign", "close", "escalate", "tag", "note"]
        );
        let close = Act::Close {
            outcome: Outcome::Breach,
            note: "breach".into(),
        };
        let c = decide(&s, &close, ANN).unwrap();
        assert_eq!(offered(&c, ANN), ["tag", "note"]);
        assert_eq!(offered(&c, IVY), ["tag", "note", "reopen"]);
        let reopen = |note: &str| Act::Reopen { note: note.into() };
        assert_eq!(
            decide(&c, &reopen("wrong outcome"), ANN).unwrap_err(),
            "only an investigator can reopen an alert"
        );
        assert_eq!(
            decide(&c, &reopen(" "), IVY).unwrap_err(),
            "a note is required"
        );
        assert_eq!(
            decide(&s, &reopen("x"), IVY).unwrap_err(),
            "only a closed alert can be reopened"
        );
        let r = decide(&c, &reopen("wrong outcome"), IVY).unwrap();
        assert_eq!(
            (r.status, r.assignee.clone(), r.outcome),
            (Status::Pending, None, None)
        );
        assert_eq!(
            offered(&r, ANN),
            ["claim", "assign", "close", "escalate", "tag", "note"]
        );
    }

    #[test]
    fn escalate_release_assign() {
        let s = decide(&State::new(), &Act::Claim, ANN).unwrap();
        let esc = Act::Escalate {
            to: "ivy".into(),
            note: "looks like a tip".into(),
        };
        let e = decide(&s, &esc, ANN).unwrap();
        assert_eq!(
            (e.status, e.assignee.as_deref()),
            (Status::Escalated, Some("ivy"))
        );
        assert!(decide(&e, &Act::Release, ANN).is_err());
        let r = decide(&e, &Act::Release, IVY).unwrap();
        assert_eq!((r.status, r.assignee), (Status::Pending, None));
        assert!(decide(
            &s,
            &Act::Escalate {
                to: "ann".into(),
                note: "x".into()
            },
            ANN
        )
        .is_err());
        assert!(decide(&s, &Act::Assign { to: "a b".into() }, IVY).is_err());
        let a = decide(&s, &Act::Assign { to: "bob".into() }, IVY).unwrap();
        assert_eq!(a.assignee.as_deref(), Some("bob"));
        let aud = Actor {
            name: "aud",
            role: Role::Auditor,
        };
        assert!(decide(&State::new(), &Act::Claim, aud).is_err());
    }
}
