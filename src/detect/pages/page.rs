//! PostgreSQL page basics: the 24-byte page header, line pointers, item pointers
//! and pgvector's 8-byte special space, read from `get_raw_page` bytes.
//!
//! Every accessor is bounds-checked and returns [`PageError`] on malformed input;
//! nothing here panics on bytes from the server. Integers are little-endian.

use std::fmt;

/// Bytes that do not form what the caller expected to find on a page.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PageError(pub String);

impl fmt::Display for PageError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for PageError {}

/// Result of a page-level parse.
pub type Result<T> = std::result::Result<T, PageError>;

pub(crate) fn fail<T>(msg: impl Into<String>) -> Result<T> {
    Err(PageError(msg.into()))
}

/// The little-endian `u16` at `off`.
pub fn u16_at(b: &[u8], off: usize) -> Result<u16> {
    match b.get(off..off.wrapping_add(2)) {
        Some(s) => Ok(u16::from_le_bytes([s[0], s[1]])),
        None => fail(format!("u16 at {off} is past the end ({} bytes)", b.len())),
    }
}

/// The little-endian `u32` at `off`.
pub fn u32_at(b: &[u8], off: usize) -> Result<u32> {
    match b.get(off..off.wrapping_add(4)) {
        Some(s) => Ok(u32::from_le_bytes([s[0], s[1], s[2], s[3]])),
        None => fail(format!("u32 at {off} is past the end ({} bytes)", b.len())),
    }
}

/// The little-endian `i32` at `off`.
pub fn i32_at(b: &[u8], off: usize) -> Result<i32> {
    u32_at(b, off).map(|v| v as i32)
}

/// Size of the page header (`SizeOfPageHeaderData`), also where the line pointers start.
pub const PAGE_HEADER_SIZE: usize = 24;
/// The only page layout version PostgreSQL 11 and later write.
pub const PAGE_LAYOUT_VERSION: u8 = 4;
/// `InvalidBlockNumber`.
pub const INVALID_BLOCK: u32 = u32::MAX;

/// The fields of `PageHeaderData` that a reader needs.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PageHeader {
    /// `pd_flags` hint bits.
    pub flags: u16,
    /// `pd_lower`: end of the line-pointer array.
    pub lower: u16,
    /// `pd_upper`: start of tuple space; 0 on a never-initialized page.
    pub upper: u16,
    /// `pd_special`: start of the access method's special space.
    pub special: u16,
    /// Page size recorded in the header.
    pub page_size: usize,
    /// Layout version (4).
    pub version: u8,
}

/// One line pointer (`ItemIdData`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct LinePointer {
    /// Byte offset of the item within the page.
    pub off: u16,
    /// 0 unused, 1 normal, 2 redirect, 3 dead.
    pub flags: u8,
    /// Item length in bytes.
    pub len: u16,
}

impl LinePointer {
    /// `LP_NORMAL`: an item in use with storage.
    pub const NORMAL: u8 = 1;

    /// Decodes the packed 32-bit word (`lp_off:15, lp_flags:2, lp_len:15`).
    pub fn from_word(w: u32) -> Self {
        LinePointer {
            off: (w & 0x7FFF) as u16,
            flags: ((w >> 15) & 0x3) as u8,
            len: (w >> 17) as u16,
        }
    }

    /// Whether the item is a normal one with storage.
    pub fn is_normal(&self) -> bool {
        self.flags == Self::NORMAL
    }
}

/// A block/offset pair (`ItemPointerData`, 6 bytes).
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct ItemPointer {
    /// Block number.
    pub block: u32,
    /// Offset number, 1-based; 0 means invalid.
    pub offset: u16,
}

impl ItemPointer {
    /// Size on disk.
    pub const SIZE: usize = 6;

    /// Reads the pointer at the start of `b` (`bi_hi`, `bi_lo`, `ip_posid`).
    pub fn parse(b: &[u8]) -> Result<Self> {
        match b.get(..Self::SIZE) {
            Some(s) => Ok(Self::from_array([s[0], s[1], s[2], s[3], s[4], s[5]])),
            None => fail(format!("item pointer needs 6 bytes, got {}", b.len())),
        }
    }

    /// Decodes six bytes known to be present.
    pub fn from_array(s: [u8; 6]) -> Self {
        let hi = u16::from_le_bytes([s[0], s[1]]) as u32;
        let lo = u16::from_le_bytes([s[2], s[3]]) as u32;
        ItemPointer {
            block: (hi << 16) | lo,
            offset: u16::from_le_bytes([s[4], s[5]]),
        }
    }

    /// PostgreSQL's validity test (`ItemPointerIsValid`): the offset is not 0.
    pub fn is_valid(&self) -> bool {
        self.offset != 0
    }
}

impl fmt::Display for ItemPointer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "({},{})", self.block, self.offset)
    }
}

/// pgvector's special space (`HnswPageOpaqueData`, `IvfflatPageOpaqueData`): 8 bytes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Opaque {
    /// Next page in this page's chain; [`INVALID_BLOCK`] at the end.
    pub next: u32,
    /// Access-method page id (0xFF90 HNSW, 0xFF84 IVFFlat).
    pub page_id: u16,
}

/// A validated page: the header is consistent with the byte length.
#[derive(Debug, Clone, Copy)]
pub struct Page<'a> {
    bytes: &'a [u8],
    header: PageHeader,
}

impl<'a> Page<'a> {
    /// Validates the header of `bytes`. A never-initialized (all-zero header) page
    /// is accepted; check [`Page::is_new`] before reading items.
    pub fn parse(bytes: &'a [u8]) -> Result<Self> {
        if bytes.len() < PAGE_HEADER_SIZE {
            return fail(format!(
                "page is {} bytes, shorter than its header",
                bytes.len()
            ));
        }
        let psv = u16_at(bytes, 18)?;
        let header = PageHeader {
            flags: u16_at(bytes, 10)?,
            lower: u16_at(bytes, 12)?,
            upper: u16_at(bytes, 14)?,
            special: u16_at(bytes, 16)?,
            page_size: (psv & 0xFF00) as usize,
            version: (psv & 0x00FF) as u8,
        };
        let page = Page { bytes, header };
        if page.is_new() {
            return Ok(page);
        }
        let (lower, upper, special) = (
            header.lower as usize,
            header.upper as usize,
            header.special as usize,
        );
        // A 32 KB page stores its size as 0x8000; 0 would mean 64 KB, which cannot occur.
        if header.page_size != bytes.len() {
            return fail(format!(
                "header says {} bytes per page, got {}",
                header.page_size,
                bytes.len()
            ));
        }
        if header.version != PAGE_LAYOUT_VERSION {
            return fail(format!("page layout version {} (want 4)", header.version));
        }
        if lower < PAGE_HEADER_SIZE || lower > upper || upper > special || special > bytes.len() {
            return fail(format!(
                "inconsistent header: lower {lower}, upper {upper}, special {special}, size {}",
                bytes.len()
            ));
        }
        Ok(page)
    }

    /// The raw bytes.
    pub fn bytes(&self) -> &'a [u8] {
        self.bytes
    }

    /// The header.
    pub fn header(&self) -> PageHeader {
        self.header
    }

    /// A page that was allocated but never initialized (`pd_upper == 0`).
    pub fn is_new(&self) -> bool {
        self.header.upper == 0
    }

    /// Number of line pointers.
    pub fn item_count(&self) -> u16 {
        let lower = self.header.lower as usize;
        if self.is_new() || lower <= PAGE_HEADER_SIZE {
            0
        } else {
            ((lower - PAGE_HEADER_SIZE) / 4) as u16
        }
    }

    /// Line pointer `n` (1-based).
    pub fn line_pointer(&self, n: u16) -> Result<LinePointer> {
        if n == 0 || n > self.item_count() {
            return fail(format!(
                "no line pointer {n} (page has {})",
                self.item_count()
            ));
        }
        let w = u32_at(self.bytes, PAGE_HEADER_SIZE + 4 * (n as usize - 1))?;
        Ok(LinePointer::from_word(w))
    }

    /// The bytes of item `n` (1-based), which must be a normal item inside the
    /// tuple space.
    pub fn item(&self, n: u16) -> Result<&'a [u8]> {
        let lp = self.line_pointer(n)?;
        if !lp.is_normal() {
            return fail(format!("item {n} has line pointer flags {}", lp.flags));
        }
        let (start, end) = (lp.off as usize, lp.off as usize + lp.len as usize);
        if start < self.header.upper as usize || end > self.header.special as usize {
            return fail(format!(
                "item {n} at {start}..{end} lies outside tuple space {}..{}",
                self.header.upper, self.header.special
            ));
        }
        Ok(&self.bytes[start..end])
    }

    /// The bytes after the header (`PageGetContents`), up to the special space.
    pub fn contents(&self) -> &'a [u8] {
        let end = (self.header.special as usize).max(PAGE_HEADER_SIZE);
        self.bytes.get(PAGE_HEADER_SIZE..end).unwrap_or(&[])
    }

    /// pgvector's 8-byte special space, which must end the page.
    pub fn opaque(&self) -> Result<Opaque> {
        let special = self.header.special as usize;
        if special + 8 != self.bytes.len() {
            return fail(format!(
                "special space at {special} is not 8 bytes before the end ({})",
                self.bytes.len()
            ));
        }
        Ok(Opaque {
            next: u32_at(self.bytes, special)?,
            page_id: u16_at(self.bytes, special + 6)?,
        })
    }
}

#[cfg(test)]
mod tests {
    use super::super::fixtures::{build_page, tid};
    use super::*;

    #[test]
    fn line_pointers_decode_all_three_fields() {
        // lp_off 8040, LP_NORMAL, lp_len 144 (seen on a real HNSW page)
        let w = 8040u32 | (1 << 15) | (144 << 17);
        let lp = LinePointer::from_word(w);
        assert_eq!((lp.off, lp.flags, lp.len), (8040, 1, 144));
        assert!(lp.is_normal());
        let dead = LinePointer::from_word(100 | (3 << 15) | (32_767 << 17));
        assert_eq!((dead.off, dead.flags, dead.len), (100, 3, 32_767));
        assert_eq!(LinePointer::from_word(u32::MAX).off, 0x7FFF);
    }

    #[test]
    fn item_pointers_split_the_block_in_two_halves() {
        let ip = ItemPointer::parse(&tid(0x0001_0002, 7)).unwrap();
        assert_eq!((ip.block, ip.offset), (0x0001_0002, 7));
        assert!(ip.is_valid());
        let invalid = ItemPointer::parse(&[0xff, 0xff, 0xff, 0xff, 0, 0]).unwrap();
        assert_eq!(invalid.block, INVALID_BLOCK);
        assert!(!invalid.is_valid());
        assert!(!ItemPointer::parse(&[0; 6]).unwrap().is_valid());
        assert!(ItemPointer::parse(&[1, 2, 3]).is_err());
        assert_eq!(ip.to_string(), "(65538,7)");
    }

    #[test]
    fn pages_give_their_items_and_special_space() {
        let p = build_page(&[vec![1, 2, 3], vec![9; 16]], 5, 0xFF90);
        let page = Page::parse(&p).unwrap();
        assert!(!page.is_new());
        assert_eq!(page.item_count(), 2);
        assert_eq!(page.item(1).unwrap(), &[1, 2, 3]);
        assert_eq!(page.item(2).unwrap(), &[9; 16][..]);
        assert!(page.item(0).is_err() && page.item(3).is_err());
        let o = page.opaque().unwrap();
        assert_eq!((o.next, o.page_id), (5, 0xFF90));
    }

    #[test]
    fn new_pages_have_no_items() {
        let zero = vec![0u8; 8192];
        let page = Page::parse(&zero).unwrap();
        assert!(page.is_new());
        assert_eq!(page.item_count(), 0);
        assert!(page.item(1).is_err());
    }

    #[test]
    fn malformed_pages_are_errors_not_panics() {
        assert!(Page::parse(&[]).is_err());
        assert!(Page::parse(&[0xff; 10]).is_err());
        let good = build_page(&[vec![1; 8]], INVALID_BLOCK, 0xFF84);
        // truncated page: header size no longer matches
        assert!(Page::parse(&good[..4096]).is_err());
        // lower past upper
        let mut bad = good.clone();
        bad[12..14].copy_from_slice(&9000u16.to_le_bytes());
        assert!(Page::parse(&bad).is_err());
        // wrong layout version
        let mut bad = good.clone();
        bad[18] = 3;
        assert!(Page::parse(&bad).is_err());
        // line pointer aimed outside the tuple space
        let mut bad = good.clone();
        let w = 8190u32 | (1 << 15) | (64 << 17);
        bad[24..28].copy_from_slice(&w.to_le_bytes());
        let page = Page::parse(&bad).unwrap();
        assert!(page.item(1).is_err());
        // an unused line pointer is not an item
        let mut bad = good.clone();
        bad[24..28].copy_from_slice(&0u32.to_le_bytes());
        assert!(Page::parse(&bad).unwrap().item(1).is_err());
        // special space not 8 bytes
        let mut bad = good;
        bad[16..18].copy_from_slice(&8180u16.to_le_bytes());
        assert!(Page::parse(&bad).unwrap().opaque().is_err());
        // random bytes of the right length never panic
        let mut x = 0x1234_5678u32;
        for _ in 0..200 {
            let page: Vec<u8> = (0..8192)
                .map(|_| {
                    x ^= x << 13;
                    x ^= x >> 17;
                    x ^= x << 5;
                    x as u8
                })
                .collect();
            if let Ok(p) = Page::parse(&page) {
                for n in 0..=p.item_count() {
                    let _ = p.item(n);
                }
                let _ = p.opaque();
            }
        }
    }

    #[test]
    fn integer_reads_are_bounds_checked() {
        assert_eq!(u16_at(&[1, 2], 0).unwrap(), 0x0201);
        assert!(u16_at(&[1, 2], 1).is_err());
        assert!(u32_at(&[1, 2, 3], 0).is_err());
        assert!(u32_at(&[1, 2, 3, 4], usize::MAX).is_err());
        assert_eq!(i32_at(&[0xff; 4], 0).unwrap(), -1);
    }
}
