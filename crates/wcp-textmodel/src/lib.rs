//! wcp-textmodel: the fast linear text-model machinery shared by the
//! personal/business classifier and the per-category risk models.
//!
//! One [`Model`] is one binary label (a logistic regression over hashed
//! features). Text is turned into features without allocating: CJK runs give
//! character 1–3-grams, Latin runs give lower-cased word unigrams and bigrams
//! (every digit collapsed to `0`), and every other symbol (punctuation, emoji)
//! is a feature of its own. Callers may add named numeric features (event
//! context, lexicon hits). Features are hashed into `2^bits` buckets, so a
//! model stores no vocabulary; [`Model::explain`] recovers the n-gram strings
//! by re-extracting the features of the input it explains.
//!
//! Layout: `features` (normalisation, tokenisation, hashing), `model`
//! (scoring and explanation), `train` (deterministic AdaGrad logistic
//! regression), `format` (versioned little-endian binary encoding).
mod features;
mod format;
mod model;
mod train;

pub use features::{DEFAULT_BITS, MAX_BITS, MIN_BITS};
pub use format::FormatError;

/// Number of text features `text` yields: walks exactly the tokenisation a
/// model's scoring does, without a weight table (a baseline for benchmarks).
pub fn feature_count(text: &str) -> usize {
    let mut n = 0;
    features::for_each_text_feature(text, |_, _| n += 1);
    n
}
pub use model::Model;
pub use train::{train, Example, TrainConfig, TrainError};
