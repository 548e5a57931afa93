//! The compiled lexicon: one Aho-Corasick automaton over every phrase of every rule, and the
//! rule evaluation (phrases, proximity, exceptions) over its hits.
//!
//! Each distinct phrase is one automaton pattern whatever the number of rules that use it; a
//! pattern lists its uses as (rule, role). A scan runs the automaton once (overlapping, so a
//! trigger and an exception covering it are both seen), turns hits into per-rule events, and
//! evaluates the rules that got events. Nothing is allocated per rule.

use crate::policy::{PolicyError, Rule};
use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};
use std::collections::HashMap;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
enum Role {
    UnlessAnywhere,
    Unless,
    Trigger,
    Near,
}

#[derive(Debug, Clone)]
struct Pattern {
    /// Latin phrase starting with a letter/digit: the text before it must not be one.
    left_word: bool,
    /// Latin phrase ending with a letter/digit and no `*`: the text after it must not be one.
    right_word: bool,
    /// A negation cue of `[defaults] negations`.
    negation: bool,
    uses: Vec<(u32, Role)>,
}

/// A rule hit in normalised byte offsets.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LexHit {
    pub rule: usize,
    pub start: usize,
    pub end: usize,
    /// The normalised phrase(s) that fired, for the explanation.
    pub trigger: (usize, usize),
    pub near: Option<(usize, usize)>,
}

#[derive(Debug, Clone, Copy)]
struct Event {
    rule: u32,
    role: Role,
    start: u32,
    end: u32,
}

pub(crate) struct Lexicon {
    ac: AhoCorasick,
    patterns: Vec<Pattern>,
    pub rules: Vec<Rule>,
    negation_window: u32,
}

impl Lexicon {
    pub fn build(
        rules: Vec<Rule>,
        negations: &[String],
        negation_window: u32,
    ) -> Result<Lexicon, PolicyError> {
        let mut index: HashMap<String, usize> = HashMap::new();
        let mut strings: Vec<String> = Vec::new();
        let mut patterns: Vec<Pattern> = Vec::new();
        for (ri, rule) in rules.iter().enumerate() {
            let lists = [
                (&rule.phrases, Role::Trigger),
                (&rule.near, Role::Near),
                (&rule.unless, Role::Unless),
                (&rule.unless_anywhere, Role::UnlessAnywhere),
            ];
            for (list, role) in lists {
                for phrase in list {
                    let prefix = phrase.ends_with('*');
                    let body = phrase.trim_end_matches('*').to_string();
                    let key = if prefix {
                        format!("{body}*")
                    } else {
                        body.clone()
                    };
                    let pi = *index.entry(key).or_insert_with(|| {
                        let first = body.chars().next().unwrap_or(' ');
                        let last = body.chars().last().unwrap_or(' ');
                        strings.push(body.clone());
                        patterns.push(Pattern {
                            left_word: first.is_ascii_alphanumeric(),
                            right_word: last.is_ascii_alphanumeric() && !prefix,
                            negation: false,
                            uses: Vec::new(),
                        });
                        patterns.len() - 1
                    });
                    if !patterns[pi].uses.contains(&(ri as u32, role)) {
                        patterns[pi].uses.push((ri as u32, role));
                    }
                }
            }
        }
        for cue in negations {
            let pi = *index.entry(cue.clone()).or_insert_with(|| {
                strings.push(cue.clone());
                patterns.push(Pattern {
                    left_word: cue.starts_with(|c: char| c.is_ascii_alphanumeric()),
                    right_word: cue.ends_with(|c: char| c.is_ascii_alphanumeric()),
                    negation: false,
                    uses: Vec::new(),
                });
                patterns.len() - 1
            });
            patterns[pi].negation = true;
        }
        // A contiguous NFA, not a DFA: the built-in lexicon (~5,000 phrases) takes 0.7 MB
        // instead of 17 MB, as fast on chat lines, and the classifier service shares its
        // caches with the rest of the chain (issue 16). The matches are the same.
        let ac = AhoCorasick::builder()
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::ContiguousNFA))
            .build(&strings)
            .map_err(|e| PolicyError::Other(format!("cannot build automaton: {e}")))?;
        Ok(Lexicon {
            ac,
            patterns,
            rules,
            negation_window,
        })
    }

    /// Every rule hit in `norm` (normalised text), at most one per rule (its first), and the
    /// categories for which an exception phrase occurred anywhere (`vetoed`, by category index):
    /// the lexicon recognised an innocent use ("不保证收益", "legal hold"), so the category model
    /// must not overrule it on the same message.
    pub fn scan(&self, norm: &str) -> (Vec<LexHit>, [bool; 9]) {
        let bytes = norm.as_bytes();
        let mut events: Vec<Event> = Vec::new();
        let mut negs: Vec<(usize, usize)> = Vec::new();
        for m in self.ac.find_overlapping_iter(norm) {
            let p = &self.patterns[m.pattern().as_usize()];
            if p.left_word && m.start() > 0 && bytes[m.start() - 1].is_ascii_alphanumeric() {
                continue;
            }
            if p.right_word && m.end() < bytes.len() && bytes[m.end()].is_ascii_alphanumeric() {
                continue;
            }
            if p.negation {
                negs.push((m.start(), m.end()));
            }
            for &(rule, role) in &p.uses {
                events.push(Event {
                    rule,
                    role,
                    start: m.start() as u32,
                    end: m.end() as u32,
                });
            }
        }
        let mut vetoed = [false; 9];
        if events.is_empty() {
            return (Vec::new(), vetoed);
        }
        for e in &events {
            if matches!(e.role, Role::Unless | Role::UnlessAnywhere) {
                vetoed[crate::cat_index(self.rules[e.rule as usize].category)] = true;
            }
        }
        // Group by rule; within a rule, exceptions sort first so they are known before triggers.
        events.sort_unstable_by_key(|e| (e.rule, e.role, e.start));
        let mut hits = Vec::new();
        for group in events.chunk_by(|a, b| a.rule == b.rule) {
            let negated = |t: (usize, usize)| {
                negs.iter().any(|&n| {
                    n.1 <= t.0 && gap_chars(norm, n, t).is_some_and(|g| g <= self.negation_window)
                })
            };
            // A negated trigger ("do not delete") is an innocent use: no hit, and no model.
            if spans(group, Role::Trigger).any(negated) {
                vetoed[crate::cat_index(self.rules[group[0].rule as usize].category)] = true;
            }
            if let Some(h) = self.eval(norm, group, &negated) {
                hits.push(h);
            }
        }
        (hits, vetoed)
    }

    fn eval(
        &self,
        norm: &str,
        ev: &[Event],
        negated: &dyn Fn((usize, usize)) -> bool,
    ) -> Option<LexHit> {
        let ri = ev[0].rule as usize;
        let rule = &self.rules[ri];
        if ev.iter().any(|e| e.role == Role::UnlessAnywhere) {
            return None;
        }
        let unless: Vec<(usize, usize)> = spans(ev, Role::Unless).collect();
        let excepted = |s: (usize, usize)| {
            unless
                .iter()
                .any(|&u| gap_chars(norm, s, u).is_some_and(|g| g <= rule.unless_window))
        };
        for t in spans(ev, Role::Trigger).filter(|&t| !excepted(t) && !negated(t)) {
            if rule.near.is_empty() {
                return Some(LexHit {
                    rule: ri,
                    start: t.0,
                    end: t.1,
                    trigger: t,
                    near: None,
                });
            }
            let near = spans(ev, Role::Near).filter(|&n| !excepted(n)).find(|&n| {
                !overlaps(t, n) && gap_chars(norm, t, n).is_some_and(|g| g <= rule.window)
            });
            if let Some(n) = near {
                let (start, end) = (t.0.min(n.0), t.1.max(n.1));
                return Some(LexHit {
                    rule: ri,
                    start,
                    end,
                    trigger: t,
                    near: Some(n),
                });
            }
        }
        None
    }
}

fn spans(ev: &[Event], role: Role) -> impl Iterator<Item = (usize, usize)> + '_ {
    ev.iter()
        .filter(move |e| e.role == role)
        .map(|e| (e.start as usize, e.end as usize))
}

fn overlaps(a: (usize, usize), b: (usize, usize)) -> bool {
    a.0 < b.1 && b.0 < a.1
}

/// Characters between two spans (0 when they touch or overlap).
fn gap_chars(norm: &str, a: (usize, usize), b: (usize, usize)) -> Option<u32> {
    if overlaps(a, b) {
        return Some(0);
    }
    let (lo, hi) = if a.1 <= b.0 { (a.1, b.0) } else { (b.1, a.0) };
    norm.get(lo..hi).map(|s| s.chars().count() as u32)
}
