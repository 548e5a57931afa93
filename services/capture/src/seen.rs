//! What `wecom.raw` and `chat.dlq` already hold for one corp, so the recovery commands
//! (`redecrypt`, `refetch`) never write a message or a dead letter twice, however often they
//! run. A message counts as present by its `seq` (the capture's header, for this corp) or by
//! its `msgid` (any producer). Pure: the runner feeds it the records it reads.

use std::collections::{BTreeMap, BTreeSet, HashSet};

use serde::Deserialize;
use wcp_model::DeadLetter;

/// The dead-letter `source` the capture writes: `wecom-archive/<corp>/seq/<seq>`.
fn dead_letter_seq(corp_id: &str, source: &str) -> Option<u64> {
    let rest = source.strip_prefix("wecom-archive/")?;
    let seq = rest.strip_prefix(corp_id)?.strip_prefix("/seq/")?;
    seq.parse().ok()
}

#[derive(Deserialize)]
struct MsgId {
    msgid: Option<String>,
}

/// The `msgid` of a plaintext message (None when not JSON or without one).
pub fn msgid_of(plain: &[u8]) -> Option<String> {
    serde_json::from_slice::<MsgId>(plain).ok()?.msgid
}

#[derive(Debug, Default)]
pub struct Seen {
    corp_id: String,
    raw_seqs: BTreeSet<u64>,
    msgids: HashSet<String>,
    /// The capture's dead letters of this corp: seq → the encrypted envelope (the latest
    /// one of a seq; a seq dead-lettered again after a refetch carries the same envelope).
    dead: BTreeMap<u64, Vec<u8>>,
}

impl Seen {
    pub fn new(corp_id: &str) -> Seen {
        Seen {
            corp_id: corp_id.to_string(),
            ..Seen::default()
        }
    }

    /// A `wecom.raw` record (its `seq` and `corp_id` headers, its value).
    pub fn note_raw(&mut self, seq: Option<u64>, corp: Option<&[u8]>, value: &[u8]) {
        if let (Some(seq), Some(corp)) = (seq, corp) {
            if corp == self.corp_id.as_bytes() {
                self.raw_seqs.insert(seq);
            }
        }
        if let Some(id) = msgid_of(value) {
            self.msgids.insert(id);
        }
    }

    /// A `chat.dlq` record: kept when it is a capture dead letter of this corp.
    pub fn note_dead_letter(&mut self, value: &[u8]) {
        let Ok(d) = wcp_schema::decode::<DeadLetter>(value) else {
            return;
        };
        if d.stage != "capture" {
            return;
        }
        if let Some(seq) = dead_letter_seq(&self.corp_id, &d.source) {
            self.dead.insert(seq, d.original);
        }
    }

    /// Whether the message of `seq` with these plaintext bytes is already in `wecom.raw`.
    pub fn has_message(&self, seq: u64, plain: &[u8]) -> bool {
        self.raw_seqs.contains(&seq) || msgid_of(plain).is_some_and(|m| self.msgids.contains(&m))
    }

    pub fn has_seq(&self, seq: u64) -> bool {
        self.raw_seqs.contains(&seq)
    }

    pub fn has_dead_letter(&self, seq: u64) -> bool {
        self.dead.contains_key(&seq)
    }

    /// Records a message as written (a later batch of the same run sees it).
    pub fn add_message(&mut self, seq: u64, plain: &[u8]) {
        self.raw_seqs.insert(seq);
        if let Some(id) = msgid_of(plain) {
            self.msgids.insert(id);
        }
    }

    pub fn add_dead_letter(&mut self, seq: u64, envelope: &[u8]) {
        self.dead.insert(seq, envelope.to_vec());
    }

    /// The dead-lettered envelopes, in seq order.
    pub fn dead_letters(&self) -> impl Iterator<Item = (u64, &[u8])> {
        self.dead.iter().map(|(s, e)| (*s, e.as_slice()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn dl(stage: &str, source: &str, original: &[u8]) -> Vec<u8> {
        wcp_schema::encode(&DeadLetter {
            original: original.to_vec(),
            source: source.into(),
            stage: stage.into(),
            reason_code: "unknown_publickey_ver".into(),
            reason: "no key".into(),
        })
        .unwrap()
    }

    #[test]
    fn messages_count_by_seq_of_this_corp_or_by_msgid() {
        let mut s = Seen::new("ww1");
        s.note_raw(Some(5), Some(b"ww1"), br#"{"msgid":"a"}"#);
        s.note_raw(Some(6), Some(b"ww2"), br#"{"msgid":"b"}"#);
        s.note_raw(None, None, br#"{"msgid":"c","x":1}"#);
        s.note_raw(None, None, b"not json");
        assert!(s.has_message(5, b"{}"));
        assert!(s.has_seq(5) && !s.has_seq(6), "seq 6 is another corp's");
        assert!(s.has_message(6, br#"{"msgid":"b"}"#), "by msgid");
        assert!(s.has_message(9, br#"{"msgid":"c"}"#));
        assert!(!s.has_message(9, br#"{"msgid":"d"}"#));
        assert!(!s.has_message(9, b"garbage"));
        s.add_message(9, br#"{"msgid":"d"}"#);
        assert!(s.has_message(10, br#"{"msgid":"d"}"#) && s.has_seq(9));
    }

    #[test]
    fn only_capture_dead_letters_of_this_corp_are_kept() {
        let mut s = Seen::new("ww1");
        s.note_dead_letter(&dl("capture", "wecom-archive/ww1/seq/7", b"E7"));
        s.note_dead_letter(&dl("capture", "wecom-archive/ww1/seq/3", b"E3"));
        s.note_dead_letter(&dl("capture", "wecom-archive/ww12/seq/8", b"other corp"));
        s.note_dead_letter(&dl("ingest", "wecom.raw/0/5", b"ingest's"));
        s.note_dead_letter(&dl("capture", "wecom-archive/ww1/seq/x", b"bad seq"));
        s.note_dead_letter(b"not a dead letter");
        let got: Vec<(u64, &[u8])> = s.dead_letters().collect();
        assert_eq!(got, vec![(3, &b"E3"[..]), (7, &b"E7"[..])]);
        assert!(s.has_dead_letter(7) && !s.has_dead_letter(8));
        s.add_dead_letter(8, b"E8");
        assert!(s.has_dead_letter(8));
    }
}
