//! The S3 media store against a real S3-compatible server: moto's server mode (PyPI
//! `moto[server]`, installed into `.cache/moto-venv` by scripts/test.sh, or named by
//! `WCP_MOTO_SERVER`). Without it these tests fail: CI must not pass them by skipping.

use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use md5::Digest;

use super::*;
use crate::media_fetch::{self, Chunk, ChunkSource, FetchError, Fetched, Limits};
use crate::mediaref::MediaRef;
use crate::store::Store;
use crate::supervisor::CallError;

/// A moto server on a free port of 29800–29891 (the ports given to this test), stopped on drop.
struct Moto {
    child: Child,
    port: u16,
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

fn moto_bin() -> PathBuf {
    if let Some(p) = std::env::var_os("WCP_MOTO_SERVER") {
        return PathBuf::from(p);
    }
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let bin = root.join(".cache/moto-venv/bin/moto_server");
    assert!(
        bin.is_file(),
        "moto_server not found at {}: run scripts/test.sh (it installs moto[server] into \
         .cache/moto-venv) or set WCP_MOTO_SERVER",
        bin.display()
    );
    bin
}

/// Held while a server starts, so two tests do not take the same port.
static STARTING: std::sync::Mutex<()> = std::sync::Mutex::new(());

fn free_port() -> u16 {
    (29800..=29891)
        .find(|p| TcpListener::bind(("127.0.0.1", *p)).is_ok())
        .expect("a free port in 29800-29891")
}

fn start_moto() -> Moto {
    let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
    let port = free_port();
    let mut cmd = Command::new(moto_bin());
    cmd.args(["-H", "127.0.0.1", "-p", &port.to_string()])
        .stdout(Stdio::null())
        .stderr(Stdio::null());
    let moto = Moto {
        child: cmd.spawn().expect("moto_server starts"),
        port,
    };
    let deadline = Instant::now() + Duration::from_secs(60);
    while std::net::TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "moto_server did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    moto
}

fn config(port: u16, bucket: &str) -> S3Config {
    S3Config {
        endpoint: format!("http://127.0.0.1:{port}"),
        bucket: bucket.into(),
        region: "us-east-1".into(),
        path_style: true,
        access_key_id: "AKIDTEST".into(),
        secret_access_key: "test-secret".into(),
    }
}

fn counter() -> prometheus::IntCounter {
    prometheus::IntCounter::new("retries", "retries").unwrap()
}

fn create_bucket(c: &S3Config) {
    let s = S3Store::new(c, counter()).unwrap();
    let url = s.bucket.create_bucket(&s.creds).sign(SIGNED_FOR);
    let resp = s.agent.put(url.as_str()).send(&[][..]).unwrap();
    assert_eq!(resp.status().as_u16(), 200, "create bucket");
}

fn get_object(s: &S3Store, key: &str) -> Vec<u8> {
    let url = s.bucket.get_object(Some(&s.creds), key).sign(SIGNED_FOR);
    let mut resp = s.agent.get(url.as_str()).call().unwrap();
    assert_eq!(resp.status().as_u16(), 200, "GET {key}");
    resp.body_mut().read_to_vec().unwrap()
}

fn put_raw(s: &S3Store, key: &str, body: &[u8]) {
    let url = s.bucket.put_object(Some(&s.creds), key).sign(SIGNED_FOR);
    let resp = s.agent.put(url.as_str()).send(body).unwrap();
    assert_eq!(resp.status().as_u16(), 200);
}

/// The file in chunks of 100 KB, as the SDK child serves it (index = offset).
struct Chunks(Vec<u8>);

impl ChunkSource for Chunks {
    fn chunk(&mut self, index: &str, _id: &str) -> Result<Chunk, CallError> {
        let from: usize = index.parse().unwrap_or(0);
        let end = (from + 100_000).min(self.0.len());
        Ok(Chunk {
            data: self.0[from..end].to_vec(),
            next_index: end.to_string(),
            finished: end == self.0.len(),
        })
    }
}

fn fetch(store: &Store, content: &[u8]) -> Result<Fetched, FetchError> {
    let r = MediaRef {
        sdkfileid: "F1".into(),
        md5: Some(hex::encode(md5::Md5::digest(content))),
        size: Some(content.len() as u64),
    };
    let lim = Limits {
        max_bytes: 1 << 30,
        tries: 1,
        backoff: Duration::from_millis(1),
        give_up_retrying_at: None,
    };
    media_fetch::fetch(&mut Chunks(content.to_vec()), store, &r, &lim)
}

#[test]
fn media_go_to_the_bucket_content_addressed_once() {
    let moto = start_moto();
    let c = config(moto.port, "wcp-media");
    create_bucket(&c);
    let tmp = tempfile::tempdir().unwrap();
    let retries = counter();
    let store = Store::open_s3(
        S3Store::new(&c, retries.clone()).unwrap(),
        tmp.path(),
        "cn",
        "t",
    )
    .unwrap();
    let content: Vec<u8> = (0..350_000u32).map(|i| (i * 7 % 251) as u8).collect();
    let Fetched::Stored {
        stored,
        md5_checked,
    } = fetch(&store, &content).unwrap()
    else {
        panic!("not stored")
    };
    assert!(md5_checked);
    let sha = hex::encode(sha2::Sha256::digest(&content));
    assert_eq!(
        stored.path,
        format!("cn/sha256/{}/{}/{sha}", &sha[..2], &sha[2..4])
    );
    assert_eq!(stored.store, "s3://wcp-media");
    let s3 = S3Store::new(&c, counter()).unwrap();
    assert!(
        get_object(&s3, &stored.path) == content,
        "the object is the file"
    );
    assert_eq!(retries.get(), 0);

    // A second copy finds the object (HEAD) and does not upload: what is there stays.
    put_raw(&s3, &stored.path, b"placed by the test");
    let Fetched::Stored { stored: again, .. } = fetch(&store, &content).unwrap() else {
        panic!("not stored")
    };
    assert_eq!(again, stored);
    let now = get_object(&s3, &stored.path);
    assert!(
        now == b"placed by the test",
        "uploaded again ({} bytes)",
        now.len()
    );
    let left: Vec<_> = std::fs::read_dir(tmp.path().join("cn/tmp"))
        .unwrap()
        .collect();
    assert!(
        left.is_empty(),
        "temporary files are removed after the upload"
    );

    // A wrong bucket: a visible refusal on the file (media_missing), the store goes on.
    let wrong = config(moto.port, "no-such-bucket");
    let store = Store::open_s3(
        S3Store::new(&wrong, counter()).unwrap(),
        tmp.path(),
        "cn",
        "t",
    )
    .unwrap();
    match fetch(&store, b"another file").unwrap() {
        Fetched::Missing { reason, detail } => {
            assert_eq!(reason, "store_refused");
            assert!(detail.contains("NoSuchBucket"), "{detail}");
            assert!(!detail.contains("X-Amz-Signature"), "{detail}");
        }
        other => panic!("{other:?}"),
    }
}

/// An S3 endpoint that answers every request with `status` (moto's server cannot check the
/// credentials of a presigned request: its IAM mode needs an Authorization header). Returns
/// its port and a count of the requests answered.
fn answering(status: &'static str) -> (u16, std::sync::Arc<std::sync::atomic::AtomicU32>) {
    use std::io::{Read, Write};
    let listener = {
        let _one_at_a_time = STARTING.lock().unwrap_or_else(|e| e.into_inner());
        TcpListener::bind(("127.0.0.1", free_port())).unwrap()
    };
    let port = listener.local_addr().unwrap().port();
    let n = std::sync::Arc::new(std::sync::atomic::AtomicU32::new(0));
    let count = n.clone();
    std::thread::spawn(move || {
        for mut conn in listener.incoming().flatten() {
            let mut buf = [0u8; 4096];
            let _ = conn.read(&mut buf);
            count.fetch_add(1, std::sync::atomic::Ordering::SeqCst);
            let reply =
                format!("HTTP/1.1 {status}\r\ncontent-length: 0\r\nconnection: close\r\n\r\n");
            let _ = conn.write_all(reply.as_bytes());
        }
    });
    (port, n)
}

#[test]
fn wrong_credentials_are_refused_and_a_failing_store_is_retried() {
    let tmp = tempfile::tempdir().unwrap();
    let (port, _) = answering("403 Forbidden");
    let c = config(port, "wcp-media");
    let store =
        Store::open_s3(S3Store::new(&c, counter()).unwrap(), tmp.path(), "cn", "t").unwrap();
    match fetch(&store, b"a file").unwrap() {
        Fetched::Missing { reason, detail } => {
            assert_eq!(reason, "store_refused");
            assert!(detail.contains("HTTP 403"), "{detail}");
            assert!(detail.contains("AWS_ACCESS_KEY_ID"), "{detail}");
        }
        other => panic!("{other:?}"),
    }

    // 503, then nothing listening: transient, retried with backoff and counted, then an
    // error that stops the media stage (the batch is fetched again), not a mark on the file.
    let (port, requests) = answering("503 Service Unavailable");
    assert_transient(port, "HTTP 503 (after 4 attempts)");
    assert_eq!(requests.load(std::sync::atomic::Ordering::SeqCst), TRIES);

    let refused = TcpListener::bind("127.0.0.1:0").unwrap();
    let port = refused.local_addr().unwrap().port();
    drop(refused);
    assert_transient(port, "connection");
}

/// A fetch into a bucket at `port` fails with a transient store error saying `says`, after
/// `TRIES - 1` counted retries.
fn assert_transient(port: u16, says: &str) {
    let tmp = tempfile::tempdir().unwrap();
    let retries = counter();
    let s3 = S3Store::new(&config(port, "wcp-media"), retries.clone()).unwrap();
    let store = Store::open_s3(s3, tmp.path(), "cn", "t").unwrap();
    match fetch(&store, b"a file") {
        Err(FetchError::Store(StoreError::Transient(e))) => assert!(e.contains(says), "{e}"),
        other => panic!("{other:?}"),
    }
    assert_eq!(retries.get(), u64::from(TRIES - 1));
}
