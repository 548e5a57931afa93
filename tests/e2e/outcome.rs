//! What a pipeline run produced, read from the services (archive files + topics) or from
//! `wcp run --out DIR`, reduced to what must be equal: archive rows (msgid, disposition,
//! recall status), alert ids, anonymised (msgid, text) and dead letters (reason, bytes).

use std::collections::BTreeMap;
use std::path::Path;
use std::process::Command;

use wcp_model::{Alert, AnonymisedEvent, DeadLetter};

use super::kafka::Record;
use super::procs::ANON_KEY;
use super::wcp_bin;

#[derive(Debug, Clone, PartialEq, Eq, PartialOrd, Ord)]
pub struct ArchiveRow {
    pub region: String,
    pub msgid: String,
    pub disposition: String,
    pub recalled: bool,
}

#[derive(Debug, Default)]
pub struct Outcome {
    pub archive: Vec<ArchiveRow>,
    /// (alert id, category): the category only helps to explain a difference.
    pub alerts: Vec<(String, String)>,
    pub anonymised: Vec<(String, String)>,
    pub dead_letters: Vec<(String, Vec<u8>)>,
}

impl Outcome {
    /// The services' outcome: the archiver's SQLite files plus the decoded topic records.
    pub fn from_services(
        archive_dir: &Path,
        alerts: &[Record],
        anonymised: &[Record],
        dlq: &[Record],
    ) -> Outcome {
        let decode_err = |what: &str, e: &dyn std::fmt::Display| -> ! {
            panic!("a {what} record does not decode: {e}")
        };
        Outcome {
            archive: read_archive_dir(archive_dir),
            alerts: alerts
                .iter()
                .map(|r| match wcp_schema::decode::<Alert>(&r.value) {
                    Ok(a) => (a.alert_id, a.category),
                    Err(e) => decode_err("chat.alerts", &e),
                })
                .collect(),
            anonymised: anonymised
                .iter()
                .map(|r| match wcp_schema::decode::<AnonymisedEvent>(&r.value) {
                    Ok(a) => (a.msgid, a.text),
                    Err(e) => decode_err("chat.anonymised", &e),
                })
                .collect(),
            dead_letters: dlq
                .iter()
                .map(|r| match wcp_schema::decode::<DeadLetter>(&r.value) {
                    Ok(d) => (d.reason_code, d.original),
                    Err(e) => decode_err("chat.dlq", &e),
                })
                .collect(),
        }
    }

    /// Runs `wcp run --input FILE --out DIR` (same anonymisation key) and reads its output.
    pub fn from_reference(input: &Path, out: &Path) -> Outcome {
        Outcome::from_reference_with(input, out, &[])
    }

    /// [`Outcome::from_reference`] with more `wcp run` arguments (`--policy FILE`).
    pub fn from_reference_with(input: &Path, out: &Path, extra: &[&str]) -> Outcome {
        let res = Command::new(wcp_bin())
            .args(["run", "--input"])
            .arg(input)
            .arg("--out")
            .arg(out)
            .args(extra)
            .env("WCP_ANON_KEY", ANON_KEY)
            .output()
            .expect("run wcp run");
        assert!(
            res.status.success(),
            "wcp run failed: {}",
            String::from_utf8_lossy(&res.stderr)
        );
        let lines = |name: &str| -> Vec<serde_json::Value> {
            let text = std::fs::read_to_string(out.join(name)).unwrap_or_default();
            text.lines()
                .filter(|l| !l.trim().is_empty())
                .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("{name}: {e}")))
                .collect()
        };
        Outcome {
            archive: read_archive_dir(out),
            alerts: lines("alerts.jsonl")
                .into_iter()
                .map(|v| (str_field(&v, "alert_id"), str_field(&v, "category")))
                .collect(),
            anonymised: lines("anonymised.jsonl")
                .into_iter()
                .map(|v| (str_field(&v, "msgid"), str_field(&v, "text")))
                .collect(),
            dead_letters: lines("dead_letters.jsonl")
                .into_iter()
                .map(|v| match serde_json::from_value::<DeadLetter>(v) {
                    Ok(d) => (d.reason_code, d.original),
                    Err(e) => panic!("dead_letters.jsonl: {e}"),
                })
                .collect(),
        }
    }

    /// Every difference between `self` (the services) and `expected`, as readable lines.
    pub fn diff(&self, expected: &Outcome) -> Vec<String> {
        let mut out = Vec::new();
        diff_multiset("archive row", &self.archive, &expected.archive, &mut out);
        diff_multiset("alert", &self.alerts, &expected.alerts, &mut out);
        diff_multiset(
            "anonymised event",
            &self.anonymised,
            &expected.anonymised,
            &mut out,
        );
        let show = |v: &[(String, Vec<u8>)]| -> Vec<(String, String)> {
            v.iter()
                .map(|(c, b)| (c.clone(), String::from_utf8_lossy(b).into_owned()))
                .collect()
        };
        diff_multiset(
            "dead letter",
            &show(&self.dead_letters),
            &show(&expected.dead_letters),
            &mut out,
        );
        out
    }
}

/// Count of each distinct item.
pub fn counts<T: Ord + Clone>(items: &[T]) -> BTreeMap<T, usize> {
    let mut m = BTreeMap::new();
    for i in items {
        *m.entry(i.clone()).or_insert(0) += 1;
    }
    m
}

fn diff_multiset<T: Ord + Clone + std::fmt::Debug>(
    what: &str,
    got: &[T],
    want: &[T],
    out: &mut Vec<String>,
) {
    let (g, w) = (counts(got), counts(want));
    for (item, n) in &w {
        let have = g.get(item).copied().unwrap_or(0);
        if have < *n {
            out.push(format!("missing {what} ({have} of {n}): {item:?}"));
        }
    }
    for (item, n) in &g {
        let expected = w.get(item).copied().unwrap_or(0);
        if *n > expected {
            out.push(format!(
                "unexpected {what} ({n}, expected {expected}): {item:?}"
            ));
        }
    }
}

fn str_field(v: &serde_json::Value, key: &str) -> String {
    v.get(key)
        .and_then(|x| x.as_str())
        .unwrap_or_else(|| panic!("field {key} missing in {v}"))
        .to_string()
}

/// Rows of every `archive-<region>.db` in `dir`: archived messages and quarantined ones.
/// Archived dead letters (`dlq:…`, named by their source, which differs between the runners)
/// are left out: the dead letters themselves are compared by reason and bytes.
pub fn read_archive_dir(dir: &Path) -> Vec<ArchiveRow> {
    let mut rows = Vec::new();
    let Ok(entries) = std::fs::read_dir(dir) else {
        return rows;
    };
    for e in entries.flatten() {
        let name = e.file_name().to_string_lossy().into_owned();
        let Some(region) = name
            .strip_prefix("archive-")
            .and_then(|r| r.strip_suffix(".db"))
        else {
            continue;
        };
        // A file the archiver is still creating has no tables yet: read it next time.
        let Ok(conn) = rusqlite::Connection::open_with_flags(
            e.path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        ) else {
            continue;
        };
        let Ok(mut stmt) = conn.prepare(
            "SELECT msgid, disposition, recalled_at_ms IS NOT NULL FROM messages \
             UNION ALL SELECT msgid, 'quarantine', recalled_at_ms IS NOT NULL FROM quarantine \
             WHERE msgid NOT LIKE 'dlq:%'",
        ) else {
            continue;
        };
        let found = stmt
            .query_map([], |r| {
                Ok(ArchiveRow {
                    region: region.to_string(),
                    msgid: r.get(0)?,
                    disposition: r.get(1)?,
                    recalled: r.get(2)?,
                })
            })
            .expect("archive rows");
        rows.extend(found.map(|r| r.expect("archive row")));
    }
    rows
}

/// The stored JSON body of the archived message `msgid` (for consent and text checks).
pub fn archived_body(dir: &Path, msgid: &str) -> Option<serde_json::Value> {
    for e in std::fs::read_dir(dir).ok()?.flatten() {
        if !e.file_name().to_string_lossy().ends_with(".db") {
            continue;
        }
        let conn = rusqlite::Connection::open_with_flags(
            e.path(),
            rusqlite::OpenFlags::SQLITE_OPEN_READ_ONLY,
        )
        .ok()?;
        let body: Option<Vec<u8>> = conn
            .query_row(
                "SELECT r.body FROM records r JOIN msgids m ON m.seq = r.seq WHERE m.msgid = ?1",
                [msgid],
                |r| r.get(0),
            )
            .ok();
        if let Some(b) = body {
            return serde_json::from_slice(&b).ok();
        }
    }
    None
}

/// The pipeline's end points, read as they fill: the archive dir and three topics.
pub struct Sinks {
    archive_dir: std::path::PathBuf,
    pub alerts: super::kafka::TopicReader,
    pub anonymised: super::kafka::TopicReader,
    pub dlq: super::kafka::TopicReader,
}

impl Sinks {
    pub fn new(p: &super::procs::Pipeline) -> Sinks {
        use super::kafka::TopicReader;
        Sinks {
            archive_dir: p.archive_dir(),
            alerts: TopicReader::new(&p.bootstrap, &p.topic("chat.alerts")),
            anonymised: TopicReader::new(&p.bootstrap, &p.topic("chat.anonymised")),
            dlq: TopicReader::new(&p.bootstrap, &p.topic("chat.dlq")),
        }
    }

    pub fn poll(&mut self) {
        let t = std::time::Duration::from_millis(200);
        self.alerts.poll_for(t);
        self.anonymised.poll_for(t);
        self.dlq.poll_for(t);
    }

    pub fn outcome(&self) -> Outcome {
        Outcome::from_services(
            &self.archive_dir,
            &self.alerts.records,
            &self.anonymised.records,
            &self.dlq.records,
        )
    }

    /// Polls until every sink holds at least as much as `expected` and the topics are caught
    /// up (no open transaction), then keeps reading `settle` longer so that extra records
    /// (duplicates) are seen too. Returns whether the counts were reached within `limit`.
    pub fn wait_for(
        &mut self,
        expected: &Outcome,
        limit: std::time::Duration,
        settle: std::time::Duration,
        mut between: impl FnMut(),
    ) -> bool {
        let start = std::time::Instant::now();
        let mut reached = false;
        // When the counts are reached: (when, records seen then). A partition whose tail is
        // an aborted transaction (e.g. a producer re-created after a broker outage, on a
        // rarely written topic like chat.dlq) never lets the read_committed position reach
        // the end, so counts that stay put for 20 s also end the wait.
        let mut counts_reached: Option<(std::time::Instant, usize)> = None;
        while start.elapsed() < limit {
            self.poll();
            between();
            let archived = read_archive_dir(&self.archive_dir).len();
            let seen = archived
                + self.alerts.records.len()
                + self.anonymised.records.len()
                + self.dlq.records.len();
            if archived >= expected.archive.len()
                && self.alerts.records.len() >= expected.alerts.len()
                && self.anonymised.records.len() >= expected.anonymised.len()
                && self.dlq.records.len() >= expected.dead_letters.len()
            {
                if self.alerts.caught_up() && self.anonymised.caught_up() && self.dlq.caught_up() {
                    reached = true;
                    break;
                }
                match counts_reached {
                    Some((t, n)) if n == seen => {
                        if t.elapsed() > std::time::Duration::from_secs(20) {
                            reached = true;
                            break;
                        }
                    }
                    _ => counts_reached = Some((std::time::Instant::now(), seen)),
                }
            }
        }
        let end = std::time::Instant::now() + settle;
        while std::time::Instant::now() < end {
            self.poll();
        }
        reached
    }
}

/// Waits (up to 180 s) until the sinks hold what `expected` (from `wcp run`) holds, checks
/// every service of `p` still runs, prints both sets of counts for `test`, and fails with
/// the differences unless the services gave exactly `expected`. Returns what they gave.
pub fn assert_same_as_reference(
    test: &str,
    p: &mut super::procs::Pipeline,
    sinks: &mut Sinks,
    expected: &Outcome,
) -> Outcome {
    let reached = sinks.wait_for(
        expected,
        std::time::Duration::from_secs(180),
        std::time::Duration::from_secs(3),
        || {},
    );
    p.assert_all_running();
    let got = sinks.outcome();
    let diff = got.diff(expected);
    eprintln!(
        "{test}: wcp run: archive {} alerts {} anonymised {} dead letters {}; services: {} {} {} {} \
         (counts reached: {reached})",
        expected.archive.len(),
        expected.alerts.len(),
        expected.anonymised.len(),
        expected.dead_letters.len(),
        got.archive.len(),
        got.alerts.len(),
        got.anonymised.len(),
        got.dead_letters.len(),
    );
    assert!(
        diff.is_empty(),
        "{test}: services differ from wcp run:\n{}",
        diff.join("\n")
    );
    got
}
