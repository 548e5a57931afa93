//! Percentiles of a set of durations in milliseconds.

use serde::{Deserialize, Serialize};

/// Nearest-rank percentiles (the smallest value with at least q of the set at or below it).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Dist {
    pub n: usize,
    pub p50: i64,
    pub p90: i64,
    pub p99: i64,
    pub max: i64,
}

impl Dist {
    pub fn of(mut v: Vec<i64>) -> Dist {
        v.sort_unstable();
        Dist {
            n: v.len(),
            p50: rank(&v, 0.50),
            p90: rank(&v, 0.90),
            p99: rank(&v, 0.99),
            max: v.last().copied().unwrap_or(0),
        }
    }
}

/// Nearest rank: element ceil(q·n) (1-based) of the sorted set; 0 for an empty set.
pub fn rank(sorted: &[i64], q: f64) -> i64 {
    if sorted.is_empty() {
        return 0;
    }
    let k = (q * sorted.len() as f64).ceil() as usize;
    sorted[k.clamp(1, sorted.len()) - 1]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn nearest_rank_percentiles() {
        let d = Dist::of((1..=100).rev().collect());
        assert_eq!((d.n, d.p50, d.p90, d.p99, d.max), (100, 50, 90, 99, 100));
        let d = Dist::of(vec![7]);
        assert_eq!((d.p50, d.p99, d.max), (7, 7, 7));
        // 1,000 values where the slowest 1% are 10x: p99 is still the fast group's top.
        let mut v = vec![10; 990];
        v.extend(vec![100; 10]);
        assert_eq!(Dist::of(v).p99, 10);
        assert_eq!(Dist::of(vec![]), Dist::default());
    }
}
