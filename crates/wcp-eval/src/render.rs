//! Human-readable report (the default output of `wcp eval`).
use crate::score::{Report, TypeRow, TypeTable};
use std::fmt::Write;

fn line(out: &mut String, r: &TypeRow) {
    let c = r.counts;
    let s = r.scores;
    let _ = writeln!(
        out,
        "  {:24} tp={:5} fp={:5} fn={:5}  P={:.3} R={:.3} F1={:.3}",
        r.name, c.tp, c.fp, c.fn_, s.precision, s.recall, s.f1
    );
}

fn section(out: &mut String, title: &str, t: &TypeTable) {
    let _ = writeln!(out, "{title}");
    if t.rows.is_empty() {
        let _ = writeln!(out, "  (nothing labelled or predicted)");
    }
    for r in &t.rows {
        line(out, r);
    }
    line(out, &t.total);
}

/// The report as aligned text tables.
pub fn render_table(r: &Report) -> String {
    let mut out = String::new();
    let _ = writeln!(out, "messages: {}", r.messages);
    section(&mut out, "PII (exact type + span)", &r.pii);
    line(&mut out, &r.pii_pattern);
    let c = &r.class;
    let _ = writeln!(
        out,
        "class (business = positive; missing prediction = business)"
    );
    line(&mut out, &c.business);
    line(&mut out, &c.personal);
    let _ = writeln!(
        out,
        "  business recall={:.3} personal recall={:.3} macro-F1={:.3} missing={}",
        c.business_recall, c.personal_recall, c.macro_f1, c.missing
    );
    let _ = writeln!(
        out,
        "  mixed (not scored): {} messages, {} called business, {} personal",
        c.mixed.messages, c.mixed.predicted_business, c.mixed.predicted_personal
    );
    section(&mut out, "risk categories (per message)", &r.risk);
    if !r.risk_confusion.is_empty() {
        let _ = writeln!(
            out,
            "risk errors by category (false positives by rule; misses by what was raised instead)"
        );
    }
    for c in &r.risk_confusion {
        let _ = writeln!(out, "  {}", c.category);
        for t in &c.false_positives_by_rule {
            let _ = writeln!(
                out,
                "    FP {:5}  {:40} e.g. {}",
                t.count,
                t.name,
                t.examples.join(", ")
            );
        }
        for t in &c.false_negatives_raised_as {
            let _ = writeln!(
                out,
                "    FN {:5}  as {:37} e.g. {}",
                t.count,
                t.name,
                t.examples.join(", ")
            );
        }
    }
    out
}
