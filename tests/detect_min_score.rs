//! `wcp detect --min-score S` (Presidio's score_threshold): every PII candidate scoring at
//! least S, overlaps included; the default stays the production threshold.

use std::io::Write;
use std::process::{Command, Stdio};

fn detect(args: &[&str], input: &str) -> (Vec<serde_json::Value>, i32, String) {
    let mut child = Command::new(env!("CARGO_BIN_EXE_wcp"))
        .arg("detect")
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
    let out = child.wait_with_output().unwrap();
    let lines = String::from_utf8(out.stdout)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).expect("every output line is JSON"))
        .collect();
    let err = String::from_utf8_lossy(&out.stderr).into_owned();
    (lines, out.status.code().unwrap(), err)
}

fn types(v: &serde_json::Value) -> Vec<(String, f64)> {
    v["pii"]
        .as_array()
        .unwrap()
        .iter()
        .map(|p| {
            (
                p["type"].as_str().unwrap().to_string(),
                p["score"].as_f64().unwrap(),
            )
        })
        .collect()
}

// 123 456 782 passes the Australian TFN check digit; with no context word it is a weak shape.
const LINE: &str = r#"{"id":1,"text":"ref 123 456 782 ok"}"#;

#[test]
fn default_hides_weak_shapes_min_score_zero_shows_them_with_scores() {
    let (out, code, _) = detect(&[], LINE);
    assert_eq!(code, 0);
    assert!(types(&out[0]).is_empty(), "{:?}", out[0]);
    let (out, code, _) = detect(&["--min-score", "0"], LINE);
    assert_eq!(code, 0);
    let t = types(&out[0]);
    assert!(t.iter().any(|(e, s)| e == "AU_TFN" && *s < 0.4), "{t:?}");
    // overlapping candidates of other entities on the same digits are all reported
    assert!(t.len() >= 2, "{t:?}");
    // a threshold between the candidates' scores keeps only those at or above it
    let (out, _, _) = detect(&["--min-score", "0.2"], LINE);
    assert!(types(&out[0]).iter().all(|(_, s)| *s >= 0.2));
}

#[test]
fn a_context_word_lifts_the_shape_over_the_default_threshold() {
    let (out, _, _) = detect(&[], r#"{"id":1,"text":"my TFN is 123 456 782"}"#);
    assert!(
        types(&out[0]).iter().any(|(e, _)| e == "AU_TFN"),
        "{:?}",
        out[0]
    );
}

#[test]
fn out_of_range_score_is_a_usage_error() {
    let (_, code, err) = detect(&["--min-score", "1.5"], LINE);
    assert_eq!(code, 2);
    assert!(err.contains("between 0 and 1"), "{err}");
}
