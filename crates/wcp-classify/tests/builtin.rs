//! The shipped model: it loads, it is what the committed corpus trains to,
//! and the policy and context move decisions the way they should.
use wcp_classify::corpus::{parse_corpus, train_config, DEFAULT_SEED};
use wcp_classify::{BusinessClassifier, Class, ClassifyError, EventContext, Policy};

const CORPUS: &str = include_str!("../../../data/train/class/train.jsonl");
const MODEL: &[u8] = include_bytes!("../model/business.wctm");

#[test]
fn shipped_model_is_rebuilt_from_the_committed_corpus() {
    let corpus = parse_corpus(CORPUS).unwrap();
    let model = wcp_textmodel::train(&corpus.examples, &train_config(DEFAULT_SEED)).unwrap();
    assert!(
        model.to_bytes() == MODEL,
        "model/business.wctm is stale: run `wcp train --data data/train/class/train.jsonl --out crates/wcp-classify/model/business.wctm`"
    );
}

#[test]
fn clear_cases() {
    let clf = BusinessClassifier::builtin();
    let ctx = EventContext::default();
    for text in [
        "请把客户的风险测评结果发我，明天要给他配置债券基金",
        "Please send the KYC pack for the client by EOD",
    ] {
        let d = clf.classify(text, &ctx);
        assert_eq!(d.class, Class::Business, "{text}: {d:?}");
        assert!(!d.top_features.is_empty() && d.top_features.len() <= 3);
        assert!(d.top_features[0].1 != 0.0);
    }
    for text in [
        "周末带孩子去公园玩，晚上吃火锅😋",
        "Anyone up for sushi tonight? lol",
    ] {
        assert_eq!(clf.classify(text, &ctx).class, Class::Personal, "{text}");
    }
}

#[test]
fn decide_agrees_with_classify() {
    let clf = BusinessClassifier::builtin();
    let ctx = EventContext {
        has_external_participant: true,
        ..Default::default()
    };
    let d = clf.classify("晚上吃火锅吗", &ctx);
    assert_eq!(
        clf.decide("晚上吃火锅吗", &ctx),
        (d.class, d.business_score)
    );
    assert!(d.top_features.iter().any(|(n, _)| n == "ctx:external"));
}

#[test]
fn context_priors_move_the_score() {
    let clf = BusinessClassifier::builtin();
    let text = "明天见";
    let neutral = clf.business_score(text, &EventContext::default());
    let external = clf.business_score(
        text,
        &EventContext {
            has_external_participant: true,
            ..Default::default()
        },
    );
    let evening = clf.business_score(
        text,
        &EventContext {
            local_hour: Some(22),
            weekday: Some(6),
            ..Default::default()
        },
    );
    assert!(
        external > neutral && evening < neutral,
        "{external} {neutral} {evening}"
    );
}

#[test]
fn policy_threshold_decides_and_is_validated() {
    let never_personal = Policy {
        personal_below: 0.0,
    };
    let clf = BusinessClassifier::from_bytes(MODEL, never_personal).unwrap();
    assert_eq!(
        clf.classify("周末去爬山吗", &EventContext::default()).class,
        Class::Business
    );
    let always_personal = Policy {
        personal_below: 1.0,
    };
    let clf = clf.with_policy(always_personal).unwrap();
    assert_eq!(
        clf.decide("客户要赎回基金", &EventContext::default()).0,
        Class::Personal
    );
    assert_eq!(
        clf.with_policy(Policy {
            personal_below: 1.5
        })
        .unwrap_err(),
        ClassifyError::BadPolicy(1.5)
    );
    assert!(matches!(
        BusinessClassifier::from_bytes(b"junk", Policy::default()),
        Err(ClassifyError::Model(_))
    ));
}
