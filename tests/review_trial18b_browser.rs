//! The compliance officer's minor defects (trial 18b) in real headless Chromium: a bulk action
//! keeps the queue's filters (D8); search says "From is after To", that Participant is a
//! WeCom id, and shows a bad date in the console's page (D9); search terms are marked in
//! every result apart from the risk evidence, chat text staying text (D10); escalating to
//! yourself is said on the alert page (D11); the Chinese interface translates states and the
//! recall marker, and each rule id shows the words it matched (D12).

mod browser;

use browser::*;
use fantoccini::Locator;

/// A disclaimer with 保本 that raises no alert, and an English message in mixed case.
const DISCLAIMER: &str = r#"{"msgid": "t18b_disclaimer", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732600400000, "msgtype": "text", "text": {"content": "本产品不保本，过往业绩不代表未来表现"}}"#;
const MIXED: &str = r#"{"msgid": "t18b_mixed", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732600500000, "msgtype": "text", "text": {"content": "The Quarterly factsheet is attached; quarterly numbers are final"}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trial_18b_minor_defects_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[CRAFTED, DISCLAIMER, MIXED]);
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    let session = sign_in(&c, &base, "investigator", &otp).await;

    // D10: the term is marked in every result, the disclaimer's too, apart from the risk
    // evidence; a legend says which is which.
    c.goto(&format!("{base}/search?text=保本")).await.unwrap();
    assert!(count(&c, "#results > li").await >= 2);
    let rows = texts(&c, "#results > li").await;
    let hit_rows = count(&c, "#results > li:has(mark.hit)").await;
    assert_eq!(
        hit_rows as usize,
        rows.len(),
        "every result marked: {rows:?}"
    );
    assert!(texts(&c, "#results mark.hit")
        .await
        .iter()
        .all(|t| t == "保本"));
    assert!(
        count(&c, "#results mark.risk").await > 0,
        "risk evidence still marked"
    );
    assert!(rows.iter().any(|r| r.contains("本产品不保本")));
    let legend = text(&c, "#legend").await;
    assert!(
        legend.contains("search term") && legend.contains("risk evidence"),
        "{legend}"
    );
    let colours = c
        .execute(
            "return [getComputedStyle(document.querySelector('#legend mark.hit')).backgroundColor, \
             getComputedStyle(document.querySelector('#legend mark.risk')).backgroundColor]",
            vec![],
        )
        .await
        .unwrap();
    assert_ne!(colours[0], colours[1], "hit and risk look different");
    // English in any case; every occurrence.
    c.goto(&format!("{base}/search?text=QUARTERLY"))
        .await
        .unwrap();
    assert_eq!(
        texts(&c, "#results mark.hit").await,
        ["Quarterly", "quarterly"]
    );
    // A term inside markup in chat text: marked, still text, no element made.
    c.goto(&format!("{base}/search?text=script")).await.unwrap();
    assert_eq!(texts(&c, "#results mark.hit").await, ["script", "script"]);
    assert!(text(&c, "#results")
        .await
        .contains("<script>alert(1)</script><b>粗体</b>"));
    assert_eq!(
        count(&c, "#results span.text script, #results span.text b").await,
        0
    );

    // D9: From after To is said, in the console's page with the form.
    c.goto(&format!("{base}/search?from=2024-11-28&to=2024-11-26"))
        .await
        .unwrap();
    assert!(text(&c, "p.problem").await.contains("From is after To"));
    assert!(c.find(Locator::Css("form#search")).await.is_ok());
    let (status, _, body) = http_get(&base, "/search?from=2024-11-28&to=2024-11-26", &session);
    assert_eq!(status, 400);
    assert!(body.contains("id=\"signout\""), "in the console's page");
    // A date that does not read: the console's page, not plain text; the queue too.
    for path in ["/search?from=2024-13-45", "/queue?to=yesterday"] {
        let (status, _, body) = http_get(&base, path, &session);
        assert_eq!(status, 400, "{path}");
        assert!(
            body.contains("id=\"signout\"") && body.contains("class=\"problem\""),
            "{path}: {body}"
        );
    }
    // A display name: Participant is a WeCom id, said under the form and for the result.
    c.goto(&format!("{base}/search?participant=张伟"))
        .await
        .unwrap();
    assert!(text(&c, "#participant-hint").await.contains("zhangwei"));
    let said = text(&c, "#participant-name").await;
    assert!(
        said.contains("张伟") && said.contains("not a WeCom id") && said.contains("zhangwei"),
        "{said}"
    );
    c.goto(&format!("{base}/search?participant=zhangwei"))
        .await
        .unwrap();
    assert!(c.find(Locator::Css("#participant-name")).await.is_err());

    // D8: a bulk action on a filtered, sorted queue comes back to that queue.
    let filtered = "/queue?status=all&category=guarantee_of_returns&sort=oldest";
    c.goto(&format!("{base}{filtered}")).await.unwrap();
    c.find(Locator::Css("#queue tbody input[name=sel]"))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    c.find(Locator::Css("fieldset.bulk select[name=action]"))
        .await
        .unwrap()
        .select_by_value("claim")
        .await
        .unwrap();
    click_nav(&c, "fieldset.bulk button").await;
    let url = c.current_url().await.unwrap();
    let query = url.query().unwrap_or("");
    assert_eq!(url.path(), "/queue");
    assert_eq!(
        query,
        "status=all&category=guarantee_of_returns&sort=oldest&msg=did.claim.1"
    );
    assert_eq!(text(&c, "p.flash").await, "Alert claimed.");
    let cats = texts(&c, "#queue tbody tr td:nth-child(4)").await;
    assert!(
        !cats.is_empty() && cats.iter().all(|c| c == "guarantee_of_returns"),
        "{cats:?}"
    );

    // D11: escalating to yourself is said at the alert page's forms.
    let alert = alert_url(&c, &base, "insider_information").await;
    c.goto(&alert).await.unwrap();
    fill(&c, "#escalate-to", "investigator").await;
    fill(&c, "#escalate-note", "to myself").await;
    click_nav(&c, "#escalate").await;
    let refused = text(&c, "#refused").await;
    assert!(
        refused.contains("cannot escalate an alert to yourself")
            && refused.contains("wcp review user add"),
        "{refused}"
    );
    assert!(c.find(Locator::Css("#escalate-form")).await.is_ok());
    assert_ne!(text(&c, "#status").await, "escalated");
    screenshot(&c, "escalate-refused").await;

    // D12: beside each rule id, the words it matched (an id names a rule group, not them).
    let crafted = alert_url(&c, &base, "guarantee_of_returns").await;
    c.goto(&crafted).await.unwrap();
    let message = text(&c, "#message span.text").await;
    let matched = texts(&c, "#why-detail li.rule-hit span.matched").await;
    assert!(
        !matched.is_empty() && matched.iter().all(|w| message.contains(w.as_str())),
        "{matched:?} in {message}"
    );

    // D9 in Chinese.
    c.goto(&format!("{base}/lang/zh")).await.unwrap();
    c.goto(&format!("{base}/search?from=2024-11-28&to=2024-11-26"))
        .await
        .unwrap();
    assert!(text(&c, "p.problem").await.contains("起始日期晚于截止日期"));

    // D12: states and the recall marker in Chinese, as the rest of the page.
    c.goto(&crafted).await.unwrap();
    assert_eq!(text(&c, "#status").await, "待处理");
    let consent = texts(&c, "#context strong.consent").await;
    assert!(consent.iter().any(|s| s == "已同意"), "{consent:?}");
    c.goto(&format!(
        "{base}/queue?status=all&category=guarantee_of_returns&sort=oldest"
    ))
    .await
    .unwrap();
    let states = texts(&c, "#queue td.status").await;
    assert!(states.iter().any(|s| s == "审查中"), "{states:?}");
    assert!(states.iter().all(|s| !s.is_ascii()), "{states:?}");
    let recall = alert_url(&c, &base, "recall_of_flagged").await;
    c.goto(&recall).await.unwrap();
    let notes = texts(&c, ".recall-note").await;
    assert!(
        !notes.is_empty()
            && notes
                .iter()
                .all(|n| n.contains("已撤回") && !n.contains("recalled")),
        "{notes:?}"
    );
    screenshot(&c, "zh-states").await;
}
