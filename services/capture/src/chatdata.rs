//! The `GetChatData` answer: `{"errcode","errmsg","chatdata":[{"seq","msgid",
//! "publickey_ver","encrypt_random_key","encrypt_chat_msg"}]}`. Pure.

use serde::Deserialize;
use serde_json::value::RawValue;

/// One encrypted message as the SDK delivered it.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Item {
    pub seq: u64,
    pub msgid: String,
    pub publickey_ver: u32,
    pub encrypt_random_key: String,
    pub encrypt_chat_msg: String,
    /// The item's JSON exactly as received: what a dead letter keeps.
    pub envelope: Vec<u8>,
    /// Fields missing or of the wrong type: the message goes to the dead-letter topic.
    pub malformed: Option<String>,
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum AnswerError {
    #[error("GetChatData answer is not JSON: {0}")]
    Json(String),
    #[error("GetChatData answered errcode {code}: {msg}")]
    Api { code: i64, msg: String },
    #[error("a chatdata item has no seq: the answer cannot be used")]
    NoSeq,
}

#[derive(Deserialize)]
struct Answer<'a> {
    #[serde(default)]
    errcode: i64,
    #[serde(default)]
    errmsg: String,
    #[serde(default, borrow)]
    chatdata: Vec<&'a RawValue>,
}

#[derive(Deserialize, Default)]
#[serde(default)]
struct Fields {
    seq: Option<u64>,
    msgid: Option<String>,
    publickey_ver: Option<u32>,
    encrypt_random_key: Option<String>,
    encrypt_chat_msg: Option<String>,
}

/// The items after `cursor`, in seq order. Items at or below the cursor (a re-delivery) are
/// dropped: they are already committed.
pub fn parse(answer: &[u8], cursor: u64) -> Result<Vec<Item>, AnswerError> {
    let a: Answer = serde_json::from_slice(answer).map_err(|e| AnswerError::Json(e.to_string()))?;
    if a.errcode != 0 {
        return Err(AnswerError::Api {
            code: a.errcode,
            msg: a.errmsg,
        });
    }
    let mut items = Vec::with_capacity(a.chatdata.len());
    for raw in a.chatdata {
        let (f, bad) = match serde_json::from_str::<Fields>(raw.get()) {
            Ok(f) => (f, None),
            Err(e) => {
                // Still try for the seq, so the message is dead-lettered in its place.
                let seq = serde_json::from_str::<serde_json::Value>(raw.get())
                    .ok()
                    .and_then(|v| v.get("seq")?.as_u64());
                let f = Fields {
                    seq,
                    ..Fields::default()
                };
                (f, Some(format!("malformed chatdata item: {e}")))
            }
        };
        let seq = f.seq.ok_or(AnswerError::NoSeq)?;
        if seq <= cursor {
            continue;
        }
        let missing: Vec<&str> = [
            ("msgid", f.msgid.is_none()),
            ("publickey_ver", f.publickey_ver.is_none()),
            ("encrypt_random_key", f.encrypt_random_key.is_none()),
            ("encrypt_chat_msg", f.encrypt_chat_msg.is_none()),
        ]
        .into_iter()
        .filter_map(|(n, m)| m.then_some(n))
        .collect();
        let malformed = bad.or_else(|| {
            (!missing.is_empty()).then(|| format!("chatdata item without {}", missing.join(", ")))
        });
        items.push(Item {
            seq,
            msgid: f.msgid.unwrap_or_default(),
            publickey_ver: f.publickey_ver.unwrap_or(0),
            encrypt_random_key: f.encrypt_random_key.unwrap_or_default(),
            encrypt_chat_msg: f.encrypt_chat_msg.unwrap_or_default(),
            envelope: raw.get().as_bytes().to_vec(),
            malformed,
        });
    }
    items.sort_by_key(|i| i.seq);
    items.dedup_by_key(|i| i.seq);
    Ok(items)
}

/// The fields of a `chat` request to the SDK child: GetChatData after `after`, at most
/// `limit` messages, through `proxy` (`user:password`), with the SDK's `timeout_s`.
pub fn request(
    after: u64,
    limit: u32,
    proxy: &str,
    password: &str,
    timeout_s: u32,
) -> Vec<Vec<u8>> {
    vec![
        b"chat".to_vec(),
        after.to_string().into_bytes(),
        limit.to_string().into_bytes(),
        proxy.as_bytes().to_vec(),
        password.as_bytes().to_vec(),
        timeout_s.to_string().into_bytes(),
    ]
}

/// `msgtime` (ms; seconds are scaled) of a decrypted message, for the lag metric.
pub fn msgtime_ms(plain: &[u8]) -> Option<i64> {
    let v: serde_json::Value = serde_json::from_slice(plain).ok()?;
    let t = v.get("msgtime").or(v.get("time"))?.as_i64()?;
    Some(if t < 100_000_000_000 { t * 1000 } else { t })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn items_after_the_cursor_in_order_with_their_envelope() {
        let a = br#"{"errcode":0,"errmsg":"ok","chatdata":[
            {"seq":12,"msgid":"b","publickey_ver":2,"encrypt_random_key":"K2","encrypt_chat_msg":"M2"},
            {"seq":11,"msgid":"a","publickey_ver":1,"encrypt_random_key":"K1","encrypt_chat_msg":"M1"},
            {"seq":10,"msgid":"old","publickey_ver":1,"encrypt_random_key":"K","encrypt_chat_msg":"M"},
            {"seq":13,"msgid":"c","publickey_ver":"x"}]}"#;
        let items = parse(a, 10).unwrap();
        assert_eq!(
            items.iter().map(|i| i.seq).collect::<Vec<_>>(),
            vec![11, 12, 13]
        );
        assert_eq!(items[0].publickey_ver, 1);
        assert!(items[0].malformed.is_none());
        assert!(
            String::from_utf8_lossy(&items[1].envelope).contains("\"encrypt_random_key\":\"K2\"")
        );
        assert!(
            items[2].malformed.as_deref().unwrap().contains("malformed"),
            "{:?}",
            items[2].malformed
        );
    }

    #[test]
    fn api_errors_and_garbage() {
        assert_eq!(
            parse(br#"{"errcode":301042,"errmsg":"ip not allowed"}"#, 0),
            Err(AnswerError::Api {
                code: 301042,
                msg: "ip not allowed".into()
            })
        );
        assert!(matches!(parse(b"<html>", 0), Err(AnswerError::Json(_))));
        assert_eq!(
            parse(br#"{"chatdata":[{"msgid":"x"}]}"#, 0),
            Err(AnswerError::NoSeq)
        );
        assert_eq!(parse(br#"{"errcode":0,"chatdata":[]}"#, 0), Ok(vec![]));
        let missing = parse(br#"{"chatdata":[{"seq":1,"msgid":"x"}]}"#, 0).unwrap();
        assert!(missing[0]
            .malformed
            .as_deref()
            .unwrap()
            .contains("publickey_ver"));
    }

    #[test]
    fn msgtime_in_ms_or_s() {
        assert_eq!(
            msgtime_ms(br#"{"msgtime":1732600037000}"#),
            Some(1_732_600_037_000)
        );
        assert_eq!(
            msgtime_ms(br#"{"time":1732600037}"#),
            Some(1_732_600_037_000)
        );
        assert_eq!(msgtime_ms(b"x"), None);
    }
}
