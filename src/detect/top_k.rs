//! The exact pass's bookkeeping: per probe, the `k` nearest rows seen so far in
//! a bounded max-heap, and the branch-free test that lets almost every row skip
//! the heaps (a row enters only when it beats a probe's current k-th distance).

use std::cmp::Ordering;
use std::collections::BinaryHeap;

use super::exact::Tid;

/// Offers row `tid` at distance `d[i]` to probe `start + i`, for each that
/// beats that probe's current k-th distance.
#[inline(always)]
pub(super) fn offer(top: &mut [TopK], worst: &mut [f64], start: usize, tid: Tid, d: &[f64]) {
    let Some(limits) = worst.get_mut(start..start + d.len()) else {
        return;
    };
    // the common case, no candidate, in one branch-free pass
    if !d
        .iter()
        .zip(limits.iter())
        .fold(false, |any, (d, w)| any | (d <= w))
    {
        return;
    }
    let tops = top.iter_mut().skip(start);
    for ((t, d), w) in tops.zip(d).zip(limits.iter_mut()) {
        if *d <= *w {
            t.offer(*d, tid);
            *w = t.worst;
        }
    }
}

/// A distance ordered by `total_cmp` (NaN never enters: `offer` refuses it).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64);

impl Eq for Key {}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0.total_cmp(&other.0)
    }
}

/// The `k` smallest (distance, row) pairs seen so far.
pub(super) struct TopK {
    k: usize,
    heap: BinaryHeap<(Key, Tid)>,
    /// Distance of the current k-th entry; +inf until the heap is full.
    worst: f64,
}

impl TopK {
    pub(super) fn new(k: usize) -> TopK {
        TopK {
            k,
            heap: BinaryHeap::with_capacity(k + 1),
            worst: f64::INFINITY,
        }
    }

    pub(super) fn offer(&mut self, d: f64, tid: Tid) {
        if d.is_nan() || self.k == 0 {
            return;
        }
        let entry = (Key(d), tid);
        if self.heap.len() < self.k {
            self.heap.push(entry);
        } else if self.heap.peek().is_some_and(|top| entry < *top) {
            self.heap.pop();
            self.heap.push(entry);
        }
        if self.heap.len() == self.k {
            self.worst = self.heap.peek().map_or(f64::INFINITY, |t| t.0.0);
        }
    }

    pub(super) fn into_sorted(self) -> Vec<(f64, Tid)> {
        self.heap
            .into_sorted_vec()
            .into_iter()
            .map(|(d, t)| (d.0, t))
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn top_k_keeps_the_nearest_and_breaks_ties_by_row() {
        let tid = |b| Tid {
            table: 1,
            block: b,
            offset: 1,
        };
        let mut t = TopK::new(3);
        for (d, b) in [
            (5.0, 1),
            (1.0, 2),
            (f64::NAN, 3),
            (3.0, 4),
            (1.0, 5),
            (3.0, 0),
            (9.0, 6),
        ] {
            t.offer(d, tid(b));
        }
        assert_eq!(
            t.into_sorted(),
            vec![(1.0, tid(2)), (1.0, tid(5)), (3.0, tid(0))]
        );
        let mut none = TopK::new(0);
        none.offer(1.0, tid(1));
        assert!(none.into_sorted().is_empty());
    }
}
