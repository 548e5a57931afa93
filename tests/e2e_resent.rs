//! A re-sent msgid across an ingest restart (issue #14): the ingest service seeds its window
//! of recently ingested msgids from the tail of `chat.events` at start, so a copy re-sent
//! after the restart gives no second event — only the `seq` gap its later seq reveals, and
//! `wcp_duplicate_messages_total`. Without the seeding the new process would publish it again.
mod e2e;

use std::time::Duration;

use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};
use wcp_model::{Alert, ChatEvent};

const TEST: &str = "e2e_resent";

fn line(msgid: &str, seq: u64) -> String {
    format!(
        r#"{{"seq":{seq},"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["lisi"],"roomid":"","msgtime":1732700000000,"msgtype":"text","text":{{"content":"resent test {msgid}"}}}}"#
    )
}

fn produce(p: &Pipeline, name: &str, lines: &[String]) {
    let file = p.dir.path().join(name);
    std::fs::write(&file, lines.join("\n") + "\n").expect("write input");
    p.produce_file(&file);
}

fn msgids(r: &TopicReader) -> Vec<String> {
    r.records
        .iter()
        .map(|rec| {
            wcp_schema::decode::<ChatEvent>(&rec.value)
                .expect("chat.events decodes")
                .msgid
        })
        .collect()
}

#[test]
fn a_copy_resent_after_an_ingest_restart_is_not_published_again() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["ingest"]);
    let mut p = Pipeline::new(&bootstrap, "resent");
    p.create_topics(3);
    p.start(&["ingest"]);
    let mut events = TopicReader::new(&bootstrap, &p.topic("chat.events"));
    let mut alerts = TopicReader::new(&bootstrap, &p.topic("chat.alerts"));

    produce(&p, "first.jsonl", &[line("rs-1", 1), line("rs-2", 2)]);
    assert!(
        events.drain(2, Duration::from_secs(60)),
        "first copies not ingested"
    );
    assert_eq!(msgids(&events), ["rs-1", "rs-2"]);

    // A clean stop and a new process: its window only knows what it reads back.
    assert!(p.service("ingest").terminate(Duration::from_secs(30)));
    p.service("ingest").restart();
    p.service("ingest").wait_ready(Duration::from_secs(90));

    // rs-2 again with its own seq, rs-1 again with a later seq (3–4 never came), then a new
    // message that marks the end. (The seq tracker starts empty after a restart: the first
    // seq it sees sets it, so rs-2 first keeps the expected gap exact.)
    produce(
        &p,
        "again.jsonl",
        &[line("rs-2", 2), line("rs-1", 5), line("rs-3", 6)],
    );
    assert!(
        events.drain(3, Duration::from_secs(60)),
        "the new message was not ingested"
    );
    // One conversation, one partition: a second copy would have come before rs-3; read on a
    // little anyway.
    events.poll_for(Duration::from_secs(2));
    assert_eq!(msgids(&events), ["rs-1", "rs-2", "rs-3"], "no second copy");

    alerts.drain(1, Duration::from_secs(30));
    let ids: Vec<String> = alerts
        .records
        .iter()
        .map(|r| {
            wcp_schema::decode::<Alert>(&r.value)
                .expect("alert")
                .alert_id
        })
        .collect();
    assert_eq!(ids, ["seq_gap:3-4"], "the re-sent copy's gap is still news");
    // The RUNBOOK's WcpWeComSeqGap step reads the range from the ingest's log: one line per
    // gap with the range, the count and the alert id, and no msgid or conversation.
    let log = p.service("ingest").log_text();
    let gap_lines: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("WeCom seq gap"))
        .collect();
    assert_eq!(gap_lines.len(), 1, "{log}");
    let field = |name: &str, value: &str| {
        gap_lines[0].contains(&format!(" {name}={value}"))
            || gap_lines[0].contains(&format!("\"{name}\":{value}"))
    };
    for (name, value) in [("first_seq", "3"), ("last_seq", "4"), ("missing", "2")] {
        assert!(field(name, value), "{name}={value} in {}", gap_lines[0]);
    }
    assert!(gap_lines[0].contains("seq_gap:3-4"), "{}", gap_lines[0]);
    assert!(!log.contains("rs-"), "a msgid in the ingest log: {log}");

    let addr = p.service("ingest").ops_addr.clone();
    let metrics = e2e::ops::get(&addr, "/metrics").expect("metrics").body;
    assert_eq!(
        e2e::ops::metric_sum(&metrics, "wcp_duplicate_messages_total"),
        Some(2.0),
        "both re-sent copies counted"
    );
    p.assert_all_running();
}
