//! Ingest: raw bytes → [`ChatEvent`] (+ a ledger record for agree/disagree), and `seq` gap
//! tracking for the capture stream (Tencent keeps messages ~5 days: a gap must alert).
//!
//! [`IngestStep`] is the stage both runners call: bounds from [`InputPolicy`], parsing, and
//! the gap check with its state and its abort/restore in one place. A record that reveals a
//! gap raises the gap alert even when the record itself is poison.

use wcp_model::{parse_wecom, Alert, ChatEvent, ConsentRecord, DeadLetterReason, EventKind};

use crate::alert::seq_gap_alert;
use crate::input::InputPolicy;

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

/// What one raw record became at ingest: the gap it revealed (if any) and the event or the
/// reason it is poison. Both runners emit `gap` before anything else, poison or not.
#[derive(Debug)]
pub struct Ingested {
    pub gap: Option<(SeqGap, Alert)>,
    pub result: Result<IngestOutput, DeadLetterReason>,
}

/// The ingest stage with its state: input bounds and the capture sequence tracker, plus the
/// tracker as of the last commit, which `abort` restores so a replayed batch reports the
/// same gaps.
#[derive(Debug, Clone)]
pub struct IngestStep {
    input: InputPolicy,
    seqs: SeqTracker,
    committed: SeqTracker,
}

impl IngestStep {
    pub fn new(input: InputPolicy) -> IngestStep {
        IngestStep {
            input,
            seqs: SeqTracker::default(),
            committed: SeqTracker::default(),
        }
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
        Ingested {
            gap: gap.map(|g| (g, seq_gap_alert(g, time_ms))),
            result,
        }
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

    /// The batch's outputs were committed: keep the tracker as it is now.
    pub fn commit(&mut self) {
        self.committed = self.seqs.clone();
    }

    /// The batch was aborted: forget what it observed.
    pub fn abort(&mut self) {
        self.seqs = self.committed.clone();
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
        assert_eq!(poison.result.unwrap_err().code(), "invalid_json");
        // The poison record's own seq is not reported missing later.
        assert!(step.process(TEXT, Some(6), NOW).gap.is_none());
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
        let r = step.process(TEXT, None, NOW).result.unwrap_err();
        assert_eq!(r.code(), "record_too_large");
        let mut step = IngestStep::new(InputPolicy::default());
        let far = br#"{"msgid":"t1","action":"send","from":"zw","tolist":["wmX"],"roomid":"","msgtime":1832600040000,"msgtype":"text","text":{"content":"hi"}}"#;
        let r = step.process(far, None, NOW).result.unwrap_err();
        assert_eq!(r.code(), "time_out_of_range");
    }

    #[test]
    fn seq_field_of_a_line() {
        assert_eq!(seq_of_line(br#"{"seq":42,"msgid":"x"}"#), Some(42));
        assert_eq!(seq_of_line(br#"{"msgid":"x"}"#), None);
        assert_eq!(seq_of_line(br#"{"seq":"x"}"#), None);
        assert_eq!(seq_of_line(b"not json \"seq\""), None);
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
