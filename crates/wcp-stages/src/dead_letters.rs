//! Dead letters into the region's archive (#13 item 8). A dead letter's original bytes are
//! input that could not be read, so whose chat it is and whether they consented cannot be
//! known: the archive keeps it like quarantined content — the bytes sealed to the DPO's key
//! (or not kept without one), under the hash chain, named by stage only, and removed by
//! expiry after `[retention] dead_letter_days` from when it was dead-lettered. A
//! `record_too_large` dead letter is kept without its bytes (only their fingerprint and
//! length): they exceed the record limit, and `wcp run` streams them (never holding them)
//! into `dead_letters.jsonl`, as `chat.dlq` holds them for the services.

use serde_json::json;
use wcp_model::{
    Action, ChatEvent, ConsentDecision, ConsentState, DeadLetter, Disposition, EnrichedEvent,
    EventKind, Participant, RetentionTag,
};

use crate::retention::RetentionPolicy;

/// The `msgtype` (and conversation id) of an archived dead letter.
pub const MSGTYPE: &str = "dead_letter";
/// The retention rule id an archived dead letter carries.
pub const RULE: &str = "dead_letter";

const DAY_MS: i64 = 86_400_000;

/// The archive's form of `letter`, dead-lettered (or read from `chat.dlq`) at `at_ms`. The
/// msgid is its stage, source and a fingerprint of its bytes: the same dead letter again (a
/// redelivery, a re-run of the same file) gets the same msgid, so the archive keeps it once.
pub fn archived(letter: &DeadLetter, at_ms: i64, policy: &RetentionPolicy) -> EnrichedEvent {
    let mut f = Fingerprint::new();
    f.update(&letter.original);
    archived_with(letter, f.value(), at_ms, policy)
}

/// [`archived`] for a letter whose original bytes were fingerprinted while streamed (an
/// oversize line in `wcp run`: `letter.original` is empty there, the bytes are not held).
pub fn archived_with(
    letter: &DeadLetter,
    fingerprint: u64,
    at_ms: i64,
    policy: &RetentionPolicy,
) -> EnrichedEvent {
    let oversize = letter.reason_code == OVERSIZE;
    let payload = json!({
        "source": letter.source,
        "stage": letter.stage,
        "reason_code": letter.reason_code,
        "reason": letter.reason,
    });
    let event = ChatEvent {
        msgid: msgid_with(letter, fingerprint),
        action: Action::Send,
        msgtype: MSGTYPE.to_string(),
        kind: EventKind::Message,
        from: Participant::new(letter.stage.clone()),
        to: Vec::new(),
        roomid: None,
        conversation_id: MSGTYPE.to_string(),
        time_ms: at_ms,
        seq: None,
        known_type: false,
        text: String::new(),
        payload_json: payload.to_string(),
        // Both runners keep an oversize record's bytes out of the archive (see the module doc).
        raw: if oversize {
            Vec::new()
        } else {
            letter.original.clone()
        },
    };
    let mut ev = EnrichedEvent::new(event);
    ev.consent = Some(ConsentDecision {
        state: ConsentState::Unknown,
        disposition: Disposition::Quarantine,
        contacts: Vec::new(),
    });
    ev.retention = Some(RetentionTag {
        rules: vec![RULE.to_string()],
        keep_until_ms: at_ms + i64::from(policy.dead_letter_days) * DAY_MS,
        legal_hold: false,
        region: policy.default_region.clone(),
    });
    ev
}

/// `dlq:STAGE:SOURCE:FNV-1a(original)`. The fingerprint only tells apart different bytes
/// from one source (files re-used under one name); it protects nothing, the bytes are sealed.
pub fn msgid(letter: &DeadLetter) -> String {
    let mut f = Fingerprint::new();
    f.update(&letter.original);
    msgid_with(letter, f.value())
}

fn msgid_with(letter: &DeadLetter, fingerprint: u64) -> String {
    format!("dlq:{}:{}:{fingerprint:016x}", letter.stage, letter.source)
}

/// The reason code of a dead letter whose bytes the archive does not keep.
const OVERSIZE: &str = "record_too_large";

/// FNV-1a over bytes fed in pieces: the same value whether they are held or streamed.
#[derive(Debug, Clone, Copy)]
pub struct Fingerprint(u64);

impl Fingerprint {
    pub fn new() -> Fingerprint {
        Fingerprint(0xcbf2_9ce4_8422_2325)
    }

    pub fn update(&mut self, bytes: &[u8]) {
        for b in bytes {
            self.0 ^= u64::from(*b);
            self.0 = self.0.wrapping_mul(0x0000_0100_0000_01b3);
        }
    }

    pub fn value(&self) -> u64 {
        self.0
    }
}

impl Default for Fingerprint {
    fn default() -> Self {
        Fingerprint::new()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_model::DeadLetterReason;

    #[test]
    fn a_dead_letter_is_quarantined_in_the_default_region_for_its_retention() {
        let policy = crate::Policy::builtin().retention;
        let reason = DeadLetterReason::NotAnObject {
            found: "array".into(),
        };
        let letter = DeadLetter::new(b"[1,2]".to_vec(), "wecom.raw/0/7".into(), "ingest", &reason);
        let ev = archived(&letter, 1_000, &policy);
        assert_eq!(ev.disposition(), Disposition::Quarantine);
        assert_eq!(ev.event.raw, b"[1,2]");
        assert!(ev.event.msgid.starts_with("dlq:ingest:wecom.raw/0/7:"));
        assert_eq!(
            archived(&letter, 9_999, &policy).event.msgid,
            ev.event.msgid
        );
        let other = DeadLetter::new(b"[1,3]".to_vec(), "wecom.raw/0/7".into(), "ingest", &reason);
        assert_ne!(msgid(&other), ev.event.msgid);
        assert!(!ev.event.has_external());
        let r = ev.retention.unwrap();
        assert_eq!(r.region, policy.default_region);
        assert_eq!(r.rules, [RULE]);
        assert_eq!(
            r.keep_until_ms,
            1_000 + i64::from(policy.dead_letter_days) * DAY_MS
        );
        assert!(policy.dead_letter_days > 0);
    }

    #[test]
    fn an_oversize_letter_is_kept_without_its_bytes_under_the_same_msgid_streamed_or_not() {
        let policy = crate::Policy::builtin().retention;
        let reason = DeadLetterReason::RecordTooLarge { bytes: 6, limit: 4 };
        let held = DeadLetter::new(b"abcdef".to_vec(), "in:3".into(), "ingest", &reason);
        let ev = archived(&held, 1_000, &policy);
        assert!(ev.event.raw.is_empty(), "bytes not archived");
        assert_eq!(ev.event.msgid, msgid(&held));
        // Streamed in two pieces by a runner that does not hold them: same row.
        let mut f = Fingerprint::new();
        f.update(b"abc");
        f.update(b"def");
        let streamed = DeadLetter::new(Vec::new(), "in:3".into(), "ingest", &reason);
        assert_eq!(archived_with(&streamed, f.value(), 1_000, &policy), ev);
    }
}
