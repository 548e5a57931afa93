//! Acceptance of the in-process pipeline (`wcp run`) on the shipped WeCom fixtures.

use std::path::{Path, PathBuf};
use std::process::Command;

use wcp_archive::{Archive, ArchiveOptions};
use wcp_model::{Alert, DeadLetter};

fn fixture(name: &str) -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("fixtures")
        .join(name)
}

fn wcp(args: &[&str]) -> std::process::Output {
    let out = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(args)
        .output()
        .expect("wcp runs");
    assert!(
        out.status.success(),
        "wcp {args:?} failed: {}\n{}",
        String::from_utf8_lossy(&out.stdout),
        String::from_utf8_lossy(&out.stderr)
    );
    out
}

/// samples + lenient + malformed in one input file.
fn combined_input(dir: &Path) -> PathBuf {
    let mut bytes = Vec::new();
    for f in [
        "wecom_samples.jsonl",
        "wecom_lenient.jsonl",
        "wecom_malformed.jsonl",
    ] {
        bytes.extend(std::fs::read(fixture(f)).unwrap());
    }
    let p = dir.join("input.jsonl");
    std::fs::write(&p, bytes).unwrap();
    p
}

fn run_json(input: &Path, out: &Path) -> serde_json::Value {
    run_json_with(input, out, &[])
}

/// `wcp run --json` with `extra` arguments; its summary.
fn run_json_with(input: &Path, out: &Path, extra: &[&str]) -> serde_json::Value {
    let mut args = vec![
        "run",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--json",
    ];
    args.extend_from_slice(extra);
    let o = wcp(&args);
    serde_json::from_slice(&o.stdout).expect("summary JSON")
}

/// The built-in policy with one setting changed, written into `dir`.
fn builtin_policy_with(dir: &Path, from: &str, to: &str) -> PathBuf {
    let text = wcp_stages::policy::BUILTIN_POLICY.replace(from, to);
    assert_ne!(
        text,
        wcp_stages::policy::BUILTIN_POLICY,
        "{from} not in the policy"
    );
    let p = dir.join("policy.toml");
    std::fs::write(&p, text).unwrap();
    p
}

fn open(db: &Path) -> Archive {
    Archive::open(db, ArchiveOptions::default()).unwrap()
}

#[test]
fn nothing_is_silently_dropped() {
    let tmp = tempfile::tempdir().unwrap();
    let input = combined_input(tmp.path());
    let s = run_json(&input, &tmp.path().join("out"));
    let n = |k: &str| s[k].as_u64().unwrap();
    assert_eq!(n("input_lines"), 47 + 1 + 7);
    assert_eq!(n("dead_lettered"), 7);
    assert_eq!(
        n("input_lines"),
        n("archived")
            + n("archived_anonymised")
            + n("quarantined")
            + n("metadata_only")
            + n("dead_lettered")
    );
    // Every malformed line is a dead letter with its original bytes and a specific reason.
    let malformed = std::fs::read(fixture("wecom_malformed.jsonl")).unwrap();
    let originals: Vec<&[u8]> = malformed
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let dls: Vec<DeadLetter> = std::fs::read_to_string(tmp.path().join("out/dead_letters.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(dls.len(), originals.len());
    for (dl, orig) in dls.iter().zip(&originals) {
        assert_eq!(dl.original.as_slice(), *orig);
        assert!(dl.source.contains("input.jsonl:"), "{}", dl.source);
        assert!(!dl.reason.is_empty() && dl.reason_code != "stage_error");
    }
    // Every good line is in the archive (or the quarantine); every dead letter is kept in
    // the default region's archive too, sealed like quarantine (#13 item 8).
    let mut archived = 0;
    let mut dead_letters = 0;
    for entry in std::fs::read_dir(tmp.path().join("out")).unwrap() {
        let p = entry.unwrap().path();
        if p.extension().is_some_and(|e| e == "db") {
            let a = open(&p);
            archived += a.count_messages().unwrap() + a.count_quarantined().unwrap();
            let q = a.quarantined().unwrap();
            dead_letters += q
                .iter()
                .filter(|r| r.msgid.starts_with("dlq:ingest:"))
                .count();
        }
    }
    assert_eq!(dead_letters, dls.len());
    assert_eq!(archived, 48 + dls.len() as u64);
}

#[test]
fn recalls_mark_and_never_delete_in_either_order() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_json(&combined_input(tmp.path()), &out);
    let cn = open(&out.join("archive-cn.db"));
    // Recall after the original (zhangwei's guaranteed-return line).
    let m = cn
        .message("8891446340739254955_1732600185")
        .expect("recalled original kept");
    assert!(m.is_recalled());
    assert!(m.stored.text.contains("稳赚"));
    // Recall before the original (lina, hk desk).
    let hk = open(&out.join("archive-hk.db"));
    let m = hk
        .message("8891446340739255949_1732602000")
        .expect("late original stored");
    assert!(m.is_recalled(), "recall that arrived first is applied");
    // A message nobody recalled is not marked.
    assert!(!cn
        .message("8891446340739254953_1732600111")
        .unwrap()
        .is_recalled());
    let alerts: Vec<Alert> = std::fs::read_to_string(out.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert!(alerts
        .iter()
        .any(|a| a.category == "recall_of_flagged" && a.msgid == "8891446340739254955_1732600185"));
}

#[test]
fn refused_consent_is_not_stored_in_clear_agreed_is() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run_json(&combined_input(tmp.path()), &out);
    // lina's desk is in Hong Kong: the refusing client's conversation lives there.
    let hk = open(&out.join("archive-hk.db"));
    let refused = hk
        .message("8891446340739254993_1732601591")
        .expect("archived anonymised");
    assert!(
        !refused.stored.text.contains("d.wong@example.hk"),
        "PII not in clear"
    );
    assert!(!format!("{:?}", refused.stored).contains("wmErxtDgAA9AW32YyyuYRimKr7D1KWlw"));
    let bytes = std::fs::read(out.join("archive-hk.db")).unwrap();
    let needle = b"d.wong@example.hk";
    assert!(
        !bytes.windows(needle.len()).any(|w| w == needle),
        "no clear copy anywhere in the file"
    );
    let cn = open(&out.join("archive-cn.db"));
    let agreed = cn
        .message("8891446340739254958_1732600296")
        .expect("agreed contact archived");
    assert!(
        agreed.stored.text.contains("11010519491231002X"),
        "agreed content kept in clear"
    );
    // Nothing raw leaves through the anonymised stream.
    let anon = std::fs::read_to_string(out.join("anonymised.jsonl")).unwrap();
    for secret in [
        "11010519491231002X",
        "13912345678",
        "d.wong@example.hk",
        "wmGAgeDQAAvQeaTqWwkMTxGMkvI7OOuQ",
        "wxid_k3j9x2m1",
    ] {
        assert!(
            !anon.contains(secret),
            "{secret} leaked into anonymised.jsonl"
        );
    }
}

#[test]
fn running_twice_keeps_one_copy() {
    let tmp = tempfile::tempdir().unwrap();
    let input = combined_input(tmp.path());
    let out = tmp.path().join("out");
    let first = run_json(&input, &out);
    let second = run_json(&input, &out);
    assert_eq!(first["duplicates_skipped"], 0);
    assert_eq!(second["duplicates_skipped"].as_u64().unwrap(), 48);
    let cn = open(&out.join("archive-cn.db"));
    let hk = open(&out.join("archive-hk.db"));
    assert_eq!(
        cn.count_messages().unwrap()
            + cn.count_quarantined().unwrap()
            + hk.count_messages().unwrap()
            + hk.count_quarantined().unwrap(),
        48 + 7,
        "48 messages and 7 dead letters, each once"
    );
    let v = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args([
            "archive",
            "verify",
            "--db",
            out.join("archive-cn.db").to_str().unwrap(),
        ])
        .output()
        .unwrap();
    assert!(v.status.success(), "{}", String::from_utf8_lossy(&v.stdout));
}

#[test]
fn consent_takes_effect_at_its_own_time_wherever_it_sits_in_the_file() {
    let tmp = tempfile::tempdir().unwrap();
    let input = tmp.path().join("late-consent.jsonl");
    let lines = [
        r#"{"msgid":"late1","action":"send","from":"wmLateAgree","tolist":["zhangwei"],"roomid":"","msgtime":1732600100000,"msgtype":"text","text":{"content":"请帮我看下持仓"}}"#,
        r#"{"msgid":"late2","action":"send","from":"wmLateAgree","tolist":["zhangwei"],"roomid":"","msgtime":1732600200000,"msgtype":"agree","agree":{"userid":"wmLateAgree","agree_time":1732600000000}}"#,
        r#"{"msgid":"late3","action":"send","from":"wmNever","tolist":["zhangwei"],"roomid":"","msgtime":1732600300000,"msgtype":"text","text":{"content":"hello"}}"#,
    ];
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = tmp.path().join("out");
    let s = run_json(&input, &out);
    assert_eq!(s["archived"], 2, "{s}");
    assert_eq!(s["quarantined"], 1, "{s}");
    let cn = open(&out.join("archive-cn.db"));
    assert!(
        cn.message("late1").is_some(),
        "agreed before msgtime: archived in clear"
    );
}

/// Issue 11 item 7: the summary's risk counts are the alerter's decision, not a third answer.
#[test]
fn summary_risk_counts_agree_with_the_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let out = dir.path().join("out");
    let summary = run_json(&combined_input(dir.path()), &out);
    let alerts = std::fs::read_to_string(out.join("alerts.jsonl")).unwrap();
    let mut per_category: std::collections::BTreeMap<String, u64> = Default::default();
    for line in alerts.lines() {
        let a: serde_json::Value = serde_json::from_str(line).unwrap();
        let cat = a["category"].as_str().unwrap();
        if wcp_model::RiskCategory::parse(cat).is_some() {
            *per_category.entry(cat.to_string()).or_default() += 1;
        }
    }
    let by_risk: std::collections::BTreeMap<String, u64> =
        serde_json::from_value(summary["by_risk"].clone()).unwrap();
    assert!(!by_risk.is_empty(), "the fixtures carry risky lines");
    assert_eq!(by_risk, per_category);
    assert!(summary["by_risk_not_alerted"].is_object());
}

/// Re-sent msgids (issue #14), decided by the ingest step as in the ingest service: within
/// `[input] duplicate_window` a copy writes nothing but the gap its seq reveals; beyond it the
/// copy goes through again and the archive still keeps one row per msgid.
#[test]
fn resent_copies_are_skipped_within_the_window_and_archived_once_beyond_it() {
    let dir = tempfile::tempdir().unwrap();
    let policy = builtin_policy_with(
        dir.path(),
        "duplicate_window = 1000000",
        "duplicate_window = 2",
    );
    let line = |id: &str, seq: u64| {
        format!(
            r#"{{"seq":{seq},"msgid":"{id}","action":"send","from":"zw","tolist":["ls"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{{"content":"hi {id}"}}}}"#
        )
    };
    // a again at seq 5 (gap 3–4) is within the window; c and d push a out of it.
    let lines = [
        line("a", 1),
        line("b", 2),
        line("a", 5),
        line("c", 6),
        line("d", 7),
        line("a", 8),
    ];
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("out");
    let s = run_json_with(&input, &out, &["--policy", policy.to_str().unwrap()]);
    assert_eq!(s["input_lines"], 6, "{s}");
    assert_eq!(s["duplicates_skipped"], 1, "{s}");
    assert_eq!(s["already_archived"], 1, "{s}");
    let alerts = std::fs::read_to_string(out.join("alerts.jsonl")).unwrap();
    let ids: Vec<String> = alerts
        .lines()
        .map(|l| serde_json::from_str::<Alert>(l).unwrap().alert_id)
        .collect();
    assert_eq!(ids, ["seq_gap:3-4"]);
    let anon = std::fs::read_to_string(out.join("anonymised.jsonl")).unwrap();
    let msgids: Vec<String> = anon
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["msgid"].to_string())
        .collect();
    assert_eq!(msgids, [r#""a""#, r#""b""#, r#""c""#, r#""d""#, r#""a""#]);
    let dbs: Vec<PathBuf> = std::fs::read_dir(&out)
        .unwrap()
        .flatten()
        .map(|e| e.path())
        .filter(|p| p.extension().is_some_and(|x| x == "db"))
        .filter(|p| !p.to_string_lossy().ends_with(".access.db"))
        .collect();
    assert_eq!(dbs.len(), 1, "{dbs:?}");
    let a = Archive::open_read_only(&dbs[0], None).unwrap();
    assert_eq!(a.recent_msgids(10).unwrap(), ["a", "b", "c", "d"]);
}

/// An oversize line goes through the ingest step as in the ingest service (issue #14): its
/// seq is observed (the gap it reveals alerts, its own seq is not reported missing later),
/// its dead letter keeps the bytes, and the archive keeps the dead letter once, without them.
#[test]
fn an_oversize_line_reports_its_gap_and_its_dead_letter_is_archived_once() {
    let dir = tempfile::tempdir().unwrap();
    let policy = builtin_policy_with(
        dir.path(),
        "max_record_bytes = 16777216",
        "max_record_bytes = 400",
    );
    let line = |id: &str, seq: u64, content: &str| {
        format!(
            r#"{{"seq":{seq},"msgid":"{id}","action":"send","from":"zw","tolist":["ls"],"roomid":"","msgtime":1732600040000,"msgtype":"text","text":{{"content":"{content}"}}}}"#
        )
    };
    let big = line("big", 5, &"x".repeat(10_000));
    let lines = [line("a", 1, "hi"), big.clone(), line("b", 6, "hi")];
    let input = dir.path().join("in.jsonl");
    std::fs::write(&input, lines.join("\n")).unwrap();
    let out = dir.path().join("out");
    let args = ["--policy", policy.to_str().unwrap()];
    for run in 1..=2 {
        let s = run_json_with(&input, &out, &args);
        assert_eq!(s["by_dead_letter_reason"]["record_too_large"], 1, "{s}");
        let alerts = std::fs::read_to_string(out.join("alerts.jsonl")).unwrap();
        let ids: Vec<String> = alerts
            .lines()
            .map(|l| serde_json::from_str::<Alert>(l).unwrap().alert_id)
            .collect();
        // Run 2 sees seq 1 again first: no new gap (the tracker starts afresh per run).
        assert_eq!(ids, vec!["seq_gap:2-4"; run], "run {run}");
        let dls: Vec<DeadLetter> = std::fs::read_to_string(out.join("dead_letters.jsonl"))
            .unwrap()
            .lines()
            .map(|l| serde_json::from_str(l).unwrap())
            .collect();
        assert_eq!(dls.len(), run);
        assert_eq!(dls[run - 1].original, big.as_bytes());
        assert_eq!(dls[run - 1].reason_code, "record_too_large");
        let a = open(&out.join("archive-cn.db"));
        let kept: Vec<_> = a
            .quarantined()
            .unwrap()
            .into_iter()
            .filter(|r| r.msgid.starts_with("dlq:ingest:"))
            .collect();
        assert_eq!(kept.len(), 1, "run {run}: archived once");
        assert!(kept[0].msgid.contains("in.jsonl:2:"), "{}", kept[0].msgid);
    }
}

/// Recall state carries over from one run into the same folder to the next (issue #14), as
/// the alerter rebuilds it from `chat.alerts`: a message flagged in run 1 and recalled in
/// run 2 raises `recall_of_flagged` in run 2.
#[test]
fn a_recall_in_a_later_run_of_a_message_flagged_earlier_alerts() {
    let dir = tempfile::tempdir().unwrap();
    let samples = std::fs::read_to_string(fixture("wecom_samples.jsonl")).unwrap();
    let recall = "8891446340739254956_1732600222";
    let (second, first): (Vec<&str>, Vec<&str>) = samples.lines().partition(|l| l.contains(recall));
    assert_eq!(second.len(), 1);
    let out = dir.path().join("out");
    let recall_alerts = |s: &serde_json::Value| s["by_alert_category"]["recall_of_flagged"].clone();
    for (name, lines) in [("first.jsonl", &first), ("second.jsonl", &second)] {
        let input = dir.path().join(name);
        std::fs::write(&input, lines.join("\n")).unwrap();
        let s = run_json(&input, &out);
        let want = if name == "first.jsonl" {
            serde_json::Value::Null
        } else {
            1.into()
        };
        assert_eq!(recall_alerts(&s), want, "{name}: {s}");
    }
    let alerts = std::fs::read_to_string(out.join("alerts.jsonl")).unwrap();
    let last: Alert = serde_json::from_str(alerts.lines().last().unwrap()).unwrap();
    assert_eq!(last.category, "recall_of_flagged");
    assert_eq!(last.msgid, "8891446340739254955_1732600185");
}

/// The newcomer's path as the README gives it (trial 18 D8, D18): `wcp demo` names the
/// console and its own input file under "Where to look next", and the README's example lines
/// ("Your own messages") run into the demo folder with the counts and alerts it states.
#[test]
fn the_readme_own_messages_run_into_the_demo_folder_as_documented() {
    let tmp = tempfile::tempdir().unwrap();
    let demo = tmp.path().join("demo-out");
    let o = wcp(&["demo", "--out", demo.to_str().unwrap()]);
    let said = String::from_utf8_lossy(&o.stdout);
    let next = said
        .split("Where to look next:")
        .nth(1)
        .expect("next steps");
    assert!(
        next.contains(&format!("wcp review --dir {}", demo.display())),
        "{next}"
    );
    assert!(
        next.contains(&format!("{}/input.jsonl", demo.display()))
            && demo.join("input.jsonl").exists(),
        "{next}"
    );
    // Every command it prints runs as printed (trial 18d D6: the search lacked --actor), but
    // the console (a server, started by the browser tests) and `wcp run` (run just below).
    std::fs::write(
        tmp.path().join("your-lines.jsonl"),
        "{\"id\":\"1\",\"text\":\"保本保息\"}\n",
    )
    .unwrap();
    let printed: Vec<&str> = next
        .lines()
        .filter_map(|l| l.trim_start().strip_prefix("wcp "))
        .map(|l| l.split("  ").next().unwrap())
        .collect();
    assert!(printed.len() >= 5, "{next}");
    for cmd in printed
        .iter()
        .filter(|c| !c.starts_with("review ") && !c.starts_with("run "))
    {
        let o = Command::new(env!("CARGO_BIN_EXE_wcp"))
            .args(cmd.split_whitespace())
            .current_dir(tmp.path())
            .output()
            .unwrap();
        assert!(
            o.status.success(),
            "wcp {cmd}: {}",
            String::from_utf8_lossy(&o.stderr)
        );
    }

    let readme =
        std::fs::read_to_string(Path::new(env!("CARGO_MANIFEST_DIR")).join("README.md")).unwrap();
    let lines: String = readme
        .split("<!-- own-messages-example")
        .nth(1)
        .and_then(|s| s.split("```json\n").nth(1))
        .and_then(|s| s.split("```").next())
        .expect("the README's example block")
        .to_string();
    assert_eq!(lines.lines().count(), 3);
    let mine = tmp.path().join("mine.jsonl");
    std::fs::write(&mine, &lines).unwrap();
    let s = run_json(&mine, &demo);
    assert_eq!(
        (
            s["archived"].as_u64(),
            s["quarantined"].as_u64(),
            s["alerts"].as_u64()
        ),
        (Some(2), Some(1), Some(2)),
        "{s}"
    );
    let alerts: Vec<Alert> = std::fs::read_to_string(demo.join("alerts.jsonl"))
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .filter(|a: &Alert| a.msgid.starts_with("my-"))
        .collect();
    let got: Vec<(&str, &str)> = alerts
        .iter()
        .map(|a| (a.msgid.as_str(), a.category.as_str()))
        .collect();
    assert_eq!(
        got,
        [
            ("my-0002", "guarantee_of_returns"),
            ("my-0003", "consent_violation")
        ]
    );
}
