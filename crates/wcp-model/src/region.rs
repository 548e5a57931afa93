//! Residency region names: the one rule for what may name a region, and the region of an
//! enriched event. A region names files (`archive-<region>.db`, `archive-<region>.key`, the
//! capture's media directory) and a key variable (`WCP_ARCHIVE_KEY_<REGION>`), so it must be
//! a plain, non-empty word: no path separator, no dot, nothing a file system treats specially.
//! Policy validation, `wcp_archive::Regions`, the archiver, `wcp run` and the capture all
//! check names here.

use crate::EnrichedEvent;

/// Why a string cannot be a residency region.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum RegionError {
    #[error("residency region is empty")]
    Empty,
    #[error("residency region {0:?} must be ASCII letters, digits, - or _ (it names files)")]
    Invalid(String),
    #[error("event has no retention tag, so no residency region")]
    Untagged,
}

/// Accepts a non-empty name of ASCII letters, digits, `-` and `_`.
pub fn check_name(name: &str) -> Result<(), RegionError> {
    if name.is_empty() {
        return Err(RegionError::Empty);
    }
    if !name
        .chars()
        .all(|c| c.is_ascii_alphanumeric() || c == '-' || c == '_')
    {
        return Err(RegionError::Invalid(name.to_string()));
    }
    Ok(())
}

/// The region whose archive holds `ev`: its retention tag's region, checked.
pub fn of_event(ev: &EnrichedEvent) -> Result<&str, RegionError> {
    let r = ev.retention.as_ref().ok_or(RegionError::Untagged)?;
    check_name(&r.region)?;
    Ok(&r.region)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn plain_words_are_regions() {
        for ok in ["cn", "hk", "eu-west_1", "DEFAULT", "a"] {
            assert_eq!(check_name(ok), Ok(()), "{ok}");
        }
    }

    #[test]
    fn names_that_would_escape_or_confuse_a_file_name_are_refused() {
        assert_eq!(check_name(""), Err(RegionError::Empty));
        for bad in [
            "cn.access",
            "../etc",
            "a/b",
            "a\\b",
            "eu west",
            "cn\n",
            "区域",
            ".",
        ] {
            assert_eq!(
                check_name(bad),
                Err(RegionError::Invalid(bad.to_string())),
                "{bad:?}"
            );
        }
    }

    #[test]
    fn an_event_without_a_valid_tag_has_no_region() {
        let raw = br#"{"msgid":"m1","action":"send","from":"zhangwei","tolist":["lina"],"roomid":"","msgtime":1732600037000,"msgtype":"text","text":{"content":"hi"}}"#;
        let mut ev = EnrichedEvent::new(crate::parse_wecom(raw, None).unwrap());
        assert_eq!(of_event(&ev), Err(RegionError::Untagged));
        ev.retention = Some(crate::RetentionTag {
            rules: Vec::new(),
            keep_until_ms: 0,
            legal_hold: false,
            region: "cn".into(),
        });
        assert_eq!(of_event(&ev), Ok("cn"));
        ev.retention.as_mut().unwrap().region = "../cn".into();
        assert_eq!(of_event(&ev), Err(RegionError::Invalid("../cn".into())));
    }
}
