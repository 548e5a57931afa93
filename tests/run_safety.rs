//! `wcp run` and `wcp demo` with careless and hostile input (issues #13, #14, #17): folders
//! they did not create, repeated runs into one folder, oversize lines, absurd times and ids,
//! a poison record that reveals a capture gap.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use wcp_model::DeadLetter;

fn wcp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(args)
        .env_remove("WCP_ANON_KEY")
        .output()
        .expect("wcp runs")
}

fn ok(out: Output) -> serde_json::Value {
    assert!(
        out.status.success(),
        "wcp failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    serde_json::from_slice(&out.stdout).unwrap_or(serde_json::Value::Null)
}

fn run(input: &Path, out: &Path, extra: &[&str]) -> Output {
    let mut args = vec![
        "run",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    wcp(&args)
}

fn write_lines(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn jsonl(p: &Path) -> Vec<serde_json::Value> {
    std::fs::read_to_string(p)
        .unwrap_or_default()
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn text(msgid: &str, from: &str, to: &str, t: i64, content: &str) -> String {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{from}","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{content}"}}}}"#
    )
}

const T: i64 = 1_732_600_000_000;

#[test]
fn out_refuses_a_folder_wcp_did_not_create_and_force_removes_only_its_own_files() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(tmp.path(), "in.jsonl", &[text("m1", "zw", "ls", T, "hi")]);
    let foreign = tmp.path().join("photos");
    std::fs::create_dir(&foreign).unwrap();
    std::fs::write(foreign.join("wedding.jpg"), "irreplaceable").unwrap();
    for out in [
        run(&input, &foreign, &[]),
        run(&input, &foreign, &["--force"]),
        wcp(&["demo", "--out", foreign.to_str().unwrap()]),
    ] {
        assert_eq!(out.status.code(), Some(2));
        assert!(String::from_utf8_lossy(&out.stderr).contains("not created by wcp"));
    }
    assert_eq!(
        std::fs::read_dir(&foreign).unwrap().count(),
        1,
        "nothing written"
    );

    let out = tmp.path().join("out");
    ok(run(&input, &out, &[]));
    std::fs::write(out.join("my-notes.txt"), "mine").unwrap();
    let s = ok(run(&input, &out, &["--force"]));
    assert_eq!(s["archived"], 1, "--force started over: {s}");
    assert_eq!(
        std::fs::read_to_string(out.join("my-notes.txt")).unwrap(),
        "mine"
    );
    assert_eq!(
        jsonl(&out.join("runs.jsonl")).len(),
        2,
        "one run after the reset"
    );

    // The demo replaces its own earlier files and nothing else.
    let demo = tmp.path().join("demo");
    ok(wcp(&["demo", "--out", demo.to_str().unwrap()]));
    std::fs::write(demo.join("keep.txt"), "mine").unwrap();
    ok(wcp(&["demo", "--out", demo.to_str().unwrap()]));
    assert!(demo.join("keep.txt").exists());
    assert_eq!(jsonl(&demo.join("runs.jsonl")).len(), 2, "a fresh demo run");
}

#[test]
fn keys_are_readable_by_their_owner_only() {
    use std::os::unix::fs::PermissionsExt;
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(tmp.path(), "in.jsonl", &[text("m1", "zw", "ls", T, "hi")]);
    let out = tmp.path().join("out");
    ok(run(&input, &out, &[]));
    for key in ["tenant.key", "archive-cn.key"] {
        let mode = std::fs::metadata(out.join(key))
            .unwrap()
            .permissions()
            .mode();
        assert_eq!(mode & 0o777, 0o600, "{key} is {mode:o}");
    }
    // An empty WCP_ANON_KEY is refused, as the services refuse it.
    let res = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["run", "--input", input.to_str().unwrap(), "--out"])
        .arg(tmp.path().join("out2"))
        .env("WCP_ANON_KEY", "")
        .output()
        .unwrap();
    assert_eq!(res.status.code(), Some(2));
    // Same loader, same words as the services (`wcp_runtime::stage_settings::tenant_key`).
    assert!(String::from_utf8_lossy(&res.stderr)
        .contains("the tenant key is required: set anon_key_file (config) or WCP_ANON_KEY_FILE (env) to its file, or WCP_ANON_KEY to the key itself"));
}

#[test]
fn two_files_into_one_folder_keep_the_disagree() {
    let tmp = tempfile::tempdir().unwrap();
    let disagree = format!(
        r#"{{"msgid":"d1","action":"send","from":"wmRefuser","tolist":["zhangwei"],"roomid":"","msgtime":{},"msgtype":"disagree","disagree":{{"userid":"wmRefuser","disagree_time":{}}}}}"#,
        T + 1_000,
        T + 1_000
    );
    let first = write_lines(
        tmp.path(),
        "day1.jsonl",
        &[
            disagree,
            text("a1", "zhangwei", "liuyang", T + 2_000, "staff only"),
        ],
    );
    let second = write_lines(
        tmp.path(),
        "day2.jsonl",
        &[
            text(
                "b1",
                "wmRefuser",
                "zhangwei",
                T + 86_400_000,
                "我的手机 13912345678 请回电",
            ),
            text("b2", "zhangwei", "liuyang", T + 86_400_100, "noted"),
        ],
    );
    let out = tmp.path().join("out");
    let s1 = ok(run(&first, &out, &[]));
    let s2 = ok(run(&second, &out, &[]));
    assert_eq!(s1["run_id"], "r1");
    assert_eq!(s2["run_id"], "r2");
    // The refusal of day 1 still governs day 2.
    assert_eq!(s2["ledger_records_loaded"], 1, "{s2}");
    assert_eq!(s2["archived_anonymised"], 1, "{s2}");
    assert_eq!(s2["quarantined"], 0, "{s2}");
    assert_eq!(s2["by_consent"]["disagreed"], 1, "{s2}");
    // Summaries count what each run wrote; outputs keep both runs, each line with its run.
    assert_eq!(
        (s1["input_lines"].as_u64(), s2["input_lines"].as_u64()),
        (Some(2), Some(2))
    );
    let ledger = jsonl(&out.join("consent_ledger.jsonl"));
    assert_eq!(ledger.len(), 1);
    assert_eq!(ledger[0]["run_id"], "r1");
    let anon = jsonl(&out.join("anonymised.jsonl"));
    let runs: Vec<&str> = anon.iter().map(|a| a["run_id"].as_str().unwrap()).collect();
    assert_eq!(runs, ["r1", "r1", "r2", "r2"]);
    assert!(!std::fs::read_to_string(out.join("anonymised.jsonl"))
        .unwrap()
        .contains("13912345678"));
    // A third run of day 2 writes nothing new: the archive's disposition stands.
    let s3 = ok(run(&second, &out, &[]));
    assert_eq!(s3["duplicates_skipped"], 2, "{s3}");
    assert_eq!(jsonl(&out.join("anonymised.jsonl")).len(), 4);
}

#[test]
fn oversize_lines_are_dead_lettered_byte_for_byte_without_being_held() {
    let tmp = tempfile::tempdir().unwrap();
    let policy = tmp.path().join("policy.toml");
    let text_policy = wcp_stages::policy::BUILTIN_POLICY
        .replace("max_record_bytes = 16777216", "max_record_bytes = 2000");
    assert_ne!(text_policy, wcp_stages::policy::BUILTIN_POLICY);
    std::fs::write(&policy, text_policy).unwrap();
    let big_text = text("big", "zw", "ls", T, &"长".repeat(3_000));
    let mut big_binary = vec![0xffu8; 5_000];
    big_binary[0] = b'{';
    let mut bytes = Vec::new();
    bytes.extend_from_slice(text("m1", "zw", "ls", T, "fine").as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(big_text.as_bytes());
    bytes.push(b'\n');
    bytes.extend_from_slice(&big_binary);
    bytes.extend_from_slice(b"\n");
    bytes.extend_from_slice(text("m2", "zw", "ls", T + 1, "fine too").as_bytes());
    let input = tmp.path().join("in.jsonl");
    std::fs::write(&input, &bytes).unwrap();
    let out = tmp.path().join("out");
    let s = ok(run(&input, &out, &["--policy", policy.to_str().unwrap()]));
    assert_eq!(s["input_lines"], 4);
    assert_eq!(s["archived"], 2);
    assert_eq!(s["by_dead_letter_reason"]["record_too_large"], 2, "{s}");
    let dls: Vec<DeadLetter> = jsonl(&out.join("dead_letters.jsonl"))
        .into_iter()
        .map(|v| serde_json::from_value(v).unwrap())
        .collect();
    assert_eq!(dls[0].original, big_text.as_bytes());
    assert!(dls[0].source.ends_with(":2"));
    assert!(dls[0].reason.contains("2000"));
    assert_eq!(dls[1].original, big_binary);
    let raw = jsonl(&out.join("dead_letters.jsonl"));
    assert_eq!(raw[0]["original_encoding"], "utf8");
    assert_eq!(raw[1]["original_encoding"], "base64");
}

#[test]
fn absurd_times_and_unusable_ids_are_dead_lettered_with_the_reason() {
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &[
            text("ok1", "zw", "ls", T, "fine"),
            r#"{"msgid":"far","action":"send","from":"zw","tolist":["ls"],"roomid":"","msgtime":99999999999999999999,"msgtype":"text","text":{"content":"x"}}"#.to_string(),
            text("old", "zw", "ls", 915_148_800_000, "1999"),
            text("ctl\u{1}id", "zw", "ls", T, "x"),
            text(&"x".repeat(300), "zw", "ls", T, "x"),
        ],
    );
    let out = tmp.path().join("out");
    let s = ok(run(&input, &out, &[]));
    assert_eq!(s["archived"], 1, "{s}");
    assert_eq!(s["by_dead_letter_reason"]["time_out_of_range"], 2, "{s}");
    assert_eq!(s["by_dead_letter_reason"]["invalid_id"], 2, "{s}");
    for dl in jsonl(&out.join("dead_letters.jsonl")) {
        assert!(dl["reason"].as_str().unwrap().contains("policy"), "{dl}");
    }
    // Trial 17a D7: the reason quotes the value as written and the bound it breaks.
    let reasons: Vec<String> = jsonl(&out.join("dead_letters.jsonl"))
        .iter()
        .map(|dl| dl["reason"].as_str().unwrap().to_string())
        .collect();
    assert!(
        reasons.iter().any(|r| r.starts_with(
            "field `msgtime` is 99999999999999999999 as written: more than 24 hours after capture"
        )),
        "{reasons:#?}"
    );
    assert!(
        reasons.iter().any(|r| r.starts_with(
            "field `msgtime` is 915148800000 as written: before 2000-01-01 (input.earliest)"
        )),
        "{reasons:#?}"
    );
}

#[test]
fn zero_and_negative_times_are_out_of_the_window_not_unreadable() {
    // Trial 17a D7: 0 and -1000 were "expected epoch milliseconds or seconds, found a number".
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &[
            text("zero", "zw", "ls", 0, "x"),
            String::new(),
            text("neg", "zw", "ls", -1000, "x"),
        ],
    );
    let out = tmp.path().join("out");
    let s = ok(run(&input, &out, &[]));
    // Trial 17a D13: the blank line is counted, so the summary adds up to the file's lines.
    assert_eq!(
        (s["input_lines"].as_u64(), s["blank_lines"].as_u64()),
        (Some(2), Some(1)),
        "{s}"
    );
    assert_eq!(s["by_dead_letter_reason"]["time_out_of_range"], 2, "{s}");
    let reasons: Vec<String> = jsonl(&out.join("dead_letters.jsonl"))
        .iter()
        .map(|dl| dl["reason"].as_str().unwrap().to_string())
        .collect();
    for written in ["0", "-1000"] {
        let want = format!("field `msgtime` is {written} as written: before 2000-01-01");
        assert!(reasons.iter().any(|r| r.starts_with(&want)), "{reasons:#?}");
    }
}

#[test]
fn a_mistyped_or_bad_archive_key_variable_is_refused_before_anything_is_written() {
    // Trial 17a D6: `WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CNN` was ignored and the archive written
    // plain; D8: a 64-character non-hex key was "got 64 characters"; D20: the bad key left a
    // half-made folder.
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(tmp.path(), "in.jsonl", &[text("m1", "zw", "ls", T, "hi")]);
    let key = tmp.path().join("cn.dbkey");
    std::fs::write(&key, "ab".repeat(32)).unwrap();
    let with_env = |out: &Path, var: &str, value: &str| {
        Command::new(env!("CARGO_BIN_EXE_wcp"))
            .args(["run", "--input", input.to_str().unwrap(), "--out"])
            .arg(out)
            .env_remove("WCP_ANON_KEY")
            .env(var, value)
            .output()
            .unwrap()
    };
    let out = tmp.path().join("ty1");
    let o = with_env(
        &out,
        "WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CNN",
        key.to_str().unwrap(),
    );
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(
            "unknown environment variable WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CNN \
             (did you mean WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN?)"
        ),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");

    let out = tmp.path().join("k2");
    let o = with_env(&out, "WCP_ARCHIVE_ENCRYPTION_KEY_CN", &"g".repeat(64));
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("$WCP_ARCHIVE_ENCRYPTION_KEY_CN: an encryption key is 64 hex characters")
            && err.contains("this one is not hexadecimal (character 1 is not 0-9 or a-f)")
            && !err.contains("got 64 characters"),
        "{err}"
    );
    assert!(!out.exists(), "nothing written");

    // A region without a key beside one with a key: written plain, and said so.
    let input = write_lines(
        tmp.path(),
        "two.jsonl",
        &[
            text("m1", "zw", "ls", T, "hi"),
            text("m2", "lina", "ls", T, "hk"),
        ],
    );
    let out = tmp.path().join("mixed");
    let o = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["run", "--input", input.to_str().unwrap(), "--out"])
        .arg(&out)
        .env_remove("WCP_ANON_KEY")
        .env("WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN", &key)
        .output()
        .unwrap();
    let err = String::from_utf8_lossy(&o.stderr);
    assert!(o.status.success(), "{err}");
    assert!(
        err.contains(&format!(
            "notice: {} is written unencrypted: neither $WCP_ARCHIVE_ENCRYPTION_KEY_FILE_HK nor \
             $WCP_ARCHIVE_ENCRYPTION_KEY_HK is set, while $WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN is",
            out.join("archive-hk.db").display()
        )),
        "{err}"
    );
    assert!(
        !err.contains("archive-cn.db is written unencrypted"),
        "{err}"
    );
}

/// Issue #14: a record that reveals a gap in the capture sequence and is itself poison
/// still raises the gap alert (the services' side is in services/ingest and e2e_equivalence).
#[test]
fn a_poison_record_that_reveals_a_gap_raises_the_gap_alert() {
    let tmp = tempfile::tempdir().unwrap();
    let with_seq = |seq: u64, line: String| format!("{{\"seq\":{seq},{}", &line[1..]);
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &[
            with_seq(1, text("s1", "zw", "ls", T, "one")),
            with_seq(
                5,
                r#"{"msgid":"s5","action":"send","from":"zw","tolist":["ls"],"roomid":"","msgtime":99999999999999999999,"msgtype":"text","text":{"content":"x"}}"#.to_string(),
            ),
            with_seq(6, text("s6", "zw", "ls", T + 1, "six")),
        ],
    );
    let out = tmp.path().join("out");
    let s = ok(run(&input, &out, &[]));
    assert_eq!(s["dead_lettered"], 1, "{s}");
    let alerts = jsonl(&out.join("alerts.jsonl"));
    let gaps: Vec<&str> = alerts
        .iter()
        .filter(|a| a["category"] == "seq_gap")
        .map(|a| a["alert_id"].as_str().unwrap())
        .collect();
    assert_eq!(gaps, ["seq_gap:2-4"]);
}

#[test]
fn demo_never_replaces_a_folder_a_run_wrote() {
    // Trial 17a D1: `wcp demo --out <a wcp run folder>` replaced that run's signed archive.
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(tmp.path(), "in.jsonl", &[text("m1", "zw", "ls", T, "hi")]);
    let made = tmp.path().join("made3");
    ok(run(&input, &made, &[]));
    let before = std::fs::read(made.join("archive-cn.db")).unwrap();
    let runs = std::fs::read(made.join("runs.jsonl")).unwrap();
    let o = wcp(&["demo", "--out", made.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "--out {}: this folder was made by `wcp run`",
            made.display()
        )) && err.contains("Choose a new or empty folder"),
        "{err}"
    );
    assert_eq!(std::fs::read(made.join("archive-cn.db")).unwrap(), before);
    assert_eq!(std::fs::read(made.join("runs.jsonl")).unwrap(), runs);
    assert!(!made.join("input.jsonl").exists());

    // A run into a demo folder (README "Your own messages") makes it the run's: the
    // newcomer's messages are then not replaced by the next demo either.
    let demo = tmp.path().join("demo");
    ok(wcp(&["demo", "--out", demo.to_str().unwrap()]));
    ok(wcp(&["demo", "--out", demo.to_str().unwrap()]));
    let s = ok(run(&input, &demo, &[]));
    assert_eq!(s["archived"], 1, "{s}");
    let before = std::fs::read(demo.join("archive-cn.db")).unwrap();
    let o = wcp(&["demo", "--out", demo.to_str().unwrap()]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("made by `wcp run`"), "{err}");
    assert_eq!(std::fs::read(demo.join("archive-cn.db")).unwrap(), before);
}

#[test]
fn a_symlink_in_a_wcp_folder_is_not_written_through() {
    // Trial 17a D11: `wcp run` appended a dead letter through a link planted in its folder.
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &[text("m1", "zw", "ls", T, "hi"), "{truncated".to_string()],
    );
    let out = tmp.path().join("made");
    ok(run(&input, &out, &[]));
    let outside = tmp.path().join("outside.txt");
    std::fs::write(&outside, "mine\n").unwrap();
    for name in ["dead_letters.jsonl", "archive-cn.pub"] {
        let link = out.join(name);
        let kept = out.join(format!("{name}.moved"));
        std::fs::rename(&link, &kept).unwrap();
        std::os::unix::fs::symlink(&outside, &link).unwrap();
        let again = write_lines(tmp.path(), "again.jsonl", &["{also truncated".to_string()]);
        let o = run(&again, &out, &[]);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{name}: {err}");
        assert!(
            err.contains(&format!("{}: is a symbolic link", link.display())),
            "{err}"
        );
        assert_eq!(std::fs::read_to_string(&outside).unwrap(), "mine\n");
        std::fs::remove_file(&link).unwrap();
        std::fs::rename(&kept, &link).unwrap();
    }
}

#[test]
fn the_review_console_creates_nothing_in_a_folder_wcp_does_not_own() {
    // Trial 17a D12: `wcp review --dir mine` failed, but only after creating
    // review-cn.db and review.key there; `user add` added review-console.db.
    let tmp = tempfile::tempdir().unwrap();
    let mine = tmp.path().join("mine");
    std::fs::create_dir(&mine).unwrap();
    std::fs::write(mine.join("notes.txt"), "mine").unwrap();
    let d = mine.to_str().unwrap();
    for args in [
        &["review", "--dir", d, "--addr", "127.0.0.1:0"][..],
        &[
            "review",
            "user",
            "add",
            "--dir",
            d,
            "--username",
            "ann",
            "--role",
            "reviewer",
        ][..],
    ] {
        let o = wcp(args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {err}");
        assert!(
            err.contains(&format!(
                "--dir {d}: not an output folder of `wcp run` or `wcp demo`"
            )),
            "{err}"
        );
        assert_eq!(
            std::fs::read_dir(&mine).unwrap().count(),
            1,
            "nothing created"
        );
    }
    // A new folder for the review service's accounts is fine.
    let store = tmp.path().join("store");
    std::fs::create_dir(&store).unwrap();
    let s = store.to_str().unwrap();
    ok(wcp(&[
        "review",
        "user",
        "add",
        "--dir",
        s,
        "--username",
        "ann",
        "--role",
        "reviewer",
    ]));
}

#[test]
fn a_failed_run_leaves_no_half_made_folder() {
    // Trial 17a D20: a run that failed on a bad key left keys, empty outputs and a `started`
    // with no `finished`. A signing key that is no key fails only when the region's archive
    // is opened, part-way through the run.
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(tmp.path(), "in.jsonl", &[text("m1", "zw", "ls", T, "hi")]);
    let bad_signing_key = |out: &Path| {
        // A message of its own: a re-sent one would not need the archive.
        let input = write_lines(
            out.parent().unwrap(),
            "in2.jsonl",
            &[text("m2", "zw", "ls", T, "hi")],
        );
        Command::new(env!("CARGO_BIN_EXE_wcp"))
            .args(["run", "--input", input.to_str().unwrap(), "--out"])
            .arg(out)
            .env_remove("WCP_ANON_KEY")
            .env("WCP_ARCHIVE_KEY_CN", "not a key")
            .output()
            .unwrap()
    };
    let out = tmp.path().join("new");
    let o = bad_signing_key(&out);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(err.contains("the run failed; removed the"), "{err}");
    assert!(!out.exists(), "the folder it made is gone: {err}");

    // An empty folder the user made stays, empty.
    let empty = tmp.path().join("empty");
    std::fs::create_dir(&empty).unwrap();
    let o = bad_signing_key(&empty);
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(std::fs::read_dir(&empty).unwrap().count(), 0);

    // A folder earlier runs wrote keeps their outputs, and the error says what is there.
    let made = tmp.path().join("made");
    ok(run(&input, &made, &[]));
    let o = bad_signing_key(&made);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains("the run failed part-way") && err.contains("--force"),
        "{err}"
    );
    assert!(made.join("archive-cn.db").exists());
}

/// `wcp ARGS` started under `umask 000` (through `sh`: setting a child's umask from Rust
/// needs unsafe code, which the workspace forbids).
fn wcp_umask_000(args: &[&str]) -> Output {
    Command::new("sh")
        .arg("-c")
        .arg("umask 000; exec \"$@\"")
        .arg("sh")
        .arg(env!("CARGO_BIN_EXE_wcp"))
        .args(args)
        .env_remove("WCP_ANON_KEY")
        .env_remove("WCP_ACTOR")
        .output()
        .expect("wcp runs")
}

/// Every file and folder under `root`, with its mode bits that let group or others in.
fn open_to_others(root: &Path) -> Vec<String> {
    use std::os::unix::fs::PermissionsExt;
    let mut open = Vec::new();
    let mut todo = vec![root.to_path_buf()];
    while let Some(p) = todo.pop() {
        let meta = std::fs::symlink_metadata(&p).unwrap();
        if meta.permissions().mode() & 0o077 != 0 {
            open.push(format!(
                "{} {:o}",
                p.display(),
                meta.permissions().mode() & 0o777
            ));
        }
        if meta.is_dir() {
            for e in std::fs::read_dir(&p).unwrap() {
                todo.push(e.unwrap().path());
            }
        }
    }
    open
}

#[test]
fn under_umask_000_what_wcp_writes_is_readable_by_its_owner_only() {
    // Trial 17a D9: archives, dead letters (original bytes), alerts, anonymised output,
    // exports and access logs hold chat content; they were 0666 under umask 000.
    let tmp = tempfile::tempdir().unwrap();
    let input = write_lines(
        tmp.path(),
        "in.jsonl",
        &[
            text("m1", "zw", "ls", T, "hi, call me on 13812345678"),
            "{truncated".to_string(),
        ],
    );
    let out = tmp.path().join("out");
    let (i, o) = (input.to_str().unwrap(), out.to_str().unwrap());
    ok(wcp_umask_000(&["run", "--input", i, "--out", o, "--json"]));
    assert!(out.join("dead_letters.jsonl").exists());
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    let exported = tmp.path().join("export");
    ok(wcp_umask_000(&[
        "archive",
        "export",
        "--db",
        db,
        "--actor",
        "counsel",
        "--format",
        "eml",
        "--out",
        exported.to_str().unwrap(),
    ]));
    assert!(std::fs::read_dir(&exported).unwrap().count() > 0);
    let open: Vec<String> = [out.as_path(), exported.as_path()]
        .iter()
        .flat_map(|p| open_to_others(p))
        .collect();
    assert!(open.is_empty(), "readable by others: {open:#?}");
}
