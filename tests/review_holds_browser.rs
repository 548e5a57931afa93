//! Legal holds and exports in real headless Chromium: an investigator places a hold by text
//! search, sees what it covers, exports the case as RSMF and downloads the file; a hold
//! without a reason is refused with the reason shown; a reviewer is refused the holds page;
//! releasing the hold needs a reason and shows it released; the archive still verifies.

mod browser;

use browser::*;
use fantoccini::{Client, Locator};

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
    let file = link.rsplit('/').next().unwrap();
    assert!(
        body.contains(&format!(
            "content-disposition: attachment; filename=\"{file}\""
        )),
        "saved under its own name ({file})"
    );
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

/// What `wcp archive expire --actor officer EXTRA --db DB` prints on stdout.
fn expire_said(db: &std::path::Path, extra: &[&str]) -> String {
    let o = wcp()
        .args(["archive", "expire", "--actor", "officer"])
        .args(extra)
        .arg("--db")
        .arg(db)
        .output()
        .unwrap();
    String::from_utf8_lossy(&o.stdout).into_owned()
}

/// The `kept by holds` figure of `wcp archive expire --dry-run` on one region's archive.
fn kept_by_holds(db: &std::path::Path) -> u32 {
    let out = expire_said(db, &["--dry-run"]);
    out.split("; ")
        .find_map(|p| p.strip_suffix(" kept by holds"))
        .and_then(|n| n.trim().parse().ok())
        .unwrap_or_else(|| panic!("no 'kept by holds' in {out}"))
}

/// Places a hold on `custodian` with region cn picked in the form.
async fn place_custodian_hold(c: &Client, base: &str, case: &str, custodian: &str) {
    c.goto(&format!("{base}/holds")).await.unwrap();
    let cn = "#place-hold select[name=region] option[value=cn]";
    c.find(Locator::Css(cn))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
    fill(c, "#place-hold input[name=case_id]", case).await;
    fill(c, "#place-hold input[name=custodian]", custodian).await;
    fill(c, "#place-hold input[name=reason]", "preservation notice").await;
    click_nav(c, "#place-hold button").await;
}

/// A custodian hold placed with region cn picked protects the custodian's messages in hk
/// too (trial 18 D7: it covered cn only, so lina's hk chat could expire); what a hold covers
/// reads in words and a misspelt custodian (0 messages) asks for confirmation (D13); one
/// conversation exports from its page as RSMF 2.0 and EML, audited (D20).
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn custodian_holds_every_region_and_conversation_export() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let (_console, base, otp) = start_console(&out);
    let aud_otp = add_user(&out, "aud", "auditor", "");
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    let inv = sign_in(&c, &base, "investigator", &otp).await;
    let hk = out.join("archive-hk.db");
    assert_eq!(
        kept_by_holds(&hk),
        0,
        "lina's personal hk message would expire"
    );

    // A misspelt custodian: warned with 0 messages, nothing placed until confirmed.
    place_custodian_hold(&c, &base, "CASE-TYPO", "linna").await;
    let warning = text(&c, "#confirm-empty").await;
    assert!(warning.contains("0 messages"), "{warning}");
    assert!(
        !text(&c, "#holds").await.contains("CASE-TYPO"),
        "not placed before confirming"
    );
    screenshot(&c, "hold-confirm-empty").await;
    click_nav(&c, "#place-anyway").await;
    assert!(
        text(&c, "#holds").await.contains("CASE-TYPO"),
        "placed once confirmed"
    );

    // The custodian spelt right, region cn picked: a hold in every region, in words.
    place_custodian_hold(&c, &base, "CASE-LINA", "lina").await;
    assert!(text(&c, "p.flash").await.contains("Hold placed"));
    let rows = c.find_all(Locator::Css("#holds tbody tr")).await.unwrap();
    let mut regions = Vec::new();
    for r in &rows {
        let t = r.text().await.unwrap();
        if !t.contains("CASE-LINA") {
            continue;
        }
        assert!(t.contains("every message of custodian lina →"), "{t}");
        assert!(!t.contains('{'), "no JSON under Covers: {t}");
        regions.push(t.split_whitespace().next().unwrap().to_string());
    }
    regions.sort();
    assert_eq!(regions, ["cn", "hk"], "one hold per region");
    let head = text(&c, "#holds thead").await;
    assert!(
        head.contains("Reason") && !head.contains("required"),
        "{head}"
    );
    assert_eq!(kept_by_holds(&hk), 1, "the hk hold keeps lina's message");
    // Which record and which hold: said with --list-kept, and the plain run names the flag
    // (trial 18b D6).
    let expire = |extra: &[&str]| {
        let o = wcp()
            .args(["archive", "expire", "--actor", "officer", "--dry-run"])
            .args(extra)
            .arg("--db")
            .arg(&hk)
            .output()
            .unwrap();
        String::from_utf8(o.stdout).unwrap()
    };
    assert!(expire(&[]).contains("--list-kept lists each"));
    let listed = expire(&["--list-kept"]);
    let kept: Vec<&str> = listed
        .lines()
        .filter(|l| l.starts_with("kept record"))
        .collect();
    assert_eq!(kept.len(), 1, "{listed}");
    assert!(kept[0].contains("(case CASE-LINA)"), "{listed}");

    // One conversation exported from its page, as RSMF 2.0 then EML, each audited.
    c.goto(&format!("{base}/search?participant=lina&region=hk"))
        .await
        .unwrap();
    click_nav(&c, "#results a.open").await;
    assert_eq!(c.current_url().await.unwrap().path(), "/conversation/hk");
    let shown = c
        .find_all(Locator::Css("#conversation > li"))
        .await
        .unwrap()
        .len() as u32;
    let conv = text(&c, "main p code").await;
    let mut downloads = Vec::new();
    for (format, marker) in [
        ("rsmf", "X-RSMF-Version: 2.0.0".to_string()),
        ("eml", format!("X-WCP-Conversation: {conv}")),
    ] {
        let back = c.current_url().await.unwrap();
        c.find(Locator::Css(&format!(
            "#export-conversation option[value={format}]"
        )))
        .await
        .unwrap()
        .click()
        .await
        .unwrap();
        click_nav(&c, "#export-conversation button").await;
        let exported: u32 = text(&c, "#exported")
            .await
            .split_whitespace()
            .next()
            .and_then(|n| n.parse().ok())
            .expect("exported count");
        assert_eq!(exported, shown, "{format}: the whole conversation");
        if format == "rsmf" {
            screenshot(&c, "export-conversation").await;
        }
        let link = c
            .find(Locator::Css("#files a"))
            .await
            .unwrap()
            .attr("href")
            .await
            .unwrap()
            .unwrap();
        let (status, _, body) = http_get(&base, &link, &inv);
        assert_eq!(status, 200, "download {link}");
        assert!(body.contains(&marker), "{format} file: {body}");
        downloads.push(link);
        c.goto(back.as_str()).await.unwrap();
    }
    sign_out(&c).await;

    let aud = sign_in(&c, &base, "aud", &aud_otp).await;
    let (status, _, log) = http_get(&base, "/audit.jsonl", &aud);
    assert_eq!(status, 200);
    let exports: Vec<&str> = log
        .lines()
        .filter(|l| l.contains("\"action\":\"export\"") && l.contains(&conv))
        .collect();
    assert_eq!(exports.len(), 2, "both exports audited: {log}");
    for d in &downloads {
        let file = d.rsplit('/').next().unwrap();
        assert!(
            log.lines()
                .any(|l| l.contains("export_download") && l.contains(file)),
            "download of {file} audited"
        );
    }
}

/// Closing an alert as breach keeps its evidence (trial 18c D3): the hk consent_violation
/// alert's message (personal, 30 days, long past) would expire; closed as breach, its region's
/// archive holds it under case `alert hk/N breach` placed by the disposer, `wcp archive
/// expire` keeps it and names the case, the history shows the hold, and a reopen says it
/// leaves the hold in place.
#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn closing_as_breach_holds_the_evidence() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let (_console, base, otp) = start_console(&out);
    let (_driver, c) = browser(&tmp.path().join("profile")).await;
    sign_in(&c, &base, "investigator", &otp).await;
    let hk = out.join("archive-hk.db");
    assert_eq!(kept_by_holds(&hk), 0, "the hk message would expire");

    // The oldest consent_violation alert: the one on the message past its keep-until date.
    let url = alert_url(&c, &base, "consent_violation&sort=oldest").await;
    let id = url.rsplit('/').next().unwrap().to_string();
    assert!(url.contains("/alerts/hk/"), "{url}");
    c.goto(&url).await.unwrap();
    assert!(text(&c, "#breach-hint").await.contains("legal hold"));
    c.find(Locator::Css("#close-form select[name=outcome]"))
        .await
        .unwrap()
        .select_by_value("breach")
        .await
        .unwrap();
    fill(
        &c,
        "#close-note",
        "Contact had disagreed; staff kept writing",
    )
    .await;
    click_nav(&c, "#close").await;
    assert_eq!(text(&c, "#outcome").await, "breach");
    let case = format!("alert hk/{id} breach");
    let history = text(&c, "#history").await;
    assert!(
        history.contains("hold") && history.contains(&case),
        "{history}"
    );
    assert!(text(&c, "#reopen-hold").await.contains("does not release"));
    // Shown as held where the message is shown: the alert page and its conversation (D4).
    let held = text(&c, "#held").await;
    assert!(held.contains(&format!("Held: case {case}")), "{held}");
    screenshot(&c, "breach-hold").await;
    let conv = text(&c, "dl.facts code").await;
    let q = format!("id={}", conv.replace('|', "%7C"));
    c.goto(&format!("{base}/conversation/hk?{q}"))
        .await
        .unwrap();
    let marks = texts(&c, "#conversation li.msg .held").await;
    assert_eq!(
        marks.len(),
        1,
        "only the alert's message is held: {marks:?}"
    );
    assert!(marks[0].contains(&case), "{marks:?}");
    c.goto(&url).await.unwrap();

    // The CLI's expiry (a real run) keeps the record and names the case.
    let said = expire_said(&hk, &["--list-kept"]);
    assert!(said.contains("expired 0"), "{said}");
    let kept: Vec<&str> = said
        .lines()
        .filter(|l| l.starts_with("kept record"))
        .collect();
    assert_eq!(kept.len(), 1, "{said}");
    assert!(kept[0].contains(&format!("(case {case})")), "{said}");
    let o = wcp()
        .args(["archive", "hold", "list", "--db"])
        .arg(&hk)
        .output()
        .unwrap();
    let list = String::from_utf8_lossy(&o.stdout);
    assert!(
        list.contains("investigator") && list.contains("alert hk/"),
        "{list}"
    );

    // Reopened: still held (only releasing the hold ends it), and the archive verifies.
    c.goto(&url).await.unwrap();
    fill(&c, "#reopen-note", "Second look").await;
    click_nav(&c, "#reopen").await;
    assert_eq!(text(&c, "#status").await, "pending");
    assert_eq!(kept_by_holds(&hk), 1, "a reopen does not release the hold");
    let v = wcp()
        .args(["archive", "verify", "--db"])
        .arg(&hk)
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}
