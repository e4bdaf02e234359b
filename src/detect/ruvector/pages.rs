//! RuVector 2.0.6 index pages, bytes in, numbers out (pure; never panics).
//!
//! Layouts from the crate's source (`src/index/hnsw_am.rs`, `ivfflat_am.rs`),
//! `#[repr(C)]` structs written right after the 24-byte page header in the
//! server's byte order (little-endian on x86-64). Nothing sits in line
//! pointers, so pageinspect's item functions see empty pages; the raw page is
//! read with `get_raw_page`.
//!
//! | page | layout after the page header |
//! |---|---|
//! | HNSW meta (block 0) | u32 magic `0x484E5357`, u32 version, u32 dims, u16 m, u16 m0, u32 ef_construction, u32 entry block, u16 max layer, u8 metric, u8 flags, (pad 4), u64 node_count, u32 next_block, f32 recall target, f32 last estimate, (pad 4), u64 deleted_count, i64 build time |
//! | HNSW node (one per block) | u8 page type (1), u8 max layer, u8 flags (`0x01` deleted), u8 pad, heap TID (u16 block hi, u16 block lo, u16 offset), 16 × u8 neighbour counts, dims × f32 vector |
//! | IVF meta (block 0) | u32 magic `0x49564646`, u32 version, u32 lists, u32 probes, u32 dims, u32 trained, u64 vector_count |

use serde::Serialize;

/// Magic of RuVector's HNSW meta page ("HNSW").
pub const HNSW_MAGIC: u32 = 0x484E_5357;
/// Magic of RuVector's IVFFlat meta page ("IVFF").
pub const IVF_MAGIC: u32 = 0x4956_4646;
/// PostgreSQL's page header (`SizeOfPageHeaderData`, already MAXALIGNed).
pub const PAGE_HEADER: usize = 24;
/// Size of the node header before the vector.
pub const NODE_HEADER: usize = 26;
/// Node flag: marked deleted by VACUUM.
pub const NODE_DELETED: u8 = 0x01;
const NODE_PAGE: u8 = 1;

fn u16_at(b: &[u8], at: usize) -> Option<u16> {
    Some(u16::from_le_bytes(b.get(at..at + 2)?.try_into().ok()?))
}

fn u32_at(b: &[u8], at: usize) -> Option<u32> {
    Some(u32::from_le_bytes(b.get(at..at + 4)?.try_into().ok()?))
}

fn u64_at(b: &[u8], at: usize) -> Option<u64> {
    Some(u64::from_le_bytes(b.get(at..at + 8)?.try_into().ok()?))
}

/// The HNSW meta page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct HnswMeta {
    /// Format version.
    pub version: u32,
    /// Vector dimensions.
    pub dimensions: u32,
    /// Links per node the graph was built with.
    pub m: u16,
    /// Links on layer 0.
    pub m0: u16,
    /// Build-time search width the graph was built with.
    pub ef_construction: u32,
    /// Entry point block.
    pub entry_point: u32,
    /// Highest layer.
    pub max_layer: u16,
    /// 0 = L2, 1 = cosine, 2 = inner product.
    pub metric: u8,
    /// Nodes ever inserted (the build plus later inserts).
    pub node_count: u64,
    /// The block VACUUM scans up to (RuVector 2.0.6 leaves it at 1).
    pub next_block: u32,
    /// Nodes VACUUM marked deleted.
    pub deleted_count: u64,
    /// Build time, epoch seconds.
    pub build_timestamp: i64,
}

/// Parses block 0 of a RuVector HNSW index; `Err` says why it is not one.
pub fn hnsw_meta(page: &[u8]) -> Result<HnswMeta, String> {
    let b = page.get(PAGE_HEADER..).unwrap_or_default();
    let short = || format!("meta page of {} bytes is too short", page.len());
    let magic = u32_at(b, 0).ok_or_else(short)?;
    if magic != HNSW_MAGIC {
        return Err(format!(
            "meta page magic {magic:#010x} is not RuVector HNSW's {HNSW_MAGIC:#010x}"
        ));
    }
    let get = || -> Option<HnswMeta> {
        Some(HnswMeta {
            version: u32_at(b, 4)?,
            dimensions: u32_at(b, 8)?,
            m: u16_at(b, 12)?,
            m0: u16_at(b, 14)?,
            ef_construction: u32_at(b, 16)?,
            entry_point: u32_at(b, 20)?,
            max_layer: u16_at(b, 24)?,
            metric: *b.get(26)?,
            node_count: u64_at(b, 32)?,
            next_block: u32_at(b, 40)?,
            deleted_count: u64_at(b, 56)?,
            build_timestamp: u64_at(b, 64)? as i64,
        })
    };
    get().ok_or_else(short)
}

/// One HNSW node page.
#[derive(Debug, Clone, PartialEq)]
pub struct Node {
    /// Node flags.
    pub flags: u8,
    /// Heap block of the row it stands for.
    pub heap_block: u32,
    /// Line pointer of that row.
    pub heap_offset: u16,
    /// The vector as the index holds it.
    pub vector: Vec<f32>,
}

impl Node {
    /// Marked deleted by VACUUM.
    pub fn deleted(&self) -> bool {
        self.flags & NODE_DELETED != 0
    }

    /// The heap TID as text, `(block,offset)`.
    pub fn tid_text(&self) -> String {
        format!("({},{})", self.heap_block, self.heap_offset)
    }
}

/// Bytes of a node page needed for a node of `dims` dimensions (page header included).
pub fn node_bytes(dims: usize) -> usize {
    PAGE_HEADER + NODE_HEADER + 4 * dims
}

/// Parses a node page (or its first [`node_bytes`] bytes); `None` for any other page.
pub fn hnsw_node(page: &[u8], dims: usize) -> Option<Node> {
    let b = page.get(PAGE_HEADER..)?;
    if *b.first()? != NODE_PAGE {
        return None;
    }
    let hi = u16_at(b, 4)?;
    let lo = u16_at(b, 6)?;
    let body = b.get(NODE_HEADER..NODE_HEADER + 4 * dims)?;
    Some(Node {
        flags: *b.get(2)?,
        heap_block: (u32::from(hi) << 16) | u32::from(lo),
        heap_offset: u16_at(b, 8)?,
        vector: body
            .as_chunks::<4>()
            .0
            .iter()
            .map(|c| f32::from_le_bytes(*c))
            .collect(),
    })
}

/// The IVFFlat meta page.
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct IvfMeta {
    /// Lists the index was built with.
    pub lists: u32,
    /// Probes stored at build time.
    pub probes: u32,
    /// Vector dimensions.
    pub dimensions: u32,
    /// Whether the centres were trained.
    pub trained: bool,
    /// Vectors in the lists.
    pub vector_count: u64,
}

/// Parses block 0 of a RuVector IVFFlat index.
pub fn ivf_meta(page: &[u8]) -> Result<IvfMeta, String> {
    let b = page.get(PAGE_HEADER..).unwrap_or_default();
    let short = || format!("meta page of {} bytes is too short", page.len());
    let magic = u32_at(b, 0).ok_or_else(short)?;
    if magic != IVF_MAGIC {
        return Err(format!(
            "meta page magic {magic:#010x} is not RuVector IVFFlat's {IVF_MAGIC:#010x}"
        ));
    }
    let get = || -> Option<IvfMeta> {
        Some(IvfMeta {
            lists: u32_at(b, 8)?,
            probes: u32_at(b, 12)?,
            dimensions: u32_at(b, 16)?,
            trained: u32_at(b, 20)? != 0,
            vector_count: u64_at(b, 24)?,
        })
    };
    get().ok_or_else(short)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn page(body: &[u8]) -> Vec<u8> {
        let mut p = vec![0u8; PAGE_HEADER];
        p.extend_from_slice(body);
        p.resize(8192, 0);
        p
    }

    #[test]
    fn meta_page_fields_sit_where_the_repr_c_struct_puts_them() {
        let mut b = vec![0u8; 112];
        b[0..4].copy_from_slice(&HNSW_MAGIC.to_le_bytes());
        b[4..8].copy_from_slice(&2u32.to_le_bytes());
        b[8..12].copy_from_slice(&64u32.to_le_bytes());
        b[12..14].copy_from_slice(&16u16.to_le_bytes());
        b[14..16].copy_from_slice(&32u16.to_le_bytes());
        b[16..20].copy_from_slice(&64u32.to_le_bytes());
        b[20..24].copy_from_slice(&7u32.to_le_bytes());
        b[24..26].copy_from_slice(&3u16.to_le_bytes());
        b[26] = 1;
        b[32..40].copy_from_slice(&20_000u64.to_le_bytes());
        b[40..44].copy_from_slice(&1u32.to_le_bytes());
        b[56..64].copy_from_slice(&5u64.to_le_bytes());
        b[64..72].copy_from_slice(&1_700_000_000u64.to_le_bytes());
        let m = hnsw_meta(&page(&b)).unwrap();
        assert_eq!(
            (m.dimensions, m.m, m.m0, m.ef_construction),
            (64, 16, 32, 64)
        );
        assert_eq!((m.entry_point, m.max_layer, m.metric), (7, 3, 1));
        assert_eq!(
            (m.node_count, m.next_block, m.deleted_count),
            (20_000, 1, 5)
        );
        assert_eq!(m.build_timestamp, 1_700_000_000);
        assert!(
            hnsw_meta(&page(&[1, 2, 3, 4]))
                .unwrap_err()
                .contains("magic")
        );
        assert!(hnsw_meta(&[0u8; 30]).is_err());
    }

    #[test]
    fn node_pages_give_flags_tid_and_vector() {
        let mut b = vec![NODE_PAGE, 0, NODE_DELETED, 0];
        b.extend_from_slice(&1u16.to_le_bytes()); // block hi
        b.extend_from_slice(&2u16.to_le_bytes()); // block lo
        b.extend_from_slice(&9u16.to_le_bytes()); // offset
        b.extend_from_slice(&[0u8; 16]);
        b.extend_from_slice(&1.5f32.to_le_bytes());
        b.extend_from_slice(&(-2.0f32).to_le_bytes());
        let n = hnsw_node(&page(&b), 2).unwrap();
        assert!(n.deleted());
        assert_eq!((n.heap_block, n.heap_offset), (65_538, 9));
        assert_eq!(n.vector, vec![1.5, -2.0]);
        assert_eq!(n.tid_text(), "(65538,9)");
        assert_eq!(node_bytes(2), 58);
        assert!(hnsw_node(&page(&b)[..node_bytes(2)], 2).is_some());
        assert!(hnsw_node(&page(&b)[..node_bytes(2) - 1], 2).is_none());
        b[0] = 0;
        assert!(hnsw_node(&page(&b), 2).is_none(), "not a node page");
    }

    #[test]
    fn ivf_meta_page() {
        let mut b = vec![0u8; 40];
        b[0..4].copy_from_slice(&IVF_MAGIC.to_le_bytes());
        b[8..12].copy_from_slice(&100u32.to_le_bytes());
        b[12..16].copy_from_slice(&1u32.to_le_bytes());
        b[16..20].copy_from_slice(&64u32.to_le_bytes());
        b[20..24].copy_from_slice(&1u32.to_le_bytes());
        b[24..32].copy_from_slice(&20_000u64.to_le_bytes());
        let m = ivf_meta(&page(&b)).unwrap();
        assert_eq!(
            (m.lists, m.probes, m.dimensions, m.trained),
            (100, 1, 64, true)
        );
        assert_eq!(m.vector_count, 20_000);
        assert!(ivf_meta(&page(&[0; 8])).is_err());
    }
}
