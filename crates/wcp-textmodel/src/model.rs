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
    /// The trained weights, as stored in the model file.
    pub(crate) weights: Vec<f32>,
    /// The same weights as 16-bit steps of `step`: what scoring reads. Half
    /// the bytes of f32 keeps a 2^18 table (512 KiB) from pushing the
    /// detection automata out of a 1 MiB L2 cache; the rounding (≤ step/2
    /// per weight) is far below anything that changes a decision.
    table: Vec<i16>,
    step: f32,
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
    pub(crate) fn new(bits: u8, bias: f32, weights: Vec<f32>) -> Model {
        let max = weights.iter().fold(0.0f32, |m, w| m.max(w.abs()));
        let step = if max > 0.0 {
            max / f32::from(i16::MAX)
        } else {
            1.0
        };
        let table = weights.iter().map(|w| (w / step).round() as i16).collect();
        Model {
            bits,
            bias,
            weights,
            table,
            step,
        }
    }

    /// Weight of bucket `b` as scoring sees it.
    #[inline(always)]
    fn w(&self, b: usize) -> f32 {
        f32::from(self.table[b]) * self.step
    }

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
            sum += self.w(bucket(h, self.bits));
            n += 1;
        });
        let mut z = self.bias + sum * text_scale(n);
        for (name, x) in extra {
            z += self.w(bucket(extra_hash(name), self.bits)) * x;
        }
        z
    }

    /// Log-odds and the learned evidence for the positive label: the sum of the
    /// positive contributions of the message's words and phrases (Latin words and
    /// word pairs, CJK 2- and 3-grams), the bias, single CJK characters and
    /// symbols left out. A decision that must rest on something the message says
    /// (not on the prior the bias encodes, nor on brackets or an emoji) checks
    /// this against a floor; empty text has none. One pass, allocation-free.
    pub fn logit_evidence(&self, text: &str) -> (f32, f32) {
        let (mut sum, mut pos) = (0.0f32, 0.0f32);
        let mut n = 0usize;
        for_each_text_feature(text, |h, f| {
            let w = self.w(bucket(h, self.bits));
            sum += w;
            let phrase = match f {
                Feat::Word { .. } | Feat::Bigram { .. } => true,
                Feat::Gram { len, .. } => len >= 2,
                Feat::Sym(_) => false,
            };
            if w > 0.0 && phrase {
                pos += w;
            }
            n += 1;
        });
        let scale = text_scale(n);
        (self.bias + sum * scale, pos * scale)
    }

    /// Probability of the positive label.
    pub fn score(&self, text: &str, extra: &[(&str, f32)]) -> f32 {
        sigmoid(self.logit(text, extra))
    }

    /// The `k` features with the largest absolute contribution to the logit,
    /// as (feature, contribution); positive pushes towards the label.
    pub fn explain(&self, text: &str, extra: &[(&str, f32)], k: usize) -> Vec<(String, f32)> {
        self.logit_explain(text, extra, k).1
    }

    /// Log-odds and explanation from one pass over the features (what a
    /// decision with evidence needs; cheaper than `logit` + `explain`).
    ///
    /// Every occurrence of a bucket carries the same weight, and the entry
    /// bar of the running top-k only rises, so a bucket is either kept from
    /// its first occurrence on or never: counting its occurrences while it is
    /// kept gives its exact total. No per-occurrence buffer, and only the `k`
    /// winners are turned into strings.
    pub fn logit_explain(
        &self,
        text: &str,
        extra: &[(&str, f32)],
        k: usize,
    ) -> (f32, Vec<(String, f32)>) {
        struct Kept {
            abs: f32,
            bucket: usize,
            feat: Feat,
            count: u32,
        }
        let mut kept: Vec<Kept> = Vec::with_capacity(k + 1);
        let mut sum = 0.0f32;
        let mut n = 0usize;
        for_each_text_feature(text, |h, feat| {
            let bucket = bucket(h, self.bits);
            let w = self.w(bucket);
            sum += w; // same order as `logit`, so the same float result
            n += 1;
            let abs = w.abs();
            if abs == 0.0 {
                return;
            }
            if let Some(c) = kept.iter_mut().find(|c| c.bucket == bucket) {
                c.count += 1;
                return;
            }
            if kept.len() == k && kept.last().is_none_or(|c| abs <= c.abs) {
                return;
            }
            let at = kept.partition_point(|c| c.abs >= abs);
            kept.insert(
                at,
                Kept {
                    abs,
                    bucket,
                    feat,
                    count: 1,
                },
            );
            kept.truncate(k);
        });
        let scale = text_scale(n);
        let mut z = self.bias + sum * scale;
        let mut out: Vec<(String, f32)> = Vec::with_capacity(k + extra.len());
        for c in &kept {
            out.push((
                render(text, c.feat),
                self.w(c.bucket) * c.count as f32 * scale,
            ));
        }
        for (name, x) in extra {
            let c = self.w(bucket(extra_hash(name), self.bits)) * x;
            z += c;
            if c != 0.0 {
                out.push((format!("@{name}"), c));
            }
        }
        out.sort_by(|a, b| b.1.abs().total_cmp(&a.1.abs()).then_with(|| a.0.cmp(&b.0)));
        out.truncate(k);
        (z, out)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn model() -> Model {
        let mut weights = vec![0.0; 1 << 12];
        let mut put = |text: &str, w: f32| {
            for_each_text_feature(text, |h, f| {
                if matches!(f, Feat::Word { .. } | Feat::Gram { len: 2, .. }) {
                    weights[bucket(h, 12)] = w;
                }
            })
        };
        put("client", 2.0);
        put("客户", 1.5);
        put("lunch", -1.0);
        Model::new(12, -0.5, weights)
    }

    #[test]
    fn explanation_names_the_features_and_agrees_with_logit() {
        let m = model();
        let text = "client 客户 lunch client";
        // k = 1 keeps "client" as the smallest (and only) entry: its second
        // occurrence must still be counted
        let one = m.logit_explain(text, &[], 1).1;
        assert_eq!(one.len(), 1);
        let (z, top) = m.logit_explain(text, &[], 3);
        assert_eq!(one[0], top[0]);
        assert_eq!(z, m.logit(text, &[]));
        let names: Vec<&str> = top.iter().map(|t| t.0.as_str()).collect();
        assert_eq!(names, ["client", "客户", "lunch"]);
        // "client" occurs twice: one entry with both contributions (2 + 2 vs -1)
        assert!((top[0].1 / top[2].1 + 4.0).abs() < 1e-3, "{top:?}");
        assert_eq!(m.explain(text, &[], 1).len(), 1);
        assert_eq!(m.logit_explain(text, &[], 0), (z, Vec::new()));
    }

    #[test]
    fn evidence_counts_only_positive_text_features() {
        let m = model();
        let (z, e) = m.logit_evidence("");
        assert_eq!(
            (z, e),
            (-0.5, 0.0),
            "no text, no evidence, whatever the bias"
        );
        let (z, e) = m.logit_evidence("lunch lunch");
        assert_eq!(e, 0.0);
        assert_eq!(z, m.logit("lunch lunch", &[]));
        let (z, e) = m.logit_evidence("client lunch");
        assert_eq!(z, m.logit("client lunch", &[]));
        // two word features + one bigram: scale 1/sqrt(3); only "client" is positive
        assert!((e - 2.0 / 3f32.sqrt()).abs() < 1e-3, "{e}");
        // single CJK characters and symbols are not evidence: "客户" is (a 2-gram)
        let (_, e) = m.logit_evidence("客户");
        assert!((e - 1.5 / 3f32.sqrt()).abs() < 1e-3, "{e}");
    }

    #[test]
    fn empty_text_scores_the_bias() {
        let m = model();
        assert_eq!(m.logit("", &[]), -0.5);
        assert!(m.explain("", &[], 5).is_empty());
        assert!((m.score("", &[]) - sigmoid(-0.5)).abs() < 1e-7);
    }
}
