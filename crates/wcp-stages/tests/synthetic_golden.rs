//! Speed work on the detectors must not change a byte of what the stages write: every
//! record the chain makes of the pipeline bench's load (`wcp produce --synthetic`, the same
//! generator) — the classifier's `chat.classified` record, the `chat.tagged` event, the
//! anonymiser's `chat.anonymised` record, the archive's reduced form and the alerts — Avro
//! encoded and digested, against the digest the code before the speed-up wrote (issue 16).
//! A change that is meant to change outputs updates the digests in the same commit, saying why.

use sha2::{Digest, Sha256};
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::classify::Classifier;
use wcp_stages::ingest::{IngestResult, IngestStep};
use wcp_stages::pipeline::{Outcome, Pipeline};
use wcp_stages::Policy;

#[path = "../../../src/cmd/synthetic.rs"]
#[allow(dead_code)]
mod synthetic;

/// benches/pipeline.sh's tenant key.
const BENCH_KEY: &[u8] = b"be4c4e7e4a4e7c0123456789abcdef00";

fn hex8(d: Sha256) -> String {
    d.finalize()[..8]
        .iter()
        .map(|b| format!("{b:02x}"))
        .collect()
}

/// (classifier outputs, everything the chain wrote) digests over `n` events of `seed`.
fn digests(seed: u64, n: u64) -> (String, String) {
    let key = wcp_stages::key::TenantKey::parse(BENCH_KEY, "bench").unwrap();
    let policy = Policy::builtin();
    let mut ingest = IngestStep::new(policy.input.clone());
    let classifier = Classifier::new(&policy.classifier, None, None).unwrap();
    let service_classifier = Classifier::new(&policy.classifier, None, None).unwrap();
    let anonymiser = Anonymiser::new(key.as_bytes(), policy.anonymise.clone());
    let mut pipeline = Pipeline::new(policy, classifier, anonymiser);
    let mut synth = synthetic::Synth::new(seed, 1);
    let (mut classified, mut all) = (Sha256::new(), Sha256::new());
    for i in 0..n {
        let (_, line) = synth.next_event();
        let capture_ms = 1_732_600_000_000 + i as i64 * 200;
        let ingested = ingest.process(line.as_bytes(), Some(i + 1), capture_ms);
        ingest.commit();
        if let IngestResult::Event(out) = ingested.result {
            let bytes = wcp_schema::encode(&out.event).unwrap();
            let ev = wcp_schema::decode(&bytes).unwrap();
            classified.update(wcp_schema::encode(&service_classifier.classify(ev)).unwrap());
        }
        match pipeline.process(line.as_bytes(), "synthetic", Some(i + 1), capture_ms) {
            Outcome::Processed(p) => {
                all.update(wcp_schema::encode(&p.enriched).unwrap());
                all.update(wcp_schema::encode(&p.for_archive).unwrap());
                all.update(wcp_schema::encode(&p.anonymised).unwrap());
                for a in &p.alerts {
                    all.update(wcp_schema::encode(a).unwrap());
                }
            }
            other => all.update(format!("{other:?}")),
        }
    }
    (hex8(classified), hex8(all))
}

#[test]
fn synthetic_load_gives_the_same_bytes() {
    assert_eq!(
        digests(11, 3000),
        (
            "ddab7812f529d205".to_string(),
            "e851a76d66238b20".to_string()
        )
    );
    assert_eq!(
        digests(12, 3000),
        (
            "ad187c6bad9ac626".to_string(),
            "2752167d3fbe4d06".to_string()
        )
    );
}
