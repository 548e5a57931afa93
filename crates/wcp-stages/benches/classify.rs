//! Classifier stage throughput (PII + risk + business/personal) on short chat lines, in
//! batches of 1,024 messages, with and without the business/personal model (issue 5: the
//! model may cost at most 20%).
//!
//! cargo bench -p wcp-stages --bench classify

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use wcp_pii::PiiDetector;
use wcp_risk::RiskEngine;
use wcp_stages::classify::Classifier;

/// Short lines in the shape of real desk chat: mostly plain, some with PII or risk.
const LINES: &[&str] = &[
    "李总您好，上周说的那只基金报价单我发您邮箱了，请查收。",
    "好的，收到。顺便问一下这个产品能保本吗？",
    "Dinner tonight? The kids want hotpot 🍲",
    "周末去爬山吗？天气不错哈哈",
    "please all confirm the trade list before 3pm",
    "我的手机13912345678，明天上午联系我",
    "Can you send me the term sheet for the 3y note by EOD?",
    "这个client的risk profile是conservative，R4的产品不能卖",
    "收到，谢谢",
    "明天早上9点开晨会，别迟到",
    "My email is d.wong@example.hk if you need the signed form",
    "以后这种事我们加我私人微信聊吧",
    "今晚吃火锅还是烤肉？",
    "Client wants to redeem 2m from the bond fund, pls process",
    "卡号6222 0212 3456 7890 128",
    "ok 👍",
    "Board meeting moved to Thursday, agenda attached",
    "年终奖什么时候发啊",
    "放心，这个肯定稳赚，年化8%保底",
    "Happy birthday!! 🎂 have a great one",
    "客户说没收到赎回款，很生气，要投诉到监管",
    "Let's take this to Signal, not here",
    "报告第三页的数据需要更新一下",
    "小孩发烧了，我下午请个假",
    "The NAV for Nov is out, up 1.2% MoM",
    "帮我查下600519今天的成交量",
    "Reminder: compliance training due Friday",
    "周五团建去莫干山，记得报名",
    "身份证号11010519491231002X，开户用",
    "Traffic is terrible, running 10 min late",
    "这单的返点怎么算，回头电话说",
    "港股通额度还剩多少？",
];

fn corpus() -> Vec<&'static str> {
    LINES.iter().copied().cycle().take(1024).collect()
}

fn bench(c: &mut Criterion) {
    let lines = corpus();
    let classifier = Classifier::builtin();
    let pii = PiiDetector::new();
    let risk = RiskEngine::builtin();
    let mut group = c.benchmark_group("classifier_stage");
    group.throughput(Throughput::Elements(lines.len() as u64));
    group.bench_function(BenchmarkId::new("pii+risk+class", lines.len()), |b| {
        b.iter(|| {
            let mut n = 0usize;
            for l in &lines {
                let c = classifier.detect_text(l);
                n += c.pii.len() + c.risks.len();
            }
            n
        })
    });
    group.bench_function(
        BenchmarkId::new("pii+risk (no class model)", lines.len()),
        |b| {
            b.iter(|| {
                let mut n = 0usize;
                for l in &lines {
                    n += pii.detect(l).len() + risk.scan(l).len();
                }
                n
            })
        },
    );
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
