//! Table tests of the consent gate (kept apart so consent.rs stays readable).
use super::*;
use wcp_model::parse_wecom;

fn rec(contact: &str, agreed: bool, at: i64) -> ConsentRecord {
    ConsentRecord {
        contact: contact.into(),
        agreed,
        at_ms: at,
        msgid: format!("{contact}-{at}"),
    }
}

fn msg(from: &str, to: &str, t: i64, msgtype: &str) -> EnrichedEvent {
    let raw = format!(
        r#"{{"msgid":"m{t}","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"{msgtype}","{msgtype}":{{"content":"x"}}}}"#
    );
    EnrichedEvent::new(parse_wecom(raw.as_bytes(), None).unwrap())
}

#[test]
fn state_follows_the_latest_change_at_or_before_msgtime() {
    let mut l = ConsentLedger::default();
    l.apply(&rec("wmA", true, 1_000));
    l.apply(&rec("wmA", false, 5_000));
    l.apply(&rec("wmA", false, 5_000));
    assert_eq!(l.state_at("wmA", 999), ConsentState::Unknown);
    assert_eq!(l.state_at("wmA", 1_000), ConsentState::Agreed);
    assert_eq!(l.state_at("wmA", 4_999), ConsentState::Agreed);
    assert_eq!(l.state_at("wmA", 5_000), ConsentState::Disagreed);
    assert_eq!(l.state_at("wmB", 5_000), ConsentState::Unknown);
    assert_eq!(l.contacts(), 1);
}

#[test]
fn dispositions_table() {
    let mut l = ConsentLedger::default();
    l.apply(&rec("wmAgree", true, 1));
    l.apply(&rec("wmNo", false, 1));
    let p = ConsentPolicy::default();
    let t = 1_732_600_000_000;
    let cases = [
        (
            msg("wmAgree", "staff1", t, "text"),
            ConsentState::Agreed,
            Disposition::Archive,
        ),
        (
            msg("staff1", "wmNo", t, "text"),
            ConsentState::Disagreed,
            Disposition::ArchiveAnonymised,
        ),
        (
            msg("wmNew", "staff1", t, "text"),
            ConsentState::Unknown,
            Disposition::Quarantine,
        ),
        (
            msg("staff1", "staff2", t, "text"),
            ConsentState::NotRequired,
            Disposition::Archive,
        ),
        (
            msg("wbBot", "staff2", t, "text"),
            ConsentState::NotRequired,
            Disposition::Archive,
        ),
    ];
    for (ev, state, disp) in cases {
        let d = decide(&ev, &l, &p);
        assert_eq!(
            (d.state, d.disposition),
            (state, disp),
            "{}",
            ev.event.msgid
        );
    }
}

fn room(from: &str, to: &[&str], t: i64) -> EnrichedEvent {
    let to: Vec<String> = to.iter().map(|s| format!("\"{s}\"")).collect();
    let raw = format!(
        r#"{{"msgid":"m{t}","action":"send","from":"{from}","tolist":[{}],"roomid":"wrRoom","msgtime":{t},"msgtype":"text","text":{{"content":"x"}}}}"#,
        to.join(",")
    );
    EnrichedEvent::new(parse_wecom(raw.as_bytes(), None).unwrap())
}

#[test]
fn mixed_rooms_take_the_strictest_action() {
    let mut l = ConsentLedger::default();
    l.apply(&rec("wmAgree", true, 1));
    l.apply(&rec("wmNo", false, 1));
    let t = 1_732_600_000_000;
    let ev = room("staff1", &["wmAgree", "wmNo", "wmNew"], t);
    // Defaults: unknown → quarantine is stricter than disagreed → anonymised.
    let d = decide(&ev, &l, &ConsentPolicy::default());
    assert_eq!(
        (d.state, d.disposition),
        (ConsentState::Unknown, Disposition::Quarantine)
    );
    // The case that was wrong: a disagreeing contact no longer overrides a stricter
    // on_unknown = metadata_only.
    let strict_unknown = ConsentPolicy {
        on_unknown: Disposition::MetadataOnly,
        ..ConsentPolicy::default()
    };
    let d = decide(&ev, &l, &strict_unknown);
    assert_eq!(d.disposition, Disposition::MetadataOnly);
    // Equal actions: disagreed is reported.
    let same = ConsentPolicy {
        on_unknown: Disposition::ArchiveAnonymised,
        ..ConsentPolicy::default()
    };
    assert_eq!(decide(&ev, &l, &same).state, ConsentState::Disagreed);
    // Configurable: an order that ranks anonymisation above quarantine.
    let custom = ConsentPolicy {
        strictness: vec![
            Disposition::MetadataOnly,
            Disposition::ArchiveAnonymised,
            Disposition::Quarantine,
            Disposition::Archive,
        ],
        ..ConsentPolicy::default()
    };
    let d = decide(&ev, &l, &custom);
    assert_eq!(
        (d.state, d.disposition),
        (ConsentState::Disagreed, Disposition::ArchiveAnonymised)
    );
    // Agreed contacts alone: archived.
    let d = decide(&room("wmAgree", &["staff1"], t), &l, &custom);
    assert_eq!(d.disposition, Disposition::Archive);
}

#[test]
fn archive_without_consent_needs_an_acknowledgement() {
    let p: ConsentPolicy = toml::from_str("on_disagreed = \"archive\"").unwrap();
    assert_eq!(p.problems().len(), 1);
    assert!(p.warnings()[0].contains("NON-COMPLIANT"));
    let p: ConsentPolicy = toml::from_str(
        "on_disagreed = \"archive\"\nacknowledge_archive_without_consent = \"DPO J. Li, ticket 42\"",
    )
    .unwrap();
    assert!(p.problems().is_empty());
    assert!(p.warnings()[0].contains("ticket 42"));
    let p: ConsentPolicy = toml::from_str("strictness = [\"archive\"]").unwrap();
    assert_eq!(p.problems().len(), 1);
    assert!(ConsentPolicy::default().problems().is_empty());
}

#[test]
fn policy_parses_from_toml() {
    let p: ConsentPolicy = toml::from_str("on_unknown = \"metadata_only\"").unwrap();
    assert_eq!(p.on_unknown, Disposition::MetadataOnly);
    assert_eq!(p.on_disagreed, Disposition::ArchiveAnonymised);
    assert!(toml::from_str::<ConsentPolicy>("bogus = 1").is_err());
}
