//! The access log an auditor reads lists every number of the console store's sequence:
//! account changes share it with accesses, so they are listed too (as `account_<change>`,
//! without the password hash), and no number is missing (trial 18 D14).

use ed25519_dalek::SigningKey;
use wcp_review::access::{self, AccessRecord, LogFilter};
use wcp_review::accounts::{self, User};
use wcp_review::{ConsoleStore, Role};

fn seen(actor: &str, action: &str, at_ms: i64) -> AccessRecord {
    AccessRecord {
        actor: actor.into(),
        role: "investigator".into(),
        at_ms,
        action: action.into(),
        from: "127.0.0.1".into(),
        target: serde_json::json!({ "page": 0 }),
        why: String::new(),
    }
}

#[test]
fn account_changes_fill_the_sequence_and_carry_no_secret() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ConsoleStore::open(
        &dir.path().join("review-console.db"),
        SigningKey::from_bytes(&[7; 32]),
    )
    .unwrap();
    accounts::bootstrap(&mut store, 1).unwrap();
    access::append(&mut store, &seen("investigator", "sign_in", 2)).unwrap();
    let ann = User {
        username: "ann".into(),
        role: Role::Reviewer,
        queues: vec!["off_channel".into()],
        must_change: true,
        disabled: false,
        oidc_subject: None,
    };
    accounts::put(
        &mut store,
        ann,
        Some("a long one-time pass"),
        "admin",
        "add",
        3,
    )
    .unwrap();
    access::append(&mut store, &seen("investigator", "view_queue", 4)).unwrap();

    let all = access::list(&store, &LogFilter::default(), 100).unwrap();
    let seqs: Vec<i64> = all.iter().map(|(s, _)| *s).collect();
    assert_eq!(seqs, [4, 3, 2, 1], "every number listed, newest first");
    let actions: Vec<&str> = all.iter().map(|(_, r)| r.action.as_str()).collect();
    assert_eq!(
        actions,
        ["view_queue", "account_add", "sign_in", "account_bootstrap"]
    );
    let (_, add) = &all[1];
    assert_eq!((add.actor.as_str(), add.at_ms), ("admin", 3));
    assert_eq!(add.target["account"], "ann");
    assert_eq!(add.target["role"], "reviewer");
    let json = serde_json::to_string(&all).unwrap();
    assert!(!json.contains("argon2"), "no password hash: {json}");

    let f = LogFilter {
        action: Some("account_add".into()),
        ..LogFilter::default()
    };
    assert_eq!(access::list(&store, &f, 100).unwrap().len(), 1);
}
