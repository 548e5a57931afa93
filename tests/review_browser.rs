//! The review console in real headless Chromium (Debian's chromium + chromium-driver):
//! sign in, work an alert from the queue to closed with a note, escalate, PII masked for a
//! reviewer and clear for an investigator, a reviewer refused another queue's alert, markup
//! in chat shown as text, the access log showing each step, sign-out ending the session.

mod browser;

use browser::*;
use fantoccini::Locator;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn review_console_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let (_console, base, otp) = start_console(&out);
    let ann_otp = add_user(&out, "ann", "reviewer", "guarantee_of_returns");
    let aud_otp = add_user(&out, "audrey", "auditor", "");
    let (_driver, c) = browser(&tmp.path().join("profile")).await;

    // Investigator: first sign-in with the printed one-time password, then a chosen one.
    let inv_session = sign_in(&c, &base, "investigator", &otp).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/queue");
    let queue = c.source().await.unwrap();
    assert!(
        queue.contains("guarantee_of_returns") && queue.contains("insider_information"),
        "queue lists alerts"
    );
    screenshot(&c, "queue").await;

    // Work an off_channel alert from the queue to closed with a note.
    let off = alert_url(&c, &base, "off_channel").await;
    c.goto(&off).await.unwrap();
    click_nav(&c, "#claim").await;
    assert_eq!(text(&c, "#status").await, "in_review");
    c.find(Locator::Css("#close-form select[name=outcome]"))
        .await
        .unwrap()
        .select_by_value("false_positive")
        .await
        .unwrap();
    c.find(Locator::Css("#close-note"))
        .await
        .unwrap()
        .send_keys("Client asked for a contact channel; no off-channel dealing")
        .await
        .unwrap();
    click_nav(&c, "#close").await;
    assert_eq!(text(&c, "#status").await, "closed");
    assert_eq!(text(&c, "#outcome").await, "false_positive");
    assert!(text(&c, "#history")
        .await
        .contains("no off-channel dealing"));

    // Closed: only what a closed alert allows (trial 18 D12); the Closed tab shows the
    // outcome; an investigator reopens it with a note, recorded in its history.
    for gone in ["#claim", "#release", "#close-form", "#escalate-form"] {
        assert!(
            c.find(Locator::Css(gone)).await.is_err(),
            "{gone} on a closed alert"
        );
    }
    c.goto(&format!("{base}/queue?status=closed&category=off_channel"))
        .await
        .unwrap();
    assert!(text(&c, "#queue thead").await.contains("Outcome"));
    assert_eq!(text(&c, "#queue td.outcome").await, "False positive");
    c.goto(&off).await.unwrap();
    c.find(Locator::Css("#reopen-note"))
        .await
        .unwrap()
        .send_keys("Wrong outcome: the contact channel was WhatsApp")
        .await
        .unwrap();
    click_nav(&c, "#reopen").await;
    assert_eq!(text(&c, "#status").await, "pending");
    assert!(
        c.find(Locator::Css("#outcome")).await.is_err(),
        "no outcome once reopened"
    );
    let history = text(&c, "#history").await;
    assert!(
        history.contains("reopen") && history.contains("was WhatsApp"),
        "{history}"
    );
    assert!(
        c.find(Locator::Css("#claim")).await.is_ok(),
        "claimable again"
    );

    // Escalate a market_manipulation alert to the reviewer.
    let mm = alert_url(&c, &base, "market_manipulation").await;
    c.goto(&mm).await.unwrap();
    c.find(Locator::Css("#escalate-to"))
        .await
        .unwrap()
        .send_keys("ann")
        .await
        .unwrap();
    c.find(Locator::Css("#escalate-note"))
        .await
        .unwrap()
        .send_keys("Coordinated buying? Second look please")
        .await
        .unwrap();
    click_nav(&c, "#escalate").await;
    assert_eq!(text(&c, "#status").await, "escalated");
    assert_eq!(text(&c, "#assignee").await, "ann");

    // The crafted alert: the investigator sees the phone number; markup is text.
    let crafted = alert_url(&c, &base, "guarantee_of_returns").await;
    c.goto(&crafted).await.unwrap();
    let msg = text(&c, "#message span.text").await;
    assert!(msg.contains(PHONE), "investigator sees PII: {msg}");
    assert!(
        msg.contains("<script>alert(1)</script><b>粗体</b>"),
        "markup shown as text: {msg}"
    );
    assert!(msg.contains('🙂'));
    let injected = c.execute("return document.querySelectorAll('#message span.text b, #message span.text script').length", vec![]).await.unwrap();
    assert_eq!(injected, serde_json::json!(0), "no element from chat text");
    assert!(
        c.find(Locator::Css("#message mark.risk")).await.is_ok(),
        "evidence highlighted"
    );
    screenshot(&c, "alert").await;
    let insider = alert_url(&c, &base, "insider_information").await;

    // Search (Chinese), results open the conversation view.
    c.goto(&format!("{base}/search?text=保本")).await.unwrap();
    assert!(text(&c, "#results").await.contains("保本"));
    screenshot(&c, "search").await;
    click_nav(&c, "#results a.open").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/conversation/cn");

    // Sign-out ends the session: the old cookie no longer opens anything.
    sign_out(&c).await;
    let (status, location, _) = http_get(&base, "/queue", &inv_session);
    assert_eq!(
        (status, location.as_str()),
        (303, "/signin"),
        "a signed-out session is dead"
    );

    // Reviewer: masked PII, an audited unmask, the escalated alert, 403 on another queue.
    let ann_session = sign_in(&c, &base, "ann", &ann_otp).await;
    c.goto(&crafted).await.unwrap();
    let masked = text(&c, "#message span.text").await;
    assert!(
        !masked.contains(PHONE) && masked.contains("PHONE_NUMBER"),
        "reviewer sees a mask: {masked}"
    );
    assert!(
        !c.source().await.unwrap().contains(PHONE),
        "the value is not in the page at all"
    );
    screenshot(&c, "alert-masked").await;
    c.find(Locator::Css("#message details.unmask summary"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("#message details.unmask input[name=reason]"))
        .await
        .unwrap()
        .send_keys("verify caller for complaint case 42")
        .await
        .unwrap();
    click_nav(&c, "#message details.unmask button").await;
    assert!(
        text(&c, "#message span.text").await.contains(PHONE),
        "unmasked after a reason"
    );
    c.goto(&mm).await.unwrap();
    assert_eq!(
        text(&c, "#assignee").await,
        "ann",
        "the escalated alert is hers"
    );
    c.goto(&insider).await.unwrap();
    assert!(
        c.find(Locator::Css("#forbidden")).await.is_ok(),
        "another queue's alert is refused"
    );
    let path = insider.trim_start_matches(&base);
    assert_eq!(http_get(&base, path, &ann_session).0, 403);
    assert_eq!(
        http_get(&base, "/search?text=x", &ann_session).0,
        403,
        "search is for investigators"
    );
    c.goto(&format!("{base}/queue")).await.unwrap();
    assert!(
        text(&c, "#queue").await.contains("market_manipulation"),
        "escalated alert in her queue"
    );
    sign_out(&c).await;

    // Auditor: the access log shows each step; content pages are refused.
    let aud_session = sign_in(&c, &base, "audrey", &aud_otp).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/audit");
    let log = text(&c, "#audit").await;
    for step in [
        "sign_in",
        "view_queue",
        "view_alert",
        "disposition",
        "search",
        "view_conversation",
        "sign_out",
        "unmask",
        "view_alert_denied",
        "password_change",
    ] {
        assert!(log.contains(step), "access log lacks {step}");
    }
    assert!(
        log.contains("verify caller for complaint case 42"),
        "unmask reason recorded"
    );
    assert!(
        log.contains("act: close") && log.contains("act: escalate"),
        "{log}"
    );
    assert_eq!(
        http_get(&base, "/queue", &aud_session).0,
        403,
        "auditors read no content"
    );
    // Chinese interface text.
    click_nav(&c, "header a.lang").await;
    c.goto(&format!("{base}/audit")).await.unwrap();
    assert!(text(&c, "header nav").await.contains("访问日志"));
    screenshot(&c, "audit-zh").await;
    c.close().await.unwrap();

    // The dispositions and the access log verify.
    let o = wcp()
        .args(["review", "verify", "--dir"])
        .arg(&out)
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stdout));
}
