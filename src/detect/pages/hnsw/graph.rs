//! The HNSW graph measured from what [`super::HnswReader`] kept: slot keys
//! resolved to element indices, per-element guards, link validity, degrees and
//! the page chain (reachability is [`super::reach`], regions
//! [`super::regions`]).
//!
//! Links are judged the way pgvector's search uses them (`hnswutils.c`): a
//! neighbor tuple whose version or count disagrees with its element gives no
//! neighbors; a layer is read up to its first empty slot; deleted targets, targets
//! below the layer and the element itself are not usable.

use anyhow::{Context, Result, bail};

use super::items::{BlockState, EMPTY, MISSING, NEIGHBOR_TAG, OTHER, Parsed};
use super::links::{NOT_ELEMENT, UNUSABLE, is_element, layer, live};
use super::model::{HnswStructure, InvalidLinks};
use crate::detect::pages::page::{INVALID_BLOCK, ItemPointer};
use crate::detect::pages::stats::Distribution;

/// What packed slot keys name: one word per block (first item, item count;
/// zero items when the block holds no HNSW data), half the size of the block
/// records, so the table stays in cache while 30 million keys are resolved.
struct BlockTable {
    words: Vec<u64>,
}

impl BlockTable {
    fn of(p: &Parsed) -> BlockTable {
        let words = p
            .blocks
            .iter()
            .map(|r| match r.state {
                BlockState::Data => (u64::from(r.first_item) << 16) | u64::from(r.items),
                _ => 0,
            })
            .collect();
        BlockTable { words }
    }

    /// The item tag `key` names, if it names a readable item.
    #[inline]
    fn lookup(&self, p: &Parsed, key: u32) -> Option<u32> {
        let packer = p.packer?;
        if key == EMPTY || key == MISSING {
            return None;
        }
        let (block, offset) = packer.unpack(key);
        let w = *self.words.get(block as usize)?;
        if offset == 0 || u64::from(offset) > w & 0xFFFF {
            return None;
        }
        p.items
            .get((w >> 16) as usize + offset as usize - 1)
            .copied()
    }
}

pub(super) fn analyze(mut p: Parsed) -> Result<HnswStructure> {
    let meta = p
        .meta
        .context("block 0 (the HNSW meta page) was not read")?;
    if meta.m == 0 {
        bail!("the HNSW meta page says m = 0");
    }
    let m = meta.m as usize;
    let mut s = HnswStructure {
        blocks: p.blocks.len() as u64,
        dimensions: meta.dimensions,
        m: meta.m,
        ef_construction: meta.ef_construction,
        entry_level: meta.entry_level,
        insert_page: meta.insert_page,
        elements: p.elements.len() as u64,
        ..Default::default()
    };
    if meta.version != 1 {
        p.notes.say(format!(
            "meta page format version {} (expected 1)",
            meta.version
        ));
    }
    let laps = crate::clock::Laps::start("hnsw analysis: ");
    page_chain(&mut p, &mut s);

    let blocks = BlockTable::of(&p);
    // Resolve every slot key to an element index or a sentinel, on two threads.
    let mut slots = std::mem::take(&mut p.slots);
    let resolve = |chunk: &mut [u32]| {
        for k in chunk.iter_mut() {
            *k = match *k {
                EMPTY => EMPTY,
                key => match blocks.lookup(&p, key) {
                    None => MISSING,
                    Some(tag) if is_element(tag) => tag,
                    Some(_) => NOT_ELEMENT,
                },
            };
        }
    };
    let half = slots.len() / 2;
    let (a, b) = slots.split_at_mut(half);
    std::thread::scope(|scope| {
        scope.spawn(|| resolve(a));
        resolve(b);
    });
    p.slots = slots;
    laps.lap("slots resolved");

    guards(&mut p, &blocks, &mut s);
    laps.lap("guards");
    links(&mut p, &mut s);
    laps.lap("links");
    degrees_and_reach(&p, &blocks, &mut s, meta.entry);
    laps.lap("degrees, reach and regions");
    levels(&p, &mut s, m);
    if s.invalid_links + s.count_mismatches + s.version_mismatches + s.missing_neighbor_tuples > 0 {
        p.notes.say(
            "pages are read one at a time without locking the table, so inserts or VACUUM \
             running during the read can cause a few invalid links or guard mismatches; \
             re-run to tell lasting damage from transient",
        );
    }
    s.notes = p.notes.into_vec();
    Ok(s)
}

/// Follows the page chain from block 1; counts initialized pages not on it.
fn page_chain(p: &mut Parsed, s: &mut HnswStructure) {
    let n = p.blocks.len();
    let mut on_chain = vec![false; n];
    let mut cur = 1u32;
    while cur != INVALID_BLOCK {
        match p.blocks.get(cur as usize) {
            None if cur as usize >= n => {
                p.notes.say(format!(
                    "the page chain continues to block {cur}, past the {n} blocks read \
                     (pages appended during the read are not inspected)"
                ));
                break;
            }
            Some(rec) if rec.state == BlockState::Data && !on_chain[cur as usize] => {
                on_chain[cur as usize] = true;
                cur = rec.next;
            }
            Some(rec) if rec.state == BlockState::Data => {
                p.notes
                    .say(format!("the page chain loops back to block {cur}"));
                break;
            }
            _ => {
                if n > 1 {
                    p.notes.say(format!(
                        "the page chain reaches block {cur}, which holds no readable HNSW page"
                    ));
                }
                break;
            }
        }
    }
    for (b, rec) in p.blocks.iter().enumerate() {
        match rec.state {
            BlockState::New => s.new_pages += 1,
            BlockState::Bad => s.bad_pages += 1,
            BlockState::Data if !on_chain[b] => s.pages_off_chain += 1,
            _ => {}
        }
    }
}

/// Counts element states and checks each element's neighbor tuple guards; leaves
/// `Element::nbr` as the neighbor tuple index when usable, else `EMPTY`.
fn guards(p: &mut Parsed, blocks: &BlockTable, s: &mut HnswStructure) {
    let m = p.meta.map_or(0, |meta| meta.m as usize);
    let mut claimed = vec![false; p.neighbors.len()];
    for i in 0..p.elements.len() {
        let e = p.elements[i];
        s.heap_tids += e.heap_tids as u64;
        if e.deleted {
            s.deleted_elements += 1;
        } else if e.heap_tids == 0 {
            s.being_deleted += 1;
        } else {
            s.live_elements += 1;
            s.multi_tid_elements += (e.heap_tids > 1) as u64;
        }
        let tag = blocks
            .lookup(p, e.nbr)
            .filter(|&t| t != OTHER && t & NEIGHBOR_TAG != 0);
        let mut usable = EMPTY;
        match tag {
            None => {
                s.missing_neighbor_tuples += 1;
                p.notes
                    .add("elements without a neighbor tuple", format!("element #{i}"));
            }
            Some(tag) => {
                let r = (tag & !NEIGHBOR_TAG) as usize;
                let rec = p.neighbors[r];
                let version_ok = rec.version == e.version;
                let count_ok =
                    rec.count as usize == (e.level as usize + 2) * m && rec.stored == rec.count;
                s.version_mismatches += (!version_ok) as u64;
                s.count_mismatches += (!count_ok) as u64;
                if claimed[r] {
                    p.notes.add(
                        "neighbor tuples shared by two elements",
                        format!("element #{i}"),
                    );
                } else if version_ok && count_ok && !e.deleted {
                    claimed[r] = true;
                    usable = r as u32;
                }
            }
        }
        p.elements[i].nbr = usable;
    }
}

/// Judges every link of every non-deleted element; marks unusable slots in place.
fn links(p: &mut Parsed, s: &mut HnswStructure) {
    let m = p.meta.map_or(0, |meta| meta.m as usize);
    let n = p.elements.len();
    let mut stamp = vec![0u32; n];
    let mut epoch = 0u32;
    let mut kinds = InvalidLinks::default();
    // Level (saturating at 127) and the deleted flag in one byte per element: a
    // million of them stay in cache while every link's target is judged.
    let meta: Vec<u8> = p
        .elements
        .iter()
        .map(|e| e.level.min(127) | (u8::from(e.deleted) << 7))
        .collect();
    let level_of = |t: usize| match meta[t] & 127 {
        127 => p.elements[t].level,
        l => l,
    };
    for i in 0..n {
        let e = p.elements[i];
        if e.nbr == EMPTY {
            continue;
        }
        let rec = p.neighbors[e.nbr as usize];
        for lc in 0..=e.level {
            if epoch == u32::MAX {
                stamp.fill(0);
                epoch = 0;
            }
            epoch += 1;
            let (off, len) = layer(e.level, lc, m);
            let start = rec.start as usize + off;
            let Some(slice) = p.slots.get_mut(start..start + len) else {
                continue;
            };
            let (mut gap, mut empty) = (false, 0u64);
            for slot in slice.iter_mut() {
                let t = *slot;
                if t == EMPTY {
                    gap = true;
                    empty += 1;
                    continue;
                }
                s.slots_after_gap += gap as u64;
                let bad = match t {
                    MISSING => Some(&mut kinds.missing),
                    NOT_ELEMENT => Some(&mut kinds.not_element),
                    t if t as usize == i => Some(&mut kinds.self_link),
                    t if meta[t as usize] & 128 != 0 => Some(&mut kinds.deleted),
                    t if level_of(t as usize) < lc => Some(&mut kinds.below_level),
                    _ => None,
                };
                if let Some(counter) = bad {
                    *counter += 1;
                    *slot = UNUSABLE;
                } else if stamp[t as usize] == epoch {
                    s.duplicate_links += 1;
                    *slot = UNUSABLE;
                } else {
                    stamp[t as usize] = epoch;
                    if gap {
                        *slot = UNUSABLE;
                    }
                }
            }
            if lc == 0 && live(&e) {
                s.empty_layer0_slots += empty;
            }
        }
    }
    s.invalid_links =
        kinds.missing + kinds.not_element + kinds.self_link + kinds.deleted + kinds.below_level;
    s.invalid_link_kinds = kinds;
}

/// Degree measurements of the live elements.
#[derive(Debug, Default)]
struct Degrees {
    out: Distribution,
    inward: Distribution,
    in_degree_zero: u64,
    readable_live: u64,
}

/// Out- and in-degree distributions over the live elements, from per-element counts.
fn degrees(
    p: &Parsed,
    counts: &super::regions::LinkCounts,
    entry_idx: Option<usize>,
    live_count: usize,
) -> Degrees {
    let mut d0 = Degrees::default();
    let mut out = Vec::with_capacity(live_count);
    let mut inward = Vec::with_capacity(live_count);
    for (i, e) in p.elements.iter().enumerate() {
        if live(e) {
            out.push(counts.out[i]);
            inward.push(counts.inward[i]);
            d0.readable_live += (e.nbr != EMPTY) as u64;
            d0.in_degree_zero += (counts.inward[i] == 0 && Some(i) != entry_idx) as u64;
        }
    }
    d0.out = Distribution::of(&mut out);
    d0.inward = Distribution::of(&mut inward);
    d0
}

/// Degrees, entry point checks, reachability and the region graph: the passes
/// over all links run on two threads (region graph and degrees | reachability).
fn degrees_and_reach(p: &Parsed, blocks: &BlockTable, s: &mut HnswStructure, entry: ItemPointer) {
    let m = s.m as usize;
    let entry_idx = entry_point(p, blocks, s, entry);
    let live_count = s.live_elements as usize;
    let l0 = super::layer0::Layer0::of(p, m);
    let l0 = &l0;
    let (d, regions, (layer0_reached, searched)) = std::thread::scope(|scope| {
        let worker = scope.spawn(move || {
            let (g, counts) = super::regions::regions_and_degrees(p, l0, m);
            (degrees(p, &counts, entry_idx, live_count), g)
        });
        let r = super::reach::reach(p, l0, m, entry_idx);
        let (d, g) = worker.join().unwrap_or_default();
        (d, g, r)
    });
    s.out_degree = d.out;
    s.in_degree = d.inward;
    s.in_degree_zero = d.in_degree_zero;
    let denominator = d.readable_live as f64 * 2.0 * m as f64;
    s.empty_layer0_slot_ratio = if denominator > 0.0 {
        s.empty_layer0_slots as f64 / denominator
    } else {
        0.0
    };
    s.regions = regions;
    s.reachable = layer0_reached;
    s.orphans = s.live_elements - layer0_reached;
    s.unreachable = s.live_elements - searched;
}

/// Checks the meta entry point; returns its element index when it names one.
fn entry_point(
    p: &Parsed,
    blocks: &BlockTable,
    s: &mut HnswStructure,
    entry: ItemPointer,
) -> Option<usize> {
    if !entry.is_valid() {
        s.entry_point_ok = s.live_elements == 0;
        if !s.entry_point_ok {
            s.entry_point_problem =
                Some("the meta page has no entry point but live elements exist".into());
        }
        return None;
    }
    s.entry_point = Some(entry.to_string());
    let idx = p
        .packer
        .map(|pk| pk.pack(entry))
        .and_then(|k| blocks.lookup(p, k))
        .filter(|&t| is_element(t));
    let problem = match idx {
        None => Some(format!("entry point {entry} is not an element tuple")),
        Some(i) => {
            let e = &p.elements[i as usize];
            if e.deleted {
                Some(format!("entry point {entry} is a deleted element"))
            } else if e.heap_tids == 0 {
                Some(format!(
                    "entry point {entry} has no heap TIDs (being deleted)"
                ))
            } else if e.level as i16 != s.entry_level {
                Some(format!(
                    "entry point {entry} has level {} but the meta page says {}",
                    e.level, s.entry_level
                ))
            } else {
                None
            }
        }
    };
    s.entry_point_ok = problem.is_none();
    s.entry_point_problem = problem;
    idx.map(|i| i as usize)
}

/// Level histogram of live elements against the geometric expectation.
fn levels(p: &Parsed, s: &mut HnswStructure, m: usize) {
    let mut hist: Vec<u64> = Vec::new();
    for e in p.elements.iter().filter(|e| live(e)) {
        let l = e.level as usize;
        if hist.len() <= l {
            hist.resize(l + 1, 0);
        }
        hist[l] += 1;
        s.live_above_entry_level += (e.level as i16 > s.entry_level) as u64;
    }
    let n = s.live_elements as f64;
    let mf = m as f64;
    let expect = |l: usize| n * mf.powi(-(l as i32)) * (1.0 - 1.0 / mf);
    let mut len = hist.len();
    while expect(len) >= 1.0 {
        len += 1;
    }
    hist.resize(len, 0);
    s.expected_level_histogram = (0..len).map(expect).collect();
    s.level_histogram = hist;
}
