//! The decisions of an OpenID Connect sign-in, without HTTP or clock: the sign-ins in
//! progress (bounded, single use, expiring), which account a verified identity is, and the
//! reasons a sign-in is refused as they are written to the access audit.

use std::collections::HashMap;

use wcp_review::accounts::User;

use super::config::UserClaim;

/// A sign-in started at the provider must come back within this time.
pub const LOGIN_TTL_MS: i64 = 10 * 60 * 1000;
/// Sign-ins in progress kept at once; the oldest is forgotten first (an unauthenticated
/// GET starts one, so the map must not grow without bound).
pub const MAX_PENDING: usize = 10_000;

/// Sign-ins in progress, by the random value of the browser's `wcp_oidc` cookie.
pub struct Pending<T> {
    map: HashMap<String, (i64, T)>,
    max: usize,
}

impl<T> Default for Pending<T> {
    fn default() -> Self {
        Pending {
            map: HashMap::new(),
            max: MAX_PENDING,
        }
    }
}

impl<T> Pending<T> {
    pub fn with_max(max: usize) -> Self {
        Pending {
            map: HashMap::new(),
            max: max.max(1),
        }
    }

    pub fn insert(&mut self, key: String, now_ms: i64, v: T) {
        self.map.retain(|_, (at, _)| now_ms - *at < LOGIN_TTL_MS);
        while self.map.len() >= self.max {
            let oldest = self
                .map
                .iter()
                .min_by_key(|(_, (at, _))| *at)
                .map(|(k, _)| k.clone());
            match oldest {
                Some(k) => self.map.remove(&k),
                None => break,
            };
        }
        self.map.insert(key, (now_ms, v));
    }

    /// The sign-in of `key`, once: a replayed callback finds nothing.
    pub fn take(&mut self, key: &str, now_ms: i64) -> Option<T> {
        let (at, v) = self.map.remove(key)?;
        (now_ms - at < LOGIN_TTL_MS).then_some(v)
    }

    pub fn len(&self) -> usize {
        self.map.len()
    }

    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// What the verified ID token says about the person.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Identity {
    pub subject: String,
    pub email: Option<String>,
    pub email_verified: bool,
}

/// Why a sign-in was refused. `reason` is what the access audit records.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Refusal {
    /// No pending sign-in for the browser's cookie (expired, replayed, or never started here).
    NoLogin,
    /// The `state` sent back is not the one this browser's sign-in sent.
    StateMismatch,
    /// The provider answered with an error (`access_denied`…) or refused the code.
    Denied(String),
    /// The provider could not be reached or answered something unusable.
    Provider(String),
    /// The ID token failed verification: (kind, detail), kind one of `signature`,
    /// `issuer`, `audience`, `expired`, `nonce`, `claims`, `missing`.
    Token(&'static str, String),
    EmailMissing,
    EmailNotVerified,
    /// A valid identity with no account: nobody provisioned it.
    UnknownIdentity(String),
    Disabled(String),
    TooMany,
}

impl Refusal {
    pub fn reason(&self) -> String {
        match self {
            Refusal::NoLogin => "no_pending_sign_in".into(),
            Refusal::StateMismatch => "state_mismatch".into(),
            Refusal::Denied(_) => "provider_denied".into(),
            Refusal::Provider(_) => "provider_unavailable".into(),
            Refusal::Token(kind, _) => format!("id_token_{kind}"),
            Refusal::EmailMissing => "email_missing".into(),
            Refusal::EmailNotVerified => "email_not_verified".into(),
            Refusal::UnknownIdentity(_) => "unknown_identity".into(),
            Refusal::Disabled(_) => "account_disabled".into(),
            Refusal::TooMany => "rate_limited".into(),
        }
    }

    /// Detail for the audit record and the page (no token, no secret: provider error
    /// codes, claim names, the identity's own subject).
    pub fn detail(&self) -> String {
        match self {
            Refusal::Denied(d) | Refusal::Provider(d) | Refusal::Token(_, d) => d.clone(),
            Refusal::UnknownIdentity(k) | Refusal::Disabled(k) => k.clone(),
            _ => String::new(),
        }
    }

    /// The person could fix it by starting over (as opposed to asking an administrator).
    pub fn retry(&self) -> bool {
        matches!(
            self,
            Refusal::NoLogin | Refusal::StateMismatch | Refusal::Provider(_)
        )
    }
}

/// The value looked up in the accounts' `oidc_subject`.
pub fn account_key(claim: UserClaim, id: &Identity) -> Result<String, Refusal> {
    match claim {
        UserClaim::Subject => Ok(id.subject.clone()),
        UserClaim::Email => match &id.email {
            None => Err(Refusal::EmailMissing),
            // An unverified address could be anyone's: never an account key.
            Some(_) if !id.email_verified => Err(Refusal::EmailNotVerified),
            Some(e) => Ok(e.to_lowercase()),
        },
    }
}

/// The account found for `key`, if it may sign in. Accounts are provisioned by an admin
/// (`wcp review user add --oidc-subject`, the Users page): an identity without one is
/// refused, never created, so no token can grant itself a role.
pub fn admit(key: &str, found: Option<User>) -> Result<User, Refusal> {
    match found {
        None => Err(Refusal::UnknownIdentity(key.to_string())),
        Some(u) if u.disabled => Err(Refusal::Disabled(key.to_string())),
        Some(u) => Ok(u),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use wcp_review::Role;

    fn id(email: Option<&str>, verified: bool) -> Identity {
        Identity {
            subject: "00u1abc".into(),
            email: email.map(String::from),
            email_verified: verified,
        }
    }

    #[test]
    fn a_pending_sign_in_is_taken_once_and_expires() {
        let mut p = Pending::default();
        p.insert("a".into(), 0, 1);
        p.insert("b".into(), 0, 2);
        assert_eq!(p.take("a", 1000), Some(1));
        assert_eq!(p.take("a", 1000), None, "single use");
        assert_eq!(p.take("b", LOGIN_TTL_MS), None, "expired");
        assert_eq!(p.take("zz", 0), None);
    }

    #[test]
    fn pending_sign_ins_are_bounded_oldest_first() {
        let mut p = Pending::with_max(2);
        p.insert("a".into(), 1, 'a');
        p.insert("b".into(), 2, 'b');
        p.insert("c".into(), 3, 'c');
        assert_eq!(p.len(), 2);
        assert_eq!(p.take("a", 4), None, "oldest forgotten");
        assert_eq!(p.take("c", 4), Some('c'));
        // Expired ones are dropped on insert.
        p.insert("d".into(), 3 + LOGIN_TTL_MS, 'd');
        assert_eq!(p.len(), 1);
    }

    #[test]
    fn the_account_key_is_the_subject_or_a_verified_email() {
        let i = id(Some("Ann@Example.com"), true);
        assert_eq!(account_key(UserClaim::Subject, &i).unwrap(), "00u1abc");
        assert_eq!(
            account_key(UserClaim::Email, &i).unwrap(),
            "ann@example.com"
        );
        assert_eq!(
            account_key(UserClaim::Email, &id(Some("ann@example.com"), false)),
            Err(Refusal::EmailNotVerified)
        );
        assert_eq!(
            account_key(UserClaim::Email, &id(None, true)),
            Err(Refusal::EmailMissing)
        );
    }

    #[test]
    fn only_a_provisioned_enabled_account_is_admitted() {
        let u = User {
            username: "ann".into(),
            role: Role::Reviewer,
            queues: vec![],
            must_change: false,
            disabled: false,
            oidc_subject: Some("00u1abc".into()),
        };
        assert_eq!(admit("00u1abc", Some(u.clone())), Ok(u.clone()));
        let r = admit("00u9zzz", None).unwrap_err();
        assert_eq!(r.reason(), "unknown_identity");
        assert_eq!(r.detail(), "00u9zzz");
        let off = User {
            disabled: true,
            ..u
        };
        assert_eq!(
            admit("00u1abc", Some(off)).unwrap_err().reason(),
            "account_disabled"
        );
        assert_eq!(
            Refusal::Token("nonce", "x".into()).reason(),
            "id_token_nonce"
        );
    }
}
