//! Recalls explained, in headless Chromium (trial 18b D3, D13): a `recall_of_flagged` alert
//! says in words who recalled the message, when, how soon after sending it and what it had
//! raised, and links that alert (which links back); a recall recorded before its message is
//! called out next to it.

mod browser;

use browser::*;
use fantoccini::Locator;

/// The flagged message of the sample captures that zhangwei recalls 37 s later.
const FLAGGED: &str = "8891446340739254955_1732600185";

async fn related_links(c: &fantoccini::Client) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for a in c.find_all(Locator::Css("#related a")).await.unwrap() {
        out.push((
            a.text().await.unwrap(),
            a.attr("href").await.unwrap().unwrap(),
        ));
    }
    out
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn recalls_explain_themselves_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[]);
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    sign_in(&c, &base, "investigator", &otp).await;

    // D3: the recall alert's why is a sentence, with a link to the alert it had raised.
    let recall = alert_url(&c, &base, "recall_of_flagged").await;
    c.goto(&recall).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(
        why.starts_with("zhangwei recalled this message at 2024-11-26 13:50:22 +08:00, 37 s after sending it; it had raised guarantee_of_returns: phrase \"")
            && !why.contains("Rule:"),
        "{why}"
    );
    let links = related_links(&c).await;
    let (_, original) = links
        .iter()
        .find(|(t, _)| t.contains("guarantee_of_returns"))
        .unwrap_or_else(|| panic!("no link to the original alert: {links:?}"));
    screenshot(&c, "alert-recall").await;

    // ... and the original alert says it was recalled, linking the recall alert.
    c.goto(&format!("{base}{original}")).await.unwrap();
    assert!(c
        .source()
        .await
        .unwrap()
        .contains(&format!("id=\"m-{FLAGGED}\"")));
    let why = text(&c, "#why").await;
    assert!(
        why.contains("zhangwei recalled this message at 2024-11-26 13:50:22 +08:00, 37 s after sending it, which raised a recall alert."),
        "{why}"
    );
    let back = related_links(&c).await;
    assert!(
        back.iter()
            .any(|(t, h)| t.contains("recall_of_flagged") && recall.ends_with(h.as_str())),
        "{back:?}"
    );

    // The same in Chinese.
    c.goto(&format!("{base}/lang/zh")).await.unwrap();
    c.goto(&recall).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(
        why.starts_with("zhangwei 于 2024-11-26 13:50:22 +08:00 撤回了此消息（发送后 37 秒）；该消息曾触发 guarantee_of_returns"),
        "{why}"
    );
    c.goto(&format!("{base}/lang/en")).await.unwrap();

    // D13: lina's recall is recorded 6 min 12 s before the message it recalls.
    let consent = alert_url(&c, &base, "consent_violation").await;
    let mut found = None;
    for region in ["hk", "cn"] {
        for id in 1..=40 {
            c.goto(&format!("{base}/alerts/{region}/{id}"))
                .await
                .unwrap();
            if let Ok(e) = c.find(Locator::Css(".recall-anomaly")).await {
                found = Some(e.text().await.unwrap());
                break;
            }
        }
        if found.is_some() {
            break;
        }
    }
    let anomaly =
        found.unwrap_or_else(|| panic!("no recall anomaly shown (consent alert {consent})"));
    assert!(
        anomaly.contains("the recall is recorded 6 min before the message was sent: the capture's clock or order is off"),
        "{anomaly}"
    );
    screenshot(&c, "alert-recall-anomaly").await;
}
