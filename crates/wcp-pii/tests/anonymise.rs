//! Anonymisation: no raw value survives, pseudonyms are stable per key and differ across
//! keys, CN IDs generalise to province + birth year, policies load from TOML/JSON.

use wcp_pii::anonymise::{anonymise, pseudonym, AnonPolicy, Operator};
use wcp_pii::PiiDetector;

const TEXT: &str = "客户刘雅婷，身份证42282319880418260X，手机13812345678，卡号6222021234567890128，邮箱liu.yt@example.com，微信号：hikerjess_sz，地址上海市静安区南京西路1266号";

fn values(text: &str) -> Vec<String> {
    PiiDetector::new()
        .detect(text)
        .iter()
        .map(|m| text[m.start..m.end].to_string())
        .collect()
}

#[test]
fn no_raw_value_survives_any_operator() {
    let det = PiiDetector::new();
    let ms = det.detect(TEXT);
    assert!(ms.len() >= 7, "{ms:?}");
    let ops = [
        Operator::Redact,
        Operator::Mask { keep_last: 0 },
        Operator::TypeTag,
        Operator::Pseudonym,
        Operator::Generalise,
    ];
    for op in ops {
        let policy = AnonPolicy {
            default: op,
            entities: Default::default(),
        };
        let out = anonymise(TEXT, &ms, &policy, b"tenant-a");
        for v in values(TEXT) {
            assert!(!out.contains(&v), "{op:?} leaked {v:?} in {out}");
        }
    }
}

#[test]
fn default_policy_masks_cards_and_generalises_ids() {
    let ms = PiiDetector::new().detect(TEXT);
    let out = anonymise(TEXT, &ms, &AnonPolicy::default(), b"tenant-a");
    assert!(out.contains("***************0128"), "{out}");
    assert!(out.contains("<CN_RESIDENT_ID 湖北 1988>"), "{out}");
    assert!(out.contains("PHONE_NUMBER_"), "{out}");
    assert!(out.contains("<LOCATION>"), "{out}");
    assert!(!out.contains("13812345678") && !out.contains("42282319880418260X"));
}

#[test]
fn pseudonyms_are_stable_per_key_and_differ_across_keys() {
    let a1 = pseudonym("13812345678", "PHONE_NUMBER", b"tenant-a");
    let a2 = pseudonym("138 1234 5678", "PHONE_NUMBER", b"tenant-a");
    let b = pseudonym("13812345678", "PHONE_NUMBER", b"tenant-b");
    assert_eq!(a1, a2, "formatting must not change the pseudonym");
    assert_ne!(a1, b);
    assert!(a1.starts_with("PHONE_NUMBER_") && a1.len() == "PHONE_NUMBER_".len() + 8);
    assert_ne!(
        pseudonym("13812345678", "PHONE_NUMBER", b"k"),
        pseudonym("13812345679", "PHONE_NUMBER", b"k")
    );
}

#[test]
fn policy_deserialises_from_toml_and_json() {
    let toml_src = r#"
default = { op = "redact" }
[entities]
CREDIT_CARD = { op = "mask", keep_last = 4 }
PERSON = { op = "pseudonym" }
"#;
    let p: AnonPolicy = toml::from_str(toml_src).expect("toml policy");
    assert_eq!(
        p.operator_for("CREDIT_CARD"),
        Operator::Mask { keep_last: 4 }
    );
    assert_eq!(p.operator_for("IBAN_CODE"), Operator::Redact);
    let j: AnonPolicy = serde_json::from_str(r#"{"entities":{"EMAIL_ADDRESS":{"op":"type_tag"}}}"#)
        .expect("json policy");
    assert_eq!(j.default, Operator::TypeTag);
    assert_eq!(j.operator_for("EMAIL_ADDRESS"), Operator::TypeTag);
}
