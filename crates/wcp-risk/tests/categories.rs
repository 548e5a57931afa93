//! Table tests of the shipped policy: per category, Simplified, Traditional/Cantonese and
//! English positives, evasions, and innocent near-misses that must not fire. Lines are written
//! for these tests (not taken from the evaluation sets).

use wcp_model::RiskCategory::{self, *};
mod common;
use common::{cats, engine};
use wcp_risk::RiskEngine;

const POSITIVES: &[(&str, RiskCategory)] = &[
    // guarantee_of_returns
    ("刘总放心，这个计划保本保息，年化六个点", GuaranteeOfReturns),
    ("呢隻產品保證穩賺，蝕咗算我嘅", GuaranteeOfReturns),
    (
        "Honestly this bond fund is risk-free, you can't lose",
        GuaranteeOfReturns,
    ),
    (
        "I can guarantee a 7% return on this one",
        GuaranteeOfReturns,
    ),
    // insider_information
    ("内幕消息，那家公司下周停牌重组，先建仓", InsiderInformation),
    ("聽講佢哋下週公佈併購，今日快啲買入", InsiderInformation),
    (
        "The results are not public until Friday, buy for the managed accounts now",
        InsiderInformation,
    ),
    // market_manipulation
    ("我们几个账户对倒一下，把成交量做上去", MarketManipulation),
    ("幾個戶口一齊往上拉，把價格做到二十蚊", MarketManipulation),
    (
        "Let's paint the tape a bit before the placement",
        MarketManipulation,
    ),
    // off_channel
    ("这事别在企业微信说，加我私人微信", OffChannel),
    ("呢啲嘢唔好喺度講，用WhatsApp搵我", OffChannel),
    (
        "Please send the pricing to my personal email instead",
        OffChannel,
    ),
    // evidence_destruction
    ("合规要来查了，把群里那些聊天记录删掉", EvidenceDestruction),
    ("審計之前把那批單據銷毀，別讓人翻到", EvidenceDestruction),
    (
        "Delete the chat messages with the client before the audit",
        EvidenceDestruction,
    ),
    // bribery_gifts
    ("给招标评审的领导包个红包，这单就稳了", BriberyGifts),
    ("每單俾你個人返點，走朋友公司嘅賬", BriberyGifts),
    (
        "Pay the treasurer a kickback through the consulting firm",
        BriberyGifts,
    ),
    // confidentiality_breach
    ("我把客户名单导出来了，带去新公司用", ConfidentialityBreach),
    ("將客戶資料拍給外面嘅中介", ConfidentialityBreach),
    (
        "Export the client list and forward it to my personal gmail",
        ConfidentialityBreach,
    ),
    // complaint
    ("你们乱收费，我要投诉到证监局", Complaint),
    ("你哋服務太差，我要投訴", Complaint),
    (
        "I want to file a formal complaint about these fees",
        Complaint,
    ),
    // unauthorized_trading
    ("客户不知道，我先用他的账户买了两万", UnauthorizedTrading),
    ("未經客戶同意就幫佢賣咗", UnauthorizedTrading),
    (
        "I sold her bonds without her permission, will tell her later",
        UnauthorizedTrading,
    ),
];

/// Filters inserted between CJK characters, full-width letters, zero-width characters.
const EVASIONS: &[(&str, RiskCategory)] = &[
    ("这个产品保 本 保 息", GuaranteeOfReturns),
    ("这个产品保.本.保.息", GuaranteeOfReturns),
    ("亏*了*算*我*的", GuaranteeOfReturns),
    ("内\u{200B}幕\u{200B}消息，明天先买", InsiderInformation),
    ("加我私·人·微·信聊", OffChannel),
    ("用ＷＨＡＴＳＡＰＰ联系我", OffChannel),
    ("给处长送两张购 物 卡", BriberyGifts),
    ("合规要来查，聊-天-记-录都删了", EvidenceDestruction),
    ("I GUARANTEE you 10% returns", GuaranteeOfReturns),
];

/// Innocent uses of risky words: none of these may produce any risk.
const NEAR_MISSES: &[&str] = &[
    "这个产品不保本，净值会有波动，请阅读风险揭示书",
    "Past performance is no guarantee of future returns.",
    "Vendor guaranteed delivery of the chairs by Monday",
    "保证按时完成季度报告！",
    "内部消息：今天食堂有饺子",
    "Insider tip: the noodle shop on level 2 is great",
    "I deleted the duplicate file, use the final version",
    "会议纪要里重复的两段我删掉了，新版在共享盘",
    "周末爬山群我拉你，用私人微信加我",
    "红包封面在哪里领的？好看",
    "I need to pump up my bike tyres",
    "我老婆天天抱怨我加班",
    "客户忘记交易密码了，我教他重置密码",
    "The buy signal on the daily chart looks strong",
    "No complaints here, the offsite was great",
    "明天上午十点开会，记得带电脑",
    "Please keep all client communication on WeCom",
];

#[test]
fn positives_fire_their_category() {
    for (text, want) in POSITIVES.iter().chain(EVASIONS) {
        let got = cats(text);
        assert!(got.contains(want), "{text:?}: want {want}, got {got:?}");
    }
}

#[test]
fn near_misses_stay_silent() {
    for text in NEAR_MISSES {
        let got = engine().scan(text);
        assert!(got.is_empty(), "{text:?} fired {got:?}");
    }
}

#[test]
fn every_category_has_a_lexicon_positive_in_each_script() {
    // zh-Hans, zh-Hant/Cantonese and English for all nine categories, each matched by a rule
    // (not only by a model), so the policy itself covers all three.
    for c in RiskCategory::ALL {
        let rows: Vec<&str> = POSITIVES
            .iter()
            .filter(|(_, k)| *k == c)
            .map(|(t, _)| *t)
            .collect();
        assert!(rows.len() >= 3, "{c}: needs three table rows");
        for t in rows {
            let m = engine()
                .scan(t)
                .into_iter()
                .find(|m| m.category == c)
                .unwrap();
            assert!(
                !m.rule_id.starts_with("model."),
                "{t:?} matched only by {}",
                m.rule_id
            );
        }
    }
}

#[test]
fn spans_point_into_the_original_text() {
    let text = "王姐，保.本保息，放心";
    let m = engine()
        .scan(text)
        .into_iter()
        .find(|m| m.category == GuaranteeOfReturns)
        .unwrap();
    assert!(
        text[m.start..m.end].starts_with("保.本"),
        "span {:?}",
        &text[m.start..m.end]
    );
    let text = "好的，用ＷｈａｔｓＡｐｐ说";
    let m = engine()
        .scan(text)
        .into_iter()
        .find(|m| m.category == OffChannel)
        .unwrap();
    assert_eq!(&text[m.start..m.end], "ＷｈａｔｓＡｐｐ");
    assert!(m.explanation.contains("whatsapp"), "{}", m.explanation);
}

#[test]
fn results_are_sorted_and_one_per_category() {
    let text = "把客户名单发我私人邮箱，别留痕，亏了算我的";
    let got = engine().scan(text);
    assert!(got.windows(2).all(|w| w[0].start <= w[1].start), "{got:?}");
    let mut c: Vec<_> = got.iter().map(|m| m.category).collect();
    c.sort();
    c.dedup();
    assert_eq!(c.len(), got.len());
}

/// Lines on which a category model alone would fire, but the lexicon recognises an innocent use
/// of that category (an exception phrase), which vetoes the model for that category.
const MODEL_VETOED: &[(&str, RiskCategory)] = &[
    (
        "这款理财不保证收益，历史年化只是参考而已",
        GuaranteeOfReturns,
    ),
    (
        "I can't promise anything, the note pays a 4% coupon",
        GuaranteeOfReturns,
    ),
    ("把多余的那页删掉，格式统一一下", EvidenceDestruction),
    (
        "My personal phone died, reach me on the desk line",
        OffChannel,
    ),
];

#[test]
fn exceptions_veto_the_category_model() {
    // A policy whose models fire on anything (no threshold, no evidence floor): every category
    // the lexicon does not veto is reported, so a missing category is the veto at work.
    let permissive = wcp_risk::BUILTIN_POLICY
        .replace("gate_threshold = 0.3", "gate_threshold = 0.0")
        .replace("threshold = 0.5", "threshold = 0.0")
        .replace("evidence_floor = 1.0", "evidence_floor = 0.0")
        .replace("min_chars = 10", "min_chars = 0");
    let engine = RiskEngine::from_policy_toml(&permissive).unwrap();
    for &(text, cat) in MODEL_VETOED {
        let got: Vec<RiskCategory> = engine.scan(text).iter().map(|m| m.category).collect();
        assert!(
            got.len() >= 5,
            "{text}: the permissive models should fire: {got:?}"
        );
        assert!(!got.contains(&cat), "{text}: {cat:?} not vetoed");
    }
}
