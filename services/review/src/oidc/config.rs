//! The OpenID Connect keys (`oidc_*` in the config file, `WCP_OIDC_*` in the environment),
//! parsed when read and checked together: either none is set (no OIDC sign-in) or the
//! issuer, client id, client secret file and redirect URL all are. Pure: the secret file is
//! only read by [`crate::oidc::Oidc::new`].

use std::path::PathBuf;

/// Which ID-token claim names the account: the account's `oidc_subject` holds its value.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum UserClaim {
    /// `sub`: stable and never reassigned by the provider (the default, recommended).
    Subject,
    /// `email`, accepted only with `email_verified: true` (providers whose subjects are
    /// pairwise or unknown to the administrator until the first sign-in).
    Email,
}

/// Where the provider sends the browser back: the console's callback route.
pub const CALLBACK_PATH: &str = "/oidc/callback";

#[derive(Clone, PartialEq)]
pub struct OidcConfig {
    /// `https://login.example.com/realms/wcp` (the `iss` of its tokens; discovery is read
    /// from `<issuer>/.well-known/openid-configuration`).
    pub issuer_url: String,
    pub client_id: String,
    /// A file holding the client secret (a mounted Kubernetes Secret), never the secret.
    pub client_secret_file: Option<PathBuf>,
    /// `https://review.example.com/oidc/callback`, as registered with the provider.
    pub redirect_url: String,
    /// Shown on the sign-in button: "Sign in with <provider_name>".
    pub provider_name: String,
    /// Scopes asked for besides `openid` (always sent).
    pub scopes: Vec<String>,
    pub user_claim: UserClaim,
}

impl Default for OidcConfig {
    fn default() -> Self {
        OidcConfig {
            issuer_url: String::new(),
            client_id: String::new(),
            client_secret_file: None,
            redirect_url: String::new(),
            provider_name: "OpenID Connect".into(),
            scopes: vec!["email".into()],
            user_claim: UserClaim::Subject,
        }
    }
}

// The secret itself is never here, only its file; Debug names what is configured.
impl std::fmt::Debug for OidcConfig {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("OidcConfig")
            .field("issuer_url", &self.issuer_url)
            .field("client_id", &self.client_id)
            .field("client_secret_file", &self.client_secret_file)
            .field("redirect_url", &self.redirect_url)
            .field("user_claim", &self.user_claim)
            .finish_non_exhaustive()
    }
}

/// http only for a provider on this machine (tests, a local Keycloak); https otherwise.
fn url_problem(key: &str, v: &str) -> Option<String> {
    let rest = if let Some(r) = v.strip_prefix("https://") {
        r
    } else if let Some(r) = v.strip_prefix("http://") {
        let authority = r.split('/').next().unwrap_or("");
        let host = match authority.strip_prefix("[::1]") {
            Some(_) => "[::1]",
            None => authority.split(':').next().unwrap_or(""),
        };
        if !matches!(host, "localhost" | "127.0.0.1" | "[::1]") {
            return Some(format!(
                "{key}: {v:?} must be https:// (http only for localhost)"
            ));
        }
        r
    } else {
        return Some(format!("{key}: {v:?} is not an https:// URL"));
    };
    if rest.is_empty() || rest.starts_with('/') || v.contains(char::is_whitespace) {
        return Some(format!("{key}: {v:?} has no host"));
    }
    None
}

impl OidcConfig {
    /// OIDC sign-in is on when an issuer is configured.
    pub fn enabled(&self) -> bool {
        !self.issuer_url.is_empty()
    }

    pub fn set(&mut self, key: &str, v: &str) -> Result<(), String> {
        let v = v.trim();
        match key {
            "oidc_issuer_url" => self.issuer_url = v.trim_end_matches('/').to_string(),
            "oidc_client_id" => self.client_id = v.to_string(),
            "oidc_client_secret_file" => self.client_secret_file = Some(PathBuf::from(v)),
            "oidc_redirect_url" => self.redirect_url = v.to_string(),
            "oidc_provider_name" => {
                if v.is_empty() || v.chars().count() > 40 {
                    return Err("give the provider's name, 1 to 40 characters".into());
                }
                self.provider_name = v.to_string();
            }
            "oidc_scopes" => {
                self.scopes = v
                    .split([' ', ','])
                    .filter(|s| !s.is_empty() && *s != "openid")
                    .map(String::from)
                    .collect()
            }
            "oidc_user_claim" => {
                self.user_claim = match v {
                    "sub" => UserClaim::Subject,
                    "email" => UserClaim::Email,
                    _ => return Err(format!("{v:?} is not sub or email")),
                }
            }
            _ => return Err(format!("unknown key {key}")),
        }
        Ok(())
    }

    /// Every problem at once; nothing when OIDC is not configured at all.
    pub fn check(&self) -> Vec<String> {
        let set = !self.issuer_url.is_empty()
            || !self.client_id.is_empty()
            || !self.redirect_url.is_empty()
            || self.client_secret_file.is_some();
        if !set {
            return Vec::new();
        }
        let mut out = Vec::new();
        for (key, v) in [
            ("oidc_issuer_url", &self.issuer_url),
            ("oidc_client_id", &self.client_id),
            ("oidc_redirect_url", &self.redirect_url),
        ] {
            if v.is_empty() {
                out.push(format!(
                    "{key}: required with the other oidc_* keys (WCP_{})",
                    key.to_uppercase()
                ));
            }
        }
        if self.client_secret_file.is_none() {
            out.push(
                "oidc_client_secret_file: required with the other oidc_* keys: a file holding \
                 the client secret, e.g. a mounted Secret (WCP_OIDC_CLIENT_SECRET_FILE)"
                    .into(),
            );
        }
        if !self.issuer_url.is_empty() {
            out.extend(url_problem("oidc_issuer_url", &self.issuer_url));
        }
        if !self.redirect_url.is_empty() {
            out.extend(url_problem("oidc_redirect_url", &self.redirect_url));
            if !self.redirect_url.ends_with(CALLBACK_PATH) {
                out.push(format!(
                    "oidc_redirect_url: {:?} must be the console's {CALLBACK_PATH}, e.g. \
                     https://review.example.com{CALLBACK_PATH}",
                    self.redirect_url
                ));
            }
        }
        if self.user_claim == UserClaim::Email && !self.scopes.iter().any(|s| s == "email") {
            out.push("oidc_user_claim = \"email\" needs the email scope in oidc_scopes".into());
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn full() -> OidcConfig {
        let mut c = OidcConfig::default();
        c.set("oidc_issuer_url", "https://login.example.com/realms/wcp/")
            .unwrap();
        c.set("oidc_client_id", "wcp-review").unwrap();
        c.set("oidc_client_secret_file", "/etc/wcp-oidc/client-secret")
            .unwrap();
        c.set(
            "oidc_redirect_url",
            "https://review.example.com/oidc/callback",
        )
        .unwrap();
        c
    }

    #[test]
    fn none_set_is_off_and_all_set_is_on() {
        assert!(OidcConfig::default().check().is_empty());
        assert!(!OidcConfig::default().enabled());
        let c = full();
        assert_eq!(c.check(), Vec::<String>::new());
        assert!(c.enabled());
        assert_eq!(c.issuer_url, "https://login.example.com/realms/wcp");
    }

    #[test]
    fn a_partial_or_unsafe_configuration_is_named() {
        let mut c = OidcConfig::default();
        c.set("oidc_issuer_url", "http://login.example.com")
            .unwrap();
        let p = c.check();
        assert_eq!(p.len(), 4, "{p:?}");
        assert!(p.iter().any(|m| m.contains("must be https://")), "{p:?}");
        assert!(p.iter().any(|m| m.contains("WCP_OIDC_CLIENT_SECRET_FILE")));
        let mut c = full();
        c.set("oidc_redirect_url", "https://review.example.com/signin")
            .unwrap();
        assert_eq!(c.check().len(), 1, "{:?}", c.check());
        let mut c = full();
        c.set("oidc_issuer_url", "http://127.0.0.1:5556").unwrap();
        assert!(c.check().is_empty(), "http on loopback: {:?}", c.check());
        c.set("oidc_scopes", "openid profile").unwrap();
        c.set("oidc_user_claim", "email").unwrap();
        assert_eq!(c.check().len(), 1, "email claim without email scope");
        assert!(c.set("oidc_user_claim", "groups").is_err());
        assert!(c.set("oidc_provider_name", "").is_err());
    }

    #[test]
    fn debug_names_the_secret_file_not_a_secret() {
        let d = format!("{:?}", full());
        assert!(d.contains("/etc/wcp-oidc/client-secret"), "{d}");
    }
}
