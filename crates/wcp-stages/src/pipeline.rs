//! All stages chained for one process (`wcp run`, backfills, benchmarks). The Kafka services
//! call the same steps one hop at a time ([`IngestStep`], [`Classifier`], [`ConsentGate`],
//! `retention::tag`, [`AlertStep`], [`Anonymiser`]); this only sequences them, so the two
//! runners cannot drift apart.

use wcp_model::{Alert, AnonymisedEvent, ConsentRecord, DeadLetter, EnrichedEvent};

use crate::alert::AlertStep;
use crate::anonymise::Anonymiser;
use crate::classify::Classifier;
use crate::consent::ConsentGate;
use crate::ingest::{IngestResult, IngestStep};
use crate::policy::Policy;
use crate::retention::{tag, RetentionPolicy};

/// What one raw input became.
#[derive(Debug)]
pub enum Outcome {
    /// Poison: the dead letter, plus the alerts the record raised anyway (a `seq` gap it
    /// revealed), emitted before the dead letter as the ingest service does.
    DeadLetter {
        letter: DeadLetter,
        alerts: Vec<Alert>,
    },
    /// A re-sent copy of a message already ingested (`IngestResult::Resent`): nothing but
    /// the alerts the record raised anyway (a `seq` gap it revealed).
    Resent {
        msgid: String,
        alerts: Vec<Alert>,
    },
    Processed(Box<Processed>),
}

#[derive(Debug)]
pub struct Processed {
    /// The fully enriched event (clear content: stays in-process).
    pub enriched: EnrichedEvent,
    /// What the archive may store (reduced per the consent disposition).
    pub for_archive: EnrichedEvent,
    /// A `seq` gap alert first (ingest), then the alerter's.
    pub alerts: Vec<Alert>,
    pub anonymised: AnonymisedEvent,
    pub ledger: Option<ConsentRecord>,
}

pub struct Pipeline {
    ingest: IngestStep,
    classifier: Classifier,
    consent: ConsentGate,
    retention: RetentionPolicy,
    alerts: AlertStep,
    anonymiser: Anonymiser,
}

impl Pipeline {
    pub fn new(policy: Policy, classifier: Classifier, anonymiser: Anonymiser) -> Pipeline {
        Pipeline {
            ingest: IngestStep::new(policy.input),
            classifier,
            consent: ConsentGate::new(policy.consent),
            retention: policy.retention,
            alerts: AlertStep::new(policy.alert, anonymiser.names()),
            anonymiser,
        }
    }

    /// A msgid the runner's outputs already hold (oldest first): a re-sent copy of it is
    /// recognised (see [`IngestStep::remember`]).
    pub fn remember_msgid(&mut self, msgid: &str) {
        self.ingest.remember(msgid);
    }

    /// An alert an earlier run wrote (oldest first): a flagged message it names is known to
    /// the recall check, as the alerter rebuilds it from `chat.alerts`
    /// ([`AlertStep::remember_published`]).
    pub fn remember_alert(&mut self, published: &Alert) {
        self.alerts.remember_published(published);
    }

    /// The consent record a raw line carries (see [`IngestStep::consent_of`]).
    pub fn consent_of(&self, raw: &[u8], capture_ms: i64) -> Option<ConsentRecord> {
        self.ingest.consent_of(raw, capture_ms)
    }

    /// Make a consent change known before the stream reaches it. Consent takes effect at its
    /// own time (`agree_time`), not at its place in the stream, so a backfill applies every
    /// agree/disagree in the input (and the ledger of earlier runs) first — as the
    /// consent-gate service, which reads the compacted ledger ahead of its input, does.
    pub fn preload_consent(&mut self, rec: &ConsentRecord) {
        self.consent.apply(rec);
    }

    /// What the archive keeps of a dead letter dead-lettered at `at_ms`: its bytes sealed
    /// like quarantine, in the default region, for `[retention] dead_letter_days`
    /// (`dead_letters::archived`), as the archiver keeps what it reads from `chat.dlq`.
    pub fn dead_letter_for_archive(&self, letter: &DeadLetter, at_ms: i64) -> EnrichedEvent {
        self.anonymiser.for_archive(crate::dead_letters::archived(
            letter,
            at_ms,
            &self.retention,
        ))
    }

    /// [`Pipeline::dead_letter_for_archive`] for a letter whose bytes were streamed, not
    /// held (`letter.original` empty), fingerprinted on the way
    /// ([`crate::dead_letters::Fingerprint`]).
    pub fn streamed_dead_letter_for_archive(
        &self,
        letter: &DeadLetter,
        fingerprint: u64,
        at_ms: i64,
    ) -> EnrichedEvent {
        self.anonymiser
            .for_archive(crate::dead_letters::archived_with(
                letter,
                fingerprint,
                at_ms,
                &self.retention,
            ))
    }

    /// A record over `[input] max_record_bytes` that the runner streams instead of holding:
    /// the ingest step's decision ([`IngestStep::oversize`]): a dead letter whose `original`
    /// the runner fills from its input, after the gap alert its `seq` reveals.
    pub fn oversize(
        &mut self,
        source: &str,
        seq: Option<u64>,
        len: u64,
        capture_ms: i64,
    ) -> (DeadLetter, Vec<Alert>) {
        let (gap, reason) = self.ingest.oversize(seq, len, capture_ms);
        self.ingest.commit();
        (
            DeadLetter::new(Vec::new(), source.to_string(), "ingest", &reason),
            gap.map(|(_, a)| a).into_iter().collect(),
        )
    }

    /// Run every stage over one raw message. `source` names where it came from
    /// (`file:line`) for dead letters; `seq` is its capture sequence number, `capture_ms`
    /// when it was captured.
    pub fn process(
        &mut self,
        raw: &[u8],
        source: &str,
        seq: Option<u64>,
        capture_ms: i64,
    ) -> Outcome {
        let ingested = self.ingest.process(raw, seq, capture_ms);
        // One process, nothing to roll back: every record is committed as it is decided
        // (which also keeps the msgid window within its bound).
        self.ingest.commit();
        let mut alerts: Vec<Alert> = ingested.gap.map(|(_, a)| a).into_iter().collect();
        let out = match ingested.result {
            IngestResult::Event(out) => *out,
            IngestResult::Resent { msgid } => return Outcome::Resent { msgid, alerts },
            IngestResult::Poison(reason) => {
                return Outcome::DeadLetter {
                    letter: DeadLetter::new(raw.to_vec(), source.to_string(), "ingest", &reason),
                    alerts,
                }
            }
        };
        if let Some(rec) = &out.consent {
            self.consent.apply(rec);
        }
        let ev = self.classifier.classify(out.event);
        let ev = self.consent.gate(ev);
        let enriched = tag(ev, &self.retention);
        alerts.extend(self.alerts.process(&enriched));
        let anonymised = self.anonymiser.anonymise(&enriched);
        let for_archive = self.anonymiser.for_archive(enriched.clone());
        Outcome::Processed(Box::new(Processed {
            enriched,
            for_archive,
            alerts,
            anonymised,
            ledger: out.consent,
        }))
    }
}
