//! The pattern recognizers as data: entity, regex, base score, validator, context words.
//!
//! Patterns are compiled in ASCII mode (`unicode(false)`), so `\b` is an *ASCII* word
//! boundary: a CJK character next to a digit is a boundary, unlike Presidio's Unicode `\b`
//! which misses `手机13800138000`. Scores follow Presidio's scale: a bare weak shape scores
//! low, a passed checksum scores 1.0, context words nearby add [`CONTEXT_BOOST`].

use crate::validate::Check;
use std::sync::LazyLock;

/// One pattern recognizer.
pub struct Rec {
    pub entity: &'static str,
    pub pattern: &'static str,
    pub score: f32,
    pub check: Check,
    pub context: &'static [&'static str],
}

pub const CONTEXT_BOOST: f32 = 0.35;

const PHONE_CTX: &[&str] = &[
    "phone",
    "mobile",
    "tel",
    "call",
    "messages to",
    "registered",
    "office",
    "fax",
    "sms",
    "contact",
    "answering",
    "number",
    "whatsapp",
    "reach",
    "cell",
    "电话",
    "電話",
    "手机",
    "手機",
    "号码",
    "號碼",
    "联系",
    "聯絡",
    "打给",
    "致电",
];
const CARD_CTX: &[&str] = &["card", "visa", "mastercard", "卡", "银联"];
const CN_ID_CTX: &[&str] = &["身份证", "身份證", "证件", "id no", "id card", "resident"];
const PASSPORT_CTX: &[&str] = &["passport", "护照", "護照"];
const SSN_CTX: &[&str] = &["ssn", "social security", "social"];
const BANK_CTX: &[&str] = &["account", "acct", "bank", "check", "账号", "賬號"];

/// Every pattern recognizer: the core table, then the regional ones
/// ([`crate::recognizers_intl`]); an index into this list identifies a recognizer.
pub static RECS: LazyLock<Vec<&'static Rec>> = LazyLock::new(|| {
    RECS_CORE
        .iter()
        .chain(crate::recognizers_cn::RECS_CN)
        .chain(crate::recognizers_cn::RECS_CN_CONTEXT)
        .chain(crate::recognizers_intl::RECS_INTL)
        .collect()
});

/// Index in [`RECS`] of the first context-gated recognizer (the label-only Chinese shapes,
/// then the regional ones); they all follow it.
pub fn first_regional() -> usize {
    RECS_CORE.len() + crate::recognizers_cn::RECS_CN.len()
}

/// Is recognizer `i` (index into [`RECS`]) a regional one, capped without context?
pub fn is_regional(i: usize) -> bool {
    i >= first_regional()
}

pub const RECS_CORE: &[Rec] = &[
    // ---- China -----------------------------------------------------------------------
    Rec {
        entity: "CN_RESIDENT_ID",
        pattern: r"\b[1-8][0-9]{5} ?(?:18|19|20)[0-9]{2}[01][0-9][0-3][0-9] ?[0-9]{3}[0-9Xx]\b",
        score: 0.5,
        check: Check::CnRic,
        context: CN_ID_CTX,
    },
    Rec {
        entity: "CN_USCC",
        pattern: r"\b[1-9ANY][0-9A-HJ-NPQRTUWXY][0-9]{6}[0-9A-HJ-NPQRTUWXY]{10}\b",
        score: 0.5,
        check: Check::CnUscc,
        context: &["信用代码", "税号", "營業執照", "营业执照", "uscc"],
    },
    Rec {
        entity: "CN_PASSPORT",
        pattern: r"\b(?:[EG][0-9]{8}|E[A-HJ-NP-Z][0-9]{7})\b",
        score: 0.6,
        check: Check::None,
        context: PASSPORT_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"(?:(?:\+|\b00)86[ -]?|\(\+?86\) ?|\b)1[3-9][0-9](?:[0-9]{8}|-[0-9]{4}-[0-9]{4}| [0-9]{4} [0-9]{4})\b",
        score: 0.6,
        check: Check::CnMobile,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"(?:\+86[ -]?|\b)(?:\(0[1-9][0-9]{1,2}\) ?|0[1-9][0-9]{1,2}-)[2-9][0-9]{3}[- ]?[0-9]{3,4}\b",
        score: 0.6,
        check: Check::None,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"(?:\+(?:852|853|65)|\(\+?(?:852|853|65)\))[ -]?[2-9][0-9]{3}[ -]?[0-9]{4}\b",
        score: 0.9,
        check: Check::None,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"\b[235689][0-9]{3}[ -]?[0-9]{4}\b",
        score: 0.2,
        check: Check::Hk8,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"(?:\+1[ -.]?|\b1-)?(?:\([2-9][0-9]{2}\) ?|\b[2-9][0-9]{2}[-. ])[2-9][0-9]{2}[-. ][0-9]{4}\b",
        score: 0.7,
        check: Check::None,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"\+1[ -]?[2-9][0-9]{9}\b",
        score: 0.8,
        check: Check::None,
        context: PHONE_CTX,
    },
    // Any other grouping (national formats across Europe, Africa, Oceania): weak on its own,
    // reported only next to a phone word and never next to a "this is a code" word.
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"(?:\+[0-9]{1,3}[ .-]?)?(?:\(0\) ?)?(?:\([0-9]{2,5}\) ?|\b[0-9]{2,5}[ .-])(?:[0-9]{2,8}[ .-]){0,4}[0-9]{2,8}(?:(?: ?x| ext\.? ?)[0-9]{1,5})?\b|\b[0-9]{10}\b",
        score: 0.3,
        check: Check::GenericPhone,
        context: PHONE_CTX,
    },
    Rec {
        entity: "PHONE_NUMBER",
        pattern: r"\+(?:[2-7][0-9]|8[0-9]|9[0-8])[0-9]?[ -]?(?:\(0\) ?)?[0-9]{1,4}(?:[ -]?[0-9]{2,4}){1,4}\b",
        score: 0.5,
        check: Check::IntlPhone,
        context: PHONE_CTX,
    },
    Rec {
        entity: "WECHAT_ID",
        pattern: r"\bwxid_[A-Za-z0-9]{4,30}\b",
        score: 0.95,
        check: Check::None,
        context: &[],
    },
    // ---- cards, banking ------------------------------------------------------------------
    Rec {
        entity: "CREDIT_CARD",
        pattern: r"\b[1-6][0-9]{3}(?:[0-9]{8,15}|(?:[ -][0-9]{4}){3}(?:[ -]?[0-9]{1,3})?)\b",
        score: 0.3,
        check: Check::Card,
        context: CARD_CTX,
    },
    Rec {
        entity: "CREDIT_CARD",
        pattern: r"\b3[0-9]{3}[ -][0-9]{6}[ -][0-9]{4,5}\b",
        score: 0.3,
        check: Check::Card,
        context: CARD_CTX,
    },
    Rec {
        entity: "IBAN_CODE",
        pattern: r"\b[A-Z]{2}[0-9]{2}(?:[A-Z0-9]{11,30}|(?:[ -][A-Z0-9]{4}){2,7}(?:[ -][A-Z0-9]{1,3})?)\b|\b[a-z]{2}[0-9]{2}[a-z0-9]{11,30}\b",
        score: 0.5,
        check: Check::Iban,
        context: &["iban", "bank", "account"],
    },
    Rec {
        entity: "ABA_ROUTING_NUMBER",
        pattern: r"\b[0123678][0-9]{3}-?[0-9]{4}-?[0-9]\b",
        score: 0.05,
        check: Check::Aba,
        context: &["aba", "routing", "abarouting", "association", "bankrouting"],
    },
    Rec {
        entity: "US_BANK_NUMBER",
        pattern: r"\b[0-9]{8,17}\b",
        score: 0.05,
        check: Check::None,
        context: BANK_CTX,
    },
    Rec {
        entity: "CRYPTO",
        pattern: r"\b(?:bc1[a-z0-9]{25,59}|[13][a-km-zA-HJ-NP-Z1-9]{25,34})\b",
        score: 0.5,
        check: Check::Crypto,
        context: &["wallet", "btc", "bitcoin", "crypto"],
    },
    // ---- internet ------------------------------------------------------------------------
    Rec {
        entity: "EMAIL_ADDRESS",
        pattern: r"[A-Za-z0-9!#$%&'*+/=?^_`{|}~-](?:[A-Za-z0-9!#$%&'*+/=?^_`{|}~.-]*[A-Za-z0-9!#$%&'*+/=?^_`{|}~-])?@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)*\.[A-Za-z]{2,24}\b",
        score: 1.0,
        check: Check::None,
        context: &["email", "mail", "邮箱", "郵箱"],
    },
    Rec {
        entity: "IP_ADDRESS",
        pattern: r"\b(?:[0-9]{1,3}\.){3}[0-9]{1,3}(?:/[0-9]{1,3})?\b",
        score: 0.6,
        check: Check::Ipv4,
        context: &["ip", "ipv4", "address", "服务器", "地址"],
    },
    Rec {
        entity: "IP_ADDRESS",
        pattern: r"[0-9A-Fa-f:]*:[0-9A-Fa-f]*:[0-9A-Fa-f:.]*(?:%[0-9A-Za-z]+)?(?:/[0-9]{1,4})?",
        score: 0.6,
        check: Check::Ipv6,
        context: &["ip", "ipv6", "address"],
    },
    Rec {
        entity: "MAC_ADDRESS",
        pattern: r"\b[0-9A-Fa-f]{2}(?:[:-][0-9A-Fa-f]{2}){5}\b|\b[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\.[0-9A-Fa-f]{4}\b",
        score: 0.6,
        check: Check::Mac,
        context: &["mac", "ethernet", "wifi"],
    },
    Rec {
        entity: "URL",
        pattern: r"\b(?:https?|ftp)://[A-Za-z0-9._~:/?#@!$&'*+,;=%()\[\]-]+|\bwww\.[A-Za-z0-9-]+(?:\.[A-Za-z0-9-]+)*\.[A-Za-z]{2,24}(?:/[A-Za-z0-9._~:/?#@!$&'*+,;=%-]*)?",
        score: 0.6,
        check: Check::Url,
        context: &["url", "website", "link", "链接", "网址"],
    },
    // ---- United States -------------------------------------------------------------------
    Rec {
        entity: "US_SSN",
        pattern: r"\b[0-9]{3}(?:-[0-9]{2}-|\.[0-9]{2}\.| [0-9]{2} )[0-9]{4}\b",
        score: 0.5,
        check: Check::UsSsn,
        context: SSN_CTX,
    },
    Rec {
        entity: "US_SSN",
        pattern: r"\b[0-9]{9}\b|\b[0-9]{5}-[0-9]{4}\b|\b[0-9]{3}-[0-9]{6}\b",
        score: 0.05,
        check: Check::UsSsn,
        context: SSN_CTX,
    },
    Rec {
        entity: "US_ITIN",
        pattern: r"\b9[0-9]{2}[- ]?(?:5[0-9]|6[0-5]|7[0-9]|8[0-8]|9[0-24-9])[- ]?[0-9]{4}\b",
        score: 0.5,
        check: Check::Itin,
        context: &["itin", "individual", "taxpayer", "tax"],
    },
    Rec {
        entity: "US_PASSPORT",
        pattern: r"\b[0-9]{9}\b|\b[A-Z][0-9]{8}\b",
        score: 0.05,
        check: Check::None,
        context: &["us", "united", "states", "passport", "travel", "document"],
    },
    Rec {
        entity: "US_DRIVER_LICENSE",
        pattern: r"\b(?:[A-Z][0-9]{3,6}|[A-Z][0-9]{5,9}|[A-Z][0-9]{6,8}|[A-Z][0-9]{4,8}|[A-Z][0-9]{9,11}|[A-Z]{1,2}[0-9]{5,6}|H[0-9]{8}|V[0-9]{6}|X[0-9]{8}|[A-Z]{2}[0-9]{2,5}|[A-Z]{2}[0-9]{3,7}|[0-9]{2}[A-Z]{3}[0-9]{5,6}|[A-Z][0-9]{13,14}|[A-Z][0-9]{18}|[A-Z][0-9]{6}R|[A-Z][0-9]{9}|[A-Z][0-9]{1,12}|[0-9]{9}[A-Z]|[A-Z]{2}[0-9]{6}[A-Z]|[0-9]{8}[A-Z]{2}|[0-9]{3}[A-Z]{2}[0-9]{4}|[A-Z][0-9][A-Z][0-9][A-Z]|[0-9]{7,8}[A-Z])\b",
        score: 0.3,
        check: Check::None,
        context: &["driver", "license", "licence", "permit", "dl", "lic"],
    },
    // ---- United Kingdom ------------------------------------------------------------------
    Rec {
        entity: "UK_NHS",
        pattern: r"\b[0-9]{3}[- ]?[0-9]{3}[- ]?[0-9]{4}\b",
        score: 0.5,
        check: Check::UkNhs,
        context: &["nhs", "national health", "health service"],
    },
    Rec {
        entity: "UK_NINO",
        pattern: r"\b[A-CEGHJ-PR-TW-Za-ceghj-pr-tw-z][A-CEGHJ-NPR-TW-Za-ceghj-npr-tw-z] ?[0-9]{2} ?[0-9]{2} ?[0-9]{2} ?[A-Da-d]\b",
        score: 0.5,
        check: Check::UkNino,
        context: &["national insurance", "ni number", "nino"],
    },
    // ---- Singapore, Australia ------------------------------------------------------------
    Rec {
        entity: "SG_NRIC_FIN",
        pattern: r"\b[A-Za-z][0-9]{7}[A-Za-z]\b",
        score: 0.5,
        check: Check::SgNric,
        context: &["fin", "nric", "ic"],
    },
    Rec {
        entity: "SG_UEN",
        pattern: r"\b(?:[0-9]{8}[A-Z]|[0-9]{9}[A-Z]|[TSR][0-9]{2}[A-Z]{2}[0-9]{4}[A-Z])\b",
        score: 0.3,
        check: Check::SgUen,
        context: &[
            "uen",
            "unique entity number",
            "business registration",
            "acra",
        ],
    },
    Rec {
        entity: "AU_ABN",
        pattern: r"\b[0-9]{2} ?[0-9]{3} ?[0-9]{3} ?[0-9]{3}\b",
        score: 0.1,
        check: Check::AuAbn,
        context: &["abn", "australian business number"],
    },
    Rec {
        entity: "AU_ACN",
        pattern: r"\b[0-9]{3} ?[0-9]{3} ?[0-9]{3}\b",
        score: 0.1,
        check: Check::AuAcn,
        context: &["acn", "australian company number"],
    },
    Rec {
        entity: "AU_TFN",
        pattern: r"\b[0-9]{3} ?[0-9]{3} ?[0-9]{3}\b",
        score: 0.1,
        check: Check::AuTfn,
        context: &["tfn", "tax file number"],
    },
    Rec {
        entity: "AU_MEDICARE",
        pattern: r"\b[2-6][0-9]{3} ?[0-9]{5} ?[0-9]\b",
        score: 0.1,
        check: Check::AuMedicare,
        context: &["medicare"],
    },
    // ---- India ---------------------------------------------------------------------------
    Rec {
        entity: "IN_PAN",
        pattern: r"\b[A-Za-z]{3}[ABCFGHJLPTabcfghjlpt][A-Za-z][0-9]{4}[A-Za-z]\b",
        score: 0.5,
        check: Check::None,
        context: &["pan", "permanent account number"],
    },
    Rec {
        entity: "IN_AADHAAR",
        pattern: r"\b[2-9][0-9]{3}[- :]?[0-9]{4}[- :]?[0-9]{4}\b",
        score: 0.01,
        check: Check::Aadhaar,
        context: &["aadhaar", "uidai"],
    },
    Rec {
        entity: "IN_VEHICLE_REGISTRATION",
        pattern: r"\b(?:AN|AP|AR|AS|BR|CG|CH|DD|DL|DN|GA|GJ|HP|HR|JH|JK|KA|KL|LA|LD|MH|ML|MN|MP|MZ|NL|OD|OR|PB|PY|RJ|SK|TN|TR|TS|UK|UP|WB)[0-9]{1,2}[A-Z]{1,3}[0-9]{4}\b",
        score: 0.5,
        check: Check::None,
        context: &["vehicle", "registration", "rto"],
    },
    Rec {
        entity: "IN_VOTER",
        pattern: r"\b[A-Za-z]{3}[0-9]{7}\b",
        score: 0.3,
        check: Check::None,
        context: &["voter", "epic", "election"],
    },
    Rec {
        entity: "IN_PASSPORT",
        pattern: r"\b[A-Z][1-9][0-9]\s?[0-9]{4}[1-9]\b",
        score: 0.1,
        check: Check::None,
        context: &["passport", "indian passport"],
    },
    // ---- Europe (the IT_FISCAL_CODE pattern encodes the codice-fiscale layout — name and
    // surname letters, date with month letter, municipality — as Presidio writes it, MIT) --------------------------------------------------------------------------
    Rec {
        entity: "ES_NIF",
        pattern: r"\b[0-9]{7,8}-?[A-Za-z]\b",
        score: 0.5,
        check: Check::EsNif,
        context: &["nif", "dni", "documento"],
    },
    Rec {
        entity: "ES_NIE",
        pattern: r"\b[XYZxyz]-?[0-9]{7}-?[A-Za-z]\b",
        score: 0.5,
        check: Check::EsNie,
        context: &["nie", "extranjero"],
    },
    Rec {
        entity: "IT_FISCAL_CODE",
        pattern: r"(?i)\b(?:(?:[A-Z][AEIOU][AEIOUX]|[AEIOU]X{2}|[B-DF-HJ-NP-TV-Z]{2}[A-Z]){2}(?:[\dLMNP-V]{2}(?:[A-EHLMPR-T](?:[04LQ][1-9MNP-V]|[15MR][\dLMNP-V]|[26NS][0-8LMNP-U])|[DHPS][37PT][0L]|[ACELMRT][37PT][01LM]|[AC-EHLMPR-T][26NS][9V])|(?:[02468LNQSU][048LQU]|[13579MPRTV][26NS])B[26NS][9V])(?:[A-MZ][1-9MNP-V][\dLMNP-V]{2}|[A-M][0L](?:[1-9MNP-V][\dLMNP-V]|[0L][1-9MNP-V]))[A-Z])\b",
        score: 0.3,
        check: Check::ItFiscal,
        context: &["codice fiscale", "cf", "fiscal"],
    },
    Rec {
        entity: "IT_VAT_CODE",
        pattern: r"\b[0-9]{11}\b|\b[0-9]{3}[ _][0-9]{3}[ _][0-9]{5}\b",
        score: 0.1,
        check: Check::ItVat,
        context: &["piva", "partita iva", "iva", "vat"],
    },
    Rec {
        entity: "IT_DRIVER_LICENSE",
        pattern: r"\b(?:[A-Za-z]{2}[0-9]{7}[A-Za-z]|U1[BCDEFGHLJKMNPRSTUWYXZ0-9bcdefghljkmnprstuwyxz]{7}[A-Za-z])\b",
        score: 0.2,
        check: Check::None,
        context: &["patente", "guida"],
    },
    Rec {
        entity: "IT_PASSPORT",
        pattern: r"\b[A-Za-z]{2}[0-9]{7}\b",
        score: 0.01,
        check: Check::None,
        context: &["passaporto", "passport"],
    },
    Rec {
        entity: "IT_IDENTITY_CARD",
        pattern: r"\b(?:[A-Za-z]{2}\s?[0-9]{7}|[0-9]{7}[A-Za-z]{2}|[A-Za-z]{2}[0-9]{5}[A-Za-z]{2})\b",
        score: 0.01,
        check: Check::None,
        context: &["carta", "identità", "documento"],
    },
    Rec {
        entity: "PL_PESEL",
        pattern: r"\b[0-9]{2}[0-9][0-9][0-3][0-9][0-9]{5}\b",
        score: 0.4,
        check: Check::PlPesel,
        context: &["pesel"],
    },
    Rec {
        entity: "FI_PERSONAL_IDENTITY_CODE",
        pattern: r"\b[0-9]{6}[-+ABCDEFUVWXY][0-9]{3}[0-9A-Za-z]\b",
        score: 0.5,
        check: Check::FiHetu,
        context: &["hetu", "henkilötunnus", "personal identity code"],
    },
    // ---- Asia-Pacific --------------------------------------------------------------------
    Rec {
        entity: "KR_RRN",
        pattern: r"\b[0-9]{2}[01][0-9][0-3][0-9]-?[1-4][0-9]{6}\b",
        score: 0.5,
        check: Check::KrRrn,
        context: &["rrn", "주민등록번호", "resident registration"],
    },
    Rec {
        entity: "TH_TNIN",
        pattern: r"\b[1-8][0-9]{12}\b|\b[1-8]-[0-9]{4}-[0-9]{5}-[0-9]{2}-[0-9]\b",
        score: 0.5,
        check: Check::ThTnin,
        context: &["tnin", "บัตรประชาชน", "thai id"],
    },
];
