//! What one `wcp run` wrote: every counted line is an output of this run (a re-sent copy of a
//! message ingested earlier in this input or archived by an earlier run is a skipped
//! duplicate, not counted again).

use std::collections::BTreeMap;
use std::path::Path;

use serde::Serialize;
use wcp_model::{Alert, Disposition, EnrichedEvent};
use wcp_stages::alert::AlertPolicy;

#[derive(Debug, Default, Serialize)]
pub struct Summary {
    pub run_id: String,
    /// Lines holding a record (or what should have been one): each is accounted for below.
    pub input_lines: u64,
    /// Empty or whitespace-only lines, skipped: no record, nothing to dead-letter. With
    /// `input_lines` they are every line of the file (trial 17a D13: a 15-line file showed
    /// 14 and nothing said why).
    pub blank_lines: u64,
    pub archived: u64,
    pub archived_anonymised: u64,
    pub quarantined: u64,
    pub metadata_only: u64,
    pub dead_lettered: u64,
    /// Re-sent copies: valid records whose msgid is among the last `[input]
    /// duplicate_window` ingested (earlier in this input, or archived by an earlier run into
    /// this folder). The ingest step's decision, the ingest service's too: no row, alert
    /// (but a `seq_gap` it reveals), ledger or anonymised record is written again, so outputs
    /// never contradict the disposition of the first copy, which is archived. Not dead
    /// letters: nothing is wrong with them.
    pub duplicates_skipped: u64,
    /// Messages counted under their disposition whose msgid the archive already held (a copy
    /// re-sent after more than `duplicate_window` newer messages): outputs written, no second
    /// archive row. Informational: not part of `accounted()`.
    pub already_archived: u64,
    pub alerts: u64,
    pub recalls_applied: u64,
    pub recalls_pending: u64,
    /// Consent records loaded from earlier runs' ledger before this run.
    pub ledger_records_loaded: u64,
    pub by_msgtype: BTreeMap<String, u64>,
    pub by_class: BTreeMap<String, u64>,
    /// Messages per risk category that alerts (the same decision as `alerts.jsonl`).
    pub by_risk: BTreeMap<String, u64>,
    /// Messages per risk category found but not alerted (below the policy's alert floor).
    pub by_risk_not_alerted: BTreeMap<String, u64>,
    pub by_consent: BTreeMap<String, u64>,
    pub by_retention_rule: BTreeMap<String, u64>,
    pub by_region: BTreeMap<String, u64>,
    pub by_dead_letter_reason: BTreeMap<String, u64>,
    pub by_alert_category: BTreeMap<String, u64>,
}

impl Summary {
    /// Every input line ends in exactly one of these.
    pub fn accounted(&self) -> u64 {
        self.archived
            + self.archived_anonymised
            + self.quarantined
            + self.metadata_only
            + self.dead_lettered
            + self.duplicates_skipped
    }

    pub fn count(&mut self, ev: &EnrichedEvent, alert: &AlertPolicy) {
        *self.by_msgtype.entry(ev.event.msgtype.clone()).or_default() += 1;
        if let Some(c) = &ev.classification {
            *self.by_class.entry(c.class.as_str().into()).or_default() += 1;
            // One answer: a category alerts when any of its hits does (as in `alerts_for`).
            let mut cats: BTreeMap<&str, bool> = BTreeMap::new();
            for r in &c.risks {
                *cats.entry(r.category.as_str()).or_default() |= alert.why_not_alerted(r).is_none();
            }
            for (cat, alerts) in cats {
                let map = if alerts {
                    &mut self.by_risk
                } else {
                    &mut self.by_risk_not_alerted
                };
                *map.entry(cat.into()).or_default() += 1;
            }
        }
        if let Some(c) = &ev.consent {
            *self.by_consent.entry(c.state.as_str().into()).or_default() += 1;
        }
        if let Some(r) = &ev.retention {
            for rule in &r.rules {
                *self.by_retention_rule.entry(rule.clone()).or_default() += 1;
            }
            *self.by_region.entry(r.region.clone()).or_default() += 1;
        }
        match ev.disposition() {
            Disposition::Archive => self.archived += 1,
            Disposition::ArchiveAnonymised => self.archived_anonymised += 1,
            Disposition::Quarantine => self.quarantined += 1,
            Disposition::MetadataOnly => self.metadata_only += 1,
        }
    }

    pub fn alert(&mut self, a: &Alert) {
        self.alerts += 1;
        *self
            .by_alert_category
            .entry(a.category.clone())
            .or_default() += 1;
    }

    pub fn dead_letter(&mut self, code: &str) {
        self.dead_lettered += 1;
        *self
            .by_dead_letter_reason
            .entry(code.to_string())
            .or_default() += 1;
    }
}

pub fn print(s: &Summary, out: &Path) {
    println!("run {}", s.run_id);
    println!("input lines        {:>8}", s.input_lines);
    println!("  archived         {:>8}", s.archived);
    println!(
        "  archived anonym. {:>8}   (no consent for clear storage)",
        s.archived_anonymised
    );
    println!(
        "  quarantined      {:>8}   (consent not known yet)",
        s.quarantined
    );
    println!("  metadata only    {:>8}", s.metadata_only);
    println!("  dead-lettered    {:>8}", s.dead_lettered);
    println!(
        "  duplicates       {:>8}   (re-sent msgid: not written again)",
        s.duplicates_skipped
    );
    if s.already_archived > 0 {
        println!(
            "  already archived {:>8}   (re-sent beyond input.duplicate_window: one row kept)",
            s.already_archived
        );
    }
    if s.blank_lines > 0 {
        println!(
            "blank lines        {:>8}   (skipped: no record in them)",
            s.blank_lines
        );
    }
    println!("alerts             {:>8}", s.alerts);
    println!(
        "recalls applied    {:>8}   pending {}",
        s.recalls_applied, s.recalls_pending
    );
    let table = |title: &str, m: &BTreeMap<String, u64>| {
        if m.is_empty() {
            return;
        }
        println!("\n{title}");
        for (k, v) in m {
            println!("  {k:<28} {v:>8}");
        }
    };
    table("by class", &s.by_class);
    table("by risk category (alerted)", &s.by_risk);
    table(
        "by risk category (found, not alerted)",
        &s.by_risk_not_alerted,
    );
    table("by alert category", &s.by_alert_category);
    table("by consent state", &s.by_consent);
    table("by retention rule", &s.by_retention_rule);
    table("by region", &s.by_region);
    table("by dead-letter reason", &s.by_dead_letter_reason);
    table("by msgtype", &s.by_msgtype);
    println!(
        "\noutputs in {} (this run's lines carry run_id {:?}; runs.jsonl lists every run)",
        out.display(),
        s.run_id
    );
}
