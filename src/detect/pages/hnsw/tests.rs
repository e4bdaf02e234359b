//! HNSW reader on hand-built graphs: a sound one, one with every kind of damage,
//! entry point problems and malformed pages.

use super::analyze_hnsw;
use super::items::Packer;
use super::meta::HNSW_PAGE_ID;
use super::model::HnswStructure;
use crate::detect::pages::fixtures::{Elem, Link, build_page, hnsw_index};
use crate::detect::pages::page::{INVALID_BLOCK, ItemPointer};

fn sound_graph() -> Vec<Elem> {
    vec![
        Elem::at(
            1,
            vec![
                vec![Link::To(1), Link::To(2), Link::To(3)],
                vec![Link::To(3)],
            ],
        ),
        Elem::at0(&[0, 2]),
        Elem::at0(&[1, 0]),
        Elem::at(1, vec![vec![Link::To(0), Link::To(4)], vec![Link::To(0)]]),
        Elem::at0(&[3]),
    ]
}

#[test]
fn a_sound_graph_measures_clean() {
    let s = analyze_hnsw(hnsw_index(2, Some(0), 1, &sound_graph())).unwrap();
    assert_eq!((s.blocks, s.m, s.dimensions, s.entry_level), (3, 2, 4, 1));
    assert_eq!((s.elements, s.live_elements, s.heap_tids), (5, 5, 5));
    assert!(s.entry_point_ok, "{:?}", s.entry_point_problem);
    assert_eq!(s.entry_point.as_deref(), Some("(2,1)"));
    assert_eq!((s.reachable, s.orphans, s.in_degree_zero), (5, 0, 0));
    assert_eq!(s.level_histogram, vec![3, 2]);
    assert_eq!(s.expected_level_histogram, vec![2.5, 1.25]);
    assert_eq!(
        (s.out_degree.min, s.out_degree.max, s.out_degree.mean),
        (1, 3, 2.0)
    );
    assert_eq!(
        (s.in_degree.min, s.in_degree.max, s.in_degree.mean),
        (1, 3, 2.0)
    );
    assert_eq!(s.empty_layer0_slots, 10);
    assert_eq!(s.empty_layer0_slot_ratio, 10.0 / 20.0);
    assert_eq!(s.unreachable, 0);
    assert_eq!(
        (s.invalid_links, s.duplicate_links, s.slots_after_gap),
        (0, 0, 0)
    );
    assert_eq!(
        (
            s.count_mismatches,
            s.version_mismatches,
            s.missing_neighbor_tuples
        ),
        (0, 0, 0)
    );
    assert_eq!((s.pages_off_chain, s.bad_pages, s.new_pages), (0, 0, 0));
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn elements_reached_only_through_upper_layers_are_orphans_but_not_unreachable() {
    // e3 and e4 hang off e3, which only e0's layer-1 list names
    let mut g = sound_graph();
    g[0].layers[0] = vec![Link::To(1), Link::To(2)];
    let s = analyze_hnsw(hnsw_index(2, Some(0), 1, &g)).unwrap();
    assert_eq!((s.reachable, s.orphans, s.unreachable), (3, 2, 0));
    assert_eq!(s.in_degree_zero, 0, "e4 <- e3 and e3 <- e4 at layer 0");
    // e3's layer-1 list is useless when e3 is only ever reached on layer 0
    g[3].layers[1] = vec![Link::To(0)];
    g[4].layers[0] = vec![Link::To(3)];
    g[0].layers[1] = vec![Link::Empty];
    let s = analyze_hnsw(hnsw_index(2, Some(0), 1, &g)).unwrap();
    assert_eq!((s.orphans, s.unreachable), (2, 2));
}

#[test]
fn page_order_does_not_matter() {
    let forward = analyze_hnsw(hnsw_index(2, Some(0), 1, &sound_graph())).unwrap();
    let mut pages = hnsw_index(2, Some(0), 1, &sound_graph());
    pages.reverse();
    let backward = analyze_hnsw(pages).unwrap();
    assert_eq!(format!("{forward:?}"), format!("{backward:?}"));
}

fn damaged() -> HnswStructure {
    let mut e = vec![
        Elem::at(
            1,
            vec![
                vec![Link::To(1), Link::To(1), Link::Empty, Link::To(2)],
                vec![Link::To(4)],
            ],
        ),
        Elem::at(
            0,
            vec![vec![
                Link::To(0),
                Link::To(1),
                Link::Raw(99, 1),
                Link::Raw(1, 1),
            ]],
        ),
        Elem::at0(&[0]),
        Elem::at0(&[]),
        Elem::at0(&[3, 0]),
        Elem::at0(&[0]),
        Elem::at0(&[0]),
        Elem::at0(&[0]),
    ];
    (e[3].deleted, e[3].heap_tids, e[3].version, e[3].nbr_version) = (true, 0, 2, 2);
    e[5].nbr_version = 2;
    e[6].count = Some(5);
    e[7].heap_tids = 0;
    analyze_hnsw(hnsw_index(2, Some(0), 1, &e)).unwrap()
}

#[test]
fn every_kind_of_damage_is_counted() {
    let s = damaged();
    assert_eq!(
        (
            s.elements,
            s.live_elements,
            s.deleted_elements,
            s.being_deleted
        ),
        (8, 6, 1, 1)
    );
    assert_eq!((s.duplicate_links, s.slots_after_gap), (1, 1));
    let k = &s.invalid_link_kinds;
    assert_eq!(
        (
            k.self_link,
            k.missing,
            k.not_element,
            k.below_level,
            k.deleted
        ),
        (1, 1, 1, 1, 1)
    );
    assert_eq!(s.invalid_links, 5);
    assert_eq!((s.version_mismatches, s.count_mismatches), (1, 1));
    // only e0 and e1 are reachable: e2 only behind a gap, e4 only on a layer it is not on,
    // e5 and e6 have unreadable neighbor tuples and no one links to them
    assert_eq!((s.reachable, s.orphans, s.in_degree_zero), (2, 4, 4));
    assert_eq!(
        s.unreachable, 4,
        "e4's only way in is a layer-1 link it is too low for"
    );
    assert_eq!(
        s.in_degree.max, 4,
        "e0 <- e1, e2, e4 and the being-deleted e7"
    );
    assert_eq!(s.empty_layer0_slots, 6);
    assert_eq!(s.empty_layer0_slot_ratio, 6.0 / 16.0);
    assert!(s.entry_point_ok);
    assert!(
        s.notes
            .iter()
            .any(|n| n.contains("concurrent") || n.contains("during the read"))
    );
}

#[test]
fn entry_point_problems_are_named() {
    let mut g = sound_graph();
    let wrong_level = analyze_hnsw(hnsw_index(2, Some(0), 2, &g)).unwrap();
    assert!(!wrong_level.entry_point_ok);
    assert!(wrong_level.entry_point_problem.unwrap().contains("level 1"));
    let not_top = analyze_hnsw(hnsw_index(2, Some(1), 0, &g)).unwrap();
    assert_eq!(not_top.live_above_entry_level, 2);
    assert!(
        analyze_hnsw(hnsw_index(2, None, -1, &g))
            .unwrap()
            .entry_point_problem
            .is_some()
    );
    g[0].heap_tids = 0;
    let being_deleted = analyze_hnsw(hnsw_index(2, Some(0), 1, &g)).unwrap();
    assert!(
        being_deleted
            .entry_point_problem
            .unwrap()
            .contains("no heap TIDs")
    );
    assert_eq!(being_deleted.orphans, 0, "search still walks through it");
    let empty = analyze_hnsw(hnsw_index(2, None, -1, &[])).unwrap();
    assert!(empty.entry_point_ok && empty.elements == 0 && empty.orphans == 0);
}

#[test]
fn malformed_pages_are_skipped_with_notes() {
    let mut pages = hnsw_index(2, Some(0), 1, &sound_graph());
    pages.push((3, vec![0xAB; 8192]));
    pages.push((4, vec![0; 8192]));
    pages.push((
        5,
        build_page(
            &[vec![1, 0, 0], vec![9; 16], vec![2, 1]],
            INVALID_BLOCK,
            HNSW_PAGE_ID,
        ),
    ));
    pages.push((6, build_page(&[], INVALID_BLOCK, 0xFF84)));
    let s = analyze_hnsw(pages).unwrap();
    assert_eq!((s.bad_pages, s.new_pages, s.pages_off_chain), (2, 1, 1));
    assert_eq!((s.elements, s.orphans), (5, 0));
    let notes = s.notes.join("\n");
    assert!(notes.contains("skipped pages: 2"), "{notes}");
    assert!(notes.contains("unreadable items: 3"), "{notes}");
}

#[test]
fn fatal_input_is_an_error() {
    let pages = hnsw_index(2, Some(0), 1, &sound_graph());
    let mut bad_meta = pages.clone();
    bad_meta[0].1[24] ^= 0xFF;
    assert!(
        analyze_hnsw(bad_meta)
            .unwrap_err()
            .to_string()
            .contains("meta")
    );
    assert!(analyze_hnsw(pages[1..].to_vec()).is_err(), "no meta page");
    let mut twice = pages.clone();
    twice.push(pages[1].clone());
    assert!(analyze_hnsw(twice).is_err());
    let mut short = pages.clone();
    short[2].1.truncate(4096);
    assert!(analyze_hnsw(short).is_err());
    assert!(analyze_hnsw(vec![(3_000_000, vec![0; 8192])]).is_err());
}

#[test]
fn flipped_bytes_never_panic() {
    let pages = hnsw_index(2, Some(0), 1, &sound_graph());
    let mut x = 0x9E37_79B9u32;
    for _ in 0..2000 {
        let mut p = pages.clone();
        for _ in 0..8 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let page = (x as usize >> 3) % p.len();
            let at = (x as usize >> 8) % 8192;
            p[page].1[at] = (x >> 24) as u8;
        }
        let _ = analyze_hnsw(p);
    }
}

#[test]
fn packed_keys_round_trip() {
    let p = Packer::for_page_size(8192);
    assert_eq!(p.max_blocks, (1 << 21) - 1);
    for (b, o) in [(0, 1), (1, 2048), ((1 << 21) - 2, 2048), (12345, 77)] {
        let k = p.pack(ItemPointer {
            block: b,
            offset: o,
        });
        assert!(k < u32::MAX - 3);
        assert_eq!(p.unpack(k), (b, o));
    }
    assert_eq!(
        p.pack(ItemPointer {
            block: 5,
            offset: 0
        }),
        u32::MAX
    );
    assert_eq!(
        p.pack(ItemPointer {
            block: 5,
            offset: 2049
        }),
        u32::MAX - 1
    );
    assert_eq!(
        p.pack(ItemPointer {
            block: INVALID_BLOCK,
            offset: 1
        }),
        u32::MAX - 1
    );
    assert_eq!(Packer::for_page_size(32768).max_blocks, (1 << 19) - 1);
}
