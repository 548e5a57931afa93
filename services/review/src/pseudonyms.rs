//! Finding a contact by the WeCom id an officer was given (a complaint, a data-subject
//! request) when wcp keeps that contact only under a pseudonym: a contact who has not agreed
//! to archiving is archived as `PARTICIPANT_…`, the keyed HMAC of their id under the tenant
//! key (docs/PRIVACY.md). With the key the console computes the pseudonym of the typed id and
//! looks that up; it never turns a pseudonym back into an id (it cannot).

use std::path::Path;

use maud::{html, Markup};
use wcp_model::Role;
use wcp_review::ReviewError;

use crate::i18n::{t, Lang};

/// The tenant pseudonymisation key `wcp run` / the anonymiser used. Never printed.
#[derive(Clone)]
pub struct TenantKey(Vec<u8>);

impl std::fmt::Debug for TenantKey {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "TenantKey(<redacted>)")
    }
}

impl TenantKey {
    /// The key in `file` (hex, as `tenant.key` / `anon_key_file` hold it).
    pub fn load(file: &Path) -> Result<TenantKey, ReviewError> {
        let text = std::fs::read(file)
            .map_err(|e| ReviewError::Invalid(format!("tenant key {}: {e}", file.display())))?;
        wcp_pii::anonymise::parse_key(&text)
            .map(TenantKey)
            .map_err(|e| ReviewError::Invalid(format!("tenant key {}: {e}", file.display())))
    }

    /// The pseudonym an external contact's id (`wm…`, `wo…`) is archived under; None for
    /// staff ids, bots and pseudonyms, which are archived as they are.
    pub fn pseudonym_of(&self, id: &str) -> Option<String> {
        (Role::of_id(id) == Role::External)
            .then(|| wcp_pii::anonymise::pseudonym(id, "PARTICIPANT", &self.0))
    }
}

/// What looking a typed id up under its pseudonym gave.
#[derive(Debug, PartialEq)]
pub enum Lookup {
    /// Not looked up: the id was found as typed, or is no external contact's.
    None,
    /// An external contact's id, but the console has no tenant key.
    NoKey,
    /// Found under this pseudonym.
    Found(String),
    /// Its pseudonym, not (yet) found under it either.
    NotFound(String),
}

impl Lookup {
    /// The lookup to try for `typed` (found nothing as typed): `NotFound(pseudonym)` until
    /// the search under it finds something.
    pub fn of(key: Option<&TenantKey>, typed: &str) -> Lookup {
        match key {
            Some(k) => k.pseudonym_of(typed).map_or(Lookup::None, Lookup::NotFound),
            None if Role::of_id(typed) == Role::External => Lookup::NoKey,
            None => Lookup::None,
        }
    }

    /// The one lookup every page that takes a participant uses (search, consent, queue;
    /// trial 18d D3): when `typed` found nothing as typed (`found` false), an external id is
    /// looked up again under its pseudonym by `retry`, which runs the page's own query under
    /// it (audited as that page's access) and says whether it found anything.
    pub fn resolve<E>(
        key: Option<&TenantKey>,
        typed: &str,
        found: bool,
        retry: impl FnOnce(&str) -> Result<bool, E>,
    ) -> Result<Lookup, E> {
        if found {
            return Ok(Lookup::None);
        }
        match Lookup::of(key, typed) {
            Lookup::NotFound(p) if retry(&p)? => Ok(Lookup::Found(p)),
            other => Ok(other),
        }
    }

    pub fn pseudonym(&self) -> Option<&str> {
        match self {
            Lookup::Found(p) => Some(p),
            _ => None,
        }
    }

    /// What the page says about the typed id `typed`: shown under its pseudonym, or (found
    /// nowhere) that contacts without consent are kept only under one and where it is shown.
    pub fn note(&self, l: Lang, typed: &str) -> Markup {
        html! {
            @match self {
                Lookup::Found(p) => p.hint #pseudonym-lookup { code { (typed) } " " (t(l, "shown_as_pseudonym")) " " code { (p) } "." },
                Lookup::None if !Role::of_id(typed).eq(&Role::External) => {},
                _ => p.hint #pseudonym-lookup {
                    (t(l, "kept_as_pseudonym")) " "
                    @if let Lookup::NotFound(p) = self { (t(l, "nor_pseudonym")) " " code { (p) } ". " }
                    @if *self == Lookup::NoKey { (t(l, "no_tenant_key")) " " }
                    a href="/queue?status=all&category=consent_violation" { (t(l, "consent_alerts")) " ↗" }
                },
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_external_id_gets_the_anonymisers_pseudonym_and_nothing_else_does() {
        let bytes = [7u8; 32];
        let k = TenantKey(bytes.to_vec());
        let p = k
            .pseudonym_of("wmTRIALCLIENTB00000000000000000002")
            .unwrap();
        assert_eq!(
            p,
            wcp_pii::anonymise::pseudonym(
                "wmTRIALCLIENTB00000000000000000002",
                "PARTICIPANT",
                &bytes
            )
        );
        assert!(p.starts_with("PARTICIPANT_") && p.len() == "PARTICIPANT_".len() + 16);
        assert!(k.pseudonym_of("zhangwei").is_none());
        assert!(k.pseudonym_of("PARTICIPANT_24c27226cc2b9968").is_none());
        assert!(!format!("{k:?}").contains('7'));
    }

    #[test]
    fn an_id_found_as_typed_is_not_looked_up_again_and_one_found_nowhere_keeps_its_pseudonym() {
        let k = TenantKey(vec![7; 32]);
        let id = "wmTRIALNOCONSENT0000000000000000002";
        let ps = k.pseudonym_of(id).unwrap();
        let never = |_: &str| -> Result<bool, ()> { panic!("looked up again") };
        assert_eq!(Lookup::resolve(Some(&k), id, true, never), Ok(Lookup::None));
        assert_eq!(
            Lookup::resolve(Some(&k), "zhangwei", false, never),
            Ok(Lookup::None)
        );
        assert_eq!(Lookup::resolve(None, id, false, never), Ok(Lookup::NoKey));
        let mut asked = String::new();
        let found = Lookup::resolve(Some(&k), id, false, |p| {
            asked = p.to_string();
            Ok::<_, ()>(true)
        });
        assert_eq!(
            (found, asked.as_str()),
            (Ok(Lookup::Found(ps.clone())), ps.as_str())
        );
        let nowhere = Lookup::resolve(Some(&k), id, false, |_| Ok::<_, ()>(false));
        assert_eq!(nowhere, Ok(Lookup::NotFound(ps)));
        assert_eq!(
            Lookup::resolve(Some(&k), id, false, |_| Err("io")),
            Err("io")
        );
    }

    #[test]
    fn only_an_external_id_is_looked_up_and_without_a_key_that_is_said() {
        let k = TenantKey(vec![7; 32]);
        let id = "wmTRIALCLIENTB00000000000000000002";
        assert_eq!(
            Lookup::of(Some(&k), id),
            Lookup::NotFound(k.pseudonym_of(id).unwrap())
        );
        assert_eq!(Lookup::of(Some(&k), "zhangwei"), Lookup::None);
        assert_eq!(Lookup::of(None, id), Lookup::NoKey);
        assert_eq!(Lookup::of(None, "zhangwei"), Lookup::None);
        let note = Lookup::NoKey.note(Lang::En, id).into_string();
        assert!(
            note.contains("kept only under a pseudonym") && note.contains("no tenant key"),
            "{note}"
        );
        assert!(Lookup::None
            .note(Lang::En, "zhangwei")
            .into_string()
            .is_empty());
    }
}
