//! A minimal HTTP/1.0 GET for the ops port (no HTTP client dependency for three endpoints).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::time::Duration;

pub struct Response {
    pub status: u16,
    pub body: String,
}

/// `GET path` on `addr`; `None` when nothing answers (not started yet, or crashed).
pub fn get(addr: &str, path: &str) -> Option<Response> {
    let sock: std::net::SocketAddr = addr.parse().ok()?;
    let mut s = TcpStream::connect_timeout(&sock, Duration::from_secs(2)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.0\r\nHost: {addr}\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut raw = Vec::new();
    s.read_to_end(&mut raw).ok()?;
    let text = String::from_utf8_lossy(&raw);
    let status = text.split_whitespace().nth(1)?.parse().ok()?;
    let body = text
        .split_once("\r\n\r\n")
        .map(|(_, b)| b.to_string())
        .unwrap_or_default();
    Some(Response { status, body })
}

/// Sum of every sample of `metric` (all label sets) in a Prometheus text exposition.
pub fn metric_sum(text: &str, metric: &str) -> Option<f64> {
    let mut found = false;
    let mut sum = 0.0;
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let name_end = line.find(['{', ' ']).unwrap_or(line.len());
        if &line[..name_end] != metric {
            continue;
        }
        if let Some(v) = line.rsplit(' ').next().and_then(|v| v.parse::<f64>().ok()) {
            found = true;
            sum += v;
        }
    }
    found.then_some(sum)
}

/// Whether `metric` is declared (`# TYPE`) or sampled in the exposition.
pub fn has_metric(text: &str, metric: &str) -> bool {
    text.lines().any(|l| {
        l.strip_prefix("# TYPE ")
            .is_some_and(|r| r.split_whitespace().next() == Some(metric))
    }) || metric_sum(text, metric).is_some()
}
