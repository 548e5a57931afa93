//! Anonymisation completeness on hand-written lines (issue 13 item 6): titled surnames and
//! given names, Chinese and English addresses, bank accounts, travel permits, phones in
//! Chinese numerals or full-width digits, dates of birth, labelled ids. Each identifying
//! value must be gone from the anonymised text, as the anonymiser stage produces it
//! (classifier spans + recall pass).

use wcp_pii::anonymise::{anonymise, AnonPolicy};
use wcp_pii::PiiDetector;

/// (line, identifying values that must not survive)
const LINES: &[(&str, &[&str])] = &[
    ("王先生您好，您的账户已开通", &["王"]),
    ("麻烦转告老王，明天上午十点到公司", &["王"]),
    ("张总说这个月的报告周五前要交", &["张"]),
    (
        "Hi Lisa, can you send the deck to Mr. Wong before 5pm?",
        &["Lisa", "Wong"],
    ),
    (
        "Dear Mrs Chua, your RM Kevin will call you.",
        &["Chua", "Kevin"],
    ),
    ("@陈小明 请确认一下", &["陈小明"]),
    ("阿May 今晚一起吃饭吗", &["May"]),
    (
        "地址：上海市浦东新区世纪大道100号环球金融中心45楼",
        &["上海市浦东新区世纪大道100号", "45楼"],
    ),
    ("我住在深圳市南山区科技园南区", &["深圳市南山区"]),
    (
        "寄到北京市朝阳区建国路88号SOHO现代城3栋1201室",
        &["建国路88号", "1201室"],
    ),
    (
        "Office: #04-56, 1 Raffles Place, Singapore 048616",
        &["#04-56", "1 Raffles Place", "048616"],
    ),
    (
        "Please deliver to Flat 12B, 18 Taikoo Wan Road",
        &["Flat 12B", "18 Taikoo Wan Road"],
    ),
    (
        "收款账号 6212261002012345678 户名 李娜",
        &["6212261002012345678", "李娜"],
    ),
    (
        "Account no. 012-345678-901, SWIFT HSBCHKHHHKH",
        &["012-345678-901", "HSBCHKHHHKH"],
    ),
    (
        "港澳通行证C12345678，回乡证H12345678",
        &["C12345678", "H12345678"],
    ),
    ("台胞证 12345678", &["12345678"]),
    (
        "我的手机是一三八一二三四五六七八",
        &["一三八一二三四五六七八"],
    ),
    ("电话１３９１２３４５６７８", &["１３９１２３４５６７８"]),
    ("出生日期 1985年3月12日", &["1985年3月12日"]),
    ("DOB: 12 Mar 1985", &["12 Mar 1985"]),
    ("他生日是3月12号", &["3月12号"]),
    ("工号 A10023，请假三天", &["A10023"]),
    ("passport no. K1234567", &["K1234567"]),
    ("车牌粤B12345停在B2", &["粤B12345"]),
    ("QQ 12345678", &["12345678"]),
    ("微信：zhangwei_1985", &["zhangwei_1985"]),
    ("香港身份证A123456(3)", &["A123456"]),
];

#[test]
fn no_identifying_value_survives() {
    let (det, recall) = (PiiDetector::new(), PiiDetector::anonymising());
    let policy = AnonPolicy::default();
    let mut bad = Vec::new();
    for (line, values) in LINES {
        let mut ms = det.detect(line);
        ms.extend(recall.detect(line));
        let out = anonymise(line, &ms, &policy, b"k");
        for v in *values {
            if out.contains(v) {
                bad.push(format!("{v:?} survives in {out:?}"));
            }
        }
    }
    assert!(bad.is_empty(), "{bad:#?}");
}

#[test]
fn ordinary_words_are_left_alone() {
    let recall = PiiDetector::anonymising();
    for line in [
        "周总结已发，本周总共三笔",
        "小米手机挺好用",
        "好的，收到",
        "ok thx 👍",
        "明天见",
    ] {
        assert!(
            recall.detect(line).is_empty(),
            "{line}: {:?}",
            recall.detect(line)
        );
    }
}
