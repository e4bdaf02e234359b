//! Global minimum cut of an undirected graph with non-negative capacities
//! (Stoer–Wagner, 1997), with a binary heap for the maximum-adjacency order:
//! O(V·E·log V) on sparse graphs instead of the textbook O(V³).

use std::cmp::Ordering;
use std::collections::BinaryHeap;
use std::hash::{BuildHasherDefault, Hasher};

/// Node indices hash by one multiplication (SipHash costs more than the rest of a phase).
#[derive(Default)]
struct IndexHasher(u64);

impl Hasher for IndexHasher {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ b as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_usize(&mut self, v: usize) {
        self.0 = (v as u64).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    }
}

type HashMap<K, V> = std::collections::HashMap<K, V, BuildHasherDefault<IndexHasher>>;

/// A minimum cut: its value and the nodes on one side of it.
#[derive(Debug, Clone, PartialEq)]
pub struct Cut {
    /// Sum of the capacities of the edges crossing the cut (lambda).
    pub value: f64,
    /// Node indices on one side (the other side is every other node); never
    /// empty and never all nodes.
    pub side: Vec<usize>,
}

/// A heap entry ordered by weight (ties by node index, for determinism).
#[derive(Debug, Clone, Copy, PartialEq)]
struct Key(f64, usize);

impl Eq for Key {}

impl Ord for Key {
    fn cmp(&self, other: &Self) -> Ordering {
        self.0
            .total_cmp(&other.0)
            .then_with(|| other.1.cmp(&self.1))
    }
}

impl PartialOrd for Key {
    fn partial_cmp(&self, other: &Self) -> Option<Ordering> {
        Some(self.cmp(other))
    }
}

/// The global minimum cut of the graph with `n` nodes and `edges` `(a, b, capacity)`.
/// Parallel edges add up; self-loops, non-finite and negative capacities are
/// ignored. `None` when `n < 2`. A disconnected graph has a cut of 0 whose side is
/// the component of node 0.
pub fn min_cut(n: usize, edges: &[(usize, usize, f64)]) -> Option<Cut> {
    if n < 2 {
        return None;
    }
    let mut adj: Vec<HashMap<usize, f64>> = vec![HashMap::default(); n];
    for &(a, b, c) in edges {
        if a == b || a >= n || b >= n || !c.is_finite() || c < 0.0 {
            continue;
        }
        *adj[a].entry(b).or_insert(0.0) += c;
        *adj[b].entry(a).or_insert(0.0) += c;
    }
    if let Some(side) = component_of_first(&adj) {
        return Some(Cut { value: 0.0, side });
    }
    let mut members: Vec<Vec<usize>> = (0..n).map(|i| vec![i]).collect();
    let mut best = Cut {
        value: f64::INFINITY,
        side: vec![],
    };
    let mut active = reduce(&mut adj, &mut members, &mut best, (0..n).collect());
    let mut weight = vec![0.0f64; n];
    let mut added = vec![false; n];
    let mut rep: Vec<usize> = (0..n).collect();
    while active.len() > 1 {
        for &v in &active {
            weight[v] = 0.0;
            added[v] = false;
        }
        let mut heap: BinaryHeap<Key> = BinaryHeap::with_capacity(active.len());
        heap.push(Key(0.0, active[0]));
        let (mut prev, mut last) = (usize::MAX, usize::MAX);
        let mut count = 0;
        // Nagamochi–Ibaraki: when u's weight reaches q on scanning edge (v, u),
        // the local connectivity of v and u is at least q.
        let mut heavy: Vec<(usize, usize, f64)> = Vec::new();
        while count < active.len() {
            let Some(Key(w, v)) = heap.pop() else {
                // Unreachable on a connected graph; keep going with any node left.
                let v = *active.iter().find(|&&v| !added[v]).expect("a node left");
                heap.push(Key(weight[v], v));
                continue;
            };
            if added[v] || w != weight[v] {
                continue;
            }
            added[v] = true;
            count += 1;
            prev = last;
            last = v;
            for (&u, &c) in &adj[v] {
                if !added[u] {
                    weight[u] += c;
                    heap.push(Key(weight[u], u));
                    if weight[u] >= best.value {
                        heavy.push((v, u, weight[u]));
                    }
                }
            }
        }
        let cut_of_phase = weight[last];
        if cut_of_phase < best.value {
            best = Cut {
                value: cut_of_phase,
                side: members[last].clone(),
            };
        }
        // Every pair contracted below has local connectivity >= best: a cut lighter
        // than best separates none of them, so contracting them all keeps it.
        heavy.retain(|&(_, _, q)| q >= best.value);
        heavy.push((prev, last, f64::INFINITY));
        for (a, b, _) in heavy {
            let (ra, rb) = (find(&mut rep, a), find(&mut rep, b));
            if ra != rb {
                merge(&mut adj, &mut members, ra, rb);
                rep[rb] = ra;
            }
        }
        active.retain(|&v| rep[v] == v);
    }
    best.side.sort_unstable();
    Some(best)
}

/// Padberg–Rinaldi reduction: the lightest node gives a known cut `best`; an
/// edge at least that heavy cannot cross a lighter cut, so its ends are contracted
/// (repeated until no edge qualifies). Returns the nodes left. On the contracted
/// graphs of real collections, with a few weak nodes and many heavy edges, this
/// removes most nodes before the O(V·E·log V) phases.
fn reduce(
    adj: &mut [HashMap<usize, f64>],
    members: &mut [Vec<usize>],
    best: &mut Cut,
    mut active: Vec<usize>,
) -> Vec<usize> {
    loop {
        for &v in &active {
            let d: f64 = adj[v].values().sum();
            if d < best.value {
                *best = Cut {
                    value: d,
                    side: members[v].clone(),
                };
            }
        }
        let mut pairs: Vec<(usize, usize)> = Vec::new();
        for &v in &active {
            for (&u, &c) in &adj[v] {
                if v < u && c >= best.value {
                    pairs.push((v, u));
                }
            }
        }
        if pairs.is_empty() || active.len() <= 2 {
            return active;
        }
        let mut rep: Vec<usize> = (0..adj.len()).collect();
        for (a, b) in pairs {
            let (ra, rb) = (find(&mut rep, a), find(&mut rep, b));
            if ra != rb && active.len() > 2 {
                merge(adj, members, ra, rb);
                rep[rb] = ra;
                active.retain(|&v| v != rb);
            }
        }
    }
}

/// Union-find root with path halving.
fn find(rep: &mut [usize], mut v: usize) -> usize {
    while rep[v] != v {
        rep[v] = rep[rep[v]];
        v = rep[v];
    }
    v
}

/// Contracts `from` into `into`.
fn merge(adj: &mut [HashMap<usize, f64>], members: &mut [Vec<usize>], into: usize, from: usize) {
    let moved = std::mem::take(&mut adj[from]);
    for (u, c) in moved {
        if u == into {
            continue;
        }
        adj[u].remove(&from);
        *adj[u].entry(into).or_insert(0.0) += c;
        *adj[into].entry(u).or_insert(0.0) += c;
    }
    adj[into].remove(&from);
    let m = std::mem::take(&mut members[from]);
    members[into].extend(m);
}

/// The component of node 0, when the graph has more than one component.
fn component_of_first(adj: &[HashMap<usize, f64>]) -> Option<Vec<usize>> {
    let mut seen = vec![false; adj.len()];
    let mut stack = vec![0];
    seen[0] = true;
    let mut side = vec![];
    while let Some(v) = stack.pop() {
        side.push(v);
        for &u in adj[v].keys() {
            if !seen[u] {
                seen[u] = true;
                stack.push(u);
            }
        }
    }
    if side.len() == adj.len() {
        return None;
    }
    side.sort_unstable();
    Some(side)
}

/// Sum of the capacities of `edges` crossing between `side` and the rest.
pub fn cut_value(n: usize, edges: &[(usize, usize, f64)], side: &[usize]) -> f64 {
    let mut inside = vec![false; n];
    for &v in side {
        inside[v] = true;
    }
    edges
        .iter()
        .filter(|&&(a, b, c)| a != b && c.is_finite() && c >= 0.0 && inside[a] != inside[b])
        .map(|e| e.2)
        .sum()
}

#[cfg(test)]
#[path = "mincut_tests.rs"]
mod tests;
