//! The compact records an [`super::HnswReader`] keeps per page: an item
//! table (block/offset -> element or neighbor tuple), element records, neighbor
//! tuple records and their slots as packed `u32` keys, plus the tuple parsers that
//! fill them.

use anyhow::{Context, Result};

use super::meta::HnswMeta;
use crate::detect::pages::notes::Notes;
use crate::detect::pages::page::{ItemPointer, u16_at};

const ELEMENT_TUPLE: u8 = 1;
const NEIGHBOR_TUPLE: u8 = 2;
const HEAP_TIDS: usize = 10;
const ELEMENT_HEADER: usize = 72;

/// An empty slot (offset 0).
pub(super) const EMPTY: u32 = u32::MAX;
/// A valid pointer that names no readable item.
pub(super) const MISSING: u32 = u32::MAX - 1;
/// Marks an item that is neither an element nor a neighbor tuple.
pub(super) const OTHER: u32 = u32::MAX;
/// Tag bit of neighbor tuples in the item table.
pub(super) const NEIGHBOR_TAG: u32 = 1 << 31;

/// Packs a block/offset into a `u32`: `block << off_bits | (offset - 1)`.
#[derive(Debug, Clone, Copy)]
pub(super) struct Packer {
    pub(super) page_size: usize,
    off_bits: u32,
    /// Exclusive bound on addressable blocks.
    pub(super) max_blocks: u32,
}

impl Packer {
    pub(super) fn for_page_size(page_size: usize) -> Self {
        // MaxOffsetNumber = BLCKSZ / sizeof(ItemIdData)
        let max_items = (page_size / 4).max(2);
        let off_bits = usize::BITS - (max_items - 1).leading_zeros();
        Packer {
            page_size,
            off_bits,
            max_blocks: (1u32 << (32 - off_bits)) - 1,
        }
    }

    pub(super) fn pack(&self, ip: ItemPointer) -> u32 {
        if !ip.is_valid() {
            EMPTY
        } else if ip.block >= self.max_blocks || ip.offset as usize > self.page_size / 4 {
            MISSING
        } else {
            (ip.block << self.off_bits) | (ip.offset as u32 - 1)
        }
    }

    pub(super) fn unpack(&self, key: u32) -> (u32, u16) {
        (
            key >> self.off_bits,
            ((key & ((1 << self.off_bits) - 1)) + 1) as u16,
        )
    }
}

/// What was read of one block.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(super) enum BlockState {
    #[default]
    Unread,
    Meta,
    New,
    Bad,
    Data,
}

/// One block's items in the item table, and its chain link.
#[derive(Debug, Clone, Copy, Default)]
pub(super) struct BlockRec {
    pub(super) first_item: u32,
    pub(super) items: u16,
    pub(super) state: BlockState,
    pub(super) next: u32,
}

/// One element tuple.
#[derive(Debug, Clone, Copy)]
pub(super) struct Element {
    /// Packed key of the neighbor tuple; after resolution its index, or `EMPTY`.
    pub(super) nbr: u32,
    pub(super) level: u8,
    pub(super) deleted: bool,
    pub(super) version: u8,
    pub(super) heap_tids: u8,
}

/// One neighbor tuple: its slots are `slots[start .. start + stored]`.
#[derive(Debug, Clone, Copy)]
pub(super) struct NeighborRec {
    pub(super) start: u32,
    pub(super) count: u16,
    pub(super) stored: u16,
    pub(super) version: u8,
}

/// Everything kept from the pages.
#[derive(Debug, Default)]
pub(super) struct Parsed {
    pub(super) packer: Option<Packer>,
    pub(super) meta: Option<HnswMeta>,
    pub(super) blocks: Vec<BlockRec>,
    /// Per item: element index, `NEIGHBOR_TAG | neighbor index`, or `OTHER`.
    pub(super) items: Vec<u32>,
    pub(super) elements: Vec<Element>,
    pub(super) neighbors: Vec<NeighborRec>,
    pub(super) slots: Vec<u32>,
    pub(super) notes: Notes,
}

impl Parsed {
    pub(super) fn bad_page(&mut self, block: u32, why: &str) {
        self.blocks[block as usize].state = BlockState::Bad;
        self.notes
            .add("skipped pages", format!("block {block}: {why}"));
    }

    pub(super) fn item(&mut self, packer: &Packer, block: u32, n: u16, t: &[u8]) -> Result<u32> {
        match t.first() {
            Some(&ELEMENT_TUPLE) if t.len() >= ELEMENT_HEADER => {
                let heap_tids = (0..HEAP_TIDS)
                    .take_while(|i| {
                        ItemPointer::parse(&t[4 + 6 * i..]).is_ok_and(|ip| ip.is_valid())
                    })
                    .count() as u8;
                let nbr = ItemPointer::parse(&t[64..]).map_err(anyhow::Error::from)?;
                let index = u32::try_from(self.elements.len())
                    .ok()
                    .filter(|&i| i < NEIGHBOR_TAG);
                let index = index.context("too many elements")?;
                self.elements.push(Element {
                    nbr: packer.pack(nbr),
                    level: t[1],
                    deleted: t[2] != 0,
                    version: t[3],
                    heap_tids,
                });
                Ok(index)
            }
            Some(&NEIGHBOR_TUPLE) if t.len() >= 4 => {
                let count = u16_at(t, 2)?;
                let stored = count.min(((t.len() - 4) / ItemPointer::SIZE) as u16);
                let start = u32::try_from(self.slots.len())
                    .ok()
                    .filter(|s| s.checked_add(stored as u32).is_some())
                    .context("too many neighbor slots")?;
                let index = u32::try_from(self.neighbors.len())
                    .ok()
                    .filter(|&i| i < NEIGHBOR_TAG);
                let index = index.context("too many neighbor tuples")?;
                let body = &t[4..4 + stored as usize * ItemPointer::SIZE];
                self.slots
                    .extend(body.chunks_exact(ItemPointer::SIZE).map(|c| {
                        packer.pack(ItemPointer::from_array([
                            c[0], c[1], c[2], c[3], c[4], c[5],
                        ]))
                    }));
                self.neighbors.push(NeighborRec {
                    start,
                    count,
                    stored,
                    version: t[1],
                });
                Ok(NEIGHBOR_TAG | index)
            }
            other => {
                let what = match other {
                    Some(&ELEMENT_TUPLE) | Some(&NEIGHBOR_TUPLE) => {
                        format!("{} bytes, too short", t.len())
                    }
                    Some(ty) => format!("unknown tuple type {ty}"),
                    None => "empty item".to_string(),
                };
                self.notes.add(
                    "unreadable items",
                    format!("block {block} item {n}: {what}"),
                );
                Ok(OTHER)
            }
        }
    }
}
