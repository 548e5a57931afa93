//! Dates, refusals and the access log in real headless Chromium (trial 18 D2, D3, D9, D14,
//! D17): a From/To range includes its To day, days are the policy's zone (UTC+08:00) as in
//! `wcp archive search`, times show their offset; a reviewer's menu has no Search and her
//! refused search is in the auditor's log; the log reads in plain words with no gap in its
//! numbers.

mod browser;

use browser::*;

/// Sent at 2024-11-27T17:30Z: 01:30 on 28 Nov in Beijing, the policy's zone. A UTC reading
/// puts it on 27 Nov, the CLI on 28 Nov.
const LATE: &str = r#"{"msgid": "late_night_1", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732728600000, "msgtype": "text", "text": {"content": "放心，半夜也保本，稳赚不赔"}}"#;

/// A form post with a session cookie: the status code.
fn post(base: &str, path: &str, session: &str, body: &str) -> u16 {
    use std::io::{Read, Write};
    let hostport = base.trim_start_matches("http://");
    let mut s = std::net::TcpStream::connect(hostport).unwrap();
    write!(
        s,
        "POST {path} HTTP/1.1\r\nHost: {hostport}\r\nCookie: wcp_session={session}\r\n\
         Content-Type: application/x-www-form-urlencoded\r\nContent-Length: {}\r\n\
         Connection: close\r\n\r\n{body}",
        body.len()
    )
    .unwrap();
    let mut resp = String::new();
    s.read_to_string(&mut resp).unwrap();
    resp.split_whitespace()
        .nth(1)
        .unwrap_or("0")
        .parse()
        .unwrap_or(0)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn dates_refusals_and_the_access_log_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    std::fs::write(tmp.path().join("late.jsonl"), format!("{LATE}\n")).unwrap();
    run_into(&tmp.path().join("late.jsonl"), &out);
    let (_console, base, otp) = start_console(&out);
    let ann_otp = add_user(&out, "ann", "reviewer", "guarantee_of_returns");
    let aud_otp = add_user(&out, "audrey", "auditor", "");
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    sign_in(&c, &base, "investigator", &otp).await;

    // D2: From = To = 26 Nov is that whole day, not nothing; the field says so.
    c.goto(&format!(
        "{base}/queue?status=all&from=2024-11-26&to=2024-11-26"
    ))
    .await
    .unwrap();
    let day26 = count(&c, "#queue tbody tr").await;
    assert!(day26 > 0, "a one-day queue filter finds that day's alerts");
    let form = text(&c, "form.filters").await;
    assert!(form.contains("To (included)"), "{form}");
    assert!(text(&c, "#zone").await.contains("UTC+08:00"));
    screenshot(&c, "queue-dates").await;

    // D3: the late message is on 28 Nov local, as the CLI reads it, and shows its offset.
    c.goto(&format!(
        "{base}/queue?status=all&from=2024-11-28&to=2024-11-28"
    ))
    .await
    .unwrap();
    assert_eq!(count(&c, "#queue tbody tr").await, 1, "only the late alert");
    assert!(text(&c, "#queue")
        .await
        .contains("2024-11-28 01:30:00 +08:00"));
    c.goto(&format!(
        "{base}/queue?status=all&from=2024-11-27&to=2024-11-27"
    ))
    .await
    .unwrap();
    assert_eq!(
        count(&c, "#queue tbody tr").await,
        0,
        "nothing on 27 Nov local"
    );
    c.goto(&format!(
        "{base}/search?text=稳赚&from=2024-11-28&to=2024-11-28"
    ))
    .await
    .unwrap();
    let found = text(&c, "#results").await;
    assert!(
        found.contains("半夜也保本") && found.contains("2024-11-28 01:30:00 +08:00"),
        "{found}"
    );
    assert!(!found.contains("肯定稳赚"), "26 Nov is outside: {found}");
    screenshot(&c, "search-dates").await;
    let cli = wcp()
        .args(["archive", "search", "--db"])
        .arg(out.join("archive-cn.db"))
        .args([
            "--actor",
            "officer",
            "--from",
            "2024-11-28",
            "--to",
            "2024-11-28",
            "--json",
        ])
        .output()
        .unwrap();
    assert!(
        cli.status.success(),
        "{}",
        String::from_utf8_lossy(&cli.stderr)
    );
    let cli_ids: Vec<String> = String::from_utf8(cli.stdout)
        .unwrap()
        .lines()
        .map(|l| {
            serde_json::from_str::<serde_json::Value>(l).unwrap()["msgid"]
                .as_str()
                .unwrap()
                .to_string()
        })
        .collect();
    assert_eq!(
        cli_ids,
        ["late_night_1"],
        "the CLI reads 28 Nov as the console does"
    );
    sign_out(&c).await;

    // D17 and D9: the reviewer's menu has no Search; the search she types anyway is refused.
    let ann = sign_in(&c, &base, "ann", &ann_otp).await;
    assert_eq!(count(&c, "header nav a[href='/search']").await, 0);
    // A post with a stale form token is refused, and logged too.
    assert_eq!(
        post(&base, "/queue/bulk", &ann, "csrf=stale&act=claim"),
        403
    );
    assert!(!text(&c, "header nav").await.contains("Search"));
    c.goto(&format!("{base}/search?text=保本")).await.unwrap();
    assert_eq!(count(&c, "#forbidden").await, 1, "search is refused");
    c.goto(&format!("{base}/queue")).await.unwrap();
    sign_out(&c).await;

    // D9 and D14: the auditor sees the refusal, in words, and every number of the chain.
    let aud = sign_in(&c, &base, "audrey", &aud_otp).await;
    c.goto(&format!("{base}/audit")).await.unwrap();
    let log = text(&c, "#audit").await;
    let refusal = log
        .lines()
        .find(|l| l.contains("page_denied"))
        .unwrap_or_else(|| panic!("no refusal in the log: {log}"));
    assert!(
        refusal.contains("ann")
            && refusal.contains("was refused a page")
            && refusal.contains("page: /search")
            && refusal.contains("query: text 保本")
            && refusal.contains("investigators only"),
        "{refusal}"
    );
    let stale = log
        .lines()
        .find(|l| l.contains("request_denied"))
        .unwrap_or_else(|| panic!("no refused post in the log: {log}"));
    assert!(
        stale.contains("ann") && stale.contains("/queue/bulk") && stale.contains("form token"),
        "{stale}"
    );
    assert!(
        log.contains("viewed the queue") && log.contains("filter: from 2024-11-26"),
        "{log}"
    );
    for debug in ["Filter {", "LogFilter", "{\"", "Some("] {
        assert!(
            !log.contains(debug),
            "programmer text {debug:?} in the log: {log}"
        );
    }
    assert!(text(&c, "#seq-note").await.contains("account"));
    screenshot(&c, "audit-words").await;
    let (status, _, body) = http_get(&base, "/audit.jsonl", &aud);
    assert_eq!(status, 200);
    let lines: Vec<serde_json::Value> = body
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let seqs: Vec<i64> = lines.iter().map(|v| v["seq"].as_i64().unwrap()).collect();
    let expected: Vec<i64> = (1..=seqs.len() as i64).collect();
    assert_eq!(seqs, expected, "no number missing from the export");
    assert!(lines
        .iter()
        .any(|v| v["action"] == "account_add" && v["target"]["account"] == "ann"));
    assert!(lines.iter().any(|v| v["action"] == "page_denied"
        && v["actor"] == "ann"
        && v["target"]["page"] == "/search"));
    c.close().await.unwrap();
}
