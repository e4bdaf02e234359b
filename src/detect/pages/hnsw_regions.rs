//! The HNSW graph contracted into regions for the integrity monitor.
//!
//! A search enters layer 0 at an element of the upper layers and explores around
//! it. So the upper-layer elements of one level ("heads") split layer 0 into
//! regions: every live element joins the head whose multi-source BFS over layer-0
//! links reaches it first. Regions are the nodes; an edge's capacity counts the
//! layer-0 links between two regions, plus `m` for every upper-layer link between
//! their heads (one upper link opens a whole neighbour list's worth of paths).
//! The level is the lowest one with at most [`MAX_REGIONS`] heads. Live elements
//! no head reaches are left out: they are the orphan finding's business.

use std::collections::HashMap;

use super::hnsw_graph::{links_at, live};
use super::hnsw_items::{NEIGHBOR_TAG, OTHER, Parsed};
use crate::integrity::{EdgeKind, Graph, NodeKind};

/// Most regions in the contracted graph.
pub const MAX_REGIONS: usize = 2000;

/// Unassigned element.
const NONE: u32 = u32::MAX;

pub(super) fn regions(p: &Parsed, m: usize) -> Graph {
    let mut g = Graph::default();
    let top = p
        .elements
        .iter()
        .filter(|e| live(e))
        .map(|e| e.level)
        .max()
        .unwrap_or(0);
    if top == 0 {
        return g;
    }
    let heads_at = |l: u8| -> Vec<usize> {
        (0..p.elements.len())
            .filter(|&i| live(&p.elements[i]) && p.elements[i].level >= l)
            .collect()
    };
    let mut level = 1u8;
    let mut heads = heads_at(level);
    while heads.len() > MAX_REGIONS && level < top {
        level += 1;
        heads = heads_at(level);
    }
    if heads.len() < 2 {
        return g;
    }
    let mut region = vec![NONE; p.elements.len()];
    let mut queue: Vec<u32> = Vec::with_capacity(p.elements.len());
    for (r, &h) in heads.iter().enumerate() {
        region[h] = r as u32;
        queue.push(h as u32);
    }
    let mut head = 0;
    while let Some(&i) = queue.get(head) {
        head += 1;
        let r = region[i as usize];
        for t in links_at(p, i as usize, 0, m) {
            if region[t as usize] == NONE && live(&p.elements[t as usize]) {
                region[t as usize] = r;
                queue.push(t);
            }
        }
    }
    let mut sizes = vec![0u64; heads.len()];
    for (i, &r) in region.iter().enumerate() {
        if r != NONE && live(&p.elements[i]) {
            sizes[r as usize] += 1;
        }
    }
    // Dense matrices (at most MAX_REGIONS² counters each): one add per link.
    let n = heads.len();
    let mut layer0 = vec![0u32; n * n];
    let mut upper = vec![0u32; n * n];
    for i in 0..p.elements.len() {
        let r = region[i];
        if r == NONE {
            continue;
        }
        for t in links_at(p, i, 0, m) {
            let q = region[t as usize];
            if q != NONE && q != r {
                layer0[r.min(q) as usize * n + r.max(q) as usize] += 1;
            }
        }
    }
    for &h in &heads {
        let r = region[h];
        for lc in 1..=p.elements[h].level {
            for t in links_at(p, h, lc, m) {
                let q = region[t as usize];
                if q != NONE && q != r {
                    upper[r.min(q) as usize * n + r.max(q) as usize] += 1;
                }
            }
        }
    }
    let tids = head_tids(p, &heads);
    for (r, tid) in tids.iter().enumerate() {
        g.node(format!("region {tid}"), NodeKind::Region, sizes[r]);
    }
    for a in 0..n {
        for b in a + 1..n {
            let (l0, up) = (layer0[a * n + b], upper[a * n + b]);
            if l0 > 0 {
                g.edge(a, b, l0 as f64, EdgeKind::Link);
            }
            if up > 0 {
                g.edge(a, b, up as f64 * m as f64, EdgeKind::UpperLink);
            }
        }
    }
    g
}

/// `(block,offset)` of each region's head, by region.
fn head_tids(p: &Parsed, heads: &[usize]) -> Vec<String> {
    let by_element: HashMap<usize, usize> =
        heads.iter().enumerate().map(|(r, &h)| (h, r)).collect();
    let mut out = vec![String::from("(?)"); heads.len()];
    for (block, rec) in p.blocks.iter().enumerate() {
        for off in 1..=rec.items {
            let Some(&tag) = p.items.get(rec.first_item as usize + off as usize - 1) else {
                continue;
            };
            if tag == OTHER || tag & NEIGHBOR_TAG != 0 {
                continue;
            }
            if let Some(&r) = by_element.get(&(tag as usize)) {
                out[r] = format!("({block},{off})");
            }
        }
    }
    out
}
