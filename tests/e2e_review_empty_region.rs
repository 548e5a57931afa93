//! Issue 15 D1: the `wcp-review` service serves every region listed in `WCP_REGIONS`, also
//! one whose archive the archiver has not created yet. Against a real broker and the whole
//! pipeline: the sample load archives cn and hk only; the console, configured for cn, hk and
//! sg, is ready at once and works in real headless Chromium, showing sg empty (a notice, no
//! queue rows, no search results, a hold refused with the reason). Then a message of the sg
//! desk goes through the pipeline: the archiver creates archive-sg.db and the same console
//! process shows the message and its alert, no restart. Finally a console whose sg archive
//! exists but is not an archive stays not ready, naming the file.
//!
//! The sample (100 % here, drawn every 5 s) is drawn from what is archived while the console
//! runs: the sg desk's plain business message enters the queue as a `sample` item, and no
//! message is both an alert and a sample.
// The browser and e2e harnesses each include tests/e2e/ports.rs (a free port finder): two
// copies of one small module, harmless.
#![allow(clippy::duplicate_mod)]

mod browser;
mod e2e;

use std::time::Duration;

use browser::{screenshot, sign_in, text};
use e2e::ops::get;
use e2e::procs::{free_port, require_binaries, Pipeline, SERVICES};
use fantoccini::{Client, Locator};

const TEST: &str = "e2e_review_empty_region";

/// A message between the two members of the sg desk (policies/pipeline.toml), internal
/// only (no consent needed), with a guaranteed-returns phrase that raises an alert.
const SG_MESSAGE: &str = r#"{"msgid": "sg_desk_first_1", "action": "send", "from": "tanwl", "tolist": ["chloe.tan"], "roomid": "", "msgtime": 1732600500000, "msgtype": "text", "text": {"content": "保本收益没问题，客户放心 sgdeskcheck"}}"#;
/// A plain business message of the sg desk (no alert): drawn as a sample.
const SG_PLAIN: &str = r#"{"msgid": "sg_desk_plain_1", "action": "send", "from": "tanwl", "tolist": ["chloe.tan"], "roomid": "", "msgtime": 1732600560000, "msgtype": "text", "text": {"content": "Please send the client portfolio rebalancing report before the Monday investment committee meeting."}}"#;

/// msgid → item kinds queued for it, over every region store.
fn kinds(store_dir: &std::path::Path) -> std::collections::BTreeMap<String, Vec<String>> {
    let mut out: std::collections::BTreeMap<String, Vec<String>> = Default::default();
    for region in ["cn", "hk", "sg"] {
        let conn = rusqlite::Connection::open_with_flags(
            store_dir.join(format!("review-{region}.db")),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .unwrap();
        let mut stmt = conn.prepare("SELECT msgid, kind FROM items").unwrap();
        let rows = stmt
            .query_map([], |r| Ok((r.get::<_, String>(0)?, r.get::<_, String>(1)?)))
            .unwrap();
        for row in rows {
            let (m, k) = row.unwrap();
            out.entry(m).or_default().push(k);
        }
    }
    out
}

async fn rows(c: &Client, css: &str) -> usize {
    c.find_all(Locator::Css(css)).await.unwrap().len()
}

async fn eventually(c: &Client, what: &str, url: &str, css: &str) {
    for _ in 0..120 {
        c.goto(url).await.unwrap();
        if rows(c, css).await > 0 {
            return;
        }
        tokio::time::sleep(Duration::from_millis(500)).await;
    }
    panic!(
        "{what}: nothing at {url} after 60 s: {}",
        c.source().await.unwrap()
    );
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn console_serves_a_region_before_its_archive_exists() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&SERVICES);
    require_binaries(&["review"]);
    let mut p = Pipeline::new(&bootstrap, "review-empty");
    p.create_topics(1);
    p.start(&SERVICES);
    p.produce_file(&e2e::repo_root().join("fixtures/wecom_samples.jsonl"));
    let archive = p.archive_dir();
    e2e::wait_for("cn and hk archived", Duration::from_secs(120), || {
        (archive.join("archive-cn.db").exists() && archive.join("archive-hk.db").exists())
            .then_some(())
    });
    let sg = archive.join("archive-sg.db");
    assert!(!sg.exists(), "the sample load has no sg message");

    let store_dir = p.dir.path().join("review");
    let web = format!("127.0.0.1:{}", free_port());
    let regions = |sg: &std::path::Path| {
        format!(
            "cn={},hk={},sg={}",
            archive.join("archive-cn.db").display(),
            archive.join("archive-hk.db").display(),
            sg.display()
        )
    };
    p.common_env.extend([
        ("WCP_REGIONS".to_string(), regions(&sg)),
        ("WCP_STORE_DIR".to_string(), store_dir.display().to_string()),
        ("WCP_LISTEN_ADDR".to_string(), web.clone()),
        ("WCP_ROUTE_WAIT_MS".to_string(), "20000".to_string()),
        ("WCP_SAMPLE_PERCENT".to_string(), "100".to_string()),
        ("WCP_SAMPLE_INTERVAL_S".to_string(), "5".to_string()),
    ]);
    // Ready (the harness waits for /readyz 200 on the ops port) with no sg archive.
    p.start(&["review"]);
    let ops = p.service("review").ops_addr.clone();
    for addr in [&ops, &web] {
        let r = get(addr, "/readyz").expect("readyz answers");
        assert_eq!(r.status, 200, "{addr}/readyz: {}", r.body);
    }
    let log = p.service("review").log_text();
    let otp = log
        .lines()
        .find_map(|l| l.split("one-time password: ").nth(1))
        .expect("first start prints the investigator's one-time password")
        .trim()
        .to_string();

    let tmp = tempfile::tempdir().unwrap();
    let (_driver, c) = browser::browser(&tmp.path().join("profile")).await;
    let base = format!("http://{web}");
    sign_in(&c, &base, "investigator", &otp).await;

    // cn works as always; sg is shown empty.
    eventually(
        &c,
        "cn alerts",
        &format!("{base}/queue?status=all&region=cn"),
        "#queue tbody tr",
    )
    .await;
    c.goto(&format!("{base}/queue")).await.unwrap();
    let notice = text(&c, "#empty-regions").await;
    assert!(
        notice.contains("No messages archived yet in sg"),
        "{notice}"
    );
    assert!(
        !notice.contains(" cn") && !notice.contains(" hk"),
        "{notice}"
    );
    screenshot(&c, "empty-region").await;
    c.goto(&format!("{base}/queue?status=all&region=sg"))
        .await
        .unwrap();
    assert_eq!(rows(&c, "#queue tbody tr").await, 0, "no alerts in sg");
    assert!(text(&c, "#empty-regions").await.contains("sg"));
    assert!(text(&c, "nav.tabs")
        .await
        .split_whitespace()
        .filter_map(|w| w.parse::<u64>().ok())
        .all(|n| n == 0));
    c.goto(&format!("{base}/search?text=保本&region=sg"))
        .await
        .unwrap();
    assert_eq!(
        rows(&c, "#results > li").await,
        0,
        "search finds nothing in sg"
    );
    c.goto(&format!("{base}/search?text=保本")).await.unwrap();
    assert!(
        rows(&c, "#results > li").await > 0,
        "search works over cn and hk"
    );
    // A hold in sg is refused with the reason, and creates no archive.
    c.goto(&format!("{base}/holds")).await.unwrap();
    c.find(Locator::Css(
        "#place-hold select[name=region] option[value=sg]",
    ))
    .await
    .unwrap()
    .click()
    .await
    .unwrap();
    for (name, v) in [
        ("case_id", "CASE-SG-1"),
        ("text", "保本"),
        ("reason", "MAS inquiry"),
    ] {
        c.find(Locator::Css(&format!("#place-hold input[name={name}]")))
            .await
            .unwrap()
            .send_keys(v)
            .await
            .unwrap();
    }
    browser::click_nav(&c, "#place-hold button").await;
    let refused = text(&c, "p.problem").await;
    assert!(
        refused.contains("no messages archived yet in sg"),
        "{refused}"
    );
    assert!(!sg.exists(), "a refused hold created no archive");
    c.goto(&format!("{base}/integrity")).await.unwrap();
    assert!(text(&c, "#empty-regions").await.contains("sg"));

    // The sg desk's first message: the archiver creates archive-sg.db; the same console
    // process shows the message, its alert, and no longer calls sg empty.
    let input = tmp.path().join("sg.jsonl");
    std::fs::write(&input, format!("{SG_MESSAGE}\n{SG_PLAIN}\n")).unwrap();
    p.produce_file(&input);
    e2e::wait_for("archive-sg.db", Duration::from_secs(60), || {
        sg.exists().then_some(())
    });
    eventually(
        &c,
        "the sg message in search",
        &format!("{base}/search?text=保本&region=sg"),
        "#results > li",
    )
    .await;
    assert!(text(&c, "#results").await.contains("sgdeskcheck"));
    eventually(
        &c,
        "the sg alert",
        &format!("{base}/queue?status=all&region=sg"),
        "#queue tbody tr",
    )
    .await;
    assert!(
        text(&c, "#queue").await.contains("tanwl"),
        "routed to sg with its sender"
    );
    c.goto(&format!("{base}/queue")).await.unwrap();
    assert_eq!(
        rows(&c, "#empty-regions").await,
        0,
        "no region is empty now"
    );
    // The sample is drawn from what was archived after the start.
    eventually(
        &c,
        "the sg sample",
        &format!("{base}/queue?status=all&region=sg&kind=sample"),
        "#queue tbody tr",
    )
    .await;
    let samples = text(&c, "#queue").await;
    assert!(
        samples.contains("sample") && samples.contains("tanwl"),
        "{samples}"
    );
    let queued = kinds(&store_dir);
    assert_eq!(
        queued.get("sg_desk_plain_1").map(Vec::as_slice),
        Some(&["sample".to_string()][..])
    );
    assert!(
        queued.values().any(|k| k == &["sample"]),
        "cn/hk messages sampled too"
    );
    for (msgid, k) in &queued {
        assert!(
            !(k.contains(&"sample".to_string()) && k.contains(&"alert".to_string())),
            "{msgid} is both an alert and a sample: {k:?}"
        );
    }
    for addr in [&ops, &web] {
        assert_eq!(
            get(addr, "/readyz").map(|r| r.status),
            Some(200),
            "{addr}/readyz"
        );
    }
    assert_eq!(p.service("review").starts, 1, "no restart");
    p.assert_all_running();
    p.service("review").terminate(Duration::from_secs(20));

    // An sg archive that exists but is not one is a real problem: not ready, named.
    let bad = tmp.path().join("archive-sg.db");
    std::fs::write(&bad, vec![7u8; 4096]).unwrap();
    let bad_web = format!("127.0.0.1:{}", free_port());
    let (bad_regions, bad_store) = (
        regions(&bad),
        tmp.path().join("review2").display().to_string(),
    );
    let mut broken = p.spawn_extra(
        "review",
        "review-broken",
        &[
            ("WCP_REGIONS", bad_regions.as_str()),
            ("WCP_STORE_DIR", bad_store.as_str()),
            ("WCP_LISTEN_ADDR", bad_web.as_str()),
        ],
    );
    let body = e2e::wait_for(
        "a 503 naming the broken archive",
        Duration::from_secs(60),
        || {
            get(&broken.ops_addr, "/readyz")
                .filter(|r| r.status == 503 && r.body.contains("archive-sg.db"))
                .map(|r| r.body)
        },
    );
    assert!(body.contains("region sg"), "{body}");
    std::thread::sleep(Duration::from_secs(3));
    assert_eq!(
        get(&broken.ops_addr, "/readyz").map(|r| r.status),
        Some(503),
        "stays not ready"
    );
    let w = get(&bad_web, "/readyz").expect("console readyz");
    assert!(
        w.status == 503 && w.body.contains("archive-sg.db"),
        "{}",
        w.body
    );
    broken.terminate(Duration::from_secs(20));
}
