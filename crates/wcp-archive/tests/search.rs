//! Search filters, Chinese and English full text, and the audit trail of reads.
mod common;

use common::{in_room, text, with_pii, with_risk, T0};
use wcp_archive::Query;
use wcp_model::{Class, RiskCategory};

fn archive(dir: &tempfile::TempDir) -> wcp_archive::Archive {
    let mut a = common::open(&dir.path().join("a.db"));
    let mut personal = text("p1", "周末一起去爬山吧", T0 + 3_000);
    personal.classification.as_mut().unwrap().class = Class::Personal;
    let batch = vec![
        with_risk(
            text("zh1", "这个理财产品保证收益百分之八", T0),
            RiskCategory::GuaranteeOfReturns,
        ),
        text(
            "en1",
            "Please review the Quarterly compliance report",
            T0 + 1_000,
        ),
        with_pii(
            in_room(
                text("g1", "我的电话是13800138000", T0 + 2_000),
                "wrROOM1",
                "lisi",
            ),
            "PHONE_NUMBER",
        ),
        personal,
        text("short", "好", T0 + 4_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    a
}

fn ids(a: &mut wcp_archive::Archive, q: Query) -> Vec<String> {
    a.search(&q, "reviewer")
        .unwrap()
        .into_iter()
        .map(|m| m.stored.msgid)
        .collect()
}

#[test]
fn chinese_two_characters_from_the_middle_of_a_word() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    // 理财产品 → 财产 (two characters, below the trigram minimum: LIKE fallback)
    assert_eq!(
        ids(
            &mut a,
            Query {
                text: Some("财产".into()),
                ..Query::default()
            }
        ),
        ["zh1"]
    );
    // three or more characters use the trigram index
    assert_eq!(
        ids(
            &mut a,
            Query {
                text: Some("保证收益".into()),
                ..Query::default()
            }
        ),
        ["zh1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                text: Some("好".into()),
                ..Query::default()
            }
        ),
        ["short"]
    );
    assert!(ids(
        &mut a,
        Query {
            text: Some("股票".into()),
            ..Query::default()
        }
    )
    .is_empty());
}

#[test]
fn english_word_case_insensitive_and_multi_term() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    assert_eq!(
        ids(
            &mut a,
            Query {
                text: Some("compliance".into()),
                ..Query::default()
            }
        ),
        ["en1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                text: Some("QUARTERLY report".into()),
                ..Query::default()
            }
        ),
        ["en1"]
    );
    assert!(ids(
        &mut a,
        Query {
            text: Some("compliance holiday".into()),
            ..Query::default()
        }
    )
    .is_empty());
    // FTS syntax in the input is taken literally, not as operators.
    assert!(ids(
        &mut a,
        Query {
            text: Some("\"review OR\"".into()),
            ..Query::default()
        }
    )
    .is_empty());
}

#[test]
fn structured_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    assert_eq!(
        ids(
            &mut a,
            Query {
                risk: Some(RiskCategory::GuaranteeOfReturns),
                ..Query::default()
            }
        ),
        ["zh1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                pii: Some("PHONE_NUMBER".into()),
                ..Query::default()
            }
        ),
        ["g1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                conversation: Some("wrROOM1".into()),
                ..Query::default()
            }
        ),
        ["g1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                class: Some(Class::Personal),
                ..Query::default()
            }
        ),
        ["p1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                participant: Some("lisi".into()),
                ..Query::default()
            }
        ),
        ["g1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                participant: Some("wmCLIENT".into()),
                ..Query::default()
            }
        )
        .len(),
        5
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                from_ms: Some(T0 + 1_000),
                to_ms: Some(T0 + 3_000),
                ..Query::default()
            }
        ),
        ["en1", "g1"]
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                msgtype: Some("text".into()),
                limit: Some(2),
                ..Query::default()
            }
        )
        .len(),
        2
    );
    assert_eq!(
        ids(
            &mut a,
            Query {
                recalled: Some(false),
                ..Query::default()
            }
        )
        .len(),
        5
    );
    assert!(ids(
        &mut a,
        Query {
            recalled: Some(true),
            ..Query::default()
        }
    )
    .is_empty());
}

#[test]
fn every_search_is_audited_and_chained() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let before = a.chain_len();
    a.search(
        &Query {
            text: Some("compliance".into()),
            ..Query::default()
        },
        "alice",
    )
    .unwrap();
    a.search(&Query::default(), "bob").unwrap();
    let trail = a.audit_trail().unwrap();
    assert_eq!(trail.len(), 2);
    assert_eq!(
        (trail[0].actor.as_str(), trail[0].action.as_str()),
        ("alice", "search")
    );
    assert_eq!(trail[0].detail["results"], 1);
    assert_eq!(trail[0].detail["query"]["text"], "compliance");
    assert_eq!(trail[1].actor, "bob");
    assert_eq!(a.chain_len(), before + 2);
    assert!(a.verify().unwrap().ok);
}
