//! Scoring and explanation with a trained model.
use crate::features::{bucket, extra_hash, for_each_text_feature, render, Feat};

/// One binary logistic-regression model over hashed features.
///
/// Text features are counts scaled by `1/sqrt(n)` (n = feature occurrences in
/// the text) so that a long e-mail and a five-character chat line produce
/// logits on the same scale; extra features enter with the caller's value.
#[derive(Clone, Debug, PartialEq)]
pub struct Model {
    pub(crate) bits: u8,
    pub(crate) bias: f32,
    pub(crate) weights: Vec<f32>,
}

/// Sparse feature vector of one input: sorted bucket indices with summed
/// values. Shared by the trainer so training and scoring cannot disagree.
pub(crate) fn sparse_features(text: &str, extra: &[(&str, f32)], bits: u8) -> Vec<(u32, f32)> {
    let mut idx = Vec::new();
    for_each_text_feature(text, |h, _| idx.push(bucket(h, bits) as u32));
    let scale = text_scale(idx.len());
    let mut v: Vec<(u32, f32)> = idx.into_iter().map(|i| (i, scale)).collect();
    v.extend(
        extra
            .iter()
            .map(|(name, x)| (bucket(extra_hash(name), bits) as u32, *x)),
    );
    // Sorting by index (stable, then merging) gives one fixed summation order.
    v.sort_by_key(|p| p.0);
    let mut out: Vec<(u32, f32)> = Vec::with_capacity(v.len());
    for (i, x) in v {
        match out.last_mut() {
            Some(last) if last.0 == i => last.1 += x,
            _ => out.push((i, x)),
        }
    }
    out
}

#[inline(always)]
fn text_scale(n: usize) -> f32 {
    if n == 0 {
        0.0
    } else {
        1.0 / (n as f32).sqrt()
    }
}

#[inline(always)]
pub(crate) fn sigmoid(z: f32) -> f32 {
    1.0 / (1.0 + (-z).exp())
}

impl Model {
    /// Number of hash bits (the model has `2^bits` weights).
    pub fn bits(&self) -> u8 {
        self.bits
    }

    /// Intercept of the logistic regression.
    pub fn bias(&self) -> f32 {
        self.bias
    }

    /// Number of non-zero weights (what the binary format stores).
    pub fn nonzero(&self) -> usize {
        self.weights.iter().filter(|w| **w != 0.0).count()
    }

    /// Log-odds of the positive label. Allocation-free.
    pub fn logit(&self, text: &str, extra: &[(&str, f32)]) -> f32 {
        let mut sum = 0.0f32;
        let mut n = 0usize;
        for_each_text_feature(text, |h, _| {
            sum += self.weights[bucket(h, self.bits)];
            n += 1;
        });
        let mut z = self.bias + sum * text_scale(n);
        for (name, x) in extra {
            z += self.weights[bucket(extra_hash(name), self.bits)] * x;
        }
        z
    }

    /// Probability of the positive label.
    pub fn score(&self, text: &str, extra: &[(&str, f32)]) -> f32 {
        sigmoid(self.logit(text, extra))
    }

    /// The `k` features with the largest absolute contribution to the logit,
    /// as (feature, contribution); positive pushes towards the label.
    /// Occurrences are summed per bucket (so a repeated n-gram is one entry)
    /// and only the `k` winners are turned into strings.
    pub fn explain(&self, text: &str, extra: &[(&str, f32)], k: usize) -> Vec<(String, f32)> {
        let mut occ: Vec<(usize, Feat)> = Vec::new();
        for_each_text_feature(text, |h, f| occ.push((bucket(h, self.bits), f)));
        let scale = text_scale(occ.len());
        // Stable sort: the first occurrence names the bucket, deterministically.
        occ.sort_by_key(|o| o.0);
        let mut sums: Vec<(usize, Feat, f32)> = Vec::with_capacity(occ.len());
        for (b, f) in occ {
            let c = self.weights[b] * scale;
            match sums.last_mut() {
                Some(last) if last.0 == b => last.2 += c,
                _ => sums.push((b, f, c)),
            }
        }
        sums.retain(|s| s.2 != 0.0);
        sums.sort_by(|a, b| b.2.abs().total_cmp(&a.2.abs()).then(a.0.cmp(&b.0)));
        sums.truncate(k);
        let mut out: Vec<(String, f32)> = sums
            .into_iter()
            .map(|(_, f, c)| (render(text, f), c))
            .collect();
        for (name, x) in extra {
            let c = self.weights[bucket(extra_hash(name), self.bits)] * x;
            if c != 0.0 {
                out.push((format!("@{name}"), c));
            }
        }
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        out.truncate(k);
        out
    }
}
