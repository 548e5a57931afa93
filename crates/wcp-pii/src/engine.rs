//! The detector: all recognizers compiled once, one scan per message.
//!
//! Cost model: a short chat line with no ASCII digit, `@`, `:` or `www.` skips the regex
//! stage entirely; otherwise one `RegexSet` pass (a lazy DFA over all patterns at once) says
//! which recognizers can match, and only those run their own regex and validator. PERSON and
//! LOCATION scanners have their own byte triggers (Han characters, `号`, capitals).

use crate::normalize::Folded;
use crate::recognizers::{Rec, CONTEXT_BOOST, RECS};
use crate::validate::{validate, Check};
use crate::{address, names, wechat, PiiMatch};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Default reporting threshold: weak shapes (a bare 9-digit number as a US passport, …)
/// need a context word to be reported.
pub const DEFAULT_MIN_SCORE: f32 = 0.4;

/// Bytes before a match searched for context words (≈ Presidio's 5-word window).
const CONTEXT_WINDOW: usize = 40;

pub struct PiiDetector {
    set: RegexSet,
    regexes: Vec<Regex>,
    min_score: f32,
}

impl Default for PiiDetector {
    fn default() -> Self {
        Self::new()
    }
}

impl PiiDetector {
    /// All built-in recognizers, default threshold.
    pub fn new() -> PiiDetector {
        let pats = RECS.iter().map(|r| r.pattern);
        // The patterns are constants covered by tests, so a failure here is a programming error.
        let set = RegexSetBuilder::new(pats)
            .unicode(false)
            .dfa_size_limit(64 << 20)
            .size_limit(64 << 20)
            .build()
            .expect("built-in PII patterns compile");
        let regexes = RECS
            .iter()
            .map(|r| {
                RegexBuilder::new(r.pattern)
                    .unicode(false)
                    .build()
                    .expect("built-in PII pattern compiles")
            })
            .collect();
        PiiDetector {
            set,
            regexes,
            min_score: DEFAULT_MIN_SCORE,
        }
    }

    /// Same recognizers, another reporting threshold (0.0 reports every shape, like Presidio).
    pub fn with_min_score(mut self, min_score: f32) -> PiiDetector {
        self.min_score = min_score;
        self
    }

    /// Non-overlapping matches sorted by start: on overlap the higher score wins, then the
    /// longer span, then the recognizer listed first.
    pub fn detect(&self, text: &str) -> Vec<PiiMatch> {
        let mut cands = self.detect_all(text);
        if cands.len() < 2 {
            return cands.into_iter().map(|c| c.0).collect();
        }
        cands.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then((b.0.end - b.0.start).cmp(&(a.0.end - a.0.start)))
                .then(a.1.cmp(&b.1))
        });
        // a span inside a longer one of the same entity is a partial read of it
        // (`2718 1155` inside `079 2718 1155`): keep the longer one
        let contained = |m: &PiiMatch| {
            cands.iter().any(|(o, _)| {
                o.entity == m.entity
                    && o.start <= m.start
                    && m.end <= o.end
                    && (o.end - o.start) > (m.end - m.start)
            })
        };
        let keep: Vec<bool> = cands.iter().map(|(m, _)| !contained(m)).collect();
        let mut out: Vec<PiiMatch> = Vec::with_capacity(cands.len());
        for ((m, _), k) in cands.into_iter().zip(keep) {
            if !k {
                continue;
            }
            if out.iter().all(|o| m.end <= o.start || m.start >= o.end) {
                out.push(m);
            }
        }
        out.sort_by_key(|m| m.start);
        out
    }

    /// Every candidate above the threshold, overlaps included, with its recognizer rank.
    fn detect_all(&self, text: &str) -> Vec<(PiiMatch, usize)> {
        let folded = Folded::new(text);
        let t: &str = &folded.text;
        let mut out = Vec::new();
        if needs_patterns(t.as_bytes()) {
            for i in self.set.matches(t).iter() {
                self.run(i, &RECS[i], t, &mut out);
            }
        }
        names::find(t, &mut |e, s, end, score| {
            out.push((
                PiiMatch {
                    entity: e,
                    start: s,
                    end,
                    score,
                },
                RECS.len(),
            ))
        });
        wechat::find(t, &mut |s, end, score| {
            out.push((
                PiiMatch {
                    entity: "WECHAT_ID",
                    start: s,
                    end,
                    score,
                },
                RECS.len(),
            ))
        });
        address::find(t, &mut |s, end, score| {
            out.push((
                PiiMatch {
                    entity: "LOCATION",
                    start: s,
                    end,
                    score,
                },
                RECS.len(),
            ))
        });
        out.retain(|(m, _)| m.score >= self.min_score);
        for (m, _) in &mut out {
            m.start = folded.orig(m.start);
            m.end = folded.orig(m.end);
        }
        out
    }

    /// Overlapping candidates of every entity (Presidio-style output), sorted by start.
    pub fn detect_overlapping(&self, text: &str) -> Vec<PiiMatch> {
        let mut v: Vec<PiiMatch> = self.detect_all(text).into_iter().map(|c| c.0).collect();
        v.sort_by(|a, b| a.start.cmp(&b.start).then(a.entity.cmp(b.entity)));
        v.dedup_by(|a, b| a.entity == b.entity && a.start == b.start && a.end == b.end);
        v
    }

    fn run(&self, idx: usize, rec: &Rec, t: &str, out: &mut Vec<(PiiMatch, usize)>) {
        let re = &self.regexes[idx];
        let mut pos = 0;
        let mut retries = 0;
        while let Some(m) = re.find_at(t, pos) {
            let accepted = if boundary_ok(t, m.start(), m.end()) {
                validate(rec.check, rec.score, m.as_str())
                    .filter(|&(len, _)| len > 0 && boundary_ok(t, m.start(), m.start() + len))
                    .filter(|_| extra_ok(rec.check, t, m.start(), m.end()))
            } else {
                None
            };
            match accepted {
                Some((len, score)) => {
                    let (s, e) = (m.start(), m.start() + len);
                    let score = boost(t, s, e, rec, score);
                    out.push((
                        PiiMatch {
                            entity: rec.entity,
                            start: s,
                            end: e,
                            score,
                        },
                        idx,
                    ));
                    pos = e;
                }
                None => {
                    // a shorter match may start one character later (no look-behind in regex)
                    retries += 1;
                    if retries > 32 {
                        pos = m.end();
                    } else {
                        pos = m.start() + t[m.start()..].chars().next().map_or(1, char::len_utf8);
                    }
                }
            }
            if pos >= t.len() {
                break;
            }
        }
    }
}

/// Only digits, '@', ':' or "www." can start a pattern recognizer's match.
fn needs_patterns(b: &[u8]) -> bool {
    b.iter()
        .any(|&c| c.is_ascii_digit() || c == b'@' || c == b':')
        || b.windows(4).any(|w| w.eq_ignore_ascii_case(b"www."))
}

/// Not glued to an ASCII letter or digit on either side (CJK neighbours are fine).
fn boundary_ok(t: &str, s: usize, e: usize) -> bool {
    let b = t.as_bytes();
    let before = s == 0 || !b[s - 1].is_ascii_alphanumeric();
    let after = e >= b.len() || !b[e].is_ascii_alphanumeric();
    before && after
}

/// Words that mark a grouped number as a code, not a phone number.
const NOT_PHONE: &[&str] = &[
    "彩票",
    "lottery",
    "会议",
    "會議",
    "meeting",
    "订单",
    "訂單",
    "order",
    "单号",
    "ref",
    "金额",
    "amount",
    "版本",
    "version",
    "invoice",
    "发票",
    "合同",
    "contract",
    "账号",
    "account",
    "工号",
    "staff",
    "license",
    "licence",
    "passport",
    "ssn",
    "social security",
];

/// Recognizer-specific neighbourhood checks the regex cannot express.
fn extra_ok(check: Check, t: &str, s: usize, e: usize) -> bool {
    let b = t.as_bytes();
    match check {
        // part of a longer dotted run (`03.93.92.16.85`, `1.2.3.4.5`) is not an address
        Check::Ipv4 => {
            let dotted_before = s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_digit();
            let dotted_after = e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_digit();
            !dotted_before && !dotted_after
        }
        Check::GenericPhone => {
            let w = window(t, s, e).to_ascii_lowercase();
            !NOT_PHONE.iter().any(|n| has_word(&w, n))
        }
        _ => true,
    }
}

/// Text shortly before and after a match (context window), on char boundaries.
fn window(t: &str, s: usize, e: usize) -> String {
    let mut lo = s.saturating_sub(CONTEXT_WINDOW);
    while !t.is_char_boundary(lo) {
        lo += 1;
    }
    let mut hi = (e + CONTEXT_WINDOW / 2).min(t.len());
    while !t.is_char_boundary(hi) {
        hi -= 1;
    }
    format!("{} {}", &t[lo..s], &t[e..hi])
}

/// Presidio-style context enhancement: a context word shortly before (or after) the match.
fn boost(t: &str, s: usize, e: usize, rec: &Rec, score: f32) -> f32 {
    if rec.context.is_empty() || score >= 1.0 {
        return score;
    }
    let w = window(t, s, e).to_ascii_lowercase();
    if rec.context.iter().any(|c| has_word(&w, c)) {
        (score + CONTEXT_BOOST).min(1.0)
    } else {
        score
    }
}

/// `word` occurs in `hay`; an ASCII word must not be glued to other ASCII letters
/// ("tel" in "hotel" is no context), a CJK word may sit anywhere.
fn has_word(hay: &str, word: &str) -> bool {
    let b = hay.as_bytes();
    hay.match_indices(word).any(|(i, _)| {
        let j = i + word.len();
        let ascii = word.as_bytes()[0].is_ascii_alphabetic();
        !ascii
            || ((i == 0 || !b[i - 1].is_ascii_alphabetic())
                && (j >= b.len() || !b[j].is_ascii_alphabetic()))
    })
}
