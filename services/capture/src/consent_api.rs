//! The WeCom server API of the archive's consent (会话内容存档 → 获取会话同意情况):
//! `check_single_agree` (a member and an external contact) and `check_room_agree` (the
//! external members of a group chat), their request bodies and their answers turned into
//! `consent.ledger` records. Pure: the HTTP runner is `consent_import`.

use serde::Deserialize;
use serde_json::json;
use wcp_model::ConsentRecord;

/// What to ask about: one line of the import's input file.
#[derive(Debug, Clone, PartialEq, Eq, Deserialize)]
#[serde(untagged)]
pub enum Query {
    /// A member (`userid`) and an external contact (`external_userid`, as in the archive's
    /// messages; WeCom's own field name is `exteranalopenid`).
    Single {
        userid: String,
        external_userid: String,
    },
    Room {
        roomid: String,
    },
}

impl Query {
    /// The API path and the JSON body.
    pub fn request(&self) -> (&'static str, Vec<u8>) {
        match self {
            Query::Single {
                userid,
                external_userid,
            } => (
                "/cgi-bin/msgaudit/check_single_agree",
                json!({"info": [{"userid": userid, "exteranalopenid": external_userid}]})
                    .to_string()
                    .into_bytes(),
            ),
            Query::Room { roomid } => (
                "/cgi-bin/msgaudit/check_room_agree",
                json!({ "roomid": roomid }).to_string().into_bytes(),
            ),
        }
    }
}

/// How a non-zero `errcode` is handled. Only the errcode and the kind of error are kept,
/// never text of the answer: its `errmsg` may quote the query (a member's or a contact's
/// id) and a malformed answer may hold anything, and these errors are logged and printed.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ApiError {
    /// The access token expired or is invalid (40014, 42001): fetch a new one and repeat.
    #[error("access token expired or invalid (errcode {0})")]
    Token(i64),
    /// The server is busy or rate-limits (-1, 45009, 45033): retry after a backoff.
    #[error("WeCom API busy (errcode {0})")]
    Busy(i64),
    /// Anything else: the query (or the configuration) is wrong; reported, not retried.
    #[error("WeCom API refused the query (errcode {0})")]
    Refused(i64),
    #[error("WeCom API answer is not the expected JSON ({0})")]
    Json(Malformed),
}

/// What is wrong with an answer, without quoting it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Malformed {
    /// Not JSON, or JSON of another shape: serde's category and position only (its message
    /// quotes the offending value).
    #[error("{kind} error at line {line} column {column}")]
    Parse {
        kind: &'static str,
        line: usize,
        column: usize,
    },
    #[error("gettoken answered without access_token")]
    NoToken,
    #[error("a consent status that is none of Agree, Default_Agree, Disagree")]
    UnknownStatus,
    #[error("a status without exteranalopenid")]
    NoContact,
    /// errcode 0 but no list under the field the API documents (`agreeinfo` for a contact,
    /// `voteinfo` for a room): a proxy or an API change that drops it would otherwise read
    /// as "no contacts" and write nothing without an error (trial 19a D6).
    #[error("{api} answered without {field}")]
    NoList {
        api: &'static str,
        field: &'static str,
    },
}

impl From<serde_json::Error> for Malformed {
    fn from(e: serde_json::Error) -> Malformed {
        use serde_json::error::Category;
        Malformed::Parse {
            kind: match e.classify() {
                Category::Io => "read",
                Category::Syntax => "syntax",
                Category::Data => "shape",
                Category::Eof => "truncated",
            },
            line: e.line(),
            column: e.column(),
        }
    }
}

#[derive(Deserialize)]
struct Answer {
    #[serde(default)]
    errcode: i64,
    // `errmsg` is not read: see `ApiError`.
    #[serde(default)]
    access_token: String,
    #[serde(default)]
    agreeinfo: Option<Vec<Status>>,
    #[serde(default)]
    voteinfo: Option<Vec<Status>>,
}

#[derive(Deserialize)]
struct Status {
    #[serde(default)]
    status_change_time: i64,
    #[serde(default)]
    exteranalopenid: String,
    /// `check_single_agree`: `Agree`, `Disagree` or `Default_Agree`.
    #[serde(default)]
    agree_status: Option<String>,
    /// `check_room_agree`: `Agree` or `Disagree`.
    #[serde(default)]
    vote: Option<String>,
}

fn answer(body: &[u8]) -> Result<Answer, ApiError> {
    let a: Answer = serde_json::from_slice(body).map_err(|e| ApiError::Json(e.into()))?;
    match a.errcode {
        0 => Ok(a),
        c @ (40014 | 42001) => Err(ApiError::Token(c)),
        c @ (-1 | 45009 | 45033) => Err(ApiError::Busy(c)),
        c => Err(ApiError::Refused(c)),
    }
}

/// The `access_token` of a `gettoken` answer.
pub fn token(body: &[u8]) -> Result<String, ApiError> {
    let a = answer(body)?;
    if a.access_token.is_empty() {
        return Err(ApiError::Json(Malformed::NoToken));
    }
    Ok(a.access_token)
}

/// The ledger records of a `check_*_agree` answer to `q`: one per external contact, agreed
/// for `Agree` and `Default_Agree`. The `msgid` names where it came from (deterministic: a
/// repeated import gives the same record, which the ledger applies once).
pub fn records(q: &Query, body: &[u8]) -> Result<Vec<ConsentRecord>, ApiError> {
    let a = answer(body)?;
    let (api, field, list) = match q {
        Query::Single { .. } => ("check_single_agree", "agreeinfo", a.agreeinfo),
        Query::Room { .. } => ("check_room_agree", "voteinfo", a.voteinfo),
    };
    let list = list.ok_or(ApiError::Json(Malformed::NoList { api, field }))?;
    let mut out = Vec::with_capacity(list.len());
    for s in list {
        let status = s.agree_status.or(s.vote).unwrap_or_default();
        let agreed = match status.as_str() {
            "Agree" | "Default_Agree" => true,
            "Disagree" => false,
            _ => return Err(ApiError::Json(Malformed::UnknownStatus)),
        };
        if s.exteranalopenid.is_empty() {
            return Err(ApiError::Json(Malformed::NoContact));
        }
        out.push(ConsentRecord {
            msgid: format!("{api}:{}:{}", s.exteranalopenid, s.status_change_time),
            contact: s.exteranalopenid,
            agreed,
            at_ms: s.status_change_time * 1000,
        });
    }
    Ok(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn input_lines_and_request_bodies() {
        let q: Query =
            serde_json::from_str(r#"{"userid":"zhang","external_userid":"wmA"}"#).unwrap();
        let (path, body) = q.request();
        assert_eq!(path, "/cgi-bin/msgaudit/check_single_agree");
        let v: serde_json::Value = serde_json::from_slice(&body).unwrap();
        assert_eq!(v["info"][0]["exteranalopenid"], "wmA");
        assert_eq!(v["info"][0]["userid"], "zhang");
        let r: Query = serde_json::from_str(r#"{"roomid":"wrX"}"#).unwrap();
        assert_eq!(r.request().0, "/cgi-bin/msgaudit/check_room_agree");
        assert!(serde_json::from_str::<Query>(r#"{"userid":"only"}"#).is_err());
    }

    #[test]
    fn answers_become_ledger_records() {
        let q = Query::Single {
            userid: "zhang".into(),
            external_userid: "wmA".into(),
        };
        let body = br#"{"errcode":0,"errmsg":"ok","agreeinfo":[
            {"status_change_time":1562766651,"userid":"zhang","exteranalopenid":"wmA","agree_status":"Agree"},
            {"status_change_time":1562766652,"userid":"zhang","exteranalopenid":"wmB","agree_status":"Default_Agree"},
            {"status_change_time":1562766653,"userid":"zhang","exteranalopenid":"wmC","agree_status":"Disagree"}]}"#;
        let recs = records(&q, body).unwrap();
        let got: Vec<(&str, bool, i64)> = recs
            .iter()
            .map(|r| (r.contact.as_str(), r.agreed, r.at_ms))
            .collect();
        assert_eq!(
            got,
            vec![
                ("wmA", true, 1_562_766_651_000),
                ("wmB", true, 1_562_766_652_000),
                ("wmC", false, 1_562_766_653_000)
            ]
        );
        assert_eq!(recs[0].msgid, "check_single_agree:wmA:1562766651");
        let room = Query::Room {
            roomid: "wrX".into(),
        };
        let body = br#"{"errcode":0,"voteinfo":[{"status_change_time":5,"exteranalopenid":"wmD","vote":"Disagree"}]}"#;
        let r = records(&room, body).unwrap();
        assert_eq!((r[0].contact.as_str(), r[0].agreed), ("wmD", false));
        assert!(records(
            &room,
            br#"{"voteinfo":[{"exteranalopenid":"x","vote":"Maybe"}]}"#
        )
        .is_err());
    }

    #[test]
    fn an_answer_without_its_list_is_an_error_not_no_contacts() {
        let room = Query::Room { roomid: "r".into() };
        // The single-chat field where the room's belongs (trial 19a D6).
        let body = br#"{"errcode":0,"errmsg":"ok","agreeinfo":[{"status_change_time":5,"exteranalopenid":"wmD","agree_status":"Agree"}]}"#;
        let err = records(&room, body).unwrap_err();
        assert_eq!(
            err.to_string(),
            "WeCom API answer is not the expected JSON (check_room_agree answered without voteinfo)"
        );
        let single = Query::Single {
            userid: "u".into(),
            external_userid: "wmA".into(),
        };
        assert!(records(&single, br#"{"errcode":0}"#).is_err());
        // An empty list is an answer: nobody to record.
        assert_eq!(
            records(&room, br#"{"errcode":0,"voteinfo":[]}"#),
            Ok(vec![])
        );
    }

    #[test]
    fn errcodes_are_classified() {
        let q = Query::Room { roomid: "r".into() };
        assert_eq!(
            records(&q, br#"{"errcode":42001,"errmsg":"expired"}"#),
            Err(ApiError::Token(42001))
        );
        assert_eq!(
            records(&q, br#"{"errcode":45009,"errmsg":"busy"}"#),
            Err(ApiError::Busy(45009))
        );
        assert_eq!(
            records(&q, br#"{"errcode":301052,"errmsg":"no"}"#),
            Err(ApiError::Refused(301052))
        );
        assert!(matches!(records(&q, b"<html>"), Err(ApiError::Json(_))));
        assert_eq!(
            token(br#"{"errcode":0,"access_token":"T","expires_in":7200}"#),
            Ok("T".into())
        );
        assert!(token(br#"{"errcode":40001,"errmsg":"bad secret"}"#).is_err());
    }

    /// Errors are logged and printed: they carry the errcode and the kind, never text of
    /// the answer (an errmsg quoting ids, or a malformed answer's values).
    #[test]
    fn errors_never_quote_the_answer() {
        let q = Query::Room { roomid: "r".into() };
        let leaky = [
            r#"{"errcode":301052,"errmsg":"room wrSecret of 李小明 not found"}"#,
            r#"{"errcode":45009,"errmsg":"busy for wmSecret"}"#,
            r#"{"errcode":0,"voteinfo":"wmSecret 李小明"}"#,
            r#"{"errcode":0,"voteinfo":[{"exteranalopenid":"wmSecret","vote":"李小明"}]}"#,
            r#"{"errcode":"wmSecret 李小明"}"#,
            "<html>wmSecret 李小明</html>",
        ];
        for body in leaky {
            let e = records(&q, body.as_bytes()).expect_err("an error");
            let text = format!("{e} {e:?}");
            assert!(
                !text.contains("Secret") && !text.contains("李小明") && !text.contains("html"),
                "{text}"
            );
        }
        let e = token(br#"{"errcode":0,"errmsg":"wmSecret"}"#).expect_err("no token");
        assert_eq!(
            e.to_string(),
            "WeCom API answer is not the expected JSON (gettoken answered without access_token)"
        );
        assert_eq!(
            records(&q, br#"{"errcode":0,"voteinfo":"wmSecret"}"#)
                .expect_err("shape")
                .to_string(),
            "WeCom API answer is not the expected JSON (shape error at line 1 column 34)"
        );
    }
}
