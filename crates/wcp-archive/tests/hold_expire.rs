//! Legal holds keep records past keep_until; expiry leaves tombstones that verify.
mod common;

use common::{in_room, keep_until, text, DAY_MS, T0};
use wcp_archive::{HoldRequest, HoldScope, ProblemKind, Query};

fn archive(dir: &tempfile::TempDir) -> wcp_archive::Archive {
    let mut a = common::open(&dir.path().join("a.db"));
    let batch = vec![
        keep_until(text("held", "under hold 合同", T0), T0 + DAY_MS),
        keep_until(
            in_room(text("gone", "expire me please", T0), "wrROOM9", "wangwu"),
            T0 + DAY_MS,
        ),
        keep_until(text("young", "not yet due", T0), T0 + 100 * DAY_MS),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    a
}

fn hold(scope: HoldScope) -> HoldRequest {
    HoldRequest {
        scope,
        reason: "SEC inquiry".into(),
        case_id: "CASE-7".into(),
    }
}

#[test]
fn held_record_survives_unheld_one_is_tombstoned() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let h = a
        .place_hold(
            &hold(HoldScope::Conversation("wmCLIENT|zhangsan".into())),
            "counsel",
        )
        .unwrap();
    let r = common::expire_at(&mut a, T0 + 2 * DAY_MS, "retention-job");
    assert_eq!(r, (1, 1));
    assert!(a.message("held").is_some());
    assert!(a.message("young").is_some());
    assert!(a.message("gone").is_none());
    assert!(a
        .search(
            &Query {
                text: Some("expire".into()),
                ..Query::default()
            },
            "t"
        )
        .unwrap()
        .is_empty());
    assert!(a
        .search(
            &Query {
                participant: Some("wangwu".into()),
                ..Query::default()
            },
            "t"
        )
        .unwrap()
        .is_empty());
    let report = a.verify().unwrap();
    assert!(report.ok, "{report:?}");
    // The removal is provable: a tombstone names the record and keeps its digest.
    let conn = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    let (tomb, body_gone): (String, bool) = conn
        .query_row(
            "SELECT t.body, r.body IS NULL FROM records t JOIN records r ON r.msgid = t.msgid AND r.kind = 'message' WHERE t.kind = 'tombstone'",
            [],
            |r| Ok((String::from_utf8(r.get::<_, Vec<u8>>(0)?).unwrap(), r.get(1)?)),
        )
        .unwrap();
    assert!(body_gone);
    // Its index entries went with it: one id_tokens row per message left.
    let (rows, tokens): (i64, i64) = conn
        .query_row(
            "SELECT (SELECT COUNT(*) FROM messages), (SELECT COUNT(*) FROM id_tokens_docsize)",
            [],
            |r| Ok((r.get(0)?, r.get(1)?)),
        )
        .unwrap();
    assert_eq!((rows, tokens), (2, 2));
    assert!(
        tomb.contains("\"msgid\":\"gone\"") && tomb.contains("retention-job"),
        "{tomb}"
    );
    // A replay of the expired message is not archived again.
    assert_eq!(
        a.insert_batch(&[text("gone", "x", T0)], &[])
            .unwrap()
            .duplicates,
        1
    );
    // After release, the held record goes too.
    a.release_hold(h.id, "counsel", "case closed").unwrap();
    assert_eq!(
        common::expire_at(&mut a, T0 + 2 * DAY_MS, "retention-job").0,
        1
    );
    assert!(a.message("held").is_none());
    assert!(a.verify().unwrap().ok);
    let actions: Vec<String> = a
        .audit_trail()
        .unwrap()
        .into_iter()
        .map(|e| e.action)
        .collect();
    assert_eq!(
        actions,
        [
            "hold_place",
            "configure",
            "expire",
            "search",
            "search",
            "hold_release",
            "expire"
        ]
    );
}

#[test]
fn custodian_and_query_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    a.place_hold(&hold(HoldScope::Custodian("wangwu".into())), "counsel")
        .unwrap();
    a.place_hold(
        &hold(HoldScope::Query(Query {
            text: Some("合同".into()),
            ..Query::default()
        })),
        "counsel",
    )
    .unwrap();
    let r = common::expire_at(&mut a, T0 + 2 * DAY_MS, "job");
    assert_eq!(r, (0, 2));
    assert_eq!(a.list_holds(false).unwrap().len(), 2);
    assert!(matches!(
        a.release_hold(99, "x", "y"),
        Err(wcp_archive::ArchiveError::NoSuchHold(99))
    ));
}

/// The plan names each kept record and the holds (id, case) keeping it, not only a count
/// (trial 18b D6); a record kept by its flag alone has no hold to name.
#[test]
fn the_plan_names_the_kept_records_and_their_holds() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let custodian = a
        .place_hold(&hold(HoldScope::Custodian("wangwu".into())), "counsel")
        .unwrap();
    let text_hold = a
        .place_hold(
            &HoldRequest {
                case_id: "CASE-8".into(),
                ..hold(HoldScope::Query(Query {
                    text: Some("合同".into()),
                    ..Query::default()
                }))
            },
            "counsel",
        )
        .unwrap();
    let plan = a.expiry_plan(T0 + 2 * DAY_MS).unwrap();
    let kept: Vec<(&str, Vec<(i64, &str)>)> = plan
        .kept
        .iter()
        .map(|k| {
            let holds = k
                .holds
                .iter()
                .map(|h| (h.hold, h.case_id.as_str()))
                .collect();
            (k.record.msgid.as_str(), holds)
        })
        .collect();
    assert_eq!(
        kept,
        [
            ("held", vec![(text_hold.id, "CASE-8")]),
            ("gone", vec![(custodian.id, "CASE-7")]),
        ]
    );
    assert_eq!(plan.held, 2);
    assert!(plan.due.is_empty());

    let mut f = common::open(&dir.path().join("f.db"));
    let mut e = keep_until(text("flag", "flagged", T0), T0 + 1);
    e.retention.as_mut().unwrap().legal_hold = true;
    f.insert_batch(&[e], &[]).unwrap();
    let plan = f.expiry_plan(T0 + DAY_MS).unwrap();
    assert_eq!(plan.kept.len(), 1);
    assert!(plan.kept[0].holds.is_empty());
}

#[test]
fn legal_hold_flag_from_retention_keeps_the_record() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let mut e = keep_until(text("flag", "flagged", T0), T0 + 1);
    e.retention.as_mut().unwrap().legal_hold = true;
    a.insert_batch(&[e], &[]).unwrap();
    assert_eq!(common::expire_at(&mut a, T0 + DAY_MS, "job").1, 1);
    assert!(a.message("flag").is_some());
}

#[test]
fn deleting_content_without_a_tombstone_is_detected() {
    let dir = tempfile::tempdir().unwrap();
    let a = archive(&dir);
    drop(a);
    let conn = rusqlite::Connection::open(dir.path().join("a.db")).unwrap();
    conn.execute("UPDATE records SET body = NULL WHERE msgid = 'young'", [])
        .unwrap();
    let report = wcp_archive::verify::verify(&conn, Some(&common::key().verifying_key())).unwrap();
    let p = report.first_problem().cloned().unwrap();
    assert_eq!(
        (p.kind, p.msgid.as_deref()),
        (ProblemKind::Removed, Some("young"))
    );
}

#[test]
fn quarantined_rows_expire_too_unless_a_custodian_is_held() {
    use wcp_model::Disposition;
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let q = |id: &str, from: &str| {
        let e = in_room(text(id, "no consent yet", T0), "wrQ", from);
        common::with_disposition(keep_until(e, T0 + DAY_MS), Disposition::Quarantine)
    };
    a.insert_batch(&[q("q1", "zhaoliu"), q("q2", "sunqi")], &[])
        .unwrap();
    a.place_hold(&hold(HoldScope::Custodian("zhaoliu".into())), "counsel")
        .unwrap();
    let r = common::expire_at(&mut a, T0 + 2 * DAY_MS, "job");
    assert_eq!(r, (1, 1));
    assert!(a.message("q1").is_some());
    assert!(a.message("q2").is_none());
    assert_eq!(a.count_quarantined().unwrap(), 1);
    assert!(a.verify().unwrap().ok);
}

/// A message hold (what closing an alert as breach places, trial 18c D3) keeps that one
/// message and no other due record of its conversation; verify passes with it.
#[test]
fn a_message_hold_keeps_exactly_that_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    a.place_hold(&hold(HoldScope::Message("held".into())), "investigator")
        .unwrap();
    let r = common::expire_at(&mut a, T0 + 2 * DAY_MS, "retention-job");
    assert_eq!(r, (1, 1));
    assert!(a.message("held").is_some());
    assert!(a.message("gone").is_none());
    assert!(a.verify().unwrap().ok);
}

/// `holds_on` names the holds that keep a message, as expiry decides (trial 18c D4: the
/// console shows "Held: case …" where the message is shown).
#[test]
fn holds_on_names_the_holds_keeping_a_message() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    a.place_hold(
        &hold(HoldScope::Conversation("wmCLIENT|zhangsan".into())),
        "counsel",
    )
    .unwrap();
    a.place_hold(&hold(HoldScope::Message("young".into())), "counsel")
        .unwrap();
    let cases = |m: &str| -> Vec<i64> { a.holds_on(m).unwrap().iter().map(|h| h.id).collect() };
    assert_eq!(cases("held"), vec![1]);
    assert_eq!(cases("young"), vec![1, 2]);
    assert!(cases("gone").is_empty());
    assert!(cases("no-such-msgid").is_empty());
}
