//! IVFFlat pages (pgvector 0.8.x) read into list sizes and centers.
//!
//! Block 0 is the meta page; the list pages form a chain from block 1 and hold one
//! list tuple per list (first entry page, insert page, center); each list's entry
//! pages form a chain of their own. [`IvfReader::push`] keeps per block only its
//! chain link and item count, and decodes the centers of `vector` and `halfvec`
//! indexes; entries are counted, never decoded.

use anyhow::{Context, Result, bail};
use serde::Serialize;

use super::notes::Notes;
use super::page::{self, INVALID_BLOCK, Page, u16_at, u32_at};
use super::stats::Balance;
use super::value::{Value, ValueType, decode, guess_type};

/// `IVFFLAT_MAGIC_NUMBER`.
pub const IVFFLAT_MAGIC: u32 = 0x014F_F1A7;
/// `IVFFLAT_PAGE_ID`.
pub const IVFFLAT_PAGE_ID: u16 = 0xFF84;
/// Centers are decoded only while lists × dimensions stays under this (64 MiB of f32).
const MAX_CENTER_FLOATS: usize = 16 << 20;

/// The IVFFlat meta page (block 0).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct IvfMeta {
    /// Format version (1).
    pub version: u32,
    /// Dimensions (bits for `bit`).
    pub dimensions: u16,
    /// Lists the index was built with.
    pub lists: u16,
}

impl IvfMeta {
    /// Reads the meta fields of block 0.
    pub fn parse(page: &Page<'_>) -> page::Result<Self> {
        let b = page.bytes();
        let magic = u32_at(b, 24)?;
        if magic != IVFFLAT_MAGIC {
            return page::fail(format!(
                "magic {magic:#010x} is not IVFFlat's {IVFFLAT_MAGIC:#010x}"
            ));
        }
        Ok(IvfMeta {
            version: u32_at(b, 28)?,
            dimensions: u16_at(b, 32)?,
            lists: u16_at(b, 34)?,
        })
    }
}

/// Structure of one IVFFlat index, measured from its pages.
#[derive(Debug, Clone, Default, Serialize)]
pub struct IvfStructure {
    /// Blocks read (the relation size when the read started).
    pub blocks: u64,
    /// Allocated but never initialized pages.
    pub new_pages: u64,
    /// Pages skipped as unreadable.
    pub bad_pages: u64,
    /// Initialized pages on neither the list-page chain nor any list's entry chain.
    pub pages_off_chain: u64,
    /// Dimensions (meta).
    pub dimensions: u32,
    /// Lists (meta); scans use this, not the reloption.
    pub lists: u32,
    /// Entries (heap TIDs, dead ones not yet vacuumed included) per list, in list order.
    pub entries_per_list: Vec<u64>,
    /// Entry pages per list.
    pub pages_per_list: Vec<u64>,
    /// Sum of `entries_per_list`.
    pub total_entries: u64,
    /// Lists with no entries.
    pub empty_lists: u64,
    /// Mean entries per list.
    pub mean: f64,
    /// Coefficient of variation of list sizes.
    pub cv: f64,
    /// Largest list / mean.
    pub max_over_mean: f64,
    /// Gini coefficient of list sizes.
    pub gini: f64,
    /// Entries per entry page.
    pub entries_per_page: f64,
    /// Lists whose insert page is not on their own chain.
    pub insert_pages_off_list: u64,
    /// Type of the centers, when recognised.
    pub center_type: Option<ValueType>,
    /// Decoded centers (vector and halfvec; empty for bit), in list order.
    pub centers: Vec<Vec<f32>>,
    /// Anything odd met while reading, in words.
    pub notes: Vec<String>,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
enum State {
    #[default]
    Meta,
    New,
    Bad,
    Data,
}

#[derive(Debug, Clone, Copy, Default)]
struct Block {
    state: State,
    next: u32,
    items: u16,
}

#[derive(Debug, Clone, Copy)]
struct List {
    start: u32,
    insert: u32,
}

/// Reads IVFFlat pages one at a time, in block order from 0; see the module docs.
#[derive(Debug)]
pub struct IvfReader {
    page_size: usize,
    meta: Option<IvfMeta>,
    blocks: Vec<Block>,
    next_list_page: u32,
    lists: Vec<List>,
    center_type: Option<ValueType>,
    decode_centers: bool,
    centers: Vec<Vec<f32>>,
    notes: Notes,
}

impl Default for IvfReader {
    fn default() -> Self {
        IvfReader {
            page_size: 0,
            meta: None,
            blocks: Vec::new(),
            next_list_page: 1,
            lists: Vec::new(),
            center_type: None,
            decode_centers: true,
            centers: Vec::new(),
            notes: Notes::default(),
        }
    }
}

impl IvfReader {
    /// An empty reader.
    pub fn new() -> Self {
        Self::default()
    }

    /// Parses block `block`, which must be the next one (0, 1, 2, ...). Fails on a
    /// bad meta page or out-of-order blocks; other damage is skipped with a note.
    pub fn push(&mut self, block: u32, bytes: &[u8]) -> Result<()> {
        if block as usize != self.blocks.len() {
            bail!(
                "IVFFlat pages must come in block order: got {block}, expected {}",
                self.blocks.len()
            );
        }
        if block == 0 {
            self.page_size = bytes.len();
            let page = Page::parse(bytes).context("reading the IVFFlat meta page (block 0)")?;
            let opaque = page
                .opaque()
                .context("reading the IVFFlat meta page (block 0)")?;
            if opaque.page_id != IVFFLAT_PAGE_ID {
                bail!(
                    "block 0 has page id {:#06x}, not IVFFlat's {IVFFLAT_PAGE_ID:#06x}",
                    opaque.page_id
                );
            }
            let meta = IvfMeta::parse(&page).context("reading the IVFFlat meta page (block 0)")?;
            if meta.lists as usize * meta.dimensions as usize > MAX_CENTER_FLOATS {
                self.decode_centers = false;
                self.notes.say(format!(
                    "{} lists of {} dimensions: centers not decoded (over the memory budget)",
                    meta.lists, meta.dimensions
                ));
            }
            self.meta = Some(meta);
            self.blocks.push(Block::default());
            return Ok(());
        }
        if bytes.len() != self.page_size {
            bail!(
                "block {block} is {} bytes; block 0 was {}",
                bytes.len(),
                self.page_size
            );
        }
        let rec = self.read_page(block, bytes);
        if block == self.next_list_page {
            if rec.state == State::Data {
                self.next_list_page = rec.next;
                if rec.next != INVALID_BLOCK && rec.next <= block {
                    self.notes.say(format!("list page {block} links back to block {}; list pages after it are not read", rec.next));
                    self.next_list_page = INVALID_BLOCK;
                }
            } else {
                self.notes.say(format!(
                    "list page chain reaches block {block}, which is not a readable page"
                ));
                self.next_list_page = INVALID_BLOCK;
            }
        }
        self.blocks.push(rec);
        Ok(())
    }

    fn read_page(&mut self, block: u32, bytes: &[u8]) -> Block {
        let page = match Page::parse(bytes) {
            Ok(p) if p.is_new() => {
                return Block {
                    state: State::New,
                    ..Block::default()
                };
            }
            Ok(p) => p,
            Err(e) => return self.bad(block, e.to_string()),
        };
        let opaque = match page.opaque() {
            Ok(o) if o.page_id == IVFFLAT_PAGE_ID => o,
            Ok(o) => return self.bad(block, format!("page id {:#06x}", o.page_id)),
            Err(e) => return self.bad(block, e.to_string()),
        };
        let is_list_page = block == self.next_list_page;
        let mut items = 0u16;
        for n in 1..=page.item_count() {
            match page.item(n) {
                Ok(t) => {
                    items += 1;
                    if is_list_page {
                        self.list_tuple(block, n, t);
                    }
                }
                Err(e) => self
                    .notes
                    .add("unreadable items", format!("block {block} item {n}: {e}")),
            }
        }
        Block {
            state: State::Data,
            next: opaque.next,
            items,
        }
    }

    fn bad(&mut self, block: u32, why: String) -> Block {
        self.notes
            .add("skipped pages", format!("block {block}: {why}"));
        Block {
            state: State::Bad,
            ..Block::default()
        }
    }

    fn list_tuple(&mut self, block: u32, n: u16, t: &[u8]) {
        let (Ok(start), Ok(insert)) = (u32_at(t, 0), u32_at(t, 4)) else {
            self.notes.add(
                "unreadable list tuples",
                format!("block {block} item {n}: too short"),
            );
            return;
        };
        self.lists.push(List { start, insert });
        let center = t.get(8..).unwrap_or(&[]);
        let dims = self.meta.map_or(0, |m| m.dimensions as u32);
        if self.center_type.is_none() {
            self.center_type = guess_type(center, dims);
            if self.center_type.is_none() {
                self.notes.say(format!(
                    "list tuple at block {block} item {n}: center type not recognised"
                ));
                self.decode_centers = false;
            }
        }
        let ty = match self.center_type {
            Some(ty @ (ValueType::Vector | ValueType::Halfvec)) if self.decode_centers => ty,
            _ => return,
        };
        match decode(center, ty) {
            Ok(Value::Dense(v)) => self.centers.push(v),
            Ok(_) => {}
            Err(e) => {
                self.notes.add(
                    "undecodable centers",
                    format!("block {block} item {n}: {e}"),
                );
                self.centers.push(Vec::new());
            }
        }
    }

    /// Counts entries per list and measures balance.
    pub fn finish(mut self) -> Result<IvfStructure> {
        let meta = self
            .meta
            .context("block 0 (the IVFFlat meta page) was not read")?;
        if meta.version != 1 {
            self.notes.say(format!(
                "meta page format version {} (expected 1)",
                meta.version
            ));
        }
        let n = self.blocks.len();
        let mut on_chain = vec![false; n];
        let mut cur = 1;
        while (cur as usize) < n
            && self.blocks[cur as usize].state == State::Data
            && !on_chain[cur as usize]
        {
            on_chain[cur as usize] = true;
            cur = self.blocks[cur as usize].next;
        }
        let mut s = IvfStructure {
            blocks: n as u64,
            dimensions: meta.dimensions as u32,
            lists: meta.lists as u32,
            center_type: self.center_type,
            ..Default::default()
        };
        if self.lists.len() != meta.lists as usize {
            self.notes.say(format!(
                "{} list tuples found; the meta page says {} lists",
                self.lists.len(),
                meta.lists
            ));
        }
        for (i, list) in self.lists.iter().enumerate() {
            let (mut entries, mut pages, mut insert_seen) = (0u64, 0u64, false);
            let mut cur = list.start;
            while cur != INVALID_BLOCK {
                let Some(b) = self.blocks.get(cur as usize) else {
                    self.notes.add(
                        "chains running past the blocks read (pages appended during the read)",
                        format!("list {i} at block {cur}"),
                    );
                    break;
                };
                if b.state != State::Data || on_chain[cur as usize] {
                    let why = if b.state == State::Data {
                        "already on a chain"
                    } else {
                        "not a readable page"
                    };
                    self.notes.add(
                        "broken list chains",
                        format!("list {i} at block {cur}: {why}"),
                    );
                    break;
                }
                on_chain[cur as usize] = true;
                insert_seen |= cur == list.insert;
                entries += b.items as u64;
                pages += 1;
                cur = b.next;
            }
            s.insert_pages_off_list += (!insert_seen) as u64;
            s.entries_per_list.push(entries);
            s.pages_per_list.push(pages);
        }
        for (b, rec) in self.blocks.iter().enumerate() {
            match rec.state {
                State::New => s.new_pages += 1,
                State::Bad => s.bad_pages += 1,
                State::Data if !on_chain[b] => s.pages_off_chain += 1,
                _ => {}
            }
        }
        s.total_entries = s.entries_per_list.iter().sum();
        s.empty_lists = s.entries_per_list.iter().filter(|&&e| e == 0).count() as u64;
        let total_pages: u64 = s.pages_per_list.iter().sum();
        s.entries_per_page = if total_pages > 0 {
            s.total_entries as f64 / total_pages as f64
        } else {
            0.0
        };
        let bal = Balance::of(&s.entries_per_list);
        (s.mean, s.cv, s.max_over_mean, s.gini) = (bal.mean, bal.cv, bal.max_over_mean, bal.gini);
        s.centers = self.centers;
        s.notes = self.notes.into_vec();
        Ok(s)
    }
}

/// Measures an IVFFlat index from its pages (`(block number, page bytes)` in block order from 0).
pub fn analyze_ivfflat(pages: impl IntoIterator<Item = (u32, Vec<u8>)>) -> Result<IvfStructure> {
    let mut reader = IvfReader::new();
    for (block, bytes) in pages {
        reader.push(block, &bytes)?;
    }
    reader.finish()
}
