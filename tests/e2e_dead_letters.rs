//! #13 item 8: dead letters are kept in the region's archive with the archive's protection
//! and retention. A poison record reaches `chat.dlq` (ingest), the archiver keeps it sealed
//! to the DPO's key under the hash chain (its bytes can hold a non-consenting person's chat,
//! and whose they are cannot be known), `wcp archive verify` covers it, and expiry after
//! `[retention] dead_letter_days` removes it — no byte of it left in the file or the WAL.
mod e2e;

use std::path::Path;
use std::process::Command;
use std::time::Duration;

use e2e::kafka::RawProducer;
use e2e::procs::{require_binaries, Pipeline};

const TEST: &str = "e2e_dead_letters";
const SECRET: &str = "海豚计划细节 13712345673";

fn wcp(args: &[&str]) -> std::process::Output {
    let mut cmd = Command::new(e2e::wcp_bin());
    e2e::procs::without_wcp_env(&mut cmd);
    cmd.args(args).output().expect("wcp runs")
}

fn ok(args: &[&str]) -> String {
    let out = wcp(args);
    assert!(
        out.status.success(),
        "wcp {args:?}: {}{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8_lossy(&out.stdout).into_owned()
}

fn on_disk(db: &Path, needle: &str) -> bool {
    let wal = db.with_extension("db-wal");
    [db, wal.as_path()].iter().any(|p| {
        let bytes = std::fs::read(p).unwrap_or_default();
        bytes.windows(needle.len()).any(|w| w == needle.as_bytes())
    })
}

fn quarantined(db: &str) -> Vec<serde_json::Value> {
    ok(&["archive", "quarantine", "list", "--db", db, "--json"])
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).expect("JSON line"))
        .collect()
}

#[test]
fn a_dead_letter_is_archived_sealed_verified_and_expired() {
    let Some(bootstrap) = e2e::bootstrap_or_skip(TEST) else {
        return;
    };
    require_binaries(&["ingest", "archiver"]);
    let mut p = Pipeline::new(&bootstrap, "deadletters");
    p.create_topics(1);
    let dir = tempfile::tempdir().unwrap();
    let dpo = dir.path().join("dpo.key");
    ok(&[
        "archive",
        "keygen",
        "--quarantine",
        "--out",
        dpo.to_str().unwrap(),
    ]);
    // Dead letters expire as soon as they are archived, so the test can expire them now.
    let policy = dir.path().join("policy.toml");
    let text = wcp_stages::policy::BUILTIN_POLICY
        .replace("[retention]\n", "[retention]\ndead_letter_days = 0\n");
    assert!(text.contains("dead_letter_days = 0"));
    std::fs::write(&policy, text).unwrap();
    p.start(&["ingest"]);
    let pubkey = dir.path().join("dpo.pub");
    let mut archiver = p.spawn_extra(
        "archiver",
        "archiver",
        &[
            ("WCP_POLICY_FILE", policy.to_str().unwrap()),
            ("WCP_QUARANTINE_PUBLIC_KEY_FILE", pubkey.to_str().unwrap()),
        ],
    );
    archiver.wait_ready(Duration::from_secs(90));

    let poison = format!(
        r#"{{"msgid":"p1","action":"send","from":"wmDlqContact1","text":{{"content":"{SECRET}"#
    );
    let prod = RawProducer::new(&bootstrap);
    prod.send(&p.topic("wecom.raw"), 0, b"k", poison.as_bytes());
    prod.flush();

    let db = p.archive_dir().join("archive-cn.db");
    let db_s = db.to_str().unwrap().to_string();
    // (Polling every 200 ms: each poll is one read-only `wcp archive quarantine list`.)
    e2e::wait_for(
        "the dead letter in the archive",
        Duration::from_secs(90),
        || {
            (db.exists()
                && quarantined(&db_s).iter().any(|r| {
                    r["msgid"]
                        .as_str()
                        .is_some_and(|m| m.starts_with("dlq:ingest:"))
                }))
            .then_some(())
        },
    );
    let rows = quarantined(&db_s);
    let row = rows
        .iter()
        .find(|r| r["msgid"].as_str().unwrap().starts_with("dlq:ingest:"))
        .unwrap();
    assert_eq!(row["sealed"], true, "{row}");
    assert!(
        row["reason"].as_str().unwrap().contains("dead letter"),
        "{row}"
    );
    assert!(
        !on_disk(&db, "13712345673"),
        "a dead letter's bytes in clear"
    );
    assert!(
        !on_disk(&db, "wmDlqContact1"),
        "a dead letter's raw id in clear"
    );
    assert!(
        archiver.terminate(Duration::from_secs(30)),
        "archiver stops on SIGTERM"
    );

    // verify covers it (the record is in the chain and its row derives from it).
    ok(&["archive", "verify", "--db", &db_s]);
    // Expiry by the machine clock removes it (it is the whole archive: allow that share).
    ok(&[
        "archive",
        "configure",
        "--db",
        &db_s,
        "--actor",
        "admin",
        "--expire-max-share",
        "1",
    ]);
    let expired = ok(&[
        "archive",
        "expire",
        "--db",
        &db_s,
        "--actor",
        "retention-job",
    ]);
    assert!(expired.contains("dlq:ingest:"), "{expired}");
    assert!(quarantined(&db_s).is_empty());
    ok(&["archive", "verify", "--db", &db_s]);
    assert!(!on_disk(&db, "13712345673"));
    p.assert_all_running();
}
