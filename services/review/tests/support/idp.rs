//! A small OpenID Connect provider for tests, written here rather than taken from the crate
//! under test: discovery, a JWKS with an RSA key made at start, an authorize endpoint that
//! sends the browser back with a code (at once, or after a "Sign in" page), and a token
//! endpoint that checks the client secret, redirect URI and PKCE verifier and returns an
//! RS256-signed ID token — correct, or wrong in the one way a test asks for.
// Shared by test binaries; each uses a part of it.
#![allow(dead_code)]

use std::collections::HashMap;
use std::sync::{Arc, Mutex};

use axum::extract::{Form, Query, State};
use axum::http::{header, HeaderMap, StatusCode};
use axum::response::{IntoResponse, Redirect, Response};
use axum::routing::{get, post};
use axum::Router;
use base64::engine::general_purpose::{STANDARD, URL_SAFE_NO_PAD};
use base64::Engine;
use rsa::traits::PublicKeyParts;
use sha2::{Digest, Sha256};
use wcp_review_web::oidc::OidcConfig;

pub const CLIENT_ID: &str = "wcp-review";
pub const CLIENT_SECRET: &str = "test-client-secret-7f3a";
const KID: &str = "test-key-1";

/// How the next ID token is made.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Mode {
    Good,
    WrongNonce,
    WrongAudience,
    Expired,
    /// Signed by a key that is not in the JWKS (same `kid`).
    BadSignature,
}

struct Grant {
    nonce: String,
    challenge: String,
    redirect_uri: String,
}

pub struct Idp {
    pub issuer: String,
    key: rsa::PrivateKey,
    other_key: rsa::PrivateKey,
    pub mode: Mutex<Mode>,
    /// The identity the next sign-in is: (sub, email).
    pub user: Mutex<(String, String)>,
    /// Show a "Sign in" page at /authorize (the browser test) instead of redirecting at once.
    pub login_page: Mutex<bool>,
    codes: Mutex<HashMap<String, Grant>>,
    /// Token requests answered, to tell a refused callback from an unreached token endpoint.
    pub token_requests: Mutex<u32>,
}

fn b64(bytes: &[u8]) -> String {
    URL_SAFE_NO_PAD.encode(bytes)
}

fn json(v: serde_json::Value) -> Response {
    ([(header::CONTENT_TYPE, "application/json")], v.to_string()).into_response()
}

fn new_key() -> rsa::PrivateKey {
    rsa::PrivateKey::new(&mut getrandom::SysRng, 2048).expect("RSA key")
}

fn random() -> String {
    let mut b = [0u8; 16];
    getrandom::fill(&mut b).unwrap();
    b64(&b)
}

impl Idp {
    /// Starts the provider on a free port of 127.0.0.1.
    pub async fn start() -> Arc<Idp> {
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let issuer = format!("http://{}", listener.local_addr().unwrap());
        let (key, other_key) = tokio::task::spawn_blocking(|| (new_key(), new_key()))
            .await
            .unwrap();
        let idp = Arc::new(Idp {
            issuer,
            key,
            other_key,
            mode: Mutex::new(Mode::Good),
            user: Mutex::new(("00u-ann".into(), "ann@example.com".into())),
            login_page: Mutex::new(false),
            codes: Mutex::new(HashMap::new()),
            token_requests: Mutex::new(0),
        });
        let app = Router::new()
            .route("/.well-known/openid-configuration", get(discovery))
            .route("/jwks", get(jwks))
            .route("/authorize", get(authorize))
            .route("/approve", get(approve))
            .route("/token", post(token))
            .with_state(idp.clone());
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        idp
    }

    /// The console's configuration for this provider, its client secret written in `dir`;
    /// `base` is the console's own URL.
    pub fn console_config(&self, base: &str, dir: &std::path::Path) -> OidcConfig {
        let secret = dir.join("client-secret");
        std::fs::write(&secret, format!("{CLIENT_SECRET}\n")).unwrap();
        let mut cfg = OidcConfig::default();
        for (k, v) in [
            ("oidc_issuer_url", self.issuer.clone()),
            ("oidc_client_id", CLIENT_ID.into()),
            ("oidc_client_secret_file", secret.display().to_string()),
            ("oidc_redirect_url", format!("{base}/oidc/callback")),
            ("oidc_provider_name", "Test IdP".into()),
        ] {
            cfg.set(k, &v).unwrap();
        }
        assert_eq!(cfg.check(), Vec::<String>::new());
        cfg
    }

    pub fn set(&self, mode: Mode) {
        *self.mode.lock().unwrap() = mode;
    }

    pub fn sign_in_as(&self, sub: &str, email: &str) {
        *self.user.lock().unwrap() = (sub.into(), email.into());
    }

    fn id_token(&self, nonce: &str) -> String {
        let mode = *self.mode.lock().unwrap();
        let (sub, email) = self.user.lock().unwrap().clone();
        let now = std::time::SystemTime::now()
            .duration_since(std::time::UNIX_EPOCH)
            .unwrap()
            .as_secs() as i64;
        let (iat, exp) = match mode {
            Mode::Expired => (now - 3600, now - 600),
            _ => (now, now + 300),
        };
        let claims = serde_json::json!({
            "iss": self.issuer,
            "sub": sub,
            "aud": if mode == Mode::WrongAudience { "another-client" } else { CLIENT_ID },
            "iat": iat,
            "exp": exp,
            "nonce": if mode == Mode::WrongNonce { "not-the-nonce-sent" } else { nonce },
            "email": email,
            "email_verified": true,
        });
        let head = serde_json::json!({ "alg": "RS256", "typ": "JWT", "kid": KID });
        let input = format!(
            "{}.{}",
            b64(head.to_string().as_bytes()),
            b64(claims.to_string().as_bytes())
        );
        let key = match mode {
            Mode::BadSignature => &self.other_key,
            _ => &self.key,
        };
        let sig = key.pkcs1v15_sign::<Sha256>(input.as_bytes()).unwrap();
        format!("{input}.{}", b64(&sig))
    }
}

async fn discovery(State(idp): State<Arc<Idp>>) -> Response {
    let i = &idp.issuer;
    json(serde_json::json!({
        "issuer": i,
        "authorization_endpoint": format!("{i}/authorize"),
        "token_endpoint": format!("{i}/token"),
        "jwks_uri": format!("{i}/jwks"),
        "response_types_supported": ["code"],
        "subject_types_supported": ["public"],
        "id_token_signing_alg_values_supported": ["RS256"],
        "scopes_supported": ["openid", "email", "profile"],
        "token_endpoint_auth_methods_supported": ["client_secret_basic"],
        "code_challenge_methods_supported": ["S256"],
    }))
}

async fn jwks(State(idp): State<Arc<Idp>>) -> Response {
    let public = idp.key.to_public_key();
    json(serde_json::json!({ "keys": [{
        "kty": "RSA", "use": "sig", "alg": "RS256", "kid": KID,
        "n": b64(&public.n_bytes()), "e": b64(&public.e_bytes()),
    }] }))
}

fn bad(why: &str) -> Response {
    (StatusCode::BAD_REQUEST, why.to_string()).into_response()
}

/// The authorization request: checked as a provider would, then a code for it.
async fn authorize(
    State(idp): State<Arc<Idp>>,
    Query(q): Query<HashMap<String, String>>,
) -> Response {
    let get = |k: &str| q.get(k).cloned().unwrap_or_default();
    if get("response_type") != "code" || get("client_id") != CLIENT_ID {
        return bad("response_type or client_id");
    }
    if !get("scope").split(' ').any(|s| s == "openid") {
        return bad("scope without openid");
    }
    if get("code_challenge_method") != "S256" || get("code_challenge").is_empty() {
        return bad("PKCE S256 challenge required");
    }
    if get("nonce").is_empty() || get("state").is_empty() {
        return bad("nonce and state required");
    }
    let code = random();
    idp.codes.lock().unwrap().insert(
        code.clone(),
        Grant {
            nonce: get("nonce"),
            challenge: get("code_challenge"),
            redirect_uri: get("redirect_uri"),
        },
    );
    let back = format!(
        "{}?code={code}&state={}",
        get("redirect_uri"),
        urlencode(&get("state"))
    );
    if *idp.login_page.lock().unwrap() {
        let page = format!(
            "<!doctype html><title>Test IdP</title><h1>Test IdP</h1>\
             <form method=get action=/approve><input type=hidden name=to value=\"{}\">\
             <button id=idp-approve type=submit>Sign in as {}</button></form>",
            back.replace('&', "&amp;").replace('"', "&quot;"),
            idp.user.lock().unwrap().0
        );
        return ([(header::CONTENT_TYPE, "text/html; charset=utf-8")], page).into_response();
    }
    Redirect::to(&back).into_response()
}

async fn approve(Query(q): Query<HashMap<String, String>>) -> Response {
    Redirect::to(q.get("to").map(String::as_str).unwrap_or("/")).into_response()
}

fn urlencode(s: &str) -> String {
    s.bytes()
        .map(|b| match b {
            b'A'..=b'Z' | b'a'..=b'z' | b'0'..=b'9' | b'-' | b'_' | b'.' | b'~' => {
                (b as char).to_string()
            }
            _ => format!("%{b:02X}"),
        })
        .collect()
}

/// The token request: client authentication (HTTP Basic), the code once, the same redirect
/// URI, and SHA-256 of the PKCE verifier equal to the challenge.
async fn token(
    State(idp): State<Arc<Idp>>,
    headers: HeaderMap,
    Form(f): Form<HashMap<String, String>>,
) -> Response {
    *idp.token_requests.lock().unwrap() += 1;
    let error = |code: &str| {
        (
            StatusCode::BAD_REQUEST,
            [(header::CONTENT_TYPE, "application/json")],
            serde_json::json!({ "error": code }).to_string(),
        )
            .into_response()
    };
    let basic = format!(
        "Basic {}",
        STANDARD.encode(format!("{CLIENT_ID}:{CLIENT_SECRET}"))
    );
    if headers
        .get(header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        != Some(basic.as_str())
    {
        return error("invalid_client");
    }
    let get = |k: &str| f.get(k).cloned().unwrap_or_default();
    if get("grant_type") != "authorization_code" {
        return error("unsupported_grant_type");
    }
    let Some(grant) = idp.codes.lock().unwrap().remove(&get("code")) else {
        return error("invalid_grant");
    };
    let verifier = get("code_verifier");
    if grant.redirect_uri != get("redirect_uri")
        || b64(&Sha256::digest(verifier.as_bytes())) != grant.challenge
    {
        return error("invalid_grant");
    }
    json(serde_json::json!({
        "access_token": random(),
        "token_type": "Bearer",
        "expires_in": 300,
        "id_token": idp.id_token(&grant.nonce),
    }))
}
