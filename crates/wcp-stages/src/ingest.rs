//! Ingest: raw bytes → [`ChatEvent`] (+ a ledger record for agree/disagree), and `seq` gap
//! tracking for the capture stream (Tencent keeps messages ~5 days: a gap must alert).
//!
//! [`IngestStep`] is the stage both runners call: bounds from [`InputPolicy`], parsing, the
//! gap check and the re-sent msgid check ([`crate::resent`]), with their state and its
//! abort/restore in one place. A record that reveals a gap raises the gap alert even when the
//! record itself is poison or a re-sent copy.

use wcp_model::{parse_wecom, Alert, ChatEvent, ConsentRecord, DeadLetterReason, EventKind};

use crate::alert::seq_gap_alert;
use crate::input::InputPolicy;
use crate::resent::SeenMsgids;

#[derive(Debug, Clone, PartialEq)]
pub struct IngestOutput {
    pub event: ChatEvent,
    /// Set for `agree`/`disagree`: goes to the compacted `consent.ledger` topic.
    pub consent: Option<ConsentRecord>,
}

pub fn ingest(raw: &[u8], seq: Option<u64>) -> Result<IngestOutput, DeadLetterReason> {
    let event = parse_wecom(raw, seq)?;
    let consent = match &event.kind {
        EventKind::Consent {
            contact,
            agreed,
            at_ms,
        } => Some(ConsentRecord {
            contact: contact.clone(),
            agreed: *agreed,
            at_ms: *at_ms,
            msgid: event.msgid.clone(),
        }),
        _ => None,
    };
    Ok(IngestOutput { event, consent })
}

/// What one raw record became at ingest: the gap it revealed (if any) and the event, the
/// re-sent copy or the reason it is poison. Both runners emit `gap` before anything else.
#[derive(Debug)]
pub struct Ingested {
    pub gap: Option<(SeqGap, Alert)>,
    pub result: IngestResult,
}

#[derive(Debug)]
pub enum IngestResult {
    /// A new message: its event (and ledger record) go on through the pipeline.
    Event(Box<IngestOutput>),
    /// A valid record whose msgid is in the window of recently ingested ones: the first copy
    /// went through (and is archived), so this one produces no event, no ledger record and
    /// no dead letter (it is not malformed); runners count it.
    Resent { msgid: String },
    /// Poison: dead-lettered with this reason.
    Poison(DeadLetterReason),
}

/// The ingest stage with its state: input bounds, the capture sequence tracker with its copy
/// as of the last commit, and the window of msgids already ingested. `abort` restores both,
/// so a replayed batch reports the same gaps and re-sent copies.
#[derive(Debug, Clone)]
pub struct IngestStep {
    input: InputPolicy,
    seqs: SeqTracker,
    committed: SeqTracker,
    seen: SeenMsgids,
}

impl IngestStep {
    pub fn new(input: InputPolicy) -> IngestStep {
        IngestStep {
            seen: SeenMsgids::new(input.duplicate_window),
            input,
            seqs: SeqTracker::default(),
            committed: SeqTracker::default(),
        }
    }

    /// A msgid ingested before this process started (what the runner's outputs already
    /// hold), oldest first: a re-sent copy of it is recognised after a restart.
    pub fn remember(&mut self, msgid: &str) {
        self.seen.remember(msgid);
    }

    /// `seq` is the capture sequence number (Kafka header, or the line's `seq` field);
    /// `capture_ms` when the capture wrote the record (bounds future event times).
    pub fn process(&mut self, raw: &[u8], seq: Option<u64>, capture_ms: i64) -> Ingested {
        // The capture delivered this seq even when its bytes are poison: observing it first
        // reports the gap it reveals and keeps the record itself from counting as missing.
        let gap = seq.and_then(|s| self.seqs.observe(s));
        let result = self
            .input
            .check_size(raw.len() as u64)
            .and_then(|()| ingest(raw, seq))
            .and_then(|out| {
                self.input.check_event(&out.event, capture_ms)?;
                Ok(out)
            });
        let time_ms = match &result {
            Ok(out) => out.event.time_ms,
            Err(_) => capture_ms,
        };
        // Only a valid record is noted: a poison first copy leaves no event behind, so a
        // valid copy after it is the message's first.
        let result = match result {
            Ok(out) if self.seen.seen_else_note(&out.event.msgid) => IngestResult::Resent {
                msgid: out.event.msgid,
            },
            Ok(out) => IngestResult::Event(Box::new(out)),
            Err(reason) => IngestResult::Poison(reason),
        };
        Ingested {
            gap: gap.map(|g| (g, seq_gap_alert(g, time_ms))),
            result,
        }
    }

    /// A record over `[input] max_record_bytes` that the runner does not hold (`wcp run`
    /// streams such a line): `len` bytes, `seq` read from its head ([`seq_in_head`]). The same
    /// decision as [`IngestStep::process`] on the bytes: the seq is observed (its gap alert
    /// is emitted first), the record is poison `record_too_large`.
    pub fn oversize(
        &mut self,
        seq: Option<u64>,
        len: u64,
        capture_ms: i64,
    ) -> (Option<(SeqGap, Alert)>, DeadLetterReason) {
        let gap = seq.and_then(|s| self.seqs.observe(s));
        let reason = match self.input.check_size(len) {
            Err(reason) => reason,
            Ok(()) => DeadLetterReason::RecordTooLarge {
                bytes: len,
                limit: self.input.max_record_bytes,
            },
        };
        (gap.map(|g| (g, seq_gap_alert(g, capture_ms))), reason)
    }

    /// The consent record a raw line carries when it is a valid agree/disagree, without
    /// observing its seq: for runners that apply every consent record of their input before
    /// gating (consent takes effect at its own time). Only lines that can be one are parsed.
    pub fn consent_of(&self, raw: &[u8], capture_ms: i64) -> Option<ConsentRecord> {
        if !raw.windows(5).any(|w| w == b"agree") {
            return None;
        }
        self.input.check_size(raw.len() as u64).ok()?;
        let out = ingest(raw, None).ok()?;
        self.input.check_event(&out.event, capture_ms).ok()?;
        out.consent
    }

    /// The batch's outputs were committed: keep the tracker and the msgids as they are now.
    pub fn commit(&mut self) {
        self.committed = self.seqs.clone();
        self.seen.commit();
    }

    /// The batch was aborted: forget what it observed.
    pub fn abort(&mut self) {
        self.seqs = self.committed.clone();
        self.seen.abort();
    }

    pub fn input(&self) -> &InputPolicy {
        &self.input
    }
}

/// The capture sequence number a raw JSON line carries as a top-level `seq` field (the
/// archive SDK returns it next to each message; a capture writing files keeps it there).
/// `wcp run` and `wcp produce --file` read it the same way, so a file replays identically
/// through both runners. Lines without one (or not JSON) have none.
pub fn seq_of_line(raw: &[u8]) -> Option<u64> {
    if !raw.windows(5).any(|w| w == b"\"seq\"") {
        return None;
    }
    #[derive(serde::Deserialize)]
    struct Seq {
        seq: Option<u64>,
    }
    serde_json::from_slice::<Seq>(raw).ok()?.seq
}

/// The top-level `"seq": N` among the first bytes of a JSON line that is not held whole (an
/// oversize line): [`seq_of_line`] for a line cut anywhere after its seq. Keys inside nested
/// objects and text inside strings are skipped; a seq after the head is not seen.
pub fn seq_in_head(head: &[u8]) -> Option<u64> {
    let (mut depth, mut in_str, mut escaped, mut key_start) = (0usize, false, false, 0usize);
    let mut i = 0;
    while i < head.len() {
        let b = head[i];
        if in_str {
            if escaped {
                escaped = false;
            } else if b == b'\\' {
                escaped = true;
            } else if b == b'"' {
                in_str = false;
                let colon = head[i + 1..].trim_ascii_start().strip_prefix(b":");
                // A key "seq" (a value "seq" is followed by no colon).
                if let (1, Some(rest), b"seq") = (depth, colon, &head[key_start..i]) {
                    let rest = rest.trim_ascii_start();
                    let digits = rest.iter().take_while(|c| c.is_ascii_digit()).count();
                    let after = rest.get(digits).copied();
                    // Digits cut by the head's end, or a non-integer, are not a seq.
                    if digits == 0
                        || !matches!(after, Some(b',' | b'}' | b' ' | b'\n' | b'\r' | b'\t'))
                    {
                        return None;
                    }
                    return std::str::from_utf8(&rest[..digits]).ok()?.parse().ok();
                }
            }
        } else {
            match b {
                b'"' => {
                    in_str = true;
                    key_start = i + 1;
                }
                b'{' | b'[' => depth += 1,
                b'}' | b']' => depth = depth.saturating_sub(1),
                _ => {}
            }
        }
        i += 1;
    }
    None
}

/// A run of capture sequence numbers that never arrived: `first..=last`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct SeqGap {
    pub first: u64,
    pub last: u64,
}

impl SeqGap {
    pub fn missing(&self) -> u64 {
        self.last - self.first + 1
    }
}

/// Tracks the highest `seq` seen. Duplicates and late arrivals (seq ≤ highest) are not gaps:
/// producers retry, and a re-sent message is normal.
#[derive(Debug, Clone, Default)]
pub struct SeqTracker {
    highest: Option<u64>,
}

impl SeqTracker {
    pub fn new(highest: Option<u64>) -> SeqTracker {
        SeqTracker { highest }
    }

    pub fn highest(&self) -> Option<u64> {
        self.highest
    }

    pub fn observe(&mut self, seq: u64) -> Option<SeqGap> {
        let gap = match self.highest {
            Some(h) if seq > h + 1 => Some(SeqGap {
                first: h + 1,
                last: seq - 1,
            }),
            _ => None,
        };
        if self.highest.is_none_or(|h| seq > h) {
            self.highest = Some(seq);
        }
        gap
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn seq_gaps() {
        let mut t = SeqTracker::default();
        assert_eq!(t.observe(5), None);
        assert_eq!(t.observe(6), None);
        assert_eq!(t.observe(6), None, "duplicate is not a gap");
        assert_eq!(t.observe(10), Some(SeqGap { first: 7, last: 9 }));
        assert_eq!(t.observe(8), None, "late arrival is not a gap");
        assert_eq!(t.highest(), Some(10));
        assert_eq!(SeqGap { first: 7, last: 9 }.missing(), 3);
    }

    fn poison_code(r: IngestResult) -> &'static str {
        match r {
            IngestResult::Poison(reason) => reason.code(),
            other => panic!("not poison: {other:?}"),
        }
    }

    const TEXT: &[u8] = br#"{"msgid":"t1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{"content":"hi"}}"#;
    const NOW: i64 = 1_732_600_050_000;

    #[test]
    fn poison_that_reveals_a_gap_still_reports_it() {
        let mut step = IngestStep::new(InputPolicy::default());
        assert!(step.process(TEXT, Some(1), NOW).gap.is_none());
        let poison = step.process(b"{not json", Some(5), NOW);
        let (gap, alert) = poison.gap.expect("gap alert");
        assert_eq!(gap, SeqGap { first: 2, last: 4 });
        assert_eq!(alert.alert_id, "seq_gap:2-4");
        assert_eq!(poison_code(poison.result), "invalid_json");
        // The poison record's own seq is not reported missing later.
        assert!(step.process(TEXT, Some(6), NOW).gap.is_none());
    }

    fn with_msgid(id: &str) -> Vec<u8> {
        String::from_utf8_lossy(TEXT)
            .replace("\"t1\"", &format!("{id:?}"))
            .into_bytes()
    }

    fn kind(r: &IngestResult) -> &'static str {
        match r {
            IngestResult::Event(_) => "event",
            IngestResult::Resent { .. } => "resent",
            IngestResult::Poison(_) => "poison",
        }
    }

    #[test]
    fn a_resent_msgid_gives_no_second_event_but_its_gap_alert() {
        let mut step = IngestStep::new(InputPolicy::default());
        assert_eq!(kind(&step.process(TEXT, Some(1), NOW).result), "event");
        // Re-sent with the same seq: nothing new at all.
        let again = step.process(TEXT, Some(1), NOW);
        assert!(again.gap.is_none());
        assert!(matches!(again.result, IngestResult::Resent { ref msgid } if msgid == "t1"));
        // Re-sent with a later seq that skips some: the gap is news, the message is not.
        let later = step.process(TEXT, Some(4), NOW);
        assert_eq!(
            later.gap.map(|(g, _)| g),
            Some(SeqGap { first: 2, last: 3 })
        );
        assert_eq!(kind(&later.result), "resent");
        assert_eq!(
            kind(&step.process(&with_msgid("t2"), Some(5), NOW).result),
            "event"
        );
    }

    #[test]
    fn a_poison_first_copy_does_not_hide_a_valid_second() {
        let mut step = IngestStep::new(InputPolicy::default());
        let far = String::from_utf8_lossy(TEXT).replace("1732600040000", "99999999999999");
        assert_eq!(
            kind(&step.process(far.as_bytes(), None, NOW).result),
            "poison"
        );
        assert_eq!(kind(&step.process(TEXT, None, NOW).result), "event");
        // ... and a poison re-sent copy is still dead-lettered (it is malformed).
        assert_eq!(
            kind(&step.process(far.as_bytes(), None, NOW).result),
            "poison"
        );
    }

    #[test]
    fn the_msgid_window_commits_aborts_and_is_seeded() {
        let mut step = IngestStep::new(InputPolicy {
            duplicate_window: 2,
            ..InputPolicy::default()
        });
        step.remember("old1");
        step.remember("t1");
        assert_eq!(kind(&step.process(TEXT, None, NOW).result), "resent");
        assert_eq!(
            kind(&step.process(&with_msgid("n1"), None, NOW).result),
            "event"
        );
        step.abort();
        // The aborted batch's msgid is unknown again; the seeded ones are kept.
        assert_eq!(
            kind(&step.process(&with_msgid("n1"), None, NOW).result),
            "event"
        );
        step.commit();
        // Capacity 2: n1 pushed out old1 at the commit.
        assert_eq!(
            kind(&step.process(&with_msgid("old1"), None, NOW).result),
            "event"
        );
        assert_eq!(
            kind(&step.process(&with_msgid("n1"), None, NOW).result),
            "resent"
        );
    }

    #[test]
    fn abort_restores_the_committed_tracker() {
        let mut step = IngestStep::new(InputPolicy::default());
        step.process(TEXT, Some(1), NOW);
        step.commit();
        assert!(step.process(TEXT, Some(9), NOW).gap.is_some());
        step.abort();
        assert!(
            step.process(TEXT, Some(9), NOW).gap.is_some(),
            "replay reports it again"
        );
        step.commit();
        step.abort();
        assert!(step.process(TEXT, Some(9), NOW).gap.is_none());
    }

    #[test]
    fn bounds_are_applied() {
        let mut step = IngestStep::new(InputPolicy {
            max_record_bytes: 10,
            ..InputPolicy::default()
        });
        let r = step.process(TEXT, None, NOW).result;
        assert_eq!(poison_code(r), "record_too_large");
        let mut step = IngestStep::new(InputPolicy::default());
        let far = br#"{"msgid":"t1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1832600040000,"msgtype":"text","text":{"content":"hi"}}"#;
        let r = step.process(far, None, NOW).result;
        assert_eq!(poison_code(r), "time_out_of_range");
    }

    #[test]
    fn seq_field_of_a_line() {
        assert_eq!(seq_of_line(br#"{"seq":42,"msgid":"x"}"#), Some(42));
        assert_eq!(seq_of_line(br#"{"msgid":"x"}"#), None);
        assert_eq!(seq_of_line(br#"{"seq":"x"}"#), None);
        assert_eq!(seq_of_line(b"not json \"seq\""), None);
    }

    #[test]
    fn an_oversize_record_observes_its_seq_like_any_poison() {
        let mut step = IngestStep::new(InputPolicy {
            max_record_bytes: 10,
            ..InputPolicy::default()
        });
        assert!(step.oversize(Some(1), 11, NOW).0.is_none());
        let (gap, reason) = step.oversize(Some(4), 5_000, NOW);
        assert_eq!(gap.map(|(_, a)| a.alert_id).as_deref(), Some("seq_gap:2-3"));
        assert_eq!(reason.code(), "record_too_large");
        // Its own seq is not reported missing later; the same as `process` on the bytes.
        assert!(step.oversize(Some(5), 20, NOW).0.is_none());
        let held = step.process(&[b' '; 30], Some(8), NOW);
        assert!(held.gap.is_some());
        let (_, streamed) = step.oversize(None, 30, NOW);
        assert_eq!(
            format!("{:?}", held.result),
            format!("{:?}", IngestResult::Poison(streamed))
        );
    }

    #[test]
    fn seq_in_the_head_of_a_line() {
        let top = br#"{"msgid":"x","seq": 42 ,"text":{"content":"#;
        assert_eq!(seq_in_head(top), Some(42));
        assert_eq!(seq_in_head(br#"{"seq":7}"#), Some(7));
        // Nested keys, keys quoted inside text, cut or non-integer values are not the seq.
        assert_eq!(seq_in_head(br#"{"a":{"seq":1},"text":""seq":2","#), None);
        assert_eq!(seq_in_head(br#"{"a":{"seq":1},"seq":3,"#), Some(3));
        assert_eq!(seq_in_head(br#"{"msgid":"x","seq":12"#), None);
        assert_eq!(seq_in_head(br#"{"seq":"12","#), None);
        assert_eq!(seq_in_head(br#"{"seq":1.5,"#), None);
        assert_eq!(seq_in_head(b"not json"), None);
        assert_eq!(seq_in_head(br#"{"msgid":"seq","seq":4,"#), Some(4));
        // A whole line agrees with seq_of_line.
        let line = br#"{"seq":9,"msgid":"x"}"#;
        assert_eq!(seq_in_head(line), seq_of_line(line));
    }

    #[test]
    fn consent_records_come_out_of_agree_and_disagree() {
        let raw = br#"{"msgid":"c1","action":"send","from":"wmX","tolist":["s"],"roomid":"","msgtime":1732600037000,"msgtype":"disagree","disagree":{"userid":"wmX","disagree_time":1732600030000}}"#;
        let out = ingest(raw, None).unwrap();
        assert_eq!(
            out.consent,
            Some(ConsentRecord {
                contact: "wmX".into(),
                agreed: false,
                at_ms: 1732600030000,
                msgid: "c1".into()
            })
        );
    }
}
