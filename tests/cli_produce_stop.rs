//! `wcp produce --synthetic N --rate R` (the load generator) stopped by a signal (issue 15
//! trial 15d D10: SIGINT was ignored, SIGTERM left no summary, and 12 minutes of failing
//! deliveries logged nothing): SIGINT and SIGTERM stop sending, flush, print
//! `sent N, delivered N, failed N` and exit 1 if anything was not delivered; failing
//! deliveries are reported while it runs.
mod e2e;

use std::io::Read;
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use e2e::procs::Pipeline;

const TEST: &str = "cli_produce_stop";

/// `wcp produce --synthetic 1000000 --rate 200` started through `sh` with SIGINT ignored
/// (what a shell's background job inherits, as in the trial), `env` added.
fn load(p: &Pipeline, env: &[(&str, &str)]) -> Child {
    let mut cmd = Command::new("sh");
    e2e::procs::without_wcp_env(&mut cmd);
    cmd.arg("-c")
        .arg("trap '' INT; exec \"$0\" \"$@\"")
        .arg(e2e::wcp_bin())
        .args([
            "produce",
            "--bootstrap",
            &p.bootstrap,
            "--prefix",
            &p.prefix,
        ])
        .args(["--synthetic", "1000000", "--rate", "200"])
        .envs(env.iter().copied())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn wcp produce")
}

fn signal(c: &Child, sig: &str) {
    let ok = Command::new("kill")
        .args([sig, &c.id().to_string()])
        .status()
        .expect("kill");
    assert!(ok.success());
}

/// Waits up to `limit` for the exit: (code, stdout, stderr).
fn finish(mut c: Child, limit: Duration) -> (Option<i32>, String, String) {
    let start = Instant::now();
    let code = loop {
        if let Some(s) = c.try_wait().unwrap() {
            break s.code();
        }
        if start.elapsed() > limit {
            let _ = c.kill();
            let _ = c.wait();
            break None;
        }
        std::thread::sleep(Duration::from_millis(50));
    };
    let mut out = String::new();
    let mut err = String::new();
    c.stdout.take().unwrap().read_to_string(&mut out).unwrap();
    c.stderr.take().unwrap().read_to_string(&mut err).unwrap();
    (code, out, err)
}

/// `sent N, delivered N, failed N` of the summary line.
fn summary(out: &str) -> (u64, u64, u64) {
    let line = out
        .lines()
        .find(|l| l.contains(": sent "))
        .unwrap_or_else(|| panic!("no summary: {out:?}"));
    let n = |k: &str| -> u64 {
        let rest = &line[line.find(k).unwrap_or_else(|| panic!("{k} in {line}")) + k.len()..];
        rest.split(|c: char| !c.is_ascii_digit())
            .next()
            .unwrap()
            .parse()
            .unwrap()
    };
    (n("sent "), n("delivered "), n("failed "))
}

#[test]
fn sigint_even_when_ignored_by_the_shell_stops_flushes_and_summarises() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    let p = Pipeline::new(&bootstrap, "prodint");
    p.create_topics(1);
    let c = load(&p, &[]);
    std::thread::sleep(Duration::from_secs(3));
    signal(&c, "-INT");
    let (code, out, err) = finish(c, Duration::from_secs(20));
    let (sent, delivered, failed) = summary(&out);
    eprintln!("{TEST}: SIGINT: {} / {}", out.trim(), err.trim());
    assert_eq!(code, Some(0), "exit code after SIGINT:\n{out}\n{err}");
    assert!(sent > 100 && sent < 1_000_000, "sent {sent}");
    assert_eq!((delivered, failed), (sent, 0), "{out}");
    assert!(err.contains("stopped by SIGINT"), "{err}");
}

#[test]
fn sigterm_during_an_outage_reports_failures_and_exits_1() {
    if e2e::bootstrap_or_skip(TEST).is_none() {
        return;
    }
    let Some(broker) = e2e::broker::PrivateBroker::start() else {
        eprintln!("{TEST}: SKIPPED: no scripts/kafka.sh jar cache");
        return;
    };
    let p = Pipeline::new(&broker.bootstrap, "prodterm");
    p.create_topics(1);
    // Records time out after 3 s instead of 60 (the pass-through property).
    let c = load(&p, &[("WCP_KAFKA__MESSAGE_TIMEOUT_MS", "3000")]);
    std::thread::sleep(Duration::from_secs(2));
    broker.stop();
    // Past the timeout: deliveries have failed and been reported.
    std::thread::sleep(Duration::from_secs(8));
    signal(&c, "-TERM");
    let (code, out, err) = finish(c, Duration::from_secs(30));
    eprintln!("{TEST}: SIGTERM: {} / {}", out.trim(), err.trim());
    let (sent, delivered, failed) = summary(&out);
    assert_eq!(
        code,
        Some(1),
        "exit code with failed deliveries:\n{out}\n{err}"
    );
    assert!(delivered > 0 && failed > 0, "{out}");
    assert_eq!(delivered + failed, sent, "{out}");
    assert!(err.contains("stopped by SIGTERM"), "{err}");
    let warnings: Vec<&str> = err
        .lines()
        .filter(|l| l.contains("not delivered to") && l.contains("so far"))
        .collect();
    assert!(
        !warnings.is_empty() && warnings.len() <= 2,
        "failing deliveries not reported once (or rate-limited):\n{err}"
    );
}
