//! End to end: all seven services, each its own process on a real broker, yield exactly the
//! archive rows, alerts, anonymised events and dead letters that `wcp run` yields for the
//! same input (the repo's sample, lenient and malformed WeCom fixtures).
mod e2e;

use std::time::Duration;

use e2e::outcome::{Outcome, Sinks};
use e2e::procs::{require_binaries, Pipeline, SERVICES};

const TEST: &str = "e2e_equivalence";

#[test]
fn services_yield_what_wcp_run_yields() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&SERVICES);
    let mut p = Pipeline::new(&bootstrap, "eq");
    let input = p.dir.path().join("input.jsonl");
    let mut bytes = Vec::new();
    for f in [
        "wecom_samples.jsonl",
        "wecom_lenient.jsonl",
        "wecom_malformed.jsonl",
    ] {
        let mut b = std::fs::read(e2e::repo_root().join("fixtures").join(f)).expect("fixture");
        if !b.ends_with(b"\n") {
            b.push(b'\n');
        }
        bytes.extend(b);
    }
    std::fs::write(&input, &bytes).expect("write input");

    let expected = Outcome::from_reference(&input, &p.dir.path().join("reference"));
    // An empty reference would make the comparison prove nothing.
    assert!(!expected.archive.is_empty(), "wcp run archived nothing");
    assert!(!expected.alerts.is_empty(), "wcp run raised no alert");
    assert!(
        !expected.anonymised.is_empty(),
        "wcp run anonymised nothing"
    );
    assert!(
        !expected.dead_letters.is_empty(),
        "wcp run dead-lettered nothing"
    );

    p.create_topics(3);
    p.start(&SERVICES);
    let mut sinks = Sinks::new(&p);
    p.produce_file(&input);
    let reached = sinks.wait_for(
        &expected,
        Duration::from_secs(180),
        Duration::from_secs(3),
        || {},
    );
    p.assert_all_running();
    let got = sinks.outcome();
    let diff = got.diff(&expected);
    eprintln!(
        "{TEST}: expected archive {} alerts {} anonymised {} dead letters {}; got {} {} {} {} \
         (counts reached: {reached})",
        expected.archive.len(),
        expected.alerts.len(),
        expected.anonymised.len(),
        expected.dead_letters.len(),
        got.archive.len(),
        got.alerts.len(),
        got.anonymised.len(),
        got.dead_letters.len(),
    );
    assert!(
        diff.is_empty(),
        "services differ from wcp run:\n{}",
        diff.join("\n")
    );
}
