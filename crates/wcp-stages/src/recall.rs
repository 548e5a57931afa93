//! Which messages were flagged and which recalls wait for their original, so a recall of a
//! flagged message alerts whichever arrives first.
//!
//! This state grows with the input: every flagged message must stay known, since its recall
//! may come at any later time. It is kept compact for that reason (issue #17: `wcp run` over
//! a 2 GB export): a msgid is held as 128 bits of its SHA-256 (as the re-sent window holds
//! it, [`crate::resent`]; a collision between two real msgids is about 2^-88 likely among a
//! million), regions and conversations as indexes into tables of their distinct names. A
//! flagged message costs about 24 bytes of table instead of ~130 (two `String`s and a
//! severity no one read), a waiting recall about 28 instead of ~200.

use std::collections::{HashMap, HashSet};

use wcp_model::{Alert, EnrichedEvent, EventKind, Severity};

use crate::resent::fingerprint;

/// A msgid (or alert id) as 128 bits of its SHA-256: no alignment padding in a table entry.
type Fp = [u8; 16];

/// Distinct strings (regions, conversations), each stored once and named by its index.
#[derive(Debug, Default, Clone)]
struct Names {
    names: Vec<String>,
    index: HashMap<String, u32>,
}

impl Names {
    fn id(&mut self, name: &str) -> u32 {
        if let Some(&i) = self.index.get(name) {
            return i;
        }
        // More than 2^32 distinct regions or conversations would exhaust memory first.
        let i = u32::try_from(self.names.len()).expect("fewer than 2^32 distinct names");
        self.names.push(name.to_string());
        self.index.insert(name.to_string(), i);
        i
    }

    fn name(&self, id: u32) -> &str {
        &self.names[id as usize]
    }
}

/// The alerter rebuilds it after a restart from its own output (`chat.alerts`) via
/// [`RecallTracker::remember_alert`].
#[derive(Debug, Default, Clone)]
pub struct RecallTracker {
    /// Flagged message → the region its alerts name (the recall alert is about that
    /// message, so it is filed where that message is archived).
    flagged: HashMap<Fp, Option<u32>>,
    /// Original msgid → the recall's conversation (as archived) and time.
    pending_recalls: HashMap<Fp, (u32, i64)>,
    /// Ids of the recall alerts already emitted.
    alerted: HashSet<Fp>,
    regions: Names,
    conversations: Names,
}

impl RecallTracker {
    /// Feed every alert produced (or read back) so the tracker knows flagged messages.
    pub fn remember_alert(&mut self, alert: &Alert) {
        if alert.category == "recall_of_flagged" {
            self.alerted
                .insert(fingerprint(&alert.alert_id).to_le_bytes());
        } else if !alert.msgid.is_empty() && alert.category != "consent_violation" {
            let region = alert.region.as_deref().map(|r| self.regions.id(r));
            let known = self
                .flagged
                .entry(fingerprint(&alert.msgid).to_le_bytes())
                .or_insert(region);
            // The first region named is kept.
            if known.is_none() {
                *known = region;
            }
        }
    }

    /// Observe an event (after its own alerts were remembered); returns a recall alert when
    /// a flagged message is recalled, in either arrival order.
    /// `conversation` is the event's conversation as archived (see [`crate::alert`]).
    pub fn observe(&mut self, ev: &EnrichedEvent, conversation: &str) -> Option<Alert> {
        let event = &ev.event;
        match &event.kind {
            EventKind::Recall { pre_msgid } => {
                let original = fingerprint(pre_msgid).to_le_bytes();
                if self.flagged.contains_key(&original) {
                    self.recall_alert(pre_msgid, conversation, event.time_ms)
                } else {
                    let conv = self.conversations.id(conversation);
                    self.pending_recalls.insert(original, (conv, event.time_ms));
                    None
                }
            }
            _ => {
                let original = fingerprint(&event.msgid).to_le_bytes();
                if !self.flagged.contains_key(&original) {
                    return None;
                }
                let (conv, t) = self.pending_recalls.remove(&original)?;
                let conv = self.conversations.name(conv).to_string();
                self.recall_alert(&event.msgid, &conv, t)
            }
        }
    }

    fn recall_alert(&mut self, original: &str, conversation: &str, time_ms: i64) -> Option<Alert> {
        let alert_id = format!("{original}:recall_of_flagged");
        if !self.alerted.insert(fingerprint(&alert_id).to_le_bytes()) {
            return None;
        }
        let region = self
            .flagged
            .get(&fingerprint(original).to_le_bytes())
            .copied()
            .flatten()
            .map(|r| self.regions.name(r).to_string());
        Some(Alert {
            alert_id,
            msgid: original.to_string(),
            conversation_id: conversation.to_string(),
            category: "recall_of_flagged".to_string(),
            severity: Severity::High,
            rule_id: "recall.flagged_message".to_string(),
            time_ms,
            evidence: Vec::new(),
            region,
        })
    }
}
