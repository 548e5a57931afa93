//! Scrapes of the chain's services: `/metrics` over plain HTTP and CPU time from
//! `/proc/<pid>/stat` (Linux; a service whose figures cannot be read is left out).

use std::io::{Read, Write};
use std::net::TcpStream;
use std::path::Path;
use std::time::Duration;

use wcp_bench_pipeline::service::{parse_prometheus, Scrape};

/// One line of the runner's services file: `pid port input name log`.
#[derive(Debug, Clone)]
pub struct Service {
    pub pid: u32,
    pub port: u16,
    pub input: String,
    pub name: String,
}

pub fn read_services(path: &Path) -> anyhow::Result<Vec<Service>> {
    let text = std::fs::read_to_string(path)?;
    Ok(text
        .lines()
        .filter_map(|l| {
            let f: Vec<&str> = l.split_whitespace().collect();
            Some(Service {
                pid: f.first()?.parse().ok()?,
                port: f.get(1)?.parse().ok()?,
                input: f.get(2)?.to_string(),
                name: f.get(3)?.to_string(),
            })
        })
        .collect())
}

fn http_get(port: u16, path: &str) -> Option<String> {
    let mut s = TcpStream::connect(("127.0.0.1", port)).ok()?;
    s.set_read_timeout(Some(Duration::from_secs(5))).ok()?;
    write!(
        s,
        "GET {path} HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n\r\n"
    )
    .ok()?;
    let mut body = String::new();
    s.read_to_string(&mut body).ok()?;
    body.split_once("\r\n\r\n").map(|(_, b)| b.to_string())
}

/// utime + stime of a process in seconds (USER_HZ is 100 on Linux).
fn cpu_seconds(pid: u32) -> Option<f64> {
    let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
    // The command name is in parentheses and may hold spaces: fields follow the last ')'.
    let rest = stat.rsplit_once(')')?.1;
    let f: Vec<&str> = rest.split_whitespace().collect();
    let ticks: f64 = f.get(11)?.parse::<f64>().ok()? + f.get(12)?.parse::<f64>().ok()?;
    Some(ticks / 100.0)
}

pub fn scrape(s: &Service, at_s: f64) -> Option<Scrape> {
    Some(Scrape {
        series: parse_prometheus(&http_get(s.port, "/metrics")?),
        cpu_s: cpu_seconds(s.pid)?,
        at_s,
    })
}
