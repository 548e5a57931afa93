//! Media capture against a real broker and the stand-in SDK library: image, voice, video,
//! file and emotion files fetched in 512 KB chunks, md5-checked and stored by sha256 in the
//! region's media store with a `wecom.media` record; an expired file, a wrong md5sum and a
//! download corrupted on the way give `media_missing` (record + alert on the message, with
//! the reason); a library that hangs on a media download holds up no text: every message
//! is in `wecom.raw` while the media stage is still stuck.
mod capture_kit;
mod e2e;

use std::collections::BTreeMap;
use std::time::{Duration, Instant};

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn};
use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};
use md5::Digest;
use serde_json::{json, Value};
use wcp_model::Alert;

const TEST: &str = "e2e_capture_media";
const CHUNK: usize = 512 * 1024;

fn md5_hex(b: &[u8]) -> String {
    hex::encode(md5::Md5::digest(b))
}

fn sha256_hex(b: &[u8]) -> String {
    hex::encode(sha2::Sha256::digest(b))
}

/// A message of `msgtype` whose media object names `id` (and `md5`).
fn media_line(msgid: &str, msgtype: &str, id: &str, md5: &str, size: usize) -> Vec<u8> {
    let obj = json!({"sdkfileid": id, "md5sum": md5, "filesize": size});
    let mut v = json!({"msgid": msgid, "action": "send", "from": "zhangwei",
        "tolist": ["wmE2eClient1"], "roomid": "", "msgtime": 1_764_000_000_000u64,
        "msgtype": msgtype});
    v[msgtype] = obj;
    serde_json::to_vec(&v).expect("json")
}

/// A `mixed` message: text and an image item (JSON inside a string, as WeCom sends it).
fn mixed_line(msgid: &str, id: &str, md5: &str) -> Vec<u8> {
    let image = json!({"sdkfileid": id, "md5sum": md5}).to_string();
    let v = json!({"msgid": msgid, "action": "send", "from": "zhangwei",
        "tolist": ["wmE2eClient1"], "roomid": "", "msgtime": 1_764_000_000_000u64,
        "msgtype": "mixed", "mixed": {"item": [
            {"type": "text", "content": json!({"content": "见图"}).to_string()},
            {"type": "image", "content": image}]}});
    serde_json::to_vec(&v).expect("json")
}

#[test]
fn media_are_fetched_checked_and_stored_and_never_hold_up_the_text() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let p = Pipeline::new(&bootstrap, "cap-media");
    let dir = p.dir.path();
    let files = dir.join("files");
    std::fs::create_dir_all(&files).expect("files dir");
    // Three chunks, the last partial; and small files.
    let big: Vec<u8> = (0..2 * CHUNK + 4_321)
        .map(|i| (i * 31 % 253) as u8)
        .collect();
    let small =
        |seed: usize, n: usize| -> Vec<u8> { (0..n).map(|i| ((i + seed) % 256) as u8).collect() };
    let mut content: BTreeMap<&str, Vec<u8>> = BTreeMap::new();
    content.insert("BIG", big);
    content.insert("VOICE", small(1, 9_000));
    content.insert("VIDEO", small(2, CHUNK + 1));
    content.insert("FILE", small(3, 70_000));
    content.insert("EMOTION", small(4, 2_000));
    content.insert("EXPIRED", small(5, 100));
    content.insert("WRONGMD5", small(6, 100));
    content.insert("CORRUPT", small(7, CHUNK + 10));
    content.insert("HANG", small(8, 100));
    let mut media = serde_json::Map::new();
    for (id, bytes) in &content {
        let f = files.join(id);
        std::fs::write(&f, bytes).expect("media file");
        media.insert(
            id.to_string(),
            json!({"file": f, "expired": *id == "EXPIRED", "corrupt": *id == "CORRUPT"}),
        );
    }
    let md5 = |id: &str| md5_hex(&content[id]);
    let len = |id: &str| content[id].len();
    let mut lines = vec![
        media_line("media-image", "image", "BIG", &md5("BIG"), len("BIG")),
        media_line("media-hang", "image", "HANG", &md5("HANG"), len("HANG")),
    ];
    lines.extend((3..=102).map(synthetic_line));
    lines.extend([
        media_line("media-voice", "voice", "VOICE", &md5("VOICE"), len("VOICE")),
        media_line("media-video", "video", "VIDEO", &md5("VIDEO"), len("VIDEO")),
        media_line("media-file", "file", "FILE", &md5("FILE"), len("FILE")),
        media_line(
            "media-emotion",
            "emotion",
            "EMOTION",
            &md5("EMOTION"),
            len("EMOTION"),
        ),
        mixed_line("media-expired", "EXPIRED", &md5("EXPIRED")),
        media_line(
            "media-wrongmd5",
            "image",
            "WRONGMD5",
            &md5_hex(b"something else"),
            100,
        ),
        media_line(
            "media-corrupt",
            "file",
            "CORRUPT",
            &md5("CORRUPT"),
            len("CORRUPT"),
        ),
    ]);
    lines.extend((110..=300).map(synthetic_line));
    let n = lines.len();
    let mut standin = StandIn::new(&dir.join("standin"), &lines, &[(1, 1)], true);
    standin.set("media", Value::Object(media));
    // The library never returns for this file, on every attempt.
    standin.fault(json!({"call": "GetMediaData", "kind": "hang", "sdkfileid": "HANG", "times": 0}));
    let script = standin.write();
    let keys = key_dir(&dir.join("keys"), &[("bulk-v1.pem", "v1.pem")]);
    let store = dir.join("media-store");
    p.create_topics(1);
    capture_kit::wait_topic(&bootstrap, &p.topic("capture.cursor"));
    capture_kit::wait_topic(&bootstrap, &p.topic("wecom.media"));
    let store_s = store.display().to_string();
    let mut cap = Capture::new(
        "a",
        &p,
        &script,
        &keys,
        &[
            ("WCP_MEDIA_DIR", store_s.as_str()),
            ("WCP_REGION", "cn"),
            ("WCP_MEDIA_TIMEOUT_S", "10"),
            ("WCP_SDK_HANG_GRACE_S", "2"),
        ],
    );
    let t0 = Instant::now();
    cap.spawn();

    // The text: every message, while media hangs on seq 2 (3 attempts × 12 s).
    let mut raw = TopicReader::new(&bootstrap, &p.topic("wecom.raw"));
    assert!(
        raw.drain(n, Duration::from_secs(120)),
        "wecom.raw: fewer than {n}"
    );
    let text_done = t0.elapsed();
    let seqs: Vec<u64> = raw.records.iter().filter_map(seq_of).collect();
    assert_eq!(
        seqs,
        (1..=n as u64).collect::<Vec<_>>(),
        "text in order, once"
    );
    let mut media_topic = TopicReader::new(&bootstrap, &p.topic("wecom.media"));
    media_topic.poll_for(Duration::from_secs(1));
    assert!(
        media_topic.records.is_empty(),
        "the media stage should still be stuck on the hanging file when the text is complete"
    );
    let stuck = cap.sample("wcp_capture_media_up");
    eprintln!(
        "{TEST}: {n} messages in wecom.raw after {text_done:?} while the media download hangs"
    );
    assert_eq!(stuck, 1.0, "the media loop is running (stuck), not stopped");

    // The media: one record per file, stored or missing with the reason.
    assert!(
        media_topic.drain(9, Duration::from_secs(150)),
        "wecom.media: fewer than 9 records"
    );
    let media_done = t0.elapsed();
    let mut by_id: BTreeMap<String, Value> = BTreeMap::new();
    for r in &media_topic.records {
        let v: Value = serde_json::from_slice(&r.value).expect("media record");
        assert_eq!(
            r.key.as_deref(),
            v["msgid"].as_str().map(str::as_bytes),
            "key = msgid"
        );
        assert!(
            by_id
                .insert(v["sdkfileid"].as_str().unwrap().to_string(), v)
                .is_none(),
            "one record per file"
        );
    }
    assert_eq!(by_id.len(), 9, "{by_id:?}");
    for id in ["BIG", "VOICE", "VIDEO", "FILE", "EMOTION"] {
        let v = &by_id[id];
        assert_eq!(v["status"], "stored", "{id}: {v}");
        assert_eq!(v["md5_checked"], true, "{id}");
        assert_eq!(v["sha256"], sha256_hex(&content[id]), "{id}");
        assert_eq!(v["region"], "cn");
        let path = v["path"].as_str().unwrap();
        assert_eq!(
            path,
            format!(
                "cn/sha256/{}/{}/{}",
                &v["sha256"].as_str().unwrap()[..2],
                &v["sha256"].as_str().unwrap()[2..4],
                v["sha256"].as_str().unwrap()
            )
        );
        assert_eq!(
            std::fs::read(store.join(path)).expect("stored file"),
            content[id],
            "{id}: reassembled byte for byte"
        );
    }
    let missing: BTreeMap<&str, &str> = ["EXPIRED", "WRONGMD5", "CORRUPT", "HANG"]
        .into_iter()
        .map(|id| {
            let v = &by_id[id];
            assert_eq!(v["status"], "missing", "{id}: {v}");
            assert!(v["path"].is_null() && v["detail"].as_str().is_some_and(|d| !d.is_empty()));
            (id, v["reason"].as_str().unwrap())
        })
        .collect();
    assert_eq!(
        missing,
        BTreeMap::from([
            ("CORRUPT", "md5_mismatch"),
            ("EXPIRED", "expired"),
            ("HANG", "hang"),
            ("WRONGMD5", "md5_mismatch")
        ])
    );
    // Only whole, checked files in the store; no temporary file left.
    let stored_files = walk(&store.join("cn/sha256"));
    assert_eq!(stored_files, 5, "five distinct files stored");
    assert_eq!(std::fs::read_dir(store.join("cn/tmp")).unwrap().count(), 0);

    // The mark on each message: a media_missing alert naming it and the reason.
    let mut alerts = TopicReader::new(&bootstrap, &p.topic("chat.alerts"));
    assert!(
        alerts.drain(4, Duration::from_secs(30)),
        "chat.alerts: fewer than 4"
    );
    let marks: BTreeMap<String, String> = alerts
        .records
        .iter()
        .map(|r| wcp_schema::decode::<Alert>(&r.value).expect("alert"))
        .filter(|a| a.category == "media_missing")
        .map(|a| {
            assert!(a.evidence[0]
                .text
                .contains(a.rule_id.rsplit('.').next().unwrap()));
            (a.msgid, a.rule_id)
        })
        .collect();
    assert_eq!(
        marks,
        BTreeMap::from([
            (
                "media-corrupt".into(),
                "capture.media_missing.md5_mismatch".into()
            ),
            (
                "media-expired".into(),
                "capture.media_missing.expired".into()
            ),
            ("media-hang".into(), "capture.media_missing.hang".into()),
            (
                "media-wrongmd5".into(),
                "capture.media_missing.md5_mismatch".into()
            ),
        ])
    );
    let series = [
        "wcp_capture_media_fetched_total",
        "wcp_capture_media_missing_total{reason=\"expired\"}",
        "wcp_capture_media_missing_total{reason=\"md5_mismatch\"}",
        "wcp_capture_media_missing_total{reason=\"hang\"}",
        "wcp_capture_child_restarts_total{child=\"media\",reason=\"hang\"}",
        "wcp_capture_child_restarts_total{child=\"chat\",reason=\"hang\"}",
        // The four media_missing alerts, counted like every other service's alerts.
        "wcp_compliance_alerts_total{category=\"media_missing\",severity=\"medium\"}",
    ];
    e2e::wait_for("media metrics", Duration::from_secs(10), || {
        let got: Vec<f64> = series.iter().map(|s| cap.sample(s)).collect();
        (got == [5.0, 1.0, 2.0, 1.0, 3.0, 0.0, 4.0]).then_some(())
    });
    e2e::wait_for("media backlog drained", Duration::from_secs(40), || {
        (cap.sample("wcp_capture_media_backlog") == 0.0).then_some(())
    });
    let calls = standin.calls();
    let big_calls = calls
        .lines()
        .filter(|l| l.contains("GetMediaData BIG"))
        .count();
    assert_eq!(big_calls, 3, "BIG in three 512 KB chunks:\n{calls}");
    assert!(cap.running(), "wcp-capture died:\n{}", cap.log_tail(30));
    eprintln!(
        "{TEST}: media: 5 stored (BIG in {big_calls} chunks), missing {missing:?}; text complete after \
         {text_done:?}, media after {media_done:?}"
    );
}

fn walk(d: &std::path::Path) -> usize {
    std::fs::read_dir(d)
        .map(|rd| {
            rd.flatten()
                .map(|e| {
                    if e.path().is_dir() {
                        walk(&e.path())
                    } else {
                        1
                    }
                })
                .sum()
        })
        .unwrap_or(0)
}
