//! OpenID Connect sign-in (authorization-code flow with PKCE, state and nonce) through the
//! `openidconnect` crate, which fetches the provider's discovery document and JWKS and
//! verifies each ID token's signature, issuer, audience, expiry and nonce.
//!
//! Layout: `config` (the `oidc_*` keys, pure), `flow` (pending sign-ins, which account an
//! identity is, refusal reasons; pure), `http` (the reqwest client the crate calls), and
//! this file: [`Oidc`], the provider as the console uses it (`begin` a sign-in, `finish` it
//! with the code the browser brings back). The routes are in `pages::oidc`.

pub mod config;
pub mod flow;
pub mod http;

use std::sync::Mutex;
use std::time::{Duration, Instant};

use openidconnect::core::{CoreAuthenticationFlow, CoreClient, CoreProviderMetadata};
use openidconnect::{
    AuthorizationCode, ClaimsVerificationError, ClientId, ClientSecret, CsrfToken, IssuerUrl,
    Nonce, PkceCodeChallenge, PkceCodeVerifier, RedirectUrl, RequestTokenError, Scope,
    TokenResponse,
};

pub use config::{OidcConfig, UserClaim};
pub use flow::{Identity, Pending, Refusal};

use crate::state::lock;

/// The discovery document and JWKS are read again after this long, so a provider's key
/// rotation is followed without a restart (and at once after a signature failure).
const METADATA_TTL: Duration = Duration::from_secs(15 * 60);

/// A sign-in sent to the provider, kept until the browser comes back (`flow::Pending`).
pub struct Login {
    state: CsrfToken,
    nonce: Nonce,
    verifier: PkceCodeVerifier,
}

impl Login {
    /// The `state` this sign-in sent, compared in constant time with the one returned.
    pub fn state_matches(&self, returned: &str) -> bool {
        wcp_review::sessions::same_token(returned, self.state.secret())
    }
}

/// The configured provider.
pub struct Oidc {
    pub config: OidcConfig,
    secret: ClientSecret,
    redirect: RedirectUrl,
    issuer: IssuerUrl,
    http: http::Http,
    metadata: Mutex<Option<(CoreProviderMetadata, Instant)>>,
    pub pending: Mutex<Pending<Login>>,
}

#[derive(Debug, thiserror::Error)]
pub enum OidcSetupError {
    #[error("oidc_client_secret_file {path}: {why}")]
    Secret { path: String, why: String },
    #[error("{key}: {why}")]
    Url { key: &'static str, why: String },
    #[error("HTTP client: {0}")]
    Http(#[from] reqwest::Error),
}

fn read_secret(cfg: &OidcConfig) -> Result<ClientSecret, OidcSetupError> {
    let path = cfg.client_secret_file.clone().unwrap_or_default();
    let err = |why: String| OidcSetupError::Secret {
        path: path.display().to_string(),
        why,
    };
    let text = std::fs::read_to_string(&path).map_err(|e| err(e.to_string()))?;
    // A Secret mounted from `kubectl create secret --from-file` often ends in a newline.
    let secret = text.trim_end_matches(['\n', '\r']);
    if secret.is_empty() {
        return Err(err("the file is empty; put the client secret in it".into()));
    }
    Ok(ClientSecret::new(secret.to_string()))
}

/// The `claims()` failure as (kind, detail) for the audit: no token content but the
/// claim that failed.
fn token_problem(e: &ClaimsVerificationError) -> (&'static str, String) {
    let kind = match e {
        ClaimsVerificationError::Expired(_) => "expired",
        ClaimsVerificationError::InvalidAudience(_) => "audience",
        ClaimsVerificationError::InvalidIssuer(_) => "issuer",
        ClaimsVerificationError::InvalidNonce(_) => "nonce",
        ClaimsVerificationError::SignatureVerification(_) => "signature",
        _ => "claims",
    };
    let detail = match e {
        ClaimsVerificationError::SignatureVerification(s) => format!("{e}: {s}"),
        _ => e.to_string(),
    };
    (kind, detail.chars().take(300).collect())
}

impl Oidc {
    /// Reads the client secret file and checks the URLs; contacts nobody (the provider is
    /// discovered at the first sign-in, so the console starts while the provider is down).
    pub fn new(config: OidcConfig) -> Result<Oidc, OidcSetupError> {
        let secret = read_secret(&config)?;
        let redirect =
            RedirectUrl::new(config.redirect_url.clone()).map_err(|e| OidcSetupError::Url {
                key: "oidc_redirect_url",
                why: e.to_string(),
            })?;
        let issuer =
            IssuerUrl::new(config.issuer_url.clone()).map_err(|e| OidcSetupError::Url {
                key: "oidc_issuer_url",
                why: e.to_string(),
            })?;
        Ok(Oidc {
            config,
            secret,
            redirect,
            issuer,
            http: http::Http::new()?,
            metadata: Mutex::new(None),
            pending: Mutex::new(Pending::default()),
        })
    }

    /// The provider's discovery document with its JWKS, cached for [`METADATA_TTL`].
    async fn metadata(&self) -> Result<CoreProviderMetadata, Refusal> {
        if let Some((m, at)) = lock(&self.metadata).as_ref() {
            if at.elapsed() < METADATA_TTL {
                return Ok(m.clone());
            }
        }
        let m = CoreProviderMetadata::discover_async(self.issuer.clone(), &self.http)
            .await
            .map_err(|e| {
                let why = match &e {
                    openidconnect::DiscoveryError::Request(inner) => format!("{e}: {inner}"),
                    _ => e.to_string(),
                };
                Refusal::Provider(format!("discovery at {}: {why}", self.issuer.as_str()))
            })?;
        *lock(&self.metadata) = Some((m.clone(), Instant::now()));
        Ok(m)
    }

    fn client(
        &self,
        m: CoreProviderMetadata,
    ) -> openidconnect::core::CoreClient<
        openidconnect::EndpointSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointNotSet,
        openidconnect::EndpointMaybeSet,
        openidconnect::EndpointMaybeSet,
    > {
        CoreClient::from_provider_metadata(
            m,
            ClientId::new(self.config.client_id.clone()),
            Some(self.secret.clone()),
        )
        .set_redirect_uri(self.redirect.clone())
    }

    /// Starts a sign-in: the provider URL to send the browser to, and what to keep for
    /// the callback (state, nonce, PKCE verifier).
    pub async fn begin(&self) -> Result<(String, Login), Refusal> {
        let client = self.client(self.metadata().await?);
        let (challenge, verifier) = PkceCodeChallenge::new_random_sha256();
        let mut req = client.authorize_url(
            CoreAuthenticationFlow::AuthorizationCode,
            CsrfToken::new_random,
            Nonce::new_random,
        );
        for s in &self.config.scopes {
            req = req.add_scope(Scope::new(s.clone()));
        }
        let (url, state, nonce) = req.set_pkce_challenge(challenge).url();
        Ok((
            url.to_string(),
            Login {
                state,
                nonce,
                verifier,
            },
        ))
    }

    /// Exchanges the code (with the PKCE verifier) and verifies the ID token against the
    /// provider's keys, this client id, the issuer, the clock and the sign-in's nonce.
    pub async fn finish(&self, code: String, login: Login) -> Result<Identity, Refusal> {
        let client = self.client(self.metadata().await?);
        let res = client
            .exchange_code(AuthorizationCode::new(code))
            .map_err(|e| Refusal::Provider(format!("token endpoint: {e}")))?
            .set_pkce_verifier(login.verifier)
            .request_async(&self.http)
            .await
            .map_err(|e| match e {
                // The provider's error code only (invalid_grant…): its description is free text.
                RequestTokenError::ServerResponse(r) => {
                    Refusal::Denied(format!("token endpoint: {}", r.error()))
                }
                RequestTokenError::Request(inner) => {
                    Refusal::Provider(format!("token endpoint: {inner}"))
                }
                // Never the body: it may hold tokens.
                RequestTokenError::Parse(..) => {
                    Refusal::Provider("token endpoint: response not understood".into())
                }
                RequestTokenError::Other(s) => Refusal::Provider(format!("token endpoint: {s}")),
            })?;
        let token = res
            .id_token()
            .ok_or_else(|| Refusal::Token("missing", "no id_token in the token response".into()))?;
        let claims = match token.claims(&client.id_token_verifier(), &login.nonce) {
            Ok(c) => c,
            Err(e) => {
                if matches!(e, ClaimsVerificationError::SignatureVerification(_)) {
                    // Perhaps the provider rotated its keys: read the JWKS again next time.
                    *lock(&self.metadata) = None;
                }
                let (kind, detail) = token_problem(&e);
                return Err(Refusal::Token(kind, detail));
            }
        };
        Ok(Identity {
            subject: claims.subject().to_string(),
            email: claims.email().map(|e| e.to_string()),
            email_verified: claims.email_verified() == Some(true),
        })
    }
}
