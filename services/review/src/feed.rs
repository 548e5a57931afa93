//! What enters the queue: alerts (from `alerts.jsonl` or the `chat.alerts` topic), each
//! routed to the region whose archive holds its message, and the daily sample of business
//! messages that raised no alert.

use std::io::BufRead;
use std::path::Path;

use wcp_archive::ArchivedMessage;
use wcp_model::{Alert, Severity};
use wcp_review::items::{self, NewItem, Span};
use wcp_review::{sample, ReviewError};

use crate::state::{lock, now_ms, Console};

/// The queue item of an alert, with sender and participants from the archived message when
/// there is one (else from the conversation id, `a|b` for one-to-one chats).
pub fn to_item(a: &Alert, m: Option<&ArchivedMessage>) -> NewItem {
    let (sender, participants) = match m {
        Some(m) => (
            m.stored.from.id.clone(),
            m.stored
                .participant_ids()
                .into_iter()
                .map(String::from)
                .collect(),
        ),
        None => (
            String::new(),
            a.conversation_id.split('|').map(String::from).collect(),
        ),
    };
    NewItem {
        key: a.alert_id.clone(),
        kind: "alert".into(),
        msgid: a.msgid.clone(),
        conversation_id: a.conversation_id.clone(),
        category: a.category.clone(),
        severity: a.severity,
        rule_id: a.rule_id.clone(),
        time_ms: a.time_ms,
        sender,
        participants,
        evidence: a
            .evidence
            .iter()
            .map(|e| Span {
                start: e.start,
                end: e.end,
            })
            .collect(),
    }
}

/// The region whose archive holds the alert's message, with the message; None when no
/// archive has it (yet).
pub fn locate(c: &Console, msgid: &str) -> Option<(usize, Option<ArchivedMessage>)> {
    c.regions.iter().enumerate().find_map(|(i, r)| {
        let m = r.archive().and_then(|a| lock(a).message(msgid))?;
        Some((i, Some(m)))
    })
}

#[derive(Debug, Default)]
pub struct FileReport {
    pub lines: u64,
    pub added: u64,
    /// Lines that are not alerts: (line number, reason). Nothing is dropped silently.
    pub rejected: Vec<(u64, String)>,
    /// Alerts whose message no archive holds: queued in the first region.
    pub unrouted: u64,
}

/// Adds the alerts of an `alerts.jsonl` (idempotent: alert ids already queued are skipped).
pub fn load_alerts_file(c: &Console, path: &Path) -> Result<FileReport, ReviewError> {
    let file = std::fs::File::open(path)?;
    let mut rep = FileReport::default();
    let mut per_region: Vec<Vec<NewItem>> = vec![Vec::new(); c.regions.len()];
    for (n, line) in std::io::BufReader::new(file).lines().enumerate() {
        let line = line?;
        rep.lines += 1;
        if line.trim().is_empty() {
            continue;
        }
        let alert: Alert = match serde_json::from_str(&line) {
            Ok(a) => a,
            Err(e) => {
                rep.rejected.push((n as u64 + 1, e.to_string()));
                continue;
            }
        };
        let (idx, m) = locate(c, &alert.msgid).unwrap_or_else(|| {
            rep.unrouted += 1;
            (0, None)
        });
        per_region[idx].push(to_item(&alert, m.as_ref()));
    }
    for (r, batch) in c.regions.iter().zip(per_region) {
        if batch.is_empty() {
            continue;
        }
        let added = items::ingest(&mut lock(&r.store), &batch, &[], now_ms())?;
        c.metrics
            .ingested
            .with_label_values(&[r.name.as_str(), "alert"])
            .inc_by(added);
        rep.added += added;
    }
    Ok(rep)
}

/// Draws the sample for every day in [from_ms, to_ms) of each region's archive (all its days
/// when None). Re-running adds nothing new: draws are reproducible and keyed by msgid.
pub fn draw_samples(
    c: &Console,
    basis_points: u32,
    seed: &str,
    range: Option<(i64, i64)>,
) -> Result<u64, ReviewError> {
    if basis_points == 0 {
        return Ok(0);
    }
    let mut added = 0;
    for r in &c.regions {
        let Some(arch) = r.archive() else { continue };
        let candidates = {
            let arch = lock(arch);
            let span = match range {
                Some(x) => Some(x),
                None => arch
                    .time_range()
                    .map_err(|e| ReviewError::Invalid(e.to_string()))?
                    .map(|(a, b)| (a, b + 1)),
            };
            let Some((from, to)) = span else { continue };
            arch.business_by_staff(from, to)
                .map_err(|e| ReviewError::Invalid(e.to_string()))?
        };
        let mut batch = Vec::new();
        {
            let store = lock(&r.store);
            for m in candidates {
                let day = wcp_archive::time::day(m.time_ms);
                if !sample::drawn(seed, &day, &m.sender, &m.msgid, basis_points)
                    || items::has_msgid(&store, &m.msgid)?
                {
                    continue;
                }
                batch.push(NewItem {
                    key: sample::key(&m.msgid),
                    kind: "sample".into(),
                    msgid: m.msgid.clone(),
                    conversation_id: m.conversation_id.clone(),
                    category: "sample".into(),
                    severity: Severity::Low,
                    rule_id: format!("sample.{basis_points}bp"),
                    time_ms: m.time_ms,
                    sender: m.sender.clone(),
                    participants: m.participants.clone(),
                    evidence: Vec::new(),
                });
            }
        }
        let n = items::ingest(&mut lock(&r.store), &batch, &[], now_ms())?;
        c.metrics
            .ingested
            .with_label_values(&[r.name.as_str(), "sample"])
            .inc_by(n);
        added += n;
    }
    Ok(added)
}
