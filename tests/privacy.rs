//! Privacy acceptance (issue #13): for each consent state and policy variant, `wcp run` writes
//! no clear text of a non-consenting person's content into any output file or any page of
//! any SQLite file (WAL included), while an agreed contact's content is found (so the search
//! can fail). A refusal in one file still governs the next file run into the same folder.

use std::path::{Path, PathBuf};
use std::process::Command;

const T: i64 = 1_732_600_000_000;

/// A contact's message with values that identify them, and a phrase only they wrote.
struct Person {
    id: &'static str,
    phone: &'static str,
    email: &'static str,
    phrase: &'static str,
}

const REFUSER: Person = Person {
    id: "wmPrivRefuser01",
    phone: "13712345670",
    email: "refuser.lee@example.cn",
    phrase: "紫罗兰计划细节",
};
const SILENT: Person = Person {
    id: "wmPrivSilent001",
    phone: "13712345671",
    email: "silent.chan@example.cn",
    phrase: "蓝鲸账户安排",
};
const AGREED: Person = Person {
    id: "wmPrivAgreed001",
    phone: "13712345672",
    email: "agreed.ho@example.cn",
    phrase: "向日葵组合调整",
};

fn consent(msgid: &str, who: &Person, agreed: bool, t: i64) -> String {
    let kind = if agreed { "agree" } else { "disagree" };
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"{id}","tolist":["zhangwei"],"roomid":"","msgtime":{t},"msgtype":"{kind}","{kind}":{{"userid":"{id}","{kind}_time":{t}}}}}"#,
        id = who.id
    )
}

/// The person writes, and staff answer quoting them: both are the person's content.
fn exchange(tag: &str, who: &Person, t: i64) -> Vec<String> {
    let body = format!("{}，我的手机{}，邮箱{}", who.phrase, who.phone, who.email);
    vec![
        format!(
            r#"{{"msgid":"{tag}-a","action":"send","from":"{id}","tolist":["zhangwei"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{body}"}}}}"#,
            id = who.id
        ),
        format!(
            r#"{{"msgid":"{tag}-b","action":"send","from":"zhangwei","tolist":["{id}"],"roomid":"","msgtime":{},"msgtype":"text","text":{{"content":"好的，{} 我记下了：{}"}}}}"#,
            t + 1,
            who.phone,
            who.phrase,
            id = who.id
        ),
    ]
}

/// A room with the agreed contact and the silent one: strictest action wins.
fn mixed_room(t: i64) -> String {
    format!(
        r#"{{"msgid":"room-1","action":"send","from":"zhangwei","tolist":["{}","{}"],"roomid":"wrPrivRoom","msgtime":{t},"msgtype":"text","text":{{"content":"{} 请 {} 查收"}}}}"#,
        AGREED.id, SILENT.id, SILENT.phrase, SILENT.email
    )
}

fn write(dir: &Path, name: &str, lines: &[String]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, lines.join("\n") + "\n").unwrap();
    p
}

fn run(input: &Path, out: &Path, policy: Option<&Path>) {
    run_sealing(input, out, policy, None);
}

/// `wcp run`, sealing quarantined content to `dpo_pub` when given.
fn run_sealing(input: &Path, out: &Path, policy: Option<&Path>, dpo_pub: Option<&Path>) {
    let mut cmd = Command::new(env!("CARGO_BIN_EXE_wcp"));
    cmd.args(["run", "--json", "--input"])
        .arg(input)
        .arg("--out")
        .arg(out);
    if let Some(p) = policy {
        cmd.arg("--policy").arg(p);
    }
    if let Some(k) = dpo_pub {
        cmd.arg("--quarantine-key").arg(k);
    }
    let res = cmd.env_remove("WCP_ANON_KEY").output().unwrap();
    assert!(
        res.status.success(),
        "wcp run: {}",
        String::from_utf8_lossy(&res.stderr)
    );
}

/// Every byte wcp wrote in `out`: JSON Lines, summaries, every page of every SQLite file
/// and its WAL (read as raw bytes, so free pages and index blocks count too).
fn all_bytes(out: &Path) -> Vec<(String, Vec<u8>)> {
    let mut files = Vec::new();
    // Subfolders too: whatever a later version writes there is searched as well.
    let mut dirs = vec![out.to_path_buf()];
    while let Some(dir) = dirs.pop() {
        for e in std::fs::read_dir(&dir).unwrap().flatten() {
            let p = e.path();
            if p.is_dir() {
                dirs.push(p);
            } else if p.is_file() {
                files.push((
                    p.file_name().unwrap().to_string_lossy().into_owned(),
                    std::fs::read(&p).unwrap(),
                ));
            }
        }
    }
    assert!(
        files.iter().any(|(n, _)| n.ends_with(".db")),
        "no archive written"
    );
    files
}

fn found(files: &[(String, Vec<u8>)], needle: &str) -> Vec<String> {
    let n = needle.as_bytes();
    files
        .iter()
        .filter(|(_, b)| b.windows(n.len()).any(|w| w == n))
        .map(|(name, _)| name.clone())
        .collect()
}

/// `anonymised`: the person's content was archived anonymised, whose purpose is to keep the
/// words without what identifies anyone; then only the identifying values are searched for.
fn assert_absent(files: &[(String, Vec<u8>)], who: &Person, anonymised: bool, variant: &str) {
    assert_no_clear_content(files, who, anonymised, variant);
    assert_no_raw_id(files, who, variant);
}

fn assert_no_clear_content(
    files: &[(String, Vec<u8>)],
    who: &Person,
    anonymised: bool,
    variant: &str,
) {
    let needles: &[&str] = if anonymised {
        &[who.phone, who.email]
    } else {
        &[who.phone, who.email, who.phrase]
    };
    for &needle in needles {
        let hits = found(files, needle);
        assert!(
            hits.is_empty(),
            "{variant}: clear content of {} ({needle}) in {hits:?}",
            who.id
        );
    }
}

/// Raw ids only in the consent ledger: the legal-basis register the DPO keeps.
fn assert_no_raw_id(files: &[(String, Vec<u8>)], who: &Person, variant: &str) {
    let hits: Vec<String> = found(files, who.id)
        .into_iter()
        .filter(|n| n != "consent_ledger.jsonl")
        .collect();
    assert!(hits.is_empty(), "{variant}: raw id {} in {hits:?}", who.id);
}

fn policy(dir: &Path, on_disagreed: &str, on_unknown: &str) -> PathBuf {
    let text = wcp_stages::policy::BUILTIN_POLICY
        .replace(
            "on_disagreed = \"archive_anonymised\"",
            &format!("on_disagreed = \"{on_disagreed}\""),
        )
        .replace(
            "on_unknown = \"quarantine\"",
            &format!("on_unknown = \"{on_unknown}\""),
        );
    let p = dir.join(format!("policy-{on_disagreed}-{on_unknown}.toml"));
    std::fs::write(&p, text).unwrap();
    p
}

fn input(dir: &Path) -> PathBuf {
    let mut lines = vec![
        consent("c-ref", &REFUSER, false, T),
        consent("c-ok", &AGREED, true, T),
    ];
    lines.extend(exchange("ref", &REFUSER, T + 1_000));
    lines.extend(exchange("sil", &SILENT, T + 2_000));
    lines.extend(exchange("ok", &AGREED, T + 3_000));
    lines.push(mixed_room(T + 4_000));
    write(dir, "input.jsonl", &lines)
}

#[test]
fn no_clear_content_of_non_consenting_people_in_any_output() {
    let tmp = tempfile::tempdir().unwrap();
    let input = input(tmp.path());
    // (on_disagreed, on_unknown, whose content must not be in clear)
    let variants: [(&str, &str, &[&Person]); 4] = [
        ("archive_anonymised", "metadata_only", &[&REFUSER, &SILENT]),
        ("metadata_only", "metadata_only", &[&REFUSER, &SILENT]),
        ("metadata_only", "archive_anonymised", &[&REFUSER, &SILENT]),
        ("quarantine", "archive_anonymised", &[&REFUSER, &SILENT]),
    ];
    for (disagreed, unknown, protected) in variants {
        let variant = format!("on_disagreed={disagreed} on_unknown={unknown}");
        let out = tmp.path().join(format!("out-{disagreed}-{unknown}"));
        run(&input, &out, Some(&policy(tmp.path(), disagreed, unknown)));
        let files = all_bytes(&out);
        for who in protected {
            let action = if who.id == REFUSER.id {
                disagreed
            } else {
                unknown
            };
            assert_absent(&files, who, action == "archive_anonymised", &variant);
        }
        // The search finds what may be kept: the agreed contact's own words.
        assert!(
            !found(&files, AGREED.phrase).is_empty(),
            "{variant}: search is blind"
        );
    }
}

/// The default policy quarantines the silent contact's content; what the refuser wrote is
/// anonymised. (Quarantined content itself: see `quarantine_keeps_no_clear_content`.)
#[test]
fn default_policy_keeps_no_clear_content_of_a_refusing_contact() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&input(tmp.path()), &out, None);
    let files = all_bytes(&out);
    assert_absent(&files, &REFUSER, true, "default policy");
    assert!(!found(&files, AGREED.phrase).is_empty());
}

#[test]
fn a_refusal_in_one_file_governs_the_next_file_in_the_same_folder() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    let day1 = write(
        tmp.path(),
        "day1.jsonl",
        &[consent("c-ref", &REFUSER, false, T)],
    );
    let day2 = write(
        tmp.path(),
        "day2.jsonl",
        &exchange("ref2", &REFUSER, T + 86_400_000),
    );
    let p = policy(tmp.path(), "metadata_only", "metadata_only");
    run(&day1, &out, Some(&p));
    run(&day2, &out, Some(&p));
    assert_absent(&all_bytes(&out), &REFUSER, false, "two runs");
}

/// Quarantined content is not readable without the DPO's key either: `wcp run` keeps no
/// content of a quarantined message (the archive seals it only to a configured DPO key).
#[test]
fn quarantine_keeps_no_clear_content() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&input(tmp.path()), &out, None);
    assert_no_clear_content(
        &all_bytes(&out),
        &SILENT,
        false,
        "default policy (quarantine)",
    );
}

/// The quarantined contact's raw id: the archive's quarantine row and record and the
/// `consent_violation` alert name them by pseudonym (the clear ids are sealed with the
/// content, for a DPO release). With a DPO key too: the sealed box is the only place.
#[test]
fn quarantine_keeps_no_raw_id_outside_the_ledger() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("out");
    run(&input(tmp.path()), &out, None);
    assert_no_raw_id(&all_bytes(&out), &SILENT, "default policy (quarantine)");
}

/// Quarantine with a DPO key (the content is kept, sealed), for both states, and a dead
/// letter carrying a silent contact's words: no clear content and no raw id of either
/// contact in any output file or any page of the archive and its WAL — except the dead
/// letter in `dead_letters.jsonl`, the run's report to its operator (the archive keeps it
/// sealed).
#[test]
fn sealed_quarantine_and_dead_letters_keep_nothing_in_clear() {
    let tmp = tempfile::tempdir().unwrap();
    let dpo = tmp.path().join("dpo.key");
    let keygen = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["archive", "keygen", "--quarantine", "--out"])
        .arg(&dpo)
        .output()
        .unwrap();
    assert!(keygen.status.success(), "{keygen:?}");
    let mut lines = vec![std::fs::read_to_string(input(tmp.path()))
        .unwrap()
        .trim_end()
        .to_string()];
    let poison = format!(
        r#"{{"msgid":"p1","action":"send","from":"{}","text":{{"content":"{} {}"#,
        SILENT.id, SILENT.phrase, SILENT.phone
    );
    lines.push(poison);
    let with_poison = write(tmp.path(), "poison.jsonl", &lines);
    let p = policy(tmp.path(), "quarantine", "quarantine");
    let out = tmp.path().join("out");
    run_sealing(
        &with_poison,
        &out,
        Some(&p),
        Some(&tmp.path().join("dpo.pub")),
    );
    let files: Vec<(String, Vec<u8>)> = all_bytes(&out)
        .into_iter()
        .filter(|(n, _)| n != "dead_letters.jsonl")
        .collect();
    for who in [&REFUSER, &SILENT] {
        assert_absent(&files, who, false, "quarantine sealed to a DPO key");
    }
    assert!(!found(&files, AGREED.phrase).is_empty(), "search is blind");
    let letters = std::fs::read_to_string(out.join("dead_letters.jsonl")).unwrap();
    assert!(
        letters.contains(SILENT.phrase),
        "the poison line was not dead-lettered"
    );
}
