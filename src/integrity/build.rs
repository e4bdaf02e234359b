//! Assembles the contracted graph from what `check` measured: the index part
//! (HNSW regions from the pages, or IVFFlat lists) plus standbys and blockers.

use super::graph::{EdgeKind, Graph, INDEX_KINDS, NodeKind};

/// Nearest lists each IVFFlat list is joined to.
pub const LIST_NEIGHBOURS: usize = 3;

/// IVFFlat lists as nodes, each joined to its [`LIST_NEIGHBOURS`] nearest lists
/// (by centre distance). Capacity: `(n_a + n_b) / (2 · mean)` (balance; an empty
/// list next to an empty list has none) times `fit`, the ratio of the mean
/// distance to the nearest centre at build time to now (1 without drift, below 1
/// as rows move away from the centres; clamped to 0..=1).
pub fn ivf_lists(entries: &[u64], centers: &[Vec<f32>], fit: f64) -> Graph {
    let mut g = Graph::default();
    let n = entries.len();
    for (i, &e) in entries.iter().enumerate() {
        g.node(format!("list {i}"), NodeKind::List, e);
    }
    if n < 2 || centers.len() != n {
        return g;
    }
    let mean = entries.iter().sum::<u64>() as f64 / n as f64;
    let fit = if fit.is_finite() {
        fit.clamp(0.0, 1.0)
    } else {
        1.0
    };
    let mut pairs = std::collections::BTreeSet::new();
    for i in 0..n {
        let mut near: Vec<(f32, usize)> = (0..n)
            .filter(|&j| j != i)
            .map(|j| (sq_l2(&centers[i], &centers[j]), j))
            .collect();
        near.sort_by(|a, b| a.0.total_cmp(&b.0).then(a.1.cmp(&b.1)));
        for &(_, j) in near.iter().take(LIST_NEIGHBOURS) {
            pairs.insert((i.min(j), i.max(j)));
        }
    }
    for (a, b) in pairs {
        let balance = if mean > 0.0 {
            (entries[a] + entries[b]) as f64 / (2.0 * mean)
        } else {
            0.0
        };
        g.edge(a, b, balance * fit, EdgeKind::ListNeighbour);
    }
    g
}

/// Joins a node for something outside the index (standbys, a blocker) to every
/// index node, with total capacity `health` (0..=1) times the mean weighted degree
/// of the index nodes: healthy, it is as strong as an average node; failing, it is
/// the first thing the minimum cut severs.
pub fn attach(g: &mut Graph, label: &str, kind: NodeKind, size: u64, health: f64, edge: EdgeKind) {
    let index: Vec<usize> = g
        .nodes
        .iter()
        .enumerate()
        .filter(|(_, n)| INDEX_KINDS.contains(&n.kind))
        .map(|(i, _)| i)
        .collect();
    if index.is_empty() {
        return;
    }
    let mean = g.mean_degree(&INDEX_KINDS);
    let mean = if mean > 0.0 { mean } else { 1.0 };
    let per = health.clamp(0.0, 1.0) * mean / index.len() as f64;
    let v = g.node(label, kind, size);
    for i in index {
        g.edge(v, i, per, edge);
    }
}

/// One leaf partition for [`partitions`]: label, rows, health 0..=1 and the
/// problem class that lowers it, if any.
pub type PartitionHealth = (String, u64, f64, Option<String>);

/// A partitioned collection: the parent joined to each leaf with capacity = the
/// leaf's health (1 healthy; 0 without a usable index). Cutting one leaf off costs
/// its health; the parent, the sum of them.
pub fn partitions(leaves: &[PartitionHealth]) -> Graph {
    let mut g = Graph::default();
    if leaves.is_empty() {
        return g;
    }
    let parent = g.node("parent", NodeKind::Parent, 0);
    for (label, rows, health, hint) in leaves {
        let v = g.node(label.clone(), NodeKind::Partition, *rows);
        g.nodes[v].hint = hint.clone();
        g.edge(parent, v, health.clamp(0.0, 1.0), EdgeKind::Partition);
    }
    g
}

fn sq_l2(a: &[f32], b: &[f32]) -> f32 {
    a.iter().zip(b).map(|(x, y)| (x - y) * (x - y)).sum()
}

/// Health from a measured quantity and its critical limit: 1 at 0, falling
/// linearly to 0 at `limit`.
pub fn health(observed: f64, limit: f64) -> f64 {
    if limit <= 0.0 || !observed.is_finite() {
        return 1.0;
    }
    (1.0 - observed / limit).clamp(0.0, 1.0)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::integrity::assess;

    fn grid_centres(n: usize) -> Vec<Vec<f32>> {
        (0..n).map(|i| vec![i as f32, (i % 3) as f32]).collect()
    }

    #[test]
    fn balanced_lists_are_normal_and_an_empty_pair_is_cut() {
        let centres = grid_centres(12);
        let g = ivf_lists(&[100; 12], &centres, 1.0);
        let s = assess(&g).unwrap();
        assert!(s.lambda_normalized > 0.5, "{s:?}");
        let mut skewed = vec![100u64; 12];
        skewed[11] = 0;
        skewed[10] = 0;
        let s2 = assess(&ivf_lists(&skewed, &centres, 1.0)).unwrap();
        assert!(s2.lambda_normalized < s.lambda_normalized, "{s2:?}");
        // drift scales every capacity: lambda falls, the normalised value does not
        let s3 = assess(&ivf_lists(&[100; 12], &centres, 0.5)).unwrap();
        assert!((s3.lambda - s.lambda * 0.5).abs() < 1e-9);
    }

    #[test]
    fn a_partition_without_an_index_is_cut_off() {
        let leaves: Vec<PartitionHealth> = vec![
            ("p1".into(), 100, 1.0, None),
            ("p2".into(), 100, 0.9, None),
            ("p3".into(), 50, 0.0, Some("missing_index".into())),
        ];
        let s = assess(&partitions(&leaves)).unwrap();
        assert_eq!(s.lambda, 0.0);
        assert_eq!(s.cut_side, vec!["p3".to_string()]);
        assert_eq!(s.cut_side_hints, vec!["missing_index".to_string()]);
        assert_eq!(s.cut_side_share, 0.2);
        let healthy: Vec<PartitionHealth> =
            (0..4).map(|i| (format!("p{i}"), 10, 1.0, None)).collect();
        assert_eq!(
            assess(&partitions(&healthy)).unwrap().lambda_normalized,
            1.0
        );
    }

    #[test]
    fn a_lagging_replica_is_what_the_cut_severs() {
        let centres = grid_centres(8);
        let mut g = ivf_lists(&[100; 8], &centres, 1.0);
        attach(
            &mut g,
            "standbys",
            NodeKind::Replica,
            0,
            health(290.0, 300.0),
            EdgeKind::Replication,
        );
        let s = assess(&g).unwrap();
        assert_eq!(s.cut_side, vec!["standbys".to_string()]);
        assert_eq!(s.witnesses[0].kind, EdgeKind::Replication);
        assert!(s.lambda_normalized < 0.05);
        assert_eq!(health(0.0, 300.0), 1.0);
        assert_eq!(health(600.0, 300.0), 0.0);
    }
}
