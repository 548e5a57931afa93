//! Throughput of `RiskEngine::scan` on short chat lines (the classifier stage budget is
//! ≥ 200,000 messages/s per core for PII + risk + class together).

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wcp_risk::RiskEngine;

/// A mix like a WeCom work chat: mostly benign, some risky, Chinese, English and mixed.
const LINES: &[&str] = &[
    "好的，明天上午十点在三楼会议室开会",
    "收到，我下午把材料发给您",
    "Can you send me the updated deck before 3pm?",
    "这个客户的风险测评是R3，可以买这只基金",
    "今天中午吃什么？楼下新开了一家面馆",
    "Meeting moved to Thursday, same room.",
    "王总，合同已经盖章寄出了，快递单号稍后发您",
    "这款产品保本保息，亏了算我的",
    "Let's take this to WhatsApp, easier there",
    "客户说上个月的管理费扣多了，要投诉",
    "周五团建去爬山，记得带水",
    "Thanks! I'll check with compliance and get back to you.",
    "把那几条聊天记录删了，合规要来查",
    "这个client的risk profile是conservative，建议配置债基",
    "路演材料改好了，放共享盘了",
    "Please confirm the trade details for account ending 1234.",
];

fn bench_scan(c: &mut Criterion) {
    let engine = RiskEngine::builtin();
    let mut g = c.benchmark_group("risk_scan");
    g.throughput(Throughput::Elements(LINES.len() as u64));
    g.bench_function("short_chat_lines", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(engine.scan(black_box(l)));
            }
        })
    });
    let lexicon_only = RiskEngine::from_policy_toml(&wcp_risk::BUILTIN_POLICY.replacen(
        "enabled = true",
        "enabled = false",
        1,
    ))
    .expect("builtin policy");
    g.bench_function("short_chat_lines_lexicon_only", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(lexicon_only.scan(black_box(l)));
            }
        })
    });
    g.bench_function("normalize_only", |b| {
        b.iter(|| {
            for l in LINES {
                black_box(wcp_risk::normalize::normalize(black_box(l)));
            }
        })
    });
    g.finish();
}

criterion_group!(benches, bench_scan);
criterion_main!(benches);
