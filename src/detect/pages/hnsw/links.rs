//! Reading an element's links once the slots are resolved: which items are
//! elements, which elements are live, where a layer's slots sit, and the
//! usable targets of a layer (slot values below [`UNUSABLE`]).

use super::items::{EMPTY, Element, MISSING, NEIGHBOR_TAG, OTHER, Parsed};

/// A slot that names a valid item which is not an element tuple.
pub(super) const NOT_ELEMENT: u32 = u32::MAX - 2;
/// A link judged unusable (invalid, duplicate or after a gap). The least of the
/// values a slot holds when it names no usable target ([`NOT_ELEMENT`],
/// [`MISSING`], [`EMPTY`] sit above it): a judged slot below it is an element index.
pub(super) const UNUSABLE: u32 = u32::MAX - 3;
const _: () = assert!(UNUSABLE < NOT_ELEMENT && NOT_ELEMENT < MISSING && MISSING < EMPTY);

/// An item-table tag that names an element tuple (not a neighbor tuple, not `OTHER`).
pub(super) fn is_element(tag: u32) -> bool {
    tag != OTHER && tag & NEIGHBOR_TAG == 0
}

/// Not deleted and with at least one heap TID.
pub(super) fn live(e: &Element) -> bool {
    !e.deleted && e.heap_tids > 0
}

/// Slot range `(start, len)` of layer `lc` inside a neighbor tuple of an element of `level`.
pub(super) fn layer(level: u8, lc: u8, m: usize) -> (usize, usize) {
    if lc == 0 {
        (level as usize * m, 2 * m)
    } else {
        ((level - lc) as usize * m, m)
    }
}

/// The usable targets of element `i` on layer `lc` (which must be <= its level).
pub(super) fn links_at(p: &Parsed, i: usize, lc: u8, m: usize) -> impl Iterator<Item = u32> + '_ {
    let e = p.elements[i];
    let slice = if e.nbr == EMPTY || lc > e.level {
        &[][..]
    } else {
        let (off, len) = layer(e.level, lc, m);
        let start = p.neighbors[e.nbr as usize].start as usize + off;
        p.slots.get(start..start + len).unwrap_or(&[])
    };
    slice.iter().copied().filter(|&t| t < UNUSABLE)
}
