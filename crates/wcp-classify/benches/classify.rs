//! Throughput of business/personal classification on short chat lines.
//!
//! `score_only` is the stage's hot path (class + score, what `wcp detect`
//! emits); `with_explanation` adds the top features for reviewers;
//! `features_only` walks the same text features without a model.
//! `stage_without_model` / `stage_with_model` are the detection stage's work
//! per message (PII + risk lexicons, then also the class decision fed with
//! the risk hits, as `wcp-stages` does): issue 5 allows the model at most 20%
//! of the stage's throughput.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wcp_classify::{BusinessClassifier, EventContext};

const LINES: &[&str] = &[
    "客户要赎回500万的债券基金，麻烦走一下流程",
    "周末去爬山吗？约起来😄",
    "Can you send me the term sheet for Mr Tan by EOD?",
    "Lunch吃啥？拉面还是火锅",
    "明天上午十点晨会改线上，链接稍后发",
    "My son scored a goal today!!",
    "这个client的KYC还没update，先别下单",
    "收到",
    "下班一起去吃烤肉吧，我请客[呲牙]",
    "Compliance flagged the suitability form, we need a new signature",
    "孩子发烧了，我下午请半天假",
    "Reminder: expense claims due Friday noon",
];

fn bench(c: &mut Criterion) {
    let clf = BusinessClassifier::builtin();
    let ctx = EventContext::default();
    let mut g = c.benchmark_group("classify");
    g.throughput(Throughput::Elements(LINES.len() as u64));
    g.bench_function("score_only", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(clf.decide(black_box(l), &ctx));
            }
        })
    });
    g.bench_function("with_explanation", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(clf.classify(black_box(l), &ctx));
            }
        })
    });
    g.bench_function("features_only", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(wcp_textmodel::feature_count(black_box(l)));
            }
        })
    });
    let pii = wcp_pii::PiiDetector::new();
    let risk = wcp_risk::RiskEngine::builtin();
    g.bench_function("stage_without_model", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(pii.detect(black_box(l)));
                black_box(risk.scan(black_box(l)));
            }
        })
    });
    g.bench_function("stage_with_model", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(pii.detect(black_box(l)));
                let hits = risk.scan(black_box(l));
                let ctx = EventContext {
                    risk_hits: hits.len().min(255) as u8,
                    ..EventContext::default()
                };
                black_box(clf.classify(black_box(l), &ctx));
                black_box(hits);
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
