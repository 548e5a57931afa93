//! wcp-pii: PII recognizers for Chinese and English chat and the anonymisation operators.
//! Pure: no I/O, no clock, no async.
//!
//! Layout: `recognizers` is the table of pattern recognizers (Presidio's entity set plus
//! the Chinese, Hong Kong and Singapore ones) and `validate` the checksum/shape validators
//! they name (`checksum`, `cn_region`, `crypto`, `bank` hold the algorithms); `names`
//! (tables in `names_data`) finds PERSON, `address` LOCATION and `wechat` labelled WeChat
//! handles with hand-written scanners; `engine` compiles everything once into
//! [`PiiDetector`], folds full-width text (`normalize`), scans, scores context words
//! (`context`, one Aho-Corasick pass) and resolves overlaps; `anonymise` holds the operators
//! (redact, mask, type tag, keyed pseudonym, generalise) and the per-entity policy.
pub mod address;
pub mod anonymise;
mod bank;
pub mod checksum;
pub mod cn_region;
mod context;
mod crypto;
mod engine;
pub mod names;
mod names_check;
mod names_data;
#[cfg(test)]
mod names_table;
pub mod normalize;
mod pseudonym;
mod recall;
mod recall_addr;
mod recall_more;
mod recall_names;
pub mod recognizers;
mod recognizers_cn;
mod recognizers_intl;
pub mod validate;
mod validate_intl;
mod wechat;

pub use engine::PiiDetector;

/// One detected value. Offsets are BYTE offsets into the text given to
/// [`PiiDetector::detect`], end exclusive.
#[derive(Debug, Clone, PartialEq)]
pub struct PiiMatch {
    pub entity: &'static str,
    pub start: usize,
    pub end: usize,
    pub score: f32,
}

/// The detector's own name for `name` (entity names travel as strings on the wire, while
/// [`PiiMatch`] and the anonymisation operators key on the static names). `None` for a name
/// this build does not produce, e.g. one written by a newer detector.
pub fn entity_name(name: &str) -> Option<&'static str> {
    // Entities found by scanners rather than by the pattern table.
    const SCANNED: &[&str] = &["PERSON", "LOCATION", "WECHAT_ID"];
    SCANNED
        .iter()
        .copied()
        .chain(recognizers::RECS.iter().map(|r| r.entity))
        .find(|e| *e == name)
}

#[cfg(test)]
mod entity_name_tests {
    use super::*;

    #[test]
    fn every_detected_entity_has_its_static_name() {
        for rec in recognizers::RECS.iter() {
            assert_eq!(entity_name(rec.entity), Some(rec.entity));
        }
        assert_eq!(entity_name("PERSON"), Some("PERSON"));
        assert_eq!(entity_name("AU_TFN"), Some("AU_TFN"));
        assert_eq!(entity_name("NOT_AN_ENTITY"), None);
    }
}
