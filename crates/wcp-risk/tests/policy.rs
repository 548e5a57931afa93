//! Policy semantics (phrases, word boundaries, prefixes, proximity, exceptions) on small
//! hand-made policies with the models off, and policy errors that name the rule and line.

use wcp_model::RiskCategory;
use wcp_risk::{PolicyError, RiskEngine};

const HEAD: &str = "version = 1\n[model]\nenabled = false\n";

fn engine(rules: &str) -> RiskEngine {
    RiskEngine::from_policy_toml(&format!("{HEAD}{rules}")).expect("valid policy")
}

fn fires(e: &RiskEngine, text: &str) -> bool {
    !e.scan(text).is_empty()
}

fn check(e: &RiskEngine, table: &[(&str, bool)]) {
    for &(text, want) in table {
        assert_eq!(fires(e, text), want, "{text:?}");
    }
}

#[test]
fn phrase_rules_respect_words_prefixes_and_exceptions() {
    let e = engine(
        r#"
[[rule]]
id = "g"
category = "guarantee_of_returns"
phrases = ["guarantee*", "保本", "pump"]
unless = ["不保本", "no guarantee"]
"#,
    );
    let table = [
        ("we guaranteed it", true),
        ("GUARANTEES apply", true),
        ("unguaranteed", false),
        ("保本产品", true),
        ("这个不保本", false),
        ("no guarantee at all", false),
        ("pumpkin soup", false),
        ("pump it", true),
    ];
    check(&e, &table);
}

#[test]
fn proximity_rules_need_both_within_the_window() {
    let e = engine(
        r#"
[[rule]]
id = "near"
category = "guarantee_of_returns"
phrases = ["保证"]
near = ["收益"]
window = 4
unless_anywhere = ["风险揭示"]
"#,
    );
    let table = [
        ("保证收益", true),
        ("收益我保证", true),
        ("保证一二三四收益", true),
        ("保证一二三四五收益", false),
        ("保证完成任务", false),
        ("保证收益？请看风险揭示", false),
    ];
    check(&e, &table);
    let m = &e.scan("我保证收益")[0];
    assert_eq!(m.rule_id, "near");
    assert_eq!(m.category, RiskCategory::GuaranteeOfReturns);
    assert_eq!(&"我保证收益"[m.start..m.end], "保证收益");
}

#[test]
fn default_exceptions_apply_to_every_rule() {
    let e = RiskEngine::from_policy_toml(
        r#"version = 1
[defaults]
unless_anywhere = ["案例分享", "case study"]
[model]
enabled = false
[[rule]]
id = "i"
category = "insider_information"
phrases = ["内幕交易", "insider dealing"]
[[rule]]
id = "g"
category = "guarantee_of_returns"
phrases = ["稳赚", "sure bet"]
unless_anywhere = ["彩票"]
"#,
    )
    .expect("valid policy");
    let table = [
        ("他在搞内幕交易", true),
        ("内幕交易案例分享会周五", false),
        ("this is a sure bet", true),
        ("case study: a sure bet that failed", false),
        ("稳赚的", true),
        ("买彩票稳赚", false),
        ("稳赚案例分享", false),
    ];
    check(&e, &table);
}

#[test]
fn negation_cues_cancel_the_trigger_right_after_them() {
    let e = RiskEngine::from_policy_toml(
        r#"version = 1
[defaults]
negations = ["不要", "do not", "never"]
negation_window = 2
[model]
enabled = false
[[rule]]
id = "e"
category = "evidence_destruction"
phrases = ["删除", "delete*"]
near = ["聊天记录", "chat*"]
window = 10
[[rule]]
id = "g"
category = "guarantee_of_returns"
phrases = ["promise*"]
"#,
    )
    .expect("valid policy");
    let table = [
        ("把聊天记录删除", true),
        ("请大家不要删除聊天记录", false),
        ("不要 删除聊天记录", false),
        // Cue too far before the trigger: still fires.
        ("不要告诉别人，删除聊天记录", true),
        // Cue after the trigger does not cancel it.
        ("删除聊天记录，不要留", true),
        ("please delete the chat", true),
        ("do not delete the chat logs", false),
        ("I promise you 8%", true),
        ("I never promise returns", false),
        ("nevermind, promise kept", true),
    ];
    check(&e, &table);
}

fn err(rules: &str) -> PolicyError {
    match RiskEngine::from_policy_toml(&format!("{HEAD}{rules}")) {
        Err(e) => e,
        Ok(_) => panic!("policy should be rejected:\n{rules}"),
    }
}

#[test]
fn errors_name_the_rule_and_line() {
    let rule = |id: &str, cat: &str, phrases: &str| {
        format!("\n[[rule]]\nid = \"{id}\"\ncategory = \"{cat}\"\nphrases = {phrases}\n")
    };
    // HEAD is 3 lines, the blank line is 4, so the first rule's id is on line 6.
    let cases: Vec<(String, PolicyError)> = vec![
        (
            rule("x.1", "insider_trading", "[\"a\"]"),
            PolicyError::Rule {
                id: "x.1".into(),
                line: 6,
                message: "unknown category \"insider_trading\"".into(),
            },
        ),
        (
            rule("x.2", "complaint", "[]"),
            PolicyError::Rule {
                id: "x.2".into(),
                line: 6,
                message: "no phrases".into(),
            },
        ),
        (
            rule("x.3", "complaint", "[\"  \"]"),
            PolicyError::Rule {
                id: "x.3".into(),
                line: 6,
                message: "empty phrase in phrases".into(),
            },
        ),
        (
            format!(
                "{}{}",
                rule("d", "complaint", "[\"a\"]"),
                rule("d", "complaint", "[\"b\"]")
            ),
            PolicyError::Rule {
                id: "d".into(),
                line: 11,
                message: "duplicate rule id".into(),
            },
        ),
    ];
    for (rules, want) in cases {
        assert_eq!(err(&rules), want, "{rules}");
    }
    let e =
        err("\n[[rule]]\nid = \"s\"\ncategory = \"complaint\"\nphrases = [\"a\"]\nscore = 3.0\n");
    assert!(
        matches!(e, PolicyError::Rule { ref id, line: 6, .. } if id == "s"),
        "{e}"
    );
    let e = err("\n[[rule]]\nid = \"t\"\ncategory = \"complaint\"\nphrases = [\"a\"\n");
    assert!(
        matches!(e, PolicyError::Syntax { line, .. } if line >= 8),
        "{e}"
    );
    let e = err("\n[[rule]]\nid = \"u\"\ncategory = \"complaint\"\nphrases = [\"a\"]\nwindw = 3\n");
    assert!(e.to_string().contains("windw"), "{e}");
}

#[test]
fn the_shipped_policy_compiles() {
    let e = RiskEngine::builtin();
    assert!(e.rule_count() >= 30);
}

/// A rule with `audience = "external"` and `msgtypes` fires only in that context, and never
/// on text alone (its context is unknown there); a rule without conditions fires everywhere.
#[test]
fn context_rules_fire_only_in_their_context() {
    use wcp_risk::ScanContext;
    let e = engine(
        r#"
[[rule]]
id = "doc"
category = "confidentiality_breach"
audience = "external"
msgtypes = ["file", "link"]
phrases = ["机密", "confidential"]

[[rule]]
id = "plain"
category = "complaint"
phrases = ["投诉"]
"#,
    );
    let at = |text: &str, external: bool, msgtype: &str| -> Vec<String> {
        e.scan_in(text, Some(&ScanContext { external, msgtype }))
            .into_iter()
            .map(|m| m.rule_id)
            .collect()
    };
    assert_eq!(at("客户名单-机密.xlsx", true, "file"), ["doc"]);
    assert_eq!(at("Deal deck CONFIDENTIAL.pdf", true, "link"), ["doc"]);
    assert!(
        at("客户名单-机密.xlsx", false, "file").is_empty(),
        "inside the firm"
    );
    assert!(at("这是机密", true, "text").is_empty(), "not a document");
    assert!(e.scan("客户名单-机密.xlsx").is_empty(), "context unknown");
    assert_eq!(at("我要投诉", false, "text"), ["plain"]);
    assert_eq!(e.scan("我要投诉").len(), 1);
}

#[test]
fn an_unknown_audience_names_the_rule() {
    let err = RiskEngine::from_policy_toml(&format!(
        "{HEAD}[[rule]]\nid = \"doc\"\ncategory = \"complaint\"\naudience = \"outside\"\nphrases = [\"x\"]\n"
    ))
    .err()
    .expect("rejected");
    let text = err.to_string();
    assert!(
        text.contains("\"doc\"") && text.contains("audience"),
        "{text}"
    );
}
