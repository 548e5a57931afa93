//! Context words (Presidio's "context enhancement") found with one Aho-Corasick pass per
//! line instead of a substring search per word per match: every recognizer's context words
//! and the "this is a code, not a phone" words are compiled into one automaton, and a match
//! only asks whether one of *its* words was hit inside its window.

use crate::recognizers::RECS;
use aho_corasick::{AhoCorasick, AhoCorasickBuilder, MatchKind};

/// Bytes before a match searched for context words (≈ Presidio's 5-word window); half as
/// many after it.
pub const WINDOW: usize = 40;

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

/// Words that mark a dotted quad as a version, not an address.
const NOT_IP: &[&str] = &[
    "版本", "version", "ver", "build", "release", "补丁", "升级", "patch", "固件", "firmware",
];

pub struct ContextIndex {
    ac: AhoCorasick,
    words: Vec<&'static str>,
    /// per recognizer (same index as `RECS`): ids of its context words
    rec_words: Vec<Vec<u32>>,
    not_phone: Vec<u32>,
    not_ip: Vec<u32>,
    /// the regional recognizers' context words alone: one fast `is_match` decides whether a
    /// line can report a regional shape at all
    regional_ac: AhoCorasick,
}

/// A context word found in the line: byte span and word id.
#[derive(Debug, Clone, Copy)]
pub struct Hit {
    start: usize,
    end: usize,
    id: u32,
}

impl ContextIndex {
    pub fn new() -> ContextIndex {
        let mut words: Vec<&'static str> = Vec::new();
        let id_of = |w: &'static str, words: &mut Vec<&'static str>| -> u32 {
            match words.iter().position(|x| *x == w) {
                Some(i) => i as u32,
                None => {
                    words.push(w);
                    (words.len() - 1) as u32
                }
            }
        };
        let rec_words: Vec<Vec<u32>> = RECS
            .iter()
            .map(|r| r.context.iter().map(|w| id_of(w, &mut words)).collect())
            .collect();
        let mut regional = Vec::new();
        for (i, ids) in rec_words.iter().enumerate() {
            if crate::recognizers::is_regional(i) {
                for &id in ids {
                    let id = id as usize;
                    if regional.len() <= id {
                        regional.resize(id + 1, false);
                    }
                    regional[id] = true;
                }
            }
        }
        let not_phone = NOT_PHONE.iter().map(|w| id_of(w, &mut words)).collect();
        let not_ip = NOT_IP.iter().map(|w| id_of(w, &mut words)).collect();
        let ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .build(&words)
            .expect("context automaton builds");
        regional.resize(words.len(), false);
        let regional_words: Vec<&str> = words
            .iter()
            .zip(&regional)
            .filter(|(_, r)| **r)
            .map(|(w, _)| *w)
            .collect();
        let regional_ac = AhoCorasickBuilder::new()
            .ascii_case_insensitive(true)
            .build(&regional_words)
            .expect("regional context automaton builds");
        ContextIndex {
            ac,
            words,
            rec_words,
            not_phone,
            not_ip,
            regional_ac,
        }
    }

    /// Every context word in `t` (overlapping hits included), ASCII words only when not glued
    /// to other ASCII letters ("tel" in "hotel" is no context).
    pub fn hits(&self, t: &str) -> Vec<Hit> {
        let b = t.as_bytes();
        self.ac
            .find_overlapping_iter(t)
            .filter(|m| {
                let ascii = self.words[m.pattern().as_usize()].as_bytes()[0].is_ascii_alphabetic();
                let (s, e) = (m.start(), m.end());
                !ascii
                    || ((s == 0 || !b[s - 1].is_ascii_alphabetic())
                        && (e >= b.len() || !b[e].is_ascii_alphabetic()))
            })
            .map(|m| Hit {
                start: m.start(),
                end: m.end(),
                id: m.pattern().as_u32(),
            })
            .collect()
    }

    /// Does recognizer `rec` have a context word anywhere in the line?
    pub fn any_for(&self, hits: &[Hit], rec: usize) -> bool {
        hits.iter().any(|h| self.rec_words[rec].contains(&h.id))
    }

    /// Is a context word of any regional recognizer in the line? (A quick test; the
    /// recognizer's own word in its window is checked later as usual.)
    pub fn any_regional(&self, t: &str) -> bool {
        self.regional_ac.is_match(t)
    }

    /// Does recognizer `rec` have a context word in the window around `s..e`?
    pub fn near(&self, hits: &[Hit], rec: usize, s: usize, e: usize) -> bool {
        hits.iter()
            .any(|h| in_window(h, s, e) && self.rec_words[rec].contains(&h.id))
    }

    /// Is a "code, not phone" word in the window around `s..e`?
    pub fn not_phone_near(&self, hits: &[Hit], s: usize, e: usize) -> bool {
        hits.iter()
            .any(|h| in_window(h, s, e) && self.not_phone.contains(&h.id))
    }

    /// Is a "this is a version" word in the window around `s..e`?
    pub fn not_ip_near(&self, hits: &[Hit], s: usize, e: usize) -> bool {
        hits.iter()
            .any(|h| in_window(h, s, e) && self.not_ip.contains(&h.id))
    }
}

fn in_window(h: &Hit, s: usize, e: usize) -> bool {
    h.end <= s && h.start + WINDOW >= s || h.start >= e && h.end <= e + WINDOW / 2
}
