//! What the HNSW reader measures: [`HnswStructure`] and its parts. Data only.

use serde::Serialize;

use crate::detect::pages::stats::Distribution;

/// Structure of one HNSW index, measured from its pages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct HnswStructure {
    /// Blocks read (the relation size when the read started).
    pub blocks: u64,
    /// Allocated but never initialized pages.
    pub new_pages: u64,
    /// Pages skipped as unreadable (bad header or not an HNSW page).
    pub bad_pages: u64,
    /// Initialized element pages not on the page chain from block 1.
    pub pages_off_chain: u64,
    /// Dimensions (meta).
    pub dimensions: u32,
    /// m the index was built with (meta).
    pub m: u16,
    /// ef_construction at build time (meta).
    pub ef_construction: u16,
    /// Level of the entry point (meta); -1 when empty.
    pub entry_level: i16,
    /// Entry point as `(block,offset)`; `None` when the index is empty.
    pub entry_point: Option<String>,
    /// The entry point names a live element whose level equals `entry_level`
    /// (also true for an empty index with no live elements).
    pub entry_point_ok: bool,
    /// Why `entry_point_ok` is false.
    pub entry_point_problem: Option<String>,
    /// First page inserts try (meta).
    pub insert_page: u32,
    /// Element tuples, including deleted ones.
    pub elements: u64,
    /// Elements not deleted and with at least one heap TID.
    pub live_elements: u64,
    /// Elements marked deleted (space awaiting reuse).
    pub deleted_elements: u64,
    /// Elements with no heap TID yet not marked deleted (an unfinished VACUUM).
    pub being_deleted: u64,
    /// Heap TIDs over all elements (rows the index points at).
    pub heap_tids: u64,
    /// Live elements holding more than one heap TID (duplicate values).
    pub multi_tid_elements: u64,
    /// Live elements per level (index = level).
    pub level_histogram: Vec<u64>,
    /// N·m^-L·(1-1/m) for N live elements, same indexing.
    pub expected_level_histogram: Vec<f64>,
    /// Live elements whose level is above the entry level.
    pub live_above_entry_level: u64,
    /// Live elements reached by a BFS over layer-0 links from the entry point.
    pub reachable: u64,
    /// Live elements not reached that way (the orphan test of the reference:
    /// layer 0 of a healthy graph is connected from the entry point).
    pub orphans: u64,
    /// Live elements no search can reach even when it enters layer 0 through the
    /// upper layers (entry point, upper-layer links, down a layer, ...); `<= orphans`.
    /// These can never be returned.
    pub unreachable: u64,
    /// Usable layer-0 links per live element.
    pub out_degree: Distribution,
    /// Usable layer-0 links into each live element.
    pub in_degree: Distribution,
    /// Live elements other than the entry point with no layer-0 link into them.
    pub in_degree_zero: u64,
    /// Empty layer-0 slots summed over live elements.
    pub empty_layer0_slots: u64,
    /// `empty_layer0_slots` / (live elements with readable neighbors · 2m).
    pub empty_layer0_slot_ratio: f64,
    /// Links to a target already linked in the same layer of the same element.
    pub duplicate_links: u64,
    /// Links to nothing usable (see `invalid_link_kinds`).
    pub invalid_links: u64,
    /// `invalid_links` by cause.
    pub invalid_link_kinds: InvalidLinks,
    /// Neighbor tuples whose count is not (level+2)·m: searches see no neighbors.
    pub count_mismatches: u64,
    /// Neighbor tuples whose version differs from the element's: likewise.
    pub version_mismatches: u64,
    /// Elements whose neighbor pointer names no neighbor tuple.
    pub missing_neighbor_tuples: u64,
    /// Valid links after an empty slot in the same layer (invisible to search).
    pub slots_after_gap: u64,
    /// Anything odd met while reading, in words.
    pub notes: Vec<String>,
    /// The contracted region graph for the integrity monitor (not serialised: it
    /// can hold thousands of nodes; its minimum cut is reported instead).
    #[serde(skip)]
    pub regions: crate::integrity::Graph,
}

/// Invalid links by cause.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct InvalidLinks {
    /// The block/offset holds no item (or lies outside the relation).
    pub missing: u64,
    /// The item is not an element tuple.
    pub not_element: u64,
    /// The target element is deleted (a scan reaching it fails with "cannot load deleted element").
    pub deleted: u64,
    /// The target's level is below the layer of the link (scans skip it).
    pub below_level: u64,
    /// The element links to itself.
    pub self_link: u64,
}
