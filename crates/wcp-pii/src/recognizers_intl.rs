//! Regional recognizers: the rest of Presidio's predefined entity set (Germany, Canada,
//! Spain, India, Korea, Nigeria, the Philippines, Sweden, Turkey, the UK, the US, South
//! Africa) and dates. Patterns are written from each identifier's published format; scores
//! are on Presidio's scale. These numbers are rare in this product's chats and many share a
//! shape with a phone or account number, so without a context word of their own they score
//! at most [`REGIONAL_CAP`], below the production threshold: `wcp detect` reports them only
//! next to their context word, `--min-score 0` reports every candidate.

use crate::recognizers::Rec;
use crate::validate::Check;

/// Highest score a regional recognizer gives without one of its context words.
pub const REGIONAL_CAP: f32 = 0.3;
/// Highest score with a context word: below a core recognizer's checksum + context.
pub const REGIONAL_MAX: f32 = 0.9;

const DE_PASS_CTX: &[&str] = &["reisepass", "passnummer", "passport", "pass-nr"];
const PLATE_CTX: &[&str] = &[
    "plate",
    "registration",
    "vehicle",
    "reg",
    "kennzeichen",
    "plaka",
    "车牌",
    "車牌",
];
const PHONE_CTX: &[&str] = &[
    "phone", "mobile", "cell", "number", "contact", "call", "telepono", "numero", "telefon", "cep",
    "tel",
];
const DATE_CTX: &[&str] = &[
    "birthday", "birth", "born", "dob", "d.o.b", "生日", "出生", "生于", "生於", "出世",
];

macro_rules! rec {
    ($e:expr, $p:expr, $s:expr, $c:expr, $ctx:expr) => {
        Rec {
            entity: $e,
            pattern: $p,
            score: $s,
            check: $c,
            context: $ctx,
        }
    };
}

pub const RECS_INTL: &[Rec] = &[
    // ---- Germany -------------------------------------------------------------------------
    rec!(
        "DE_BSNR",
        r"\b[0-9]{9}\b",
        0.2,
        Check::NotAllZero,
        &[
            "bsnr",
            "betriebsstättennummer",
            "betriebsstätte",
            "praxisnummer"
        ]
    ),
    rec!(
        "DE_FUEHRERSCHEIN",
        r"\b[A-Z]{2}[0-9]{8}[A-Z0-9]\b",
        0.35,
        Check::None,
        &[
            "führerschein",
            "fahrerlaubnis",
            "driving licence",
            "driving license",
            "führerscheinnummer"
        ]
    ),
    rec!(
        "DE_HANDELSREGISTER",
        r"\bHR[AB] *[0-9]{1,6}\b",
        0.5,
        Check::None,
        &[
            "handelsregister",
            "amtsgericht",
            "registergericht",
            "hrb",
            "hra"
        ]
    ),
    rec!(
        "DE_HEALTH_INSURANCE",
        r"\b[A-Z][0-9]{9}\b",
        0.3,
        Check::DeKvnr,
        &[
            "krankenversicherungsnummer",
            "versichertennummer",
            "kvnr",
            "krankenkasse",
            "gesundheitskarte"
        ]
    ),
    rec!(
        "DE_ID_CARD",
        r"\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{7}[0-9]\b|\bT[0-9]{8}\b",
        0.4,
        Check::DeIdCard,
        &[
            "personalausweis",
            "ausweis",
            "ausweisnummer",
            "identity card",
            "id card"
        ]
    ),
    rec!(
        "DE_KFZ",
        r"\b[A-Z]{1,3}(?: |-)[A-Z]{1,2}(?: |-)[0-9]{1,4}[EH]?\b|\b(?:Ä|Ö|Ü)[A-Z]{0,2}(?: |-)[A-Z]{1,2}(?: |-)[0-9]{1,4}[EH]?\b",
        0.3,
        Check::None,
        &[
            "kennzeichen",
            "kfz",
            "nummernschild",
            "fahrzeug",
            "auto",
            "pkw"
        ]
    ),
    rec!(
        "DE_LANR",
        r"\b[0-9]{9}\b",
        0.3,
        Check::DeLanr,
        &["lanr", "arztnummer", "arzt-nr", "arzt"]
    ),
    rec!(
        "DE_PASSPORT",
        r"\b[CFGHJKLMNPRTVWXYZ][CFGHJKLMNPRTVWXYZ0-9]{7}[0-9]\b",
        0.4,
        Check::DePassport,
        DE_PASS_CTX
    ),
    rec!(
        "DE_PLZ",
        r"\b(?:0[1-9][0-9]{3}|[1-9][0-9]{4})\b",
        0.05,
        Check::DePlz,
        &["plz", "postleitzahl", "postanschrift", "adresse", "wohnort"]
    ),
    rec!(
        "DE_SOCIAL_SECURITY",
        r"\b[0-9]{8}[A-Z][0-9]{3}\b",
        0.5,
        Check::DeRvnr,
        &[
            "rentenversicherungsnummer",
            "sozialversicherungsnummer",
            "versicherungsnummer",
            "rvnr",
            "svnr"
        ]
    ),
    rec!(
        "DE_TAX_ID",
        r"\b[1-9][0-9]{10}\b",
        0.5,
        Check::DeTaxId,
        &[
            "steueridentifikationsnummer",
            "steuer-id",
            "steuerid",
            "idnr",
            "tin"
        ]
    ),
    rec!(
        "DE_TAX_NUMBER",
        r"\b(?:0[1-9]|1[0-6])[0-9]{11}\b|\b[0-9]{2,3}/[0-9]{3,4}/[0-9]{4,5}\b",
        0.4,
        Check::None,
        &["steuernummer", "steuer-nr", "st.-nr", "stnr", "finanzamt"]
    ),
    rec!(
        "DE_VAT_ID",
        r"\bDE[ .-]?[0-9]{3}[ .-]?[0-9]{3}[ .-]?[0-9]{3}\b",
        0.5,
        Check::DeVat,
        &["ust-idnr", "ust-id", "umsatzsteuer", "vat", "mwst"]
    ),
    // ---- Canada, Spain, India ---------------------------------------------------------------
    rec!(
        "CA_SIN",
        r"\b[1-79][0-9]{8}\b|\b[1-79][0-9]{2}-[0-9]{3}-[0-9]{3}\b|\b[1-79][0-9]{2} [0-9]{3} [0-9]{3}\b",
        0.5,
        Check::CaSin,
        &[
            "sin",
            "social insurance",
            "canada",
            "numéro d'assurance sociale",
            "nas"
        ]
    ),
    rec!(
        "ES_PASSPORT",
        r"\b[A-Za-z]{3}[0-9]{6}\b",
        0.05,
        Check::None,
        &["pasaporte", "passport"]
    ),
    rec!(
        "IN_GSTIN",
        r"\b[0-9]{2}[A-Za-z0-9]{11}Z[A-Za-z0-9]\b",
        0.4,
        Check::Gstin,
        &["gstin", "gst", "goods and services tax"]
    ),
    rec!(
        "IN_PAN",
        r"\b[A-Za-z]{5}[0-9]{4}[A-Za-z]\b",
        0.1,
        Check::None,
        &["pan", "permanent account number"]
    ),
    rec!(
        "IN_PAN",
        r"\b[A-Za-z0-9]{10}\b",
        0.01,
        Check::PanLoose,
        &["pan", "permanent account number"]
    ),
    rec!(
        "IN_VEHICLE_REGISTRATION",
        r"\b[A-Z]{1,3}[0-9]{4}\b|\bI[0-9]{5}\b",
        0.01,
        Check::NotAllZero,
        &["rto", "vehicle", "plate", "registration"]
    ),
    // ---- Korea ---------------------------------------------------------------------------
    rec!(
        "KR_BRN",
        r"\b[0-9]{3}-[0-9]{2}-[0-9]{5}\b|\b[0-9]{10}\b",
        0.1,
        Check::KrBrn,
        &[
            "사업자등록번호",
            "사업자번호",
            "사업자",
            "brn",
            "business registration"
        ]
    ),
    rec!(
        "KR_DRIVER_LICENSE",
        r"\b[0-9]{2}[- ]?[0-9]{2}[- ]?[0-9]{6}[- ]?[0-9]{2}\b",
        0.05,
        Check::KrDl,
        &["운전면허", "면허번호", "driver license", "driver's license"]
    ),
    rec!(
        "KR_FRN",
        r"\b[0-9]{2}(?:0[1-9]|1[0-2])(?:0[1-9]|[12][0-9]|3[01])-?[5-8][0-9]{6}\b",
        0.5,
        Check::KrFrn,
        &[
            "외국인등록번호",
            "frn",
            "foreigner registration",
            "외국인번호"
        ]
    ),
    rec!(
        "KR_PASSPORT",
        r"\b[MmSsRrOoDd][0-9]{3}[A-Za-z][0-9]{4}\b|\b[MmSsRrOoDd][0-9]{8}\b",
        0.1,
        Check::None,
        &["여권", "passport", "korean passport"]
    ),
    // ---- Nigeria, Philippines, Sweden, Turkey ------------------------------------------------
    rec!(
        "NG_NIN",
        r"\b[0-9]{11}\b",
        0.01,
        Check::Verhoeff11,
        &[
            "nin",
            "national identification number",
            "nimc",
            "national identity"
        ]
    ),
    rec!(
        "NG_VEHICLE_REGISTRATION",
        r"\b[A-Z]{3}[- ]?[0-9]{3}[A-Z]{2}\b",
        0.5,
        Check::None,
        PLATE_CTX
    ),
    rec!(
        "PH_MOBILE_NUMBER",
        r"(?:\+63[ -]?|\b0 ?)(?:\(9[0-9]{2}\)|9[0-9]{2})[ -]?[0-9]{3}[ -]?[0-9]{4}\b",
        0.4,
        Check::None,
        PHONE_CTX
    ),
    rec!(
        "PH_TIN",
        r"\b[0-9]{3}-[0-9]{3}-[0-9]{3}(?:-[0-9]{3})?\b|\b[0-9]{9}\b|\b[0-9]{12}\b",
        0.05,
        Check::PhTin,
        &["tin", "taxpayer identification", "bir", "tax id"]
    ),
    rec!(
        "SE_ORGANISATIONSNUMMER",
        r"\b[0-9]{6}-?[0-9]{4}\b",
        0.6,
        Check::SeOrg,
        &["organisationsnummer", "orgnr", "org nr", "företagsnummer"]
    ),
    rec!(
        "SE_PERSONNUMMER",
        r"\b[0-9]{6,8}[-+]?[0-9]{4}\b",
        0.5,
        Check::SePnr,
        &[
            "personnummer",
            "samordningsnummer",
            "personal identity number"
        ]
    ),
    rec!(
        "TR_LICENSE_PLATE",
        r"\b(?:0[1-9]|[1-7][0-9]|8[01]) ?[A-PR-VY-Z]{1,3} ?[0-9]{2,4}\b|\b(?:0[1-9]|[1-7][0-9]|8[01])-[A-PR-VY-Z]{1,3}-[0-9]{2,4}\b",
        0.3,
        Check::TrPlate,
        PLATE_CTX
    ),
    rec!(
        "TR_NATIONAL_ID",
        r"\b[1-9][0-9]{10}\b",
        0.3,
        Check::TrId,
        &["tc kimlik", "kimlik no", "tckn", "tc no", "nüfus"]
    ),
    rec!(
        "TR_PHONE_NUMBER",
        r"(?:\+90[ -]?(?:\([2-5][0-9]{2}\)|[2-5][0-9]{2})|\b0[ -]?(?:\([2-5][0-9]{2}\)|[2-5][0-9]{2})|\b[2-5][0-9]{2})[ .-]?[0-9]{3}[ .-]?[0-9]{2}[ .-]?[0-9]{2}\b",
        0.4,
        Check::None,
        PHONE_CTX
    ),
    // ---- United Kingdom ------------------------------------------------------------------
    rec!(
        "UK_DRIVING_LICENCE",
        r"\b[A-Z9]{5}[0-9](?:0[1-9]|1[0-2]|5[1-9]|6[0-2])(?:0[1-9]|[12][0-9]|3[01])[0-9][A-Z9]{2}[A-Z0-9][A-Z]{2}\b",
        0.5,
        Check::UkDl,
        &[
            "driving licence",
            "driving license",
            "dvla",
            "licence number"
        ]
    ),
    rec!(
        "UK_PASSPORT",
        r"\b[A-Z]{2}[0-9]{7}\b",
        0.1,
        Check::None,
        &[
            "passport",
            "travel document",
            "uk passport",
            "british passport"
        ]
    ),
    rec!(
        "UK_POSTCODE",
        r"\b(?:GIR ?0AA|[A-PR-UWYZ][0-9][ABCDEFGHJKPSTUW]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][0-9]{2} ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9][ABEHMNPRVWXY]? ?[0-9][ABD-HJLNP-UW-Z]{2}|[A-PR-UWYZ][A-HK-Y][0-9]{2} ?[0-9][ABD-HJLNP-UW-Z]{2})\b",
        0.1,
        Check::None,
        &[
            "postcode",
            "post code",
            "postal code",
            "address",
            "delivery"
        ]
    ),
    rec!(
        "UK_VEHICLE_REGISTRATION",
        r"\b[A-HJ-PR-Y][A-HJ-PR-Y](?:0[1-9]|[1-7][0-9])[- ]?[A-HJ-PR-Z]{3}\b|\b[A-HJ-NPR-TV-Y][0-9]{1,3}[- ]?[A-HJ-PR-Y][A-HJ-PR-Z]{2}\b|\b[A-HJ-PR-Z]{3}[- ]?[0-9]{1,3}[- ]?[A-HJ-NPR-TV-Y]\b",
        0.3,
        Check::UkVehicle,
        PLATE_CTX
    ),
    // ---- United States, South Africa -----------------------------------------------------
    rec!(
        "US_MBI",
        r"\b[1-9][AC-HJKMNP-RT-Y][0-9AC-HJKMNP-RT-Y][0-9]-?[AC-HJKMNP-RT-Y][0-9AC-HJKMNP-RT-Y][0-9]-?[AC-HJKMNP-RT-Y]{2}[0-9]{2}\b",
        0.5,
        Check::None,
        &["medicare", "mbi", "beneficiary", "cms", "medicaid"]
    ),
    rec!(
        "US_NPI",
        r"\b[12][0-9]{9}\b|\b[12][0-9]{3}[ -][0-9]{3}[ -][0-9]{3}\b",
        0.4,
        Check::Npi,
        &["npi", "national provider", "provider"]
    ),
    rec!(
        "MEDICAL_LICENSE",
        r"\b[A-HJ-MPR-UXa-hj-mpr-ux][A-Za-z][0-9]{7}\b|\b[A-HJ-MPR-UXa-hj-mpr-ux]9[0-9]{7}\b",
        0.4,
        Check::Dea,
        &["medical", "certificate", "dea"]
    ),
    rec!(
        "US_DRIVER_LICENSE",
        r"\b(?:[0-9]{6,14}|[0-9]{16})\b",
        0.01,
        Check::None,
        &["driver", "license", "licence", "permit", "dl", "lic"]
    ),
    rec!(
        "ZA_ID_NUMBER",
        r"\b[0-9]{10}[0-2][89][0-9]\b",
        0.2,
        Check::ZaId,
        &[
            "identity number",
            "id number",
            "south african id",
            "rsa id",
            "id"
        ]
    ),
    rec!(
        "URL",
        r"\b[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*\.[A-Za-z]{2,12}(?:/[A-Za-z0-9._~:/?#@!$&'*+,;=%-]*)?",
        0.35,
        Check::Domain,
        &["url", "website", "link", "site", "网址", "链接", "網址"]
    ),
    // ---- dates (Presidio's DATE_TIME; reported by default only as a date of birth) ---------
    rec!(
        "DATE_TIME",
        r"\b[0-9]{4}-[01][0-9]-[0-3][0-9]T[0-2][0-9]:[0-5][0-9](?::[0-5][0-9](?:\.[0-9]+)?)?(?:[+-][0-2][0-9]:[0-5][0-9]|Z)",
        0.8,
        Check::None,
        DATE_CTX
    ),
    rec!(
        "DATE_TIME",
        r"\b(?:[1-9]|0[1-9]|1[0-2])[/-](?:[1-9]|0[1-9]|[12][0-9]|3[01])[/-](?:[0-9]{4}|[0-9]{2})\b|\b(?:[1-9]|0[1-9]|[12][0-9]|3[01])[/.-](?:[1-9]|0[1-9]|1[0-2])[/.-](?:[0-9]{4}|[0-9]{2})\b|\b[0-9]{4}[/.-](?:[1-9]|0[1-9]|1[0-2])[/.-](?:[1-9]|0[1-9]|[12][0-9]|3[01])\b",
        0.6,
        Check::Date,
        DATE_CTX
    ),
    rec!(
        "DATE_TIME",
        r"(?i)\b(?:[1-9]|0[1-9]|[12][0-9]|3[01])[- ](?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)(?:[- ](?:[0-9]{4}|[0-9]{2}))?\b|(?i)\b(?:JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)-(?:[0-9]{4}|[0-9]{2})\b",
        0.6,
        Check::None,
        DATE_CTX
    ),
    rec!(
        "DATE_TIME",
        r"\b(?:[1-9]|0[1-9]|1[0-2])/(?:[0-9]{4}|[0-9]{2})\b",
        0.1,
        Check::MonthYear,
        DATE_CTX
    ),
    // named months and bare years (what an NER model calls a date): weak on their own
    rec!(
        "DATE_TIME",
        r"\b(?:January|February|March|April|May|June|July|August|September|October|November|December|Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec)\.?(?: (?:[1-9]|[12][0-9]|3[01])(?:st|nd|rd|th)?)?(?:,? (?:19|20)[0-9]{2})?\b|\b(?:year )?(?:19|20)[0-9]{2}\b",
        0.05,
        Check::None,
        DATE_CTX
    ),
    rec!(
        "DATE_TIME",
        r"(?:19|20)[0-9]{2} ?年 ?(?:1[0-2]|0?[1-9]) ?月 ?(?:3[01]|[12][0-9]|0?[1-9]) ?(?:日|号|號)?",
        0.6,
        Check::None,
        DATE_CTX
    ),
];
