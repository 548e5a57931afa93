//! `wcp archive search` and `audit` as a reviewer and an auditor use them, on a `wcp run`
//! folder, with the public key only: the actor is required, `--msgid --around` shows the
//! conversation around a message, the table has the msgid, the local time and the full
//! conversation id, times are dates or RFC 3339, and the audit lists every read with the ids
//! it returned — also before the writer has chained the reader's access log. `wcp archive
//! verify` of an encrypted archive fails (exit 1) on a changed byte in its WAL.

use std::path::{Path, PathBuf};
use std::process::{Command, Output};

/// 2024-11-26T05:46:40Z: 13:46:40 in the built-in policy's UTC+08:00.
const T: i64 = 1_732_600_000_000;

fn line(msgid: &str, to: &str, t: i64, text: &str) -> String {
    format!(
        r#"{{"msgid":"{msgid}","action":"send","from":"zhangwei","tolist":["{to}"],"roomid":"","msgtime":{t},"msgtype":"text","text":{{"content":"{text}"}}}}"#
    )
}

fn wcp(args: &[&str]) -> Output {
    Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(args)
        .env_remove("WCP_ACTOR")
        .env_remove("WCP_ANON_KEY")
        .output()
        .unwrap()
}

fn ok(o: Output) -> String {
    assert!(o.status.success(), "{}", String::from_utf8_lossy(&o.stderr));
    String::from_utf8(o.stdout).unwrap()
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

fn msgids(s: &str) -> Vec<String> {
    json_lines(s)
        .iter()
        .map(|v| v["msgid"].as_str().unwrap().to_string())
        .collect()
}

/// Five staff messages in one conversation a minute apart, one in another.
fn archive(dir: &Path) -> PathBuf {
    let mut lines: Vec<String> = (1..=5)
        .map(|i| {
            line(
                &format!("m{i}"),
                "lisi",
                T + (i - 1) * 60_000,
                "quarterly report",
            )
        })
        .collect();
    lines.push(line("m9", "wangwu", T, "lunch"));
    run_lines(dir, &lines).join("archive-cn.db")
}

/// `wcp run` over `lines` into `dir/out`.
fn run_lines(dir: &Path, lines: &[String]) -> PathBuf {
    let input = dir.join("in.jsonl");
    std::fs::write(&input, lines.join("\n") + "\n").unwrap();
    let out = dir.join("out");
    ok(wcp(&[
        "run",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
    ]));
    out
}

/// `wcp ARGS… LAST`: a command written as one string, then one more argument.
fn wcp_words(words: &str, last: &str) -> String {
    let mut args: Vec<&str> = words.split(' ').collect();
    args.push(last);
    ok(wcp(&args))
}

#[test]
fn search_and_audit_as_a_reviewer_and_an_auditor() {
    let tmp = tempfile::tempdir().unwrap();
    let db = archive(tmp.path());
    let db = db.to_str().unwrap();

    // No silent default actor.
    let o = wcp(&["archive", "search", "--db", db, "--text", "report"]);
    assert!(!o.status.success());
    assert!(String::from_utf8_lossy(&o.stderr).contains("--actor"));

    // The conversation around m3, one message either side.
    let around = ok(wcp(&[
        "archive", "search", "--db", db, "--actor", "alice", "--msgid", "m3", "--around", "1",
        "--json",
    ]));
    assert_eq!(msgids(&around), ["m2", "m3", "m4"]);

    // The table: msgid, local time, the full conversation id on its own line.
    let table = ok(wcp(&[
        "archive", "search", "--db", db, "--actor", "alice", "--text", "report",
    ]));
    let conv = json_lines(&around)[0]["conversation_id"]
        .as_str()
        .unwrap()
        .to_string();
    assert!(
        table.contains("msgid") && table.contains("local time"),
        "{table}"
    );
    assert!(table.contains("UTC+08:00"), "{table}");
    assert!(table.contains(&format!("conversation {conv}")), "{table}");
    let m1 = table
        .lines()
        .find(|l| l.starts_with("m1 "))
        .expect("m1 row");
    assert!(m1.contains("2024-11-26 13:46:40"), "{m1}");

    // Dates are local days, --to included (from 26 Nov to 26 Nov is that day); RFC 3339
    // times are exact.
    let day = ok(wcp(&[
        "archive",
        "search",
        "--db",
        db,
        "--actor",
        "bob",
        "--from",
        "2024-11-26",
        "--to",
        "2024-11-26",
        "--json",
    ]));
    assert_eq!(msgids(&day).len(), 6);
    let later = ok(wcp(&[
        "archive",
        "search",
        "--db",
        db,
        "--actor",
        "bob",
        "--conversation",
        &conv,
        "--from",
        "2024-11-26T05:47:00Z",
        "--json",
    ]));
    assert_eq!(msgids(&later), ["m2", "m3", "m4", "m5"]);

    // The auditor sees every read at once (from the access log, not yet chained), with the
    // ids each returned, and can narrow by actor.
    let all = json_lines(&ok(wcp(&["archive", "audit", "--db", db, "--json"])));
    let reads: Vec<&serde_json::Value> = all.iter().filter(|v| v["action"] == "search").collect();
    assert_eq!(reads.len(), 4, "{all:#?}");
    assert!(reads.iter().all(|v| v["chained"] == false));
    let first = reads[0];
    assert_eq!(first["actor"], "alice");
    let ids: Vec<&str> = first["detail"]["msgids"]
        .as_array()
        .unwrap()
        .iter()
        .map(|v| v.as_str().unwrap())
        .collect();
    assert_eq!(ids, ["m2", "m3", "m4"], "exactly the messages shown");
    let bob = json_lines(&ok(wcp(&[
        "archive", "audit", "--db", db, "--actor", "bob", "--json",
    ])));
    assert_eq!(bob.len(), 2);
    assert!(bob.iter().all(|v| v["actor"] == "bob"));
    let text = ok(wcp(&["archive", "audit", "--db", db, "--actor", "alice"]));
    assert!(text.contains("log#1") && text.contains("search"), "{text}");

    // One hit is "1 message"; verify says in words what the unsealed access-log entries are.
    let one = wcp(&[
        "archive", "search", "--db", db, "--actor", "bob", "--msgid", "m3",
    ]);
    assert_eq!(String::from_utf8_lossy(&one.stderr).trim_end(), "1 message");
    let verified = ok(wcp(&["archive", "verify", "--db", db]));
    assert!(
        verified.contains("5 access-log entries (searches, views, exports by readers) are intact but not yet sealed"),
        "{verified}"
    );
}

/// `wcp run --quarantine-key dpo.pub` keeps a quarantined contact's content sealed to the
/// DPO's key — nowhere in clear — and the DPO releases one message once consent arrives.
#[test]
fn the_dpo_releases_what_wcp_run_sealed() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let dpo = dir.join("dpo.key");
    ok(wcp(&[
        "archive",
        "keygen",
        "--quarantine",
        "--out",
        dpo.to_str().unwrap(),
    ]));
    let secret = "海豚计划的细节 13712345679";
    let input = dir.join("in.jsonl");
    let msg = r#"{"msgid":"q1","action":"send","from":"wmDpoSilent01","tolist":["zhangwei"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"SECRET"}}"#
        .replace("SECRET", secret);
    std::fs::write(&input, msg + "\n").unwrap();
    let out = dir.join("out");
    ok(wcp(&[
        "run",
        "--input",
        input.to_str().unwrap(),
        "--out",
        out.to_str().unwrap(),
        "--quarantine-key",
        dir.join("dpo.pub").to_str().unwrap(),
    ]));
    for e in std::fs::read_dir(&out).unwrap().flatten() {
        let bytes = std::fs::read(e.path()).unwrap();
        // The content, and the contact's raw id (sealed with it: #13 item 4).
        for needle in ["13712345679", "wmDpoSilent01"] {
            let needle = needle.as_bytes();
            assert!(
                !bytes.windows(needle.len()).any(|w| w == needle),
                "clear content or raw id in {}",
                e.path().display()
            );
        }
    }
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    let listed = json_lines(&ok(wcp(&[
        "archive",
        "quarantine",
        "list",
        "--db",
        db,
        "--json",
    ])));
    assert_eq!(listed.len(), 1, "{listed:?}");
    assert_eq!(listed[0]["sealed"], true, "{listed:?}");
    // Nothing to find before the release; the message in clear after it.
    let found = |actor: &str| {
        ok(wcp(&[
            "archive", "search", "--db", db, "--actor", actor, "--text", "海豚", "--json",
        ]))
    };
    assert!(found("dpo").trim().is_empty());
    ok(wcp(&[
        "archive",
        "quarantine",
        "release",
        "--db",
        db,
        "--actor",
        "dpo",
        "--dpo-key",
        dpo.to_str().unwrap(),
        "--msgid",
        "q1",
        "--reason",
        "consent given",
    ]));
    let after = json_lines(&found("dpo"));
    assert_eq!(after.len(), 1);
    assert_eq!(after[0]["text"], secret);
    assert!(
        after[0].to_string().contains("\"wmDpoSilent01\""),
        "the release restores the clear ids: {}",
        after[0]
    );
}

/// Trial 17a D17/D18: `export --out <a file>` names the path and the fix; `rekey --decrypt`
/// does not tell the operator to set a key for a file that has none.
#[test]
fn export_into_a_file_and_decrypt_say_what_to_do() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = archive(dir);
    let afile = dir.join("afile");
    std::fs::write(&afile, "keep").unwrap();
    let o = wcp(&[
        "archive",
        "export",
        "--db",
        plain.to_str().unwrap(),
        "--actor",
        "counsel",
        "--format",
        "rsmf",
        "--out",
        afile.to_str().unwrap(),
    ]);
    let err = String::from_utf8_lossy(&o.stderr);
    assert_eq!(o.status.code(), Some(2), "{err}");
    assert!(
        err.contains(&format!(
            "--out {}: exists and is not a folder",
            afile.display()
        )) && err.contains("choose a new or empty folder"),
        "{err}"
    );
    assert_eq!(std::fs::read_to_string(&afile).unwrap(), "keep");

    let key = dir.join("cn.dbkey");
    std::fs::write(&key, "5e".repeat(32)).unwrap();
    let enc = dir.join("enc").join("archive-cn.db");
    let said = ok(wcp(&[
        "archive",
        "rekey",
        "--db",
        plain.to_str().unwrap(),
        "--new-key-file",
        key.to_str().unwrap(),
        "--out",
        enc.to_str().unwrap(),
    ]));
    assert!(
        said.contains("then set WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN to the new key file"),
        "{said}"
    );
    let back = dir.join("back").join("archive-cn.db");
    let said = ok(wcp(&[
        "archive",
        "rekey",
        "--db",
        enc.to_str().unwrap(),
        "--encryption-key-file",
        key.to_str().unwrap(),
        "--decrypt",
        "--out",
        back.to_str().unwrap(),
    ]));
    assert!(
        said.contains(
            "then unset WCP_ARCHIVE_ENCRYPTION_KEY_FILE_CN and WCP_ARCHIVE_ENCRYPTION_KEY_CN: \
             the new file is plain"
        ) && !said.contains("new key file"),
        "{said}"
    );
}

/// A byte changed in the WAL of an encrypted archive whose writer has it open (trial 15h
/// D4: `wcp archive verify --encryption-key-file` said OK): exit 1, naming the WAL, the
/// frame and the page. The frame changed holds a page that a later frame holds again, so no
/// query reads it: only the page check finds it.
#[test]
fn verify_finds_a_changed_byte_in_the_wal_of_an_encrypted_archive() {
    let tmp = tempfile::tempdir().unwrap();
    let dir = tmp.path();
    let plain = archive(dir);
    let hex = "5e".repeat(32);
    let key = dir.join("cn.dbkey");
    std::fs::write(&key, &hex).unwrap();
    let enc_dir = dir.join("enc");
    let db = enc_dir.join("archive-cn.db");
    ok(wcp(&[
        "archive",
        "rekey",
        "--db",
        plain.to_str().unwrap(),
        "--new-key-file",
        key.to_str().unwrap(),
        "--out",
        db.to_str().unwrap(),
    ]));
    let verify = || {
        wcp(&[
            "archive",
            "verify",
            "--db",
            db.to_str().unwrap(),
            "--encryption-key-file",
            key.to_str().unwrap(),
        ])
    };
    // Every page written to the WAL twice, content unchanged, kept there by an open
    // connection with automatic checkpoints off.
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute_batch(&format!(
        "PRAGMA key = \"x'{hex}'\"; PRAGMA cipher_page_size = 16384;
         PRAGMA cipher_hmac_algorithm = HMAC_SHA256; PRAGMA wal_autocheckpoint = 0;
         PRAGMA journal_mode = WAL; VACUUM; VACUUM;"
    ))
    .unwrap();
    let wal = enc_dir.join("archive-cn.db-wal");
    let clean = std::fs::read(&wal).unwrap();
    const FRAME: usize = 24 + 16_384;
    let frames = (clean.len() - 32) / FRAME;
    assert!(frames >= 4, "{frames} frames");
    ok(verify());
    let page_of =
        |k: usize| u32::from_be_bytes(clean[32 + (k - 1) * FRAME..][..4].try_into().unwrap());
    // The first frame of page 2: VACUUM wrote it again later.
    let k = (1..=frames).find(|k| page_of(*k) == 2).unwrap();
    assert!((k + 1..=frames).any(|j| page_of(j) == 2));
    let mut raw = clean.clone();
    raw[32 + (k - 1) * FRAME + 24 + 1000] ^= 0x08;
    std::fs::write(&wal, &raw).unwrap();
    let o = verify();
    let out = String::from_utf8_lossy(&o.stdout);
    assert_eq!(
        o.status.code(),
        Some(1),
        "{out}{}",
        String::from_utf8_lossy(&o.stderr)
    );
    assert!(
        out.contains(&format!(
            "The archive's write-ahead log (WAL) is damaged: archive-cn.db-wal frame {k} (page 2): HMAC verification failed"
        )),
        "{out}"
    );
    // The connection checkpoints the clean WAL when it closes.
    std::fs::write(&wal, &clean).unwrap();
    drop(conn);
    ok(verify());
}

/// `expire`, `hold list` and `quarantine list` print times in the policy zone with the offset,
/// as `search` and the console do (trial 18c D6: they printed UTC `…Z`).
#[test]
fn expire_hold_and_quarantine_lists_print_the_policy_zone() {
    let tmp = tempfile::tempdir().unwrap();
    let silent = r#"{"msgid":"q1","action":"send","from":"wmZoneSilent01","tolist":["zhangwei"],"roomid":"","msgtime":1732600000000,"msgtype":"text","text":{"content":"hello"}}"#;
    let out = run_lines(tmp.path(), &[silent.into(), line("m1", "lisi", T, "lunch")]);
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    wcp_words("archive hold place --actor counsel --custodian zhangwei --reason zone --case-id C-ZONE --db", db);
    let holds = wcp_words("archive hold list --db", db);
    let quarantined = wcp_words("archive quarantine list --db", db);
    let expire = wcp_words(
        "archive expire --actor officer --dry-run --list-kept --db",
        db,
    );
    assert!(
        quarantined.contains("2024-11-26 13:46:40 +08:00"),
        "{quarantined}"
    );
    for (what, said) in [
        ("hold list", &holds),
        ("quarantine list", &quarantined),
        ("expire", &expire),
    ] {
        assert!(said.contains(" +08:00"), "{what}: {said}");
        assert!(!said.contains("Z "), "{what} in UTC: {said}");
    }
    assert!(
        expire.contains("as of ") && !expire.contains(".000Z"),
        "{expire}"
    );
}

/// Trial 15i D4: a writing command given another archive's signing key is told which setting
/// gave it, the file, and the fix (the archive's own key, or `rotate-key` with it), not only
/// "signing key does not match the archive's published public key". Nothing is changed.
#[test]
fn a_wrong_signing_key_names_the_flag_the_file_and_the_fix() {
    let tmp = tempfile::tempdir().unwrap();
    let db = archive(tmp.path());
    let other = tmp.path().join("other.key");
    ok(wcp(&[
        "archive",
        "keygen",
        "--out",
        other.to_str().unwrap(),
    ]));
    let out = wcp(&[
        "archive",
        "configure",
        "--db",
        db.to_str().unwrap(),
        "--key",
        other.to_str().unwrap(),
        "--actor",
        "admin",
        "--expire-max-share",
        "0.5",
    ]);
    let err = String::from_utf8_lossy(&out.stderr);
    assert_eq!(out.status.code(), Some(2), "{err}");
    let db = db.display();
    for want in [
        format!(
            "the signing key from --key {} does not match {db}: wrong key",
            other.display()
        ),
        format!("`wcp archive rotate-key --db {db} --new-key NEW.key`, run with the current key"),
    ] {
        assert!(err.contains(&want), "{want:?} not in:\n{err}");
    }
}

/// `wcp archive export` after `wcp archive expire`: the expired message is a placeholder in
/// the EML transcript where it was (who, when, the rule, the expiry; no content), the command
/// counts it, and the archive still verifies (trial 18c D5).
#[test]
fn export_after_expiry_shows_the_disposed_message_in_its_place() {
    let tmp = tempfile::tempdir().unwrap();
    let out = run_lines(
        tmp.path(),
        &[
            line("m1", "lisi", T, "quarterly report"),
            line(
                "m2",
                "lisi",
                T + 60_000,
                "Happy birthday! See you at dinner tonight",
            ),
            line("m3", "lisi", T + 120_000, "quarterly report"),
        ],
    );
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    wcp_words(
        "archive configure --actor admin --expire-max-share 1.0 --db",
        db,
    );
    let expired = wcp_words("archive expire --actor officer --db", db);
    assert!(
        expired.contains("m2") && !expired.contains("m1"),
        "{expired}"
    );
    let dir = tmp.path().join("eml");
    let said = ok(wcp(&[
        "archive",
        "export",
        "--db",
        db,
        "--actor",
        "counsel",
        "--format",
        "eml",
        "--per",
        "thread",
        "--conversation",
        "lisi|zhangwei",
        "--out",
        dir.to_str().unwrap(),
    ]));
    assert!(
        said.starts_with(
            "exported 3 records: 2 messages, 1 message disposed of under retention in 1 file"
        ),
        "{said}"
    );
    let file = std::fs::read_dir(&dir)
        .unwrap()
        .next()
        .unwrap()
        .unwrap()
        .path();
    let mime = std::fs::read_to_string(file).unwrap();
    let b64: String = mime
        .split_once("\r\n\r\n")
        .unwrap()
        .1
        .split_whitespace()
        .collect();
    use base64::Engine;
    let body = String::from_utf8(
        base64::engine::general_purpose::STANDARD
            .decode(b64)
            .unwrap(),
    )
    .unwrap();
    let lines: Vec<&str> = body.lines().collect();
    assert_eq!(lines.len(), 3, "{body}");
    assert!(
        lines[1].starts_with(
            "[2024-11-26T13:47:40.000+08:00] zhangwei [disposed of]: message m2 from zhangwei"
        ) && lines[1].contains("retention rule personal_30d")
            && lines[1].contains("expired by officer"),
        "{body}"
    );
    assert!(!body.contains("birthday"), "no content: {body}");
    assert!(ok(wcp(&["archive", "verify", "--db", db])).starts_with("OK: "));
}

/// Trial 18d D13: the second person sees what they approve — the plan's totals, each
/// conversation's count and time range, every record with `--list` — and an approver who is
/// not registered is refused before any of it is printed; the officer's hint names every
/// flag the approver needs.
#[test]
fn the_approver_sees_the_plan_they_sign() {
    let tmp = tempfile::tempdir().unwrap();
    let personal = "Happy birthday! See you at dinner tonight";
    let out = run_lines(
        tmp.path(),
        &[
            line("p1", "lisi", T, personal),
            line("p2", "lisi", T + 60_000, personal),
            line("p3", "wangwu", T + 120_000, personal),
            line("b1", "lisi", T + 180_000, "quarterly report"),
        ],
    );
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    let key = |name: &str| {
        let k = tmp.path().join(format!("{name}.key"));
        ok(wcp(&["archive", "keygen", "--out", k.to_str().unwrap()]));
        k
    };
    let (bob, eve) = (key("bob"), key("eve"));
    wcp_words(
        "archive configure --actor admin --expire-max-share 0.1 --db",
        db,
    );
    let add = format!("bob={}", tmp.path().join("bob.pub").display());
    ok(wcp(&[
        "archive",
        "configure",
        "--db",
        db,
        "--actor",
        "admin",
        "--add-approver",
        &add,
    ]));
    let planned = wcp_words("archive expire --actor officer --dry-run --db", db);
    let hint = format!(
        "wcp archive expire-approve --db {db} --actor THEIR-NAME --approver-key THEIR.key --now "
    );
    assert!(planned.contains(&hint), "{hint:?} not in:\n{planned}");

    let approve = |who: &str, k: &std::path::Path, extra: &[&str]| {
        let mut args = vec![
            "archive",
            "expire-approve",
            "--db",
            db,
            "--actor",
            who,
            "--approver-key",
            k.to_str().unwrap(),
        ];
        args.extend_from_slice(extra);
        wcp(&args)
    };
    let refused = approve("eve", &eve, &[]);
    assert!(!refused.status.success());
    assert_eq!(
        String::from_utf8_lossy(&refused.stdout),
        "",
        "nothing shown to eve"
    );
    assert!(
        String::from_utf8_lossy(&refused.stderr).contains("eve is not a registered approver"),
        "{}",
        String::from_utf8_lossy(&refused.stderr)
    );

    let shown = ok(approve("bob", &bob, &[]));
    for want in [
        "removes 3 of 4 messages (75.0 %)",
        "2 messages of lisi|zhangwei (2024-11-26 13:46:40 +08:00 to 2024-11-26 13:47:40 +08:00)",
        "1 message of wangwu|zhangwei (2024-11-26 13:48:40 +08:00 to 2024-11-26 13:48:40 +08:00)",
        "(--list names every record)",
    ] {
        assert!(shown.contains(want), "{want:?} not in:\n{shown}");
    }
    assert!(!shown.contains("p1"), "records only with --list:\n{shown}");
    let listed = ok(approve("bob", &bob, &["--list"]));
    for id in ["p1", "p2", "p3"] {
        assert!(
            listed.contains(&format!(" {id} ")),
            "{id} not in:\n{listed}"
        );
    }
    assert!(!listed.contains(" b1 "), "{listed}");
    // The token is the last line and still does its job.
    let token = listed.lines().last().unwrap();
    let expired = ok(wcp(&[
        "archive",
        "expire",
        "--db",
        db,
        "--actor",
        "officer",
        "--approval",
        token,
    ]));
    assert!(expired.contains("expired 3 of 4 messages"), "{expired}");
}

/// Trial 12a D13, D19: once bob is registered the officer cannot raise the share alone; bob
/// signs exactly that change with `configure-approve`; verify notes the one-person bootstrap;
/// the audit table shows what each configure did and that bob approved an expiry plan before
/// it ran.
#[test]
fn the_rule_is_changed_only_with_an_approvers_token_and_the_audit_shows_it() {
    let tmp = tempfile::tempdir().unwrap();
    let db = archive(tmp.path());
    let db = db.to_str().unwrap();
    let bob = tmp.path().join("bob.key");
    ok(wcp(&["archive", "keygen", "--out", bob.to_str().unwrap()]));
    let add = format!("bob={}", tmp.path().join("bob.pub").display());
    wcp_words(
        &format!("archive configure --actor officer --add-approver {add} --db"),
        db,
    );
    let raise = |extra: &[&str]| {
        let mut args = vec![
            "archive",
            "configure",
            "--db",
            db,
            "--actor",
            "officer",
            "--expire-max-share",
            "1.0",
        ];
        args.extend_from_slice(extra);
        wcp(&args)
    };
    let refused = raise(&[]);
    let err = String::from_utf8_lossy(&refused.stderr);
    assert_eq!(refused.status.code(), Some(2), "{err}");
    assert!(
        err.contains("raises expire_max_share from 0.05 to 1")
            && err.contains("wcp archive configure-approve"),
        "{err}"
    );
    let signed = ok(wcp(&[
        "archive",
        "configure-approve",
        "--db",
        db,
        "--actor",
        "bob",
        "--approver-key",
        bob.to_str().unwrap(),
        "--expire-max-share",
        "1.0",
    ]));
    assert!(
        signed.contains("sets expire_max_share to 1 (now 0.05)"),
        "{signed}"
    );
    let token = signed.lines().last().unwrap();
    ok(raise(&["--approval", token]));
    let verified = wcp_words("archive verify --db", db);
    assert!(
        verified.contains("note: record ")
            && verified.contains("officer adds approver bob alone, before any approver was registered — the two-person rule's bootstrap"),
        "{verified}"
    );
    ok(wcp(&[
        "archive",
        "expire-approve",
        "--db",
        db,
        "--actor",
        "bob",
        "--approver-key",
        bob.to_str().unwrap(),
    ]));
    wcp_words(
        "archive hold place --actor counsel --conversation lisi|zhangwei --reason SEC --case-id C-1 --db",
        db,
    );
    let audit = wcp_words("archive audit --db", db);
    for want in [
        "counsel         hold_place          hold 1 (case C-1)",
        "officer         configure           add approver bob, [bootstrap: no approver was registered, one person adds approver bob]",
        "officer         configure           expire_max_share=1.0, [approved by bob: raises expire_max_share from 0.05 to 1]",
        "bob             configure_approve   change ",
        "bob             expire_approve      plan ",
    ] {
        assert!(audit.contains(want), "{want:?} not in:\n{audit}");
    }
}

/// Trial 12a D17: expiry refusing an archive that fails verification is a verification
/// failure (exit 1, the README's table), in one sentence with one full stop.
#[test]
fn expiry_over_a_tampered_archive_exits_1() {
    let tmp = tempfile::tempdir().unwrap();
    let db = archive(tmp.path());
    let conn = rusqlite::Connection::open(&db).unwrap();
    conn.execute("UPDATE messages SET text = 'edited' WHERE msgid = 'm3'", [])
        .unwrap();
    drop(conn);
    for dry in [true, false] {
        let mut args = vec![
            "archive",
            "expire",
            "--db",
            db.to_str().unwrap(),
            "--actor",
            "officer",
        ];
        if dry {
            args.push("--dry-run");
        }
        let o = wcp(&args);
        let err = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(1), "{err}");
        assert!(
            err.contains("the archive fails verification") && !err.contains(".."),
            "{err}"
        );
    }
}

/// The readers' tamper warnings stay quiet on an untouched archive: `wcp demo`'s holds
/// pictures and files (messages without text, which the word index does not hold), and
/// every search of it warned (trial 12b D1).
#[test]
fn search_and_hold_list_of_an_untouched_demo_archive_warn_of_nothing() {
    let tmp = tempfile::tempdir().unwrap();
    let out = tmp.path().join("demo");
    ok(wcp(&["demo", "--out", out.to_str().unwrap()]));
    let db = out.join("archive-cn.db");
    let db = db.to_str().unwrap();
    for args in [
        vec![
            "archive", "search", "--db", db, "--actor", "auditor", "--text", "保本",
        ],
        vec!["archive", "search", "--db", db, "--actor", "auditor"],
        vec!["archive", "hold", "list", "--db", db],
    ] {
        let o = wcp(&args);
        let err = String::from_utf8_lossy(&o.stderr).to_string();
        assert!(o.status.success(), "{args:?}: {err}");
        assert!(!err.contains("WARNING"), "{args:?}: {err}");
        let stdout = String::from_utf8_lossy(&o.stdout).to_string();
        assert!(!stdout.contains("WARNING"), "{args:?}: {stdout}");
    }
}
