//! HNSW pages (pgvector 0.8.x) read into a compact graph, one page at a time.
//!
//! [`HnswReader::push`] parses each page as it arrives and keeps only small
//! records: per element its level, flags and neighbor-tuple pointer; per neighbor
//! tuple its slots as packed `u32` block/offset keys. No page bytes and no vector
//! values are kept. [`HnswReader::finish`] resolves the keys once every page is in
//! (a neighbor tuple may sit before or after its element) and measures the graph
//! (see `graph`). Malformed pages and tuples are skipped with a note.

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::page::{self, ItemPointer, Page, u16_at, u32_at};
use super::stats::Distribution;
use items::{BlockRec, BlockState, OTHER, Packer, Parsed};

mod graph;
mod items;
mod layer0;
mod reach;
mod regions;
#[cfg(test)]
mod tests;

/// `HNSW_MAGIC_NUMBER`.
pub const HNSW_MAGIC: u32 = 0xA953_A953;
/// `HNSW_PAGE_ID`, the last two bytes of every HNSW page.
pub const HNSW_PAGE_ID: u16 = 0xFF90;

/// The HNSW meta page (block 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct HnswMeta {
    /// Format version (1 in every release).
    pub version: u32,
    /// Dimensions (column typmod at build time).
    pub dimensions: u32,
    /// The m the index was built with; scans and inserts use this one.
    pub m: u16,
    /// ef_construction at build time.
    pub ef_construction: u16,
    /// The entry point element; invalid when the index is empty.
    pub entry: ItemPointer,
    /// Level of the entry point; -1 when empty.
    pub entry_level: i16,
    /// Where inserts start looking for room.
    pub insert_page: u32,
}

impl HnswMeta {
    /// Reads the meta fields of block 0.
    pub fn parse(page: &Page<'_>) -> page::Result<Self> {
        let b = page.bytes();
        let magic = u32_at(b, 24)?;
        if magic != HNSW_MAGIC {
            return page::fail(format!(
                "magic {magic:#010x} is not HNSW's {HNSW_MAGIC:#010x}"
            ));
        }
        let entry = ItemPointer {
            block: u32_at(b, 40)?,
            offset: u16_at(b, 44)?,
        };
        Ok(HnswMeta {
            version: u32_at(b, 28)?,
            dimensions: u32_at(b, 32)?,
            m: u16_at(b, 36)?,
            ef_construction: u16_at(b, 38)?,
            entry,
            entry_level: u16_at(b, 46)? as i16,
            insert_page: u32_at(b, 48)?,
        })
    }
}

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

/// Reads HNSW pages one at a time; see the module docs.
#[derive(Debug, Default)]
pub struct HnswReader {
    p: Parsed,
}

impl HnswReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// The largest block count this reader can address for pages of `page_size` bytes.
    pub fn max_blocks(page_size: usize) -> u32 {
        Packer::for_page_size(page_size).max_blocks
    }

    /// Parses block `block`. Pages may come in any order, each once. Fails only
    /// on a bad meta page, a repeated block, a block beyond the addressable range,
    /// or pages of differing sizes; other damage is skipped with a note.
    pub fn push(&mut self, block: u32, bytes: &[u8]) -> Result<()> {
        let p = &mut self.p;
        let packer = *p
            .packer
            .get_or_insert_with(|| Packer::for_page_size(bytes.len()));
        if bytes.len() != packer.page_size {
            bail!(
                "block {block} is {} bytes; earlier pages were {}",
                bytes.len(),
                packer.page_size
            );
        }
        if block >= packer.max_blocks {
            bail!(
                "block {block} is beyond the {} blocks this reader can address",
                packer.max_blocks
            );
        }
        if p.blocks.len() <= block as usize {
            p.blocks.resize(block as usize + 1, BlockRec::default());
        }
        if p.blocks[block as usize].state != BlockState::Unread {
            bail!("block {block} was given twice");
        }
        if block == 0 {
            let page = Page::parse(bytes).context("reading the HNSW meta page (block 0)")?;
            let opaque = page
                .opaque()
                .context("reading the HNSW meta page (block 0)")?;
            if opaque.page_id != HNSW_PAGE_ID {
                bail!(
                    "block 0 has page id {:#06x}, not HNSW's {HNSW_PAGE_ID:#06x}",
                    opaque.page_id
                );
            }
            p.meta = Some(HnswMeta::parse(&page).context("reading the HNSW meta page (block 0)")?);
            p.blocks[0].state = BlockState::Meta;
            return Ok(());
        }
        let page = match Page::parse(bytes) {
            Ok(page) => page,
            Err(e) => {
                p.bad_page(block, &e.to_string());
                return Ok(());
            }
        };
        if page.is_new() {
            p.blocks[block as usize].state = BlockState::New;
            return Ok(());
        }
        let opaque = match page.opaque() {
            Ok(o) if o.page_id == HNSW_PAGE_ID => o,
            Ok(o) => {
                p.bad_page(block, &format!("page id {:#06x}", o.page_id));
                return Ok(());
            }
            Err(e) => {
                p.bad_page(block, &e.to_string());
                return Ok(());
            }
        };
        let first_item = u32::try_from(p.items.len()).context("too many items")?;
        let count = page.item_count();
        p.blocks[block as usize] = BlockRec {
            first_item,
            items: count,
            state: BlockState::Data,
            next: opaque.next,
        };
        for n in 1..=count {
            let tag = match page.item(n) {
                Ok(t) => p.item(&packer, block, n, t)?,
                Err(e) => {
                    p.notes
                        .add("unreadable items", format!("block {block} item {n}: {e}"));
                    OTHER
                }
            };
            p.items.push(tag);
        }
        Ok(())
    }

    /// Measures the graph from everything pushed so far.
    pub fn finish(self) -> Result<HnswStructure> {
        graph::analyze(self.p)
    }
}

/// Measures an HNSW index from its pages (`(block number, page bytes)`, any order).
pub fn analyze_hnsw(pages: impl IntoIterator<Item = (u32, Vec<u8>)>) -> Result<HnswStructure> {
    let mut reader = HnswReader::new();
    for (block, bytes) in pages {
        reader.push(block, &bytes)?;
    }
    reader.finish()
}
