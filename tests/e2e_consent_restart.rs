//! Consent state lives in the compacted `consent.ledger` topic, not only in the consent-gate's
//! memory: an `agree` that reaches the ledger while the gate is down is honoured after it
//! restarts (and one sent after the restart too), while a contact who never agreed stays
//! without consent.
mod e2e;

use std::time::Duration;

use e2e::kafka::{RawProducer, TopicReader};
use e2e::outcome::archived_body;
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "e2e_consent_restart";
const CHAIN: [&str; 5] = [
    "ingest",
    "classifier",
    "consent-gate",
    "retention-tagger",
    "archiver",
];

fn agree(contact: &str, t_ms: i64) -> Vec<u8> {
    format!(
        r#"{{"msgid":"agree-{contact}","action":"send","from":"{contact}","tolist":["zhangwei"],"roomid":"","msgtime":{t_ms},"msgtype":"agree","agree":{{"userid":"{contact}","agree_time":{t_ms}}}}}"#
    )
    .into_bytes()
}

fn text(msgid: &str, contact: &str, t_ms: i64) -> Vec<u8> {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{contact}","tolist":["zhangwei"],"roomid":"","msgtime":{t_ms},"msgtype":"text","text":{{"content":"consent check {msgid}"}}}}"#
    )
    .into_bytes()
}

/// Waits until the compacted ledger holds a record for `contact` (its key).
fn wait_in_ledger(ledger: &mut TopicReader, contact: &str) {
    e2e::wait_for(
        &format!("{contact} in consent.ledger"),
        Duration::from_secs(60),
        || {
            ledger.poll_for(Duration::from_millis(200));
            ledger
                .records
                .iter()
                .any(|r| r.key.as_deref() == Some(contact.as_bytes()))
                .then_some(())
        },
    );
}

/// Waits for `msgid` in the archive and returns (consent state, disposition, text).
fn archived(p: &mut Pipeline, msgid: &str) -> (String, String, String) {
    let dir = p.archive_dir();
    let body = e2e::wait_for(
        &format!("{msgid} archived"),
        Duration::from_secs(120),
        || {
            p.assert_all_running();
            archived_body(&dir, msgid)
        },
    );
    let field = |v: &serde_json::Value| v.as_str().unwrap_or_default().to_string();
    (
        field(&body["consent"]["state"]),
        field(&body["disposition"]),
        field(&body["text"]),
    )
}

#[test]
fn agree_reaching_the_ledger_around_a_restart_is_honoured() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&CHAIN);
    let mut p = Pipeline::new(&bootstrap, "consent");
    p.create_topics(2);
    p.start(&CHAIN);
    let token = e2e::random_token();
    let (before, after, never) = (
        format!("wmE2Ebefore{token}"),
        format!("wmE2Eafter{token}"),
        format!("wmE2Enever{token}"),
    );
    let raw = p.topic("wecom.raw");
    let prod = RawProducer::new(&bootstrap);
    let t = 1_732_600_000_000;

    // 1. The gate is down while `before` agrees.
    assert!(
        p.service("consent-gate").terminate(Duration::from_secs(30)),
        "consent-gate did not exit cleanly on SIGTERM"
    );
    prod.send(&raw, 0, before.as_bytes(), &agree(&before, t));
    prod.flush();
    let mut ledger = TopicReader::new(&bootstrap, &p.topic("consent.ledger"));
    wait_in_ledger(&mut ledger, &before);

    // 2. Restart the gate; `after` agrees once it runs again.
    p.service("consent-gate").restart();
    p.service("consent-gate")
        .wait_ready(Duration::from_secs(90));
    prod.send(&raw, 0, after.as_bytes(), &agree(&after, t + 1_000));
    prod.flush();

    // 3. Messages from all three, later than the agreements.
    let (m_before, m_after, m_never) = (
        format!("msg-before-{token}"),
        format!("msg-after-{token}"),
        format!("msg-never-{token}"),
    );
    prod.send(
        &raw,
        0,
        before.as_bytes(),
        &text(&m_before, &before, t + 60_000),
    );
    prod.send(
        &raw,
        0,
        never.as_bytes(),
        &text(&m_never, &never, t + 60_000),
    );
    prod.flush();
    // The `after` agree has to be in the ledger before its message reaches the gate;
    // the ledger is a separate topic, so wait for it rather than rely on timing.
    wait_in_ledger(&mut ledger, &after);
    prod.send(
        &raw,
        0,
        after.as_bytes(),
        &text(&m_after, &after, t + 60_000),
    );
    prod.flush();

    for (msgid, who) in [
        (&m_before, "agreed while the gate was down"),
        (&m_after, "agreed after the restart"),
    ] {
        let (state, disposition, body_text) = archived(&mut p, msgid);
        assert_eq!(state, "agreed", "{who}: consent state");
        assert_eq!(disposition, "archive", "{who}: archived in clear");
        assert_eq!(
            body_text,
            format!("consent check {msgid}"),
            "{who}: text kept as sent"
        );
    }
    let (state, _, _) = archived(&mut p, &m_never);
    assert_eq!(
        state, "unknown",
        "a contact who never agreed has no consent"
    );
}
