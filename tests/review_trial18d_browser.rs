//! The compliance officer's defects (trial 18d) in real headless Chromium: the queue's
//! Participant filter finds a contact without consent by their WeCom id under its pseudonym,
//! as Search and Consent do (D3); its Rule column quotes the words that matched (D4); the
//! alert page's conversation window marks held messages as the conversation page does (D5);
//! the conversation page says where the conversation ends instead of a bare date and a link
//! to nothing (D10); a conversation hold on all regions goes only where the conversation is,
//! says so, and a released hold reads released (D9); an unknown queue category is said, not
//! answered with an empty queue (D11); in Chinese the queue's category and severity are
//! Chinese and its times stay on one line (D14).

mod browser;

use browser::*;
use fantoccini::Locator;

/// A contact with no consent record writes to staff: quarantined, a consent_violation alert
/// queued under the contact's pseudonym.
const NO_CONSENT: &str = r#"{"msgid": "t18d_no_consent", "action": "send", "from": "wmTRIALNOCONSENT0000000000000000002", "tolist": ["zhangwei"], "roomid": "", "msgtime": 1732600600000, "msgtype": "text", "text": {"content": "请问开户需要什么材料？"}}"#;
const CONTACT: &str = "wmTRIALNOCONSENT0000000000000000002";
/// The conversation of [`CRAFTED`] (its ids sorted, joined by `|`).
const CONVERSATION: &str = "wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ|zhangwei";

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trial_18d_defects_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[CRAFTED, NO_CONSENT]);
    assert!(out.join("tenant.key").exists());
    // D5: a legal hold on the crafted message's whole conversation, placed as an officer would.
    let o = wcp()
        .args(["archive", "hold", "place", "--db"])
        .arg(out.join("archive-cn.db"))
        .args([
            "--actor",
            "officer",
            "--case-id",
            "CASE-18D",
            "--reason",
            "complaint",
        ])
        .args(["--hold-conversation", CONVERSATION])
        .output()
        .unwrap();
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    let session = sign_in(&c, &base, "investigator", &otp).await;

    // D3: the queue finds the contact's consent alert by the WeCom id, under its pseudonym.
    open(
        &c,
        &base,
        &format!("/queue?status=all&category=consent_violation&participant={CONTACT}"),
    )
    .await;
    let said = text(&c, "#pseudonym-lookup").await;
    assert!(
        said.contains(CONTACT) && said.contains("shown under its pseudonym PARTICIPANT_"),
        "{said}"
    );
    let pseudonym = said.rsplit(' ').next().unwrap().trim_end_matches('.');
    assert_eq!(count(&c, "#queue tbody tr").await, 1);
    let rows = texts(&c, "#queue tbody tr").await;
    assert!(
        rows[0].contains("consent_violation") && rows[0].contains(pseudonym),
        "{rows:?}"
    );
    // The same id on Search gives the same pseudonym (one lookup, shared).
    open(&c, &base, &format!("/search?participant={CONTACT}")).await;
    assert!(text(&c, "#pseudonym-lookup")
        .await
        .ends_with(&format!("{pseudonym}.")));
    // An external id found nowhere: where such contacts are shown; a staff id: nothing.
    open(
        &c,
        &base,
        "/queue?status=all&participant=wmNOBODY0000000000000000000000001",
    )
    .await;
    assert_eq!(count(&c, "#queue tbody tr").await, 0);
    let said = text(&c, "#pseudonym-lookup").await;
    assert!(
        said.contains("Nothing under its pseudonym either"),
        "{said}"
    );
    assert_eq!(
        attr(&c, "#pseudonym-lookup a", "href").await,
        "/queue?status=all&category=consent_violation"
    );
    open(&c, &base, "/queue?status=all&participant=zhangwei").await;
    assert!(count(&c, "#queue tbody tr").await > 0);
    assert!(c.find(Locator::Css("#pseudonym-lookup")).await.is_err());

    // D5: every row of the alert's conversation window is marked held, as on the
    // conversation page.
    open(
        &c,
        &base,
        "/queue?status=all&category=guarantee_of_returns&participant=zhangwei&sort=newest",
    )
    .await;
    // D4: the Rule column quotes the words that matched, beside the rule id.
    let phrases = texts(&c, "#queue td.rule span.phrase").await;
    assert!(phrases.iter().any(|p| p.contains("保本")), "{phrases:?}");
    assert!(count(&c, "#queue td.rule code.rule-id").await >= phrases.len() as u64);
    let href = attr(&c, "#queue tbody tr a.open", "href").await;
    open(&c, &base, &href).await;
    assert!(text(&c, "#held").await.contains("CASE-18D"));
    let rows = count(&c, "section#conversation li.msg").await;
    assert!(rows > 1, "the window has the message's neighbours");
    let marks = texts(&c, "section#conversation li.msg .held").await;
    assert_eq!(marks.len() as u64, rows, "{marks:?}");
    assert!(
        marks.iter().all(|m| m.contains("⚖ Held: case CASE-18D")),
        "{marks:?}"
    );
    open(
        &c,
        &base,
        &format!("/conversation/cn?id={}", CONVERSATION.replace('|', "%7C")),
    )
    .await;
    let marks = texts(&c, "#conversation li.msg .held").await;
    assert_eq!(marks.len() as u64, count(&c, "#conversation li.msg").await);
    assert!(
        marks.iter().all(|m| m.contains("⚖ Held: case CASE-18D")),
        "{marks:?}"
    );

    // D10: the window at the conversation's end says so, with no bare date under it and no
    // "Later messages" link to at=i64::MAX; a window in the middle links both ways at its time.
    assert_eq!(
        text(&c, "#conversation-end").await,
        "End of the conversation: no later messages in the archive."
    );
    assert!(c.find(Locator::Css("a#later")).await.is_err());
    let hints = texts(&c, "p.hint").await;
    assert!(!hints.iter().any(|h| h.ends_with(" …")), "{hints:?}");
    assert!(!c.source().await.unwrap().contains("9223372036854775807"));
    let id = CONVERSATION.replace('|', "%7C");
    open(
        &c,
        &base,
        &format!("/conversation/cn?id={id}&at=1732600300000&before=1&after=1"),
    )
    .await;
    assert_eq!(count(&c, "#conversation li.msg").await, 2);
    let later = attr(&c, "a#later", "href").await;
    assert!(
        later.contains("at=1732600300000&before=1&after=51"),
        "{later}"
    );
    assert!(attr(&c, "a#earlier", "href").await.contains("before=51"));

    // D9: a conversation hold on "All regions" goes only where the conversation is, and says
    // so; a released hold no longer reads as covering its messages.
    open(&c, &base, "/holds").await;
    fill(&c, "#place-hold input[name=case_id]", "CASE-18E").await;
    fill(&c, "#place-hold input[name=conversation]", CONVERSATION).await;
    fill(&c, "#place-hold input[name=reason]", "complaint").await;
    click_nav(&c, "#place-hold button").await;
    let said = text(&c, "#placed").await;
    assert!(
        said.starts_with("Hold placed: cn → ")
            && said
                .ends_with("Not placed in hk: no message of this conversation is archived there."),
        "{said}"
    );
    let rows = texts(&c, "#holds tbody tr").await;
    let case: Vec<&String> = rows.iter().filter(|r| r.contains("CASE-18E")).collect();
    assert_eq!(case.len(), 1, "{rows:?}");
    c.execute(
        "const row = [...document.querySelectorAll('#holds tbody tr')].find(r => r.textContent.includes('CASE-18E'));
         row.querySelector('form.inline input[name=reason]').value = 'case closed';
         row.querySelector('form.inline button').click();",
        vec![],
    )
    .await
    .unwrap();
    tokio::time::sleep(std::time::Duration::from_millis(500)).await;
    open(&c, &base, "/holds").await;
    let rows = texts(&c, "#holds tbody tr").await;
    let row = rows.iter().find(|r| r.contains("CASE-18E")).unwrap();
    assert!(
        row.contains("released: holds nothing now") && !row.contains("→"),
        "{row}"
    );

    // D11: an unknown category is said like a bad severity.
    let (status, _, body) = http_get(&base, "/queue?category=nonsense", &session);
    assert_eq!(status, 400);
    assert!(
        body.contains("Invalid input: category &quot;nonsense&quot;")
            && body.contains("form class=\"filters\""),
        "{body}"
    );
    let (status, _, _) = http_get(&base, "/queue?category=media_missing", &session);
    assert_eq!(status, 200, "capture's categories are categories");

    // D14: in 中文 the queue's category and severity are Chinese (the id on hover), and each
    // row's time stays on one line.
    open(&c, &base, "/lang/zh").await;
    open(&c, &base, "/queue?status=all&category=guarantee_of_returns").await;
    assert!(texts(&c, "#queue tbody tr td:nth-child(4)")
        .await
        .iter()
        .all(|c| c == "承诺收益"));
    let sev = texts(&c, "#queue tbody tr td:nth-child(5)").await;
    assert!(
        !sev.is_empty() && sev.iter().all(|s| ["高", "中", "低"].contains(&s.as_str())),
        "{sev:?}"
    );
    assert_eq!(
        attr(&c, "#queue tbody tr td:nth-child(4)", "title").await,
        "guarantee_of_returns"
    );
    // A narrower window than the test's 1360 px: the columns compete for width.
    c.set_window_size(1000, 1000).await.unwrap();
    let lines = c
        .execute(
            "return Math.max(...[...document.querySelectorAll('#queue td.time a')].map(a => a.getClientRects().length))",
            vec![],
        )
        .await
        .unwrap();
    assert_eq!(lines.as_u64(), Some(1), "a time wraps");
    open(&c, &base, &href).await;
    assert!(text(&c, "h1").await.starts_with("承诺收益 · "));
    c.set_window_size(1360, 1000).await.unwrap();
    open(&c, &base, "/lang/en").await;
}
