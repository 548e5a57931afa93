use super::*;

fn tagged(msgid: &str, text: &str) -> EnrichedEvent {
    let raw = format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["lina"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{{"content":"{text}"}}}}"#
    );
    let ev = wcp_stages::ingest::ingest(raw.as_bytes(), None)
        .unwrap()
        .event;
    // Built once: the builtin classifier takes a while in a debug build.
    static STAGES: std::sync::OnceLock<(wcp_stages::Policy, wcp_stages::classify::Classifier)> =
        std::sync::OnceLock::new();
    let (policy, classifier) = STAGES.get_or_init(|| {
        (
            wcp_stages::Policy::builtin(),
            wcp_stages::classify::Classifier::builtin(),
        )
    });
    let ev = classifier.classify(ev);
    let ev = wcp_stages::consent::gate(ev, &Default::default(), &policy.consent);
    wcp_stages::retention::tag(ev, &policy.retention)
}

fn batch(events: Vec<EnrichedEvent>, next: i64) -> Batch {
    let mut by_region: BTreeMap<String, Vec<EnrichedEvent>> = BTreeMap::new();
    for e in events {
        let r = e.retention.as_ref().unwrap().region.clone();
        by_region.entry(r).or_default().push(e);
    }
    Batch {
        by_region,
        offsets: vec![SourceOffset {
            topic: "chat.tagged".into(),
            partition: 0,
            next_offset: next,
        }],
        origin_ts_ms: vec![],
    }
}

#[test]
fn resumes_from_stored_offsets_and_dedups() {
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let mut w = Writer::open(dir.path(), None, None, m.clone()).unwrap();
    w.write(&batch(
        vec![tagged("m1", "hello"), tagged("m2", "report")],
        2,
    ))
    .unwrap();
    drop(w);
    let mut w = Writer::open(dir.path(), None, None, m.clone()).unwrap();
    let pos = w.durable.lock().unwrap().clone();
    assert_eq!(pos.get(&("chat.tagged".to_string(), 0)), Some(&2));
    // A replay of m2 (e.g. after a crash between SQLite and Kafka) is not archived twice.
    w.write(&batch(vec![tagged("m2", "report"), tagged("m3", "x")], 3))
        .unwrap();
    let total: u64 = w
        .archives
        .values()
        .map(|a| a.count_messages().unwrap())
        .sum();
    assert_eq!(total, 3);
}

#[test]
fn sizes_of_database_and_wal_are_exported_per_region() {
    let dir = tempfile::tempdir().unwrap();
    let m = Metrics::new();
    let mut w = Writer::open(dir.path(), None, None, m.clone()).unwrap();
    w.write(&batch(vec![tagged("m1", "hello")], 1)).unwrap();
    w.observe_sizes();
    let region = w.archives.keys().next().unwrap().clone();
    let db = m.archive_size.with_label_values(&[&region]).get();
    let wal = m.archive_wal.with_label_values(&[&region]).get();
    // The commit went to the WAL (checkpoints come later, off the write path).
    assert!(db > 0 && wal > 0, "db {db} wal {wal}");
    let text = m.render();
    assert!(text.contains(&format!(
        "wcp_archive_wal_bytes{{region=\"{region}\"}} {wal}"
    )));
}

/// With the DPO's public key, a quarantined message's content is kept sealed to it (and
/// only the DPO key opens it); without one it is not kept.
#[test]
fn quarantined_content_is_sealed_to_the_dpo_key() {
    let raw = r#"{"msgid":"q1","action":"send","from":"wmQuarantine1","tolist":["zhangwei"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{"content":"before consent"}}"#;
    let ev = wcp_stages::ingest::ingest(raw.as_bytes(), None)
        .unwrap()
        .event;
    let policy = wcp_stages::Policy::builtin();
    let ev = wcp_stages::classify::Classifier::builtin().classify(ev);
    let ev = wcp_stages::consent::gate(ev, &Default::default(), &policy.consent);
    let ev = wcp_stages::retention::tag(ev, &policy.retention);
    let dpo = wcp_archive::seal::DpoKey::generate();
    for (name, key) in [("sealed", Some(dpo.public())), ("none", None)] {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::open(dir.path(), None, key, Metrics::new()).unwrap();
        w.write(&batch(vec![ev.clone()], 1)).unwrap();
        let a = w.archives.values().next().unwrap();
        let q = a.quarantined().unwrap();
        assert_eq!(q.len(), 1, "{name}");
        assert_eq!(q[0].sealed, name == "sealed", "{name}");
    }
}

/// A full disk and a volume gone read-only, mid-batch: SQLite's `max_page_count` pinned to
/// the file's size makes an insert inside the batch's transaction fail with SQLITE_FULL,
/// and `query_only` fails every write with SQLITE_READONLY as a read-only file does (a real
/// read-only mount needs root; tests/e2e_faults.rs fills a real file-size limit). Each
/// failure is transient, nothing of the batch is stored, the resume position stays put, and
/// once space returns the same batch is archived whole and once.
#[test]
fn a_full_or_read_only_archive_stores_nothing_of_the_batch_until_it_recovers() {
    type Fault = (&'static str, &'static str, &'static str);
    let faults: [Fault; 2] = [
        ("max_page_count", "1", "1073741823"),
        ("query_only", "ON", "OFF"),
    ];
    for (pragma, on, off) in faults {
        let dir = tempfile::tempdir().unwrap();
        let mut w = Writer::open(dir.path(), None, None, Metrics::new()).unwrap();
        w.write(&batch(vec![tagged("m1", "hello")], 1)).unwrap();
        let set = |w: &Writer, v: &str| {
            for a in w.archives.values() {
                a.connection().pragma_update(None, pragma, v).unwrap();
            }
        };
        set(&w, on);
        // Long texts: the batch needs pages the file does not have.
        let long = "x".repeat(3000);
        let events: Vec<EnrichedEvent> = (2..12).map(|i| tagged(&format!("m{i}"), &long)).collect();
        let b = batch(events, 12);
        for _ in 0..3 {
            let e = w.write(&b).unwrap_err();
            assert!(e.is_transient(), "{pragma}: {e}");
            // Said with the region's file and the fix (trial 17a D16: "sqlite: database
            // or disk is full" named neither).
            let said = crate::storage::write_failed(w.failing_at(), &e);
            let region = w.archives.keys().next().unwrap();
            let file = dir.path().join(format!("archive-{region}.db"));
            assert!(
                said.starts_with(&format!(
                    "region {region}'s archive {}: sqlite: ",
                    file.display()
                )),
                "{pragma}: {said}"
            );
            let fix = if pragma == "query_only" {
                "read-only or not writable"
            } else {
                "the archive volume is full"
            };
            assert!(said.contains(fix), "{pragma}: {said}");
        }
        let pos = w.durable.lock().unwrap().clone();
        assert_eq!(
            pos.get(&("chat.tagged".to_string(), 0)),
            Some(&1),
            "{pragma}"
        );
        let a = w.archives.values().next().unwrap();
        assert_eq!(a.count_messages().unwrap(), 1, "{pragma}");
        assert_eq!(a.stored_offsets().unwrap()[0].next_offset, 1, "{pragma}");

        set(&w, off);
        w.write(&b).unwrap();
        w.write(&b).unwrap(); // a redelivery after the recovery is not archived twice
        let pos = w.durable.lock().unwrap().clone();
        assert_eq!(
            pos.get(&("chat.tagged".to_string(), 0)),
            Some(&12),
            "{pragma}"
        );
        let a = w.archives.values().next().unwrap();
        assert_eq!(a.count_messages().unwrap(), 11, "{pragma}");
        let path = a.path().to_path_buf();
        drop(w);
        let r = wcp_archive::Archive::open_read_only(&path, None).unwrap();
        assert!(
            r.verify().unwrap().ok,
            "{pragma}: the chain holds after the failures"
        );
    }
}
