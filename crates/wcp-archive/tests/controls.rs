//! The controls a single person must not be able to bypass: the two-person rule on large
//! expiries and key rotation signed by the old and the new key.
mod common;

use common::due_archive as archive;
use common::{text, DAY_MS, T0};
use ed25519_dalek::SigningKey;
use wcp_archive::keys::public_key_hex;
use wcp_archive::settings::ConfigChange;
use wcp_archive::{Archive, ArchiveError, ArchiveOptions, ExpireRequest};

fn at(cutoff_ms: i64) -> ExpireRequest {
    ExpireRequest {
        cutoff_ms: Some(cutoff_ms),
        ..ExpireRequest::default()
    }
}

#[test]
fn a_large_expiry_needs_a_second_persons_signed_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir.path().join("a.db"));
    let bob = SigningKey::from_bytes(&[21u8; 32]);
    let mallory = SigningKey::from_bytes(&[22u8; 32]);
    a.configure(
        &ConfigChange {
            add_approvers: vec![
                ("bob".into(), public_key_hex(&bob.verifying_key())),
                ("alice".into(), public_key_hex(&mallory.verifying_key())),
            ],
            ..ConfigChange::default()
        },
        "admin",
    )
    .unwrap();
    let cutoff = T0 + 2 * DAY_MS;

    // A later clock than the machine's is refused outright.
    let future = ExpireRequest {
        cutoff_ms: Some(i64::MAX / 2),
        ..ExpireRequest::default()
    };
    let err = a.expire(&future, "alice").unwrap_err();
    assert!(err.to_string().contains("later than this machine's clock"));

    // The dry run lists all ten and says an approval is needed; nothing goes.
    let dry = ExpireRequest {
        dry_run: true,
        ..at(cutoff)
    };
    let plan = a.expire(&dry, "alice").unwrap();
    assert_eq!(plan.expired.len(), 10);
    assert!(plan.needs_approval && plan.dry_run);
    assert!(a.message("m0").is_some());

    // One person alone: refused, nothing removed.
    let err = a.expire(&at(cutoff), "alice").unwrap_err();
    assert!(matches!(err, ArchiveError::NeedsApproval(_)), "{err}");
    assert!(err.to_string().contains("10 of 10"), "{err}");

    let p = a.expiry_plan(cutoff).unwrap();
    // The actor cannot approve their own run, even with a registered key.
    let own = a.approve_expiry(&p, "alice", &mallory).unwrap();
    let req = |approval| ExpireRequest {
        approval: Some(approval),
        ..at(cutoff)
    };
    let err = a.expire(&req(own), "alice").unwrap_err();
    assert!(
        err.to_string().contains("cannot approve their own"),
        "{err}"
    );
    // Someone else's key under Bob's name is not Bob's approval.
    assert!(a.approve_expiry(&p, "bob", &mallory).is_err());
    let mut forged = a.approve_expiry(&p, "bob", &bob).unwrap();
    forged.signature = a.approve_expiry(&p, "alice", &mallory).unwrap().signature;
    let err = a.expire(&req(forged), "alice").unwrap_err();
    assert!(err.to_string().contains("not bob's"), "{err}");
    // An approval of another plan (another cutoff) does not carry over.
    let other = a
        .approve_expiry(&a.expiry_plan(cutoff - 1).unwrap(), "bob", &bob)
        .unwrap();
    let err = a.expire(&req(other), "alice").unwrap_err();
    assert!(
        err.to_string().contains("the approval is for plan"),
        "{err}"
    );
    assert_eq!(a.count_messages().unwrap(), 10, "nothing went so far");

    // Bob's approval of exactly this plan: the run goes through and says who approved.
    let token = a.approve_expiry(&p, "bob", &bob).unwrap().to_token();
    let approval = wcp_archive::Approval::from_token(&token).unwrap();
    let r = a.expire(&req(approval), "alice").unwrap();
    assert_eq!(
        (r.expired.len(), r.approved_by.as_deref()),
        (10, Some("bob"))
    );
    assert_eq!(a.count_messages().unwrap(), 0);
    let trail = a.audit_trail().unwrap();
    let last = trail.last().unwrap();
    assert_eq!(
        (last.actor.as_str(), last.action.as_str()),
        ("alice", "expire")
    );
    assert_eq!(last.detail["approval"]["approver"], "bob");
    assert!(a.verify().unwrap().ok);
    // What became of a message, as the console says it (trial 18 D11): read from the chain.
    assert_eq!(
        a.removed("m3").unwrap(),
        Some(wcp_archive::fate::Removed::Expired {
            at_ms: cutoff,
            actor: "alice".into(),
            approved_by: Some("bob".into()),
            keep_until_ms: Some(T0 + DAY_MS),
        })
    );
    assert_eq!(a.removed("never-archived").unwrap(), None);
}

#[test]
fn a_small_expiry_needs_no_approval() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir.path().join("a.db"));
    let young: Vec<_> = (0..90)
        .map(|i| text(&format!("y{i}"), "kept", T0 + i))
        .collect();
    a.insert_batch(&young, &[]).unwrap();
    a.configure(
        &ConfigChange {
            expire_max_share: Some(0.2),
            ..ConfigChange::default()
        },
        "admin",
    )
    .unwrap();
    let r = a.expire(&at(T0 + 2 * DAY_MS), "alice").unwrap();
    assert_eq!((r.expired.len(), r.total), (10, 100));
    assert!(r.approved_by.is_none() && !r.needs_approval);
}

#[test]
fn key_rotation_is_signed_by_both_keys_and_readers_of_either_key_verify() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = archive(&path);
    let old = common::key().verifying_key();
    let new = SigningKey::from_bytes(&[33u8; 32]);
    let r = a.rotate_key(new.clone(), "admin").unwrap();
    assert_eq!(r.old_public_key, public_key_hex(&old));
    assert_eq!(r.new_public_key, public_key_hex(&new.verifying_key()));
    assert_eq!(r.check(&old).unwrap(), new.verifying_key());
    // The new key signs from here on.
    a.insert_batch(&[text("after", "signed by the new key", T0 + 5)], &[])
        .unwrap();
    let v = a.verify().unwrap();
    assert!(v.ok, "{:#?}", v.problems);
    assert_eq!(a.public_key().unwrap(), Some(new.verifying_key()));
    drop(a);

    // The old key can no longer write; readers holding either public key can read.
    let stale = Archive::open(
        &path,
        ArchiveOptions {
            signing_key: Some(common::key()),
            ..ArchiveOptions::default()
        },
    );
    assert!(matches!(stale, Err(ArchiveError::KeyMismatch)));
    for pinned in [old, new.verifying_key()] {
        let reader = Archive::open_read_only(&path, Some(&pinned)).unwrap();
        let v = reader.verify().unwrap();
        assert!(v.ok, "{:#?}", v.problems);
    }
    let stranger = SigningKey::from_bytes(&[44u8; 32]).verifying_key();
    assert!(matches!(
        Archive::open_read_only(&path, Some(&stranger)),
        Err(ArchiveError::WrongKey { .. })
    ));

    // A rotation record forged with only the new key is caught.
    let mut forged = r.clone();
    forged.old_signature = forged.new_signature.clone();
    assert!(forged.check(&old).is_err());
    let conn = rusqlite::Connection::open(&path).unwrap();
    let body: Vec<u8> = conn
        .query_row(
            "SELECT body FROM records WHERE kind = 'key_rotation'",
            [],
            |row| row.get(0),
        )
        .unwrap();
    let text = String::from_utf8(body).unwrap();
    let edited = text.replace(&r.old_signature, &r.new_signature);
    assert_ne!(edited, text);
    conn.execute(
        "UPDATE records SET body = ?1 WHERE kind = 'key_rotation'",
        [edited.into_bytes()],
    )
    .unwrap();
    drop(conn);
    let v = Archive::open_read_only(&path, None)
        .unwrap()
        .verify()
        .unwrap();
    assert!(!v.ok, "a forged rotation passed");
}

/// Export reads the chained records, not the search tables: a message row deleted or edited
/// by hand is still produced, as it was archived, and the export's audit names every id.
#[test]
fn export_reads_the_evidence_not_the_search_rows() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(archive(&path));
    let conn = rusqlite::Connection::open(&path).unwrap();
    conn.execute_batch(
        "DELETE FROM messages WHERE msgid = 'm3';
         UPDATE messages SET text = 'nothing to see' WHERE msgid = 'm4';",
    )
    .unwrap();
    drop(conn);
    let mut a = common::open(&path);
    let q = wcp_archive::Query::default();
    let found = a.search(&q, "reviewer").unwrap();
    assert_eq!(found.len(), 9, "search reads the (tampered) projection");
    let out = dir.path().join("eml");
    let r = a
        .export_eml(&q, "ediscovery", &out, wcp_archive::EmlGrouping::Message, 0)
        .unwrap();
    assert_eq!(r.counts.records, 10, "every archived message is produced");
    let all: String = r
        .files
        .iter()
        .map(|f| String::from_utf8_lossy(&std::fs::read(f).unwrap()).into_owned())
        .collect();
    assert!(!all.contains("nothing to see"), "the edit is not produced");
    let trail = a.audit_trail().unwrap();
    let export = trail.last().unwrap();
    assert_eq!(export.action, "export_eml");
    let ids = export.detail["msgids"]
        .as_array()
        .expect("msgids in the audit");
    assert_eq!(ids.len(), 10);
    assert!(ids.iter().any(|v| v == "m3"));
    assert!(!a.verify().unwrap().ok, "and verify names the tampering");
}
