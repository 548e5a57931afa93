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

fn text_ids(a: &mut wcp_archive::Archive, text: &str) -> Vec<String> {
    ids(
        a,
        Query {
            text: Some(text.into()),
            ..Query::default()
        },
    )
}

#[test]
fn chinese_two_characters_from_the_middle_of_a_word() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let cases: [(&str, &[&str]); 5] = [
        // 理财产品 → 财产: two characters, below the trigram minimum (LIKE alone)
        ("财产", &["zh1"]),
        // three or more characters: trigram index, then LIKE
        ("保证收益", &["zh1"]),
        ("好", &["short"]),
        ("股票", &[]),
        // every trigram present, but not adjacent: the LIKE check rejects it
        ("保证收益百分之九", &[]),
    ];
    for (text, want) in cases {
        assert_eq!(text_ids(&mut a, text), want, "{text}");
    }
}

#[test]
fn english_word_case_insensitive_and_multi_term() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let cases: [(&str, &[&str]); 5] = [
        ("compliance", &["en1"]),
        ("QUARTERLY report", &["en1"]),
        ("compliance holiday", &[]),
        // FTS syntax in the input is taken literally, not as operators.
        ("\"review OR\"", &[]),
        // "OR" is a term (found in "report"), not an operator.
        ("review OR", &["en1"]),
    ];
    for (text, want) in cases {
        assert_eq!(text_ids(&mut a, text), want, "{text}");
    }
}

#[test]
fn structured_filters() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let q = Query::default;
    let cases: Vec<(Query, Vec<&str>)> = vec![
        (
            Query {
                risk: Some(RiskCategory::GuaranteeOfReturns),
                ..q()
            },
            vec!["zh1"],
        ),
        (
            Query {
                pii: Some("PHONE_NUMBER".into()),
                ..q()
            },
            vec!["g1"],
        ),
        (
            Query {
                conversation: Some("wrROOM1".into()),
                ..q()
            },
            vec!["g1"],
        ),
        (
            Query {
                class: Some(Class::Personal),
                ..q()
            },
            vec!["p1"],
        ),
        (
            Query {
                participant: Some("lisi".into()),
                ..q()
            },
            vec!["g1"],
        ),
        (
            Query {
                from_ms: Some(T0 + 1_000),
                to_ms: Some(T0 + 3_000),
                ..q()
            },
            vec!["en1", "g1"],
        ),
        (
            Query {
                recalled: Some(true),
                ..q()
            },
            vec![],
        ),
        (
            Query {
                msgtype: Some("text".into()),
                limit: Some(2),
                ..q()
            },
            vec!["zh1", "en1"],
        ),
    ];
    for (query, want) in cases {
        assert_eq!(ids(&mut a, query.clone()), want, "{query:?}");
    }
    let all = Query {
        participant: Some("wmCLIENT".into()),
        recalled: Some(false),
        ..q()
    };
    assert_eq!(ids(&mut a, all).len(), 5);
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

/// Search by participant is exact per message: someone who joined a group later is not a
/// participant of its earlier messages, and an id that merely starts like another does not
/// match it.
#[test]
fn participant_search_is_per_message_and_exact() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let mut early = in_room(text("early", "开会", T0), "wrROOM2", "lisi");
    early.event.to = vec![wcp_model::Participant::new("wangwu")];
    let mut late = in_room(text("late", "开会了", T0 + 1_000), "wrROOM2", "lisi");
    late.event.to = ["wangwu", "zhaoliu"]
        .map(wcp_model::Participant::new)
        .to_vec();
    let mut prefix = text("prefix", "hello", T0 + 2_000);
    prefix.event.to = vec![wcp_model::Participant::new("wangwu2")];
    prefix.event.conversation_id = "wangwu2|zhangsan".into();
    a.insert_batch(&[early, late, prefix], &[]).unwrap();
    let who = |a: &mut wcp_archive::Archive, p: &str| {
        ids(
            a,
            Query {
                participant: Some(p.into()),
                ..Query::default()
            },
        )
    };
    assert_eq!(who(&mut a, "zhaoliu"), vec!["late"]);
    assert_eq!(who(&mut a, "wangwu"), vec!["early", "late"]);
    assert_eq!(who(&mut a, "lisi"), vec!["early", "late"]);
    assert_eq!(who(&mut a, "wangwu2"), vec!["prefix"]);
    assert_eq!(who(&mut a, "wang"), Vec::<String>::new());
}

/// The review sample reads business messages by staff in archive order, a page at a time,
/// up to a bound, and continues from where it stopped (messages archived later included).
#[test]
fn business_after_pages_in_archive_order() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = archive(&dir);
    let head = a.last_message_seq().unwrap();
    assert!(head > 0);
    let (page, last) = a.business_after(0, head, 2).unwrap();
    let got: Vec<&str> = page.iter().map(|c| c.msgid.as_str()).collect();
    assert_eq!(
        got,
        ["zh1", "en1"],
        "staff business messages, oldest row first"
    );
    let (rest, end) = a.business_after(last, head, 100).unwrap();
    let got: Vec<&str> = rest.iter().map(|c| c.msgid.as_str()).collect();
    // g1 (lisi, staff) and short; p1 is personal.
    assert_eq!(got, ["g1", "short"]);
    assert_eq!(end, head);
    assert_eq!(a.business_after(end, head, 100).unwrap(), (vec![], end));
    // Archived later, with an older message time: still read, after the others.
    a.insert_batch(&[text("late", "补录的历史消息", T0 - 1_000)], &[])
        .unwrap();
    let new_head = a.last_message_seq().unwrap();
    assert!(new_head > head);
    assert_eq!(
        a.business_after(end, head, 100).unwrap().0,
        vec![],
        "bounded by upto"
    );
    let (late, _) = a.business_after(end, new_head, 100).unwrap();
    assert_eq!(late.len(), 1);
    assert_eq!(late[0].msgid, "late");
    assert_eq!(late[0].sender, "zhangsan");
}

/// Two CJK characters are found through the trigrams they start and the text's tail token:
/// in the middle, at the end, as the whole text, next to English and punctuation, and
/// nowhere else. Every pair of a small alphabet against every text built from it, compared
/// with the texts themselves.
#[test]
fn two_cjk_characters_anywhere_match_the_texts_exactly() {
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    let alphabet = ['保', '本', '金', 'a', 'B', '。', ' ', '\u{20000}'];
    let mut texts: Vec<String> = [
        "年化8%保本",
        "保本",
        "这个能保本吗",
        "保本 guaranteed",
        "本",
    ]
    .map(String::from)
    .to_vec();
    let mut x: u64 = 7;
    for _ in 0..300 {
        let mut t = String::new();
        x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
        for _ in 0..(x >> 60) % 7 {
            x = x.wrapping_mul(6_364_136_223_846_793_005).wrapping_add(1);
            t.push(alphabet[((x >> 33) % alphabet.len() as u64) as usize]);
        }
        texts.push(t);
    }
    let batch: Vec<_> = texts
        .iter()
        .enumerate()
        .map(|(i, t)| text(&format!("t{i:03}"), t, T0 + i as i64))
        .collect();
    a.insert_batch(&batch, &[]).unwrap();
    for p in alphabet {
        for q in alphabet {
            let term = format!("{p}{q}");
            if term.trim().chars().count() < 2 {
                continue;
            }
            let mut want: Vec<String> = texts
                .iter()
                .enumerate()
                .filter(|(_, t)| t.to_ascii_lowercase().contains(&term.to_ascii_lowercase()))
                .map(|(i, _)| format!("t{i:03}"))
                .collect();
            let mut got = text_ids(&mut a, &term);
            want.sort();
            got.sort();
            assert_eq!(got, want, "{term:?}");
        }
    }
    // With English in the same query: both terms must be present.
    assert_eq!(text_ids(&mut a, "保本 guaranteed"), ["t003"]);
    assert_eq!(text_ids(&mut a, "guaranteed 金保"), Vec::<String>::new());
    assert!(a.verify().unwrap().ok);
}

/// An expired message leaves both indexes the two-character search reads: the trigram
/// range and the tail token find nothing of it, and verify still passes.
#[test]
fn two_cjk_characters_of_an_expired_message_are_gone_from_the_indexes() {
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("a.db");
    let mut a = common::open(&path);
    let batch = vec![
        common::keep_until(text("old1", "年化8%保本", T0), T0 + common::DAY_MS),
        common::keep_until(text("old2", "这个能保本吗", T0), T0 + common::DAY_MS),
        text("new", "保本", T0 + 1_000),
    ];
    a.insert_batch(&batch, &[]).unwrap();
    assert_eq!(text_ids(&mut a, "保本"), ["old1", "old2", "new"]);
    let (expired, _) = common::expire_at(&mut a, T0 + 2 * common::DAY_MS, "job");
    assert_eq!(expired, 2);
    assert_eq!(text_ids(&mut a, "保本"), ["new"]);
    assert!(a.verify().unwrap().ok);
    drop(a);
    // The index entries themselves: only the remaining message's.
    let c = rusqlite::Connection::open(&path).unwrap();
    let rows = |sql: &str| -> Vec<i64> {
        let mut st = c.prepare(sql).unwrap();
        st.query_map([], |r| r.get(0))
            .unwrap()
            .map(Result::unwrap)
            .collect()
    };
    let new_seq = rows("SELECT seq FROM messages WHERE msgid = 'new'");
    assert_eq!(
        rows("SELECT rowid FROM id_tokens WHERE id_tokens MATCH '\"t保本\"'"),
        new_seq
    );
    assert!(rows(
        "SELECT doc FROM fts_vocab WHERE term >= '保本' AND term <= '保本' || char(1114111)"
    )
    .is_empty());
}
