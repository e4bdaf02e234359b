//! Layer 0 of the HNSW graph laid out for the two walks over every link
//! (reachability and regions): each element's layer-0 list as one index into
//! the resolved slots, so a walk reads two arrays instead of chasing element ->
//! neighbor tuple -> slots, and every list is the same width (2m), unusable
//! slots included, so the walks can run without a branch per link.
//!
//! A walk's cost is memory latency, not arithmetic: the lists of one BFS level
//! are scattered over ~130 MB of slots per million elements. The walks here
//! gather a level's list starts first (independent loads) and then visit every
//! slot with no data-dependent branch, so the processor keeps many of those
//! reads in flight instead of discarding them at each mispredicted branch.

use super::items::{EMPTY, Parsed};
use super::links::UNUSABLE;

/// No layer-0 list (no usable neighbor tuple, or a truncated one).
const NO_LIST: u32 = u32::MAX;

/// Lists copied at a time by [`Layer0::visit`] (64 lists of 2m = 32 slots: 8 KiB).
const GROUP: usize = 64;

/// Every element's layer-0 list.
pub(super) struct Layer0<'a> {
    starts: Vec<u32>,
    slots: &'a [u32],
    width: usize,
}

impl<'a> Layer0<'a> {
    /// The lists of `p`'s elements (slots must already be resolved and judged).
    pub(super) fn of(p: &'a Parsed, m: usize) -> Layer0<'a> {
        let width = 2 * m;
        let starts = p
            .elements
            .iter()
            .map(|e| {
                if e.nbr == EMPTY {
                    return NO_LIST;
                }
                let start = p.neighbors[e.nbr as usize].start as usize + e.level as usize * m;
                match u32::try_from(start) {
                    Ok(s) if s != NO_LIST && start + width <= p.slots.len() => s,
                    _ => NO_LIST,
                }
            })
            .collect();
        Layer0 {
            starts,
            slots: &p.slots,
            width,
        }
    }

    /// Number of elements; also the "sink" index every unusable slot maps to
    /// in [`Layer0::target`].
    pub(super) fn sink(&self) -> usize {
        self.starts.len()
    }

    /// Element `i`'s slots, unusable ones included (values >= [`UNUSABLE`]).
    #[inline]
    pub(super) fn raw(&self, i: usize) -> &[u32] {
        match self.starts[i] {
            NO_LIST => &[],
            s => &self.slots[s as usize..s as usize + self.width],
        }
    }

    /// A breadth-first walk over layer 0 from `frontier` (elements already
    /// marked as reached by the caller): level by level, each level in index
    /// order (page order, so the reads run forward through memory), calling
    /// `expand(element, slots, next)` for every element with a list; `expand`
    /// puts the elements it reaches for the first time into the next level with
    /// [`Next::push_if`], which takes no branch.
    #[inline]
    pub(super) fn walk(
        &self,
        mut frontier: Vec<u32>,
        mut expand: impl FnMut(u32, &[u32], &mut Next<'_>),
    ) {
        // Every element enters a level at most once and only pushed ones
        // advance the length, so the writes stay below index n (+1 is slack).
        let mut next = vec![0u32; self.sink() + 1];
        let (mut lists, mut buf) = (Vec::new(), Vec::new());
        while !frontier.is_empty() {
            frontier.sort_unstable();
            self.gather(&frontier, &mut lists);
            let mut level = Next {
                buf: &mut next,
                len: 0,
            };
            self.visit(&lists, &mut buf, |i, slots| expand(i, slots, &mut level));
            let len = level.len;
            frontier.clear();
            frontier.extend_from_slice(&next[..len]);
        }
    }

    /// The lists of a sorted frontier, in its order: `(element, start of its
    /// slots)`; elements without a list are left out. Collecting the starts
    /// first lets their reads overlap.
    fn gather(&self, frontier: &[u32], out: &mut Vec<(u32, u32)>) {
        out.clear();
        out.extend(
            frontier
                .iter()
                .map(|&i| (i, self.starts[i as usize]))
                .filter(|&(_, s)| s != NO_LIST),
        );
    }

    /// Calls `f(element, slots)` for each of `lists` (from [`Layer0::gather`]),
    /// in order. The lists are copied a group at a time into `buf` first: the
    /// copies' reads do not depend on each other, so many of them are in flight
    /// at once, where visiting each list in place would wait on its cache misses
    /// one list after another.
    #[inline]
    fn visit(&self, lists: &[(u32, u32)], buf: &mut Vec<u32>, mut f: impl FnMut(u32, &[u32])) {
        let w = self.width.max(1);
        for group in lists.chunks(GROUP) {
            buf.clear();
            for &(_, s) in group {
                buf.extend_from_slice(&self.slots[s as usize..s as usize + self.width]);
            }
            for (&(i, _), slots) in group.iter().zip(buf.chunks_exact(w)) {
                f(i, slots);
            }
        }
    }

    /// A slot as an index: the target element, or [`Layer0::sink`] for an
    /// unusable slot (targets lie below the sink, [`UNUSABLE`] and larger
    /// values above it).
    #[inline(always)]
    pub(super) fn target(&self, slot: u32) -> usize {
        debug_assert!(UNUSABLE as usize > self.sink());
        slot.min(self.sink() as u32) as usize
    }
}

/// The next level of a [`Layer0::walk`].
pub(super) struct Next<'a> {
    buf: &'a mut [u32],
    len: usize,
}

impl Next<'_> {
    /// Adds `t` when `take` holds, without a branch: the slot is written
    /// either way and only counted when taken.
    #[inline(always)]
    pub(super) fn push_if(&mut self, t: usize, take: bool) {
        self.buf[self.len] = t as u32;
        self.len += usize::from(take);
    }
}
