//! The shared WeCom samples (recalls, consent, switch, unknown types) through the archive:
//! stored, reconciled, exported as schema-valid RSMF. Skips when ../shared/data is absent.
mod common;

use wcp_archive::Query;
use wcp_model::{parse_wecom, EnrichedEvent, EventKind};

fn samples() -> Option<Vec<EnrichedEvent>> {
    let path = concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../../../shared/data/wecom/samples.jsonl"
    );
    let Ok(bytes) = std::fs::read(path) else {
        eprintln!("skipping: {path} not present");
        return None;
    };
    Some(
        bytes
            .split(|b| *b == b'\n')
            .filter_map(|l| parse_wecom(l, None).ok())
            .map(EnrichedEvent::new)
            .collect(),
    )
}

#[test]
fn samples_archive_verify_and_export() {
    let Some(events) = samples() else { return };
    let dir = tempfile::tempdir().unwrap();
    let mut a = common::open(&dir.path().join("a.db"));
    // Reversed: recalls now arrive before their originals.
    let reversed: Vec<_> = events.iter().rev().cloned().collect();
    let r = a.insert_batch(&reversed, &[]).unwrap();
    assert_eq!(r.inserted as usize, events.len());
    let recalls: Vec<&str> = events
        .iter()
        .filter_map(|e| match &e.event.kind {
            EventKind::Recall { pre_msgid } => Some(pre_msgid.as_str()),
            _ => None,
        })
        .collect();
    assert!(!recalls.is_empty());
    for target in &recalls {
        if let Some(m) = a.message(target) {
            assert!(m.is_recalled(), "{target}");
        }
    }
    assert_eq!(
        r.recalls_applied + a.pending_recalls().unwrap(),
        recalls.len() as u64
    );
    assert!(a.verify().unwrap().ok);

    let validator = common::rsmf::schema();
    let report = a
        .export_rsmf(&Query::default(), "t", &dir.path().join("out"), 480)
        .unwrap();
    assert_eq!(report.counts.records as usize, events.len());
    for f in &report.files {
        let s = common::rsmf::manifest_text(&std::fs::read(f).unwrap());
        let manifest: serde_json::Value = serde_json::from_str(&s).unwrap();
        let errors: Vec<String> = validator
            .iter_errors(&manifest)
            .map(|e| e.to_string())
            .collect();
        assert!(errors.is_empty(), "{f:?}: {errors:?}");
    }
}
