//! Small summary statistics shared by the HNSW and IVFFlat analyses.

use serde::Serialize;

/// Distribution of a per-element count (degrees): min, mean, median, p99, max.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Distribution {
    /// How many values were summarised.
    pub count: u64,
    /// Smallest value.
    pub min: u64,
    /// Arithmetic mean.
    pub mean: f64,
    /// Median (nearest rank).
    pub p50: u64,
    /// 99th percentile (nearest rank).
    pub p99: u64,
    /// Largest value.
    pub max: u64,
}

impl Distribution {
    /// Summarises `values` (reordered in place); all zero when empty.
    pub fn of(values: &mut [u32]) -> Self {
        if values.is_empty() {
            return Distribution::default();
        }
        let n = values.len();
        let rank = |q: f64| ((q * n as f64).ceil() as usize).clamp(1, n) - 1;
        let (i50, i99) = (rank(0.5), rank(0.99));
        let sum: u64 = values.iter().map(|&v| v as u64).sum();
        let min = values.iter().copied().min().unwrap_or(0) as u64;
        let max = values.iter().copied().max().unwrap_or(0) as u64;
        // Selection, not a sort: a million degrees take a few milliseconds.
        let p99 = *values.select_nth_unstable(i99).1 as u64;
        let p50 = if i50 < i99 {
            *values[..i99].select_nth_unstable(i50).1 as u64
        } else {
            p99
        };
        Distribution {
            count: n as u64,
            min,
            mean: sum as f64 / n as f64,
            p50,
            p99,
            max,
        }
    }
}

/// Balance of a set of counts (IVFFlat list sizes).
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub struct Balance {
    /// Mean count.
    pub mean: f64,
    /// Coefficient of variation: population standard deviation / mean.
    pub cv: f64,
    /// Largest count / mean.
    pub max_over_mean: f64,
    /// Gini coefficient: 0 perfectly even, towards 1 all in one.
    pub gini: f64,
}

impl Balance {
    /// Computes the balance of `counts`; all zero when empty or all zero.
    pub fn of(counts: &[u64]) -> Self {
        let n = counts.len() as f64;
        let total: f64 = counts.iter().map(|&c| c as f64).sum();
        if counts.is_empty() || total == 0.0 {
            return Balance::default();
        }
        let mean = total / n;
        let var = counts
            .iter()
            .map(|&c| (c as f64 - mean).powi(2))
            .sum::<f64>()
            / n;
        let max = counts.iter().copied().max().unwrap_or(0) as f64;
        let mut sorted = counts.to_vec();
        sorted.sort_unstable();
        let weighted: f64 = sorted
            .iter()
            .enumerate()
            .map(|(i, &c)| (i as f64 + 1.0) * c as f64)
            .sum();
        let gini = (2.0 * weighted) / (n * total) - (n + 1.0) / n;
        Balance {
            mean,
            cv: var.sqrt() / mean,
            max_over_mean: max / mean,
            gini: gini.max(0.0),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distributions_use_nearest_rank() {
        let mut v: Vec<u32> = (1..=100).rev().collect();
        let d = Distribution::of(&mut v);
        assert_eq!((d.count, d.min, d.p50, d.p99, d.max), (100, 1, 50, 99, 100));
        assert_eq!(d.mean, 50.5);
        assert_eq!(Distribution::of(&mut []), Distribution::default());
        let one = Distribution::of(&mut [7]);
        assert_eq!((one.min, one.p50, one.p99, one.max), (7, 7, 7, 7));
    }

    #[test]
    fn selection_gives_what_a_sort_gives() {
        let sorted_rank = |v: &[u32], q: f64| {
            let mut s = v.to_vec();
            s.sort_unstable();
            s[((q * s.len() as f64).ceil() as usize).clamp(1, s.len()) - 1] as u64
        };
        let mut x = 12345u64;
        for n in [1usize, 2, 3, 7, 100, 101, 1000] {
            let v: Vec<u32> = (0..n)
                .map(|_| {
                    x = x.wrapping_mul(6364136223846793005).wrapping_add(1);
                    (x >> 33) as u32 % 50
                })
                .collect();
            let d = Distribution::of(&mut v.clone());
            assert_eq!(
                (d.p50, d.p99),
                (sorted_rank(&v, 0.5), sorted_rank(&v, 0.99)),
                "n = {n}"
            );
            assert_eq!(
                (d.min, d.max),
                (
                    *v.iter().min().unwrap() as u64,
                    *v.iter().max().unwrap() as u64
                )
            );
        }
    }

    #[test]
    fn balance_of_even_and_skewed_counts() {
        let even = Balance::of(&[10, 10, 10, 10]);
        assert_eq!((even.cv, even.max_over_mean, even.gini), (0.0, 1.0, 0.0));
        let skew = Balance::of(&[0, 0, 0, 40]);
        assert_eq!(skew.max_over_mean, 4.0);
        assert!((skew.gini - 0.75).abs() < 1e-12);
        assert!((skew.cv - 3f64.sqrt()).abs() < 1e-12);
        assert_eq!(Balance::of(&[]), Balance::default());
        assert_eq!(Balance::of(&[0, 0]), Balance::default());
    }
}
