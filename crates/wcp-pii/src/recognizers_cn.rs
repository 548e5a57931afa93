//! Greater-China identifiers outside Presidio's set that identify a person in this
//! product's chats: licence plates, HK identity cards, travel permits (往来港澳通行证,
//! 回乡证, 台胞证, 往来台湾通行证), bank accounts that are not card-shaped, QQ numbers, and
//! dates of birth written the Chinese way. Patterns follow the documents' published
//! formats; the weak shapes need a context word of their own to be reported.

use crate::recognizers::Rec;
use crate::validate::Check;

const PERMIT_CTX: &[&str] = &[
    "通行证",
    "通行證",
    "回乡证",
    "回鄉證",
    "台胞证",
    "台胞證",
    "港澳",
    "来往",
    "來往",
    "往来",
    "permit",
    "eep",
    "home return",
];
const ACCOUNT_CTX: &[&str] = &[
    "账号",
    "帐号",
    "賬號",
    "帳號",
    "账户",
    "帐户",
    "賬戶",
    "帳戶",
    "户名",
    "戶名",
    "开户",
    "開戶",
    "收款",
    "转账",
    "轉賬",
    "汇款",
    "匯款",
    "打款",
    "银行",
    "銀行",
    "卡号",
    "account",
    "acct",
    "a/c",
    "bank",
    "资金账号",
    "证券账户",
    "股东账户",
];

pub const RECS_CN: &[Rec] = &[
    Rec {
        // province abbreviation + issuing-office letter + 5 characters (6 for new-energy
        // plates); `·` or a space may follow the letter
        entity: "CN_LICENSE_PLATE",
        pattern: r"(?:京|津|沪|滬|渝|冀|豫|云|雲|辽|遼|黑|湘|皖|鲁|魯|新|苏|蘇|浙|赣|贛|鄂|桂|甘|晋|晉|蒙|陕|陝|吉|闽|閩|贵|貴|粤|粵|青|藏|川|宁|寧|琼|瓊)[A-HJ-NP-Z](?:·|•| )?[A-HJ-NP-Z0-9]{5,6}\b",
        score: 0.6,
        check: Check::None,
        context: &["车牌", "車牌", "plate", "牌照"],
    },
    Rec {
        entity: "HK_IDENTITY_CARD",
        pattern: r"\b[A-Z]{1,2}[0-9]{6} ?(?:\([0-9A]\)|[0-9A]\b)",
        score: 0.3,
        check: Check::HkId,
        context: &[
            "身份证",
            "身份證",
            "hkid",
            "id card",
            "identity card",
            "香港",
        ],
    },
    Rec {
        // 往来港澳通行证 C+8 / C+letter+7 (W+8 booklets), 回乡证 H/M+8(+2),
        // 往来台湾通行证 T+8
        entity: "CN_TRAVEL_PERMIT",
        pattern: r"\b(?:[CW][0-9]{8}|C[A-HJ-NP-Z][0-9]{7}|[HM][0-9]{8}(?:[0-9]{2})?|T[0-9]{8})\b",
        score: 0.35,
        check: Check::None,
        context: PERMIT_CTX,
    },
];

/// The weak shapes of this table (bare digit runs): reported only next to their label,
/// so they are scanned, like the regional recognizers, only on lines that have one.
pub const RECS_CN_CONTEXT: &[Rec] = &[
    Rec {
        // 台胞证 (Mainland Travel Permit for Taiwan Residents): 8 digits, only with its name
        entity: "CN_TRAVEL_PERMIT",
        pattern: r"\b[0-9]{8}\b",
        score: 0.05,
        check: Check::None,
        context: &["台胞证", "台胞證", "mtp"],
    },
    Rec {
        // domestic account numbers are 10–25 digits, often grouped by four
        entity: "BANK_ACCOUNT",
        pattern: r"\b[0-9]{10,25}\b|\b[0-9]{4}(?:[ -][0-9]{2,6}){2,6}\b",
        score: 0.1,
        check: Check::BankAccount,
        context: ACCOUNT_CTX,
    },
    Rec {
        entity: "QQ_NUMBER",
        pattern: r"\b[1-9][0-9]{4,10}\b",
        score: 0.05,
        check: Check::None,
        context: &["qq", "扣扣", "企鹅号"],
    },
    Rec {
        // 3月12日 without a year: only as a birthday
        entity: "DATE_TIME",
        pattern: r"(?:1[0-2]|0?[1-9]) ?月 ?(?:3[01]|[12][0-9]|0?[1-9]) ?(?:日|号|號)",
        score: 0.05,
        check: Check::None,
        context: &["生日", "出生", "生于", "生於", "birthday", "dob"],
    },
];
