//! Throughput of `PiiDetector::detect` over realistic short chat lines (zh/en/mixed, with
//! and without PII), 1,024 messages per iteration.
use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wcp_pii::PiiDetector;

const LINES: &[&str] = &[
    "好的，明天上午十点开会，记得带上材料",
    "收到，我下午跟客户确认一下",
    "今天大盘跌得有点多，客户情绪不太好",
    "周末一起去爬山吗？天气不错",
    "Can you send me the latest term sheet before the call?",
    "Thanks, will review and revert by EOD",
    "这个client的risk profile是conservative，不适合推R4的产品",
    "我手机13812345678，到了打给我",
    "客户身份证110101199003071234，麻烦核对",
    "帮我订12月5号的机票，下午3点左右",
    "Please call me at +852 9123 4567 after 6pm",
    "email me at john.doe@example.com thanks",
    "快递寄到上海市浦东新区世纪大道100号，张伟收",
    "600519今天又涨了2.3%，成交额58亿",
    "Meeting moved to 3pm, room 12F-03",
    "哈哈哈[捂脸]",
];

fn bench(c: &mut Criterion) {
    let det = PiiDetector::new();
    let batch: Vec<&str> = LINES.iter().cycle().take(1024).copied().collect();
    let mut g = c.benchmark_group("pii");
    g.throughput(Throughput::Elements(batch.len() as u64));
    g.bench_function("detect_short_lines", |b| {
        b.iter(|| {
            let mut n = 0;
            for l in &batch {
                n += det.detect(black_box(l)).len();
            }
            n
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
