//! A contact who never agreed to archiving, in headless Chromium (trial 18b D2, D4): wcp names
//! them only by pseudonym, so the alert names the staff member, the one-to-one chat and the
//! time, says why wcp cannot say who it is and where to find out; it is worded for a
//! one-to-one chat and shows the held-back message's row in its conversation; the consent
//! page and search by participant find the pseudonym with its held-back messages.

mod browser;

use browser::*;
use fantoccini::Locator;

/// zhangwei writes to a contact with no agree record, one to one (trial 18b t30).
const NO_CONSENT: &str = r#"{"msgid": "unknown_contact_1", "action": "send", "from": "zhangwei", "tolist": ["wmNOCONSENT0000000000000000002"], "roomid": "", "msgtime": 1732600600000, "msgtype": "text", "text": {"content": "王总您好，我是华泰的小张，想跟您介绍一下我们的新产品"}}"#;

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_contact_is_explained_and_findable_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[NO_CONSENT]);
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    sign_in(&c, &base, "investigator", &otp).await;

    let mut page = None;
    for region in ["cn", "hk"] {
        for id in 1..=40 {
            c.goto(&format!("{base}/alerts/{region}/{id}"))
                .await
                .unwrap();
            let src = c.source().await.unwrap();
            if src.contains("id=\"m-unknown_contact_1\"") && src.contains("consent_violation") {
                page = Some(format!("{base}/alerts/{region}/{id}"));
                break;
            }
        }
        if page.is_some() {
            break;
        }
    }
    let page = page.expect("the consent alert of the message");
    c.goto(&page).await.unwrap();

    // D4: worded for a one-to-one chat.
    let notice = text(&c, "#quarantine-notice").await;
    assert!(
        notice.contains("so this message of the one-to-one chat between zhangwei and PARTICIPANT_")
            && !notice.contains("group"),
        "{notice}"
    );
    // D2: the staff member, the chat, the time; why wcp cannot say who; where to find out.
    let who = text(&c, "#who-contact").await;
    assert!(
        who.contains("Staff member: zhangwei; conversation: the one-to-one chat between zhangwei and PARTICIPANT_")
            && who.contains("time: 2024-11-26 13:56:40 +08:00.")
            && who.contains("is a pseudonym: wcp keeps no clear identity of a contact who has not agreed to archiving (PIPL")
            && who.contains("look up zhangwei's external contacts")
            && who.contains("only WeCom can tell who it is"),
        "{who}"
    );
    // D4: the held-back message's row is in its conversation, and nothing else is.
    let conv = text(&c, "#conversation").await;
    assert!(
        conv.contains("2024-11-26 13:56:40 +08:00 · zhangwei · text"),
        "{conv}"
    );
    assert!(
        c.find(Locator::Css("#conversation #m-unknown_contact_1"))
            .await
            .is_ok(),
        "the row is in the conversation"
    );
    assert!(
        text(&c, "#no-others")
            .await
            .contains("No other messages of this conversation"),
        "a note says there is nothing else"
    );
    screenshot(&c, "alert-unknown-contact").await;

    // D2: the consent page finds the pseudonym: unknown, one message held back, when.
    let pseudonym = who
        .split_whitespace()
        .find(|w| w.starts_with("PARTICIPANT_"))
        .unwrap()
        .trim_end_matches(['.', ';', ','])
        .to_string();
    c.goto(&format!("{base}/consent?contact={pseudonym}"))
        .await
        .unwrap();
    assert!(text(&c, "#consent-state")
        .await
        .starts_with("Consent: unknown"));
    let held = text(&c, "#held-back").await;
    assert!(
        held.contains(": 1 message held back (quarantined: no content shown, content not kept), first seen 2024-11-26 13:56:40 +08:00, last seen 2024-11-26 13:56:40 +08:00"),
        "{held}"
    );
    // ... and so does search by participant.
    c.goto(&format!("{base}/search?participant={pseudonym}"))
        .await
        .unwrap();
    let held = text(&c, "#held-back").await;
    assert!(held.contains(": 1 message held back"), "{held}");
    assert!(!c.source().await.unwrap().contains("Nothing found."));
}
