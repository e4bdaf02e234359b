//! The HNSW meta page (block 0) and the constants that identify HNSW pages.

use crate::detect::pages::page::{self, ItemPointer, Page, u16_at, u32_at};

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
