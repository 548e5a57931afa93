//! OpenID Connect sign-in against a test provider (tests/support/idp.rs) over real HTTP: a
//! provisioned identity gets a session with its account's role; an unknown one is refused
//! and audited; ID tokens with a wrong nonce, audience, expiry or signature are refused; a
//! state that is not the browser's own is refused before the code is used; local sign-in
//! can be turned off.

#[path = "support/idp.rs"]
mod idp;

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use ed25519_dalek::SigningKey;
use idp::{Idp, Mode};
use reqwest::StatusCode;
use wcp_review::access::{self, LogFilter};
use wcp_review::accounts::{self, User};
use wcp_review::{ConsoleStore, RegionStore, Role};
use wcp_review_web::oidc::Oidc;
use wcp_review_web::state::{lock, now_ms};
use wcp_review_web::{Console, Region, Settings, Shared};

/// A browser without JavaScript: keeps cookies, follows nothing by itself.
struct Browser {
    http: reqwest::Client,
    cookies: Mutex<HashMap<String, String>>,
}

struct Page {
    status: StatusCode,
    location: String,
    body: String,
    set: Vec<String>,
}

impl Browser {
    fn new() -> Browser {
        Browser {
            http: reqwest::Client::builder()
                .redirect(reqwest::redirect::Policy::none())
                .build()
                .unwrap(),
            cookies: Mutex::new(HashMap::new()),
        }
    }

    fn cookie_header(&self) -> String {
        let c = self.cookies.lock().unwrap();
        c.iter()
            .map(|(k, v)| format!("{k}={v}"))
            .collect::<Vec<_>>()
            .join("; ")
    }

    fn keep(&self, res: &reqwest::Response) -> Vec<String> {
        let mut set = Vec::new();
        for v in res.headers().get_all(reqwest::header::SET_COOKIE) {
            let v = v.to_str().unwrap().to_string();
            let (kv, _) = v.split_once(';').unwrap_or((&v, ""));
            let (k, val) = kv.split_once('=').unwrap();
            let mut c = self.cookies.lock().unwrap();
            if v.contains("Max-Age=0") {
                c.remove(k);
            } else {
                c.insert(k.to_string(), val.to_string());
            }
            set.push(v);
        }
        set
    }

    async fn send(&self, req: reqwest::RequestBuilder) -> Page {
        let res = req
            .header(reqwest::header::COOKIE, self.cookie_header())
            .send()
            .await
            .unwrap();
        let set = self.keep(&res);
        let status = res.status();
        let location = res
            .headers()
            .get(reqwest::header::LOCATION)
            .map(|v| v.to_str().unwrap().to_string())
            .unwrap_or_default();
        let body = res.text().await.unwrap();
        Page {
            status,
            location,
            body,
            set,
        }
    }

    async fn get(&self, url: &str) -> Page {
        self.send(self.http.get(url)).await
    }

    async fn post(&self, url: &str, form: &[(&str, &str)]) -> Page {
        let body = serde_urlencoded::to_string(form).unwrap();
        let req = self.http.post(url);
        self.send(
            req.header("content-type", "application/x-www-form-urlencoded")
                .body(body),
        )
        .await
    }

    fn has(&self, cookie: &str) -> bool {
        self.cookies.lock().unwrap().contains_key(cookie)
    }
}

struct Setup {
    idp: Arc<Idp>,
    console: Shared,
    base: String,
    _dir: tempfile::TempDir,
}

async fn setup(local_signin: bool) -> Setup {
    let idp = Idp::start().await;
    let dir = tempfile::tempdir().unwrap();
    let key = SigningKey::from_bytes(&[5; 32]);
    let store = ConsoleStore::open(&dir.path().join("review-console.db"), key.clone()).unwrap();
    let region_store = RegionStore::open(&dir.path().join("review-cn.db"), "cn", key).unwrap();
    let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
    let base = format!("http://{}", listener.local_addr().unwrap());
    let cfg = idp.console_config(&base, dir.path());
    let settings = Settings {
        local_signin,
        export_dir: dir.path().join("exports"),
        ..Settings::default()
    };
    let console = Console::new(
        store,
        vec![Region::new("cn".into(), region_store, None, None)],
        settings,
    );
    assert!(console.oidc.set(Oidc::new(cfg).unwrap()).is_ok());
    for (name, role, sub) in [
        ("ann", Role::Reviewer, "00u-ann"),
        ("ivan", Role::Investigator, "00u-ivan"),
        ("olga", Role::Admin, "00u-olga"),
    ] {
        let u = User {
            username: name.into(),
            role,
            queues: vec!["sample".into()],
            must_change: false,
            disabled: false,
            oidc_subject: Some(sub.into()),
        };
        accounts::put(
            &mut lock(&console.console),
            u,
            None,
            "test",
            "add",
            now_ms(),
        )
        .unwrap();
    }
    let web = console.clone();
    tokio::spawn(async move {
        wcp_review_web::serve(listener, web, std::future::pending())
            .await
            .unwrap()
    });
    Setup {
        idp,
        console,
        base,
        _dir: dir,
    }
}

/// `/oidc/login` → the provider's authorize URL → the callback URL the provider sends back.
async fn to_provider_and_back(b: &Browser, base: &str) -> String {
    let login = b.get(&format!("{base}/oidc/login")).await;
    assert_eq!(login.status, StatusCode::SEE_OTHER, "{}", login.body);
    assert!(b.has("wcp_oidc"), "the sign-in's cookie is set");
    let set = login.set.join(" | ");
    assert!(
        set.contains("SameSite=Lax") && set.contains("HttpOnly"),
        "{set}"
    );
    let at_idp = b.get(&login.location).await;
    assert_eq!(at_idp.status, StatusCode::SEE_OTHER, "{}", at_idp.body);
    assert!(at_idp
        .location
        .starts_with(&format!("{base}/oidc/callback?code=")));
    at_idp.location
}

fn last(console: &Shared, action: &str) -> access::AccessRecord {
    let f = LogFilter {
        action: Some(action.into()),
        ..LogFilter::default()
    };
    let recs = access::list(&lock(&console.console), &f, 1).unwrap();
    recs.into_iter().next().map(|(_, r)| r).expect(action)
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_provisioned_identity_signs_in_with_its_accounts_role() {
    let s = setup(true).await;
    let b = Browser::new();
    let page = b.get(&format!("{}/signin", s.base)).await;
    assert!(page.body.contains("Sign in with Test IdP"), "{}", page.body);
    assert!(page.body.contains("id=\"signin\""), "local form kept");

    let back = to_provider_and_back(&b, &s.base).await;
    let done = b.get(&back).await;
    assert_eq!(done.status, StatusCode::OK, "{}", done.body);
    assert!(b.has("wcp_session") && !b.has("wcp_oidc"));
    assert!(
        done.set.iter().any(|c| c.starts_with("wcp_session=")
            && c.contains("SameSite=Strict")
            && c.contains("HttpOnly")),
        "{:?}",
        done.set
    );
    assert!(done.body.contains("url=/queue"), "{}", done.body);
    let queue = b.get(&format!("{}/queue", s.base)).await;
    assert_eq!(queue.status, StatusCode::OK, "{}", queue.location);
    assert!(queue.body.contains("ann"), "signed in as ann");
    // No password can be set beside the provider: it would be a way in past it.
    let csrf = queue
        .body
        .split("name=\"csrf\" value=\"")
        .nth(1)
        .and_then(|r| r.split('"').next())
        .unwrap()
        .to_string();
    let form = [
        ("csrf", csrf.as_str()),
        ("password", "a local password at last"),
    ];
    let pw = b.post(&format!("{}/password", s.base), &form).await;
    assert_eq!(pw.status, StatusCode::BAD_REQUEST, "{}", pw.body);
    assert!(pw.body.contains("signs in through OpenID Connect"));
    // The account's role, not anything in the token: a reviewer has no Users page.
    let users = b.get(&format!("{}/admin/users", s.base)).await;
    assert_eq!(users.status, StatusCode::FORBIDDEN);
    let rec = last(&s.console, "sign_in");
    assert_eq!((rec.actor.as_str(), rec.role.as_str()), ("ann", "reviewer"));
    assert_eq!(rec.target, serde_json::json!({ "via": "oidc" }));
    assert_eq!(rec.from, "127.0.0.1");
    // The callback is single use: the same code and state again start nothing.
    let again = b.get(&back).await;
    assert_eq!(again.status, StatusCode::UNAUTHORIZED);

    // An admin lands on the Users page.
    let b = Browser::new();
    s.idp.sign_in_as("00u-olga", "olga@example.com");
    let done = b.get(&to_provider_and_back(&b, &s.base).await).await;
    assert!(done.body.contains("url=/admin/users"), "{}", done.body);
    let users = b.get(&format!("{}/admin/users", s.base)).await;
    assert_eq!(users.status, StatusCode::OK);
    assert!(users.body.contains("OIDC"));
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn an_unknown_identity_is_refused_and_audited() {
    let s = setup(true).await;
    s.idp.sign_in_as("00u-mallory", "mallory@example.com");
    let b = Browser::new();
    let back = to_provider_and_back(&b, &s.base).await;
    let page = b.get(&back).await;
    assert_eq!(page.status, StatusCode::FORBIDDEN);
    assert!(
        page.body.contains("00u-mallory") && page.body.contains("--oidc-subject"),
        "says who and how to provision: {}",
        page.body
    );
    assert!(!b.has("wcp_session"));
    let rec = last(&s.console, "sign_in_failed");
    assert_eq!(rec.actor, "00u-mallory");
    assert_eq!(rec.why, "unknown_identity: 00u-mallory");
    assert_eq!(rec.target, serde_json::json!({ "via": "oidc" }));
    let queue = b.get(&format!("{}/queue", s.base)).await;
    assert_eq!(queue.location, "/signin");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn id_tokens_wrong_in_any_way_are_refused() {
    let s = setup(true).await;
    for (mode, reason) in [
        (Mode::WrongNonce, "id_token_nonce"),
        (Mode::WrongAudience, "id_token_audience"),
        (Mode::Expired, "id_token_expired"),
        (Mode::BadSignature, "id_token_signature"),
    ] {
        s.idp.set(mode);
        let b = Browser::new();
        let back = to_provider_and_back(&b, &s.base).await;
        let page = b.get(&back).await;
        assert_eq!(
            page.status,
            StatusCode::UNAUTHORIZED,
            "{mode:?}: {}",
            page.body
        );
        assert!(!b.has("wcp_session"), "{mode:?}: no session");
        let rec = last(&s.console, "sign_in_failed");
        assert!(rec.why.starts_with(reason), "{mode:?}: {}", rec.why);
        assert_eq!(rec.actor, "", "{mode:?}: an unverified token names nobody");
    }
    // The same provider and account with a good token: the refusals were the token's.
    s.idp.set(Mode::Good);
    let b = Browser::new();
    let page = b.get(&to_provider_and_back(&b, &s.base).await).await;
    assert_eq!(page.status, StatusCode::OK, "{}", page.body);
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn a_state_not_the_browsers_own_is_refused_before_the_code_is_used() {
    let s = setup(true).await;
    let b = Browser::new();
    let back = to_provider_and_back(&b, &s.base).await;
    let (url, state) = back.split_once("&state=").unwrap();
    let forged = format!("{url}&state=x{state}");
    let page = b.get(&forged).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(!b.has("wcp_session"));
    assert_eq!(*s.idp.token_requests.lock().unwrap(), 0, "code never sent");
    assert_eq!(last(&s.console, "sign_in_failed").why, "state_mismatch");

    // A callback in a browser that started no sign-in (login CSRF) is refused too.
    let other = Browser::new();
    let back = to_provider_and_back(&b, &s.base).await;
    let page = other.get(&back).await;
    assert_eq!(page.status, StatusCode::UNAUTHORIZED);
    assert!(!other.has("wcp_session"));
    assert_eq!(last(&s.console, "sign_in_failed").why, "no_pending_sign_in");
}

#[tokio::test(flavor = "multi_thread", worker_threads = 2)]
async fn local_sign_in_can_be_turned_off() {
    let s = setup(false).await;
    let b = Browser::new();
    let page = b.get(&format!("{}/signin", s.base)).await;
    assert!(page.body.contains("Sign in with Test IdP"));
    assert!(!page.body.contains("id=\"signin\""), "no password form");
    let pre = b.cookies.lock().unwrap().get("wcp_pre").cloned().unwrap();
    let form = [
        ("csrf", pre.as_str()),
        ("username", "ann"),
        ("password", "whatever-long-enough"),
    ];
    let post = b.post(&format!("{}/signin", s.base), &form).await;
    assert_eq!(post.status, StatusCode::FORBIDDEN, "{}", post.body);
    assert!(post.body.contains("Local sign-in is turned off"));
    // The provider still signs people in.
    let page = b.get(&to_provider_and_back(&b, &s.base).await).await;
    assert_eq!(page.status, StatusCode::OK);
}
