//! Regional recognizers (the rest of Presidio's entity set): values computed here from each
//! identifier's published check rule. A value next to its context word is reported by
//! default with its exact span; the bare value only at `--min-score 0`; a wrong check
//! digit never.

use wcp_pii::PiiDetector;

/// (entity, valid value, sentence with its context word, same value with a wrong check
/// character or "" when the validator gives no verdict on it)
const CASES: &[(&str, &str, &str, &str)] = &[
    (
        "DE_TAX_ID",
        "62601815903",
        "Meine Steuer-ID ist {}.",
        "62601815904",
    ),
    ("DE_VAT_ID", "DE830166134", "USt-IdNr: {}", "DE830166135"),
    (
        "DE_HEALTH_INSURANCE",
        "A123456780",
        "KVNR {} (Krankenkasse)",
        "A123456781",
    ),
    ("DE_ID_CARD", "L01X00T44", "Personalausweis {}", "L01X00T45"),
    ("DE_PASSPORT", "C01X00064", "Reisepass Nr. {}", "C01X00065"),
    ("DE_LANR", "123456601", "LANR {}", "123456701"),
    (
        "DE_SOCIAL_SECURITY",
        "65170839J003",
        "Rentenversicherungsnummer {}",
        "65170839J004",
    ),
    (
        "DE_HANDELSREGISTER",
        "HRB 12345",
        "Amtsgericht München {}",
        "",
    ),
    ("DE_KFZ", "M-AB 1234", "Kennzeichen {}", ""),
    ("CA_SIN", "130 213 143", "my SIN is {}", "130 213 144"),
    (
        "KR_BRN",
        "220-81-12341",
        "사업자등록번호 {}",
        "220-81-12342",
    ),
    ("KR_FRN", "850315-5123450", "외국인등록번호 {}", ""),
    ("KR_PASSPORT", "M123A4567", "여권 {}", ""),
    ("NG_NIN", "48291037563", "my NIN {}", "48291037564"),
    (
        "NG_VEHICLE_REGISTRATION",
        "ABC-123DE",
        "plate number {}",
        "",
    ),
    ("PH_TIN", "123-456-782", "TIN {}", "123-456-783"),
    ("PH_MOBILE_NUMBER", "+63 917 123 4567", "mobile {}", ""),
    (
        "SE_ORGANISATIONSNUMMER",
        "556036-0793",
        "organisationsnummer {}",
        "556036-0794",
    ),
    (
        "SE_PERSONNUMMER",
        "811218-9876",
        "personnummer {}",
        "811218-9877",
    ),
    (
        "TR_NATIONAL_ID",
        "12345678950",
        "TC kimlik no {}",
        "12345678951",
    ),
    ("TR_PHONE_NUMBER", "+90 532 123 45 67", "telefon {}", ""),
    ("TR_LICENSE_PLATE", "34 ABC 123", "plaka {}", ""),
    ("UK_POSTCODE", "SW1A 1AA", "postcode {}", ""),
    ("UK_PASSPORT", "AB1234567", "UK passport {}", ""),
    (
        "UK_VEHICLE_REGISTRATION",
        "AB51 ABC",
        "vehicle registration {}",
        "",
    ),
    ("US_NPI", "1234567893", "NPI {}", "1234567894"),
    ("US_MBI", "1EG4-TE5-MK73", "Medicare MBI {}", ""),
    (
        "MEDICAL_LICENSE",
        "BJ6134821",
        "DEA certificate {}",
        "BJ6134822",
    ),
    (
        "ZA_ID_NUMBER",
        "8001015009087",
        "RSA ID number {}",
        "8001015009088",
    ),
    ("IN_GSTIN", "27AAPFU0939F1ZV", "GSTIN {}", ""),
    ("ES_PASSPORT", "PAA123456", "pasaporte {}", ""),
    ("DATE_TIME", "1985-03-12", "DOB {}", ""),
    ("DATE_TIME", "1985年3月12日", "我的生日是{}", ""),
];

fn spans(det: &PiiDetector, text: &str, entity: &str) -> Vec<String> {
    det.detect(text)
        .into_iter()
        .filter(|m| m.entity == entity)
        .map(|m| text[m.start..m.end].to_string())
        .collect()
}

#[test]
fn with_context_reported_by_default_with_exact_span() {
    let det = PiiDetector::new();
    let bad: Vec<String> = CASES
        .iter()
        .map(|(entity, value, ctx, _)| (entity, value, ctx.replace("{}", value)))
        // by default a phone number is PHONE_NUMBER whichever country's plan it follows
        .filter(|(e, v, t)| {
            spans(&det, t, e) != vec![v.to_string()]
                && !(e.ends_with("_NUMBER")
                    && e.contains("PH")
                    && spans(&det, t, "PHONE_NUMBER") == vec![v.to_string()])
        })
        .map(|(e, _, t)| format!("{e} in {t:?}: {:?}", det.detect(&t)))
        .collect();
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn bare_shape_only_at_min_score_zero() {
    let default = PiiDetector::new();
    let all = PiiDetector::new().with_min_score(0.0).with_overlaps(true);
    let mut bad = Vec::new();
    for (entity, value, _, _) in CASES {
        let text = format!("ref {value} ok");
        if !spans(&default, &text, entity).is_empty() {
            bad.push(format!("{entity} {value} reported without context"));
        }
        if spans(&all, &text, entity) != vec![value.to_string()] {
            bad.push(format!(
                "{entity} {value} at 0: {:?}",
                spans(&all, &text, entity)
            ));
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn wrong_check_character_is_never_reported() {
    let all = PiiDetector::new().with_min_score(0.0).with_overlaps(true);
    for (entity, _, ctx, bad) in CASES.iter().filter(|c| !c.3.is_empty()) {
        let text = ctx.replace("{}", bad);
        assert!(
            spans(&all, &text, entity).is_empty(),
            "{entity} {bad} accepted"
        );
    }
}

#[test]
fn core_entities_win_over_regional_shapes_by_default() {
    // an 11-digit CN mobile number is also a TR/DE id shape: the phone is what is reported
    let det = PiiDetector::new();
    let ms = det.detect("电话 13812345678");
    assert_eq!(ms.len(), 1);
    assert_eq!(ms[0].entity, "PHONE_NUMBER");
}
