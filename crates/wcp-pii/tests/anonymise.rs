//! Anonymisation: no raw value survives, pseudonyms are stable per key and differ across
//! keys, CN IDs generalise to province + birth year, policies load from TOML/JSON.

use wcp_pii::anonymise::{anonymise, parse_key, pseudonym, AnonPolicy, KeyError, Operator};
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
    // 64 bits: 16 hex characters
    assert!(a1.starts_with("PHONE_NUMBER_") && a1.len() == "PHONE_NUMBER_".len() + 16);
    assert!(a1["PHONE_NUMBER_".len()..]
        .bytes()
        .all(|c| c.is_ascii_hexdigit()));
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

#[test]
fn the_same_value_written_differently_gets_one_pseudonym() {
    let k = b"tenant";
    let same = |entity: &str, forms: &[&str]| {
        let p: Vec<String> = forms.iter().map(|v| pseudonym(v, entity, k)).collect();
        assert!(p.iter().all(|x| *x == p[0]), "{entity}: {forms:?} -> {p:?}");
    };
    same(
        "PHONE_NUMBER",
        &[
            "13812345678",
            "138 1234 5678",
            "138-1234-5678",
            "+86 138 1234 5678",
            "+86-138-1234-5678",
            "(+86) 13812345678",
            "008613812345678",
            "8613812345678",
            "１３８１２３４５６７８",
            "一三八一二三四五六七八",
        ],
    );
    same(
        "PHONE_NUMBER",
        &["021-6888 8888", "+86 21 6888 8888", "0086 21 68888888"],
    );
    same(
        "PHONE_NUMBER",
        &["+852 9123 4567", "+85291234567", "00852 9123-4567"],
    );
    same(
        "CREDIT_CARD",
        &[
            "6222 0212 3456 7890 128",
            "6222021234567890128",
            "6222-0212-3456-7890-128",
        ],
    );
    same(
        "IBAN_CODE",
        &["GB82 WEST 1234 5698 7654 32", "gb82west12345698765432"],
    );
    same(
        "CN_RESIDENT_ID",
        &[
            "11010519491231002X",
            "11010519491231002x",
            "110105 19491231 002X",
        ],
    );
    same("EMAIL_ADDRESS", &["Li.Na@Example.com", "li.na@example.com"]);
    same("PERSON", &["Evelyn  Chua", "evelyn chua", "EVELYN CHUA"]);
    // different numbers stay different
    assert_ne!(
        pseudonym("+852 9123 4567", "PHONE_NUMBER", k),
        pseudonym("9123 4567 0", "PHONE_NUMBER", k)
    );
    assert_ne!(
        pseudonym("13812345678", "PHONE_NUMBER", k),
        pseudonym("13812345678", "BANK_ACCOUNT", k)
    );
}

#[test]
fn no_collisions_among_many_distinct_values() {
    let mut seen = std::collections::HashSet::new();
    for i in 0..100_000u32 {
        assert!(
            seen.insert(pseudonym(&format!("1380{i:07}"), "PHONE_NUMBER", b"k")),
            "collision at {i}"
        );
    }
}

#[test]
fn tenant_key_is_hex_and_a_trailing_newline_changes_nothing() {
    let hex = "00112233445566778899aabbccddeeff00112233445566778899aabbccddeeff";
    let k = parse_key(hex.as_bytes()).unwrap();
    assert_eq!(k.len(), 32);
    assert_eq!(parse_key(format!("{hex}\n").as_bytes()).unwrap(), k);
    assert_eq!(parse_key(format!("  {hex}\r\n").as_bytes()).unwrap(), k);
    assert_eq!(parse_key(hex.to_uppercase().as_bytes()).unwrap(), k);
    assert_eq!(parse_key(b""), Err(KeyError::Empty));
    assert_eq!(parse_key(b"\n"), Err(KeyError::Empty));
    assert_eq!(
        parse_key(b"my-secret-tenant-key-0123456789ab"),
        Err(KeyError::NotHex { pos: 1 })
    );
    assert_eq!(parse_key(b"abc"), Err(KeyError::OddLength { len: 3 }));
    assert_eq!(parse_key(b"00112233"), Err(KeyError::TooShort { bytes: 4 }));
    let msg = parse_key(b"zz").unwrap_err().to_string();
    assert!(msg.contains("hex"), "{msg}");
}
