//! Card and IBAN validation: issuer ranges with their lengths, Luhn, IBAN country lengths
//! and mod 97; both trim a trailing group the pattern swallowed (`… 1310 12`).

use crate::checksum as ck;
use crate::validate::{alnum_upper, digits, num};

/// Score of a Luhn-valid number by issuer range and length: the length a network issues
/// → 1.0; short Maestro-style numbers (12–15 digits on 50/56–58/6x) → 0.45, reported but
/// losing any overlap; anything else is not a card.
fn card_network(d: &[u8]) -> Option<f32> {
    let n = d.len();
    let p = |k: usize| num(&d[..k]);
    let full = match d[0] {
        b'4' => matches!(n, 13 | 16 | 19),
        b'5' if (51..=55).contains(&p(2)) => n == 16,
        b'2' if (2221..=2720).contains(&p(4)) => n == 16,
        b'2' | b'1' if matches!(p(4), 1800 | 2131) => n == 15,
        b'3' if matches!(p(2), 34 | 37) => n == 15,
        b'3' if (300..=305).contains(&p(3)) || matches!(p(2), 36 | 38 | 39) => matches!(n, 14 | 16),
        b'3' if p(2) == 35 => n >= 16,
        // UATP airline cards
        b'1' => n == 15,
        b'6' => n >= 16,
        b'5' => n >= 16 && matches!(p(2), 50 | 56..=58),
        _ => false,
    };
    let maestro = (12..=15).contains(&n) && (matches!(p(2), 50 | 56..=58) || d[0] == b'6');
    if full {
        Some(1.0)
    } else if maestro {
        Some(0.45)
    } else {
        None
    }
}

/// Card numbers: 12–19 digits, an issuer range and Luhn. When the pattern swallowed a
/// trailing group (`… 1310 12`), retry without it.
pub(crate) fn card(m: &str) -> Option<(usize, f32)> {
    let mut end = m.len();
    loop {
        let d = digits(&m[..end]);
        if (12..=19).contains(&d.len()) && ck::luhn(&d) {
            if let Some(score) = card_network(&d) {
                return Some((end, score));
            }
        }
        end = m[..end].rfind([' ', '-'])?;
        if digits(&m[..end]).len() < 12 {
            return None;
        }
    }
}

fn iban_len(cc: &[u8]) -> Option<usize> {
    const T: &[(&[u8; 2], usize)] = &[
        (b"AD", 24),
        (b"AE", 23),
        (b"AL", 28),
        (b"AT", 20),
        (b"AZ", 28),
        (b"BA", 20),
        (b"BE", 16),
        (b"BG", 22),
        (b"BH", 22),
        (b"BR", 29),
        (b"BY", 28),
        (b"CH", 21),
        (b"CR", 22),
        (b"CY", 28),
        (b"CZ", 24),
        (b"DE", 22),
        (b"DK", 18),
        (b"DO", 28),
        (b"EE", 20),
        (b"EG", 29),
        (b"ES", 24),
        (b"FI", 18),
        (b"FO", 18),
        (b"FR", 27),
        (b"GB", 22),
        (b"GE", 22),
        (b"GI", 23),
        (b"GL", 18),
        (b"GR", 27),
        (b"GT", 28),
        (b"HR", 21),
        (b"HU", 28),
        (b"IE", 22),
        (b"IL", 23),
        (b"IQ", 23),
        (b"IS", 26),
        (b"IT", 27),
        (b"JO", 30),
        (b"KW", 30),
        (b"KZ", 20),
        (b"LB", 28),
        (b"LC", 32),
        (b"LI", 21),
        (b"LT", 20),
        (b"LU", 20),
        (b"LV", 21),
        (b"LY", 25),
        (b"MC", 27),
        (b"MD", 24),
        (b"ME", 22),
        (b"MK", 19),
        (b"MR", 27),
        (b"MT", 31),
        (b"MU", 30),
        (b"NL", 18),
        (b"NO", 15),
        (b"PK", 24),
        (b"PL", 28),
        (b"PS", 29),
        (b"PT", 25),
        (b"QA", 29),
        (b"RO", 24),
        (b"RS", 22),
        (b"SA", 24),
        (b"SC", 31),
        (b"SE", 24),
        (b"SI", 19),
        (b"SK", 24),
        (b"SM", 27),
        (b"ST", 25),
        (b"SV", 28),
        (b"TL", 23),
        (b"TN", 24),
        (b"TR", 26),
        (b"UA", 29),
        (b"VA", 22),
        (b"VG", 24),
        (b"XK", 20),
    ];
    T.iter().find(|(c, _)| &c[..] == cc).map(|t| t.1)
}

/// IBAN: the country's length and mod-97; trailing groups the pattern swallowed are dropped.
pub(crate) fn iban(m: &str) -> Option<(usize, f32)> {
    let want = iban_len(&m.as_bytes()[..2].to_ascii_uppercase())?;
    let mut end = m.len();
    loop {
        let v = alnum_upper(&m[..end]);
        if v.len() == want {
            return ck::iban_mod97(&v).then_some((end, 1.0));
        }
        if v.len() < want {
            return None;
        }
        end = m[..end].rfind([' ', '-'])?;
    }
}
