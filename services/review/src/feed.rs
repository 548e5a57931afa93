//! What enters the queue: alerts (from `alerts.jsonl` or the `chat.alerts` topic), each
//! routed to the region it names, or (no region) whose archive holds its message, and the sample of business
//! messages that raised no alert (drawn per day and supervised person, as they are archived).

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

/// The alert's message in the archive of region `i`, when that archive holds it (yet).
pub fn message_in(c: &Console, i: usize, msgid: &str) -> Option<ArchivedMessage> {
    if msgid.is_empty() {
        return None;
    }
    let archive = c.regions.get(i)?.archive()?;
    let m = lock(archive).message(msgid);
    m
}

#[derive(Debug, Default)]
pub struct FileReport {
    pub lines: u64,
    pub added: u64,
    /// Lines not queued (not an alert, or an alert for a region not served): (line number,
    /// reason). Nothing is dropped silently.
    pub rejected: Vec<(u64, String)>,
    /// Alerts whose message no archive holds: queued in the first region.
    pub unrouted: u64,
}

/// Adds the alerts of an `alerts.jsonl` (idempotent: alert ids already queued are skipped).
pub fn load_alerts_file(c: &Console, path: &Path) -> Result<FileReport, ReviewError> {
    let file = std::fs::File::open(path)?;
    let lines = std::io::BufReader::new(file)
        .lines()
        .enumerate()
        .map(|(n, l)| l.map(|l| (n as u64 + 1, l)));
    queue_lines(c, lines)
}

/// Adds the alerts of numbered `alerts.jsonl` lines (idempotent, as [`load_alerts_file`]).
pub fn queue_lines(
    c: &Console,
    lines: impl Iterator<Item = std::io::Result<(u64, String)>>,
) -> Result<FileReport, ReviewError> {
    let mut rep = FileReport::default();
    let mut per_region: Vec<Vec<NewItem>> = vec![Vec::new(); c.regions.len()];
    let served: Vec<&str> = c.regions.iter().map(|r| r.name.as_str()).collect();
    for line in lines {
        let (n, line) = line?;
        rep.lines += 1;
        if line.trim().is_empty() {
            continue;
        }
        let alert: Alert = match serde_json::from_str(&line) {
            Ok(a) => a,
            Err(e) => {
                rep.rejected.push((n, format!("not an alert: {e}")));
                continue;
            }
        };
        let (idx, m) = match crate::route::route(&alert, &served) {
            crate::route::Route::Region(i) => (i, message_in(c, i, &alert.msgid)),
            crate::route::Route::Unserved(region) => {
                let why = crate::route::unserved_reason(&region, &served);
                rep.rejected.push((n, why.to_string()));
                continue;
            }
            crate::route::Route::Lookup => locate(c, &alert.msgid).unwrap_or_else(|| {
                rep.unrouted += 1;
                (0, None)
            }),
        };
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

/// Business messages read from an archive per query (bounds memory on a large archive).
const SAMPLE_PAGE: u64 = 5_000;

/// The sample, drawn incrementally: each [`Sampler::tick`] reads the business messages
/// archived since the last tick (by archive row order, so a message archived late is still
/// drawn) and queues those [`sample::drawn`] picks for their own day and sender. Whether a
/// message is drawn depends only on (seed, day, person, msgid), and a message already queued
/// (its alert, an earlier draw) is skipped: a restart, which reads from the first row again,
/// adds nothing new. A region whose archive appears later is read from its first row.
pub struct Sampler {
    basis_points: u32,
    seed: String,
    /// Draw a message only at the tick after the one that first saw it archived, so its
    /// alert (consumed from `chat.alerts` meanwhile) is queued first and the message is not
    /// also drawn as a sample. Off for `wcp review --dir`, whose alerts are loaded before.
    settle: bool,
    /// Per region: (last row read, last row seen at the previous tick).
    after: Vec<(i64, i64)>,
}

impl Sampler {
    pub fn new(basis_points: u32, seed: &str, settle: bool) -> Sampler {
        Sampler {
            basis_points,
            seed: seed.to_string(),
            settle,
            after: Vec::new(),
        }
    }

    /// From now on, draw a message only at the tick after the one that first saw it (see
    /// `settle`): `wcp review --dir` draws everything at its start, then follows a folder a
    /// later `wcp run` may be writing, archive rows before their alerts.
    pub fn settle_from_now(&mut self) {
        self.settle = true;
    }

    /// Queues the drawn messages archived since the last tick; returns how many were added.
    pub fn tick(&mut self, c: &Console) -> Result<u64, ReviewError> {
        if self.basis_points == 0 {
            return Ok(0);
        }
        let err = |e: wcp_archive::ArchiveError| ReviewError::Invalid(e.to_string());
        self.after.resize(c.regions.len(), (0, 0));
        let mut added = 0;
        for (r, (after, seen)) in c.regions.iter().zip(self.after.iter_mut()) {
            let Some(arch) = r.archive() else { continue };
            let head = lock(arch).last_message_seq().map_err(err)?;
            let upto = if self.settle { *seen } else { head };
            *seen = head;
            while *after < upto {
                let (candidates, last) = lock(arch)
                    .business_after(*after, upto, SAMPLE_PAGE)
                    .map_err(err)?;
                let batch = drawn(&self.seed, self.basis_points, &lock(&r.store), candidates)?;
                let n = if batch.is_empty() {
                    0
                } else {
                    items::ingest(&mut lock(&r.store), &batch, &[], now_ms())?
                };
                c.metrics
                    .ingested
                    .with_label_values(&[r.name.as_str(), "sample"])
                    .inc_by(n);
                added += n;
                if last == *after {
                    break; // rows deleted since (expiry): nothing more up to `upto`
                }
                *after = last;
            }
        }
        Ok(added)
    }
}

/// The queue items of the drawn candidates not queued yet.
fn drawn(
    seed: &str,
    basis_points: u32,
    store: &wcp_review::RegionStore,
    candidates: Vec<wcp_archive::review_query::SampleCandidate>,
) -> Result<Vec<NewItem>, ReviewError> {
    let mut batch = Vec::new();
    for m in candidates {
        let day = wcp_archive::time::day(m.time_ms);
        if !sample::drawn(seed, &day, &m.sender, &m.msgid, basis_points)
            || items::has_msgid(store, &m.msgid)?
        {
            continue;
        }
        batch.push(NewItem {
            key: sample::key(&m.msgid),
            kind: "sample".into(),
            msgid: m.msgid,
            conversation_id: m.conversation_id,
            category: "sample".into(),
            severity: Severity::Low,
            rule_id: format!("sample.{}bp", basis_points),
            time_ms: m.time_ms,
            sender: m.sender,
            participants: m.participants,
            evidence: Vec::new(),
        });
    }
    Ok(batch)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::state::{Region, Settings, Shared};
    use wcp_review::{chain, ConsoleStore, RegionStore};

    /// A console serving cn and hk, no archive written yet.
    fn console(dir: &Path) -> Shared {
        let key = chain::load_or_create_key(&dir.join("review.key")).unwrap();
        let regions = ["cn", "hk"]
            .into_iter()
            .map(|n| {
                let db = dir.join(format!("review-{n}.db"));
                let store = RegionStore::open(&db, n, key.clone()).unwrap();
                Region::new(n.to_string(), store, None, None)
            })
            .collect();
        let store = ConsoleStore::open(&dir.join("review-console.db"), key).unwrap();
        Console::new(store, regions, Settings::default())
    }

    /// `wcp review --dir`'s alerts.jsonl: an alert goes to the region it names; one for a
    /// region not served is reported, not queued; a line without `region` (written before
    /// revision 3) still reads and goes to the first region when no archive holds its message.
    #[test]
    fn alerts_file_lines_are_queued_in_the_region_they_name() {
        let dir = tempfile::tempdir().unwrap();
        let c = console(dir.path());
        let line = |msgid: &str, region: &str| {
            format!(
                r#"{{"alert_id":"{msgid}:x","msgid":"{msgid}","conversation_id":"a|b","category":"x","severity":"high","rule_id":"r","time_ms":1,"evidence":[]{region}}}"#
            )
        };
        let file = dir.path().join("alerts.jsonl");
        let lines = [
            line("m-hk", r#","region":"hk""#),
            line("m-sg", r#","region":"sg""#),
            line("m-old", ""),
            "{broken".to_string(),
        ];
        std::fs::write(&file, lines.join("\n")).unwrap();
        let rep = load_alerts_file(&c, &file).unwrap();
        assert_eq!((rep.lines, rep.added, rep.unrouted), (4, 2, 1));
        let rejected: Vec<u64> = rep.rejected.iter().map(|(n, _)| *n).collect();
        assert_eq!(rejected, [2, 4]);
        assert!(
            rep.rejected[0].1.contains("region sg"),
            "{:?}",
            rep.rejected
        );
        assert!(rep.rejected[1].1.starts_with("not an alert"));
        let has = |i: usize, msgid: &str| items::has_msgid(&lock(&c.regions[i].store), msgid);
        assert!(has(1, "m-hk").unwrap() && !has(0, "m-hk").unwrap());
        assert!(has(0, "m-old").unwrap() && !has(1, "m-old").unwrap());
    }
}
