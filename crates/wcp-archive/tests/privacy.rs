//! Nothing of a non-consenting person in clear, and removal that deletes bytes: every page of
//! the archive file and its WAL is searched for the text.
mod common;

use std::path::Path;

use common::{in_room, keep_until, text, DAY_MS, T0};
use wcp_archive::seal::DpoKey;
use wcp_archive::{Archive, ArchiveOptions, Query};
use wcp_model::Disposition;

const SECRET: &str = "客户李秘密手机13912345678";
const QUIET: &str = "untold-consentless-phrase-8842";

/// Whether `needle` occurs anywhere in the database file or its WAL.
fn on_disk(db: &Path, needle: &str) -> bool {
    let mut wal = db.as_os_str().to_os_string();
    wal.push("-wal");
    [db.to_path_buf(), wal.into()].iter().any(|p| {
        let bytes = std::fs::read(p).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

fn open(path: &Path, dpo: Option<&DpoKey>) -> Archive {
    Archive::open(
        path,
        ArchiveOptions {
            signing_key: Some(common::key()),
            actor: "test".into(),
            quarantine_key: dpo.map(DpoKey::public),
            ..ArchiveOptions::default()
        },
    )
    .unwrap()
}

fn quarantined(id: &str, body: &str) -> wcp_model::EnrichedEvent {
    let e = in_room(text(id, body, T0), "wrQ", "wmNEW");
    common::with_disposition(keep_until(e, T0 + DAY_MS), Disposition::Quarantine)
}

#[test]
fn expiry_leaves_no_byte_of_the_text_in_the_file_or_the_wal() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = open(&path, None);
    let old: Vec<_> = (0..50)
        .map(|i| {
            keep_until(
                text(&format!("old{i}"), &format!("{SECRET} {i}"), T0),
                T0 + DAY_MS,
            )
        })
        .collect();
    let young: Vec<_> = (0..200)
        .map(|i| text(&format!("y{i}"), "ordinary business message", T0))
        .collect();
    a.insert_batch(&old, &[]).unwrap();
    a.insert_batch(&young, &[]).unwrap();
    assert!(on_disk(&path, SECRET), "the test must see the text before");
    common::expire_at(&mut a, T0 + 2 * DAY_MS, "retention-job");
    // (The query is audited, so it names a part that is not the phone number.)
    assert!(a
        .search(
            &Query {
                text: Some("李秘密".into()),
                ..Query::default()
            },
            "t"
        )
        .unwrap()
        .is_empty());
    assert!(a.verify().unwrap().ok);
    drop(a);
    assert!(
        !on_disk(&path, SECRET),
        "expired text is still in the file or the WAL"
    );
    assert!(!on_disk(&path, "13912345678"));
}

#[test]
fn quarantined_content_is_sealed_or_not_kept_and_released_or_purged_for_good() {
    let dir = tempfile::tempdir().unwrap();
    let dpo = DpoKey::generate();
    // Sealed: the writer holds only the public key; the file never holds the text.
    let path = dir.path().join("sealed.db");
    let mut a = open(&path, Some(&dpo));
    a.insert_batch(
        &[
            quarantined("q1", QUIET),
            quarantined("q2", "second quiet one"),
        ],
        &[],
    )
    .unwrap();
    assert!(!on_disk(&path, QUIET));
    assert!(a.quarantined().unwrap().iter().all(|r| r.sealed));
    // Release after consent: in clear, searchable, chained with actor and reason.
    a.release_quarantined("q1", &dpo, "dpo", "consent given")
        .unwrap();
    let found = a
        .search(
            &Query {
                text: Some("consentless".into()),
                ..Query::default()
            },
            "t",
        )
        .unwrap();
    assert_eq!(found.len(), 1);
    assert_eq!(found[0].stored.text, QUIET);
    assert!(
        a.release_quarantined("q2", &DpoKey::generate(), "dpo", "x")
            .is_err(),
        "another key opens nothing"
    );
    // Purge after the deadline.
    assert_eq!(
        a.purge_quarantined(Some("q2"), None, "dpo", "no consent in 30 days")
            .unwrap(),
        ["q2"]
    );
    assert_eq!(a.count_quarantined().unwrap(), 0);
    assert!(
        matches!(
            a.removed("q2").unwrap(),
            Some(wcp_archive::fate::Removed::Purged { ref actor, ref reason, .. })
                if actor == "dpo" && reason == "no consent in 30 days"
        ),
        "the purge is told as such"
    );
    let actions: Vec<String> = a
        .audit_trail()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert!(
        actions.contains(&"quarantine_release".into())
            && actions.contains(&"quarantine_purge".into())
    );
    let v = a.verify().unwrap();
    assert!(v.ok, "{:#?}", v.problems);
    // Without a quarantine key nothing of the content is kept at all.
    let path = dir.path().join("plain.db");
    let mut b = open(&path, None);
    b.insert_batch(&[quarantined("q3", QUIET)], &[]).unwrap();
    drop(b);
    assert!(!on_disk(&path, QUIET));
    let b = Archive::open_read_only(&path, None).unwrap();
    assert!(!b.quarantined().unwrap()[0].sealed);
}

/// #13 item 4: a quarantined event reaches the archive under pseudonyms (the stages'
/// `for_archive`), its clear ids beside it; the file keeps them only inside the sealed box,
/// and a DPO release puts them back.
#[test]
fn quarantined_ids_are_sealed_and_only_a_release_restores_them() {
    let dir = tempfile::tempdir().unwrap();
    let dpo = DpoKey::generate();
    let path = dir.path().join("ids.db");
    let mut a = open(&path, Some(&dpo));
    let mut e = common::with_disposition(
        keep_until(text("q1", QUIET, T0), T0 + DAY_MS),
        Disposition::Quarantine,
    );
    e.consent.as_mut().unwrap().contacts = vec![wcp_model::ContactConsent {
        contact: "wmCLIENT".into(),
        state: wcp_model::ConsentState::Unknown,
    }];
    e.sealed_ids = Some(wcp_model::ClearIds {
        from: e.event.from.clone(),
        to: e.event.to.clone(),
        conversation_id: e.event.conversation_id.clone(),
        contacts: vec!["wmCLIENT".into()],
    });
    e.event.to = vec![wcp_model::Participant::new("PARTICIPANT_0123abcd")];
    e.event.conversation_id = "PARTICIPANT_0123abcd|zhangsan".into();
    e.consent.as_mut().unwrap().contacts[0].contact = "PARTICIPANT_0123abcd".into();
    a.insert_batch(&[e], &[]).unwrap();
    assert!(
        !on_disk(&path, "wmCLIENT"),
        "a raw id outside the sealed box"
    );
    let row = &a.quarantined().unwrap()[0];
    assert_eq!(row.conversation_id, "PARTICIPANT_0123abcd|zhangsan");
    a.release_quarantined("q1", &dpo, "dpo", "consent given")
        .unwrap();
    let m = a.message("q1").unwrap();
    assert_eq!(m.stored.conversation_id, "wmCLIENT|zhangsan");
    assert_eq!(m.stored.to[0].id, "wmCLIENT");
    assert_eq!(
        m.stored.consent.as_ref().unwrap().contacts[0].contact,
        "wmCLIENT"
    );
    assert!(a.verify().unwrap().ok);
}
