//! `wcp tail chat.dlq --originals` writes a replay file in the original order (trial 15h D11:
//! dead letters spread over `chat.dlq`'s partitions came back out of `seq` order, and `wcp
//! produce --file` replayed them so). Against a real broker (`KAFKA_BOOTSTRAP`): dead letters
//! are written to `chat.dlq` in an order unlike their sources', the tail must undo it.
mod e2e;

use std::process::Command;

use e2e::kafka::RawProducer;
use e2e::procs::Pipeline;
use wcp_model::DeadLetter;

const TEST: &str = "cli_tail_replay_order";

fn letter(source: String, stage: &str, original: &str) -> Vec<u8> {
    wcp_schema::encode(&DeadLetter {
        original: original.as_bytes().to_vec(),
        source,
        stage: stage.into(),
        reason_code: "invalid_json".into(),
        reason: "test".into(),
    })
    .unwrap()
}

#[test]
fn replay_originals_come_out_in_seq_then_source_order() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    let p = Pipeline::new(&bootstrap, "tail-order");
    p.create_topics(3);
    let raw = p.topic("wecom.raw");
    let line = |seq: u64| format!(r#"{{"seq":{seq},"msgid":"m{seq}","broken":"#);
    // (chat.dlq partition, source, stage, original), in the order written: each chat.dlq
    // partition holds its letters against seq order, so no reading order gets it right.
    let letters = [
        (0, format!("{raw}/1/20"), "ingest", line(600006)),
        (0, format!("{raw}/0/11"), "ingest", line(600002)),
        (1, format!("{raw}/2/30"), "ingest", "not json b".to_string()),
        (1, format!("{raw}/0/12"), "ingest", line(600005)),
        (1, format!("{raw}/2/4"), "ingest", line(600001)),
        (2, format!("{raw}/0/3"), "ingest", "not json a".to_string()),
        (2, format!("{raw}/2/9"), "ingest", line(600004)),
        (2, format!("{raw}/1/2"), "ingest", line(600003)),
        (
            2,
            p.topic("chat.events/0/1"),
            "classifier",
            "avro".to_string(),
        ),
    ];
    let producer = RawProducer::new(&bootstrap);
    for (partition, source, stage, original) in &letters {
        let value = letter(source.clone(), stage, original);
        producer.send(&p.topic("chat.dlq"), *partition, b"k", &value);
    }
    producer.flush();

    let out = Command::new(e2e::wcp_bin())
        .args([
            "tail",
            "chat.dlq",
            "--bootstrap",
            &bootstrap,
            "--prefix",
            &p.prefix,
        ])
        .args(["--from-beginning", "--originals", "--stage", "ingest"])
        .args(["--exit-when-idle", "3"])
        .output()
        .expect("run wcp tail");
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{err}");
    let got: Vec<String> = String::from_utf8_lossy(&out.stdout)
        .lines()
        .map(str::to_string)
        .collect();
    let mut want: Vec<String> = (600001..=600006).map(line).collect();
    // Lines without a seq after them, by source partition and offset.
    want.push("not json a".into());
    want.push("not json b".into());
    assert_eq!(got, want, "{err}");
}
