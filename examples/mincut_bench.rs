//! Times Stoer–Wagner on contracted graphs of the size the integrity monitor builds.
//!
//! `cargo run --release --example mincut_bench -- [nodes] [degree]` (default 2000 12)
//! builds a deterministic random graph (each node linked to `degree` others, as
//! HNSW regions are to their neighbours, with one weakly linked node planted) and
//! prints the best and median of five runs.

use std::time::Instant;

use ruvheal::integrity::mincut::min_cut;

/// xorshift64*: deterministic, no dependency.
struct Rng(u64);

impl Rng {
    fn next(&mut self) -> u64 {
        self.0 ^= self.0 >> 12;
        self.0 ^= self.0 << 25;
        self.0 ^= self.0 >> 27;
        self.0.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }
}

/// A ring plus `degree / 2` random chords per node; capacities from `cap`.
fn graph(
    n: usize,
    degree: usize,
    mut cap: impl FnMut(&mut Rng) -> f64,
) -> Vec<(usize, usize, f64)> {
    let mut rng = Rng(0x9E37_79B9_7F4A_7C15);
    let mut edges = Vec::new();
    for a in 0..n {
        let c = cap(&mut rng);
        edges.push((a, (a + 1) % n, c));
        for _ in 0..degree / 2 {
            let b = (rng.next() % n as u64) as usize;
            let c = cap(&mut rng);
            edges.push((a, b, c));
        }
    }
    edges
}

fn time(name: &str, n: usize, edges: &[(usize, usize, f64)]) {
    let mut times = Vec::new();
    let mut lambda = 0.0;
    for _ in 0..5 {
        let t = Instant::now();
        lambda = min_cut(n, edges).expect("two or more nodes").value;
        times.push(t.elapsed().as_secs_f64());
    }
    times.sort_by(f64::total_cmp);
    println!(
        "{name:<28} nodes={n} edges={} lambda={lambda} best={:.3}s median={:.3}s",
        edges.len(),
        times[0],
        times[2]
    );
}

fn main() {
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .map(|a| a.parse().expect("usage: mincut_bench [nodes] [degree]"))
        .collect();
    let n = args.first().copied().unwrap_or(2000);
    let degree = args.get(1).copied().unwrap_or(12);
    // Like a real region graph: link counts vary widely, one region hangs by a thread.
    let mut varied = graph(n, degree, |r| 50.0 + (r.next() % 1000) as f64);
    varied.retain(|e| e.0 != n - 1 && e.1 != n - 1);
    varied.extend([(n - 1, 0, 3.0), (n - 1, n / 2, 4.0)]);
    time("varied, one weak node", n, &varied);
    // The worst case for the reduction: every capacity equal, nothing contracts early.
    time("uniform capacities", n, &graph(n, degree, |_| 1.0));
}
