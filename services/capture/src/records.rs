//! The records one capture transaction writes: each plaintext message to `wecom.raw` byte
//! for byte (headers `seq`, `publickey_ver`, `corp_id`), each undecryptable message to
//! `chat.dlq` (its encrypted envelope and the reason) with an alert on `chat.alerts`, and
//! the new cursor to `capture.cursor`. Pure.

use serde::{Deserialize, Serialize};
use wcp_model::{topics, Alert, DeadLetter, Severity};
use wcp_runtime::{OutRecord, RuntimeError};

use crate::decrypt::Outcome;

pub const RAW_TOPIC: &str = topics::RAW;
pub const CURSOR_TOPIC: &str = topics::CAPTURE_CURSOR;
pub const ALERTS_TOPIC: &str = topics::ALERTS;

/// The value of a `capture.cursor` record (key: the corp id): the highest seq committed.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Cursor {
    pub corp_id: String,
    pub seq: u64,
}

pub fn cursor_record(corp_id: &str, seq: u64) -> OutRecord {
    let c = Cursor {
        corp_id: corp_id.to_string(),
        seq,
    };
    let value = serde_json::to_vec(&c).unwrap_or_default();
    OutRecord::new(CURSOR_TOPIC, Some(corp_id.as_bytes().to_vec()), value)
}

/// The seq of a cursor record of `corp_id` (None for other corps or unreadable values).
pub fn read_cursor(corp_id: &str, key: Option<&[u8]>, value: &[u8]) -> Option<u64> {
    if key != Some(corp_id.as_bytes()) {
        return None;
    }
    let c: Cursor = serde_json::from_slice(value).ok()?;
    (c.corp_id == corp_id).then_some(c.seq)
}

/// What one batch turns into; `seq` is the batch's last seq (the new cursor).
pub fn batch_records(
    corp_id: &str,
    outcomes: &[Outcome],
    seq: u64,
    now_ms: i64,
) -> Result<Vec<OutRecord>, RuntimeError> {
    let mut outs = outcome_records(corp_id, outcomes, now_ms)?;
    outs.push(cursor_record(corp_id, seq));
    Ok(outs)
}

/// A decrypted message as `wecom.raw` holds it: the bytes, headers `seq`, `publickey_ver`,
/// `corp_id`.
pub fn raw_record(corp_id: &str, seq: u64, ver: u32, bytes: &[u8]) -> OutRecord {
    let mut r = OutRecord::new(RAW_TOPIC, None, bytes.to_vec());
    r.headers = vec![
        ("seq".into(), seq.to_string().into_bytes()),
        ("publickey_ver".into(), ver.to_string().into_bytes()),
        ("corp_id".into(), corp_id.as_bytes().to_vec()),
    ];
    r
}

/// The messages, dead letters and alerts of `outcomes` (no cursor: the recovery commands
/// write these without moving it).
pub fn outcome_records(
    corp_id: &str,
    outcomes: &[Outcome],
    now_ms: i64,
) -> Result<Vec<OutRecord>, RuntimeError> {
    let mut outs = Vec::with_capacity(outcomes.len() + 1);
    for o in outcomes {
        match o {
            Outcome::Plain { seq, ver, bytes } => outs.push(raw_record(corp_id, *seq, *ver, bytes)),
            Outcome::Dead { item, code, reason } => {
                let dl = DeadLetter {
                    original: item.envelope.clone(),
                    source: format!("wecom-archive/{corp_id}/seq/{}", item.seq),
                    stage: "capture".into(),
                    reason_code: (*code).to_string(),
                    reason: reason.clone(),
                };
                let bytes = wcp_schema::encode(&dl).map_err(|e| {
                    RuntimeError::Fatal(format!("cannot encode a dead letter: {e}"))
                })?;
                let mut r = OutRecord::new(
                    wcp_runtime::codec::DLQ_TOPIC,
                    Some(item.msgid.as_bytes().to_vec()),
                    bytes,
                );
                r.headers = vec![("seq".into(), item.seq.to_string().into_bytes())];
                outs.push(r);
                let alert = key_alert(corp_id, item.seq, &item.msgid, code, now_ms);
                outs.push(wcp_runtime::codec::encode(
                    ALERTS_TOPIC,
                    Some(alert.alert_id.clone().into_bytes()),
                    &alert,
                )?);
            }
        }
    }
    Ok(outs)
}

/// The alert of a message that could not be decrypted (deterministic id: a replayed batch
/// yields the same alert).
pub fn key_alert(corp_id: &str, seq: u64, msgid: &str, code: &str, now_ms: i64) -> Alert {
    Alert {
        alert_id: format!("capture_decrypt:{corp_id}:{seq}"),
        msgid: msgid.to_string(),
        conversation_id: String::new(),
        category: "capture_decrypt_failure".into(),
        severity: Severity::High,
        rule_id: format!("capture.{code}"),
        time_ms: now_ms,
        evidence: Vec::new(),
        // Capture runs before the retention tagger: the region is not known here (the
        // message never decrypted, so it is archived nowhere). The console files it as an
        // alert without region (first region once no archive holds the message).
        region: None,
    }
}

/// The alert of a `GetChatData` that answered 10010 (data expired at Tencent) at `cursor`.
pub fn expired_alert(corp_id: &str, cursor: u64, now_ms: i64) -> Alert {
    Alert {
        alert_id: format!("capture_data_expired:{corp_id}:{cursor}"),
        msgid: String::new(),
        conversation_id: String::new(),
        category: "capture_data_expired".into(),
        severity: Severity::High,
        rule_id: "capture.data_expired".into(),
        time_ms: now_ms,
        evidence: Vec::new(),
        // About a range of seqs, not one archived message: no region.
        region: None,
    }
}

/// The seqs the SDK skipped: after `cursor` it served `first` first, so `cursor + 1 ..=
/// first - 1` were never served (Tencent had already dropped them: the SDK serves what is
/// left without a 10010). `None` when nothing was skipped.
pub fn skipped(cursor: u64, first: u64) -> Option<(u64, u64)> {
    (first > cursor.saturating_add(1)).then(|| (cursor + 1, first - 1))
}

/// The alert of seqs `from..=to` that were never served (expired at Tencent): id
/// `capture_data_expired:<corp>:<from>-<to>`, deterministic so a replayed batch yields the
/// same alert.
pub fn skipped_alert(corp_id: &str, (from, to): (u64, u64), now_ms: i64) -> Alert {
    Alert {
        alert_id: format!("capture_data_expired:{corp_id}:{from}-{to}"),
        ..expired_alert(corp_id, from, now_ms)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::chatdata::Item;

    #[test]
    fn seqs_skipped_after_the_cursor() {
        assert_eq!(skipped(0, 1), None);
        assert_eq!(skipped(0, 3), Some((1, 2)));
        assert_eq!(skipped(47, 48), None);
        assert_eq!(skipped(47, 49), Some((48, 48)));
        // An answer at or below the cursor (a re-served batch) is no hole.
        assert_eq!(skipped(47, 47), None);
        assert_eq!(skipped(47, 10), None);
        assert_eq!(skipped(u64::MAX, 5), None);
        let a = skipped_alert("ww1", (1, 2), 5);
        assert_eq!(a.alert_id, "capture_data_expired:ww1:1-2");
        assert_eq!(a.category, "capture_data_expired");
        assert_eq!(a.rule_id, "capture.data_expired");
    }

    #[test]
    fn a_batch_is_messages_dead_letters_alerts_and_the_cursor() {
        let item = Item {
            seq: 8,
            msgid: "m8".into(),
            publickey_ver: 9,
            encrypt_random_key: "K".into(),
            encrypt_chat_msg: "M".into(),
            envelope: br#"{"seq":8}"#.to_vec(),
            malformed: None,
        };
        let outcomes = vec![
            Outcome::Plain {
                seq: 7,
                ver: 2,
                bytes: b"{\"msgid\":\"m7\"}".to_vec(),
            },
            Outcome::Dead {
                item,
                code: "unknown_publickey_ver",
                reason: "no key 9".into(),
            },
        ];
        let outs = batch_records("ww1", &outcomes, 8, 5).unwrap();
        let topics: Vec<&str> = outs.iter().map(|o| o.topic).collect();
        assert_eq!(
            topics,
            vec![RAW_TOPIC, topics::DLQ, ALERTS_TOPIC, CURSOR_TOPIC]
        );
        assert_eq!(outs[0].value, b"{\"msgid\":\"m7\"}");
        assert!(outs[0].headers.contains(&("seq".into(), b"7".to_vec())));
        assert!(outs[0]
            .headers
            .contains(&("publickey_ver".into(), b"2".to_vec())));
        let dl: DeadLetter = wcp_schema::decode(&outs[1].value).unwrap();
        assert_eq!(dl.original, br#"{"seq":8}"#);
        assert_eq!(dl.reason_code, "unknown_publickey_ver");
        let c = &outs[3];
        assert_eq!(read_cursor("ww1", c.key.as_deref(), &c.value), Some(8));
        assert_eq!(read_cursor("ww2", c.key.as_deref(), &c.value), None);
    }
}
