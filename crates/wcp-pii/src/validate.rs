//! Validators: turn a raw pattern match into an accepted length and score, or reject it.
//!
//! Strong checks (Luhn on 13–19 digits, ISO 7064 on CN IDs, mod-97 on IBANs, GB 32100) raise
//! the score to 1.0. A single check digit on a short number (NHS, ABA, TFN, PESEL…) passes 1
//! random number in ~10, so it only keeps the base score and needs context to be reported.

use crate::checksum as ck;
use crate::{bank, cn_region};

/// Which validator a recognizer runs. A closed set: recognizers are data, validators code.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Check {
    None,
    CnRic,
    CnUscc,
    CnMobile,
    Hk8,
    IntlPhone,
    GenericPhone,
    Card,
    Iban,
    Aba,
    UsSsn,
    Itin,
    UkNhs,
    UkNino,
    SgNric,
    SgUen,
    AuAbn,
    AuAcn,
    AuTfn,
    AuMedicare,
    Aadhaar,
    EsNif,
    EsNie,
    ItFiscal,
    ItVat,
    PlPesel,
    FiHetu,
    KrRrn,
    ThTnin,
    Crypto,
    Ipv4,
    Ipv6,
    Mac,
    Url,
    // regional (validate_intl)
    NotAllZero,
    DeKvnr,
    DeIdCard,
    DeLanr,
    DePassport,
    DePlz,
    DeRvnr,
    DeTaxId,
    DeVat,
    CaSin,
    Gstin,
    KrBrn,
    KrDl,
    KrFrn,
    Verhoeff11,
    PhTin,
    SeOrg,
    SePnr,
    TrPlate,
    TrId,
    UkDl,
    UkVehicle,
    Npi,
    Dea,
    ZaId,
    Date,
    MonthYear,
    PanLoose,
    Domain,
    HkId,
    BankAccount,
}

impl Check {
    /// Highest score the validator can give a match of a recognizer with `base` score,
    /// before context. Recognizers that cannot reach the threshold without a context word
    /// are skipped on lines that contain none of their context words.
    pub fn max_score(self, base: f32) -> f32 {
        match self {
            Check::CnRic
            | Check::CnUscc
            | Check::Card
            | Check::Iban
            | Check::EsNif
            | Check::EsNie => 1.0,
            Check::ItFiscal
            | Check::FiHetu
            | Check::KrRrn
            | Check::ThTnin
            | Check::Crypto
            | Check::SgNric => 1.0,
            Check::CnMobile => 0.9,
            Check::Hk8 => base.max(0.5),
            _ => base,
        }
    }

    /// A short check digit (1 in ~10 random numbers passes): with a context word of its own
    /// entity nearby, the pair is as strong as a long checksum.
    pub fn weak_checksum(self) -> bool {
        matches!(
            self,
            Check::Aba
                | Check::UkNhs
                | Check::AuAbn
                | Check::AuAcn
                | Check::AuTfn
                | Check::AuMedicare
                | Check::Aadhaar
                | Check::ItVat
                | Check::PlPesel
        )
    }
}

/// ASCII digits of `s` (separators dropped).
pub fn digits(s: &str) -> Vec<u8> {
    s.bytes().filter(u8::is_ascii_digit).collect()
}

/// ASCII alphanumerics of `s`, upper-cased.
pub(crate) fn alnum_upper(s: &str) -> Vec<u8> {
    s.bytes()
        .filter(u8::is_ascii_alphanumeric)
        .map(|b| b.to_ascii_uppercase())
        .collect()
}

/// Is `y`-`m`-`d` a real calendar date?
pub fn real_date(y: u32, m: u32, d: u32) -> bool {
    let leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
    let days = match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        2 if leap => 29,
        2 => 28,
        _ => return false,
    };
    (1..=days).contains(&d)
}

pub(crate) fn num(d: &[u8]) -> u32 {
    d.iter().fold(0, |a, &c| a * 10 + u32::from(c - b'0'))
}

/// Validate `m` (the matched text). Returns the accepted byte length and the score.
pub fn validate(check: Check, base: f32, m: &str) -> Option<(usize, f32)> {
    let full = m.len();
    let ok = |b: bool, s: f32| b.then_some((full, s));
    match check {
        Check::None => Some((full, base)),
        Check::CnRic => {
            let d = alnum_upper(m);
            let date = real_date(num(&d[6..10]), num(&d[10..12]), num(&d[12..14]));
            ok(date && cn_region::region_ok(&d) && ck::cn_ric(&d), 1.0)
        }
        Check::CnUscc => ok(ck::cn_uscc(m.as_bytes()), 1.0),
        Check::CnMobile => {
            let d = digits(m);
            let d = d
                .strip_prefix(b"0086")
                .or_else(|| d.strip_prefix(b"86"))
                .unwrap_or(&d);
            ok(d.len() == 11 && cn_mobile_prefix(num(&d[..3])), 0.9)
        }
        Check::Hk8 => {
            let d = digits(m);
            let date = matches!(&d[..2], b"19" | b"20")
                && real_date(num(&d[..4]), num(&d[4..6]), num(&d[6..8]));
            let grouped = d.len() != m.len();
            ok(!date, if grouped { 0.5 } else { base })
        }
        Check::GenericPhone => ok(generic_phone(m), base),
        Check::IntlPhone => ok((8..=15).contains(&digits(m).len()), base),
        Check::Card => bank::card(m),
        Check::Iban => bank::iban(m),
        Check::Aba => ok(ck::aba(&digits(m)), base),
        Check::UsSsn => {
            // one kind of separator only (`078-05.1120` is not an SSN)
            let seps = [b'-', b'.', b' ']
                .iter()
                .filter(|s| m.as_bytes().contains(s))
                .count();
            ok(seps <= 1 && us_ssn(&digits(m)), base)
        }
        Check::Itin => ok(digits(m).len() == 9, base),
        Check::UkNhs => ok(ck::uk_nhs(&digits(m)), base),
        Check::UkNino => {
            let u = alnum_upper(m);
            ok(
                !matches!(
                    &u[..2],
                    b"BG" | b"GB" | b"NK" | b"KN" | b"NT" | b"TN" | b"ZZ"
                ),
                base,
            )
        }
        Check::SgNric => Some((
            full,
            if ck::sg_nric(&alnum_upper(m)) {
                1.0
            } else {
                0.3
            },
        )),
        Check::SgUen => ok(ck::sg_uen(&alnum_upper(m)), base),
        Check::AuAbn => ok(ck::au_abn(&digits(m)), base),
        Check::AuAcn => ok(ck::au_acn(&digits(m)), base),
        Check::AuTfn => ok(ck::au_tfn(&digits(m)), base),
        Check::AuMedicare => ok(ck::au_medicare(&digits(m)), base),
        Check::Aadhaar => {
            let d = digits(m);
            let palindrome = d.iter().eq(d.iter().rev());
            ok(!palindrome && ck::verhoeff(&d), base)
        }
        Check::EsNif => {
            let d = digits(m);
            ok(
                ck::es_letter(num(&d), m.as_bytes().last()?.to_ascii_uppercase()),
                1.0,
            )
        }
        Check::EsNie => {
            let u = alnum_upper(m);
            let lead = u32::from(u[0] - b'X');
            ok(ck::es_letter(lead * 10_000_000 + num(&u[1..8]), u[8]), 1.0)
        }
        // a wrong check letter keeps the weak base score (Presidio does not reject it either)
        Check::ItFiscal => Some((
            full,
            if ck::it_fiscal(m.as_bytes()) {
                1.0
            } else {
                base
            },
        )),
        Check::ItVat => {
            let d = digits(m);
            ok(d.iter().any(|&c| c != b'0') && ck::it_vat(&d), base)
        }
        Check::PlPesel => ok(ck::pl_pesel(&digits(m)), base),
        Check::FiHetu => fi_hetu(m),
        Check::KrRrn => {
            let d = digits(m);
            let century = match d[6] {
                b'1' | b'2' | b'5' | b'6' => 1900,
                b'3' | b'4' | b'7' | b'8' => 2000,
                _ => 1800,
            };
            let date = real_date(century + num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
            date.then_some((full, if ck::kr_rrn(&d) { 1.0 } else { base }))
        }
        Check::ThTnin => ok(ck::th_tnin(&digits(m)), 1.0),
        Check::Crypto => ok(crate::crypto::btc_address(m), 1.0),
        Check::Ipv4 => {
            let (addr, prefix) = m.split_once('/').map_or((m, None), |(a, p)| (a, Some(p)));
            let okv = addr.split('.').all(|o| {
                o.len() == 1 || (!o.starts_with('0') && o.parse::<u16>().is_ok_and(|v| v <= 255))
            });
            // a prefix length past /32 is not part of the address
            let len = match prefix {
                Some(p) if p.parse::<u8>().is_ok_and(|v| v <= 32) => m.len(),
                _ => addr.len(),
            };
            okv.then_some((len, base))
        }
        Check::Ipv6 => ipv6(m, base),
        Check::Mac => {
            let varied = m
                .bytes()
                .any(|b| b != m.as_bytes()[0] && b != b':' && b != b'-' && b != b'.');
            // one kind of separator: `10:2F:33-AC-29-C3` is not an address
            let seps = [b':', b'-', b'.']
                .iter()
                .filter(|s| m.as_bytes().contains(s))
                .count();
            ok(varied && seps == 1, base)
        }
        Check::Url => {
            let t = m.trim_end_matches(['.', ',', ';', ':', '!', '?', ')', '\'', ']']);
            Some((t.len(), base))
        }
        regional => crate::validate_intl::validate(regional, base, m),
    }
}

/// 7–15 digits, and not a date (`2024-11-22`, `22.11.2024`), a year range or an SSN shape.
fn generic_phone(m: &str) -> bool {
    let d = digits(m);
    if !(7..=15).contains(&d.len()) {
        return false;
    }
    let groups: Vec<&str> = m.split([' ', '-', '.']).filter(|g| !g.is_empty()).collect();
    let lens: Vec<usize> = groups.iter().map(|g| g.len()).collect();
    let year = |g: &str| g.len() == 4 && (g.starts_with("19") || g.starts_with("20"));
    let date = match lens.as_slice() {
        [4, 2, 2] => real_date(num(&d[..4]), num(&d[4..6]), num(&d[6..8])),
        [2, 2, 4] | [1, 2, 4] | [2, 1, 4] | [1, 1, 4] => year(groups[2]),
        [4, 4] => year(groups[0]) && year(groups[1]),
        [3, 2, 4] => m.contains('-'),
        _ => false,
    };
    !date
}

fn cn_mobile_prefix(p: u32) -> bool {
    matches!(p, 130..=139 | 145..=149 | 150..=153 | 155..=159 | 162 | 165..=167 | 170..=178 | 180..=189 | 190..=193 | 195..=199)
}

fn us_ssn(d: &[u8]) -> bool {
    if d.len() != 9 || d.iter().all(|&c| c == d[0]) {
        return false;
    }
    let (area, group, serial) = (num(&d[..3]), num(&d[3..5]), num(&d[5..]));
    area != 0
        && area != 666
        && area < 900
        && group != 0
        && serial != 0
        && !d.starts_with(b"123456789")
        && !d.starts_with(b"98765432")
        && d != b"078051120"
}

fn fi_hetu(m: &str) -> Option<(usize, f32)> {
    let b = m.as_bytes();
    let century = match b[6] {
        b'+' => 1800,
        b'-' | b'U'..=b'Y' => 1900,
        _ => 2000,
    };
    let date = real_date(century + num(&b[4..6]), num(&b[2..4]), num(&b[..2]));
    (date && ck::fi_hetu(&b[..6], &b[7..10], b[10])).then_some((m.len(), 1.0))
}

/// IPv6 candidates are loose (`[hex:]*:[hex]*:…`, `%zone`, `/prefix`): trim, then let the
/// standard parser decide.
fn ipv6(m: &str, base: f32) -> Option<(usize, f32)> {
    let (m, prefix) = m.split_once('/').map_or((m, None), |(a, p)| (a, Some(p)));
    let (addr, zone) = m.split_once('%').map_or((m, None), |(a, z)| (a, Some(z)));
    let mut t = addr.trim_end_matches('.');
    if t.ends_with(':') && !t.ends_with("::") {
        t = &t[..t.len() - 1];
    }
    t.parse::<std::net::Ipv6Addr>().ok()?;
    let mut len = t.len();
    if t.len() == addr.len() {
        if let Some(z) = zone {
            len += 1 + z.len();
        }
        if let Some(p) = prefix.filter(|p| p.parse::<u8>().is_ok_and(|v| v <= 128)) {
            len = m.len() + 1 + p.len();
        }
    }
    // "::", "::1" and one-group forms are valid but too weak to report by default
    let groups = t.split(':').filter(|g| !g.is_empty()).count();
    Some((len, if groups >= 2 { base } else { 0.1 }))
}
