//! The pipeline's topics, named once (before any `topic_prefix`), and what each carries.

/// Raw WeCom JSON from the capture, byte for byte, with `seq` / `publickey_ver` headers.
pub const RAW: &str = "wecom.raw";
/// Parsed events (ingest): [`crate::ChatEvent`].
pub const EVENTS: &str = "chat.events";
/// Consent per external contact, compacted, key = contact id: [`crate::ConsentRecord`].
pub const CONSENT_LEDGER: &str = "consent.ledger";
/// Classifier output: [`crate::EnrichedEvent`].
pub const CLASSIFIED: &str = "chat.classified";
/// Consent-gate output: [`crate::EnrichedEvent`].
pub const CONSENTED: &str = "chat.consented";
/// Retention-tagger output, read by the archiver, the alerter and the anonymiser.
pub const TAGGED: &str = "chat.tagged";
/// Compliance alerts: [`crate::Alert`].
pub const ALERTS: &str = "chat.alerts";
/// The only stream allowed to leave the region: [`crate::AnonymisedEvent`].
pub const ANONYMISED: &str = "chat.anonymised";
/// Dead letters, original bytes and reason: [`crate::DeadLetter`].
pub const DLQ: &str = "chat.dlq";
/// The capture's committed position per corp, compacted, key = corp id, JSON
/// `{"corp_id","seq"}`; its one partition also elects the active capture per corp.
pub const CAPTURE_CURSOR: &str = "capture.cursor";
/// The archivers' signed heads, compacted, key = region, JSON (`wcp_archive::anchor::Anchor`;
/// `wcp archive verify --anchors`).
pub const ARCHIVE_ANCHORS: &str = "archive.anchors";

/// The capture's media records, key = msgid, JSON (`wcp-capture`'s `media::MediaRecord`):
/// where a message's file is in the region's media store, or why it is missing.
pub const MEDIA: &str = "wecom.media";

/// Every topic, in flow order.
pub const ALL: [&str; 12] = [
    RAW,
    EVENTS,
    CONSENT_LEDGER,
    CLASSIFIED,
    CONSENTED,
    TAGGED,
    ALERTS,
    ANONYMISED,
    DLQ,
    CAPTURE_CURSOR,
    ARCHIVE_ANCHORS,
    MEDIA,
];

/// What the records of a topic are.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Content {
    RawJson,
    ChatEvent,
    Consent,
    Enriched,
    Alert,
    Anonymised,
    DeadLetter,
    CaptureCursor,
    ArchiveAnchor,
}

/// The content of a topic by its name (prefix already removed), `None` for a foreign topic.
pub fn content(topic: &str) -> Option<Content> {
    Some(match topic {
        RAW | MEDIA => Content::RawJson,
        EVENTS => Content::ChatEvent,
        CONSENT_LEDGER => Content::Consent,
        CLASSIFIED | CONSENTED | TAGGED => Content::Enriched,
        ALERTS => Content::Alert,
        ANONYMISED => Content::Anonymised,
        DLQ => Content::DeadLetter,
        CAPTURE_CURSOR => Content::CaptureCursor,
        ARCHIVE_ANCHORS => Content::ArchiveAnchor,
        _ => return None,
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_topic_has_a_content() {
        for t in ALL {
            assert!(content(t).is_some(), "{t}");
        }
        assert_eq!(content("other"), None);
    }
}
