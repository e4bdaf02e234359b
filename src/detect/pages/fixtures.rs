//! Hand-built pages for unit tests: generic pages, small HNSW graphs and IVFFlat
//! indexes laid out byte for byte as pgvector 0.8.6 writes them.

use super::hnsw::{HNSW_MAGIC, HNSW_PAGE_ID};
use super::ivfflat::{IVFFLAT_MAGIC, IVFFLAT_PAGE_ID};
use super::page::{INVALID_BLOCK, PAGE_HEADER_SIZE};

/// Builds an 8 KB page holding `items` in order, with pgvector special space.
pub fn build_page(items: &[Vec<u8>], next: u32, page_id: u16) -> Vec<u8> {
    let mut p = vec![0u8; 8192];
    let special = 8192 - 8;
    let mut upper = special;
    let mut lower = PAGE_HEADER_SIZE;
    for item in items {
        let len = item.len();
        upper -= len.div_ceil(8) * 8;
        p[upper..upper + len].copy_from_slice(item);
        let w = (upper as u32) | (1 << 15) | ((len as u32) << 17);
        p[lower..lower + 4].copy_from_slice(&w.to_le_bytes());
        lower += 4;
    }
    p[12..14].copy_from_slice(&(lower as u16).to_le_bytes());
    p[14..16].copy_from_slice(&(upper as u16).to_le_bytes());
    p[16..18].copy_from_slice(&(special as u16).to_le_bytes());
    p[18..20].copy_from_slice(&(0x2000u16 | 4).to_le_bytes());
    p[special..special + 4].copy_from_slice(&next.to_le_bytes());
    p[special + 6..special + 8].copy_from_slice(&page_id.to_le_bytes());
    p
}

/// The six bytes of an item pointer.
pub fn tid(block: u32, offset: u16) -> [u8; 6] {
    let mut b = [0u8; 6];
    b[0..2].copy_from_slice(&((block >> 16) as u16).to_le_bytes());
    b[2..4].copy_from_slice(&(block as u16).to_le_bytes());
    b[4..6].copy_from_slice(&offset.to_le_bytes());
    b
}

/// A `vector` datum with a 4-byte header.
pub fn vector(vals: &[f32]) -> Vec<u8> {
    let mut b = (((8 + 4 * vals.len()) as u32) << 2).to_le_bytes().to_vec();
    b.extend((vals.len() as u16).to_le_bytes());
    b.extend([0, 0]);
    vals.iter().for_each(|v| b.extend(v.to_le_bytes()));
    b
}

/// One slot of a synthetic neighbor tuple.
#[derive(Debug, Clone, Copy)]
pub enum Link {
    /// To synthetic element `i`.
    To(usize),
    /// Invalid (empty) slot.
    Empty,
    /// A raw block/offset.
    Raw(u32, u16),
}

/// One synthetic HNSW element; element `i` lives at (2, i+1) and its neighbor
/// tuple at (1, i+1), so every neighbor tuple comes before its element.
#[derive(Debug, Clone)]
pub struct Elem {
    pub level: u8,
    pub deleted: bool,
    pub version: u8,
    pub nbr_version: u8,
    pub heap_tids: u8,
    /// Slots per layer, layer 0 first; padded with empty slots.
    pub layers: Vec<Vec<Link>>,
    /// Stored count, if not (level+2)·m.
    pub count: Option<u16>,
}

impl Elem {
    /// A live level-0 element linking to `targets`.
    pub fn at0(targets: &[usize]) -> Self {
        Elem::at(0, vec![targets.iter().map(|&t| Link::To(t)).collect()])
    }

    /// A live element of `level` with the given layers.
    pub fn at(level: u8, layers: Vec<Vec<Link>>) -> Self {
        Elem {
            level,
            deleted: false,
            version: 1,
            nbr_version: 1,
            heap_tids: 1,
            layers,
            count: None,
        }
    }
}

/// The meta page and the two data pages (block 1: neighbor tuples, block 2: elements).
pub fn hnsw_index(
    m: u16,
    entry: Option<usize>,
    entry_level: i16,
    elems: &[Elem],
) -> Vec<(u32, Vec<u8>)> {
    let mut meta = build_page(&[], INVALID_BLOCK, HNSW_PAGE_ID);
    let (eb, eo) = match entry {
        Some(i) => (2u32, i as u16 + 1),
        None => (INVALID_BLOCK, 0),
    };
    let fields: Vec<u8> = [
        &HNSW_MAGIC.to_le_bytes()[..],
        &1u32.to_le_bytes(),
        &4u32.to_le_bytes(),
        &m.to_le_bytes(),
        &64u16.to_le_bytes(),
        &eb.to_le_bytes(),
        &eo.to_le_bytes(),
        &entry_level.to_le_bytes(),
        &1u32.to_le_bytes(),
    ]
    .concat();
    meta[24..24 + fields.len()].copy_from_slice(&fields);
    meta[12..14].copy_from_slice(&52u16.to_le_bytes());
    let slot = |l: &Link| match *l {
        Link::To(t) => tid(2, t as u16 + 1),
        Link::Empty => [0xff, 0xff, 0xff, 0xff, 0, 0],
        Link::Raw(b, o) => tid(b, o),
    };
    let mut neighbors = Vec::new();
    let mut elements = Vec::new();
    for (i, e) in elems.iter().enumerate() {
        let m = m as usize;
        let mut slots = Vec::new();
        for lc in (0..=e.level as usize).rev() {
            let want = if lc == 0 { 2 * m } else { m };
            let mut layer: Vec<[u8; 6]> = e
                .layers
                .get(lc)
                .map(|l| l.iter().map(slot).collect())
                .unwrap_or_default();
            layer.resize(want, slot(&Link::Empty));
            slots.extend(layer);
        }
        let count = e.count.unwrap_or(((e.level as usize + 2) * m) as u16);
        let mut n = vec![2u8, e.nbr_version];
        n.extend(count.to_le_bytes());
        slots.iter().for_each(|s| n.extend(s));
        neighbors.push(n);
        let mut t = vec![1u8, e.level, e.deleted as u8, e.version];
        for h in 0..10 {
            t.extend(if h < e.heap_tids as usize {
                tid(7, h as u16 + 1)
            } else {
                [0xff, 0xff, 0xff, 0xff, 0, 0]
            });
        }
        t.extend(tid(1, i as u16 + 1));
        t.extend([0, 0]);
        t.extend(if e.deleted {
            vec![0; 24]
        } else {
            vector(&[1.0, 2.0, 3.0, 4.0])
        });
        elements.push(t);
    }
    vec![
        (0, meta),
        (1, build_page(&neighbors, 2, HNSW_PAGE_ID)),
        (2, build_page(&elements, INVALID_BLOCK, HNSW_PAGE_ID)),
    ]
}

/// An IVFFlat index of 3-dimensional lists: `lists[i]` is (center, entries per
/// chained page). List pages from block 1; entry pages follow in list order.
pub fn ivf_index(lists: &[([f32; 3], Vec<usize>)]) -> Vec<(u32, Vec<u8>)> {
    let mut meta = build_page(&[], INVALID_BLOCK, IVFFLAT_PAGE_ID);
    meta[24..28].copy_from_slice(&IVFFLAT_MAGIC.to_le_bytes());
    meta[28..32].copy_from_slice(&1u32.to_le_bytes());
    meta[32..34].copy_from_slice(&3u16.to_le_bytes());
    meta[34..36].copy_from_slice(&(lists.len() as u16).to_le_bytes());
    meta[12..14].copy_from_slice(&36u16.to_le_bytes());
    let mut pages = vec![(0, meta)];
    let mut next_block = 2u32;
    let mut tuples = Vec::new();
    let mut entry_pages = Vec::new();
    for (center, chain) in lists {
        let start = next_block;
        for (k, &entries) in chain.iter().enumerate() {
            let next = if k + 1 < chain.len() {
                next_block + 1
            } else {
                INVALID_BLOCK
            };
            // 1-byte-header vector(3) entries: 32 bytes, as in the reference
            let mut e = tid(9, 1).to_vec();
            e.extend(32u16.to_le_bytes());
            e.extend([0x23, 3, 0, 0, 0]);
            center.iter().for_each(|v| e.extend(v.to_le_bytes()));
            entry_pages.push((
                next_block,
                build_page(&vec![e; entries], next, IVFFLAT_PAGE_ID),
            ));
            next_block += 1;
        }
        let mut t = start.to_le_bytes().to_vec();
        t.extend((next_block - 1).to_le_bytes());
        t.extend(vector(center));
        tuples.push(t);
    }
    pages.push((1, build_page(&tuples, INVALID_BLOCK, IVFFLAT_PAGE_ID)));
    pages.extend(entry_pages);
    pages
}
