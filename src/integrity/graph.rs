//! The contracted graph of a collection and what its minimum cut says about it.

use serde::{Deserialize, Serialize};

use super::mincut;

/// What a node of the contracted graph stands for.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum NodeKind {
    /// HNSW layer-0 elements grouped under the upper-layer element they descend from.
    Region,
    /// One IVFFlat list.
    List,
    /// The standbys of the primary, as one node.
    Replica,
    /// A session or job that holds maintenance back (xmin horizon, locks).
    Maintenance,
    /// HNSW elements no search from the entry point reaches, as one node.
    Unreachable,
    /// A leaf partition of a partitioned collection.
    Partition,
    /// The partitioned table queries fan out from.
    Parent,
}

/// Node kinds that make up the collection itself (their mean degree normalises lambda).
pub const INDEX_KINDS: [NodeKind; 3] = [NodeKind::Region, NodeKind::List, NodeKind::Partition];

/// What the capacity of an edge measures.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum EdgeKind {
    /// Layer-0 links between two HNSW regions.
    Link,
    /// Upper-layer links between the heads of two regions.
    UpperLink,
    /// Two IVFFlat lists whose centres are near; capacity from balance and drift.
    ListNeighbour,
    /// The collection to its standbys; capacity from replay lag.
    Replication,
    /// The collection to a blocker; capacity from how long it has blocked.
    Blocking,
    /// The reachable graph to its unreachable elements; capacity from their share.
    Reachability,
    /// The parent to a partition; capacity from the partition's health.
    Partition,
}

/// A node.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Node {
    /// A name a human can find (`region (12,3)`, `list 7`, `standbys`).
    pub label: String,
    /// What it stands for.
    pub kind: NodeKind,
    /// Rows or elements it holds (0 for replicas and blockers).
    pub size: u64,
    /// The problem class that weakens it, when known (a partition without an index).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub hint: Option<String>,
}

/// An undirected edge.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Edge {
    /// One end (node index).
    pub a: usize,
    /// The other end.
    pub b: usize,
    /// Capacity (non-negative).
    pub capacity: f64,
    /// What the capacity measures.
    pub kind: EdgeKind,
}

/// A contracted graph.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Graph {
    /// Nodes.
    pub nodes: Vec<Node>,
    /// Edges (parallel edges allowed; they add up).
    pub edges: Vec<Edge>,
}

impl Graph {
    /// Adds a node, returning its index.
    pub fn node(&mut self, label: impl Into<String>, kind: NodeKind, size: u64) -> usize {
        self.nodes.push(Node {
            label: label.into(),
            kind,
            size,
            hint: None,
        });
        self.nodes.len() - 1
    }

    /// Adds an edge.
    pub fn edge(&mut self, a: usize, b: usize, capacity: f64, kind: EdgeKind) {
        self.edges.push(Edge {
            a,
            b,
            capacity,
            kind,
        });
    }

    /// Weighted degree of every node.
    pub fn degrees(&self) -> Vec<f64> {
        let mut d = vec![0.0; self.nodes.len()];
        for e in self.edges.iter().filter(|e| e.a != e.b) {
            d[e.a] += e.capacity;
            d[e.b] += e.capacity;
        }
        d
    }

    /// Mean weighted degree of the nodes of `kind`s (0 when there are none).
    pub fn mean_degree(&self, kinds: &[NodeKind]) -> f64 {
        let d = self.degrees();
        let picked: Vec<f64> = self
            .nodes
            .iter()
            .zip(&d)
            .filter(|(n, _)| kinds.contains(&n.kind))
            .map(|(_, &d)| d)
            .collect();
        if picked.is_empty() {
            0.0
        } else {
            picked.iter().sum::<f64>() / picked.len() as f64
        }
    }
}

/// One edge of the minimum cut, named for a human.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Witness {
    /// Label of one end.
    pub from: String,
    /// Label of the other end.
    pub to: String,
    /// What the edge measures.
    pub kind: EdgeKind,
    /// Its capacity.
    pub capacity: f64,
}

/// Witness edges listed at most (the strongest first); the count says how many there were.
pub const MAX_WITNESSES: usize = 20;

/// The minimum cut of a collection's graph.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Integrity {
    /// Nodes in the graph.
    pub nodes: usize,
    /// Edges in the graph.
    pub edges: usize,
    /// The global minimum cut.
    pub lambda: f64,
    /// `lambda` divided by the mean weighted degree of the index nodes (regions or
    /// lists): 1 when the weakest cut is as strong as an average node's links, 0
    /// when the graph falls apart. Comparable across collection sizes.
    pub lambda_normalized: f64,
    /// Mean weighted degree of the index nodes (the normaliser).
    pub mean_degree: f64,
    /// Labels of the nodes on the smaller side of the cut (at most 20).
    pub cut_side: Vec<String>,
    /// Nodes on the smaller side.
    pub cut_side_nodes: usize,
    /// Share of the collection's rows on the smaller side (0 for a replica or blocker).
    pub cut_side_share: f64,
    /// Kinds of node on the smaller side.
    pub cut_side_kinds: Vec<NodeKind>,
    /// Problem classes known to weaken nodes on the smaller side.
    #[serde(default)]
    pub cut_side_hints: Vec<String>,
    /// Edges crossing the cut, largest capacity first (at most [`MAX_WITNESSES`]).
    pub witnesses: Vec<Witness>,
    /// Edges crossing the cut.
    pub witness_count: usize,
}

/// Computes the minimum cut of `graph`; `None` when it has fewer than two nodes.
pub fn assess(graph: &Graph) -> Option<Integrity> {
    let edges: Vec<(usize, usize, f64)> =
        graph.edges.iter().map(|e| (e.a, e.b, e.capacity)).collect();
    let cut = mincut::min_cut(graph.nodes.len(), &edges)?;
    let n = graph.nodes.len();
    let mut inside = vec![false; n];
    for &v in &cut.side {
        inside[v] = true;
    }
    // Report the smaller side (by nodes), which is the part cut off.
    if cut.side.len() * 2 > n {
        inside.iter_mut().for_each(|b| *b = !*b);
    }
    let side: Vec<usize> = (0..n).filter(|&v| inside[v]).collect();
    let total: u64 = graph.nodes.iter().map(|n| n.size).sum();
    let side_rows: u64 = side.iter().map(|&v| graph.nodes[v].size).sum();
    let mut kinds: Vec<NodeKind> = Vec::new();
    for &v in &side {
        if !kinds.contains(&graph.nodes[v].kind) {
            kinds.push(graph.nodes[v].kind);
        }
    }
    let mut crossing: Vec<&Edge> = graph
        .edges
        .iter()
        .filter(|e| e.a != e.b && inside[e.a] != inside[e.b])
        .collect();
    crossing.sort_by(|x, y| y.capacity.total_cmp(&x.capacity));
    let mean_degree = graph.mean_degree(&INDEX_KINDS);
    let mut hints: Vec<String> = Vec::new();
    for h in side.iter().filter_map(|&v| graph.nodes[v].hint.as_ref()) {
        if !hints.contains(h) {
            hints.push(h.clone());
        }
    }
    Some(Integrity {
        nodes: n,
        edges: graph.edges.len(),
        lambda: cut.value,
        lambda_normalized: if mean_degree > 0.0 {
            (cut.value / mean_degree).min(1.0)
        } else {
            0.0
        },
        mean_degree,
        cut_side: side
            .iter()
            .take(20)
            .map(|&v| graph.nodes[v].label.clone())
            .collect(),
        cut_side_nodes: side.len(),
        cut_side_share: if total > 0 {
            side_rows as f64 / total as f64
        } else {
            0.0
        },
        cut_side_kinds: kinds,
        cut_side_hints: hints,
        witness_count: crossing.len(),
        witnesses: crossing
            .iter()
            .take(MAX_WITNESSES)
            .map(|e| Witness {
                from: graph.nodes[e.a].label.clone(),
                to: graph.nodes[e.b].label.clone(),
                kind: e.kind,
                capacity: e.capacity,
            })
            .collect(),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_weak_region_is_cut_off_and_named() {
        let mut g = Graph::default();
        let r: Vec<usize> = (0..4)
            .map(|i| g.node(format!("region {i}"), NodeKind::Region, 100))
            .collect();
        for i in 0..3 {
            for j in i + 1..3 {
                g.edge(r[i], r[j], 50.0, EdgeKind::Link);
            }
        }
        g.edge(r[3], r[0], 2.0, EdgeKind::Link);
        g.edge(r[3], r[1], 1.0, EdgeKind::UpperLink);
        let s = assess(&g).unwrap();
        assert_eq!(s.lambda, 3.0);
        assert_eq!(s.cut_side, vec!["region 3".to_string()]);
        assert_eq!(s.cut_side_share, 0.25);
        assert_eq!(s.witness_count, 2);
        assert_eq!(s.witnesses[0].kind, EdgeKind::Link);
        assert!(s.lambda_normalized > 0.0 && s.lambda_normalized < 0.1);
    }

    #[test]
    fn a_single_node_has_no_cut() {
        let mut g = Graph::default();
        g.node("region 0", NodeKind::Region, 10);
        assert!(assess(&g).is_none());
    }
}
