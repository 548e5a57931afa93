//! The review console's queries return exactly what the audited search returns, in the
//! console's order (newest first), and the conversation window is the conversation in time
//! order: whether found by testing messages one by one in time order or through the indexes.
mod common;

use common::{in_room, text, with_pii, with_risk, T0};
use wcp_archive::{Archive, Query};
use wcp_model::RiskCategory;

const TEXTS: [&str; 6] = [
    "保本保息，稳赚不赔",
    "meeting at three, bring the guaranteed numbers",
    "周末去爬山",
    "本金保本 and a Meeting",
    "保",
    "nothing here",
];

/// 300 messages: three conversations (a one-to-one and two rooms), repeated times (ties
/// broken by seq), risks, PII, a rare participant.
fn fill(a: &mut Archive) {
    let events: Vec<_> = (0..300i64)
        .map(|i| {
            let mut e = text(
                &format!("q{i}"),
                TEXTS[(i % 6) as usize],
                T0 + (i / 3) * 1_000,
            );
            if i % 3 == 1 {
                e = in_room(e, "wrROOM1", if i % 30 == 1 { "wangwu" } else { "lisi" });
            } else if i % 5 == 2 {
                e = in_room(e, "wrROOM2", "zhaoliu");
            }
            if i % 4 == 0 {
                e = with_risk(e, RiskCategory::GuaranteeOfReturns);
            }
            if i % 7 == 0 {
                e = with_pii(e, "PHONE_NUMBER");
            }
            e
        })
        .collect();
    for chunk in events.chunks(50) {
        a.insert_batch(chunk, &[]).unwrap();
    }
}

fn queries() -> Vec<Query> {
    let q = Query::default;
    let mut out = vec![
        Query {
            participant: Some("zhangsan".into()),
            ..q()
        },
        Query {
            participant: Some("wangwu".into()),
            ..q()
        },
        Query {
            participant: Some("nobody".into()),
            ..q()
        },
        Query {
            conversation: Some("wrROOM1".into()),
            ..q()
        },
        Query {
            risk: Some(RiskCategory::GuaranteeOfReturns),
            pii: Some("PHONE_NUMBER".into()),
            ..q()
        },
        Query {
            from_ms: Some(T0 + 20_000),
            to_ms: Some(T0 + 60_000),
            participant: Some("lisi".into()),
            ..q()
        },
    ];
    for t in [
        "保本",
        "保",
        "meeting",
        "guaranteed 保本",
        "本金保本",
        "爬山",
        "absent",
    ] {
        out.push(Query {
            text: Some(t.into()),
            ..q()
        });
    }
    out
}

fn seqs(ms: &[wcp_archive::ArchivedMessage]) -> Vec<i64> {
    ms.iter().map(|m| m.record_seq).collect()
}

#[test]
fn pages_are_the_same_by_either_path_and_match_the_search() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    fill(&mut a);
    for q in queries() {
        // The reference: every match, newest first.
        let mut all = a.search(&q, "test").unwrap();
        all.sort_by_key(|m| std::cmp::Reverse((m.stored.time_ms, m.record_seq)));
        let all = seqs(&all);
        for (offset, limit) in [(0, 10), (0, 50), (10, 7), (40, 20), (0, 400)] {
            let expect: Vec<i64> = all.iter().skip(offset).take(limit).copied().collect();
            let more = all.len() > offset + limit;
            for recent in [0, 1, 15, 60, 1_000] {
                let (got, m) = a
                    .review_search_probing(&q, offset as u64, limit as u64, recent)
                    .unwrap();
                assert_eq!(
                    seqs(&got),
                    expect,
                    "{q:?} {offset}+{limit}, recent {recent}"
                );
                assert_eq!(m, more, "{q:?} {offset}+{limit}, recent {recent}");
            }
        }
    }
}

#[test]
fn the_conversation_window_is_the_conversation_in_time_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    fill(&mut a);
    for conv in ["wrROOM1", "wrROOM2", "wmCLIENT|zhangsan", "absent"] {
        let q = Query {
            conversation: Some(conv.into()),
            ..Query::default()
        };
        let mut all = a.search(&q, "test").unwrap();
        all.sort_by_key(|m| (m.stored.time_ms, m.record_seq));
        for at in [T0 - 1, T0, T0 + 33_000, T0 + 99_000, T0 + 200_000] {
            for (before, after) in [(0, 1), (3, 4), (10, 11), (500, 500)] {
                let split = all.iter().filter(|m| m.stored.time_ms < at).count();
                let expect: Vec<i64> = seqs(&all)
                    .into_iter()
                    .enumerate()
                    .filter(|(i, _)| *i + before >= split && *i < split + after)
                    .map(|(_, s)| s)
                    .collect();
                for budget in [0, 2, 30, 1_000] {
                    let got = a
                        .conversation_window_probing(conv, at, before as u64, after as u64, budget)
                        .unwrap();
                    assert_eq!(
                        seqs(&got),
                        expect,
                        "{conv} at {at}, {before}/{after}, {budget}"
                    );
                }
                let got = a
                    .conversation_window(conv, at, before as u64, after as u64)
                    .unwrap();
                assert_eq!(seqs(&got), expect, "{conv} at {at}, {before}/{after}");
            }
        }
    }
}

/// The alert page's "refused at": the last disagree of a contact up to a time, read through
/// the partial index of disagree messages, equals what loading every consent message of the
/// contact gives.
#[test]
fn the_last_disagree_time_is_the_last_loaded_one_through_its_index() {
    use common::consent;
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = common::open(&path);
    fill(&mut a);
    let mut events = Vec::new();
    for i in 0..40i64 {
        let contact = if i % 3 == 0 { "wmOTHER" } else { "wmCONTACT" };
        let at = T0 + i * 7_000;
        events.push(consent(&format!("c{i}"), contact, i % 4 == 1, at));
    }
    // Two at the same time: the time counts, not the order.
    events.push(consent("c-tie", "wmCONTACT", false, T0 + 70_000));
    a.insert_batch(&events, &[]).unwrap();
    for contact in ["wmCONTACT", "wmOTHER", "nobody"] {
        let loaded = a.consent_events(contact).unwrap();
        for t in [T0 - 1, T0, T0 + 69_999, T0 + 70_000, T0 + 300_000] {
            let want = loaded
                .iter()
                .filter(|e| e.stored.msgtype == "disagree" && e.stored.time_ms <= t)
                .map(|e| e.stored.time_ms)
                .max();
            assert_eq!(
                a.last_disagree_time(contact, t).unwrap(),
                want,
                "{contact} up to {t}"
            );
        }
    }
    let last = a.last_disagree_time("wmCONTACT", T0 + 300_000).unwrap();
    assert_eq!(last, Some(T0 + 266_000));
    drop(a);
    let conn = rusqlite::Connection::open(&path).unwrap();
    let plan: String = conn
        .query_row(
            &format!(
                "EXPLAIN QUERY PLAN {}",
                wcp_archive::review_query::LAST_DISAGREE_SQL
            ),
            rusqlite::params![T0, "wmCONTACT"],
            |r| r.get(3),
        )
        .unwrap();
    assert!(plan.contains("messages_disagree"), "{plan}");
}
