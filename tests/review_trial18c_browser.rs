//! The compliance officer's defects (trial 18c) in real headless Chromium: the one-time
//! password is refused as the new password, in English and Chinese (D7); the queue answers
//! a display name as Participant with the WeCom id hint, and a date that does not read with
//! the queue page, its form and what is wrong (D8); a contact without consent is found by
//! their WeCom id under its pseudonym with the folder's tenant key, and an id found nowhere is
//! answered with where such contacts are shown (D2); the banner after a bulk close says what
//! was done to how many alerts (D9).

mod browser;

use browser::*;
use fantoccini::Locator;

/// A contact with no consent record writes to staff: quarantined, a consent_violation alert,
/// the contact archived only under a pseudonym.
const NO_CONSENT: &str = r#"{"msgid": "t18c_no_consent", "action": "send", "from": "wmTRIALCLIENTB00000000000000000002", "tolist": ["wangfang"], "roomid": "", "msgtime": 1732600600000, "msgtype": "text", "text": {"content": "请问开户需要什么材料？"}}"#;
const CONTACT: &str = "wmTRIALCLIENTB00000000000000000002";

/// Signs in with the one-time password and stays on "Choose your password".
async fn to_choose_password(c: &fantoccini::Client, base: &str, user: &str, otp: &str) {
    c.goto(&format!("{base}/signin")).await.unwrap();
    fill(c, "input[name=username]", user).await;
    fill(c, "input[name=password]", otp).await;
    click_nav(c, "#signin button").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/password");
}

/// Types `password` as the new password and sends it.
async fn choose(c: &fantoccini::Client, password: &str) {
    fill(c, "#password input[name=password]", password).await;
    click_nav(c, "#password button").await;
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn trial_18c_defects_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[CRAFTED, NO_CONSENT]);
    assert!(out.join("tenant.key").exists());
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;

    // D7: the one-time password cannot be kept as the password, in either language.
    to_choose_password(&c, &base, "investigator", &otp).await;
    choose(&c, &otp).await;
    assert_eq!(c.current_url().await.unwrap().path(), "/password");
    let said = text(&c, "p.problem").await;
    assert!(said.contains("other than your current one"), "{said}");
    c.goto(&format!("{base}/lang/zh")).await.unwrap();
    c.goto(&format!("{base}/password")).await.unwrap();
    choose(&c, &otp).await;
    let said = text(&c, "p.problem").await;
    assert!(said.contains("与当前密码不同"), "{said}");
    c.goto(&format!("{base}/lang/en")).await.unwrap();
    c.goto(&format!("{base}/password")).await.unwrap();
    choose(&c, "investigator-chosen-password-1").await;
    assert_ne!(c.current_url().await.unwrap().path(), "/password");
    let session = c
        .get_named_cookie("wcp_session")
        .await
        .unwrap()
        .value()
        .to_string();

    // D8: a display name in the queue's Participant gets the WeCom id hint.
    c.goto(&format!("{base}/queue?status=all&participant=王芳"))
        .await
        .unwrap();
    assert!(text(&c, "#participant-hint").await.contains("zhangwei"));
    let said = text(&c, "#participant-name").await;
    assert!(
        said.contains("王芳") && said.contains("not a WeCom id") && said.contains("zhangwei"),
        "{said}"
    );
    c.goto(&format!("{base}/queue?status=all&participant=zhangwei"))
        .await
        .unwrap();
    assert!(count(&c, "#queue tbody tr").await > 0);
    assert!(c.find(Locator::Css("#participant-name")).await.is_err());
    // A date that does not read: the queue page with its form (as filled) and the problem.
    c.goto(&format!(
        "{base}/queue?status=all&from=2026-13-45&participant=zhangwei"
    ))
    .await
    .unwrap();
    let said = text(&c, "p.problem").await;
    assert!(
        said.contains("from") && said.contains("2026-13-45"),
        "{said}"
    );
    let field = c
        .find(Locator::Css("form.filters input[name=participant]"))
        .await
        .unwrap();
    assert_eq!(field.prop("value").await.unwrap().unwrap(), "zhangwei");
    assert_eq!(count(&c, "#queue tbody tr").await, 0);
    let (status, _, body) = http_get(&base, "/queue?from=2026-13-45", &session);
    assert_eq!(status, 400);
    assert!(body.contains("form class=\"filters\""), "{body}");
    let (status, _, body) = http_get(&base, "/queue?from=2024-11-28&to=2024-11-26", &session);
    assert_eq!(status, 400);
    assert!(
        body.contains("From is after To") && body.contains("form class=\"filters\""),
        "{body}"
    );

    // D9: the banner says what was done to how many alerts.
    c.goto(&format!("{base}/queue?status=all")).await.unwrap();
    c.execute(
        "document.querySelectorAll('#queue tbody input[name=sel]').forEach((b, i) => { if (i < 2) b.click(); })",
        vec![],
    )
    .await
    .unwrap();
    select(&c, "fieldset.bulk select[name=action]", "close").await;
    select(&c, "fieldset.bulk select[name=outcome]", "breach").await;
    fill(&c, "fieldset.bulk input[name=note]", "trial 18c").await;
    click_nav(&c, "fieldset.bulk button").await;
    assert_eq!(text(&c, "p.flash").await, "2 alerts closed as breach.");

    // D2: the contact's WeCom id finds the held-back message under its pseudonym.
    c.goto(&format!("{base}/search?participant={CONTACT}"))
        .await
        .unwrap();
    let said = text(&c, "#pseudonym-lookup").await;
    assert!(
        said.contains(CONTACT) && said.contains("shown under its pseudonym PARTICIPANT_"),
        "{said}"
    );
    let pseudonym = said
        .rsplit(' ')
        .next()
        .unwrap()
        .trim_end_matches('.')
        .to_string();
    assert!(!pseudonym.contains(CONTACT));
    let held = text(&c, "#held-back").await;
    assert!(held.contains("1 message held back"), "{held}");
    let link = attr(&c, "#held-back a", "href").await;
    assert_eq!(link, format!("/consent?contact={pseudonym}"));
    c.goto(&format!("{base}/consent?contact={CONTACT}"))
        .await
        .unwrap();
    assert!(text(&c, "#pseudonym-lookup").await.contains(&pseudonym));
    assert!(text(&c, "#held-back").await.contains("1 message held back"));
    // An external id found nowhere: where such contacts are shown, and the alerts to look at.
    for path in [
        "/search?participant=wmNOBODY0000000000000000000000001",
        "/consent?contact=wmNOBODY0000000000000000000000001",
    ] {
        c.goto(&format!("{base}{path}")).await.unwrap();
        let said = text(&c, "#pseudonym-lookup").await;
        assert!(
            said.contains("kept only under a pseudonym")
                && said.contains("Nothing under its pseudonym either: PARTICIPANT_"),
            "{path}: {said}"
        );
        let href = attr(&c, "#pseudonym-lookup a", "href").await;
        assert_eq!(href, "/queue?status=all&category=consent_violation");
    }
    // A staff id found nowhere says nothing about pseudonyms.
    c.goto(&format!("{base}/search?participant=nobody"))
        .await
        .unwrap();
    assert!(c.find(Locator::Css("#pseudonym-lookup")).await.is_err());

    // The lookup is audited like any search: the query under the pseudonym is on record.
    let aud_otp = add_user(&out, "audrey", "auditor", "");
    sign_out(&c).await;
    sign_in(&c, &base, "audrey", &aud_otp).await;
    c.goto(&format!("{base}/audit?action=search"))
        .await
        .unwrap();
    let log = text(&c, "main").await;
    assert!(log.contains(&pseudonym), "{log}");
}
