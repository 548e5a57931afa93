//! Validators of the regional recognizers (`recognizers_intl`), written from each
//! identifier's published check-digit rule. Each answers like Presidio's `validate_result`:
//! `Some(true)` — the check passed (score 1.0); `None` — no verdict (the base score stays);
//! `Some(false)` — not this identifier (dropped).

use crate::checksum as ck;
use crate::validate::{alnum_upper, digits, num, real_date, Check};

/// Accepted length and score for a tri-state verdict.
fn tri(v: Option<bool>, base: f32, len: usize) -> Option<(usize, f32)> {
    match v {
        Some(true) => Some((len, 1.0)),
        None => Some((len, base)),
        Some(false) => None,
    }
}

/// Letters count A=10 … Z=35 (ICAO 9303 / German document numbers).
fn icao_value(c: u8) -> Option<u32> {
    match c {
        b'0'..=b'9' => Some(u32::from(c - b'0')),
        b'A'..=b'Z' => Some(u32::from(c - b'A') + 10),
        _ => None,
    }
}

/// ICAO 9303 check digit (weights 7, 3, 1) over all but the last character.
fn icao_check(u: &[u8]) -> Option<bool> {
    let (body, last) = u.split_last().map(|(l, b)| (b, *l))?;
    let mut sum = 0;
    for (i, &c) in body.iter().enumerate() {
        sum += icao_value(c)? * [7, 3, 1][i % 3];
    }
    Some(last.is_ascii_digit() && sum % 10 == u32::from(last - b'0'))
}

/// Sum of the digits of each product (the German "Quersumme" schemes).
fn cross_sum(d: &[u8], w: &[u32]) -> u32 {
    d.iter()
        .zip(w)
        .map(|(&c, &w)| {
            let p = u32::from(c - b'0') * w;
            p / 10 + p % 10
        })
        .sum()
}

/// ISO 7064 MOD 11,10 (German tax id, VAT id): is the last digit right?
fn mod11_10(d: &[u8]) -> bool {
    let (body, last) = (&d[..d.len() - 1], d[d.len() - 1]);
    let mut product = 10;
    for &c in body {
        let mut total = (u32::from(c - b'0') + product) % 10;
        if total == 0 {
            total = 10;
        }
        product = (total * 2) % 11;
    }
    (11 - product) % 10 == u32::from(last - b'0')
}

/// Luhn where the check digit is the last one (as `ck::luhn`).
fn luhn(d: &[u8]) -> bool {
    ck::luhn(d)
}

pub fn validate(check: Check, base: f32, m: &str) -> Option<(usize, f32)> {
    let full = m.len();
    let d = digits(m);
    let u = alnum_upper(m);
    let v: Option<bool> = match check {
        Check::NotAllZero => (d.iter().all(|&c| c == b'0')).then_some(false),
        Check::DeKvnr => {
            let mut eff: Vec<u8> = format!("{:02}", u[0] - b'A' + 1).into_bytes();
            eff.extend_from_slice(&u[1..9]);
            Some(cross_sum(&eff, &[1, 2, 1, 2, 1, 2, 1, 2, 1, 2]) % 10 == u32::from(u[9] - b'0'))
        }
        Check::DeIdCard if u[0] == b'T' && u[1..].iter().all(u8::is_ascii_digit) => None,
        Check::DeIdCard => icao_check(&u),
        Check::DePassport => icao_check(&u),
        Check::DeLanr => {
            let sum: u32 = d[..6]
                .iter()
                .zip([4, 9, 4, 9, 4, 9])
                .map(|(&c, w)| u32::from(c - b'0') * w)
                .sum();
            Some((10 - sum % 10) % 10 == u32::from(d[6] - b'0'))
        }
        Check::DePlz => matches!(m, "01000" | "99999").then_some(false),
        Check::DeRvnr => {
            let day = num(&u[2..4]);
            let month = num(&u[4..6]);
            if !((1..=31).contains(&day) || (51..=81).contains(&day)) || !(1..=12).contains(&month)
            {
                return None;
            }
            let mut eff = u[..8].to_vec();
            eff.extend(format!("{:02}", u[8] - b'A' + 1).bytes());
            eff.extend_from_slice(&u[9..11]);
            Some(
                cross_sum(&eff, &[2, 1, 2, 5, 7, 1, 2, 1, 2, 1, 2, 1]) % 10
                    == u32::from(u[11] - b'0'),
            )
        }
        Check::DeTaxId => {
            let mut counts = [0u8; 10];
            d[..10]
                .iter()
                .for_each(|&c| counts[usize::from(c - b'0')] += 1);
            Some(counts.iter().all(|&n| n <= 3) && mod11_10(&d))
        }
        // a wrong check digit keeps the base score (Presidio's non-strict default)
        Check::DeVat => Some(mod11_10(&d)),
        Check::CaSin => (!luhn(&d)).then_some(false),
        Check::Gstin => Some(gstin(&u)),
        Check::KrBrn => {
            let w = [1, 3, 7, 1, 3, 7, 1, 3, 5];
            let mut sum: u32 = (0..8).map(|i| u32::from(d[i] - b'0') * w[i]).sum();
            let last = u32::from(d[8] - b'0') * 5;
            sum += last / 10 + last;
            Some((10 - sum % 10) % 10 == u32::from(d[9] - b'0'))
        }
        Check::KrDl => Some(matches!(num(&d[..2]), 11..=26 | 28)),
        Check::KrFrn => {
            let sum: u32 = (0..12)
                .map(|i| u32::from(d[i] - b'0') * [2, 3, 4, 5, 6, 7, 8, 9, 2, 3, 4, 5][i])
                .sum();
            ((13 - sum % 11) % 10 == u32::from(d[12] - b'0')).then_some(true)
        }
        Check::Verhoeff11 => Some(d.len() == 11 && ck::verhoeff(&d)),
        Check::PhTin => {
            let w = [9, 8, 7, 6, 5, 4, 3, 2];
            let sum: u32 = (0..8).map(|i| u32::from(d[i] - b'0') * w[i]).sum();
            (sum % 11 != u32::from(d[8] - b'0')).then_some(false)
        }
        Check::SeOrg => Some(d.len() == 10 && d[2] >= b'2' && luhn(&d)),
        Check::SePnr => {
            let n = &d[d.len().saturating_sub(10)..];
            let day = num(&n[4..6]);
            let day = if day >= 61 { day - 60 } else { day };
            let date = (1..=12).contains(&num(&n[2..4])) && (1..=31).contains(&day);
            Some(n.len() == 10 && date && luhn(n))
        }
        Check::TrPlate => (1..=81)
            .contains(&num(&d[..2.min(d.len())]))
            .then_some(true),
        Check::TrId => {
            let x: Vec<u32> = d.iter().map(|&c| u32::from(c - b'0')).collect();
            let odd: u32 = (0..9).step_by(2).map(|i| x[i]).sum();
            let even: u32 = (1..8).step_by(2).map(|i| x[i]).sum();
            let tenth = (odd * 7 + 100 - even) % 10;
            Some(tenth == x[9] && x[..10].iter().sum::<u32>() % 10 == x[10])
        }
        Check::UkDl => {
            let s = &u[..5];
            let letters = s.iter().take_while(|c| c.is_ascii_alphabetic()).count();
            let ok = &u[..5] != b"99999" && letters > 0 && s[letters..].iter().all(|&c| c == b'9');
            (!ok).then_some(false)
        }
        Check::UkVehicle => {
            if u.len() == 7
                && u[..2].iter().all(u8::is_ascii_alphabetic)
                && u[2..4].iter().all(u8::is_ascii_digit)
            {
                let age = num(&u[2..4]);
                Some((2..=29).contains(&age) || (51..=79).contains(&age))
            } else {
                None
            }
        }
        Check::Npi => {
            let body = &d[..d.len() - 1];
            if body.iter().all(|&c| c == body[0]) {
                Some(false)
            } else {
                let mut p = b"80840".to_vec();
                p.extend_from_slice(&d);
                Some(luhn(&p))
            }
        }
        Check::Dea => {
            let x: Vec<u32> = digits(&m[2..])
                .iter()
                .map(|&c| u32::from(c - b'0'))
                .collect();
            let sum = x[0] + x[2] + x[4] + 2 * (x[1] + x[3] + x[5]);
            Some(x.len() == 7 && sum % 10 == x[6])
        }
        Check::ZaId => {
            let (yy, mm, dd) = (num(&d[..2]), num(&d[2..4]), num(&d[4..6]));
            // two-digit years: 00–29 read as 2000s (no clock in pure code; born ≤ 2029)
            let year = if yy <= 29 { 2000 + yy } else { 1900 + yy };
            Some(real_date(year, mm, dd) && luhn(&d))
        }
        Check::Date => Some(date_ok(m)),
        Check::MonthYear => None,
        Check::HkId => Some(hk_id(&u)),
        Check::BankAccount => {
            // a card-shaped number that fails Luhn is a mistyped or made-up card, not an
            // account (personal accounts in China are the card number)
            let failed_card =
                matches!(d.len(), 16 | 19) && (b'3'..=b'6').contains(&d[0]) && !luhn(&d);
            let ok = (10..=25).contains(&d.len()) && d.iter().any(|&c| c != d[0]) && !failed_card;
            Some(ok).filter(|ok| !ok)
        }
        Check::PanLoose => Some(
            u.iter().any(u8::is_ascii_alphabetic)
                && u.windows(4).any(|w| w.iter().all(u8::is_ascii_digit)),
        ),
        Check::Domain => Some(domain(m)).filter(|ok| !ok),
        _ => None,
    };
    tri(v, base, full)
}

/// Hong Kong identity card: one or two letters, six digits, check character (mod 11, `A`
/// for 10); a single letter counts as if preceded by a space worth 36.
fn hk_id(u: &[u8]) -> bool {
    let letters = u.iter().take_while(|c| c.is_ascii_alphabetic()).count();
    if !(1..=2).contains(&letters) || u.len() != letters + 7 {
        return false;
    }
    let val = |c: u8| u32::from(c - b'A') + 10;
    let mut sum = if letters == 1 {
        36 * 9 + val(u[0]) * 8
    } else {
        val(u[0]) * 9 + val(u[1]) * 8
    };
    for (i, &c) in u[letters..letters + 6].iter().enumerate() {
        sum += u32::from(c - b'0') * (7 - i as u32);
    }
    let check = match u[letters + 6] {
        b'A' => 10,
        c @ b'0'..=b'9' => u32::from(c - b'0'),
        _ => return false,
    };
    (sum + check) % 11 == 0
}

/// A bare host name with a known top-level domain (`microsoft.com`, `google.co.il`).
fn domain(m: &str) -> bool {
    const TLDS: &[&str] = &[
        "com", "org", "net", "edu", "gov", "io", "co", "info", "biz", "app", "dev", "ai", "cn",
        "hk", "sg", "tw", "mo", "jp", "kr", "uk", "us", "de", "fr", "it", "es", "nl", "ch", "au",
        "ca", "in", "il", "ru", "br", "eu", "me", "tv", "xyz", "top", "site", "online", "cloud",
        "tech", "asia", "int", "mil", "se", "no", "fi", "dk", "pl", "tr", "za", "ph", "ng", "my",
        "th", "vn", "id", "nz", "ie", "be", "at", "pt",
    ];
    let host = m.split('/').next().unwrap_or(m);
    let tld = host.rsplit('.').next().unwrap_or("").to_ascii_lowercase();
    host.contains('.') && TLDS.contains(&tld.as_str())
}

/// A slash/dot/dash date whose numbers make a real day in one of the orders it allows.
fn date_ok(m: &str) -> bool {
    let parts: Vec<u32> = m
        .split(['/', '.', '-'])
        .map(|p| p.parse().unwrap_or(0))
        .collect();
    let [a, b, c] = parts[..] else { return false };
    let y = |v: u32| if v < 100 { 2000 + v } else { v };
    if a > 31 {
        real_date(a, b, c)
    } else {
        real_date(y(c), a, b) || real_date(y(c), b, a)
    }
}

/// GSTIN: state 01–37, a PAN-shaped middle (≥ 3 letters in the first five, 4 digits, a
/// letter), an alphanumeric entity number, `Z`, an alphanumeric check character.
fn gstin(u: &[u8]) -> bool {
    if u.len() != 15 || !u[..2].iter().all(u8::is_ascii_digit) {
        return false;
    }
    let pan = &u[2..12];
    (1..=37).contains(&num(&u[..2]))
        && pan[..5].iter().filter(|c| c.is_ascii_alphabetic()).count() >= 3
        && pan[5..9].iter().all(u8::is_ascii_digit)
        && pan[9].is_ascii_alphabetic()
        && u[13] == b'Z'
}
