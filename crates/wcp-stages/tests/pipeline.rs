//! The chained stages on hand-made events: classification reaches the record, consent
//! decides the disposition, anonymisation leaves no raw value behind.

use wcp_model::{ConsentState, Disposition};
use wcp_pii::anonymise::AnonPolicy;
use wcp_stages::anonymise::Anonymiser;
use wcp_stages::classify::Classifier;
use wcp_stages::pipeline::{Outcome, Pipeline};
use wcp_stages::Policy;

fn line(msgid: &str, from: &str, to: &str, t: i64, body: &str) -> Vec<u8> {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{body}"}}}}"#
    )
    .into_bytes()
}

fn consent(msgid: &str, contact: &str, agreed: bool, t: i64) -> Vec<u8> {
    let kind = if agreed { "agree" } else { "disagree" };
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{contact}","tolist":["staff1"],"roomid":"","msgtime":{t},"msgtype":"{kind}","{kind}":{{"userid":"{contact}","{kind}_time":{t}}}}}"#
    )
    .into_bytes()
}

/// When the test records were "captured": after every event time used here.
const NOW: i64 = 1_800_000_000_000;

fn pipeline(key: &[u8]) -> Pipeline {
    Pipeline::new(
        Policy::builtin(),
        Classifier::builtin(),
        Anonymiser::new(key, AnonPolicy::default()),
    )
}

fn processed(p: &mut Pipeline, raw: &[u8]) -> Box<wcp_stages::pipeline::Processed> {
    match p.process(raw, "test:1", None, NOW) {
        Outcome::Processed(p) => p,
        Outcome::DeadLetter { letter, .. } => panic!("unexpected dead letter {letter:?}"),
        Outcome::Resent { msgid, .. } => panic!("unexpected re-sent copy of {msgid}"),
    }
}

const T: i64 = 1_732_600_000_000;

#[test]
fn agreed_contact_is_archived_in_clear_with_detections() {
    let mut p = pipeline(b"tenant-a");
    processed(&mut p, &consent("c1", "wmAlice", true, T));
    let out = processed(
        &mut p,
        &line(
            "m1",
            "wmAlice",
            "staff1",
            T + 1000,
            "我的手机13912345678，这个产品能保本吗",
        ),
    );
    let c = out.enriched.classification.as_ref().unwrap();
    assert!(c.pii.iter().any(|s| s.entity == "PHONE_NUMBER"));
    assert!(c
        .risks
        .iter()
        .any(|r| r.category.as_str() == "guarantee_of_returns"));
    assert_eq!(
        out.enriched.consent.as_ref().unwrap().state,
        ConsentState::Agreed
    );
    assert_eq!(out.for_archive.disposition(), Disposition::Archive);
    assert!(out.for_archive.event.text.contains("13912345678"));
    assert!(out
        .alerts
        .iter()
        .any(|a| a.category == "guarantee_of_returns"));
    // The outbound record never carries the raw number or the contact id.
    let anon = serde_json::to_string(&out.anonymised).unwrap();
    assert!(
        !anon.contains("13912345678") && !anon.contains("wmAlice"),
        "{anon}"
    );
}

#[test]
fn refused_contact_is_archived_without_raw_values_or_bytes() {
    let mut p = pipeline(b"tenant-a");
    processed(&mut p, &consent("c1", "wmBob", false, T));
    let out = processed(
        &mut p,
        &line(
            "m2",
            "wmBob",
            "staff1",
            T + 1000,
            "mail bob.lee@example.com, we guarantee 10% returns, no risk",
        ),
    );
    assert_eq!(
        out.for_archive.disposition(),
        Disposition::ArchiveAnonymised
    );
    // Trial 18 D6: the archived spans are the anonymised text's, so the console marks (and
    // masks for reviewers) the whole pseudonym, and a risk span after it the right words.
    let text = &out.for_archive.event.text;
    let c = out.for_archive.classification.as_ref().unwrap();
    let slice = |s: u32, e: u32| -> String {
        text.chars()
            .skip(s as usize)
            .take((e - s) as usize)
            .collect()
    };
    let email = c.pii.iter().find(|p| p.entity == "EMAIL_ADDRESS").unwrap();
    let marked = slice(email.start, email.end);
    assert!(
        marked.starts_with("EMAIL_ADDRESS_") && marked.len() == "EMAIL_ADDRESS_".len() + 16,
        "the PII span covers the whole pseudonym: {marked:?} in {text:?}"
    );
    let risk = c.risks.first().expect("a risk hit");
    let words = slice(risk.start, risk.end);
    assert!(
        words.contains("guarantee"),
        "risk span on {words:?} in {text:?}"
    );
    let stored = serde_json::to_string(&out.for_archive).unwrap();
    assert!(!stored.contains("bob.lee@example.com"), "{stored}");
    assert!(
        !stored.contains("wmBob"),
        "contact id pseudonymised: {stored}"
    );
    assert!(out.for_archive.event.raw.is_empty());
    assert!(out.alerts.iter().any(|a| a.category == "consent_violation"));
}

#[test]
fn unknown_consent_is_quarantined_and_nothing_leaves() {
    let mut p = pipeline(b"tenant-a");
    let out = processed(
        &mut p,
        &line("m3", "wmCarol", "staff1", T, "call me on 13912345678"),
    );
    assert_eq!(out.enriched.disposition(), Disposition::Quarantine);
    assert!(out.anonymised.text.is_empty());
}

#[test]
fn pseudonyms_are_stable_per_tenant_and_differ_across_tenants() {
    let raw = line("m4", "staff1", "staff2", T, "hello");
    let a1 = processed(&mut pipeline(b"tenant-a"), &raw).anonymised;
    let a2 = processed(&mut pipeline(b"tenant-a"), &raw).anonymised;
    let b = processed(&mut pipeline(b"tenant-b"), &raw).anonymised;
    assert_eq!(a1.from, a2.from);
    assert_ne!(a1.from, b.from);
    assert_ne!(a1.from, "staff1");
}

#[test]
fn recall_of_a_flagged_message_alerts_in_either_order() {
    let recall = |id: &str, pre: &str| {
        format!(r#"{{"msgid":"{id}","action":"recall","from":"staff1","tolist":["staff2"],"roomid":"","msgtime":{T},"msgtype":"revoke","revoke":{{"pre_msgid":"{pre}"}}}}"#).into_bytes()
    };
    let flagged = line("orig", "staff1", "staff2", T, "放心，这个肯定稳赚，保底8%");
    for order in [
        [flagged.clone(), recall("r1", "orig")],
        [recall("r1", "orig"), flagged.clone()],
    ] {
        let mut p = pipeline(b"k");
        let mut alerts = Vec::new();
        for raw in &order {
            alerts.extend(processed(&mut p, raw).alerts);
        }
        let recalls: Vec<_> = alerts
            .iter()
            .filter(|a| a.category == "recall_of_flagged")
            .collect();
        assert_eq!(recalls.len(), 1, "exactly one recall alert");
        assert_eq!(recalls[0].msgid, "orig");
    }
}

#[test]
fn dead_letters_keep_bytes_and_reason() {
    let mut p = pipeline(b"k");
    match p.process(b"[]", "f.jsonl:9", None, NOW) {
        Outcome::DeadLetter { letter: d, .. } => {
            assert_eq!(d.original, b"[]");
            assert_eq!(d.source, "f.jsonl:9");
            assert_eq!(d.reason_code, "not_an_object");
        }
        _ => panic!("[] must be rejected"),
    }
}

#[test]
fn seq_gaps_raise_an_alert() {
    let mut p = pipeline(b"k");
    let a = |p: &mut Pipeline, id: &str, seq| match p.process(
        &line(id, "s1", "s2", T, "hi"),
        "x",
        Some(seq),
        NOW,
    ) {
        Outcome::Processed(o) => o.alerts,
        _ => unreachable!(),
    };
    assert!(a(&mut p, "a", 1).is_empty());
    let alerts = a(&mut p, "b", 5);
    assert!(alerts
        .iter()
        .any(|x| x.category == "seq_gap" && x.alert_id == "seq_gap:2-4"));
}

#[test]
fn a_poison_record_that_reveals_a_gap_still_alerts() {
    let mut p = pipeline(b"k");
    assert!(matches!(
        p.process(&line("a", "s1", "s2", T, "hi"), "x:1", Some(1), NOW),
        Outcome::Processed(_)
    ));
    match p.process(b"{broken", "x:2", Some(4), NOW) {
        Outcome::DeadLetter { letter, alerts } => {
            assert_eq!(letter.reason_code, "invalid_json");
            let ids: Vec<&str> = alerts.iter().map(|a| a.alert_id.as_str()).collect();
            assert_eq!(ids, ["seq_gap:2-3"]);
        }
        _ => panic!("broken JSON must be rejected"),
    }
}

/// A re-sent msgid (issue #14): the same decision as the ingest service, made by the ingest
/// step: no second alert or anonymised record, but the gap its later seq reveals.
#[test]
fn a_resent_message_gives_only_its_gap_alert() {
    let mut p = pipeline(b"k");
    let risky = line("r1", "s1", "s2", T, "我的手机13912345678，这个产品能保本吗");
    let first = match p.process(&risky, "x:1", Some(1), NOW) {
        Outcome::Processed(o) => o,
        other => panic!("first copy: {other:?}"),
    };
    assert!(!first.alerts.is_empty(), "the first copy alerts");
    match p.process(&risky, "x:2", Some(1), NOW) {
        Outcome::Resent { msgid, alerts } => assert_eq!((msgid.as_str(), alerts.len()), ("r1", 0)),
        other => panic!("same seq: {other:?}"),
    }
    match p.process(&risky, "x:3", Some(5), NOW) {
        Outcome::Resent { alerts, .. } => {
            let ids: Vec<&str> = alerts.iter().map(|a| a.alert_id.as_str()).collect();
            assert_eq!(ids, ["seq_gap:2-4"]);
        }
        other => panic!("later seq: {other:?}"),
    }
    p.remember_msgid("from-an-earlier-run");
    let earlier = line("from-an-earlier-run", "s1", "s2", T, "hi");
    assert!(matches!(
        p.process(&earlier, "x:4", None, NOW),
        Outcome::Resent { .. }
    ));
}

fn recall(msgid: &str, from: &str, to: &str, t: i64, target: &str) -> Vec<u8> {
    format!(
        r#"{{"msgid":"{msgid}","action":"recall","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"revoke","revoke":{{"pre_msgid":"{target}"}}}}"#
    )
    .into_bytes()
}

/// Issue #13 item 4: the refusal itself, a recall and the alerts of a non-consenting
/// contact's conversation name them by the pseudonym their archived messages carry, with no
/// raw id, raw bytes, or rule id spelling the phrase that was not stored in clear.
#[test]
fn side_records_of_a_refusing_contact_carry_the_same_pseudonyms() {
    let mut p = pipeline(b"tenant-a");
    let refusal = processed(&mut p, &consent("c1", "wmDan", false, T));
    let msg = processed(
        &mut p,
        &line("m1", "staff1", "wmDan", T + 1_000, "这个产品保本，内幕消息"),
    );
    let rec = processed(&mut p, &recall("r1", "staff1", "wmDan", T + 2_000, "m1"));
    let pseudonym = msg.anonymised.to[0].clone();
    let conversation = msg.for_archive.event.conversation_id.clone();
    assert!(conversation.contains(&pseudonym), "{conversation}");
    for (what, stored) in [
        ("refusal", &refusal.for_archive),
        ("message", &msg.for_archive),
        ("recall", &rec.for_archive),
    ] {
        let json = serde_json::to_string(stored).unwrap();
        assert!(!json.contains("wmDan"), "{what} keeps the raw id: {json}");
        assert!(
            json.contains(&pseudonym),
            "{what} lacks the pseudonym: {json}"
        );
        assert!(stored.event.raw.is_empty(), "{what} keeps raw bytes");
    }
    assert_eq!(rec.for_archive.event.conversation_id, conversation);
    let alerts: Vec<_> = msg.alerts.iter().chain(rec.alerts.iter()).collect();
    assert!(alerts.iter().any(|a| a.category == "recall_of_flagged"));
    for a in &alerts {
        assert_eq!(a.conversation_id, conversation, "{a:?}");
        assert!(
            !a.rule_id.contains("保本") && !a.rule_id.contains("内幕"),
            "{a:?}"
        );
        assert!(a.evidence.iter().all(|e| e.text.is_empty()));
    }
    // The same contact after agreeing: everything in clear again.
    processed(&mut p, &consent("c2", "wmDan", true, T + 10_000));
    let later = processed(
        &mut p,
        &line("m2", "staff1", "wmDan", T + 11_000, "这个产品保本"),
    );
    assert!(later.alerts.iter().any(|a| a.rule_id.contains("保本")));
    assert!(serde_json::to_string(&later.for_archive)
        .unwrap()
        .contains("wmDan"));
}

/// Quarantined content counts as a consent violation like refused content.
#[test]
fn unknown_consent_raises_a_consent_violation_too() {
    let mut p = pipeline(b"tenant-a");
    let out = processed(&mut p, &line("m9", "wmEve", "staff1", T, "hello"));
    assert_eq!(out.enriched.disposition(), Disposition::Quarantine);
    let v: Vec<_> = out
        .alerts
        .iter()
        .filter(|a| a.category == "consent_violation")
        .collect();
    assert_eq!(v.len(), 1);
    assert_eq!(v[0].rule_id, "consent.unknown_contact");
}

/// #13 item 4, quarantine: the archived form and the alert name the silent contact by the
/// pseudonym `chat.anonymised` uses; the clear ids ride only beside the content the archive
/// seals (or drops), and the classification keeps no phrase or feature of the content.
#[test]
fn a_quarantined_contact_is_named_by_pseudonym_outside_the_sealed_content() {
    let mut p = pipeline(b"tenant-a");
    let out = processed(
        &mut p,
        &line("m9", "wmEve", "staff1", T, "这个产品保本，内幕消息"),
    );
    let stored = &out.for_archive;
    assert_eq!(stored.disposition(), Disposition::Quarantine);
    let pseudonym = out.anonymised.from.clone();
    let ids = stored
        .sealed_ids
        .as_ref()
        .expect("clear ids for the sealed box");
    assert_eq!(ids.from.id, "wmEve");
    assert_eq!(ids.contacts, ["wmEve"]);
    let mut outside = stored.clone();
    outside.sealed_ids = None;
    // What the archive keeps outside the sealed box (the content fields are sealed).
    outside.event.text.clear();
    outside.event.payload_json.clear();
    outside.event.raw.clear();
    let json = serde_json::to_string(&outside).unwrap();
    assert!(!json.contains("wmEve"), "{json}");
    assert!(json.contains(&pseudonym), "{json}");
    assert!(!json.contains("保本") && !json.contains("内幕"), "{json}");
    assert!(!out.alerts.is_empty());
    for a in &out.alerts {
        assert_eq!(a.conversation_id, stored.event.conversation_id, "{a:?}");
        assert!(!a.conversation_id.contains("wmEve"), "{a:?}");
        assert!(
            !a.rule_id.contains("保本") && !a.rule_id.contains("内幕"),
            "{a:?}"
        );
    }
}

/// Issue 15 D9: every alert of a message names the region whose archive holds it (the
/// retention tag the archiver files it by), so the review console files it there without
/// waiting for the archive: the risk alert, the consent violation, and the recall of a
/// flagged message in either order (the original's region); a seq gap, about no one message,
/// names none.
#[test]
fn alerts_name_the_region_of_their_message() {
    let flagged = line("orig", "lina", "wmFay", T, "放心，这个肯定稳赚，保底8%");
    for order in [
        [flagged.clone(), recall("r1", "lina", "wmFay", T, "orig")],
        [recall("r1", "lina", "wmFay", T, "orig"), flagged.clone()],
    ] {
        let mut p = pipeline(b"k");
        let mut alerts = Vec::new();
        for raw in &order {
            let out = processed(&mut p, raw);
            if out.for_archive.event.msgid == "orig" {
                let tag = out.for_archive.retention.as_ref().expect("tagged");
                assert_eq!(tag.region, "hk", "lina's desk is archived in hk");
            }
            alerts.extend(out.alerts);
        }
        for category in [
            "guarantee_of_returns",
            "consent_violation",
            "recall_of_flagged",
        ] {
            let a = alerts
                .iter()
                .find(|a| a.category == category)
                .unwrap_or_else(|| panic!("a {category} alert in {alerts:?}"));
            assert_eq!(a.region.as_deref(), Some("hk"), "{a:?}");
        }
    }
    // A desk-less sender: the policy's default region.
    let mut p = pipeline(b"k");
    let out = processed(&mut p, &line("m", "staff1", "staff2", T, "这个产品保本"));
    assert!(!out.alerts.is_empty());
    assert!(out.alerts.iter().all(|a| a.region.as_deref() == Some("cn")));
    let gap = match p.process(&line("g", "s1", "s2", T, "hi"), "x", Some(1), NOW) {
        Outcome::Processed(_) => {
            match p.process(&line("h", "s1", "s2", T, "hi"), "x", Some(5), NOW) {
                Outcome::Processed(o) => o.alerts,
                _ => unreachable!(),
            }
        }
        _ => unreachable!(),
    };
    let gap = gap.iter().find(|a| a.category == "seq_gap").expect("gap");
    assert_eq!(gap.region, None);
}

fn file(msgid: &str, from: &str, to: &str, t: i64, name: &str) -> Vec<u8> {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"file","file":{{"md5sum":"0","filename":"{name}","fileext":"xlsx","filesize":"1","sdkfileid":"x"}}}}"#
    )
    .into_bytes()
}

/// A file named confidential that goes to an external contact alerts; the same file between
/// two members of staff does not (rule `confidential.marked_document_to_external`).
#[test]
fn a_file_marked_confidential_alerts_only_when_it_leaves_the_firm() {
    let mut p = pipeline(b"tenant-a");
    processed(&mut p, &consent("c1", "wmAlice", true, T));
    let out = processed(
        &mut p,
        &file("f1", "staff1", "wmAlice", T + 1000, "客户名单-机密.xlsx"),
    );
    let rules: Vec<&str> = out.alerts.iter().map(|a| a.rule_id.as_str()).collect();
    assert_eq!(rules, ["confidential.marked_document_to_external"]);
    let inside = processed(
        &mut p,
        &file("f2", "staff1", "staff2", T + 2000, "客户名单-机密.xlsx"),
    );
    assert!(inside.alerts.is_empty(), "{:?}", inside.alerts);
}
