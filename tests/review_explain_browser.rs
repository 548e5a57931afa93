//! Alerts that explain themselves, in headless Chromium (trial 18 D4, D5, D6, D10, D11, D19):
//! a staff member's message held back because one participant of the group never agreed says
//! so and what can be done; a consent alert says who refused, when, and what was done with
//! the content; the why of a risk alert is the phrase, not rule ids or model features; the
//! PII mark and a reviewer's mask cover the whole pseudonym of anonymised text; an expired
//! message says when, by whom and who approved, and stays in its conversation and in the
//! conversation's export as a placeholder (trial 18c D5).

mod browser;

use browser::*;

/// zhangwei in a group with the agreed client and a contact with no consent record.
const GROUP: &str = r#"{"msgid": "explain_group_1", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ", "wmNEWxDQAAvQeaTqWwkMTxGMkvI7Onew"], "roomid": "wrEXPLAINROOM", "msgtime": 1732600500000, "msgtype": "text", "text": {"content": "群里说一下：明天一起拉升000001，大家跟上"}}"#;
/// An off-channel request to the agreed client, archived in clear.
const WHATSAPP: &str = r#"{"msgid": "explain_wa_1", "action": "send", "from": "zhangwei", "tolist": ["wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ"], "roomid": "", "msgtime": 1732600510000, "msgtype": "text", "text": {"content": "Let's move this to my personal WhatsApp"}}"#;
/// The refusing contact's message with an e-mail address (archived anonymised).
const EMAIL_MSG: &str = "8891446340739254993_1732601591";

fn wcp_ok(args: &[&str]) -> String {
    let o = wcp().args(args).output().unwrap();
    assert!(
        o.status.success(),
        "wcp {args:?}: {}",
        String::from_utf8_lossy(&o.stderr)
    );
    String::from_utf8(o.stdout).unwrap()
}

/// Every alert page of the console: (path, body).
fn alert_pages(base: &str, session: &str) -> Vec<(String, String)> {
    let mut out = Vec::new();
    for region in ["cn", "hk"] {
        for id in 1..=80 {
            let path = format!("/alerts/{region}/{id}");
            let (status, _, body) = http_get(base, &path, session);
            if status == 200 {
                out.push((path, body));
            }
        }
    }
    out
}

/// The evidence line of an alert about `msgid` (the conversation lists it without `current`).
fn evidence(msgid: &str) -> String {
    format!("class=\"msg current\" id=\"m-{msgid}\"")
}

fn page_with<'a>(pages: &'a [(String, String)], needles: &[&str]) -> &'a str {
    &pages
        .iter()
        .find(|(_, b)| needles.iter().all(|n| b.contains(n)))
        .unwrap_or_else(|| panic!("no alert page with {needles:?}"))
        .0
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn alerts_explain_themselves_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output_with(tmp.path(), &[GROUP, WHATSAPP]);
    let (_console, base, otp) = start_console(&out);
    let ann_otp = add_user(
        &out,
        "ann",
        "reviewer",
        "consent_violation,market_manipulation",
    );
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    let session = sign_in(&c, &base, "investigator", &otp).await;
    let pages = alert_pages(&base, &session);

    // D4: the group message held back for one participant's missing consent says so.
    let quarantined = page_with(
        &pages,
        &[&evidence("explain_group_1"), "market_manipulation"],
    );
    c.goto(&format!("{base}{quarantined}")).await.unwrap();
    let notice = text(&c, "#quarantine-notice").await;
    assert!(
        notice
            .contains("Content quarantined: consent unknown for external participant PARTICIPANT_")
            && notice.contains("The content was not kept")
            && notice.contains("--quarantine-key"),
        "{notice}"
    );
    let why = text(&c, "#why").await;
    assert!(!why.contains("withheld"), "no rule id as the why: {why}");
    screenshot(&c, "alert-quarantined").await;

    // D5: the consent alert on the refusing contact's message says what happened.
    let refused = page_with(&pages, &[&evidence(EMAIL_MSG), "consent.disagreed_contact"]);
    c.goto(&format!("{base}{refused}")).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(
        why.contains("External contact PARTICIPANT_")
            && why.contains("disagreed to archiving on 2024-11-26 13:47:54 +08:00")
            && why.contains("was archived anonymised")
            && why.contains("under policy on_disagreed"),
        "{why}"
    );
    // D6: the PII mark covers the whole pseudonym of the anonymised text.
    let pii = text(&c, "#message span.pii").await;
    assert!(
        pii.starts_with("EMAIL_ADDRESS_") && pii.len() == "EMAIL_ADDRESS_".len() + 16,
        "PII mark: {pii:?}"
    );
    screenshot(&c, "alert-consent").await;

    // The unknown-consent alert of the group message: its why is consent, not the risk rule.
    let unknown = page_with(
        &pages,
        &[&evidence("explain_group_1"), "consent.unknown_contact"],
    );
    c.goto(&format!("{base}{unknown}")).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(
        why.contains("had not agreed to archiving") && !why.contains("manipulation"),
        "{why}"
    );

    // D10/D19: the why of a risk alert is the phrase; rule ids and features are secondary.
    let wa = page_with(&pages, &[&evidence("explain_wa_1"), "off_channel"]);
    c.goto(&format!("{base}{wa}")).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(why.contains("phrase \"WhatsApp\""), "{why}");
    assert!(
        !why.contains("offchannel.") && !why.contains("ctx:"),
        "{why}"
    );
    let detail = c
        .find(fantoccini::Locator::Css("#why-detail"))
        .await
        .unwrap()
        .html(false)
        .await
        .unwrap();
    assert!(
        detail.contains("offchannel."),
        "rule id kept in the detail: {detail}"
    );
    screenshot(&c, "alert-why").await;
    sign_out(&c).await;

    // D6: a reviewer's mask covers the whole pseudonym, no part of it left in clear.
    sign_in(&c, &base, "ann", &ann_otp).await;
    c.goto(&format!("{base}{refused}")).await.unwrap();
    let masked = text(&c, "#message span.text").await;
    assert!(
        masked.contains("[EMAIL_ADDRESS]") && !masked.contains("EMAIL_ADDRESS_"),
        "reviewer sees a whole mask: {masked}"
    );
    sign_out(&c).await;

    // D11: expire the hk archive's due records under the two-person rule, then the alert
    // of an expired message says when, by whom and who approved.
    let db = out.join("archive-hk.db");
    let db = db.to_str().unwrap();
    let bob = tmp.path().join("bob.key");
    wcp_ok(&["archive", "keygen", "--out", bob.to_str().unwrap()]);
    let pubfile = tmp.path().join("bob.pub");
    let add = format!("bob={}", pubfile.display());
    wcp_ok(&[
        "archive",
        "configure",
        "--db",
        db,
        "--actor",
        "officer",
        "--add-approver",
        &add,
    ]);
    let now = wcp_archive::time::rfc3339(
        std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_millis() as i64
            - 60_000,
    );
    let approve = wcp_ok(&[
        "archive",
        "expire-approve",
        "--db",
        db,
        "--actor",
        "bob",
        "--approver-key",
        bob.to_str().unwrap(),
        "--now",
        &now,
    ]);
    let token = approve
        .split_whitespace()
        .rfind(|w| w.len() > 80)
        .unwrap_or_else(|| panic!("no token in {approve}"));
    wcp_ok(&[
        "archive",
        "expire",
        "--db",
        db,
        "--actor",
        "officer",
        "--now",
        &now,
        "--approval",
        token,
    ]);
    // (signed out above: a new session)
    let session = sign_in(&c, &base, "investigator", "investigator-chosen-password-1").await;
    let pages = alert_pages(&base, &session);
    let gone = page_with(&pages, &["id=\"gone\""]);
    c.goto(&format!("{base}{gone}")).await.unwrap();
    let said = text(&c, "#gone").await;
    assert!(
        said.starts_with("The message expired: removed on ")
            && said.contains("by officer, approved by bob"),
        "{said}"
    );
    screenshot(&c, "alert-expired").await;

    // Trial 18c D5: the expired message stays in its conversation as a placeholder (who, when,
    // the rule and the expiry from its tombstone; no content) on the alert page, on the
    // conversation page and in the console's export of the conversation.
    let placeholder = text(&c, "#conversation li.disposed").await;
    assert!(
        placeholder.contains("Disposed of under retention rule")
            && placeholder.contains("by officer")
            && placeholder.contains("its content is no longer in the archive"),
        "{placeholder}"
    );
    let gone_id = attr(&c, "#conversation li.disposed", "id").await;
    let gone_msgid = gone_id.trim_start_matches("m-").to_string();
    assert!(placeholder.contains(&gone_msgid), "{placeholder}");
    let conv = text(&c, "dl.facts dd code").await;
    c.goto(&format!(
        "{base}/conversation/hk?id={}",
        conv.replace('|', "%7C")
    ))
    .await
    .unwrap();
    let on_page = text(&c, &format!("#conversation li.disposed#{gone_id}")).await;
    assert!(
        on_page.contains("Disposed of under retention rule"),
        "{on_page}"
    );
    screenshot(&c, "conversation-disposed").await;
    select(&c, "#export-conversation select[name=format]", "eml").await;
    click_nav(&c, "#export-conversation button").await;
    let said = text(&c, "#exported").await;
    assert!(
        said.contains("1 message disposed of under retention"),
        "{said}"
    );
    let link = attr(&c, "#files a", "href").await;
    let (status, _, resp) = http_get(&base, &link, &session);
    assert_eq!(status, 200, "download {link}");
    // HTTP headers, then the e-mail's headers, then its base64 transcript.
    let b64: String = resp
        .splitn(3, "\r\n\r\n")
        .nth(2)
        .unwrap_or_default()
        .split_whitespace()
        .collect();
    use base64::Engine;
    let transcript = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap();
    assert!(
        transcript.contains(&format!("[disposed of]: message {gone_msgid} from ")),
        "{transcript}"
    );

    // D5 (trial 18b): the consent alert of the expired message keeps its specific reason and
    // the contact's consent, from the consent records that outlive the message.
    let gone_consent = page_with(&pages, &["id=\"gone\"", "consent.disagreed_contact"]);
    c.goto(&format!("{base}{gone_consent}")).await.unwrap();
    let why = text(&c, "#why").await;
    assert!(
        why.contains("External contact PARTICIPANT_")
            && why.contains("disagreed to archiving on 2024-11-26 13:47:54 +08:00")
            && why.contains("fell under policy on_disagreed"),
        "{why}"
    );
    let consent = text(&c, "#context").await;
    assert!(
        consent.contains("PARTICIPANT_") && consent.contains("disagreed"),
        "{consent}"
    );
}
