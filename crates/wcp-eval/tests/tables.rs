//! Table-driven checks of the scoring rules against hand-computed figures.
use serde_json::{json, Value};
use wcp_eval::{evaluate, render_table, Gold, Pred};

fn gold(rows: &[Value]) -> Vec<Gold> {
    rows.iter().filter_map(Gold::from_value).collect()
}

fn pred(rows: &[Value]) -> Vec<Pred> {
    rows.iter().filter_map(Pred::from_value).collect()
}

#[test]
fn pii_exact_type_and_span() {
    let g = gold(&[
        json!({"id": "a", "pii": [{"type": "PHONE_NUMBER", "start": 2, "end": 13}, {"type": "PERSON", "start": 0, "end": 2}]}),
        json!({"id": "b", "pii": [{"type": "EMAIL_ADDRESS", "start": 0, "end": 9}]}),
        json!({"id": "c"}),
    ]);
    let p = pred(&[
        // right phone, person one char too long (fp + fn), an unlabelled type (ignored)
        json!({"id": "a", "pii": [{"type": "PHONE_NUMBER", "start": 2, "end": 13}, {"type": "PERSON", "start": 0, "end": 3},
                                  {"type": "URL", "start": 0, "end": 1}]}),
        // email missing; a phone where none is labelled (fp)
        json!({"id": "c", "pii": [{"type": "PHONE_NUMBER", "start": 0, "end": 4}]}),
        json!({"id": "zzz", "pii": [{"type": "PHONE_NUMBER", "start": 0, "end": 4}]}),
    ]);
    let r = evaluate(&g, &p);
    let names: Vec<&str> = r.pii.rows.iter().map(|r| r.name.as_str()).collect();
    assert_eq!(names, ["EMAIL_ADDRESS", "PERSON", "PHONE_NUMBER"]);
    let phone = &r.pii.rows[2].counts;
    assert_eq!((phone.tp, phone.fp, phone.fn_), (1, 1, 0));
    let person = &r.pii.rows[1].counts;
    assert_eq!((person.tp, person.fp, person.fn_), (0, 1, 1));
    assert_eq!(
        (
            r.pii.total.counts.tp,
            r.pii.total.counts.fp,
            r.pii.total.counts.fn_
        ),
        (1, 2, 2)
    );
    // pattern total leaves PERSON out
    assert_eq!(
        (
            r.pii_pattern.counts.tp,
            r.pii_pattern.counts.fp,
            r.pii_pattern.counts.fn_
        ),
        (1, 1, 1)
    );
}

#[test]
fn class_counts_missing_as_business_and_reports_mixed_apart() {
    let g = gold(&[
        json!({"id": 1, "class": "business"}),
        json!({"id": 2, "class": "business"}),
        json!({"id": 3, "class": "personal"}),
        json!({"id": 4, "class": "personal"}),
        json!({"id": 5, "class": "mixed"}),
        json!({"id": 6, "class": "business"}),
    ]);
    let p = pred(&[
        json!({"id": 1, "class": "business"}),
        json!({"id": 2, "class": "personal"}),
        json!({"id": 3, "class": "personal"}),
        json!({"id": 4, "class": "business"}),
        json!({"id": 5, "class": "personal"}),
    ]);
    let c = evaluate(&g, &p).class;
    // business: tp = 1 + 6 (missing) = 2, fn = 1, fp = 1
    assert_eq!(
        (
            c.business.counts.tp,
            c.business.counts.fn_,
            c.business.counts.fp
        ),
        (2, 1, 1)
    );
    assert!((c.business_recall - 2.0 / 3.0).abs() < 1e-12);
    assert!((c.personal_recall - 0.5).abs() < 1e-12);
    let fb = 2.0 / 3.0;
    let fp = 0.5;
    assert!((c.macro_f1 - (fb + fp) / 2.0).abs() < 1e-12);
    assert_eq!(c.missing, 1);
    assert_eq!((c.mixed.messages, c.mixed.predicted_personal), (1, 1));
}

#[test]
fn risk_per_message_category_sets() {
    let g = gold(&[
        json!({"id": "x", "risk": ["complaint", "unauthorized_trading"]}),
        json!({"id": "y", "risk": []}),
    ]);
    let p = pred(&[
        json!({"id": "x", "risks": [{"category": "complaint", "start": 0, "end": 2}, {"category": "complaint", "start": 5, "end": 7}]}),
        json!({"id": "y", "risks": [{"category": "off_channel", "start": 0, "end": 2}]}),
    ]);
    let r = evaluate(&g, &p);
    let by: Vec<(&str, u64, u64, u64)> = r
        .risk
        .rows
        .iter()
        .map(|r| (r.name.as_str(), r.counts.tp, r.counts.fp, r.counts.fn_))
        .collect();
    assert_eq!(
        by,
        [
            ("complaint", 1, 0, 0),
            ("off_channel", 0, 1, 0),
            ("unauthorized_trading", 0, 0, 1)
        ]
    );
    let text = render_table(&r);
    assert!(
        text.contains("off_channel") && text.contains("macro-F1"),
        "{text}"
    );
}

#[test]
fn repeated_gold_id_keeps_the_last_row() {
    let g = gold(&[
        json!({"id": "a", "class": "personal"}),
        json!({"id": "a", "class": "business"}),
    ]);
    let r = evaluate(&g, &pred(&[json!({"id": "a", "class": "business"})]));
    assert_eq!(r.messages, 1);
    assert_eq!(r.class.business.counts.tp, 1);
}
