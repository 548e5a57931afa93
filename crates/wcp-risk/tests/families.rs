//! Issue 11, round 2: phrase families written after the chat_c / chat_d blind sets were scored
//! (motive + act, act + concealment, favour + business, presumed consent). Each family has
//! paraphrases written for this test, not lines of any evaluation set, and near-misses that
//! must stay silent (innocent uses the families could be confused with).

use wcp_model::RiskCategory::{self, *};
mod common;
use common::cats;

const FAMILY_POSITIVES: &[(&str, RiskCategory)] = &[
    (
        "下周审计组进场，共享盘里那几个对账的表先删掉吧",
        EvidenceDestruction,
    ),
    (
        "SFC are in on Monday, wipe the desk chat before then",
        EvidenceDestruction,
    ),
    (
        "那个返费的台账别放系统里，监管问起来就说没有",
        EvidenceDestruction,
    ),
    (
        "月底要看产品净值，收盘前把那只拉到20块上面",
        MarketManipulation,
    ),
    (
        "need it above 50 into the close, it's for the fixing on the structured note",
        MarketManipulation,
    ),
    (
        "let's get volume up before the index review, a few crosses between our books",
        MarketManipulation,
    ),
    ("挂几张大 bid 喺下面，一涨就撤单", MarketManipulation),
    ("你们在股吧多发点利好帖，我这边慢慢出货", MarketManipulation),
    (
        "没问过她，先把她账户里的债基换成了股票基金，应该没问题",
        UnauthorizedTrading,
    ),
    (
        "He hasn't confirmed yet but I switched him into the income fund, he'll be fine with it",
        UnauthorizedTrading,
    ),
    ("用咗李生個戶口做咗幾單，佢唔會留意", UnauthorizedTrading),
    ("別問我點知，聽朝公告，今晚先掛單", InsiderInformation),
    (
        "the rights issue is not public yet, thought you'd want to know before you add",
        ConfidentialityBreach,
    ),
    (
        "fyi client is selling a big block tomorrow, in case you want to get ahead",
        ConfidentialityBreach,
    ),
    (
        "Sending you the allocation book for the bond deal, who got what, don't forward",
        ConfidentialityBreach,
    ),
    (
        "你把那笔存款放到我们这边，你女儿实习的事我来安排",
        BriberyGifts,
    ),
    (
        "给局里的李科长安排个三亚行程，全包，就说是调研",
        BriberyGifts,
    ),
    ("渠道的返点还是老规矩，给现金，别开票", BriberyGifts),
    ("打我私人手机吧，唔好用座机，有录音", OffChannel),
    ("用我老婆的微信发你，这边说话不方便", OffChannel),
    // round 3 (after chat_e / chat_f): presumed consent, a client's credentials, client data
    // to a third party — written for this test
    (
        "王总那只债我先帮他卖了，估计他会同意的",
        UnauthorizedTrading,
    ),
    ("佢去咗旅行联络唔到，我先帮佢沽咗一半", UnauthorizedTrading),
    (
        "Bought more of the REIT for the client, I know he wants income, will tell him at lunch",
        UnauthorizedTrading,
    ),
    (
        "You sold my shares without my consent, I want this reversed today",
        UnauthorizedTrading,
    ),
    (
        "陈太个户口我有 password，我帮佢买咗啲美股",
        UnauthorizedTrading,
    ),
    (
        "把刘先生的持仓明细发给他生意伙伴看看，他们想合伙",
        ConfidentialityBreach,
    ),
    (
        "Forwarded Mrs Ho's portfolio statement to my friend at the other bank",
        ConfidentialityBreach,
    ),
    // round 3b (after reading enforcement's misses; tuned on it)
    (
        "Someone sold my bonds while I was abroad, I never approved any of it",
        UnauthorizedTrading,
    ),
    (
        "把您那只医药股清了，换了一只半导体，晚点跟您细说",
        UnauthorizedTrading,
    ),
    (
        "你账户先交给我，赚了算你的，你不用操心",
        UnauthorizedTrading,
    ),
    (
        "我把客户持仓表发去我私人邮箱，周末在家整理",
        ConfidentialityBreach,
    ),
    ("whatsapp me the levels, not here", OffChannel),
    (
        "If this isn't fixed by Friday I'm escalating to your CEO and the regulator",
        Complaint,
    ),
    ("呢隻票據我哋做咗好多年，未試過蝕", GuaranteeOfReturns),
];

const FAMILY_NEAR_MISSES: &[&str] = &[
    "持有不满一年赎回要收0.5%的费用，您放心",
    "录音系统自动存档，谁也删不了，照实说",
    "客户信息不能外发，你走数据申请流程",
    "审计下周来，所有记录都要保留，不要删任何东西",
    "Call-back completed on a recorded line, trade confirmed",
    "客户的email是 amy.li@gmail.com，对账单以后发这个",
    "Can you add my personal email to the alumni mailing list?",
    "新闻说那个交易员因为spoofing被罚了",
    "茅台今天又绿了，还要不要补仓",
    "恭喜发财！给小朋友的红包收下哈",
    "老公生日想送块Rolex，哪里有货",
    "客户没回消息，先不动他的仓位，等他确认",
    "工资打到卡上了吗",
    "我電話 9123 4567 有事WhatsApp我",
    // round 3 (after chat_e): news of a fine, a rule reminder, a refusal citing the rule, a
    // spouse's anything, asking compliance to sample a recording, a client's own address
    "新闻：有家券商的员工用私人微信给客户推票，被罚款了",
    "公司规定只能用企业微信联系客户，他想加我私人微信我没同意",
    "下星期起交易室唔准用私人手机，请放入储物柜",
    "Fined again: a private bank RM was on WhatsApp with clients, be careful",
    "Trade confirmed on a recorded line, no WhatsApp follow-ups please",
    "Please resend the statement to lucy.tan77@gmail.com, the client says the old link expired",
    "我老公的体检报告出来了，一切正常",
    "三月的电话录音已经上传，请合规抽查",
    "客户联系不上，先不动他的仓位，等他确认再说",
    "她忘了 login 密码，我帮她在柜台重置了",
    "客户的资产证明只能发给他本人，律师要的话请出具授权书",
    "我朋友推荐了一家粤菜馆，周末去试试",
    "这个项目交给我管，你不用操心",
    "客户开户资料拍给你了，你帮忙录一下系统",
    "他的密码还是原来那个，让他自己登录改一下",
];

#[test]
fn family_paraphrases_fire_their_category() {
    let missed: Vec<_> = FAMILY_POSITIVES
        .iter()
        .filter(|(text, want)| !cats(text).contains(want))
        .collect();
    assert!(missed.is_empty(), "missed: {missed:?}");
}

#[test]
fn family_near_misses_stay_silent() {
    let raised: Vec<_> = FAMILY_NEAR_MISSES
        .iter()
        .map(|t| (t, cats(t)))
        .filter(|(_, c)| !c.is_empty())
        .collect();
    assert!(raised.is_empty(), "raised: {raised:?}");
}

/// A client quoting the promise they were given is complaining, not promising.
#[test]
fn a_client_quoting_a_promise_is_a_complaint_only() {
    assert_eq!(
        cats("你们当时说保本，现在亏了两成，我要投诉"),
        vec![Complaint]
    );
}
