//! OpenID Connect sign-in in real headless Chromium: the console's "Sign in with Test IdP"
//! button, the test provider's own sign-in page (services/review/tests/support/idp.rs), back
//! to the console and on to the queue with the provisioned account's role; an identity nobody
//! provisioned sees the refusal page naming it.

mod browser;
#[path = "../services/review/tests/support/idp.rs"]
mod idp;

use std::time::{Duration, Instant};

use browser::*;
use fantoccini::{Client, Locator};
use wcp_review::accounts::{self, User};
use wcp_review::Role;
use wcp_review_web::oidc::Oidc;
use wcp_review_web::state::{lock, now_ms};
use wcp_review_web::Settings;

/// Waits until the browser is at `path` (the callback page moves on by itself).
async fn wait_for_path(c: &Client, path: &str) {
    let deadline = Instant::now() + Duration::from_secs(15);
    loop {
        let now = c.current_url().await.unwrap();
        if now.path() == path {
            return;
        }
        assert!(
            Instant::now() < deadline,
            "still at {now}, not {path}: {}",
            c.source().await.unwrap_or_default()
        );
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
}

/// The test provider's sign-in page: "Sign in as …".
async fn approve_at_idp(c: &Client) {
    let button = c.find(Locator::Css("#idp-approve")).await.unwrap();
    button.click().await.unwrap();
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn oidc_sign_in_in_chromium() {
    let tmp = tempfile::tempdir().unwrap();
    let out = pipeline_output(tmp.path());
    let idp = idp::Idp::start().await;
    *idp.login_page.lock().unwrap() = true;
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let cfg = idp.console_config(&base, tmp.path());
    let opened = wcp_review_web::dir::open(
        &out,
        Settings {
            local_signin: false,
            ..Settings::default()
        },
    )
    .unwrap();
    let console = opened.console;
    assert!(console.oidc.set(Oidc::new(cfg).unwrap()).is_ok());
    let ivan = User {
        username: "ivan@example.com".into(),
        role: Role::Investigator,
        queues: vec![],
        must_change: false,
        disabled: false,
        oidc_subject: Some("00u-ivan".into()),
    };
    accounts::put(
        &mut lock(&console.console),
        ivan,
        None,
        "test",
        "add",
        now_ms(),
    )
    .unwrap();
    tokio::spawn(wcp_review_web::serve(
        listener,
        console.clone(),
        std::future::pending(),
    ));
    let (_driver, c) = browser(&tmp.path().join("profile")).await;

    // The provisioned investigator: the button, the provider's page, the queue.
    idp.sign_in_as("00u-ivan", "ivan@example.com");
    c.goto(&format!("{base}/signin")).await.unwrap();
    assert!(
        c.find(Locator::Css("#signin")).await.is_err(),
        "local sign-in is off: no password form"
    );
    assert_eq!(text(&c, "#oidc-signin").await, "Sign in with Test IdP");
    screenshot(&c, "signin-oidc").await;
    click_nav(&c, "#oidc-signin").await;
    assert!(c
        .current_url()
        .await
        .unwrap()
        .as_str()
        .starts_with(&idp.issuer));
    approve_at_idp(&c).await;
    wait_for_path(&c, "/queue").await;
    let queue = c.source().await.unwrap();
    assert!(
        queue.contains("ivan@example.com") && queue.contains("guarantee_of_returns"),
        "an investigator's queue"
    );
    sign_out(&c).await;
    wait_for_path(&c, "/signin").await;

    // Someone the provider knows but nobody provisioned.
    idp.sign_in_as("00u-mallory", "mallory@example.com");
    click_nav(&c, "#oidc-signin").await;
    approve_at_idp(&c).await;
    let deadline = Instant::now() + Duration::from_secs(15);
    while c.find(Locator::Css("#oidc-refused")).await.is_err() {
        assert!(Instant::now() < deadline, "no refusal page");
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    assert!(text(&c, "#oidc-refused").await.contains("00u-mallory"));
    c.goto(&format!("{base}/queue")).await.unwrap();
    assert_eq!(c.current_url().await.unwrap().path(), "/signin");
}
