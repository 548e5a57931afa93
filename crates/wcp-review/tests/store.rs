//! The review store against real SQLite: ingest is idempotent, the queue respects scope and
//! filters, actions are chained, and verify catches edits, deletions, insertions and a cut tail.

use ed25519_dalek::SigningKey;
use wcp_model::Severity;
use wcp_review::actions::{Act, Actor, Outcome, Status};
use wcp_review::items::{self, NewItem, Span};
use wcp_review::queue::{self, CountBy, Filter, Sort, StatusFilter};
use wcp_review::roles::Scope;
use wcp_review::{verify, RegionStore, Role};

fn item(n: usize, category: &str, sev: Severity) -> NewItem {
    NewItem {
        key: format!("m{n}:{category}"),
        kind: "alert".into(),
        msgid: format!("m{n}"),
        conversation_id: "wmCLIENT|zhangwei".into(),
        category: category.into(),
        severity: sev,
        rule_id: format!("{category}.rule"),
        time_ms: 1_700_000_000_000 + n as i64 * 1000,
        sender: "zhangwei".into(),
        participants: vec!["zhangwei".into(), format!("wmCLIENT{}", n % 3)],
        evidence: vec![Span { start: 0, end: 2 }],
    }
}

fn open(dir: &tempfile::TempDir) -> RegionStore {
    RegionStore::open(
        &dir.path().join("review-cn.db"),
        "cn",
        SigningKey::from_bytes(&[7; 32]),
    )
    .unwrap()
}

#[test]
fn queue_actions_and_tamper_evidence() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let batch: Vec<NewItem> = (0..30)
        .map(|n| {
            item(
                n,
                if n % 2 == 0 {
                    "off_channel"
                } else {
                    "insider_information"
                },
                if n % 5 == 0 {
                    Severity::High
                } else {
                    Severity::Medium
                },
            )
        })
        .collect();
    assert_eq!(
        items::ingest(&mut s, &batch, &[("chat.alerts".into(), 0, 30)], 1).unwrap(),
        30
    );
    assert_eq!(
        items::ingest(&mut s, &batch, &[("chat.alerts".into(), 0, 30)], 2).unwrap(),
        0,
        "re-delivery is a no-op"
    );
    assert_eq!(
        items::stored_offsets(&s).unwrap(),
        vec![("chat.alerts".to_string(), 0, 30)]
    );

    let ann = Scope::of("ann", Role::Reviewer, &["off_channel".into()]);
    let all = Scope::of("ivy", Role::Investigator, &[]);
    let f = Filter::default();
    assert_eq!(
        queue::list(&s, &ann, &f, Sort::Newest, 0, 100)
            .unwrap()
            .len(),
        15
    );
    assert_eq!(
        queue::list(&s, &all, &f, Sort::Newest, 0, 100)
            .unwrap()
            .len(),
        30
    );
    let high = Filter {
        severity: Some(2),
        ..Filter::default()
    };
    let page = queue::list(&s, &all, &high, Sort::Oldest, 0, 100).unwrap();
    assert_eq!(
        page.iter()
            .map(|i| i.new.msgid.as_str())
            .collect::<Vec<_>>(),
        ["m0", "m5", "m10", "m15", "m20", "m25"]
    );
    let who = Filter {
        participant: Some("wmCLIENT1".into()),
        ..Filter::default()
    };
    assert_eq!(
        queue::list(&s, &all, &who, Sort::Newest, 0, 100)
            .unwrap()
            .len(),
        10
    );

    let first = queue::list(&s, &ann, &f, Sort::Oldest, 0, 1)
        .unwrap()
        .remove(0);
    let a = Actor {
        name: "ann",
        role: Role::Reviewer,
    };
    items::apply(&mut s, first.id, Act::Claim, a, 10).unwrap();
    let err = items::apply(
        &mut s,
        first.id,
        Act::Claim,
        Actor {
            name: "bob",
            role: Role::Reviewer,
        },
        11,
    )
    .unwrap_err();
    assert_eq!(err.to_string(), "the alert is assigned to someone else");
    items::apply(
        &mut s,
        first.id,
        Act::Close {
            outcome: Outcome::NoIssue,
            note: "business as usual".into(),
        },
        a,
        12,
    )
    .unwrap();
    let counts = queue::count_by(&s, &all, &f, CountBy::Status).unwrap();
    assert!(
        counts.contains(&("closed".to_string(), 1))
            && counts.contains(&("pending".to_string(), 29)),
        "{counts:?}"
    );
    let closed = Filter {
        status: StatusFilter::Closed,
        ..Filter::default()
    };
    assert_eq!(
        queue::list(&s, &all, &closed, Sort::Newest, 0, 10).unwrap()[0]
            .state
            .status,
        Status::Closed
    );
    let hist = items::history(&s, first.id).unwrap();
    assert_eq!(
        hist.iter().map(|h| h.act.name()).collect::<Vec<_>>(),
        ["claim", "close"]
    );

    let rep = verify::verify(s.store.conn(), None).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
    assert_eq!(rep.events, 32);

    // Each tampering is caught, on a fresh copy.
    let tamper: &[(&str, &str)] = &[
        ("UPDATE items SET status = 'pending', assignee = NULL WHERE status = 'closed'", "the queue shows status pending"),
        ("DELETE FROM items WHERE id = (SELECT MAX(id) FROM items)", "missing from the queue"),
        ("UPDATE events SET body = CAST(REPLACE(CAST(body AS TEXT), 'business', 'businesz') AS BLOB) WHERE kind = 'action'", "was altered"),
        ("DELETE FROM events WHERE seq = 5", "missing (deleted rows)"),
        ("DELETE FROM events WHERE seq > 30; DELETE FROM checkpoints WHERE seq > 30", ""),
    ];
    drop(s);
    for (sql, want) in tamper {
        let copy = tempfile::tempdir().unwrap();
        std::fs::copy(dir.path().join("review-cn.db"), copy.path().join("t.db")).unwrap();
        let conn = rusqlite::Connection::open(copy.path().join("t.db")).unwrap();
        conn.execute_batch(sql).unwrap();
        let rep = verify::verify(&conn, None).unwrap();
        assert!(!rep.ok(), "not caught: {sql}");
        assert!(
            rep.problems.iter().any(|p| p.contains(want)),
            "{sql}: {:?}",
            rep.problems
        );
    }
    // Another key is named as such.
    let conn = rusqlite::Connection::open(dir.path().join("review-cn.db")).unwrap();
    let other = SigningKey::from_bytes(&[8; 32]).verifying_key();
    let rep = verify::verify(&conn, Some(&other)).unwrap();
    assert!(rep
        .problems
        .iter()
        .any(|p| p.contains("not signed by this store's key")));
}

/// Encryption at rest: with a key the store's bytes (file and WAL) hold none of its ids;
/// it reads back unchanged with the key and names the fix without it.
#[test]
fn an_encrypted_store_holds_no_plain_text() {
    use wcp_archive::at_rest::{self, DbKey, Keyed};
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("review-cn.db");
    let key = Keyed {
        key: DbKey::generate().unwrap(),
        source: "test".into(),
    };
    at_rest::set_key(&path, Some(key));
    let mut s = open(&dir);
    let batch: Vec<NewItem> = (0..20)
        .map(|n| item(n, "off_channel", Severity::High))
        .collect();
    items::ingest(&mut s, &batch, &[("chat.alerts".into(), 0, 20)], 1).unwrap();
    let all = Scope::of("ivy", Role::Investigator, &[]);
    let listed = queue::list(&s, &all, &Filter::default(), Sort::Newest, 0, 100).unwrap();
    assert_eq!(listed.len(), 20);
    assert!(verify::verify(s.store.conn(), None).unwrap().ok());
    drop(s);
    for entry in std::fs::read_dir(dir.path()).unwrap() {
        let raw = std::fs::read(entry.unwrap().path()).unwrap();
        for needle in [&b"wmCLIENT"[..], b"zhangwei", b"off_channel"] {
            assert!(!raw.windows(needle.len()).any(|w| w == needle));
        }
    }
    at_rest::set_key(&path, None);
    let e = RegionStore::open(&path, "cn", SigningKey::from_bytes(&[7; 32]))
        .err()
        .unwrap()
        .to_string();
    assert!(
        e.contains("review-cn.db is encrypted") && e.contains("WCP_REVIEW_ENCRYPTION_KEY_FILE_CN"),
        "{e}"
    );
}

/// The /metrics queue gauges: open items (pending and in review, not closed) per category
/// and severity rank, read from the covering index, and the oldest pending item's time.
#[test]
fn depth_counts_open_items_per_category_and_severity() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let batch: Vec<NewItem> = (0..12)
        .map(|n| {
            let (cat, sev) = match n % 3 {
                0 => ("off_channel", Severity::Medium),
                1 => ("insider_information", Severity::High),
                _ => ("off_channel", Severity::High),
            };
            item(n, cat, sev)
        })
        .collect();
    items::ingest(&mut s, &batch, &[], 100).unwrap();
    let all = Scope::of("ivy", Role::Investigator, &[]);
    let ivy = Actor {
        name: "ivy",
        role: Role::Investigator,
    };
    let listed = queue::list(&s, &all, &Filter::default(), Sort::Oldest, 0, 100).unwrap();
    // Items 0 and 3 (off_channel, medium): one claimed (in review, still open), one closed.
    let of = |key: &str| listed.iter().find(|i| i.new.key == key).unwrap().id;
    items::apply(&mut s, of("m0:off_channel"), Act::Claim, ivy, 101).unwrap();
    let closed = of("m3:off_channel");
    items::apply(&mut s, closed, Act::Claim, ivy, 102).unwrap();
    let close = Act::Close {
        outcome: Outcome::NoIssue,
        note: "business as usual".into(),
    };
    items::apply(&mut s, closed, close, ivy, 103).unwrap();
    let (depth, oldest) = queue::depth(&s).unwrap();
    let rank = items::severity_rank;
    let mut got = depth.clone();
    got.sort();
    let mut want = vec![
        ("insider_information".to_string(), rank(Severity::High), 4),
        ("off_channel".to_string(), rank(Severity::High), 4),
        ("off_channel".to_string(), rank(Severity::Medium), 3),
    ];
    want.sort();
    assert_eq!(
        got, want,
        "one row per (category, severity), open items only"
    );
    assert_eq!(oldest, Some(100), "the oldest pending item's creation time");
}

#[test]
fn a_queue_page_is_the_same_tested_in_time_order_or_sorted() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    let cats = ["off_channel", "insider_information", "guarantee_of_returns"];
    // Repeated times (n / 2): ties broken by id.
    let batch: Vec<NewItem> = (0..120)
        .map(|n| {
            let mut it = item(
                n,
                cats[n % 3],
                if n % 7 == 0 {
                    Severity::High
                } else {
                    Severity::Low
                },
            );
            it.time_ms = 1_700_000_000_000 + (n as i64 / 2) * 1000;
            it
        })
        .collect();
    items::ingest(&mut s, &batch, &[("chat.alerts".into(), 0, 120)], 1).unwrap();
    let ivy = Actor {
        name: "ivy",
        role: Role::Investigator,
    };
    for id in (1..120).step_by(4) {
        items::apply(&mut s, id, Act::Claim, ivy, 10).unwrap();
    }
    for id in (1..120).step_by(8) {
        let close = Act::Close {
            outcome: Outcome::NoIssue,
            note: "ok".into(),
        };
        items::apply(&mut s, id, close, ivy, 11).unwrap();
    }
    let ann = Scope::of("ann", Role::Reviewer, &["off_channel".into()]);
    let all = Scope::of("ivy", Role::Investigator, &[]);
    let filters = [
        Filter::default(),
        Filter {
            category: Some("insider_information".into()),
            ..Filter::default()
        },
        Filter {
            status: StatusFilter::Closed,
            severity: Some(2),
            ..Filter::default()
        },
        Filter {
            status: StatusFilter::All,
            participant: Some("wmCLIENT1".into()),
            from_ms: Some(1_700_000_010_000),
            ..Filter::default()
        },
        Filter {
            assignee: Some("ivy".into()),
            status: StatusFilter::InReview,
            ..Filter::default()
        },
    ];
    let ids = |v: Vec<items::Item>| v.into_iter().map(|i| i.id).collect::<Vec<_>>();
    for scope in [&ann, &all] {
        for f in &filters {
            for sort in [Sort::Newest, Sort::Oldest, Sort::Severity] {
                for (offset, limit) in [(0, 5), (3, 10), (0, 200)] {
                    let sorted =
                        ids(queue::list_probing(&s, scope, f, sort, offset, limit, 0).unwrap());
                    for budget in [1, 10, 50, 1_000] {
                        let tested = ids(queue::list_probing(
                            &s, scope, f, sort, offset, limit, budget,
                        )
                        .unwrap());
                        assert_eq!(tested, sorted, "{f:?} {sort:?} {offset}+{limit}, {budget}");
                    }
                }
            }
        }
    }
}

/// Reopening a closed alert (trial 18 D12) appends an action: the close and its outcome stay
/// in the history, the projection is pending again, and verify replays it to the same state.
#[test]
fn a_reopen_is_chained_after_the_close_and_verifies() {
    let dir = tempfile::tempdir().unwrap();
    let mut s = open(&dir);
    items::ingest(&mut s, &[item(0, "off_channel", Severity::High)], &[], 100).unwrap();
    let all = Scope::of("ivy", Role::Investigator, &[]);
    let id = queue::list(&s, &all, &Filter::default(), Sort::Oldest, 0, 1).unwrap()[0].id;
    let ivy = Actor {
        name: "ivy",
        role: Role::Investigator,
    };
    let close = Act::Close {
        outcome: Outcome::FalsePositive,
        note: "lexicon noise".into(),
    };
    items::apply(&mut s, id, close, ivy, 101).unwrap();
    let reopen = Act::Reopen {
        note: "wrong outcome".into(),
    };
    let st = items::apply(&mut s, id, reopen, ivy, 102).unwrap();
    assert_eq!((st.status, st.outcome), (Status::Pending, None));
    let hist = items::history(&s, id).unwrap();
    assert_eq!(
        hist.iter().map(|h| h.act.name()).collect::<Vec<_>>(),
        ["close", "reopen"]
    );
    let rep = verify::verify(s.store.conn(), None).unwrap();
    assert!(rep.ok(), "{:?}", rep.problems);
}
