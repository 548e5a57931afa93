//! The `wcp detect` contract (DESIGN.md): one output line per input line, code-point
//! offsets, an error line naming the line number for bad input, processing goes on.

use std::io::Write;
use std::process::{Command, Stdio};

fn detect(input: &str) -> (Vec<serde_json::Value>, i32) {
    run_detect(&[], input)
}

/// `wcp detect --input - ARGS` on `input`: the output lines and the exit code.
fn run_detect(args: &[&str], input: &str) -> (Vec<serde_json::Value>, i32) {
    let out = detect_output(args, input);
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    (lines, out.status.code().unwrap())
}

/// `wcp detect --input - ARGS` on `input`, as the process left it.
fn detect_output(args: &[&str], input: &str) -> std::process::Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["detect", "--input", "-"])
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(input.as_bytes())
        .unwrap();
    child.wait_with_output().unwrap()
}

#[test]
fn contract_fields_and_code_point_offsets() {
    let input = concat!(
        r#"{"id":"a","text":"我的手机13912345678，邮箱li.na@example.com"}"#,
        "\n",
        r#"{"id":7,"text":"Dinner tonight? The kids want hotpot 🍲"}"#,
        "\n",
    );
    let (out, code) = detect(input);
    assert_eq!(code, 0);
    assert_eq!(out.len(), 2);
    let first = &out[0];
    assert_eq!(first["id"], "a");
    assert!(first["class"] == "business" || first["class"] == "personal");
    let score = first["business_score"].as_f64().unwrap();
    assert!((0.0..=1.0).contains(&score));
    assert!(first["risks"].is_array());
    let pii = first["pii"].as_array().unwrap();
    let phone = pii
        .iter()
        .find(|p| p["type"] == "PHONE_NUMBER")
        .expect("phone found");
    // "我的手机" is 4 code points (12 bytes): offsets must be code points.
    assert_eq!(
        (phone["start"].as_u64(), phone["end"].as_u64()),
        (Some(4), Some(15))
    );
    assert_eq!(phone["text"], "13912345678");
    let email = pii
        .iter()
        .find(|p| p["type"] == "EMAIL_ADDRESS")
        .expect("email found");
    let text: Vec<char> = "我的手机13912345678，邮箱li.na@example.com"
        .chars()
        .collect();
    let (s, e) = (
        email["start"].as_u64().unwrap() as usize,
        email["end"].as_u64().unwrap() as usize,
    );
    assert_eq!(text[s..e].iter().collect::<String>(), "li.na@example.com");
    assert_eq!(out[1]["id"], 7);
}

#[test]
fn bad_lines_get_error_lines_and_processing_goes_on() {
    let input = concat!(
        r#"{"id":"ok1","text":"hello"}"#,
        "\n",
        "not json\n",
        r#"{"text":"no id"}"#,
        "\n",
        r#"{"id":"t","text":42}"#,
        "\n",
        r#"{"id":"ok2","text":"放心，这个肯定稳赚，年化8%保底"}"#,
        "\n",
    );
    let (out, code) = detect(input);
    assert_eq!(
        code, 2,
        "input errors give exit code 2 after processing everything"
    );
    assert_eq!(out.len(), 5);
    for (i, line) in [(1, &out[1]), (2, &out[2]), (3, &out[3])] {
        assert_eq!(line["line"], i + 1);
        assert!(line["error"]
            .as_str()
            .unwrap()
            .contains(&format!(":{}:", i + 1)));
    }
    assert!(out[2]["error"].as_str().unwrap().contains("`id`"));
    assert!(out[3]["error"].as_str().unwrap().contains("`text`"));
    assert_eq!(out[4]["id"], "ok2");
    let cats: Vec<&str> = out[4]["risks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| r["category"].as_str().unwrap())
        .collect();
    assert!(cats.contains(&"guarantee_of_returns"), "{cats:?}");
}

fn detect_with(args: &[&str], input: &str) -> Vec<serde_json::Value> {
    let (lines, code) = run_detect(args, input);
    assert_eq!(code, 0);
    lines
}

/// Issue 11 item 7: each risk carries its score, why it fired and whether the policy alerts on
/// it; a risk that does not alert says why. Small talk and empty text raise nothing.
#[test]
fn each_risk_says_whether_it_alerts_and_why_not() {
    let input = concat!(
        r#"{"id":"r","text":"这个产品保本保息，亏了算我的"}"#,
        "\n",
        r#"{"id":"hi","text":"hi"}"#,
        "\n",
        r#"{"id":"ok","text":"好的"}"#,
        "\n",
        r#"{"id":"media","text":""}"#,
        "\n",
    );
    let out = detect_with(&[], input);
    let risks = out[0]["risks"].as_array().unwrap();
    assert!(!risks.is_empty());
    for r in risks {
        assert_eq!(r["alert"], true, "{r}");
        assert!(r["score"].as_f64().unwrap() >= 0.5, "{r}");
        assert!(r["rule"].as_str().is_some() && r["explanation"].as_str().is_some());
        assert!(r.get("why_not_alerted").is_none());
    }
    for o in &out[1..] {
        assert_eq!(o["risks"].as_array().unwrap().len(), 0, "{o}");
    }

    // A policy with a higher alert floor: the same risks are found and say why they do not alert.
    let dir = tempfile::tempdir().unwrap();
    let policy = dir.path().join("strict.toml");
    let text = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/policies/pipeline.toml"
    ))
    .unwrap();
    assert!(text.contains("min_score = 0.5"));
    std::fs::write(&policy, text.replace("min_score = 0.5", "min_score = 0.99")).unwrap();
    let out = detect_with(&["--policy", policy.to_str().unwrap()], input);
    let strict = out[0]["risks"].as_array().unwrap();
    assert_eq!(strict.len(), risks.len());
    for r in strict {
        assert_eq!(r["alert"], false, "{r}");
        let why = r["why_not_alerted"].as_str().unwrap();
        assert!(why.contains("alert floor 0.99"), "{why}");
    }
}

/// `business_score` lacks the pipeline's envelope priors: --help says so, and so does one
/// note on standard error, standard output staying JSON Lines (trial 18b D14).
#[test]
fn the_score_says_it_lacks_the_pipelines_context_priors() {
    let help = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .args(["detect", "--help"])
        .output()
        .unwrap();
    let help = String::from_utf8(help.stdout).unwrap();
    assert!(
        help.contains("context priors") && help.contains("external participant +0.8"),
        "{help}"
    );
    let out = detect_output(&[], "{\"id\":\"a\",\"text\":\"move this to WhatsApp\"}\n");
    let err = String::from_utf8(out.stderr).unwrap();
    assert_eq!(err.matches("context priors").count(), 1, "{err}");
    assert!(err.contains("docs/CLASSIFIER.md"), "{err}");
    let stdout = String::from_utf8(out.stdout).unwrap();
    assert_eq!(stdout.lines().count(), 1);
    let v: serde_json::Value = serde_json::from_str(stdout.trim()).unwrap();
    assert_eq!(v["id"], "a");
}
