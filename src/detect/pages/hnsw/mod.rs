//! HNSW pages (pgvector 0.8.x) read into a compact graph, one page at a time.
//!
//! [`HnswReader::push`] parses each page as it arrives and keeps only small
//! records: per element its level, flags and neighbor-tuple pointer; per neighbor
//! tuple its slots as packed `u32` block/offset keys. No page bytes and no vector
//! values are kept. [`HnswReader::finish`] resolves the keys once every page is in
//! (a neighbor tuple may sit before or after its element) and measures the graph
//! (see `graph`). Malformed pages and tuples are skipped with a note.
//!
//! The files, each importing only those listed before it:
//! * `meta`: the meta page ([`HnswMeta`]) and the page constants;
//! * `model`: what is measured ([`HnswStructure`], [`InvalidLinks`]);
//! * `items`: the compact records kept per page and the tuple parsers;
//! * `links`: what a resolved slot holds and an element's usable links;
//! * `layer0`: layer 0 laid out for the two walks over every link;
//! * `reach` and `regions`: reachability and the region graph;
//! * `graph`: the analysis that resolves, judges and measures, calling them.

use anyhow::{Context, Result, bail};

use super::page::Page;
use items::{BlockRec, BlockState, OTHER, Packer, Parsed};

mod graph;
mod items;
mod layer0;
mod links;
mod meta;
mod model;
mod reach;
mod regions;
#[cfg(test)]
mod tests;

pub use meta::{HNSW_MAGIC, HNSW_PAGE_ID, HnswMeta};
pub use model::{HnswStructure, InvalidLinks};

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
