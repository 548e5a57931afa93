//! Anonymisation completeness on a labelled set (issue 13 item 6): at most
//! `WCP_ANON_MAX_SURVIVORS` (default 0.01) of the identifying values may survive the
//! anonymiser (definition in `common/survivors.rs`). The set is read from `$WCP_ANON_SET`
//! (score.py gold form; `scripts/anon_gold.py` makes it from type/value labels); the test
//! skips when it is unset or absent (the blind sets are not in the repository). What always
//! runs: the hand-written lines of `anon_recall.rs`.

#[path = "common/survivors.rs"]
mod survivors;

fn check(path: &std::path::Path, max: f64) {
    let text = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    let rep = survivors::measure(&text);
    let t = &rep.total;
    // Development sets only: every survivor's value.
    if std::env::var_os("WCP_ANON_LIST").is_some() {
        for (id, ty, value) in &rep.survivors {
            eprintln!("{id}\t{ty}\t{value}");
        }
    }
    for (ty, x) in &rep.by_type {
        eprintln!(
            "{ty:20} values {:4} survive {:4} (verbatim {:4})",
            x.values, x.partial, x.verbatim
        );
    }
    eprintln!(
        "{}: {} of {} survive ({:.4})",
        path.display(),
        t.survivors(),
        t.values,
        t.rate()
    );
    assert!(t.values > 0, "no labelled values in {}", path.display());
    assert!(t.rate() <= max, "survivor rate {:.4} > {max}", t.rate());
}

#[test]
fn blind_set_survivors() {
    let Ok(p) = std::env::var("WCP_ANON_SET") else {
        eprintln!("WCP_ANON_SET unset: skipped");
        return;
    };
    let p = std::path::PathBuf::from(p);
    if !p.exists() {
        eprintln!("{} absent: skipped", p.display());
        return;
    }
    let max = std::env::var("WCP_ANON_MAX_SURVIVORS")
        .ok()
        .and_then(|v| v.parse().ok())
        .unwrap_or(0.01);
    check(&p, max);
}
