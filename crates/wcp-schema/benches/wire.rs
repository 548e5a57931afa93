//! Encode + decode of a fully enriched event (classification, consent, retention): the record
//! every Kafka hop after the classifier carries. Reported per record, 1,024 per iteration.

use criterion::{criterion_group, criterion_main, Criterion, Throughput};
use std::hint::black_box;
use wcp_model::*;
use wcp_schema::{decode, encode};

const BATCH: usize = 1024;

fn enriched(i: usize) -> EnrichedEvent {
    let raw = format!(
        r#"{{"msgid":"m{i}","action":"send","from":"zhangsan","tolist":["wmExt{i}"],"roomid":"","msgtime":1603875609704,"msgtype":"text","text":{{"content":"您好，这款产品保本保收益，年化8%，加我微信 wxid_abc{i} 细聊"}}}}"#
    );
    let mut event = parse_wecom(raw.as_bytes(), Some(i as u64)).expect("bench input parses");
    event.text.push_str(" 电话 13800138000");
    EnrichedEvent {
        event,
        classification: Some(Classification {
            class: Class::Business,
            business_score: 0.93,
            top_features: vec!["保本".into(), "收益".into(), "产品".into()],
            risks: vec![RiskHit {
                category: RiskCategory::GuaranteeOfReturns,
                start: 7,
                end: 11,
                rule_id: "guarantee.zh.保本".into(),
                score: 0.9,
            }],
            pii: vec![PiiSpan {
                entity: "PHONE_NUMBER".into(),
                start: 40,
                end: 51,
                score: 0.85,
            }],
        }),
        consent: Some(ConsentDecision {
            state: ConsentState::Agreed,
            disposition: Disposition::Archive,
            contacts: vec![ContactConsent {
                contact: format!("wmExt{i}"),
                state: ConsentState::Agreed,
            }],
        }),
        retention: Some(RetentionTag {
            rules: vec!["sec_17a4_6y".into(), "finra_4511_6y".into()],
            keep_until_ms: 1_792_000_000_000,
            legal_hold: false,
            region: "cn".into(),
        }),
        sealed_ids: None,
    }
}

fn wire(c: &mut Criterion) {
    let events: Vec<EnrichedEvent> = (0..BATCH).map(enriched).collect();
    let encoded: Vec<Vec<u8>> = events.iter().map(|e| encode(e).unwrap()).collect();
    let mean = encoded.iter().map(Vec::len).sum::<usize>() / BATCH;
    eprintln!("EnrichedEvent single-object size: {mean} bytes on average");

    let mut g = c.benchmark_group("wire_enriched_event");
    g.throughput(Throughput::Elements(BATCH as u64));
    g.bench_function("encode", |b| {
        b.iter(|| {
            for e in &events {
                black_box(encode(black_box(e)).unwrap());
            }
        })
    });
    g.bench_function("decode", |b| {
        b.iter(|| {
            for bytes in &encoded {
                black_box(decode::<EnrichedEvent>(black_box(bytes)).unwrap());
            }
        })
    });
    g.bench_function("encode_decode", |b| {
        b.iter(|| {
            for e in &events {
                let bytes = encode(black_box(e)).unwrap();
                black_box(decode::<EnrichedEvent>(&bytes).unwrap());
            }
        })
    });
    g.finish();
}

criterion_group!(benches, wire);
criterion_main!(benches);
