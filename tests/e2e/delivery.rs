//! Counting what a run lost and duplicated: the archiver's own input (`chat.tagged` records
//! made from the sample fixture by the upstream stages, for tests that run the archiver
//! alone), the expectation of a synthetic run (`wcp run` over exactly what is in
//! `wecom.raw`), lost/duplicated/unexpected counts against it, and `wcp archive verify` over
//! every archive file of a run.

use std::collections::BTreeSet;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::time::Duration;

use super::kafka::{values_as_lines, RawProducer, TopicReader};
use super::outcome::{counts, read_archive_dir, Outcome, Sinks};
use super::procs::Pipeline;

/// (lost, duplicated, unexpected) of `got` against the ids in `want`.
pub fn loss_and_duplicates(got: &[String], want: &BTreeSet<String>) -> (usize, usize, usize) {
    let c = counts(got);
    let lost = want.iter().filter(|id| !c.contains_key(*id)).count();
    let duplicated = c.values().map(|n| n - 1).sum();
    let unexpected = c.keys().filter(|id| !want.contains(*id)).count();
    (lost, duplicated, unexpected)
}

/// The sample conversations as `chat.tagged` records (msgid suffixed with `suffix`, so a
/// second set is new to the archive): (msgid, Avro bytes).
pub fn tagged(suffix: &str) -> Vec<(String, Vec<u8>)> {
    let text = std::fs::read_to_string(super::repo_root().join("fixtures/wecom_samples.jsonl"))
        .expect("fixture");
    let policy = wcp_stages::Policy::builtin();
    let classifier = wcp_stages::classify::Classifier::builtin();
    let mut out = Vec::new();
    for line in text.lines() {
        let Ok(mut v) = serde_json::from_str::<serde_json::Value>(line) else {
            continue;
        };
        let Some(id) = v["msgid"].as_str().map(|m| format!("{m}{suffix}")) else {
            continue;
        };
        v["msgid"] = serde_json::Value::String(id.clone());
        let Ok(ing) = wcp_stages::ingest::ingest(v.to_string().as_bytes(), None) else {
            continue;
        };
        let ev = classifier.classify(ing.event);
        let ev = wcp_stages::consent::gate(ev, &Default::default(), &policy.consent);
        let ev = wcp_stages::retention::tag(ev, &policy.retention);
        out.push((id, wcp_schema::encode(&ev).expect("encode")));
    }
    assert!(out.len() > 20, "fixture gave {} events", out.len());
    out
}

/// Sends `records` to the pipeline's `chat.tagged`, partition 0.
pub fn produce_tagged(p: &Pipeline, records: &[(String, Vec<u8>)]) {
    let producer = RawProducer::new(&p.bootstrap);
    for (id, value) in records {
        producer.send(&p.topic("chat.tagged"), 0, id.as_bytes(), value);
    }
    producer.flush();
}

/// The archived msgids once every one of `want` is there (panics after `limit`).
pub fn wait_archived(dir: &Path, want: &BTreeSet<String>, limit: Duration) -> Vec<String> {
    super::wait_for("every message archived", limit, || {
        let rows: Vec<String> = read_archive_dir(dir).into_iter().map(|r| r.msgid).collect();
        let have: BTreeSet<&String> = rows.iter().collect();
        want.iter().all(|m| have.contains(m)).then_some(rows)
    })
}

/// `(region, path)` of every `archive-<region>.db` in `dir`, sorted.
pub fn archive_files(dir: &Path) -> Vec<(String, PathBuf)> {
    let mut out: Vec<(String, PathBuf)> = std::fs::read_dir(dir)
        .expect("archive dir")
        .flatten()
        .filter_map(|e| {
            let name = e.file_name().to_string_lossy().into_owned();
            let region = name.strip_prefix("archive-")?.strip_suffix(".db")?;
            Some((region.to_string(), e.path()))
        })
        .collect();
    out.sort();
    out
}

/// Runs `wcp archive verify` over every archive file in `dir`; panics with its output
/// unless each holds. Returns how many files were verified.
pub fn verify_archives(dir: &Path) -> usize {
    let files = archive_files(dir);
    for (_, db) in &files {
        let out = Command::new(super::wcp_bin())
            .args(["archive", "verify", "--db"])
            .arg(db)
            .output()
            .expect("run wcp archive verify");
        assert!(
            out.status.success(),
            "wcp archive verify {} failed:\n{}{}",
            db.display(),
            String::from_utf8_lossy(&out.stdout),
            String::from_utf8_lossy(&out.stderr)
        );
    }
    assert!(!files.is_empty(), "no archive in {}", dir.display());
    files.len()
}

/// Starts `wcp produce --synthetic n` (seed 7, capture seqs from `first_seq`, at `rate`
/// events/s or as fast as it goes) into the pipeline's `wecom.raw`, logging beside it.
pub fn spawn_synthetic(p: &Pipeline, n: u64, first_seq: u64, rate: Option<u64>) -> Producer {
    let out = p.dir.path().join(format!("produce-{first_seq}.out"));
    let err = p.dir.path().join(format!("produce-{first_seq}.err"));
    let mut cmd = Command::new(super::wcp_bin());
    cmd.args([
        "produce",
        "--bootstrap",
        &p.bootstrap,
        "--prefix",
        &p.prefix,
    ])
    .args(["--synthetic", &n.to_string(), "--seed", "7"])
    .args(["--first-seq", &first_seq.to_string()]);
    if let Some(r) = rate {
        cmd.args(["--rate", &r.to_string()]);
    }
    let child = cmd
        .stdout(Stdio::from(std::fs::File::create(&out).expect("log")))
        .stderr(Stdio::from(std::fs::File::create(&err).expect("log")))
        .spawn()
        .expect("spawn wcp produce");
    Producer { child, out, err }
}

/// A running `wcp produce`.
pub struct Producer {
    child: std::process::Child,
    out: PathBuf,
    err: PathBuf,
}

impl Producer {
    /// Waits for it; panics with its stderr unless it succeeded. Returns its report.
    pub fn finish(mut self) -> String {
        let status = self.child.wait().expect("wcp produce");
        let errors = std::fs::read_to_string(&self.err).unwrap_or_default();
        assert!(status.success(), "wcp produce failed: {errors}");
        std::fs::read_to_string(&self.out)
            .unwrap_or_default()
            .trim()
            .to_string()
    }
}

/// What `wcp run` makes of exactly the `events` records in the pipeline's `wecom.raw`.
pub fn expected_from_raw(p: &Pipeline, events: usize) -> Outcome {
    let mut raw = TopicReader::new(&p.bootstrap, &p.topic("wecom.raw"));
    assert!(
        raw.drain(events, Duration::from_secs(120)),
        "wecom.raw incomplete"
    );
    assert_eq!(
        raw.records.len(),
        events,
        "wecom.raw holds what was produced"
    );
    let dump = p.dir.path().join("raw.jsonl");
    std::fs::write(&dump, values_as_lines(&raw.records)).expect("write dump");
    drop(raw);
    let expected = Outcome::from_reference(&dump, &p.dir.path().join("reference"));
    assert!(
        !expected.alerts.is_empty(),
        "synthetic events raised no alert: nothing to check"
    );
    expected
}

/// The counts of one run against its expectation, archive and `chat.alerts`.
pub struct Tally {
    pub archive: (usize, usize, usize),
    pub alerts: (usize, usize, usize),
}

/// Waits up to `limit` for the sinks to hold `expected`, then counts what the archive and
/// `chat.alerts` (read_committed) lost, duplicated and hold unexpectedly, printing both lines
/// as `<test>: archive: expected E got G lost L duplicated D unexpected U`.
pub fn tally(test: &str, p: &mut Pipeline, expected: &Outcome, limit: Duration) -> Tally {
    let mut sinks = Sinks::new(p);
    let reached = sinks.wait_for(expected, limit, Duration::from_secs(5), || {});
    let got = sinks.outcome();
    let want_msgids: BTreeSet<String> = expected.archive.iter().map(|r| r.msgid.clone()).collect();
    let got_msgids: Vec<String> = got.archive.iter().map(|r| r.msgid.clone()).collect();
    let archive = loss_and_duplicates(&got_msgids, &want_msgids);
    let want_alerts: BTreeSet<String> = expected.alerts.iter().map(|a| a.0.clone()).collect();
    let got_alerts: Vec<String> = got.alerts.iter().map(|a| a.0.clone()).collect();
    let alerts = loss_and_duplicates(&got_alerts, &want_alerts);
    for (what, want, got, (l, d, u)) in [
        ("archive", want_msgids.len(), got_msgids.len(), archive),
        ("chat.alerts", want_alerts.len(), got_alerts.len(), alerts),
    ] {
        eprintln!(
            "{test}: {what}: expected {want} got {got} lost {l} duplicated {d} unexpected {u} \
             (drained: {reached})"
        );
    }
    if archive != (0, 0, 0) || alerts != (0, 0, 0) {
        let diff = got.diff(expected);
        eprintln!(
            "{test}: first differences from wcp run:\n{}",
            diff.iter().take(12).cloned().collect::<Vec<_>>().join("\n")
        );
    }
    Tally { archive, alerts }
}
