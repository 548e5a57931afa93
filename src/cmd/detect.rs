//! `wcp detect`: the stable detection contract (DESIGN.md) over JSON Lines.

use std::io::{BufRead, BufWriter, Write};
use std::path::PathBuf;
use std::process::ExitCode;

use anyhow::Context;
use clap::Args;
use serde_json::{json, Value};
use wcp_stages::alert::AlertPolicy;
use wcp_stages::classify::Classifier;
use wcp_stages::offsets::slice_chars;

/// What `business_score` is here, said in --help and once on standard error (standard
/// output is the JSON Lines contract): the text with its risk and identity-number priors,
/// without the envelope priors the pipeline adds (trial 18b D14: the console showed 0.55
/// where detect said 0.35 for the same text).
macro_rules! score_note {
    () => {
        "business_score here is the text alone (with its risk-phrase and identity-number priors);\n\
         the pipeline (wcp run, the console, the archive) also adds the message's context priors\n\
         (external participant +0.8, group +0.2, work msgtypes +0.8, stickers -0.6, outside\n\
         08:00-20:00 -0.4, weekend -0.4 log-odds; docs/CLASSIFIER.md), so the same text can score\n\
         differently there."
    };
}

#[derive(Args)]
#[command(
    after_help = concat!("Note: ", score_note!(), "\n\n",
      "Example:\n  wcp detect --input chats.jsonl > detections.jsonl\n  echo '{\"id\":1,\"text\":\"我的手机13912345678\"}' | wcp detect\n  wcp detect --min-score 0 --input cases.jsonl   # every PII candidate, as Presidio's score_threshold=0")
)]
pub struct DetectArgs {
    /// JSON Lines with at least "id" and "text"; "-" reads standard input.
    #[arg(long, short, default_value = "-")]
    pub input: String,
    /// Risk lexicon policy replacing the built-in policies/risk.toml.
    #[arg(long)]
    pub risk_policy: Option<PathBuf>,
    /// Report every PII candidate scoring at least S, overlaps included (Presidio's
    /// score_threshold; 0 = every pattern candidate). Default: the production threshold.
    #[arg(long, value_name = "S", value_parser = min_score)]
    pub min_score: Option<f32>,
    /// Pipeline policy whose [alert] section decides which risks alert (as `wcp run` and the
    /// alerter do); default: the built-in policies/pipeline.toml.
    #[arg(long)]
    pub policy: Option<PathBuf>,
}

/// What `detect_line` needs: the detectors and the alert policy.
pub struct Detector {
    pub classifier: Classifier,
    pub alert: AlertPolicy,
}

fn min_score(s: &str) -> Result<f32, String> {
    match s.parse::<f32>() {
        Ok(v) if (0.0..=1.0).contains(&v) => Ok(v),
        _ => Err(format!("`{s}` is not a score between 0 and 1")),
    }
}

pub fn run(args: DetectArgs) -> anyhow::Result<ExitCode> {
    let risk_policy = match &args.risk_policy {
        Some(p) => {
            Some(std::fs::read_to_string(p).with_context(|| format!("reading {}", p.display()))?)
        }
        None => None,
    };
    let alert = super::run::load_policy(args.policy.as_deref())?.alert;
    let mut classifier = Classifier::new(&Default::default(), None, risk_policy.as_deref())?;
    if let Some(s) = args.min_score {
        classifier = classifier.with_pii(
            wcp_pii::PiiDetector::new()
                .with_min_score(s)
                .with_overlaps(true),
        );
    }
    let detector = Detector { classifier, alert };
    let reader: Box<dyn BufRead> = if args.input == "-" {
        Box::new(std::io::stdin().lock())
    } else {
        let f =
            std::fs::File::open(&args.input).with_context(|| format!("opening {}", args.input))?;
        Box::new(std::io::BufReader::new(f))
    };
    let name = if args.input == "-" {
        "<stdin>"
    } else {
        args.input.as_str()
    };
    eprintln!("wcp detect: note: {}", score_note!().replace('\n', " "));
    let mut out = BufWriter::new(std::io::stdout().lock());
    let mut bad = 0usize;
    for (i, line) in reader.split(b'\n').enumerate() {
        let line = line.with_context(|| format!("reading {name}"))?;
        let lineno = i + 1;
        if line.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        match detect_line(&detector, &line) {
            Ok(v) => serde_json::to_writer(&mut out, &v)?,
            Err(problem) => {
                bad += 1;
                let v = json!({"line": lineno, "error": format!("{name}:{lineno}: {problem}")});
                serde_json::to_writer(&mut out, &v)?;
                eprintln!("{name}:{lineno}: {problem}");
            }
        }
        out.write_all(b"\n")?;
    }
    out.flush()?;
    Ok(if bad == 0 {
        ExitCode::SUCCESS
    } else {
        ExitCode::from(2)
    })
}

/// One input line → the contract's output object, or what is wrong with the line. Each risk
/// carries its score, its rule and why it fired, and whether the policy alerts on it (`alert`),
/// with `why_not_alerted` when it does not: the same decision as `wcp run` and the alerter.
pub fn detect_line(d: &Detector, line: &[u8]) -> Result<Value, String> {
    let text =
        std::str::from_utf8(line).map_err(|e| format!("not UTF-8 at byte {}", e.valid_up_to()))?;
    let v: Value =
        serde_json::from_str(text.trim_end_matches('\r')).map_err(|e| format!("not JSON ({e})"))?;
    let obj = v.as_object().ok_or("not a JSON object")?;
    let id = obj.get("id").cloned().ok_or("field `id` is missing")?;
    let text = match obj.get("text") {
        Some(Value::String(s)) => s,
        Some(_) => return Err("field `text` is not a string".into()),
        None => return Err("field `text` is missing".into()),
    };
    let (c, why) = d.classifier.detect_text_explained(text);
    let risks: Vec<Value> = c
        .risks
        .iter()
        .zip(why)
        .map(|(r, explanation)| {
            let mut v = json!({"category": r.category.as_str(), "start": r.start, "end": r.end,
                   "text": slice_chars(text, r.start, r.end), "rule": r.rule_id,
                   "score": (r.score * 1000.0).round() / 1000.0, "explanation": explanation});
            match d.alert.why_not_alerted(r) {
                None => v["alert"] = json!(true),
                Some(why) => {
                    v["alert"] = json!(false);
                    v["why_not_alerted"] = json!(why);
                }
            }
            v
        })
        .collect();
    let pii: Vec<Value> = c
        .pii
        .iter()
        .map(|p| {
            json!({"type": p.entity, "start": p.start, "end": p.end,
                   "text": slice_chars(text, p.start, p.end), "score": p.score})
        })
        .collect();
    Ok(json!({
        "id": id,
        "class": c.class.as_str(),
        "business_score": (c.business_score * 10_000.0).round() / 10_000.0,
        "risks": risks,
        "pii": pii,
    }))
}
