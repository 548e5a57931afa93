//! Support for the browser tests: a `wcp run` output with a crafted message, the console and
//! chromedriver as child processes (killed on drop), a WebDriver session on headless
//! Chromium, and raw HTTP for what a browser does not show (status codes, a stale cookie).
// Shared by several test binaries; each uses a part of it.
#![allow(dead_code, unused_imports)]

use std::io::{BufRead, BufReader, Read, Write};
use std::net::TcpStream;
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use fantoccini::{Client, ClientBuilder};

mod ui;
pub use ui::*;

pub fn wcp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wcp"))
}

/// A message with a risk term, a phone number, markup and an emoji, from staff to the
/// client who agreed to archiving (so it is archived in clear and raises an alert).
pub const CRAFTED: &str = r#"{"msgid": "review_markup_1", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732600300000, "msgtype": "text", "text": {"content": "保本收益没问题，打我电话13812345678 <script>alert(1)</script><b>粗体</b> 🙂"}}"#;
pub const PHONE: &str = "13812345678";

/// `wcp run` over the sample captures plus [`CRAFTED`].
pub fn pipeline_output(dir: &Path) -> PathBuf {
    pipeline_output_with(dir, &[CRAFTED])
}

/// `wcp run` over the sample captures plus `lines`.
pub fn pipeline_output_with(dir: &Path, lines: &[&str]) -> PathBuf {
    let root = Path::new(env!("CARGO_MANIFEST_DIR"));
    let mut input = std::fs::read_to_string(root.join("fixtures/wecom_samples.jsonl")).unwrap();
    for l in lines {
        input.push_str(l);
        input.push('\n');
    }
    std::fs::write(dir.join("input.jsonl"), input).unwrap();
    let out = dir.join("out");
    run_into(&dir.join("input.jsonl"), &out);
    out
}

/// `wcp run --input INPUT --out OUT` (a later run appends to the folder).
pub fn run_into(input: &Path, out: &Path) {
    let st = wcp()
        .args(["run", "--input"])
        .arg(input)
        .arg("--out")
        .arg(out)
        .stdout(Stdio::null())
        .status()
        .unwrap();
    assert!(st.success(), "wcp run failed");
}

pub struct Proc(pub Child);

impl Drop for Proc {
    fn drop(&mut self) {
        let _ = self.0.kill();
        let _ = self.0.wait();
    }
}

/// The console on a free port: (process, base URL, the first account's one-time password).
pub fn start_console(out: &Path) -> (Proc, String, String) {
    let mut child = wcp()
        .args(["review", "--addr", "127.0.0.1:0", "--dir"])
        .arg(out)
        .stdout(Stdio::piped())
        .stderr(Stdio::inherit())
        .spawn()
        .unwrap();
    let stdout = child.stdout.take().unwrap();
    let mut lines = BufReader::new(stdout).lines();
    let (mut password, mut url) = (None, None);
    while url.is_none() {
        let line = lines
            .next()
            .expect("console exited before listening")
            .unwrap();
        if let Some(p) = line.trim().strip_prefix("one-time password: ") {
            password = Some(p.to_string());
        }
        if let Some(u) = line.strip_prefix("wcp review: ") {
            url = u
                .split_whitespace()
                .next()
                .map(|u| u.trim_end_matches('/').to_string());
        }
    }
    // Keep draining stdout so the console never blocks on a full pipe.
    std::thread::spawn(move || for _ in lines {});
    (
        Proc(child),
        url.unwrap(),
        password.expect("first start prints a one-time password"),
    )
}

pub fn add_user(out: &Path, name: &str, role: &str, queues: &str) -> String {
    let o = wcp()
        .args([
            "review",
            "user",
            "add",
            "--username",
            name,
            "--role",
            role,
            "--queues",
            queues,
            "--dir",
        ])
        .arg(out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let s = String::from_utf8(o.stdout).unwrap();
    s.rsplit("one-time password: ")
        .next()
        .unwrap()
        .trim()
        .to_string()
}

#[path = "../e2e/ports.rs"]
mod ports;
use ports::free_port;

/// chromedriver and a headless Chromium session with a fresh profile.
pub async fn browser(profile: &Path) -> (Proc, Client) {
    let driver = std::env::var("CHROMEDRIVER").unwrap_or_else(|_| "chromedriver".into());
    let port = free_port();
    let child = Command::new(&driver).arg(format!("--port={port}")).stdout(Stdio::null()).stderr(Stdio::null()).spawn().unwrap_or_else(|e| {
        panic!("cannot start {driver}: {e} — install it: apt-get install -y chromium chromium-driver")
    });
    let proc = Proc(child);
    let deadline = Instant::now() + Duration::from_secs(20);
    while TcpStream::connect(("127.0.0.1", port)).is_err() {
        assert!(
            Instant::now() < deadline,
            "chromedriver did not listen on {port}"
        );
        std::thread::sleep(Duration::from_millis(100));
    }
    let mut caps = serde_json::Map::new();
    let args = [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-quic",
        "--no-first-run",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--window-size=1360,1000",
        "--lang=en-US",
    ];
    let mut args: Vec<String> = args.iter().map(|s| s.to_string()).collect();
    args.push(format!("--user-data-dir={}", profile.display()));
    caps.insert(
        "goog:chromeOptions".into(),
        serde_json::json!({ "args": args }),
    );
    let client = ClientBuilder::native()
        .capabilities(caps)
        .connect(&format!("http://127.0.0.1:{port}"))
        .await
        .expect("WebDriver session");
    (proc, client)
}

/// A GET with a session cookie: (status, Location header, body).
pub fn http_get(base: &str, path: &str, session: &str) -> (u16, String, String) {
    let hostport = base.trim_start_matches("http://");
    let mut s = TcpStream::connect(hostport).unwrap();
    write!(s, "GET {path} HTTP/1.1\r\nHost: {hostport}\r\nCookie: wcp_session={session}\r\nConnection: close\r\n\r\n").unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    let status = resp
        .split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap_or(0);
    let location = resp
        .lines()
        .find_map(|l| l.strip_prefix("location: "))
        .unwrap_or("")
        .to_string();
    (status, location, resp)
}

/// Screenshots go to $WCP_SCREENSHOT_DIR (docs/review to refresh the docs), else target/.
pub async fn screenshot(c: &Client, name: &str) {
    let dir = std::env::var("WCP_SCREENSHOT_DIR")
        .map(PathBuf::from)
        .unwrap_or_else(|_| {
            Path::new(env!("CARGO_MANIFEST_DIR")).join("target/review-screenshots")
        });
    std::fs::create_dir_all(&dir).unwrap();
    std::fs::write(
        dir.join(format!("{name}.png")),
        c.screenshot().await.unwrap(),
    )
    .unwrap();
}
