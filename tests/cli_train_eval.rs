//! `wcp train` is reproducible and `wcp eval` scores what `wcp detect` finds.
use std::process::Command;

fn wcp() -> Command {
    Command::new(env!("CARGO_BIN_EXE_wcp"))
}

const CORPUS: &str = r#"{"text":"请把客户的开户资料发我","class":"business"}
{"text":"client wants to buy the bond fund","class":"business"}
{"text":"明天路演改到十点","class":"business"}
{"text":"周末去爬山吗","class":"personal"}
{"text":"my son scored a goal today","class":"personal"}
{"text":"晚上吃火锅","class":"personal"}
{"text":"fwd: lunch and the Q3 numbers","class":"mixed"}
"#;

#[test]
fn train_twice_gives_the_same_bytes_and_the_seed_matters() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("c.jsonl");
    std::fs::write(&data, CORPUS).unwrap();
    let run = |out: &str, seed: &str| {
        let out = dir.path().join(out);
        let st = wcp()
            .args(["train", "--data"])
            .arg(&data)
            .arg("--out")
            .arg(&out)
            .args(["--seed", seed])
            .status()
            .unwrap();
        assert!(st.success());
        std::fs::read(out).unwrap()
    };
    let a = run("a.wctm", "1");
    assert_eq!(a, run("b.wctm", "1"));
    assert_ne!(a, run("c.wctm", "2"));
}

/// `--out` never replaces a file wcp did not write: a foreign file stays, even with --force;
/// a model is replaced only with --force.
#[test]
fn train_never_overwrites_a_file_it_did_not_write() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("c.jsonl");
    std::fs::write(&data, CORPUS).unwrap();
    let train = |out: &std::path::Path, force: bool| {
        let mut c = wcp();
        c.args(["train", "--data"]).arg(&data).arg("--out").arg(out);
        if force {
            c.arg("--force");
        }
        c.output().unwrap()
    };
    let notes = dir.path().join("notes.txt");
    std::fs::write(&notes, "my own notes\n").unwrap();
    for force in [false, true] {
        let o = train(&notes, force);
        assert!(!o.status.success(), "force={force}");
        assert!(String::from_utf8_lossy(&o.stderr).contains("not overwritten"));
        assert_eq!(std::fs::read_to_string(&notes).unwrap(), "my own notes\n");
    }
    let model = dir.path().join("m.wctm");
    assert!(train(&model, false).status.success());
    let o = train(&model, false);
    assert!(!o.status.success(), "an existing model needs --force");
    assert!(
        train(&model, true).status.success(),
        "--force replaces a model"
    );
}

#[test]
fn train_rejects_a_bad_label_with_exit_2() {
    let dir = tempfile::tempdir().unwrap();
    let data = dir.path().join("bad.jsonl");
    std::fs::write(&data, "{\"text\":\"x\",\"class\":\"work\"}\n").unwrap();
    let out = wcp()
        .args(["train", "--data"])
        .arg(&data)
        .arg("--out")
        .arg(dir.path().join("m"))
        .output()
        .unwrap();
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("line 1"));
}

#[test]
fn eval_scores_detections_as_json() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        concat!(
            "{\"id\":\"a\",\"text\":\"客户邮箱 li.wei@example.com 请更新\",\"class\":\"business\",\"risk\":[],",
            "\"pii\":[{\"type\":\"EMAIL_ADDRESS\",\"start\":5,\"end\":23}]}\n",
            "{\"id\":\"b\",\"text\":\"周末带孩子去公园玩，晚上吃火锅😋\",\"class\":\"personal\",\"risk\":[],\"pii\":[]}\n",
        ),
    )
    .unwrap();
    let out = wcp()
        .args(["eval", "--json", "--input"])
        .arg(&gold)
        .output()
        .unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    assert_eq!(v["messages"], 2);
    assert_eq!(v["pii"]["total"]["counts"]["tp"], 1, "{v}");
    assert_eq!(v["class"]["business"]["counts"]["tp"], 1, "{v}");
    assert_eq!(v["class"]["personal"]["counts"]["tp"], 1, "{v}");
}

/// The development set, when the shared data is next to the repository.
#[test]
fn eval_on_chat_dev_meets_the_class_bars() {
    let path =
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../shared/data/eval/chat_dev.jsonl");
    if !path.exists() {
        eprintln!("skipped: {} not present", path.display());
        return;
    }
    let out = wcp()
        .args(["eval", "--json", "--input"])
        .arg(&path)
        .output()
        .unwrap();
    assert!(out.status.success());
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let recall = v["class"]["business_recall"].as_f64().unwrap();
    let macro_f1 = v["class"]["macro_f1"].as_f64().unwrap();
    // Regression floor at the figures in docs/CLASSIFIER.md (not the issue's target, which is not met yet).
    assert!(
        recall >= 0.95 && macro_f1 >= 0.88,
        "business recall {recall}, macro-F1 {macro_f1}"
    );
}

/// Issue 11 item 8: the human report breaks the risk errors down per category — false positives
/// by the rule that raised them, misses by what was raised instead.
#[test]
fn eval_prints_the_risk_confusion_breakdown() {
    let dir = tempfile::tempdir().unwrap();
    let gold = dir.path().join("gold.jsonl");
    std::fs::write(
        &gold,
        concat!(
            "{\"id\":\"fp\",\"text\":\"这个产品保本保息，亏了算我的\",\"class\":\"business\",\"risk\":[]}\n",
            "{\"id\":\"fn\",\"text\":\"明天见\",\"class\":\"business\",\"risk\":[\"complaint\"]}\n",
        ),
    )
    .unwrap();
    let out = wcp().args(["eval", "--input"]).arg(&gold).output().unwrap();
    assert!(out.status.success());
    let text = String::from_utf8(out.stdout).unwrap();
    assert!(text.contains("risk errors by category"), "{text}");
    assert!(text.contains("guarantee.zh.保本"), "{text}");
    assert!(text.contains("as (nothing)"), "{text}");
    let out = wcp()
        .args(["eval", "--json", "--input"])
        .arg(&gold)
        .output()
        .unwrap();
    let v: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let cats = v["risk_confusion"].as_array().unwrap();
    assert!(cats.iter().any(|c| c["category"] == "complaint"
        && c["false_negatives_raised_as"][0]["examples"][0] == "fn"));
}
