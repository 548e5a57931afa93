//! Ingest: raw bytes → [`ChatEvent`] (+ a ledger record for agree/disagree), and `seq` gap
//! tracking for the capture stream (Tencent keeps messages ~5 days: a gap must alert).

use wcp_model::{parse_wecom, ChatEvent, ConsentRecord, DeadLetterReason, EventKind};

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
