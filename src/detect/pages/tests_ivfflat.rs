//! IVFFlat reader on hand-built indexes.

use super::fixtures::{build_page, ivf_index};
use super::ivfflat::{IVFFLAT_PAGE_ID, analyze_ivfflat};
use super::page::INVALID_BLOCK;
use super::value::ValueType;

#[test]
fn lists_are_counted_along_their_chains() {
    let pages = ivf_index(&[
        ([0.0, 1.0, 2.0], vec![3, 2]),
        ([5.0, 5.0, 5.0], vec![0]),
        ([-1.0, 0.5, 9.0], vec![4]),
    ]);
    let s = analyze_ivfflat(pages).unwrap();
    assert_eq!((s.lists, s.dimensions, s.blocks), (3, 3, 6));
    assert_eq!(s.entries_per_list, vec![5, 0, 4]);
    assert_eq!(s.pages_per_list, vec![2, 1, 1]);
    assert_eq!((s.total_entries, s.empty_lists), (9, 1));
    assert_eq!(s.entries_per_page, 9.0 / 4.0);
    assert_eq!(s.center_type, Some(ValueType::Vector));
    assert_eq!(
        s.centers,
        vec![
            vec![0.0, 1.0, 2.0],
            vec![5.0, 5.0, 5.0],
            vec![-1.0, 0.5, 9.0]
        ]
    );
    assert_eq!(s.max_over_mean, 5.0 / 3.0);
    assert_eq!(
        (s.pages_off_chain, s.bad_pages, s.insert_pages_off_list),
        (0, 0, 0)
    );
    assert!(s.notes.is_empty(), "{:?}", s.notes);
}

#[test]
fn stray_and_broken_pages_are_noted() {
    let mut pages = ivf_index(&[([0.0; 3], vec![2]), ([1.0; 3], vec![1])]);
    let n = pages.len() as u32;
    pages.push((
        n,
        build_page(&[vec![0; 16]], INVALID_BLOCK, IVFFLAT_PAGE_ID),
    ));
    pages.push((n + 1, vec![0x55; 8192]));
    pages.push((n + 2, vec![0; 8192]));
    let s = analyze_ivfflat(pages).unwrap();
    assert_eq!((s.pages_off_chain, s.bad_pages, s.new_pages), (1, 1, 1));
    assert_eq!(s.entries_per_list, vec![2, 1]);

    // list 0's chain runs past the blocks read: counted up to there, with a note
    let mut pages = ivf_index(&[([0.0; 3], vec![2, 2]), ([1.0; 3], vec![1])]);
    pages.truncate(3);
    let s = analyze_ivfflat(pages).unwrap();
    assert_eq!(s.entries_per_list, vec![2, 0]);
    assert!(
        s.notes.join(" ").contains("past the blocks read"),
        "{:?}",
        s.notes
    );
}

#[test]
fn fatal_input_is_an_error() {
    let pages = ivf_index(&[([0.0; 3], vec![1])]);
    let mut swapped = pages.clone();
    swapped.swap(1, 2);
    assert!(analyze_ivfflat(swapped).is_err(), "out of order");
    let mut bad_meta = pages.clone();
    bad_meta[0].1[25] ^= 0xFF;
    assert!(analyze_ivfflat(bad_meta).is_err());
    assert!(analyze_ivfflat(Vec::new()).is_err(), "no meta page");
    let mut x = 0x2545_F491u32;
    for _ in 0..2000 {
        let mut p = ivf_index(&[([0.0; 3], vec![2, 1]), ([1.0; 3], vec![1])]);
        for _ in 0..8 {
            x ^= x << 13;
            x ^= x >> 17;
            x ^= x << 5;
            let page = (x as usize >> 3) % p.len();
            p[page].1[(x as usize >> 8) % 8192] = (x >> 24) as u8;
        }
        let _ = analyze_ivfflat(p);
    }
}
