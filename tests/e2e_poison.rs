//! A poison message never stalls a partition: it lands in `chat.dlq` with its original bytes
//! and reason, the consumer's committed offset moves past it, and the next good message on the
//! same partition is processed. Checked at the first hop (invalid JSON into `wecom.raw`) and
//! at a later one (bytes that are not Avro in `chat.events`).
mod e2e;

use std::time::Duration;

use e2e::kafka::{RawProducer, Record, TopicReader};
use e2e::outcome::counts;
use e2e::procs::{require_binaries, Pipeline};
use rdkafka::config::ClientConfig;
use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::TopicPartitionList;
use wcp_model::{DeadLetter, EnrichedEvent};

const TEST: &str = "e2e_poison";

fn good(msgid: &str, t_ms: i64) -> Vec<u8> {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["lisi"],"roomid":"","msgtime":{t_ms},"msgtype":"text","text":{{"content":"poison test {msgid}"}}}}"#
    )
    .into_bytes()
}

/// The next offset the group `group` committed on partition 0 of `topic` (-1 when none).
fn committed(bootstrap: &str, group: &str, topic: &str) -> i64 {
    let c: BaseConsumer = ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .set("enable.auto.commit", "false")
        .create()
        .expect("offset reader");
    let mut tpl = TopicPartitionList::new();
    tpl.add_partition(topic, 0);
    let got = c
        .committed_offsets(tpl, Duration::from_secs(10))
        .expect("committed offsets");
    got.find_partition(topic, 0)
        .and_then(|e| e.offset().to_raw())
        .unwrap_or(-1)
}

fn classified_msgids(records: &[Record]) -> Vec<String> {
    records
        .iter()
        .map(|r| {
            wcp_schema::decode::<EnrichedEvent>(&r.value)
                .expect("chat.classified decodes")
                .event
                .msgid
        })
        .collect()
}

#[test]
fn poison_is_dead_lettered_and_skipped() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["ingest", "classifier"]);
    let mut p = Pipeline::new(&bootstrap, "poison");
    // One partition: the good messages sit behind the poison in the same partition.
    p.create_topics(1);
    p.start(&["ingest", "classifier"]);
    let (raw, events) = (p.topic("wecom.raw"), p.topic("chat.events"));
    let t = 1_732_600_000_000;
    let poison_json: &[u8] = b"{\"msgid\": \"p1\", \"action\": \"send\", \"from\":";
    let poison_avro: &[u8] = b"\xc3\x01 these bytes are not an Avro record";
    let prod = RawProducer::new(&bootstrap);
    prod.send(&raw, 0, b"k", &good("good-1", t));
    prod.send(&raw, 0, b"k", poison_json);
    prod.send(&raw, 0, b"k", &good("good-2", t + 1));
    prod.flush();
    // Garbage between two good records of chat.events (the classifier's input).
    let mut classified = TopicReader::new(&bootstrap, &p.topic("chat.classified"));
    assert!(
        classified.drain(2, Duration::from_secs(90)),
        "good-1 and good-2 were not classified (ingest stalled on the poison?)"
    );
    prod.send(&events, 0, b"k", poison_avro);
    prod.flush();
    prod.send(&raw, 0, b"k", &good("good-3", t + 2));
    prod.flush();
    assert!(
        classified.drain(3, Duration::from_secs(90)),
        "good-3 was not classified (classifier stalled on the poison?)"
    );
    let msgids = counts(&classified_msgids(&classified.records));
    for m in ["good-1", "good-2", "good-3"] {
        assert_eq!(
            msgids.get(m),
            Some(&1),
            "{m} classified exactly once: {msgids:?}"
        );
    }

    let mut dlq = TopicReader::new(&bootstrap, &p.topic("chat.dlq"));
    assert!(
        dlq.drain(2, Duration::from_secs(60)),
        "two dead letters expected"
    );
    let letters: Vec<(String, Vec<u8>)> = dlq
        .records
        .iter()
        .map(|r| {
            let d = wcp_schema::decode::<DeadLetter>(&r.value).expect("dead letter decodes");
            (d.reason_code, d.original)
        })
        .collect();
    assert_eq!(
        letters.len(),
        2,
        "exactly the two poison records: {letters:?}"
    );
    assert!(
        letters.contains(&("invalid_json".to_string(), poison_json.to_vec())),
        "invalid JSON dead-lettered with its original bytes: {letters:?}"
    );
    assert!(
        letters.contains(&("schema_decode".to_string(), poison_avro.to_vec())),
        "non-Avro record dead-lettered with its original bytes: {letters:?}"
    );

    // The offsets committed with the transactions are past the poison records.
    let ingest_at = committed(&bootstrap, &format!("{}wcp-ingest", p.prefix), &raw);
    assert!(
        ingest_at >= 4,
        "ingest committed offset {ingest_at}, expected past all 4 records"
    );
    let mut events_reader = TopicReader::new(&bootstrap, &events);
    assert!(
        events_reader.drain(4, Duration::from_secs(30)),
        "chat.events readable"
    );
    let poison_at = events_reader
        .records
        .iter()
        .find(|r| r.value == poison_avro)
        .expect("the poison record is in chat.events")
        .offset;
    let classifier_at = committed(&bootstrap, &format!("{}wcp-classifier", p.prefix), &events);
    assert!(
        classifier_at > poison_at,
        "classifier committed offset {classifier_at} is not past the poison at {poison_at}"
    );
    p.assert_all_running();
}
