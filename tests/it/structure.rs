//! Structure inspection against real pgvector indexes: pages read through
//! pageinspect, graph and list measurements checked against what the SQL says
//! the table holds.

use postgres::Client;
use ruvheal::detect::pages::{HnswStructure, IvfStructure};
use ruvheal::detect::structure::{Inspection, inspect_hnsw, inspect_ivfflat};
use ruvheal::sql::QualifiedName;

use crate::harness::{TestDb, db};

fn hnsw(c: &mut Client, schema: &str, name: &str) -> HnswStructure {
    match inspect_hnsw(c, &QualifiedName::new(schema, name)).expect("inspecting") {
        Inspection::Done(s) => s,
        Inspection::Skipped(s) => panic!("skipped: {}", s.reason),
    }
}

fn ivf(c: &mut Client, name: &str) -> IvfStructure {
    match inspect_ivfflat(c, &QualifiedName::new("public", name)).expect("inspecting") {
        Inspection::Done(s) => s,
        Inspection::Skipped(s) => panic!("skipped: {}", s.reason),
    }
}

fn count(db: &TestDb, sql: &str) -> u64 {
    let n: i64 = db.client().query_one(sql, &[]).unwrap().get(0);
    n as u64
}

/// `rows` random `dims`-dimensional vectors into `table` (id, v).
fn random_rows(table: &str, rows: usize, dims: usize, scale: f64, offset: f64) -> String {
    format!(
        "INSERT INTO {table} (v) SELECT array_agg(random() * {scale} + {offset} ORDER BY d)::vector({dims}) \
         FROM generate_series(1, {rows}) i, generate_series(1, {dims}) d GROUP BY i"
    )
}

/// The graph invariants every healthy index keeps.
fn assert_sound(s: &HnswStructure) {
    assert!(s.entry_point_ok, "{:?}", s.entry_point_problem);
    assert_eq!((s.orphans, s.unreachable), (0, 0), "orphans: {s:#?}");
    assert_eq!(s.count_mismatches, 0);
    assert_eq!(s.version_mismatches, 0);
    assert_eq!(s.missing_neighbor_tuples, 0);
    assert_eq!(s.invalid_links, 0, "{:?}", s.invalid_link_kinds);
    assert_eq!(s.duplicate_links, 0);
    assert_eq!(s.slots_after_gap, 0);
    assert_eq!(s.pages_off_chain + s.bad_pages, 0);
    assert_eq!(s.live_above_entry_level, 0);
    assert_eq!(s.reachable, s.live_elements);
    assert!(s.out_degree.min >= 1, "{:?}", s.out_degree);
    assert!(s.out_degree.max <= 2 * s.m as u64);
}

#[test]
fn healthy_hnsw_then_deletes_and_vacuum() {
    let db = db();
    db.sql(&format!(
        "CREATE SCHEMA \"Odd Schema\";
         CREATE TABLE \"Odd Schema\".items (id serial PRIMARY KEY, v vector(16));
         {};
         CREATE INDEX \"Idx \"\"q\"\"\" ON \"Odd Schema\".items USING hnsw (v vector_l2_ops) WITH (m = 8);",
        random_rows("\"Odd Schema\".items", 3000, 16, 1.0, 0.0)
    ));
    let mut c = db.client();
    let s = hnsw(&mut c, "Odd Schema", "Idx \"q\"");
    let blocks = count(
        &db,
        "SELECT pg_relation_size('\"Odd Schema\".\"Idx \"\"q\"\"\"') / 8192",
    );
    assert_eq!(s.blocks, blocks);
    assert_eq!((s.m, s.ef_construction, s.dimensions), (8, 64, 16));
    assert_eq!(s.elements, 3000);
    assert_eq!(s.live_elements, 3000);
    assert_eq!(s.heap_tids, 3000);
    assert_eq!(
        (s.deleted_elements, s.being_deleted, s.multi_tid_elements),
        (0, 0, 0)
    );
    assert_sound(&s);
    assert_eq!(
        s.entry_level as usize + 1,
        s.level_histogram.iter().rposition(|&n| n > 0).unwrap() + 1
    );
    assert_eq!(s.level_histogram.len(), s.expected_level_histogram.len());
    for (l, (&obs, &exp)) in s
        .level_histogram
        .iter()
        .zip(&s.expected_level_histogram)
        .enumerate()
    {
        let tol = 5.0 * exp.sqrt() + 3.0;
        assert!(
            (obs as f64 - exp).abs() <= tol,
            "level {l}: observed {obs}, expected {exp:.1}"
        );
    }
    assert!(
        s.in_degree.mean > 1.0 && s.in_degree_zero == 0,
        "{:?}",
        s.in_degree
    );
    assert!(
        (s.out_degree.mean - s.in_degree.mean).abs() < 1e-9,
        "every link has two ends"
    );

    // Delete 40%, VACUUM: deleted elements match deleted rows, the graph stays sound.
    db.sql("DELETE FROM \"Odd Schema\".items WHERE id % 5 IN (1, 3)");
    db.sql("VACUUM \"Odd Schema\".items");
    let after = hnsw(&mut c, "Odd Schema", "Idx \"q\"");
    assert_eq!(after.elements, 3000);
    assert_eq!(after.deleted_elements, 1200);
    assert_eq!(
        (after.live_elements, after.heap_tids, after.being_deleted),
        (1800, 1800, 0)
    );
    assert_sound(&after);
}

#[test]
fn duplicate_values_share_elements() {
    let db = db();
    // 2000 rows, only 40 distinct vectors: up to 10 rows fold into one element.
    db.sql(
        "CREATE TABLE dup (id serial PRIMARY KEY, v vector(8));
         INSERT INTO dup (v) SELECT array_fill((i % 40)::real, ARRAY[8])::vector(8)
           FROM generate_series(1, 2000) i;
         CREATE INDEX dup_v ON dup USING hnsw (v vector_l2_ops) WITH (m = 4);",
    );
    let s = hnsw(&mut db.client(), "public", "dup_v");
    assert_eq!(s.heap_tids, 2000);
    assert!(
        s.elements < 2000 && s.elements >= 200,
        "elements {}",
        s.elements
    );
    assert!(s.multi_tid_elements > 0);
    assert_eq!(s.elements, s.live_elements);
    assert_eq!(
        (s.count_mismatches, s.version_mismatches, s.invalid_links),
        (0, 0, 0)
    );
}

#[test]
fn ivfflat_lists_add_up_and_centers_decode() {
    let db = db();
    db.sql(&format!(
        "CREATE TABLE iv (id serial PRIMARY KEY, v vector(16));
         {};
         CREATE INDEX iv_v ON iv USING ivfflat (v vector_l2_ops) WITH (lists = 10);
         CREATE TABLE ih (id serial PRIMARY KEY, v halfvec(40));
         INSERT INTO ih (v) SELECT array_agg(random() ORDER BY d)::halfvec(40)
           FROM generate_series(1, 500) i, generate_series(1, 40) d GROUP BY i;
         CREATE INDEX ih_v ON ih USING ivfflat (v halfvec_l2_ops) WITH (lists = 4);",
        random_rows("iv", 2000, 16, 1.0, 0.0)
    ));
    let mut c = db.client();
    let s = ivf(&mut c, "iv_v");
    assert_eq!(s.lists, 10);
    assert_eq!(s.dimensions, 16);
    assert_eq!(s.entries_per_list.len(), 10);
    assert_eq!(s.total_entries, 2000);
    assert_eq!(s.entries_per_list.iter().sum::<u64>(), 2000);
    assert_eq!(
        (s.pages_off_chain, s.bad_pages, s.insert_pages_off_list),
        (0, 0, 0)
    );
    assert_eq!(s.centers.len(), 10);
    assert!(s.centers.iter().all(|c| c.len() == 16));
    // random() data lies in [0,1): so do the k-means centers
    assert!(s.centers.iter().flatten().all(|&x| (0.0..1.0).contains(&x)));
    assert!(s.notes.is_empty(), "{:?}", s.notes);

    let h = ivf(&mut c, "ih_v");
    assert_eq!((h.lists, h.total_entries), (4, 500));
    assert_eq!(h.centers.len(), 4);
    assert!(h.centers.iter().all(|c| c.len() == 40));

    // Deleting then VACUUM removes entries physically.
    db.sql("DELETE FROM iv WHERE id <= 500");
    db.sql("VACUUM iv");
    assert_eq!(ivf(&mut c, "iv_v").total_entries, 1500);

    // The wrong inspector skips instead of misreading.
    match inspect_hnsw(&mut c, &QualifiedName::new("public", "iv_v")).unwrap() {
        Inspection::Skipped(s) => {
            assert!(s.reason.contains("ivfflat index, not hnsw"), "{}", s.reason)
        }
        Inspection::Done(_) => panic!("read an IVFFlat index as HNSW"),
    }
    assert!(inspect_ivfflat(&mut c, &QualifiedName::new("public", "missing")).is_err());
}

#[test]
fn ivfflat_flooded_after_training_is_skewed() {
    let db = db();
    db.sql(&format!(
        "CREATE TABLE balanced (id serial PRIMARY KEY, v vector(8));
         {};
         CREATE INDEX balanced_v ON balanced USING ivfflat (v vector_l2_ops) WITH (lists = 10);
         CREATE TABLE flooded (id serial PRIMARY KEY, v vector(8));
         {};
         CREATE INDEX flooded_v ON flooded USING ivfflat (v vector_l2_ops) WITH (lists = 10);
         {};",
        random_rows("balanced", 6000, 8, 1.0, 0.0),
        random_rows("flooded", 2000, 8, 1.0, 0.0),
        random_rows("flooded", 4000, 8, 0.1, 5.0),
    ));
    let mut c = db.client();
    let even = ivf(&mut c, "balanced_v");
    let skew = ivf(&mut c, "flooded_v");
    assert_eq!((even.total_entries, skew.total_entries), (6000, 6000));
    assert!(
        even.cv < 0.5 && even.max_over_mean < 2.0,
        "balanced: {even:?}"
    );
    assert!(
        skew.cv > 2.0 * even.cv && skew.cv > 0.8,
        "cv {} vs {}",
        skew.cv,
        even.cv
    );
    // The flood lands in the one or two lists nearest to it (random centres):
    // at least 3x the mean either way, against < 2x when balanced.
    assert!(skew.max_over_mean > 3.0, "max/mean {}", skew.max_over_mean);
    assert!(skew.gini > even.gini);
}

#[test]
fn non_superuser_is_skipped() {
    let db = db();
    db.sql(
        "CREATE TABLE t (id int, v vector(3));
         CREATE INDEX t_v ON t USING hnsw (v vector_l2_ops);",
    );
    let role = format!("{}_reader", db.name);
    struct DropRole<'a>(&'a TestDb, &'a str);
    impl Drop for DropRole<'_> {
        fn drop(&mut self) {
            let _ = self.0.client().batch_execute(&format!(
                "DROP OWNED BY {0}; DROP ROLE IF EXISTS {0}",
                self.1
            ));
        }
    }
    db.sql(&format!("CREATE ROLE {role} LOGIN"));
    let _guard = DropRole(&db, &role);
    let url = db.url.replacen("://postgres@", &format!("://{role}@"), 1);
    assert_ne!(url, db.url, "the harness URL names user postgres");
    let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
    let who: String = c
        .query_one("SELECT current_user::text", &[])
        .unwrap()
        .get(0);
    assert_eq!(who, role);
    let index = QualifiedName::new("public", "t_v");
    match inspect_hnsw(&mut c, &index).unwrap() {
        Inspection::Skipped(s) => {
            assert!(s.reason.contains("superuser"), "{}", s.reason);
            assert!(s.reason.contains(&role), "{}", s.reason);
        }
        Inspection::Done(_) => panic!("a non-superuser read pages"),
    }
    assert!(matches!(
        inspect_ivfflat(&mut c, &index).unwrap(),
        Inspection::Skipped(_)
    ));
}

#[test]
fn missing_pageinspect_is_skipped() {
    let db = db();
    db.sql(
        "CREATE TABLE t (id int, v vector(3));
         CREATE INDEX t_v ON t USING ivfflat (v vector_l2_ops) WITH (lists = 1);
         DROP EXTENSION pageinspect;",
    );
    match inspect_ivfflat(&mut db.client(), &QualifiedName::new("public", "t_v")).unwrap() {
        Inspection::Skipped(s) => {
            assert!(
                s.reason.contains("pageinspect is not installed"),
                "{}",
                s.reason
            );
            assert!(s.reason.contains(&db.name), "{}", s.reason);
        }
        Inspection::Done(_) => panic!("read pages without pageinspect"),
    }
}

#[test]
fn empty_indexes_are_sound() {
    let db = db();
    db.sql(
        "CREATE TABLE e (id int, v vector(4));
         CREATE INDEX e_h ON e USING hnsw (v vector_l2_ops);
         CREATE INDEX e_i ON e USING ivfflat (v vector_l2_ops) WITH (lists = 3);",
    );
    let mut c = db.client();
    let h = hnsw(&mut c, "public", "e_h");
    assert_eq!((h.elements, h.live_elements, h.orphans), (0, 0, 0));
    assert!(h.entry_point_ok && h.entry_point.is_none());
    let i = ivf(&mut c, "e_i");
    assert_eq!((i.lists, i.total_entries, i.empty_lists), (3, 0, 3));
}
