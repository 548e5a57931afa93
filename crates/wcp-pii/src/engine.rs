//! The detector: all recognizers compiled once, one scan per message.
//!
//! Cost model: a short chat line with no ASCII digit, `@`, `:` or `www.` skips the regex
//! stage entirely; otherwise one `RegexSet` pass (a lazy DFA over all patterns at once) says
//! which recognizers can match, and only those run their own regex and validator; context
//! words come from one Aho-Corasick pass, done only when a match needs them. PERSON,
//! LOCATION and labelled WeChat handles are hand-written scanners with their own triggers.

use crate::context::{ContextIndex, Hit};
use crate::normalize::Folded;
use crate::recognizers::{first_regional, is_regional, CONTEXT_BOOST, RECS};
use crate::recognizers_intl::{REGIONAL_CAP, REGIONAL_MAX};
use crate::validate::{validate, Check};
use crate::{address, names, wechat, PiiMatch};
use regex::{Regex, RegexBuilder, RegexSet, RegexSetBuilder};

/// Default reporting threshold: weak shapes (a bare 9-digit number as a US passport, …)
/// need a context word to be reported.
pub const DEFAULT_MIN_SCORE: f32 = 0.4;

/// Rank given to the scanner-made matches (after every pattern recognizer).
const SCANNER_RANK: usize = usize::MAX;

pub struct PiiDetector {
    /// the core recognizers (`RECS[..first_regional()]`)
    set: RegexSet,
    /// the regional ones, scanned only when they can be reported (`RECS[first_regional()..]`)
    regional_set: RegexSet,
    regexes: Vec<Regex>,
    context: ContextIndex,
    min_score: f32,
    /// `detect` reports every candidate, overlaps included (Presidio's `score_threshold`).
    overlapping: bool,
    /// Also run the anonymisation recall scanners (`recall.rs`).
    recall: bool,
}

impl Default for PiiDetector {
    fn default() -> Self {
        Self::new()
    }
}

/// Context hits of the line being scanned, computed on first use.
struct Line<'a> {
    t: &'a str,
    hits: Option<Vec<Hit>>,
}

impl PiiDetector {
    /// All built-in recognizers, default threshold.
    pub fn new() -> PiiDetector {
        // The patterns are constants covered by tests, so a failure here is a programming error.
        let set_of = |recs: &[&'static crate::recognizers::Rec]| {
            RegexSetBuilder::new(recs.iter().map(|r| r.pattern))
                .unicode(false)
                .dfa_size_limit(64 << 20)
                .size_limit(64 << 20)
                .build()
                .expect("built-in PII patterns compile")
        };
        let set = set_of(&RECS[..first_regional()]);
        let regional_set = set_of(&RECS[first_regional()..]);
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
            regional_set,
            regexes,
            context: ContextIndex::new(),
            min_score: DEFAULT_MIN_SCORE,
            overlapping: false,
            recall: false,
        }
    }

    /// Same recognizers, another reporting threshold (0.0 reports every shape, like Presidio).
    pub fn with_min_score(mut self, min_score: f32) -> PiiDetector {
        self.min_score = min_score;
        self
    }

    /// The anonymiser's detector: every recognizer at the production threshold plus the
    /// recall scanners (titled and given names, addresses without a house number, labelled
    /// identifiers, long numbers), every candidate reported with overlaps so the anonymiser
    /// replaces the union. Not for `wcp detect`: its spans do not follow the labelling
    /// convention.
    pub fn anonymising() -> PiiDetector {
        let mut d = PiiDetector::new().with_overlaps(true);
        d.recall = true;
        d
    }

    /// Same recognizers; `detect` then reports every candidate at or above the threshold,
    /// overlaps between entities included, as [`PiiDetector::detect_overlapping`] does
    /// (`wcp detect --min-score S`).
    pub fn with_overlaps(mut self, overlapping: bool) -> PiiDetector {
        self.overlapping = overlapping;
        self
    }

    /// Non-overlapping matches sorted by start: a span inside a longer one of the same
    /// entity is dropped; then, on overlap, the higher score wins, then the longer span,
    /// then the recognizer listed first. (Every candidate when built `with_overlaps`.)
    pub fn detect(&self, text: &str) -> Vec<PiiMatch> {
        if self.overlapping {
            return self.detect_overlapping(text);
        }
        let mut cands = self.candidates(text);
        if cands.len() < 2 {
            return cands.into_iter().map(|c| c.0).collect();
        }
        let keep: Vec<bool> = cands.iter().map(|(m, _)| !contained(&cands, m)).collect();
        let mut it = keep.into_iter();
        cands.retain(|_| it.next().unwrap_or(true));
        cands.sort_by(|a, b| {
            b.0.score
                .total_cmp(&a.0.score)
                .then((b.0.end - b.0.start).cmp(&(a.0.end - a.0.start)))
                .then(a.1.cmp(&b.1))
        });
        let mut out: Vec<PiiMatch> = Vec::with_capacity(cands.len());
        for (m, _) in cands {
            if out.iter().all(|o| m.end <= o.start || m.start >= o.end) {
                out.push(m);
            }
        }
        out.sort_by_key(|m| m.start);
        out
    }

    /// Every candidate of every entity, overlaps included (Presidio-style), sorted by start.
    pub fn detect_overlapping(&self, text: &str) -> Vec<PiiMatch> {
        let cands = self.candidates(text);
        let mut v: Vec<PiiMatch> = cands
            .iter()
            .filter(|c| !contained(&cands, &c.0))
            .map(|c| c.0.clone())
            .collect();
        v.sort_by(|a, b| a.start.cmp(&b.start).then(a.entity.cmp(b.entity)));
        v.dedup_by(|a, b| a.entity == b.entity && a.start == b.start && a.end == b.end);
        v
    }

    /// Every candidate above the threshold with its recognizer rank, in original offsets.
    fn candidates(&self, text: &str) -> Vec<(PiiMatch, usize)> {
        let folded = Folded::new(text);
        let mut line = Line {
            t: &folded.text,
            hits: None,
        };
        let t = line.t;
        let mut out = Vec::new();
        if needs_patterns(t.as_bytes()) {
            let core = self.set.matches(t).into_iter();
            // at the production threshold a regional shape needs a context word of its own:
            // scan for regional shapes only on lines that have one
            let regional =
                (self.min_score <= REGIONAL_CAP || self.context.any_regional(t)).then(|| {
                    self.regional_set
                        .matches(t)
                        .into_iter()
                        .map(|j| j + first_regional())
                });
            for i in core.chain(regional.into_iter().flatten()) {
                let rec = RECS[i];
                let mut max = rec.check.max_score(rec.score);
                if is_regional(i) {
                    max = max.min(REGIONAL_CAP);
                }
                // reportable only with a context word: skip unless the line has one
                if max < self.min_score && !self.context.any_for(self.hits(&mut line), i) {
                    continue;
                }
                self.run(i, &mut line, &mut out);
            }
        }
        let mut push = |entity: &'static str, start: usize, end: usize, score: f32| {
            out.push((
                PiiMatch {
                    entity,
                    start,
                    end,
                    score,
                },
                SCANNER_RANK,
            ));
        };
        names::find(t, &mut push);
        wechat::find(t, &mut |s, e, score| push("WECHAT_ID", s, e, score));
        address::find(t, &mut |s, e, score| push("LOCATION", s, e, score));
        if self.recall {
            crate::recall::find(t, &mut push);
        }
        out.retain(|(m, _)| m.score >= self.min_score);
        for (m, _) in &mut out {
            m.start = folded.orig(m.start);
            m.end = folded.orig(m.end);
        }
        out
    }

    fn hits<'l>(&self, line: &'l mut Line) -> &'l [Hit] {
        let t = line.t;
        line.hits.get_or_insert_with(|| self.context.hits(t))
    }

    /// Run recognizer `idx` over the line: regex, boundary, validator, neighbourhood, context.
    fn run(&self, idx: usize, line: &mut Line, out: &mut Vec<(PiiMatch, usize)>) {
        let (rec, re, t) = (RECS[idx], &self.regexes[idx], line.t);
        let mut pos = 0;
        let mut retries = 0;
        while let Some(m) = re.find_at(t, pos) {
            let free = rec.entity == "EMAIL_ADDRESS"
                || rec.entity == "URL"
                || !glued(t, m.start(), m.end());
            let accepted = if free && boundary_ok(t, m.start(), m.end()) {
                validate(rec.check, rec.score, m.as_str())
                    .filter(|&(len, _)| len > 0 && boundary_ok(t, m.start(), m.start() + len))
                    .filter(|&(len, _)| self.extra_ok(rec.check, line, m.start(), m.start() + len))
            } else {
                None
            };
            match accepted {
                Some((len, mut score)) => {
                    let (s, e) = (m.start(), m.start() + len);
                    let near = (score < 1.0 || is_regional(idx))
                        && self.context.near(self.hits(line), idx, s, e);
                    if score < 1.0 && near {
                        // shape + context stays below checksum + context (0.95 < 1.0)
                        score = if rec.check.weak_checksum() {
                            1.0
                        } else {
                            (score + CONTEXT_BOOST).min(0.95)
                        };
                    }
                    if is_regional(idx) {
                        // a regional shape never outranks a core recognizer on the same text
                        score = score.min(if near { REGIONAL_MAX } else { REGIONAL_CAP });
                    }
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
                    pos = if retries > 32 {
                        m.end()
                    } else {
                        m.start() + t[m.start()..].chars().next().map_or(1, char::len_utf8)
                    };
                }
            }
            if pos >= t.len() {
                break;
            }
        }
    }

    /// Recognizer-specific neighbourhood checks the regex cannot express.
    fn extra_ok(&self, check: Check, line: &mut Line, s: usize, e: usize) -> bool {
        let b = line.t.as_bytes();
        match check {
            // part of a longer dotted run (`03.93.92.16.85`, `1.2.3.4.5`) is not an address
            Check::Ipv4 => {
                let dotted_before = s >= 2 && b[s - 1] == b'.' && b[s - 2].is_ascii_digit();
                let dotted_after = e + 1 < b.len() && b[e] == b'.' && b[e + 1].is_ascii_digit();
                !dotted_before && !dotted_after && !self.context.not_ip_near(self.hits(line), s, e)
            }
            // one group of a longer spaced digit run (`6214 8312 3456 7890`) is not a phone
            Check::GenericPhone => {
                !space_glued(b, s, e) && !self.context.not_phone_near(self.hits(line), s, e)
            }
            Check::Hk8 => !space_glued(b, s, e),
            // `db8::1` inside `2001::db8::1` is a piece of a malformed address
            Check::Ipv6 => s == 0 || b[s - 1] != b':',
            _ => true,
        }
    }
}

/// Digits continue right across a single space on either side.
fn space_glued(b: &[u8], s: usize, e: usize) -> bool {
    let before = s >= 2 && b[s - 1] == b' ' && b[s - 2].is_ascii_digit();
    let after = e + 1 < b.len() && b[e] == b' ' && b[e + 1].is_ascii_digit();
    before || after
}

/// A partial read of a longer value of the same entity (`2718 1155` inside `079 2718 1155`).
fn contained(cands: &[(PiiMatch, usize)], m: &PiiMatch) -> bool {
    cands.iter().any(|(o, _)| {
        o.entity == m.entity
            && o.start <= m.start
            && m.end <= o.end
            && (o.end - o.start) > (m.end - m.start)
    })
}

/// Only digits, '@', ':', a dotted name (`example.com`, `aabb.ccdd.eeff`) or a long dashed
/// run (`AA-BB-CC-DD-EE-FF`) can start a pattern recognizer's match.
fn needs_patterns(b: &[u8]) -> bool {
    b.iter()
        .any(|&c| c.is_ascii_digit() || c == b'@' || c == b':')
        || b.windows(2)
            .any(|w| w[0] == b'.' && w[1].is_ascii_alphabetic())
        || b.iter().filter(|&&c| c == b'-').count() >= 5
}

/// Not glued to an ASCII letter or digit on either side (CJK neighbours are fine).
fn boundary_ok(t: &str, s: usize, e: usize) -> bool {
    let b = t.as_bytes();
    let before = s == 0 || !b[s - 1].is_ascii_alphanumeric();
    let after = e >= b.len() || !b[e].is_ascii_alphanumeric();
    before && after
}

/// Is `s..e` a piece of a longer token joined by `-` `.` `:` `/` (`579-0897` inside
/// `588-579-0897`, `93c3:…` inside `57f7:93c3:…`)? Such partial reads are not values.
fn glued(t: &str, s: usize, e: usize) -> bool {
    let b = t.as_bytes();
    let joiner = |c: u8| matches!(c, b'-' | b'.' | b':' | b'/');
    // only a digit on the far side continues the number: `…-Office`, `ID:…` are fine
    let before = s >= 2 && joiner(b[s - 1]) && b[s - 2].is_ascii_digit();
    let after = e + 1 < b.len() && joiner(b[e]) && b[e + 1].is_ascii_digit();
    before || after
}
