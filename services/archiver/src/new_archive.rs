//! An archiver that finds no archive in `archive_dir` while its consumer group has committed
//! offsets was pointed at the wrong directory or lost its volume (a trial's 15g D6: a typo in
//! `archive_dir` started a second, empty archive in silence and archived the whole topic
//! again). A compliance archive must not start a second chain unnoticed, so the archiver
//! refuses to start unless `allow_new_archive` says a new archive is meant; with it, it warns.
//! A fresh deployment (no offsets committed) starts as before.
//!
//! The group's offsets are committed only once an archive holds them (`consume.rs`), so
//! committed offsets mean an archive existed.

use std::path::Path;
use std::time::Duration;

use rdkafka::consumer::{BaseConsumer, Consumer};
use rdkafka::{Offset, TopicPartitionList};
use wcp_runtime::{kafka, Config, RunCtx, RuntimeError};

use crate::settings::ArchiverSettings;

/// A group's committed offset on one partition.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Committed {
    pub topic: String,
    pub partition: i32,
    pub offset: i64,
}

/// What the start-up check found.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Verdict {
    /// An archive exists, or the group never committed: start.
    Start,
    /// No archive but committed offsets: warn (allowed) or refuse, with this message.
    Warn(String),
    Refuse(String),
}

/// The decision, pure: `has_archive` (an `archive-<region>.db` in `dir`), the group's
/// committed offsets, and whether a new archive was allowed.
pub fn judge(
    dir: &Path,
    has_archive: bool,
    group: &str,
    committed: &[Committed],
    allow_new_archive: bool,
) -> Verdict {
    let Some(max) = committed.iter().map(|c| c.offset).filter(|o| *o > 0).max() else {
        return Verdict::Start;
    };
    if has_archive {
        return Verdict::Start;
    }
    let mut parts: Vec<String> = committed
        .iter()
        .filter(|c| c.offset > 0)
        .map(|c| format!("{}[{}]={}", c.topic, c.partition, c.offset))
        .collect();
    parts.sort();
    let said = format!(
        "no archive in {} (no archive-<region>.db) but group {group} has committed offsets up \
         to {max} ({}): a wrong archive_dir or a lost volume?",
        dir.display(),
        parts.join(", ")
    );
    if allow_new_archive {
        Verdict::Warn(format!(
            "{said} Starting a new archive (allow_new_archive): the topic is read again from \
             its oldest record and a second chain begins"
        ))
    } else {
        Verdict::Refuse(format!(
            "{said} Not starting a second archive: point archive_dir at the existing archive \
             or restore it from a verified copy (docs/RUNBOOK.md, WcpServiceDown); to start a \
             new archive on purpose set allow_new_archive = true (WCP_ALLOW_NEW_ARCHIVE=true)"
        ))
    }
}

/// Runs the check before the archive directory is opened (nothing is created when it
/// refuses). `Err(Config)` (exit 2) on a refusal; Kafka errors as they are.
pub fn check(
    cfg: &Config,
    s: &ArchiverSettings,
    ctx: &RunCtx,
    topics: &[&str],
) -> Result<(), RuntimeError> {
    let dir = &s.archive_dir;
    let has_archive = !wcp_archive::Regions::new(dir)
        .existing()
        .map_err(|e| RuntimeError::Fatal(format!("archive {}: {e}", dir.display())))?
        .is_empty();
    if has_archive {
        return Ok(());
    }
    let group = cfg.group();
    // A broker that has just started answers NotCoordinator for a while.
    let committed = wcp_runtime::error::retry_transient("committed offsets check", || {
        committed(cfg, ctx, &group, topics)
    })?;
    match judge(dir, has_archive, &group, &committed, s.allow_new_archive) {
        Verdict::Start => Ok(()),
        Verdict::Warn(msg) => {
            tracing::warn!("{msg}");
            Ok(())
        }
        Verdict::Refuse(msg) => Err(RuntimeError::Config(vec![msg])),
    }
}

/// The offsets `group` committed on every partition of `topics` (read without joining it).
fn committed(
    cfg: &Config,
    ctx: &RunCtx,
    group: &str,
    topics: &[&str],
) -> Result<Vec<Committed>, RuntimeError> {
    let timeout = Duration::from_secs(10);
    // read_uncommitted: the offsets committed so far (`lag::measure` says why).
    let reader: BaseConsumer<kafka::PlainCtx> = kafka::client_config(cfg)
        .set("group.id", group)
        .set("isolation.level", "read_uncommitted")
        .create_with_context(kafka::PlainCtx::new(&ctx.metrics.brokers))?;
    let mut tpl = TopicPartitionList::new();
    for topic in topics {
        let md = reader.fetch_metadata(Some(topic), timeout)?;
        for t in md.topics() {
            for p in t.partitions() {
                tpl.add_partition(t.name(), p.id());
            }
        }
    }
    let offsets = reader.committed_offsets(tpl, timeout)?;
    Ok(offsets
        .elements()
        .iter()
        .filter_map(|e| match e.offset() {
            Offset::Offset(o) => Some(Committed {
                topic: e.topic().to_string(),
                partition: e.partition(),
                offset: o,
            }),
            _ => None,
        })
        .collect())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(topic: &str, partition: i32, offset: i64) -> Committed {
        Committed {
            topic: topic.into(),
            partition,
            offset,
        }
    }

    #[test]
    fn a_fresh_deployment_or_an_existing_archive_starts() {
        let dir = Path::new("/data/wcp");
        assert_eq!(
            judge(dir, false, "wcp-archiver", &[], false),
            Verdict::Start
        );
        let zero = [at("chat.tagged", 0, 0)];
        assert_eq!(judge(dir, false, "g", &zero, false), Verdict::Start);
        let some = [at("chat.tagged", 0, 1175)];
        assert_eq!(judge(dir, true, "g", &some, false), Verdict::Start);
    }

    #[test]
    fn no_archive_but_committed_offsets_is_refused_unless_allowed() {
        let dir = Path::new("/nonexistent/wcp");
        let c = [
            at("chat.tagged", 1, 300),
            at("chat.tagged", 0, 1175),
            at("chat.dlq", 0, 0),
        ];
        let Verdict::Refuse(msg) = judge(dir, false, "wcp-archiver", &c, false) else {
            panic!("not refused");
        };
        assert!(
            msg.starts_with(
                "no archive in /nonexistent/wcp (no archive-<region>.db) but group wcp-archiver \
                 has committed offsets up to 1175 (chat.tagged[0]=1175, chat.tagged[1]=300): a \
                 wrong archive_dir or a lost volume?"
            ),
            "{msg}"
        );
        assert!(msg.contains("allow_new_archive = true"), "{msg}");
        let Verdict::Warn(msg) = judge(dir, false, "wcp-archiver", &c, true) else {
            panic!("not a warning");
        };
        assert!(
            msg.contains("up to 1175") && msg.contains("second chain"),
            "{msg}"
        );
    }
}
