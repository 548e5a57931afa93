//! Legal holds and exports in real headless Chromium: an investigator places a hold by text
//! search, sees what it covers, exports the case as RSMF and downloads the file; a hold
//! without a reason is refused with the reason shown; a reviewer is refused the holds page;
//! releasing the hold needs a reason and shows it released; the archive still verifies.

mod browser;

use browser::*;
use fantoccini::{Client, Locator};

async fn fill(c: &Client, css: &str, value: &str) {
    c.find(Locator::Css(css))
        .await
        .unwrap()
        .send_keys(value)
        .await
        .unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn holds_and_exports_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let (_console, base, otp) = start_console(&out);
    let ann_otp = add_user(&out, "ann", "reviewer", "guarantee_of_returns");
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    let inv = sign_in(&c, &base, "investigator", &otp).await;

    // A hold without a reason never reaches the archive: the browser's `required` stops the
    // form, so post it the way a script would and expect the console's own refusal.
    c.goto(&format!("{base}/holds")).await.unwrap();
    c.execute(
        "document.querySelectorAll('#place-hold [required]').forEach(e => e.removeAttribute('required'))",
        vec![],
    )
    .await
    .unwrap();
    fill(&c, "#place-hold input[name=case_id]", "CASE-2026-17").await;
    fill(&c, "#place-hold input[name=text]", "保本").await;
    click_nav(&c, "#place-hold button").await;
    let page = c.source().await.unwrap();
    assert!(
        page.contains("case id and reason are required"),
        "refusal shown"
    );
    assert!(
        !text(&c, "#holds").await.contains("CASE-2026-17"),
        "no hold placed without a reason"
    );

    // Place it properly: the table shows the case, its scope and how many messages it covers.
    c.goto(&format!("{base}/holds")).await.unwrap();
    fill(&c, "#place-hold input[name=case_id]", "CASE-2026-17").await;
    fill(&c, "#place-hold input[name=text]", "保本").await;
    fill(
        &c,
        "#place-hold input[name=reason]",
        "SFC inquiry letter 17",
    )
    .await;
    click_nav(&c, "#place-hold button").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/holds");
    let holds = text(&c, "#holds").await;
    assert!(
        holds.contains("CASE-2026-17") && holds.contains("active"),
        "{holds}"
    );
    let covered: u32 = holds
        .split('→')
        .nth(1)
        .and_then(|s| s.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .expect("covered count shown");
    assert!(covered >= 1, "the hold covers the 保本 messages: {holds}");
    screenshot(&c, "holds").await;

    // Export the case as RSMF: the page lists the files, each downloads (audited).
    click_nav(&c, "#holds form[action='/export'] button").await;
    let exported: u32 = text(&c, "#exported")
        .await
        .split_whitespace()
        .next()
        .and_then(|n| n.parse().ok())
        .expect("exported count");
    assert_eq!(exported, covered, "the export holds what the hold covers");
    let link = c
        .find(Locator::Css("#files a"))
        .await
        .unwrap()
        .attr("href")
        .await
        .unwrap()
        .unwrap();
    screenshot(&c, "export").await;
    let (status, _, body) = http_get(&base, &link, &inv);
    assert_eq!(status, 200, "download {link}");
    assert!(body.len() > 200, "a real file: {} bytes", body.len());
    let (status, _, _) = http_get(&base, "/exports/..%2F..%2Fetc/passwd", &inv);
    assert!(status >= 400, "no path out of the export folder");

    // Release needs a reason, then the hold shows released.
    c.goto(&format!("{base}/holds")).await.unwrap();
    fill(
        &c,
        "#holds form.inline input[name=reason]",
        "inquiry closed",
    )
    .await;
    click_nav(&c, "#holds form.inline button").await;
    assert!(text(&c, "#holds").await.contains("released"));
    sign_out(&c).await;

    // A reviewer never sees holds or exports.
    let ann = sign_in(&c, &base, "ann", &ann_otp).await;
    let (status, _, _) = http_get(&base, "/holds", &ann);
    assert_eq!(status, 403, "a reviewer is refused the holds page");

    // The hold, its release and the export are chained records: the archive verifies.
    for entry in std::fs::read_dir(&out).unwrap() {
        let db = entry.unwrap().path();
        let name = db.file_name().unwrap().to_string_lossy().to_string();
        if !(name.starts_with("archive-") && name.ends_with(".db")) {
            continue;
        }
        let v = wcp()
            .args(["archive", "verify", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "verify {name} after holds and export: {}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }
}
