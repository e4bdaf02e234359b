use proptest::prelude::*;

use super::*;

/// The minimum over every non-trivial bipartition (node 0 kept on one side).
fn brute_force(n: usize, edges: &[(usize, usize, f64)]) -> f64 {
    let mut best = f64::INFINITY;
    for mask in 1..(1u32 << (n - 1)) {
        let side: Vec<usize> = (1..n).filter(|&v| mask & (1 << (v - 1)) != 0).collect();
        best = best.min(cut_value(n, edges, &side));
    }
    best
}

#[test]
fn the_textbook_example() {
    // Stoer and Wagner's 8-node example: minimum cut 4 between {3,4,7,8} and {1,2,5,6}.
    let e = [
        (1, 2, 2.0),
        (1, 5, 3.0),
        (2, 3, 3.0),
        (2, 5, 2.0),
        (2, 6, 2.0),
        (3, 4, 4.0),
        (3, 7, 2.0),
        (4, 7, 2.0),
        (4, 8, 2.0),
        (5, 6, 3.0),
        (6, 7, 1.0),
        (7, 8, 3.0),
    ];
    let edges: Vec<_> = e.iter().map(|&(a, b, c)| (a - 1, b - 1, c)).collect();
    let cut = min_cut(8, &edges).unwrap();
    assert_eq!(cut.value, 4.0);
    let mut side = cut.side.clone();
    if side.contains(&0) {
        side = (0..8).filter(|v| !cut.side.contains(v)).collect();
    }
    assert_eq!(side, vec![2, 3, 6, 7]);
}

#[test]
fn small_and_disconnected_graphs() {
    assert_eq!(min_cut(0, &[]), None);
    assert_eq!(min_cut(1, &[]), None);
    let cut = min_cut(2, &[(0, 1, 2.5), (1, 0, 0.5)]).unwrap();
    assert_eq!(cut.value, 3.0);
    let cut = min_cut(4, &[(0, 1, 5.0), (2, 3, 5.0)]).unwrap();
    assert_eq!(cut.value, 0.0);
    assert_eq!(cut.side, vec![0, 1]);
    // self-loops and bad capacities are ignored
    let cut = min_cut(
        3,
        &[(0, 0, 9.0), (0, 1, 1.0), (1, 2, f64::NAN), (1, 2, 2.0)],
    )
    .unwrap();
    assert_eq!(cut.value, 1.0);
}

fn graph() -> impl Strategy<Value = (usize, Vec<(usize, usize, f64)>)> {
    (2usize..12).prop_flat_map(|n| {
        let edge = (0..n, 0..n, 0u32..8).prop_map(|(a, b, c)| (a, b, c as f64));
        (Just(n), prop::collection::vec(edge, 0..(n * n)))
    })
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(1000))]

    #[test]
    fn matches_brute_force((n, edges) in graph()) {
        let cut = min_cut(n, &edges).unwrap();
        let expected = brute_force(n, &edges);
        prop_assert_eq!(cut.value, expected);
        // the side it names really has that value, and is a proper subset
        prop_assert!(!cut.side.is_empty() && cut.side.len() < n);
        prop_assert_eq!(cut_value(n, &edges, &cut.side), cut.value);
    }
}
