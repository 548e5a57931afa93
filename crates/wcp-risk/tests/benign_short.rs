//! Issue 11: short benign messages (greetings, acknowledgements, emoji, scheduling, family,
//! health, hobbies, market small talk in Chinese, English and mixed) raise no risk, and neither
//! does a message with no text (images, voice, stickers reach the engine as empty text).

use wcp_risk::RiskEngine;

const TABLE: &str = include_str!("fixtures/benign_short.txt");

fn messages() -> Vec<&'static str> {
    TABLE
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect()
}

#[test]
fn the_table_is_big_enough_and_spans_the_languages() {
    let m = messages();
    assert!(m.len() >= 200, "{} messages", m.len());
    let cjk = m
        .iter()
        .filter(|t| t.chars().any(|c| c >= '\u{4e00}'))
        .count();
    let latin = m
        .iter()
        .filter(|t| t.chars().any(|c| c.is_ascii_alphabetic()))
        .count();
    assert!(cjk >= 80 && latin >= 80, "zh {cjk}, en {latin}");
}

#[test]
fn short_benign_messages_raise_no_risk() {
    let engine = RiskEngine::builtin();
    let raised: Vec<String> = messages()
        .into_iter()
        .filter_map(|t| {
            let hits = engine.scan(t);
            (!hits.is_empty()).then(|| format!("{t:?} → {:?}", hits[0].rule_id))
        })
        .collect();
    assert!(raised.is_empty(), "{} raised: {raised:#?}", raised.len());
}

#[test]
fn messages_without_text_raise_nothing() {
    let engine = RiskEngine::builtin();
    for t in ["", " ", "\n", "🙂", "[图片]", "👍🏻👍🏻", "...", "？？"] {
        assert!(engine.scan(t).is_empty(), "{t:?}");
    }
}

#[test]
fn the_bias_alone_never_raises_a_risk() {
    // Models that would fire on anything the message says (no threshold, no length bar) still
    // need learned evidence: text with no features has none, whatever the bias.
    let permissive = wcp_risk::BUILTIN_POLICY
        .replace("gate_threshold = 0.3", "gate_threshold = 0.0")
        .replace("threshold = 0.5", "threshold = 0.0")
        .replace("min_chars = 10", "min_chars = 0");
    let engine = RiskEngine::from_policy_toml(&permissive).unwrap();
    for t in ["", "🙂", "[图片]", "..."] {
        assert!(engine.scan(t).is_empty(), "{t:?}: {:?}", engine.scan(t));
    }
    let floorless = permissive.replace("evidence_floor = 1.0", "evidence_floor = 0.0");
    let engine = RiskEngine::from_policy_toml(&floorless).unwrap();
    assert!(
        !engine.scan("").is_empty(),
        "without the floor the bias alone fires: the test above is not vacuous"
    );
}

#[test]
fn hard_negatives_raise_no_risk() {
    // Per failure class of issue 11: training announcements naming an offence, idioms, stock
    // quotes of companies whose name is a typical gift, one's own new contact details, …
    let engine = RiskEngine::builtin();
    let lines: Vec<&str> = include_str!("fixtures/hard_negatives.txt")
        .lines()
        .map(str::trim)
        .filter(|l| !l.is_empty() && !l.starts_with('#'))
        .collect();
    assert!(lines.len() >= 80);
    let raised: Vec<String> = lines
        .into_iter()
        .filter_map(|t| {
            let hits = engine.scan(t);
            (!hits.is_empty()).then(|| format!("{t:?} → {:?}", hits[0].rule_id))
        })
        .collect();
    assert!(raised.is_empty(), "{raised:#?}");
}
