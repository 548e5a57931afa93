//! The two-person rule and the clock under one person who holds the signing key (trial 12a
//! D13, D14): the rule cannot be loosened alone once an approver exists, a record written
//! with the key alone behind the tool's back fails verify, and so do checkpoint and expiry
//! times that go backwards; expiry refuses a clock set back and needs a second person for one
//! far ahead.
mod common;

use common::due_archive as archive;
use common::{text, DAY_MS, T0};
use ed25519_dalek::{Signer, SigningKey};
use rusqlite::{params, Connection, TransactionBehavior};
use wcp_archive::chain::{checkpoint_message, kind, now_ms, Chain};
use wcp_archive::keys::public_key_hex;
use wcp_archive::settings::ConfigChange;
use wcp_archive::{ArchiveError, ExpireRequest, ProblemKind};

fn approver(name: &str, k: &SigningKey) -> ConfigChange {
    ConfigChange {
        add_approvers: vec![(name.into(), public_key_hex(&k.verifying_key()))],
        ..ConfigChange::default()
    }
}

fn share(s: f64) -> ConfigChange {
    ConfigChange {
        expire_max_share: Some(s),
        ..ConfigChange::default()
    }
}

fn at(cutoff_ms: i64) -> ExpireRequest {
    ExpireRequest {
        cutoff_ms: Some(cutoff_ms),
        ..ExpireRequest::default()
    }
}

/// Writes as someone holding the archive's signing key but not using the tool: appends
/// `records` (kind, body) and an audit record naming `actor`, then signs a checkpoint dated
/// `signed_at_ms` (what `faketime` would make the writer sign).
fn forge(path: &std::path::Path, records: &[(&str, Vec<u8>)], actor: &str, signed_at_ms: i64) {
    let mut conn = Connection::open(path).unwrap();
    let tx = conn
        .transaction_with_behavior(TransactionBehavior::Immediate)
        .unwrap();
    let key = common::key();
    // Checkpoints only by hand, below, with the forged time.
    let mut chain = Chain::load(&tx, u64::MAX).unwrap();
    for (k, body) in records {
        let seq = chain.append(&tx, &key, k, "", body).unwrap();
        if *k == kind::CONFIG {
            let c: ConfigChange = serde_json::from_slice(body).unwrap();
            for (name, value) in c.values() {
                wcp_archive::project::setting(&tx, seq, &name, &value).unwrap();
            }
            let entry = wcp_archive::audit::AuditEntry {
                actor: actor.into(),
                at_ms: signed_at_ms,
                action: "configure".into(),
                detail: serde_json::to_value(&c).unwrap(),
            };
            wcp_archive::audit::append_entry(&tx, &mut chain, &key, &entry).unwrap();
        }
    }
    let id: i64 = tx
        .query_row("SELECT MAX(id) + 1 FROM checkpoints", [], |r| r.get(0))
        .unwrap();
    let sig = key.sign(&checkpoint_message(
        id,
        chain.seq,
        &chain.hash,
        signed_at_ms,
    ));
    tx.execute(
        "INSERT INTO checkpoints (id, seq, hash, signed_at_ms, signature) VALUES (?1, ?2, ?3, ?4, ?5)",
        params![id, chain.seq, &chain.hash[..], signed_at_ms, &sig.to_bytes()[..]],
    )
    .unwrap();
    tx.commit().unwrap();
}

#[test]
fn once_an_approver_exists_one_person_cannot_loosen_the_rule() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir.path().join("a.db"));
    let bob = SigningKey::from_bytes(&[21u8; 32]);
    let own = SigningKey::from_bytes(&[22u8; 32]);
    // The bootstrap: one person registers the first approver; verify says so.
    a.configure(&approver("bob", &bob), "officer").unwrap();
    let v = a.verify().unwrap();
    assert!(v.ok, "{:?}", v.problems);
    assert!(
        v.notes.len() == 1 && v.notes[0].contains("officer adds approver bob alone"),
        "{:?}",
        v.notes
    );
    // Trial 12a D13 (a) and (b): the share raised, a second key of one's own: refused.
    for change in [share(1.0), approver("officer2", &own)] {
        let err = a.configure(&change, "officer").unwrap_err();
        assert!(
            matches!(err, ArchiveError::NeedsApproval(_))
                && err.to_string().contains("no approver signed it"),
            "{err}"
        );
        // The would-be approver is not registered, so cannot sign it either.
        assert!(a.approve_change(&change, "officer2", &own).is_err());
    }
    // Lowering the share loosens nothing: one person may.
    a.configure(&share(0.01), "officer").unwrap();
    // Bob's token is for exactly this change at this point.
    let mut change = approver("carol", &own);
    let token = a.approve_change(&change, "bob", &bob).unwrap();
    let mut other = approver("dave", &own);
    other.approval = Some(token.clone());
    assert!(a.configure(&other, "officer").is_err());
    change.approval = Some(token.clone());
    assert!(
        a.configure(&change, "bob").is_err(),
        "bob approving his own change"
    );
    a.configure(&change, "officer").unwrap();
    // Spent: the same token does not carry a second change after it.
    let mut again = share(1.0);
    again.approval = Some(token);
    assert!(a.configure(&again, "officer").is_err());
    // Removing every approver would reopen the bootstrap: refused, even with bob's token.
    let mut gone = ConfigChange {
        remove_approvers: vec!["bob".into(), "carol".into()],
        ..ConfigChange::default()
    };
    gone.approval = Some(a.approve_change(&gone, "bob", &bob).unwrap());
    let err = a.configure(&gone, "officer").unwrap_err();
    assert!(
        err.to_string()
            .contains("removes the last registered approver"),
        "{err}"
    );
    let v = a.verify().unwrap();
    assert!(v.ok, "{:?}", v.problems);
    let audit = a.audit_records(&Default::default()).unwrap();
    let last = &audit.last().unwrap().entry;
    assert_eq!(last.action, "configure");
    assert_eq!(last.detail["rule"], "approved by bob: adds approver carol");
}

#[test]
fn verify_names_a_settings_change_written_with_the_signing_key_alone() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = archive(&path);
    let bob = SigningKey::from_bytes(&[21u8; 32]);
    a.configure(&approver("bob", &bob), "officer").unwrap();
    drop(a);
    // The officer bypasses the tool: a config record raising the share, signed with the
    // archive's key (the projection and the audit record made to match).
    let change = serde_json::to_vec(&share(1.0)).unwrap();
    forge(&path, &[(kind::CONFIG, change)], "officer", now_ms());
    let mut a = common::open(&path);
    let v = a.verify().unwrap();
    let p = v
        .problems
        .iter()
        .find(|p| p.kind == ProblemKind::Unapproved)
        .unwrap_or_else(|| panic!("{:?}", v.problems));
    let words = p.words();
    assert!(
        words.contains("breaks the two-person rule")
            && words.contains("by officer raises expire_max_share from 0.05 to 1")
            && words.contains("no approver signed it"),
        "{words}"
    );
    assert!(words.starts_with(&format!("Record {} ", p.seq)), "{words}");
    // And nothing expires over it.
    let err = a.expire(&at(T0 + 2 * DAY_MS), "officer").unwrap_err();
    assert!(matches!(err, ArchiveError::NotVerified(_)), "{err}");
    // A rebuild of the tables does not claim to repair a record of the chain.
    let rebuilt = a.rebuild("admin").unwrap();
    assert!(rebuilt.repaired.is_empty(), "{:?}", rebuilt.repaired);
    assert!(!a.verify().unwrap().ok);
}

#[test]
fn verify_names_an_expiry_above_the_share_without_an_approval() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    drop(archive(&path));
    let run = serde_json::json!({
        "actor": "officer", "cutoff_ms": T0 + 2 * DAY_MS, "clock_ms": now_ms(),
        "digest": "00", "expired": ["m1", "m2"], "held": 0, "total": 10, "max_share": 0.05,
        "approval": null,
    });
    forge(
        &path,
        &[(kind::EXPIRY, serde_json::to_vec(&run).unwrap())],
        "officer",
        now_ms(),
    );
    let v = common::open(&path).verify().unwrap();
    let words: Vec<String> = v.problems.iter().map(|p| p.words()).collect();
    assert!(
        words.iter().any(|w| w.contains(
            "an expiry by officer removed 2 of 10 messages (20.0 %), more than the 5.0 % one person may remove, and no approver signed it"
        )),
        "{words:?}"
    );
}

#[test]
fn verify_flags_times_that_go_backwards_and_the_run_under_a_forward_clock() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = archive(&path);
    a.configure(&share(1.0), "officer").unwrap();
    drop(a);
    // Trial 12a D14: under faketime 2045 the run and its checkpoint carry 2045 …
    let y2045 = 2_379_888_000_000;
    let run = serde_json::json!({
        "actor": "officer", "cutoff_ms": y2045, "clock_ms": y2045, "digest": "00",
        "expired": ["m1", "m2"], "held": 0, "total": 10, "max_share": 1.0, "approval": null,
    });
    forge(
        &path,
        &[(kind::EXPIRY, serde_json::to_vec(&run).unwrap())],
        "officer",
        y2045,
    );
    // … and the next write, on the real clock, 2026.
    let mut a = common::open(&path);
    let v = a.verify().unwrap();
    // Before the next write nothing is earlier than the run: the lead rule names it.
    let lead: Vec<String> = v.problems.iter().map(|p| p.words()).collect();
    assert!(
        lead.iter()
            .any(|w| w.contains("after the newest checkpoint before it") && w.contains("m1, m2")),
        "{lead:?}"
    );
    a.insert_batch(&[text("later", "written on the real clock", T0)], &[])
        .unwrap();
    let v = a.verify().unwrap();
    let words: Vec<String> = v.problems.iter().map(|p| p.words()).collect();
    assert!(
        v.problems
            .iter()
            .filter(|p| p.kind == ProblemKind::ClockWrong)
            .count()
            == 2,
        "{words:?}"
    );
    assert!(
        words
            .iter()
            .any(|w| w.contains("go back in time")
                && w.contains("is dated 2045-06-01T00:00:00.000Z")),
        "{words:?}"
    );
    assert!(
        words.iter().any(|w| w
            .contains("an expiry by officer ran on a clock reading 2045-06-01T00:00:00.000Z")
            && w.contains(
                "the clock was set forward for the run, which expired 2 messages: m1, m2"
            )),
        "{words:?}"
    );
}

#[test]
fn expiry_refuses_a_clock_set_back_and_needs_a_second_person_far_ahead() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = archive(&path);
    let bob = SigningKey::from_bytes(&[21u8; 32]);
    a.configure(&approver("bob", &bob), "officer").unwrap();
    a.configure(&share(0.01), "officer").unwrap();
    drop(a);
    // Every checkpoint re-signed 30 days back: the machine's clock is a month ahead of the
    // newest thing the archive signed.
    {
        let conn = Connection::open(&path).unwrap();
        let month = 30 * DAY_MS;
        let rows: Vec<(i64, i64, Vec<u8>, i64)> = conn
            .prepare("SELECT id, seq, hash, signed_at_ms FROM checkpoints")
            .unwrap()
            .query_map([], |r| Ok((r.get(0)?, r.get(1)?, r.get(2)?, r.get(3)?)))
            .unwrap()
            .collect::<Result<_, _>>()
            .unwrap();
        for (id, seq, hash, at) in rows {
            let h: [u8; 32] = hash.try_into().unwrap();
            let sig = common::key().sign(&checkpoint_message(id, seq, &h, at - month));
            conn.execute(
                "UPDATE checkpoints SET signed_at_ms = ?1, signature = ?2 WHERE id = ?3",
                params![at - month, &sig.to_bytes()[..], id],
            )
            .unwrap();
        }
    }
    let mut a = common::open(&path);
    assert!(a.verify().unwrap().ok);
    let cutoff = T0 + 2 * DAY_MS;
    // A plan that removes nothing (nothing is due at T0) still needs a second person.
    let small = at(T0);
    let dry = a
        .expire(
            &ExpireRequest {
                dry_run: true,
                ..small.clone()
            },
            "officer",
        )
        .unwrap();
    assert!(dry.expired.is_empty() && dry.needs_approval, "{dry:?}");
    assert!(dry.clock_ahead_ms.unwrap() >= 30 * DAY_MS - 60_000);
    let err = a.expire(&small, "officer").unwrap_err();
    assert!(
        err.to_string()
            .contains("ahead of the archive's newest signed checkpoint"),
        "{err}"
    );
    // Bob, seeing the lead, approves: the run goes.
    let plan = a.expiry_plan(cutoff).unwrap();
    let approval = a.approve_expiry(&plan, "bob", &bob).unwrap();
    let r = a
        .expire(
            &ExpireRequest {
                approval: Some(approval),
                ..at(cutoff)
            },
            "officer",
        )
        .unwrap();
    assert_eq!(r.expired.len(), 10);
    assert!(a.verify().unwrap().ok);
    drop(a);

    // A checkpoint dated tomorrow: the machine's clock is behind it, set back.
    forge(
        &path,
        &[(kind::OFFSETS, b"[]".to_vec())],
        "x",
        now_ms() + DAY_MS,
    );
    let mut a = common::open(&path);
    let err = a.expire(&at(T0), "officer").unwrap_err();
    assert!(
        matches!(err, ArchiveError::ClockBehind(_))
            && err
                .to_string()
                .contains("behind the archive's newest signed checkpoint"),
        "{err}"
    );
}

/// The archiver's periodic verification (`verify_after` from the last verified head) names
/// what was appended since: a settings change forged with the key alone, an expiry run under
/// a forward clock and the checkpoints that go back in time after it.
#[test]
fn the_periodic_verification_names_them_too() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = archive(&path);
    let bob = SigningKey::from_bytes(&[21u8; 32]);
    a.configure(&approver("bob", &bob), "officer").unwrap();
    let (seq, hash) = a.verify().unwrap().last_signed.unwrap();
    drop(a);
    let y2045 = 2_379_888_000_000;
    let run = serde_json::json!({
        "actor": "officer", "cutoff_ms": y2045, "clock_ms": y2045, "digest": "00",
        "expired": ["m1"], "held": 0, "total": 10, "max_share": 0.05, "approval": null,
    });
    forge(
        &path,
        &[
            (kind::CONFIG, serde_json::to_vec(&share(1.0)).unwrap()),
            (kind::EXPIRY, serde_json::to_vec(&run).unwrap()),
        ],
        "officer",
        y2045,
    );
    let mut a = common::open(&path);
    a.insert_batch(&[text("later", "written on the real clock", T0)], &[])
        .unwrap();
    let r = a.verify_after(None, seq, &hash).unwrap();
    let kinds: Vec<ProblemKind> = r.problems.iter().map(|p| p.kind).collect();
    assert_eq!(
        kinds,
        [
            ProblemKind::Unapproved,
            ProblemKind::ClockWrong,
            ProblemKind::ClockWrong
        ],
        "{:?}",
        r.problems.iter().map(|p| p.words()).collect::<Vec<_>>()
    );
    assert!(r.problems[0]
        .words()
        .contains("raises expire_max_share from 0.05 to 1"));
    // Nothing of it before the head: a periodic run from the newest head finds nothing new.
    let (head, head_hash) = r.last_signed.clone().unwrap();
    let fresh = a.verify_after(None, head, &head_hash).unwrap();
    assert!(fresh.ok, "{:?}", fresh.problems);
}
