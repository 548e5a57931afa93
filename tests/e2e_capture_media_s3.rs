//! Media capture into an S3-compatible bucket (moto's S3 server, `moto[server]` from PyPI in
//! `.cache/moto-venv`, installed by scripts/test.sh): the stand-in SDK's files are fetched,
//! md5-checked and stored in the bucket under `<region>/sha256/<ab>/<cd>/<sha256>` (one key
//! per content), with `"store":"s3://<bucket>"` on their `wecom.media` records; a bucket that does
//! not exist gives `media_missing` (reason `store_refused`, record + alert + metric) and the
//! text stream is complete either way. Without moto the test fails (it does not skip).
mod capture_kit;
mod e2e;

use std::collections::BTreeMap;
use std::process::{Child, Command, Stdio};
use std::time::Duration;

use capture_kit::{key_dir, seq_of, synthetic_line, Capture, StandIn};
use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};
use md5::Digest;
use serde_json::{json, Value};
use wcp_model::Alert;

const TEST: &str = "e2e_capture_media_s3";

/// moto's S3 server on a free port of 29800–29891, stopped on drop.
struct Moto(Child, u16);

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

impl Moto {
    fn start() -> Moto {
        let bin = std::env::var_os("WCP_MOTO_SERVER")
            .map(std::path::PathBuf::from)
            .unwrap_or_else(|| e2e::repo_root().join(".cache/moto-venv/bin/moto_server"));
        assert!(
            bin.is_file(),
            "{} missing: scripts/test.sh installs moto[server] into .cache/moto-venv",
            bin.display()
        );
        let port = (29800..=29891)
            .find(|p| std::net::TcpListener::bind(("127.0.0.1", *p)).is_ok())
            .expect("a free port in 29800-29891");
        let child = Command::new(bin)
            .args(["-H", "127.0.0.1", "-p", &port.to_string()])
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("moto_server");
        let moto = Moto(child, port);
        e2e::wait_for("moto listening", Duration::from_secs(60), || {
            std::net::TcpStream::connect(("127.0.0.1", port)).ok()
        });
        moto
    }

    fn url(&self, path: &str) -> String {
        format!("http://127.0.0.1:{}/{path}", self.1)
    }

    /// A GET of `key` in `bucket`, signed as the capture signs (objects it wrote are private).
    fn get(&self, bucket: &str, key: &str) -> Vec<u8> {
        use rusty_s3::S3Action;
        let endpoint = self.url("").parse().expect("url");
        let b = rusty_s3::Bucket::new(
            endpoint,
            rusty_s3::UrlStyle::Path,
            bucket.to_string(),
            "us-east-1",
        )
        .expect("bucket");
        let creds = rusty_s3::Credentials::new("AKIDE2E", "e2e-secret");
        let url = b
            .get_object(Some(&creds), key)
            .sign(Duration::from_secs(60));
        let mut resp = ureq::get(url.as_str()).call().expect("GET");
        resp.body_mut().read_to_vec().expect("body")
    }
}

fn line(msgid: &str, id: &str, content: &[u8]) -> Vec<u8> {
    let md5 = hex::encode(md5::Md5::digest(content));
    serde_json::to_vec(
        &json!({"msgid": msgid, "action": "send", "from": "zhangwei",
        "tolist": ["wmE2eClient1"], "roomid": "", "msgtime": 1_764_000_000_000u64,
        "msgtype": "file", "file": {"sdkfileid": id, "md5sum": md5, "filesize": content.len()}}),
    )
    .expect("json")
}

/// Runs a capture of `lines` into `bucket`; returns the pipeline's media records by sdkfileid,
/// its alerts, and the capture (for its metrics).
fn run(
    bootstrap: &str,
    moto: &Moto,
    bucket: &str,
    name: &str,
    files: &BTreeMap<&str, Vec<u8>>,
    lines: &[Vec<u8>],
    media_records: usize,
) -> (BTreeMap<String, Value>, Vec<Alert>, Capture, Pipeline) {
    let p = Pipeline::new(bootstrap, name);
    let dir = p.dir.path();
    let mut media = serde_json::Map::new();
    for (id, bytes) in files {
        let f = dir.join(id);
        std::fs::write(&f, bytes).expect("media file");
        media.insert(id.to_string(), json!({"file": f}));
    }
    let mut standin = StandIn::new(&dir.join("standin"), lines, &[(1, 1)], true);
    standin.set("media", Value::Object(media));
    let script = standin.write();
    let keys = key_dir(&dir.join("keys"), &[("bulk-v1.pem", "v1.pem")]);
    p.create_topics(1);
    capture_kit::wait_topic(bootstrap, &p.topic("wecom.media"));
    let endpoint = moto.url("");
    let mut cap = Capture::new(
        "a",
        &p,
        &script,
        &keys,
        &[
            ("WCP_MEDIA_S3_BUCKET", bucket),
            ("WCP_MEDIA_S3_ENDPOINT", endpoint.trim_end_matches('/')),
            ("WCP_MEDIA_S3_PATH_STYLE", "true"),
            ("AWS_ACCESS_KEY_ID", "AKIDE2E"),
            ("AWS_SECRET_ACCESS_KEY", "e2e-secret"),
            ("WCP_REGION", "cn"),
        ],
    );
    cap.spawn();
    let mut raw = TopicReader::new(bootstrap, &p.topic("wecom.raw"));
    assert!(
        raw.drain(lines.len(), Duration::from_secs(120)),
        "wecom.raw: fewer than {}\n{}",
        lines.len(),
        cap.log_tail(30)
    );
    let seqs: Vec<u64> = raw.records.iter().filter_map(seq_of).collect();
    assert_eq!(
        seqs,
        (1..=lines.len() as u64).collect::<Vec<_>>(),
        "text in order, once"
    );
    let mut topic = TopicReader::new(bootstrap, &p.topic("wecom.media"));
    assert!(
        topic.drain(media_records, Duration::from_secs(120)),
        "wecom.media: fewer than {media_records}\n{}",
        cap.log_tail(30)
    );
    let records = topic
        .records
        .iter()
        .map(|r| serde_json::from_slice::<Value>(&r.value).expect("media record"))
        .map(|v| (v["sdkfileid"].as_str().unwrap().to_string(), v))
        .collect();
    let mut alerts = TopicReader::new(bootstrap, &p.topic("chat.alerts"));
    alerts.poll_for(Duration::from_secs(2));
    let alerts = alerts
        .records
        .iter()
        .map(|r| wcp_schema::decode::<Alert>(&r.value).expect("alert"))
        .collect();
    (records, alerts, cap, p)
}

#[test]
fn media_go_to_the_bucket_and_a_missing_bucket_marks_them() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&[]);
    let moto = Moto::start();
    ureq::put(&moto.url("wcp-media"))
        .send(&[][..])
        .expect("create bucket");
    let big: Vec<u8> = (0..2 * 512 * 1024 + 777)
        .map(|i| (i * 31 % 253) as u8)
        .collect();
    let files = BTreeMap::from([
        ("BIG", big.clone()),
        ("COPY", big), // the same content under another sdkfileid: one object
        ("VOICE", (0..9_000).map(|i| (i % 256) as u8).collect()),
    ]);
    let mut lines: Vec<Vec<u8>> = (1..=40).map(synthetic_line).collect();
    for (n, id) in ["BIG", "COPY", "VOICE"].iter().enumerate() {
        lines.insert(n * 10, line(&format!("media-{id}"), id, &files[id]));
    }

    let (records, alerts, cap, _p) =
        run(&bootstrap, &moto, "wcp-media", "cap-s3", &files, &lines, 3);
    for (id, content) in &files {
        let v = &records[*id];
        assert_eq!(v["status"], "stored", "{id}: {v}");
        assert_eq!(v["store"], "s3://wcp-media", "{id}");
        assert_eq!(v["md5_checked"], true, "{id}");
        let sha = hex::encode(sha2::Sha256::digest(content));
        let key = format!("cn/sha256/{}/{}/{sha}", &sha[..2], &sha[2..4]);
        assert_eq!(v["path"], key.as_str(), "{id}");
        assert!(
            moto.get("wcp-media", &key) == *content,
            "{id}: the object is the file, byte for byte"
        );
    }
    // Content-addressed: the copy names the same object (that it is not uploaded twice is
    // s3_tests' media_go_to_the_bucket_content_addressed_once).
    assert_eq!(records["COPY"]["path"], records["BIG"]["path"]);
    assert!(alerts.iter().all(|a| a.category != "media_missing"));
    assert_eq!(cap.sample("wcp_capture_media_fetched_total"), 3.0);
    assert_eq!(cap.sample("wcp_capture_media_store_retries_total"), 0.0);
    drop(cap);

    // A bucket that does not exist: every file marked, the text complete all the same.
    let (records, alerts, mut cap, _p) = run(
        &bootstrap,
        &moto,
        "no-such-bucket",
        "cap-s3-nob",
        &files,
        &lines,
        3,
    );
    for id in files.keys() {
        let v = &records[*id];
        assert_eq!(v["status"], "missing", "{id}: {v}");
        assert_eq!(v["reason"], "store_refused", "{id}");
        assert!(
            v["detail"].as_str().unwrap().contains("NoSuchBucket"),
            "{v}"
        );
    }
    let marks: Vec<&str> = alerts
        .iter()
        .filter(|a| a.category == "media_missing")
        .map(|a| a.rule_id.as_str())
        .collect();
    assert_eq!(marks, ["capture.media_missing.store_refused"; 3]);
    e2e::wait_for("store_refused counted", Duration::from_secs(10), || {
        (cap.sample("wcp_capture_media_missing_total{reason=\"store_refused\"}") == 3.0)
            .then_some(())
    });
    assert!(cap.running(), "wcp-capture died:\n{}", cap.log_tail(30));
    eprintln!(
        "{TEST}: 3 files (2 contents) stored in s3://wcp-media; no-such-bucket -> 3 store_refused marks"
    );
}
