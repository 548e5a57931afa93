//! Table tests: valid and invalid values for every recognizer (vectors computed from the
//! published algorithms), unspaced Chinese, full-width digits, and look-alikes.

use wcp_pii::{PiiDetector, PiiMatch};

fn found(det: &PiiDetector, text: &str) -> Vec<(String, String)> {
    det.detect(text)
        .iter()
        .map(|m: &PiiMatch| (m.entity.to_string(), text[m.start..m.end].to_string()))
        .collect()
}

/// (entity, value that must be found as written, embedded in `text` with `{}`)
const VALID: &[(&str, &str, &str)] = &[
    ("CN_RESIDENT_ID", "11010519491231002X", "身份证{}，请核对"),
    ("CN_RESIDENT_ID", "310115198002290013", "ID {} pls"),
    ("CN_RESIDENT_ID", "513429197501012341", "他的身份证号是{}"),
    ("CN_RESIDENT_ID", "320102 19880718 017X", "身份证 {} 已收到"),
    ("CN_USCC", "91110000800001239T", "统一社会信用代码{}"),
    ("CN_USCC", "91440300MA5EXAMP0C", "税号：{}"),
    ("CN_PASSPORT", "E12345678", "护照{}丢了"),
    ("CN_PASSPORT", "G87654321", "passport {} ok"),
    ("CN_PASSPORT", "EA1234567", "护照号{}"),
    ("PHONE_NUMBER", "13812345678", "我手机{}，到了打给我"),
    ("PHONE_NUMBER", "+86 138 1234 5678", "电话{}"),
    ("PHONE_NUMBER", "+8613812345678", "手机{}"),
    ("PHONE_NUMBER", "(+852) 9123 4567", "WhatsApp {}"),
    ("PHONE_NUMBER", "+86-199-1234-5678", "手机{}"),
    ("PHONE_NUMBER", "166-2568-6230", "电话{}"),
    ("PHONE_NUMBER", "021-6888 8888", "座机{}"),
    ("PHONE_NUMBER", "+852 9123 4567", "call me at {} tonight"),
    ("PHONE_NUMBER", "+65 8123 4567", "reach me at {}"),
    ("PHONE_NUMBER", "(212) 555-0123", "my number {}"),
    ("PHONE_NUMBER", "+1 917-555-0199", "call {}"),
    ("PHONE_NUMBER", "9123 4567", "Landlord's number is {}"),
    ("PHONE_NUMBER", "+44 20 7946 0958", "phone {}"),
    ("CREDIT_CARD", "4111111111111111", "卡号{}"),
    ("CREDIT_CARD", "4111 1111 1111 1111", "card {} exp 08/27"),
    ("CREDIT_CARD", "6222021234567890128", "转到这张卡{}"),
    ("CREDIT_CARD", "6217001234567893", "银联卡{}"),
    ("CREDIT_CARD", "378282246310005", "amex {}"),
    ("CREDIT_CARD", "5500 0000 0000 0004", "mastercard {}"),
    (
        "IBAN_CODE",
        "GB82 WEST 1234 5698 7654 32",
        "IBAN {}, thanks",
    ),
    ("IBAN_CODE", "DE89370400440532013000", "账户{}"),
    ("EMAIL_ADDRESS", "zhang.san@example.com", "邮箱是{}，谢谢"),
    ("IP_ADDRESS", "10.0.12.8", "服务器{}维护"),
    (
        "IP_ADDRESS",
        "2001:db8:85a3::8a2e:370:7334",
        "login from {} at 03:12",
    ),
    ("MAC_ADDRESS", "00:1a:2b:3c:4d:5e", "mac {}"),
    ("URL", "https://example.com/a?b=1", "link {} ok"),
    ("US_SSN", "078-05-1121", "SSN {}"),
    ("US_ITIN", "912-70-1234", "ITIN {}"),
    ("WECHAT_ID", "wxid_7f3k9m2p1q8z22", "加{}"),
    ("WECHAT_ID", "zhou_richard88", "微信号 {} 细聊"),
    ("WECHAT_ID", "ben_lau_hk", "WeChat ID: {} — add me"),
    ("WECHAT_ID", "amy_chen2020", "加我微信：{}，周末聊"),
    ("ABA_ROUTING_NUMBER", "011000015", "ABA routing {}"),
    ("UK_NHS", "943 476 5919", "NHS number {}"),
    ("UK_NINO", "AB 12 34 56 C", "national insurance {}"),
    ("SG_NRIC_FIN", "S1234567D", "NRIC {}"),
    ("AU_ABN", "51 824 753 556", "ABN {}"),
    ("AU_ACN", "000 000 019", "ACN {}"),
    ("AU_TFN", "123 456 782", "TFN {}"),
    ("IN_PAN", "ABCPE1234F", "PAN {}"),
    ("IN_AADHAAR", "234567890124", "aadhaar {}"),
    ("ES_NIF", "12345678Z", "DNI {}"),
    ("ES_NIE", "X1234567L", "NIE {}"),
    ("IT_FISCAL_CODE", "RSSMRA85T10A562S", "codice fiscale {}"),
    ("PL_PESEL", "44051401359", "PESEL {}"),
    ("FI_PERSONAL_IDENTITY_CODE", "131052-308T", "hetu {}"),
    ("KR_RRN", "850101-1234566", "RRN {}"),
    ("TH_TNIN", "1101700203395", "thai id {}"),
    (
        "CRYPTO",
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2",
        "btc wallet {}",
    ),
    (
        "CRYPTO",
        "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq",
        "wallet {}",
    ),
];

#[test]
fn valid_values_are_found_with_their_exact_span() {
    let det = PiiDetector::new();
    let mut missed = Vec::new();
    for (entity, value, tpl) in VALID {
        let text = tpl.replace("{}", value);
        let got = found(&det, &text);
        if !got.iter().any(|(e, v)| e == entity && v == value) {
            missed.push(format!("{entity} {value:?} in {text:?}: {got:?}"));
        }
    }
    assert!(missed.is_empty(), "not found:\n{}", missed.join("\n"));
}

/// Wrong check characters, impossible dates/regions, failed Luhn, look-alikes: nothing of
/// the given entity may be reported.
const INVALID: &[(&str, &str)] = &[
    ("CN_RESIDENT_ID", "身份证110105194912310021，请核对"), // check char should be X
    ("CN_RESIDENT_ID", "身份证110105194902300020"),         // 30 Feb
    ("CN_RESIDENT_ID", "身份证990105194912310025"),         // no province 99
    ("CN_RESIDENT_ID", "身份证433126200201062560校验位不对"), // wrong check digit
    ("CN_USCC", "统一社会信用代码91110000800001239A"),      // wrong check char
    ("CREDIT_CARD", "卡号4111111111111112提示无效"),        // Luhn fails
    ("CREDIT_CARD", "客户号4457314268823014不是卡号"),      // Luhn fails
    ("CREDIT_CARD", "订单号2024112600187345"),
    ("IBAN_CODE", "IBAN GB82 WEST 1234 5698 7654 33"), // mod 97 fails
    ("IP_ADDRESS", "App升级到v3.12.0.1之后一登录就闪退"), // version string
    ("IP_ADDRESS", "系统版本 10.4.2 build 2311"),
    ("IP_ADDRESS", "ip 256.1.1.1"),
    ("IP_ADDRESS", "版本号 2.3.4.5 已发布"),
    ("US_SSN", "SSN 000-12-3456"),
    ("US_SSN", "SSN 666-12-3456"),
    ("PHONE_NUMBER", "订单号2024112600187345，麻烦查下"),
    ("PHONE_NUMBER", "腾讯会议号 824 573 619，密码 2468"),
    ("PHONE_NUMBER", "彩票号码 05 12 19 23 28 + 07"),
    ("PHONE_NUMBER", "600519今天又涨了，00700也不错"),
    ("PHONE_NUMBER", "恒指收18,523.66，跌了1.2%"),
    (
        "PHONE_NUMBER",
        "Client wired USD 1,250,000.00 on 2024-11-22",
    ),
    (
        "PHONE_NUMBER",
        "Trade ref 20241126-HK-000738, settlement T+2",
    ),
    ("PHONE_NUMBER", "我手机12812345678"), // no 12x mobile prefix
    ("PHONE_NUMBER", "date 20241126 confirmed"),
    ("PHONE_NUMBER", "转账到 6214 8312 3456 7890，户名李明"), // a card that fails Luhn is not two phones
    ("CN_PASSPORT", "工号A02837，分机8812"),
    ("CN_PASSPORT", "ISIN US0378331005"),
    ("WECHAT_ID", "微信号私聊"),
    ("EMAIL_ADDRESS", "SWIFT code is HSBCHKHHHKH"),
    ("ES_NIF", "DNI 12345678A"),
    ("FI_PERSONAL_IDENTITY_CODE", "hetu 131052-308U"),
];

#[test]
fn invalid_values_and_look_alikes_are_rejected() {
    let det = PiiDetector::new();
    let mut wrong = Vec::new();
    for (entity, text) in INVALID {
        let got = found(&det, text);
        if got.iter().any(|(e, _)| e == entity) {
            wrong.push(format!("{entity} in {text:?}: {got:?}"));
        }
    }
    assert!(wrong.is_empty(), "wrongly found:\n{}", wrong.join("\n"));
}

#[test]
fn full_width_digits_map_back_to_the_text_as_written() {
    let det = PiiDetector::new();
    let text = "我电话１７６３８４００９３６，到小区门口打给我";
    let got = found(&det, text);
    assert_eq!(
        got,
        vec![(
            "PHONE_NUMBER".to_string(),
            "１７６３８４００９３６".to_string()
        )]
    );
    let text = "身份证１１０１０５１９４９１２３１００２Ｘ";
    assert_eq!(
        found(&det, text),
        vec![(
            "CN_RESIDENT_ID".to_string(),
            "１１０１０５１９４９１２３１００２Ｘ".to_string()
        )]
    );
}

#[test]
fn unspaced_chinese_and_mixed_scripts() {
    let det = PiiDetector::new();
    let text = "老爷子王建国，身份证513227195009165757，手机13812345678，邮箱wang@example.com谢谢";
    let got = found(&det, text);
    let want = [
        ("PERSON", "王建国"),
        ("CN_RESIDENT_ID", "513227195009165757"),
        ("PHONE_NUMBER", "13812345678"),
        ("EMAIL_ADDRESS", "wang@example.com"),
    ];
    for (e, v) in want {
        assert!(
            got.iter().any(|(ge, gv)| ge == e && gv == v),
            "{e} {v} missing: {got:?}"
        );
    }
    // matches are non-overlapping and sorted
    let ms = det.detect(text);
    assert!(ms.windows(2).all(|w| w[0].end <= w[1].start));
}

#[test]
fn names_and_addresses_follow_the_span_conventions() {
    let det = PiiDetector::new();
    let cases: &[(&str, &[(&str, &str)])] = &[
        (
            "張偉明先生嘅護照號碼E62598190",
            &[("PERSON", "張偉明"), ("CN_PASSPORT", "E62598190")],
        ),
        (
            "Card on file for Mrs Evelyn Chua: 4425 0978 2287 1310",
            &[("PERSON", "Evelyn Chua")],
        ),
        (
            "客户新地址：上海市浦东新区陆家嘴环路1000号45楼",
            &[("LOCATION", "上海市浦东新区陆家嘴环路1000号")],
        ),
        (
            "Please courier the docs to 350 Fifth Avenue, Suite 4100",
            &[("LOCATION", "350 Fifth Avenue")],
        ),
        ("王总说明天开会，老王和小李也来", &[]),
        ("周一开会，王经理和李总都在", &[]),
        ("帮我订12月5号的机票", &[]),
    ];
    for (text, want) in cases {
        let got: Vec<(String, String)> = found(&det, text)
            .into_iter()
            .filter(|(e, _)| e == "PERSON" || e == "LOCATION" || want.iter().any(|w| w.0 == e))
            .collect();
        let want: Vec<(String, String)> = want
            .iter()
            .map(|(e, v)| (e.to_string(), v.to_string()))
            .collect();
        assert_eq!(got, want, "{text}");
    }
}

#[test]
fn weak_shapes_need_context_at_the_default_threshold() {
    let det = PiiDetector::new();
    // a bare 9-digit number is a US passport/SSN shape at 0.05: not reported by default …
    assert!(found(&det, "ref 123456780 ok")
        .iter()
        .all(|(e, _)| e != "US_PASSPORT"));
    // … but reported when every shape is asked for (Presidio-style)
    let all = PiiDetector::new().with_min_score(0.0);
    assert!(all
        .detect_overlapping("ref 123456780 ok")
        .iter()
        .any(|m| m.entity == "US_PASSPORT"));
}

#[test]
fn detector_is_shareable_across_threads() {
    fn assert_send_sync<T: Send + Sync>() {}
    assert_send_sync::<PiiDetector>();
}
