//! Per-category linear text models that back up the lexicon on paraphrases.
//!
//! Eleven `wcp_textmodel::Model`s: a *gate* (any risk vs none) and one per category. The gate
//! runs on every message; the category models only when the gate reaches `gate_threshold`,
//! which keeps the common benign message at one feature pass. All are trained by
//! [`train_bundle`], a deterministic function of the JSON Lines in `data/train/risk/`
//! (`{"text", "risk": [categories]}`), on the same normalised text that scanning sees. The
//! result is committed as `models/risk_models.bin` and embedded; a test retrains and compares
//! the bytes.
//!
//! Bundle format: magic `WCRB`, u16 version, u16 count, then per model `u32 len` + the
//! `wcp_textmodel` bytes (gate first, then the categories in `RiskCategory::ALL` order).

use crate::normalize::normalize;
use crate::{cat_index, ModelSettings, RiskMatch};
use std::sync::OnceLock;
use wcp_model::RiskCategory;
use wcp_textmodel::{train, Example, Model, TrainConfig};

/// The committed bundle (regenerate with `cargo run -p wcp-risk --example train_risk_models`).
pub const EMBEDDED: &[u8] = include_bytes!("../models/risk_models.bin");
const MAGIC: &[u8; 4] = b"WCRB";
const VERSION: u16 = 1;

/// Why a bundle or its training data was rejected.
#[derive(Debug, thiserror::Error)]
pub enum ModelError {
    #[error("training data line {line}: {message}")]
    Data { line: usize, message: String },
    #[error("training: {0}")]
    Train(#[from] wcp_textmodel::TrainError),
    #[error("model bundle: {0}")]
    Format(String),
}

/// The gate and the nine category models.
pub struct RiskModels {
    gate: Model,
    per: Vec<Model>,
}

#[derive(serde::Deserialize)]
struct Line {
    text: String,
    #[serde(default)]
    risk: Vec<RiskCategory>,
    /// `calib` lines (one in ten of the benign corpora) are kept out of training: they measure
    /// how often the models fire on ordinary chat, to set the thresholds.
    #[serde(default)]
    split: Option<String>,
}

/// Hyper-parameters used for every model of the bundle.
pub fn train_config() -> TrainConfig {
    TrainConfig {
        bits: 16,
        epochs: 20,
        positive_weight: 8.0,
        ..TrainConfig::default()
    }
}

/// Trains the bundle from JSON Lines text (files concatenated in name order).
pub fn train_bundle(jsonl: &str) -> Result<Vec<u8>, ModelError> {
    let mut rows: Vec<(String, Vec<RiskCategory>)> = Vec::new();
    for (i, raw) in jsonl.lines().enumerate() {
        if raw.trim().is_empty() {
            continue;
        }
        let l: Line = serde_json::from_str(raw).map_err(|e| ModelError::Data {
            line: i + 1,
            message: e.to_string(),
        })?;
        if l.split.as_deref() == Some("calib") {
            continue;
        }
        rows.push((normalize(&l.text).text, l.risk));
    }
    let cfg = train_config();
    let examples = |label: &dyn Fn(&[RiskCategory]) -> bool| -> Vec<Example> {
        rows.iter()
            .map(|(t, r)| Example {
                text: t.clone(),
                extra: Vec::new(),
                label: label(r),
            })
            .collect()
    };
    let mut models = vec![train(&examples(&|r| !r.is_empty()), &cfg)?];
    for c in RiskCategory::ALL {
        models.push(train(&examples(&|r| r.contains(&c)), &cfg)?);
    }
    let mut out = Vec::new();
    out.extend_from_slice(MAGIC);
    out.extend_from_slice(&VERSION.to_le_bytes());
    out.extend_from_slice(&(models.len() as u16).to_le_bytes());
    for m in models {
        let b = m.to_bytes();
        out.extend_from_slice(&(b.len() as u32).to_le_bytes());
        out.extend_from_slice(&b);
    }
    Ok(out)
}

impl RiskModels {
    /// Decodes a bundle written by [`train_bundle`].
    pub fn from_bytes(b: &[u8]) -> Result<RiskModels, ModelError> {
        let bad = |m: &str| ModelError::Format(m.to_string());
        if b.len() < 8 || &b[..4] != MAGIC {
            return Err(bad("bad magic"));
        }
        if u16::from_le_bytes([b[4], b[5]]) != VERSION {
            return Err(bad("unsupported version"));
        }
        let count = u16::from_le_bytes([b[6], b[7]]) as usize;
        if count != RiskCategory::ALL.len() + 1 {
            return Err(bad("wrong model count"));
        }
        let mut at = 8;
        let mut models = Vec::with_capacity(count);
        for _ in 0..count {
            let len_bytes = b.get(at..at + 4).ok_or_else(|| bad("truncated"))?;
            let len = u32::from_le_bytes([len_bytes[0], len_bytes[1], len_bytes[2], len_bytes[3]]);
            at += 4;
            let body = b
                .get(at..at + len as usize)
                .ok_or_else(|| bad("truncated"))?;
            models.push(Model::from_bytes(body).map_err(|e| ModelError::Format(e.to_string()))?);
            at += len as usize;
        }
        if at != b.len() {
            return Err(bad("trailing bytes"));
        }
        let gate = models.remove(0);
        Ok(RiskModels { gate, per: models })
    }

    /// The bundle compiled into this crate, decoded once.
    pub fn embedded() -> &'static RiskModels {
        static M: OnceLock<RiskModels> = OnceLock::new();
        M.get_or_init(|| RiskModels::from_bytes(EMBEDDED).expect("embedded risk models decode"))
    }

    /// Probability that `norm` (normalised text) shows category `c`.
    pub fn probability(&self, norm: &str, c: RiskCategory) -> f32 {
        self.per[cat_index(c)].score(norm, &[])
    }

    /// (log-odds, evidence) of the gate and of each category model on normalised text: what
    /// the decision in `fill` reads, for calibration tools.
    pub fn probe(&self, norm: &str) -> ((f32, f32), Vec<(f32, f32)>) {
        let gate = self.gate.logit_evidence(norm);
        (
            gate,
            self.per.iter().map(|m| m.logit_evidence(norm)).collect(),
        )
    }

    /// When the lexicon found nothing, adds a model match for every category whose probability
    /// reaches its threshold, whose evidence reaches the floor, and that the lexicon did not veto
    /// (an exception phrase of that category occurred). Model matches span the whole message
    /// (`0..orig_len`).
    pub(crate) fn fill(
        &self,
        norm: &str,
        orig_len: usize,
        s: &ModelSettings,
        vetoed: &[bool; 9],
        best: &mut [Option<RiskMatch>; 9],
    ) {
        // The models are a backstop for messages in which the lexicon found nothing: a message
        // with a lexicon hit is already flagged for review, and skipping it keeps the cost of
        // the nine model passes off the hot path. Short lines carry too little text for a bag of
        // n-grams to judge: "ok", "好的", an emoji or a media message must never raise a risk.
        if best.iter().any(Option::is_some) || content_chars(norm) < s.min_chars as usize {
            return;
        }
        let (gz, ge) = self.gate.logit_evidence(norm);
        if sigmoid(gz) < s.gate_threshold || ge < s.evidence_floor {
            return;
        }
        for (i, c) in RiskCategory::ALL.into_iter().enumerate() {
            if best[i].is_some() || vetoed[i] {
                continue;
            }
            let (z, evidence) = self.per[i].logit_evidence(norm);
            let p = sigmoid(z);
            let threshold = s.thresholds.get(c.as_str()).copied().unwrap_or(s.threshold);
            if p < threshold || evidence < s.evidence_floor {
                continue;
            }
            let top: Vec<String> = self.per[i]
                .explain(norm, &[], 8)
                .into_iter()
                .filter(|(_, w)| *w > 0.0)
                .take(4)
                .map(|(f, w)| format!("{f:?} {w:+.2}"))
                .collect();
            best[i] = Some(RiskMatch {
                category: c,
                start: 0,
                end: orig_len,
                rule_id: format!("model.{c}"),
                explanation: format!("model p={p:.2} evidence {evidence:.2}: {}", top.join(", ")),
                score: p,
            });
        }
    }
}

fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

/// CJK characters plus ASCII letters and digits: what a model can read in a message.
pub fn content_chars(norm: &str) -> usize {
    norm.chars()
        .filter(|c| c.is_ascii_alphanumeric() || ('\u{3400}'..='\u{9fff}').contains(c))
        .count()
}

/// Reads every `*.jsonl` of each directory, in file-name order, concatenated (the trainer's
/// input): `data/train/risk` (written for wcp) and `data/train/corpora` (benign chat from
/// registry packages, see its SOURCES.md).
pub fn read_training_dirs(dirs: &[&std::path::Path]) -> std::io::Result<String> {
    let mut all = String::new();
    for dir in dirs {
        let mut files: Vec<std::path::PathBuf> = std::fs::read_dir(dir)?
            .filter_map(|e| e.ok().map(|e| e.path()))
            .filter(|p| p.extension().is_some_and(|x| x == "jsonl"))
            .collect();
        files.sort();
        for f in files {
            all.push_str(&std::fs::read_to_string(f)?);
            if !all.ends_with('\n') {
                all.push('\n');
            }
        }
    }
    Ok(all)
}

/// The training directories relative to this crate.
pub fn training_dirs() -> [std::path::PathBuf; 2] {
    let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../../data/train");
    [root.join("risk"), root.join("corpora")]
}

/// The whole training input as the shipped bundle was trained from it.
pub fn read_training_data() -> std::io::Result<String> {
    let [a, b] = training_dirs();
    read_training_dirs(&[&a, &b])
}
