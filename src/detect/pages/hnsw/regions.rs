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

use super::items::{NEIGHBOR_TAG, OTHER, Parsed};
use super::layer0::Layer0;
use super::links::{links_at, live};
use crate::integrity::{EdgeKind, Graph, NodeKind};

/// Most regions in the contracted graph.
pub const MAX_REGIONS: usize = 2000;

/// Region bits of an unassigned element.
const NONE: u32 = 0xFFFF;
/// Region bits of an element no region may take (not live; the sink).
const DEAD: u32 = 0xFFFE;

/// Per element, the two things every link touches, in one word (one cache line
/// instead of two on the hot path): the region in the low 16 bits ([`NONE`] when
/// unassigned, [`DEAD`] when it may not be assigned; [`MAX_REGIONS`] fits) and
/// the layer-0 in-degree, saturating, in the high 16.
#[derive(Clone, Copy)]
struct Cell(u32);

impl Cell {
    fn region(self) -> u32 {
        self.0 & 0xFFFF
    }
    fn inward(self) -> u32 {
        self.0 >> 16
    }
    fn link_in(self) -> Cell {
        if self.inward() < 0xFFFF {
            Cell(self.0 + (1 << 16))
        } else {
            self
        }
    }
    fn assign(self, region: u32) -> Cell {
        Cell((self.0 & !0xFFFF) | region)
    }
}

/// Usable layer-0 links into (`inward`) and out of (`out`) every element.
#[derive(Debug, Default)]
pub(super) struct LinkCounts {
    pub(super) inward: Vec<u32>,
    pub(super) out: Vec<u32>,
}

/// The region graph and, in the same pass over the links, every element's
/// layer-0 in- and out-degree (one walk over ~2m links per element is the
/// expensive part of the analysis, so it is done once for both).
pub(super) fn regions_and_degrees(p: &Parsed, l0: &Layer0<'_>, m: usize) -> (Graph, LinkCounts) {
    let n_el = p.elements.len();
    let mut counts = LinkCounts {
        inward: Vec::new(),
        out: vec![0; n_el],
    };
    let heads = choose_heads(p);
    // One cell more than elements: the sink unusable slots map to.
    let mut cells: Vec<Cell> = p
        .elements
        .iter()
        .map(|e| Cell(if live(e) { NONE } else { DEAD }))
        .chain([Cell(DEAD)])
        .collect();
    let n = heads.len();
    // Dense matrices (at most MAX_REGIONS² counters each): one add per link.
    // (layer0 has one counter more: where links that join no two regions add.)
    let (mut layer0, mut upper) = (vec![0u32; n * n + 1], vec![0u32; n * n]);
    let mut frontier: Vec<u32> = Vec::with_capacity(n);
    for (r, &h) in heads.iter().enumerate() {
        cells[h] = cells[h].assign(r as u32);
        frontier.push(h as u32);
    }
    // Multi-source BFS: a link to an unassigned live element pulls it into this
    // region; a link to an element of another region is an edge between the two.
    // Within a level the lower-numbered element's region wins a tie. No branch
    // on a slot's value: unusable slots land on the sink cell, links inside a
    // region or to unassigned elements on the spare counter.
    let sink = l0.sink();
    let spare = n * n;
    l0.walk(frontier, |i, slots, next| {
        let r = cells[i as usize].region();
        let mut out = 0;
        for &slot in slots {
            let t = l0.target(slot);
            out += u32::from(t != sink);
            let c = cells[t].link_in();
            let q = c.region();
            let take = q == NONE;
            cells[t] = if take { c.assign(r) } else { c };
            next.push_if(t, take);
            let joins = (q as usize) < n && q != r;
            let pair = r.min(q) as usize * n + r.max(q) as usize;
            let c = &mut layer0[if joins { pair } else { spare }];
            *c = c.wrapping_add(1); // the spare counter may pass u32::MAX; never read
        }
        counts.out[i as usize] = out;
    });
    // Elements no head reaches (and deleted ones) still have links to count.
    for i in 0..n_el {
        if cells[i].region() as usize >= n {
            let mut out = 0;
            for &slot in l0.raw(i) {
                let t = l0.target(slot);
                cells[t] = cells[t].link_in();
                out += u32::from(t != sink);
            }
            counts.out[i] = out;
        }
    }
    cells.truncate(n_el);
    counts.inward = cells.iter().map(|c| c.inward()).collect();
    let region: Vec<u32> = cells
        .iter()
        .map(|c| {
            if (c.region() as usize) < n {
                c.region()
            } else {
                NONE
            }
        })
        .collect();
    drop(cells);
    let mut g = Graph::default();
    if n < 2 {
        return (g, counts);
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
    let mut sizes = vec![0u64; n];
    for (i, &r) in region.iter().enumerate() {
        if r != NONE && live(&p.elements[i]) {
            sizes[r as usize] += 1;
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
    (g, counts)
}

/// Live elements of the lowest level >= 1 with at most [`MAX_REGIONS`] of them
/// (none when the graph has one layer, or when even the top level has more).
fn choose_heads(p: &Parsed) -> Vec<usize> {
    let top = p
        .elements
        .iter()
        .filter(|e| live(e))
        .map(|e| e.level)
        .max()
        .unwrap_or(0);
    if top == 0 {
        return vec![];
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
    // Only a damaged index has thousands of elements on its top level (levels
    // are geometric); no region graph then, rather than a quadratic one.
    if heads.len() > MAX_REGIONS {
        heads.clear();
    }
    heads
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

#[cfg(test)]
mod tests {
    use super::*;
    use crate::detect::pages::hnsw::items::{EMPTY, Element};

    fn element(level: u8) -> Element {
        Element {
            nbr: EMPTY,
            level,
            deleted: false,
            version: 1,
            heap_tids: 1,
        }
    }

    #[test]
    fn heads_come_from_the_lowest_level_narrow_enough_and_never_too_many() {
        let mut p = Parsed {
            elements: vec![element(1); MAX_REGIONS],
            ..Parsed::default()
        };
        assert_eq!(choose_heads(&p).len(), MAX_REGIONS);
        // one element more on the top level: too many, and no level above
        p.elements.push(element(1));
        assert!(choose_heads(&p).is_empty());
        let l0 = Layer0::of(&p, 2);
        let (g, counts) = regions_and_degrees(&p, &l0, 2);
        assert!(g.nodes.is_empty() && g.edges.is_empty());
        assert_eq!(counts.out.len(), MAX_REGIONS + 1);
        // an element above them: the level above is the one used
        p.elements.push(element(2));
        assert_eq!(choose_heads(&p), vec![MAX_REGIONS + 1]);
    }
}
