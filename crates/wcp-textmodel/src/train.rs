//! Deterministic training: AdaGrad logistic regression with L2.
//!
//! Same examples + same config ⇒ same model bytes: the example order per
//! epoch comes from a seeded SplitMix64 shuffle, feature vectors are sorted by
//! bucket, and nothing iterates a hash map.
use crate::features::{MAX_BITS, MIN_BITS};
use crate::model::{sigmoid, sparse_features, Model};

/// One labelled training input.
#[derive(Clone, Debug, PartialEq)]
pub struct Example {
    pub text: String,
    /// Named numeric features (event context etc.), as passed to `score`.
    pub extra: Vec<(String, f32)>,
    /// `true` for the positive label.
    pub label: bool,
}

/// Training hyper-parameters; the defaults suit a few thousand chat lines.
#[derive(Clone, Debug, PartialEq)]
pub struct TrainConfig {
    pub bits: u8,
    pub epochs: u32,
    pub learning_rate: f64,
    pub l2: f64,
    pub seed: u64,
    /// Loss weight of positive examples relative to negative ones (> 1 makes
    /// missing a positive costlier).
    pub positive_weight: f64,
}

impl Default for TrainConfig {
    fn default() -> Self {
        TrainConfig {
            bits: crate::DEFAULT_BITS,
            epochs: 12,
            learning_rate: 0.2,
            l2: 1e-5,
            seed: 42,
            positive_weight: 1.0,
        }
    }
}

/// Why training could not start.
#[derive(Debug, thiserror::Error, PartialEq)]
pub enum TrainError {
    #[error("no training examples")]
    Empty,
    #[error("training data holds only one label; both are needed")]
    OneLabel,
    #[error("bits {0} outside {MIN_BITS}..={MAX_BITS}")]
    BadBits(u8),
    #[error("invalid hyper-parameter: {0}")]
    BadConfig(&'static str),
}

struct SplitMix(u64);

impl SplitMix {
    fn next(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9e37_79b9_7f4a_7c15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xbf58_476d_1ce4_e5b9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94d0_49bb_1331_11eb);
        z ^ (z >> 31)
    }
}

fn check(examples: &[Example], cfg: &TrainConfig) -> Result<(), TrainError> {
    if examples.is_empty() {
        return Err(TrainError::Empty);
    }
    if examples.iter().all(|e| e.label) || examples.iter().all(|e| !e.label) {
        return Err(TrainError::OneLabel);
    }
    if !(MIN_BITS..=MAX_BITS).contains(&cfg.bits) {
        return Err(TrainError::BadBits(cfg.bits));
    }
    if !(cfg.learning_rate > 0.0 && cfg.learning_rate.is_finite()) {
        return Err(TrainError::BadConfig("learning_rate must be > 0"));
    }
    if !(cfg.l2 >= 0.0 && cfg.l2.is_finite()) {
        return Err(TrainError::BadConfig("l2 must be >= 0"));
    }
    if !(cfg.positive_weight > 0.0 && cfg.positive_weight.is_finite()) {
        return Err(TrainError::BadConfig("positive_weight must be > 0"));
    }
    Ok(())
}

/// Trains one binary model.
pub fn train(examples: &[Example], cfg: &TrainConfig) -> Result<Model, TrainError> {
    check(examples, cfg)?;
    let rows: Vec<Vec<(u32, f32)>> = examples
        .iter()
        .map(|e| {
            let extra: Vec<(&str, f32)> = e.extra.iter().map(|(n, x)| (n.as_str(), *x)).collect();
            sparse_features(&e.text, &extra, cfg.bits)
        })
        .collect();
    let dims = 1usize << cfg.bits;
    let mut w = vec![0.0f64; dims];
    let mut g2 = vec![0.0f64; dims];
    let (mut bias, mut bias_g2) = (0.0f64, 0.0f64);
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = SplitMix(cfg.seed);
    const EPS: f64 = 1e-8;
    for _ in 0..cfg.epochs {
        for i in (1..order.len()).rev() {
            let j = (rng.next() % (i as u64 + 1)) as usize;
            order.swap(i, j);
        }
        for &k in &order {
            let row = &rows[k];
            let z = bias
                + row
                    .iter()
                    .map(|(i, x)| w[*i as usize] * f64::from(*x))
                    .sum::<f64>();
            let y = examples[k].label;
            let p = f64::from(sigmoid(z as f32));
            let weight = if y { cfg.positive_weight } else { 1.0 };
            let g = (p - if y { 1.0 } else { 0.0 }) * weight;
            for (i, x) in row {
                let i = *i as usize;
                let gi = g * f64::from(*x) + cfg.l2 * w[i];
                g2[i] += gi * gi;
                w[i] -= cfg.learning_rate * gi / (g2[i].sqrt() + EPS);
            }
            bias_g2 += g * g;
            bias -= cfg.learning_rate * g / (bias_g2.sqrt() + EPS);
        }
    }
    Ok(Model::new(
        cfg.bits,
        bias as f32,
        w.into_iter().map(|x| x as f32).collect(),
    ))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ex(text: &str, label: bool) -> Example {
        Example {
            text: text.into(),
            extra: Vec::new(),
            label,
        }
    }

    fn corpus() -> Vec<Example> {
        vec![
            ex("请把客户的开户资料发我", true),
            ex("client wants to buy the bond fund", true),
            ex("明天路演改到十点", true),
            ex("please send the trade confirmation", true),
            ex("周末去爬山吗", false),
            ex("my son scored a goal today", false),
            ex("晚上吃火锅", false),
            ex("happy birthday mum", false),
        ]
    }

    fn small() -> TrainConfig {
        TrainConfig {
            bits: 12,
            epochs: 30,
            ..TrainConfig::default()
        }
    }

    #[test]
    fn same_data_and_seed_give_same_bytes() {
        let a = train(&corpus(), &small()).unwrap().to_bytes();
        let b = train(&corpus(), &small()).unwrap().to_bytes();
        assert_eq!(a, b);
        let c = train(&corpus(), &TrainConfig { seed: 7, ..small() })
            .unwrap()
            .to_bytes();
        assert_ne!(a, c, "the seed must matter");
    }

    #[test]
    fn learns_the_training_data() {
        let m = train(&corpus(), &small()).unwrap();
        for e in corpus() {
            assert_eq!(m.score(&e.text, &[]) > 0.5, e.label, "{}", e.text);
        }
        let top = m.explain("客户的开户资料", &[], 3);
        assert_eq!(top.len(), 3);
        assert!(top.iter().all(|(_, c)| *c > 0.0), "{top:?}");
    }

    #[test]
    fn extra_features_are_learned() {
        let mut data = corpus();
        for e in &mut data {
            e.extra
                .push(("ext".into(), if e.label { 1.0 } else { 0.0 }));
        }
        let m = train(&data, &small()).unwrap();
        let with = m.logit("", &[("ext", 1.0)]);
        let without = m.logit("", &[]);
        assert!(with > without);
        assert_eq!(m.explain("", &[("ext", 1.0)], 1)[0].0, "@ext");
    }

    #[test]
    fn rejects_bad_input() {
        assert_eq!(train(&[], &small()), Err(TrainError::Empty));
        assert_eq!(train(&[ex("a", true)], &small()), Err(TrainError::OneLabel));
        let bad = TrainConfig { bits: 3, ..small() };
        assert_eq!(train(&corpus(), &bad), Err(TrainError::BadBits(3)));
        let bad = TrainConfig {
            learning_rate: 0.0,
            ..small()
        };
        assert!(matches!(
            train(&corpus(), &bad),
            Err(TrainError::BadConfig(_))
        ));
    }
}
