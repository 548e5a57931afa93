//! Every command in docs/RUNBOOK.md is run here, or listed below as skipped with the reason
//! (issue 15, item 8). Commands are the fenced `sh` blocks and the inline code spans that
//! start with a command (`wcp `, `kc `, `kubectl `, `docker `, `curl `, ...); a command that
//! is neither run nor listed fails the test, so a new RUNBOOK step needs a decision here.
//!
//! Run against a real broker: an ingest with a private topic prefix gets the malformed
//! fixture (so `chat.dlq` holds dead letters), and `wcp run` over the samples gives an archive
//! for `<file>`. Each command runs through `sh -c` in a scratch directory, in RUNBOOK order,
//! with the release `wcp` first on PATH; Kafka commands get `--prefix` (the test's isolation),
//! `localhost:9090` is the ops address of a running service as after `kc port-forward`: the
//! lag exporter's for `/metrics`, the ingest's otherwise.
mod e2e;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use e2e::kafka::TopicReader;
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "runbook_commands";

/// Commands that cannot run on this machine, by prefix, and why.
const SKIPPED: &[(&str, &str)] = &[
    ("kc ", "needs a Kubernetes cluster; the manifests are validated by scripts/ops-check.sh and every service of every overlay is booted by tests/e2e_deploy_boot.rs"),
    ("kubectl ", "needs a Kubernetes cluster (as `kc `)"),
    ("docker compose", "needs a Docker engine (none here); docker-compose.yml is checked by scripts/ops-check.sh and its services booted by tests/e2e_deploy_boot.rs"),
    ("docker run", "needs a Docker engine (none here); the shell steps run inside it are run below in a copy of the archive's directory"),
    ("wcp-capture ", "needs the capture's SDK library, keys and secret: run against the stand-in library by tests/e2e_capture_recover.rs"),
    ("fuser ", "runs in the busybox debug container of an archiver pod (`kc debug`): needs a Kubernetes cluster"),
    ("iostat ", "runs on the Kubernetes node that runs the archiver pod"),
    ("ldd ", "Tencent's SDK library is not on this machine (the capture tests use a stand-in)"),
];

/// Subcommand names mentioned in the prose, not command lines: `--help` proves they exist.
const NAMES: &[&str] = &[
    "wcp tail",
    "wcp produce --file",
    "wcp archive search",
    "wcp archive expire",
    "wcp archive rotate-key",
];

/// File steps run in the archive's directory (RUNBOOK WcpArchiveVerifyFailed: the evidence
/// copy and the restore), here in a copy of it with a stale `-wal`/`-shm` beside an altered
/// file, as the review console leaves them (trial 15h D12).
const FILE_STEPS: &[&str] = &["ls ", "mkdir ", "cp ", "mv "];

const COMMAND_STARTS: &[&str] = &[
    "wcp ",
    "wcp-capture ",
    "kc ",
    "kubectl ",
    "docker ",
    "curl ",
    "kafka-",
    "ldd ",
    "fuser ",
    "iostat ",
    "df ",
    "sqlite3 ",
];

/// The commands of a Markdown text, in order: fenced `sh` block lines and inline code spans
/// that start with a command.
fn commands(md: &str) -> Vec<String> {
    let mut out = Vec::new();
    let mut prose = String::new();
    let mut fenced = false;
    for line in md.lines() {
        if line.trim_start().starts_with("```") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            let l = line.trim();
            if !l.is_empty() && !l.starts_with('#') {
                out.push(l.to_string());
            }
        } else {
            prose.push_str(line);
            prose.push('\n');
        }
    }
    for (i, span) in prose.split('`').enumerate() {
        let span = span.split_whitespace().collect::<Vec<_>>().join(" ");
        if i % 2 == 1 && COMMAND_STARTS.iter().any(|c| span.starts_with(c)) {
            out.push(span);
        }
    }
    out
}

fn sh(dir: &Path, cmd: &str) -> (bool, String) {
    let bin = e2e::wcp_bin().canonicalize().expect("the wcp binary");
    let path = format!(
        "{}:{}",
        bin.parent().expect("bin dir").display(),
        std::env::var("PATH").unwrap_or_default()
    );
    let out = Command::new("sh")
        .arg("-c")
        .arg(cmd)
        .current_dir(dir)
        .env("PATH", path)
        .output()
        .expect("run sh");
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    (out.status.success(), text)
}

#[test]
fn the_extractor_finds_fenced_and_inline_commands() {
    let md = "Run `wcp lag --json` or\n```sh\nkc get pods\n# a comment\n```\nsee `wcp_ready` and `kc rollout\nrestart deploy/x`.";
    assert_eq!(
        commands(md),
        [
            "kc get pods",
            "wcp lag --json",
            "kc rollout restart deploy/x"
        ]
    );
}

#[test]
fn every_runbook_command_runs_or_is_skipped_with_a_reason() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["ingest", "lag-exporter"]);
    let runbook =
        std::fs::read_to_string(e2e::repo_root().join("docs/RUNBOOK.md")).expect("RUNBOOK");
    let cmds = commands(&runbook);
    assert!(cmds.len() > 30, "only {} commands found", cmds.len());

    let mut p = Pipeline::new(&bootstrap, "runbook");
    p.create_topics(1);
    p.start(&["ingest"]);
    let fixtures = e2e::repo_root().join("fixtures");
    p.produce_file(&fixtures.join("wecom_samples.jsonl"));
    p.produce_file(&fixtures.join("wecom_malformed.jsonl"));
    let mut dlq = TopicReader::new(&bootstrap, &p.topic("chat.dlq"));
    assert!(dlq.drain(1, Duration::from_secs(60)), "no dead letters");
    // A capture dead letter beside the ingest's: an encrypted envelope the replay step must
    // leave out (`--stage ingest`; RUNBOOK WcpCaptureDecryptFailures: never into wecom.raw).
    let envelope = br#"{"seq":77,"msgid":"env-77","publickey_ver":9,"encrypt_random_key":"ENVELOPE-NOT-A-MESSAGE"}"#;
    let capture_letter = wcp_model::DeadLetter {
        original: envelope.to_vec(),
        source: "wecom-archive/ww1/seq/77".into(),
        stage: "capture".into(),
        reason_code: "unknown_publickey_ver".into(),
        reason: "no private key of version 9".into(),
    };
    let producer = e2e::kafka::RawProducer::new(&bootstrap);
    producer.send(
        &p.topic("chat.dlq"),
        0,
        b"ww1",
        &wcp_schema::encode(&capture_letter).expect("encode"),
    );
    producer.flush();
    // A stale group (a removed region's archiver) for the WcpConsumerLagHigh step that
    // deletes one: offsets committed, no member.
    stale_group(
        &bootstrap,
        &format!("{}wcp-archiver-x", p.prefix),
        &p.topic("wecom.raw"),
    );
    // The capture's media group of a stopped corp, for the WcpCaptureMediaMissing step that
    // deletes it so the media stage fetches again (trial 19a D7).
    stale_group(
        &bootstrap,
        &format!("{}wcp-capture-media-ww1234", p.prefix),
        &p.topic("wecom.raw"),
    );
    let ops = p.service("ingest").ops_addr.clone();
    let mut exporter = p.spawn_extra(
        "lag-exporter",
        "lag-exporter",
        &[("WCP_LAG_INTERVAL_S", "1")],
    );
    exporter.wait_ready(Duration::from_secs(60));
    let lag_ops = exporter.ops_addr.clone();
    p.services.push(exporter);
    let work = p.dir.path().join("runbook");
    std::fs::create_dir_all(&work).expect("work dir");
    let (ok, text) = sh(
        &work,
        &format!(
            "wcp run --input {} --out demo",
            fixtures.join("wecom_samples.jsonl").display()
        ),
    );
    assert!(ok, "wcp run: {text}");
    // Region cn's archive, named as the RUNBOOK's commands name it (`archive-cn.db`): the
    // evidence copies below keep that name, and verify checks `meta.region` against it
    // (read_dir's order, which picked either region's, is the file system's).
    let archive = work.join("demo").join("archive-cn.db");
    assert!(archive.is_file(), "no archive-cn.db from wcp run");

    // The evidence of RUNBOOK WcpArchiveVerifyFailed step 3's `--wal` example: an encrypted
    // copy with a WAL the archiver saved, one frame of it changed (trial 15j D2).
    saved_wal_evidence(&work, &archive);
    let region = archive_region(&archive);
    let volume = work.join("volume");
    altered_volume_with_stale_wal(&archive, &volume, &region);

    let mut ran = Vec::new();
    let mut skipped = Vec::new();
    let mut problems = Vec::new();
    for cmd in &cmds {
        if let Some((_, why)) = SKIPPED.iter().find(|(p, _)| cmd.starts_with(p)) {
            skipped.push(format!("{cmd}  -- {why}"));
            continue;
        }
        if FILE_STEPS.iter().any(|p| cmd.starts_with(p)) {
            let line = cmd.replace("<region>", &region);
            let (ok, text) = sh(&volume, &line);
            if !ok {
                problems.push(format!(
                    "{line} (in the archive's directory): failed:\n{text}"
                ));
            }
            ran.push(line);
            continue;
        }
        let line = if NAMES.contains(&cmd.as_str()) {
            let words: Vec<&str> = cmd.split(' ').filter(|w| !w.starts_with('-')).collect();
            format!("{} --help", words.join(" "))
        } else if !cmd.starts_with("wcp ") && !cmd.starts_with("curl ") {
            problems.push(format!(
                "{cmd}: neither run nor skipped (add it to SKIPPED with why)"
            ));
            continue;
        } else {
            let mut l = cmd
                .replace("<file>", &archive.display().to_string())
                .replace("localhost:9090/metrics", &format!("{lag_ops}/metrics"))
                .replace("localhost:9090", &ops);
            let kafka = ["wcp lag", "wcp tail", "wcp produce"];
            if kafka.iter().any(|k| l.starts_with(k)) {
                l.push_str(&format!(" --prefix {}", p.prefix));
            }
            l
        };
        if line.contains('<') && !line.contains(" > ") {
            problems.push(format!("{cmd}: a placeholder the test does not fill"));
            continue;
        }
        let (ok, text) = sh(&work, &line);
        if line.contains(" --wal ") {
            // Evidence of a changed WAL frame: the verify must fail and name it.
            if ok || !text.contains("in the copy the archiver saved, is damaged") {
                problems.push(format!(
                    "{line}: the saved WAL's damage not reported:\n{text}"
                ));
            }
            ran.push(line);
            continue;
        }
        if !ok {
            problems.push(format!("{line}: failed:\n{text}"));
            continue;
        }
        // What each kind of command must show, so a command that does nothing fails.
        let shown = if let Some(rest) = line.strip_prefix("wcp lag --delete-group ") {
            // Each deletes the group it names (checked before the other `wcp lag` lines,
            // whose check any output naming a group would pass).
            let group = rest.split(' ').next().unwrap_or_default();
            text.contains(&format!("deleted consumer group {}{group}", p.prefix))
        } else if line.starts_with("wcp lag") && !line.contains("--help") {
            text.contains(&format!("{}wcp-", p.prefix)) || text.contains("no consumer group")
        } else if line.starts_with("wcp tail chat.dlq") {
            !text.trim().is_empty()
        } else if line.contains("/metrics") {
            text.contains("wcp_consumergroup_lag{")
        } else if line.starts_with("curl") {
            text.contains("ready")
        } else {
            true
        };
        if !shown {
            problems.push(format!("{line}: unexpected output:\n{text}"));
        }
        ran.push(line);
    }
    // Bytes: the originals are written exactly, and some are not UTF-8.
    let replay = std::fs::read(work.join("replay.jsonl")).unwrap_or_default();
    if cmds.iter().any(|c| c.contains("> replay.jsonl")) && replay.is_empty() {
        problems.push("replay.jsonl is empty: the DLQ replay step wrote nothing".into());
    }
    // Only the ingest's: the capture's envelope is not in what gets replayed into wecom.raw.
    if replay
        .windows(b"ENVELOPE-NOT-A-MESSAGE".len())
        .any(|w| w == b"ENVELOPE-NOT-A-MESSAGE")
    {
        problems.push("replay.jsonl holds the capture's encrypted envelope".into());
    }
    let (ok, text) = sh(
        &work,
        &format!(
            "wcp tail chat.dlq --from-beginning --originals --stage capture --exit-when-idle 3 --prefix {}",
            p.prefix
        ),
    );
    assert!(ok && text.contains("ENVELOPE-NOT-A-MESSAGE"), "{text}");
    let (ok, text) = sh(&work, "wcp tail chat.dlq --stage ingset --exit-when-idle 1");
    assert!(
        !ok && text.contains("\"ingset\" is not a stage") && text.contains("one of: capture"),
        "{text}"
    );
    eprintln!(
        "RUNBOOK: {} commands run:\n  {}\n{} skipped:\n  {}",
        ran.len(),
        ran.join("\n  "),
        skipped.len(),
        skipped.join("\n  ")
    );
    if !ran
        .iter()
        .any(|l| l.starts_with("wcp lag --delete-group wcp-archiver-x"))
    {
        problems.push("the stale-group step (wcp lag --delete-group) did not run".into());
    }
    if !ran
        .iter()
        .any(|l| l.starts_with("wcp lag --delete-group wcp-capture-media-ww1234"))
    {
        problems.push("the media re-fetch step (wcp lag --delete-group) did not run".into());
    }
    // After the RUNBOOK's evidence and restore steps: the evidence holds the WAL, the altered
    // set (stale WAL included) is aside, and the restored archive verifies.
    let wal = format!("archive-{region}.db-wal");
    for dir in ["evidence", "altered"] {
        if !volume.join(dir).join(&wal).exists() {
            problems.push(format!("the RUNBOOK's file steps left no {dir}/{wal}"));
        }
    }
    let (ok, text) = sh(
        &volume,
        &format!("wcp archive verify --db archive-{region}.db"),
    );
    if !ok {
        problems.push(format!(
            "after the RUNBOOK's restore steps, wcp archive verify fails:\n{text}"
        ));
    }
    assert!(problems.is_empty(), "{}", problems.join("\n"));
    assert!(ran.len() >= 8, "only {} commands ran", ran.len());
}

/// `cn` of `.../archive-cn.db`.
fn archive_region(archive: &Path) -> String {
    let name = archive.file_stem().and_then(|s| s.to_str()).expect("name");
    name.strip_prefix("archive-")
        .expect("archive-<region>.db")
        .to_string()
}

/// `volume/` as the archiver's volume looks after tampering while the review console is up:
/// `archive-<region>.db` changed (one record's body) and the `-wal`/`-shm` of that change
/// still beside it (a reader kept them open, so the writer's close could not checkpoint them
/// away); `volume/backup/` holds the verified archive from before.
fn altered_volume_with_stale_wal(archive: &Path, volume: &Path, region: &str) {
    let backup = volume.join("backup");
    std::fs::create_dir_all(&backup).expect("backup dir");
    let name = format!("archive-{region}.db");
    std::fs::copy(archive, backup.join(&name)).expect("backup copy");
    let db = volume.join(&name);
    std::fs::copy(archive, &db).expect("volume copy");
    let reader = rusqlite::Connection::open(&db).expect("open the reader");
    let n: i64 = reader
        .query_row("SELECT count(*) FROM records", [], |r| r.get(0))
        .expect("read");
    assert!(n > 0, "the demo archive has records");
    let writer = rusqlite::Connection::open(&db).expect("open the writer");
    writer
        .execute("UPDATE records SET body = X'00' WHERE seq = 1", [])
        .expect("alter a record");
    drop(writer);
    let stale = |suffix: &str| volume.join(format!("{name}{suffix}"));
    let wal = std::fs::read(stale("-wal")).expect("the WAL the reader keeps");
    let shm = std::fs::read(stale("-shm")).expect("the -shm the reader keeps");
    drop(reader);
    std::fs::write(stale("-wal"), wal).expect("stale -wal");
    std::fs::write(stale("-shm"), shm).expect("stale -shm");
}

/// `work/evidence/archive-cn.db`, an encrypted copy of `archive` under `work/cn.key`, with
/// `archive-cn.db-wal.damaged-20261207T181500.123Z` beside it: a WAL of two commits on it, as
/// the archiver saves one, with a byte of its first frame changed. The `.db` itself is clean.
fn saved_wal_evidence(work: &Path, archive: &Path) {
    use wcp_archive::at_rest;
    let hex = "5a".repeat(32);
    std::fs::write(work.join("cn.key"), &hex).expect("key file");
    let key = at_rest::DbKey::parse(&hex).expect("a key");
    let (ok, text) = sh(
        work,
        &format!(
            "wcp archive rekey --db {} --new-key-file cn.key --out evidence/archive-cn.db",
            archive.display()
        ),
    );
    assert!(ok, "rekey: {text}");
    let db = work.join("evidence/archive-cn.db");
    let clean = std::fs::read(&db).expect("the encrypted copy");
    at_rest::set_key(
        &db,
        Some(at_rest::Keyed {
            key,
            source: "test".into(),
        }),
    );
    // A reader keeps the WAL from being checkpointed while it is copied.
    let reader = at_rest::open_rw(&db).expect("open the reader");
    reader
        .query_row("SELECT count(*) FROM records", [], |r| r.get::<_, i64>(0))
        .expect("read");
    let writer = at_rest::open_rw(&db).expect("open the writer");
    writer
        .execute_batch("CREATE TABLE scratch_a(x); CREATE TABLE scratch_b(x)")
        .expect("first commit");
    writer
        .execute_batch("INSERT INTO scratch_a VALUES (1)")
        .expect("second commit");
    let mut wal = std::fs::read(work.join("evidence/archive-cn.db-wal")).expect("the WAL");
    drop(writer);
    drop(reader);
    assert!(wal.len() > 32 + 3 * (24 + 16_384), "{} bytes", wal.len());
    wal[32 + 24 + 300] ^= 0x01;
    std::fs::write(
        work.join("evidence/archive-cn.db-wal.damaged-20261207T181500.123Z"),
        &wal,
    )
    .expect("saved WAL");
    // Only the saved copy is damaged: the database is put back as it was.
    for f in ["-wal", "-shm"] {
        let _ = std::fs::remove_file(work.join(format!("evidence/archive-cn.db{f}")));
    }
    std::fs::write(&db, clean).expect("the clean copy back");
}

/// A consumer group with an offset committed on `topic` and no member, as a removed
/// deployment leaves it.
fn stale_group(bootstrap: &str, group: &str, topic: &str) {
    use rdkafka::consumer::{BaseConsumer, CommitMode, Consumer};
    let c: BaseConsumer = rdkafka::ClientConfig::new()
        .set("bootstrap.servers", bootstrap)
        .set("group.id", group)
        .create()
        .expect("consumer");
    let mut tpl = rdkafka::TopicPartitionList::new();
    tpl.add_partition_offset(topic, 0, rdkafka::Offset::Offset(1))
        .expect("offset");
    c.commit(&tpl, CommitMode::Sync)
        .expect("commit the stale group's offset");
}
