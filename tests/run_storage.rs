//! `wcp run` when its output cannot be written (trial 17a D15, D16): a read-only volume, a
//! full one, a file-size limit. The error names the file (an archive with its region), says
//! which of the three it is and the fix, exits 2, and leaves no half-written line.
//!
//! A small or read-only volume without root: a tmpfs mounted in a user and mount namespace
//! of the test's own (`unshare --user --map-root-user --mount`). Where the kernel refuses
//! such namespaces the two volume cases are skipped loudly; the file-size limit (`ulimit
//! -f`, EFBIG) needs nothing. The archiver on a read-only volume also needs a broker
//! (`KAFKA_BOOTSTRAP`: it checks Kafka before it opens its archives).
mod e2e;

use std::path::{Path, PathBuf};
use std::process::Command;

fn wcp_bin() -> &'static str {
    env!("CARGO_BIN_EXE_wcp")
}

fn samples() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("fixtures/wecom_samples.jsonl")
}

/// Runs `script` with `sh -c` in a user and mount namespace (so it may mount a tmpfs), with
/// `$WCP`, `$IN` (the samples) and `$T` (a temp folder) set; `None` when the kernel does not
/// allow the namespace. Panics when the script fails (its set-up: exit 90-93).
fn in_namespace(t: &Path, script: &str) -> Option<()> {
    in_namespace_with(t, script, &[])
}

fn in_namespace_with(t: &Path, script: &str, env: &[(&str, String)]) -> Option<()> {
    let probe = Command::new("unshare")
        .args(["--user", "--map-root-user", "--mount", "true"])
        .output();
    if !probe.is_ok_and(|o| o.status.success()) {
        eprintln!(
            "\n*** run_storage: SKIPPED: `unshare --user --map-root-user --mount` is not \
             allowed here (no tmpfs without root) ***\n"
        );
        return None;
    }
    let mut cmd = Command::new("unshare");
    // No WCP_* variable of the test run reaches a service (it refuses one not its own).
    e2e::procs::without_wcp_env(&mut cmd);
    let out = cmd
        .args(["--user", "--map-root-user", "--mount", "sh", "-c", script])
        .env("WCP", wcp_bin())
        .env("IN", samples())
        .env("T", t)
        .env_remove("WCP_ANON_KEY")
        .envs(env.iter().map(|(k, v)| (*k, v)))
        .output()
        .expect("run unshare");
    assert!(
        out.status.success(),
        "set-up failed ({:?}): {}{}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr),
        std::fs::read_to_string(t.join("first.err")).unwrap_or_default()
    );
    Some(())
}

fn read(p: &Path) -> String {
    std::fs::read_to_string(p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

#[test]
fn a_read_only_output_volume_is_named_with_the_fix() {
    let t = tempfile::tempdir().unwrap();
    // A first run writes the folder; the volume then goes read-only and a second run tries
    // to append (and one tries a new folder there).
    let script = r#"
        mkdir -p "$T/mnt" && mount -t tmpfs -o size=8m none "$T/mnt" || exit 90
        "$WCP" run --input "$IN" --out "$T/mnt/o" >/dev/null 2>"$T/first.err" || exit 91
        mount -o remount,ro "$T/mnt" || exit 92
        "$WCP" run --input "$IN" --out "$T/mnt/o" >/dev/null 2>"$T/again.err"; echo $? >"$T/again.rc"
        "$WCP" run --input "$IN" --out "$T/mnt/new" >/dev/null 2>"$T/new.err"; echo $? >"$T/new.rc"
    "#;
    if in_namespace(t.path(), script).is_none() {
        return;
    }
    for case in ["again", "new"] {
        let err = read(&t.path().join(format!("{case}.err")));
        assert_eq!(
            read(&t.path().join(format!("{case}.rc"))).trim(),
            "2",
            "{case}: {err}"
        );
        assert!(
            err.contains(&format!("{}/mnt/", t.path().display()))
                && err.contains("Read-only file system")
                && err.contains("mounted read-only")
                && err.contains("choose an output folder on a writable volume")
                && !err.contains("another wcp command is writing"),
            "{case}: the error names the file, read-only and the fix:\n{err}"
        );
    }
}

#[test]
fn a_full_volume_is_named_and_leaves_no_half_line() {
    let t = tempfile::tempdir().unwrap();
    // A first run, then the volume is filled to all but 64 KiB and a second run appends the
    // samples ten times over (the archive's write-ahead log alone outgrows that).
    let script = r#"
        mkdir -p "$T/mnt" && mount -t tmpfs -o size=4m none "$T/mnt" || exit 90
        head -n 20 "$IN" >"$T/first.jsonl"
        for i in 1 2 3 4 5 6 7 8 9 10; do sed "s/\"msgid\": \"/\"msgid\": \"r$i-/" "$IN"; done >"$T/more.jsonl"
        "$WCP" run --input "$T/first.jsonl" --out "$T/mnt/o" >/dev/null 2>"$T/first.err" || exit 91
        dd if=/dev/zero of="$T/mnt/fill" bs=64k 2>/dev/null
        truncate -s -64k "$T/mnt/fill" || exit 92
        "$WCP" run --input "$T/more.jsonl" --out "$T/mnt/o" >/dev/null 2>"$T/full.err"; echo $? >"$T/full.rc"
        rm "$T/mnt/fill"
        cp -a "$T/mnt/o" "$T/after" || exit 93
    "#;
    if in_namespace(t.path(), script).is_none() {
        return;
    }
    let err = read(&t.path().join("full.err"));
    assert_eq!(read(&t.path().join("full.rc")).trim(), "2", "{err}");
    assert!(
        err.contains(&format!("{}/mnt/o/", t.path().display()))
            && err.contains("the volume holding the file named above is full")
            && err.contains("every line and archive batch whole"),
        "the error names the file, the full volume, what was kept and the fix:\n{err}"
    );
    if err.contains("archive-") {
        assert!(
            err.contains("region "),
            "an archive is named with its region:\n{err}"
        );
    }
    let after = t.path().join("after");
    for name in [
        "alerts.jsonl",
        "anonymised.jsonl",
        "dead_letters.jsonl",
        "consent_ledger.jsonl",
        "runs.jsonl",
    ] {
        let text = read(&after.join(name));
        assert!(
            text.is_empty() || text.ends_with('\n'),
            "{name} ends in a half-written line:\n{err}"
        );
        for (i, line) in text.lines().enumerate() {
            serde_json::from_str::<serde_json::Value>(line)
                .unwrap_or_else(|e| panic!("{name}:{}: not JSON ({e})", i + 1));
        }
    }
    // What the archives hold still verifies.
    for region in ["cn", "hk"] {
        let db = after.join(format!("archive-{region}.db"));
        if !db.exists() {
            continue;
        }
        let v = Command::new(wcp_bin())
            .args(["archive", "verify", "--db"])
            .arg(&db)
            .output()
            .unwrap();
        assert!(
            v.status.success(),
            "{region}: {}{}",
            String::from_utf8_lossy(&v.stdout),
            String::from_utf8_lossy(&v.stderr)
        );
    }
}

#[test]
fn a_file_size_limit_is_named_not_a_kill() {
    let t = tempfile::tempdir().unwrap();
    let out_dir = t.path().join("o");
    // 600 blocks of 512 bytes: the archive's write-ahead log outgrows it on the samples.
    let out = Command::new("sh")
        .args([
            "-c",
            r#"ulimit -f 600; exec "$WCP" run --input "$IN" --out "$OUT""#,
        ])
        .env("WCP", wcp_bin())
        .env("IN", samples())
        .env("OUT", &out_dir)
        .env_remove("WCP_ANON_KEY")
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&out.stderr);
    // Killed by SIGXFSZ it had no exit code (sh: 153) and said nothing.
    assert_eq!(out.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&out_dir.display().to_string())
            && err.contains("file-size limit")
            && err.contains("nothing half-made is left"),
        "{err}"
    );
    assert!(!out_dir.exists(), "the new folder was removed again");
}

/// Trial 17a D15: the archiver started on a read-only archive volume exited 1 with SQLite's
/// "unable to open database file". It stops (exit 1, fatal) naming archive_dir, the file,
/// read-only and the fix.
#[test]
fn the_archiver_on_a_read_only_volume_names_the_file_and_the_fix() {
    let Some(bootstrap) = e2e::bootstrap_or_skip("run_storage") else {
        return;
    };
    e2e::procs::require_binaries(&["archiver"]);
    let t = tempfile::tempdir().unwrap();
    let env = [
        (
            "ARCHIVER",
            e2e::bin_dir().join("wcp-archiver").display().to_string(),
        ),
        ("WCP_KAFKA_BOOTSTRAP", bootstrap),
        (
            "WCP_TOPIC_PREFIX",
            format!("e2e-storage-{}.", e2e::random_token()),
        ),
        (
            "WCP_OPS_ADDR",
            format!("127.0.0.1:{}", e2e::ports::free_port()),
        ),
        ("WCP_ANON_KEY", e2e::procs::ANON_KEY.to_string()),
    ];
    // An archive made by wcp run (the archiver's layout: archive-<region>.db and its key),
    // then the volume goes read-only and the archiver starts on it.
    let script = r#"
        mkdir -p "$T/mnt" && mount -t tmpfs -o size=8m none "$T/mnt" || exit 90
        env -u WCP_ANON_KEY "$WCP" run --input "$IN" --out "$T/mnt/o" >/dev/null 2>"$T/first.err" || exit 91
        mount -o remount,ro "$T/mnt" || exit 92
        WCP_ARCHIVE_DIR="$T/mnt/o" timeout 120 "$ARCHIVER" >"$T/archiver.log" 2>&1; echo $? >"$T/archiver.rc"
    "#;
    if in_namespace_with(t.path(), script, &env).is_none() {
        return;
    }
    let log = std::fs::read_to_string(t.path().join("archiver.log")).unwrap_or_default();
    assert_eq!(read(&t.path().join("archiver.rc")).trim(), "1", "{log}");
    let dir = t.path().join("mnt/o").display().to_string();
    assert!(
        log.contains(&format!("archive_dir {dir}: {dir}"))
            && log.contains("Read-only file system")
            && log.contains("mount it read-write")
            && log.contains("WCP_ARCHIVE_DIR")
            && !log.contains("unable to open database file"),
        "the archiver names the file, read-only and the fix:\n{log}"
    );
}
