//! Precision, recall and F1 from counts.
use serde::Serialize;

/// True positives, false positives, false negatives.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize)]
pub struct Counts {
    pub tp: u64,
    pub fp: u64,
    #[serde(rename = "fn")]
    pub fn_: u64,
}

/// Precision, recall, F1.
#[derive(Clone, Copy, Debug, PartialEq, Serialize)]
pub struct Prf {
    pub precision: f64,
    pub recall: f64,
    pub f1: f64,
}

impl Counts {
    pub fn add(&mut self, other: Counts) {
        self.tp += other.tp;
        self.fp += other.fp;
        self.fn_ += other.fn_;
    }

    /// score.py's `prf`: precision of nothing predicted is 1 when nothing was
    /// missed (else 0); recall with nothing to find is 1.
    pub fn prf(&self) -> Prf {
        let (tp, fp, fn_) = (self.tp as f64, self.fp as f64, self.fn_ as f64);
        let precision = if self.tp + self.fp > 0 {
            tp / (tp + fp)
        } else if self.fn_ == 0 {
            1.0
        } else {
            0.0
        };
        let recall = if self.tp + self.fn_ > 0 {
            tp / (tp + fn_)
        } else {
            1.0
        };
        let f1 = if precision + recall > 0.0 {
            2.0 * precision * recall / (precision + recall)
        } else {
            0.0
        };
        Prf {
            precision,
            recall,
            f1,
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn edge_cases_match_score_py() {
        let p = Counts {
            tp: 0,
            fp: 0,
            fn_: 0,
        }
        .prf();
        assert_eq!((p.precision, p.recall, p.f1), (1.0, 1.0, 1.0));
        let p = Counts {
            tp: 0,
            fp: 0,
            fn_: 3,
        }
        .prf();
        assert_eq!((p.precision, p.recall, p.f1), (0.0, 0.0, 0.0));
        let p = Counts {
            tp: 0,
            fp: 2,
            fn_: 0,
        }
        .prf();
        assert_eq!((p.precision, p.recall), (0.0, 1.0));
        let p = Counts {
            tp: 3,
            fp: 1,
            fn_: 1,
        }
        .prf();
        assert_eq!((p.precision, p.recall, p.f1), (0.75, 0.75, 0.75));
    }
}
