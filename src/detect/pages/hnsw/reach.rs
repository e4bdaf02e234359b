//! Reachability in the HNSW graph measured from the pages: which live elements
//! a layer-0 walk from the entry point reaches, and which a search reaches (it
//! also enters layer 0 wherever it stood on an upper layer).

use super::items::Parsed;
use super::layer0::Layer0;
use super::links::{links_at, live};

/// One bit per element: small enough (128 KiB per million) to stay in cache
/// while a BFS tests it at random for every link.
struct Bits(Vec<u64>);

impl Bits {
    fn new(n: usize) -> Bits {
        Bits(vec![0; n.div_ceil(64)])
    }
    fn get(&self, i: usize) -> bool {
        self.0[i / 64] >> (i % 64) & 1 == 1
    }
    /// Sets bit `i`; true when it was clear.
    #[inline(always)]
    fn set(&mut self, i: usize) -> bool {
        let (w, b) = (&mut self.0[i / 64], 1u64 << (i % 64));
        let was_clear = *w & b == 0;
        *w |= b;
        was_clear
    }
}

/// Live elements reached by a layer-0 BFS from the entry point, and by a search.
pub(super) fn reach(p: &Parsed, l0: &Layer0<'_>, m: usize, entry_idx: Option<usize>) -> (u64, u64) {
    let n = p.elements.len();
    let count = |seen: &Bits| {
        (0..n)
            .filter(|&i| seen.get(i) && live(&p.elements[i]))
            .count() as u64
    };
    let start = entry_idx.filter(|&i| !p.elements[i].deleted);
    // One bit more than elements: the sink every unusable slot maps to, set
    // from the start so that it is never "reached".
    let mut seen = Bits::new(n + 1);
    seen.set(l0.sink());
    bfs0(l0, &mut seen, start.map(|i| i as u32));
    let layer0_reached = count(&seen);
    // A search also enters layer 0 wherever it stood on an upper layer: continue
    // the same BFS from those elements (only the part not reached yet is walked).
    let upper = upper_reach(p, start, m);
    bfs0(l0, &mut seen, upper);
    (layer0_reached, count(&seen))
}

/// Marks everything reachable over layer-0 links from `seeds` in `seen`, every
/// slot visited without a branch on its value.
fn bfs0(l0: &Layer0<'_>, seen: &mut Bits, seeds: impl IntoIterator<Item = u32>) {
    let frontier: Vec<u32> = seeds
        .into_iter()
        .filter(|&s| seen.set(s as usize))
        .collect();
    l0.walk(frontier, |_, slots, next| {
        for &slot in slots {
            let t = l0.target(slot);
            next.push_if(t, seen.set(t));
        }
    });
}

/// The elements a search from the entry point can stand on at layer 1 or above:
/// on layer L it follows layer-L links, then steps down to layer L-1 at the same
/// element. Only upper-layer links are walked (a few percent of the graph).
fn upper_reach(p: &Parsed, entry: Option<usize>, m: usize) -> Vec<u32> {
    let mut best = vec![0i8; p.elements.len()];
    let mut work: Vec<u32> = Vec::new();
    let mut out = Vec::new();
    if let Some(start) = entry.filter(|&i| p.elements[i].level > 0) {
        best[start] = p.elements[start].level.min(i8::MAX as u8) as i8;
        work.push(start as u32);
        out.push(start as u32);
    }
    while let Some(i) = work.pop() {
        let top = best[i as usize];
        for lc in 1..=top.max(0) as u8 {
            for t in links_at(p, i as usize, lc, m) {
                if best[t as usize] < lc as i8 {
                    if best[t as usize] == 0 {
                        out.push(t);
                    }
                    best[t as usize] = lc as i8;
                    work.push(t);
                }
            }
        }
    }
    out
}
