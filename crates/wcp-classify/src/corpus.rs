//! Labelled JSON Lines (`{"text", "class", "ctx"?}`) → training examples.
//!
//! `class` is `business` or `personal`; rows labelled `mixed` carry no single
//! purpose and are skipped (and counted). An optional `ctx` object with the
//! [`EventContext`] fields becomes the same named features the classifier
//! passes at run time.
use crate::context::EventContext;
use serde::Deserialize;
use wcp_textmodel::{Example, TrainConfig};

/// Seed of the shipped model (`wcp train` default).
pub const DEFAULT_SEED: u64 = 20_261_127;

/// Training settings of the business/personal model; only the seed varies.
/// Business examples weigh 1.5× in the loss: calling business personal is the
/// costly error, and the corpus holds slightly more personal lines.
pub fn train_config(seed: u64) -> TrainConfig {
    TrainConfig {
        bits: 18,
        epochs: 12,
        learning_rate: 0.2,
        l2: 1e-6,
        seed,
        positive_weight: 1.5,
    }
}

/// A parsed corpus.
#[derive(Debug, Default)]
pub struct Corpus {
    pub examples: Vec<Example>,
    pub skipped_mixed: usize,
}

/// Why a corpus line was rejected (1-based line numbers).
#[derive(Debug, thiserror::Error)]
pub enum CorpusError {
    #[error("line {line}: not a JSON object with text and class: {source}")]
    Json {
        line: usize,
        source: serde_json::Error,
    },
    #[error("line {line}: class must be business, personal or mixed, got {class:?}")]
    BadClass { line: usize, class: String },
}

#[derive(Deserialize)]
struct Row {
    text: String,
    class: String,
    #[serde(default)]
    ctx: Option<EventContext>,
}

/// Parses a whole JSON Lines document; blank lines are ignored.
pub fn parse_corpus(jsonl: &str) -> Result<Corpus, CorpusError> {
    let mut corpus = Corpus::default();
    for (i, line) in jsonl.lines().enumerate() {
        if line.trim().is_empty() {
            continue;
        }
        let row: Row = serde_json::from_str(line).map_err(|source| CorpusError::Json {
            line: i + 1,
            source,
        })?;
        let label = match row.class.as_str() {
            "business" => true,
            "personal" => false,
            "mixed" => {
                corpus.skipped_mixed += 1;
                continue;
            }
            _ => {
                return Err(CorpusError::BadClass {
                    line: i + 1,
                    class: row.class,
                })
            }
        };
        let extra = match &row.ctx {
            Some(ctx) => {
                let (f, n) = ctx.features().model_input();
                f[..n]
                    .iter()
                    .map(|(name, v)| (name.to_string(), *v))
                    .collect()
            }
            None => Vec::new(),
        };
        corpus.examples.push(Example {
            text: row.text,
            extra,
            label,
        });
    }
    Ok(corpus)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_labels_context_and_skips_mixed() {
        let doc = concat!(
            "{\"text\":\"客户要赎回\",\"class\":\"business\",\"lang\":\"zh\"}\n",
            "\n",
            "{\"text\":\"晚上吃啥\",\"class\":\"personal\",\"ctx\":{\"is_group\":true}}\n",
            "{\"text\":\"fwd: lunch and the deal\",\"class\":\"mixed\"}\n",
        );
        let c = parse_corpus(doc).unwrap();
        assert_eq!(c.examples.len(), 2);
        assert_eq!(c.skipped_mixed, 1);
        assert!(c.examples[0].label && !c.examples[1].label);
        assert_eq!(c.examples[1].extra, vec![("ctx:group".to_string(), 1.0)]);
    }

    #[test]
    fn reports_the_bad_line() {
        let err =
            parse_corpus("{\"text\":\"a\",\"class\":\"business\"}\n{\"text\":1}").unwrap_err();
        assert!(matches!(err, CorpusError::Json { line: 2, .. }));
        let err = parse_corpus("{\"text\":\"a\",\"class\":\"work\"}").unwrap_err();
        assert!(matches!(err, CorpusError::BadClass { line: 1, .. }));
    }
}
