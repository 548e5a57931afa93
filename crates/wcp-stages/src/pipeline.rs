//! All stages chained for one process (`wcp run`, backfills, benchmarks). The Kafka services
//! call the same stage functions one hop at a time; this only sequences them, so the two
//! runners cannot drift apart.

use wcp_model::{Alert, AnonymisedEvent, ConsentRecord, DeadLetter, EnrichedEvent};

use crate::alert::{alerts_for, seq_gap_alert, RecallTracker};
use crate::anonymise::Anonymiser;
use crate::classify::Classifier;
use crate::consent::{gate, ConsentLedger};
use crate::ingest::{ingest, SeqTracker};
use crate::policy::Policy;
use crate::retention::tag;

/// What one raw input became.
#[derive(Debug)]
pub enum Outcome {
    DeadLetter(DeadLetter),
    Processed(Box<Processed>),
}

#[derive(Debug)]
pub struct Processed {
    /// The fully enriched event (clear content: stays in-process).
    pub enriched: EnrichedEvent,
    /// What the archive may store (reduced per the consent disposition).
    pub for_archive: EnrichedEvent,
    pub alerts: Vec<Alert>,
    pub anonymised: AnonymisedEvent,
    pub ledger: Option<ConsentRecord>,
}

pub struct Pipeline {
    policy: Policy,
    classifier: Classifier,
    anonymiser: Anonymiser,
    ledger: ConsentLedger,
    recalls: RecallTracker,
    seqs: SeqTracker,
}

impl Pipeline {
    pub fn new(policy: Policy, classifier: Classifier, anonymiser: Anonymiser) -> Pipeline {
        Pipeline {
            policy,
            classifier,
            anonymiser,
            ledger: ConsentLedger::default(),
            recalls: RecallTracker::default(),
            seqs: SeqTracker::default(),
        }
    }

    /// Make a consent change known before the stream reaches it. Consent takes effect at its
    /// own time (`agree_time`), not at its place in the stream, so a backfill applies every
    /// agree/disagree in the input first — as the consent-gate service, which reads the
    /// compacted ledger ahead of its input, does.
    pub fn preload_consent(&mut self, rec: &ConsentRecord) {
        self.ledger.apply(rec);
    }

    /// Run every stage over one raw message. `source` names where it came from
    /// (`file:line`) for dead letters.
    pub fn process(&mut self, raw: &[u8], source: &str, seq: Option<u64>) -> Outcome {
        let out = match ingest(raw, seq) {
            Ok(out) => out,
            Err(reason) => {
                return Outcome::DeadLetter(DeadLetter::new(
                    raw.to_vec(),
                    source.to_string(),
                    "ingest",
                    &reason,
                ))
            }
        };
        let mut alerts = Vec::new();
        if let Some(gap) = seq.and_then(|s| self.seqs.observe(s)) {
            alerts.push(seq_gap_alert(gap, out.event.time_ms));
        }
        if let Some(rec) = &out.consent {
            self.ledger.apply(rec);
        }
        let ev = self.classifier.classify(out.event);
        let ev = gate(ev, &self.ledger, &self.policy.consent);
        let enriched = tag(ev, &self.policy.retention);
        alerts.extend(alerts_for(&enriched, &self.policy.alert));
        for a in &alerts {
            self.recalls.remember_alert(a);
        }
        if let Some(a) = self.recalls.observe(&enriched) {
            self.recalls.remember_alert(&a);
            alerts.push(a);
        }
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
