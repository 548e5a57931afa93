//! `wcp-capture consent-import` against a mock WeCom API server started here (axum) and a
//! real broker: check_single_agree / check_room_agree answers become `consent.ledger`
//! records; a 503, a hung request (past `consent_timeout_s`) and an expired access token are
//! retried; a query WeCom refuses is reported (exit 1) while the others are written, by its
//! errcode and kind only (nothing of the answer's text, which may quote ids, in the log or
//! the report); a bad input line is named with its file and line (exit 2) before anything
//! is asked.
mod capture_kit;
mod e2e;

use std::sync::atomic::{AtomicUsize, Ordering::SeqCst};
use std::sync::Arc;
use std::time::Duration;

use axum::extract::{Query, State};
use axum::routing::{get, post};
use axum::{Json, Router};
use capture_kit::{key_dir, synthetic_line, Capture, StandIn, SECRET};
use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};
use serde_json::{json, Value};
use wcp_model::ConsentRecord;

const TEST: &str = "e2e_capture_consent";

#[derive(Default)]
struct Calls {
    token: AtomicUsize,
    single: AtomicUsize,
    room: AtomicUsize,
}

type Params = Query<std::collections::HashMap<String, String>>;

async fn gettoken(State(c): State<Arc<Calls>>, Query(q): Params) -> Json<Value> {
    if q.get("corpsecret").map(String::as_str) != Some(SECRET) {
        return Json(json!({"errcode": 40001, "errmsg": "invalid credential"}));
    }
    let n = c.token.fetch_add(1, SeqCst) + 1;
    Json(json!({"errcode": 0, "access_token": format!("T{n}"), "expires_in": 7200}))
}

/// 1st call: 503; 2nd: the token expired; then answers for token T2 only.
async fn single(
    State(c): State<Arc<Calls>>,
    Query(q): Params,
    Json(body): Json<Value>,
) -> (axum::http::StatusCode, Json<Value>) {
    let n = c.single.fetch_add(1, SeqCst) + 1;
    let ok = axum::http::StatusCode::OK;
    if n == 1 {
        return (axum::http::StatusCode::SERVICE_UNAVAILABLE, Json(json!({})));
    }
    if n == 2 || q.get("access_token").map(String::as_str) != Some("T2") {
        return (
            ok,
            Json(json!({"errcode": 42001, "errmsg": "access_token expired"})),
        );
    }
    let info = &body["info"][0];
    let id = info["exteranalopenid"].as_str().unwrap_or_default();
    let status = if id.starts_with("wmA") {
        "Agree"
    } else {
        "Disagree"
    };
    (
        ok,
        Json(json!({"errcode": 0, "errmsg": "ok", "agreeinfo": [{
            "status_change_time": 1_700_000_000, "userid": info["userid"],
            "exteranalopenid": id, "agree_status": status}]})),
    )
}

/// The first call hangs past the client's timeout; `wrBad` is refused.
async fn room(State(c): State<Arc<Calls>>, Json(body): Json<Value>) -> Json<Value> {
    if c.room.fetch_add(1, SeqCst) == 0 {
        tokio::time::sleep(Duration::from_secs(4)).await;
    }
    // WeCom's errmsg may quote the query; an answer of another shape may hold anything:
    // neither may reach the log or the report (ids and a name as they would be).
    if body["roomid"] == "wrBad" {
        return Json(
            json!({"errcode": 301052, "errmsg": "room wrBad of 李小明 (wmLeak1) not found"}),
        );
    }
    if body["roomid"] == "wrJunk" {
        return Json(json!({"errcode": 0, "voteinfo": "wmLeak2 李小明"}));
    }
    // The contacts under the single-chat field: no `voteinfo` is no answer, not "nobody".
    if body["roomid"] == "wrNoList" {
        return Json(json!({"errcode": 0, "errmsg": "ok", "agreeinfo": [
            {"status_change_time": 1_700_000_100, "exteranalopenid": "wmLeak3", "agree_status": "Agree"}]}));
    }
    Json(json!({"errcode": 0, "errmsg": "ok", "voteinfo": [
        {"status_change_time": 1_700_000_100, "exteranalopenid": "wmR1", "vote": "Agree"},
        {"status_change_time": 1_700_000_100, "exteranalopenid": "wmR2", "vote": "Disagree"}]}))
}

/// Starts the mock API on a free port; its base URL and call counters.
fn mock_api() -> (String, Arc<Calls>) {
    let calls = Arc::new(Calls::default());
    let app = Router::new()
        .route("/cgi-bin/gettoken", get(gettoken))
        .route("/cgi-bin/msgaudit/check_single_agree", post(single))
        .route("/cgi-bin/msgaudit/check_room_agree", post(room))
        .with_state(calls.clone());
    let listener = std::net::TcpListener::bind("127.0.0.1:0").expect("bind");
    listener.set_nonblocking(true).expect("nonblocking");
    let base = format!("http://{}", listener.local_addr().expect("addr"));
    std::thread::spawn(move || {
        let rt = tokio::runtime::Builder::new_current_thread()
            .enable_all()
            .build()
            .expect("runtime");
        rt.block_on(async move {
            let l = tokio::net::TcpListener::from_std(listener).expect("listener");
            axum::serve(l, app).await.expect("serve");
        });
    });
    (base, calls)
}

#[test]
fn consent_answers_become_ledger_records_with_retries() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-consent");
    let (base, calls) = mock_api();
    let script = StandIn::new(
        &p.dir.path().join("standin"),
        &[synthetic_line(1)],
        &[(1, 1)],
        false,
    )
    .write();
    let keys = key_dir(&p.dir.path().join("keys"), &[("v1.pem", "v1.pem")]);
    capture_kit::create_topics(&p, 1);
    let cap = Capture::new(
        "a",
        &p,
        &script,
        &keys,
        &[
            ("WCP_WECOM_API_BASE", base.as_str()),
            ("WCP_CONSENT_TIMEOUT_S", "1"),
        ],
    );
    let dir = p.dir.path();
    let bad = dir.join("bad.jsonl");
    std::fs::write(&bad, "{\"roomid\":\"wr1\"}\n{\"userid\":\"only\"}\n").expect("input");
    let (ok, out) = cap.sh(&format!(
        "wcp-capture consent-import --input {}",
        bad.display()
    ));
    assert!(
        !ok && out.contains(&format!("{}:2:", bad.display())),
        "{out}"
    );
    assert_eq!(
        calls.token.load(SeqCst),
        0,
        "nothing asked before the input is valid"
    );

    let input = dir.join("consent.jsonl");
    std::fs::write(
        &input,
        "{\"userid\":\"zhangwei\",\"external_userid\":\"wmA1\"}\n\
         {\"userid\":\"zhangwei\",\"external_userid\":\"wmN1\"}\n\
         {\"roomid\":\"wr1\"}\n",
    )
    .expect("input");
    let (ok, out) = cap.sh(&format!(
        "wcp-capture consent-import --input {}",
        input.display()
    ));
    eprintln!("{TEST}: {out}");
    assert!(ok, "{out}");
    assert!(
        out.contains("ledger records written: 4 (agreed 2, disagreed 2)"),
        "{out}"
    );
    assert_eq!(calls.token.load(SeqCst), 2, "a new token after 42001");
    assert!(calls.room.load(SeqCst) >= 2, "the hung call was retried");

    let mut r = TopicReader::new(&p.bootstrap, &p.topic("consent.ledger"));
    assert!(r.drain(4, Duration::from_secs(60)), "4 ledger records");
    let mut got: Vec<(String, String, bool, i64)> = r
        .records
        .iter()
        .map(|rec| {
            let c: ConsentRecord = wcp_schema::decode(&rec.value).expect("consent record");
            let key = String::from_utf8(rec.key.clone().unwrap_or_default()).unwrap();
            (key, c.contact, c.agreed, c.at_ms)
        })
        .collect();
    got.sort();
    let t = 1_700_000_000_000;
    assert_eq!(
        got,
        vec![
            ("wmA1".into(), "wmA1".into(), true, t),
            ("wmN1".into(), "wmN1".into(), false, t),
            ("wmR1".into(), "wmR1".into(), true, t + 100_000),
            ("wmR2".into(), "wmR2".into(), false, t + 100_000),
        ]
    );

    // A room WeCom refuses, one answered in another shape, one without its voteinfo list:
    // each reported, exit 1; the other query still written.
    let mixed = dir.join("mixed.jsonl");
    std::fs::write(
        &mixed,
        "{\"roomid\":\"wrBad\"}\n{\"roomid\":\"wrJunk\"}\n{\"roomid\":\"wrNoList\"}\n{\"roomid\":\"wr1\"}\n",
    )
    .expect("input");
    let (ok, out) = cap.sh(&format!(
        "wcp-capture consent-import --input {}",
        mixed.display()
    ));
    assert!(!ok, "{out}");
    assert!(
        out.contains("queries failed: 3")
            && out.contains("refused the query (errcode 301052)")
            && out.contains("not the expected JSON (shape error")
            && out.contains("check_room_agree answered without voteinfo"),
        "{out}"
    );
    for leak in ["wmLeak", "李小明", "not found"] {
        assert!(
            !out.contains(leak),
            "the answer's text `{leak}` leaked:\n{out}"
        );
    }
    assert!(out.contains("ledger records written: 2"), "{out}");
    assert!(r.drain(6, Duration::from_secs(60)), "2 more ledger records");
}
