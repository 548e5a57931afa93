//! Accounts against real SQLite: an account linked to an OpenID Connect identity is found by
//! that identity and no longer signs in with a password it had before.

use ed25519_dalek::SigningKey;
use wcp_review::accounts::{self, User};
use wcp_review::{ConsoleStore, Role};

#[test]
fn an_oidc_linked_account_signs_in_only_through_the_provider() {
    let dir = tempfile::tempdir().unwrap();
    let mut store = ConsoleStore::open(
        &dir.path().join("review-console.db"),
        SigningKey::from_bytes(&[9; 32]),
    )
    .unwrap();
    let mut ann = User {
        username: "ann".into(),
        role: Role::Reviewer,
        queues: vec!["sample".into()],
        must_change: false,
        disabled: false,
        oidc_subject: None,
    };
    let pw = "a long local password";
    accounts::put(&mut store, ann.clone(), Some(pw), "admin", "add", 1).unwrap();
    assert!(accounts::authenticate(&store, "ann", pw).unwrap().is_some());
    assert!(accounts::by_subject(&store, "00u1ann").unwrap().is_none());

    ann.oidc_subject = Some("00u1ann".into());
    accounts::put(&mut store, ann.clone(), None, "admin", "update", 2).unwrap();
    assert_eq!(accounts::by_subject(&store, "00u1ann").unwrap(), Some(ann));
    assert!(
        accounts::authenticate(&store, "ann", pw).unwrap().is_none(),
        "the old password is no way past the provider"
    );
}
