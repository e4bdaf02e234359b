//! `ruvheal collections`: discovery from the catalog, table and JSON output,
//! hostile names.

use serde::Deserialize;

use crate::harness::{db, run};

#[derive(Debug, Deserialize)]
struct Report {
    database: String,
    collections: Vec<Collection>,
}

#[derive(Debug, Deserialize)]
struct Collection {
    collection: String,
    schema: String,
    table: String,
    column: String,
    #[serde(rename = "type")]
    type_name: String,
    dims: Option<i32>,
    rows: Option<i64>,
    kind: String,
    partitions: i64,
    indexes: Vec<Index>,
}

#[derive(Debug, Deserialize)]
struct Index {
    name: String,
    method: String,
    opclass: String,
    options: std::collections::BTreeMap<String, serde_json::Value>,
    valid: bool,
    size_bytes: i64,
}

const FIXTURE: &str = r#"
CREATE TABLE items (id bigserial PRIMARY KEY, embedding vector(3), body text);
INSERT INTO items (embedding) SELECT ARRAY[random(), random(), random()]::vector FROM generate_series(1, 500);
CREATE INDEX items_hnsw ON items USING hnsw (embedding vector_cosine_ops) WITH (m = 8, ef_construction = 32);
CREATE INDEX items_id ON items (id);
CREATE TABLE docs (id int, v halfvec(4));
INSERT INTO docs SELECT g, ARRAY[g, 1, 2, 3]::halfvec FROM generate_series(1, 300) g;
CREATE INDEX docs_ivf ON docs USING ivfflat (v halfvec_l2_ops) WITH (lists = 7);
CREATE TABLE bits (id int, b bit(64));
CREATE TABLE sparse (id int, s sparsevec(1000));
CREATE TABLE plain (id int, note text);
CREATE TABLE parts (id int, e vector(2)) PARTITION BY RANGE (id);
CREATE TABLE parts_1 PARTITION OF parts FOR VALUES FROM (0) TO (100);
CREATE TABLE parts_2 PARTITION OF parts FOR VALUES FROM (100) TO (200);
CREATE TABLE parts_3 PARTITION OF parts FOR VALUES FROM (200) TO (300);
INSERT INTO parts SELECT g, ARRAY[g, g]::vector FROM generate_series(0, 299) g;
CREATE INDEX parts_hnsw ON parts USING hnsw (e vector_l2_ops);
CREATE SCHEMA "My ""Odd"" Schema";
CREATE TABLE "My ""Odd"" Schema"."Tab;le ✓" (v vector(2));
ANALYZE;
"#;

fn list(db: &crate::harness::TestDb, extra: &[&str]) -> (i32, String, String) {
    run(db.cmd().args(["collections", "-o", "json"]).args(extra))
}

#[test]
fn lists_every_vector_collection_with_its_indexes() {
    let db = db();
    db.sql(FIXTURE);
    let (code, out, err) = list(&db, &[]);
    assert_eq!(code, 0, "{err}");
    let report: Report = serde_json::from_str(&out).unwrap();
    assert_eq!(report.database, db.name);
    let names: Vec<&str> = report
        .collections
        .iter()
        .map(|c| c.collection.as_str())
        .collect();
    assert_eq!(
        names,
        [
            r#""My ""Odd"" Schema"."Tab;le ✓""#,
            "public.bits",
            "public.docs",
            "public.items",
            "public.parts",
            "public.sparse"
        ],
        "plain tables, partitions and other schemas' catalogs are not collections"
    );
    let get = |t: &str| report.collections.iter().find(|c| c.table == t).unwrap();

    let items = get("items");
    assert_eq!(
        (items.column.as_str(), items.type_name.as_str(), items.dims),
        ("embedding", "vector", Some(3))
    );
    assert_eq!(items.rows, Some(500));
    assert_eq!(
        items.indexes.len(),
        1,
        "the btree on id is not on the vector column"
    );
    let hnsw = &items.indexes[0];
    assert_eq!(
        (
            hnsw.name.as_str(),
            hnsw.method.as_str(),
            hnsw.opclass.as_str()
        ),
        ("items_hnsw", "hnsw", "vector_cosine_ops")
    );
    assert_eq!(hnsw.options["m"], 8);
    assert_eq!(hnsw.options["ef_construction"], 32);
    assert!(hnsw.valid && hnsw.size_bytes > 8192);

    let docs = get("docs");
    assert_eq!((docs.type_name.as_str(), docs.dims), ("halfvec", Some(4)));
    let ivf = &docs.indexes[0];
    assert_eq!(
        (ivf.method.as_str(), ivf.opclass.as_str()),
        ("ivfflat", "halfvec_l2_ops")
    );
    assert_eq!(ivf.options["lists"], 7);

    let parts = get("parts");
    assert_eq!(
        (parts.kind.as_str(), parts.partitions, parts.rows),
        ("partitioned_table", 3, Some(300))
    );
    assert_eq!(parts.indexes[0].options["m"], 16, "defaults filled in");
    assert!(
        parts.indexes[0].size_bytes > 0,
        "partitioned index size sums its partitions"
    );

    assert_eq!(
        (get("bits").type_name.as_str(), get("bits").dims),
        ("bit", Some(64))
    );
    assert_eq!(get("sparse").type_name.as_str(), "sparsevec");
    assert_eq!(get("Tab;le ✓").schema, "My \"Odd\" Schema");
}

#[test]
fn one_collection_by_name_including_hostile_ones() {
    let db = db();
    db.sql(FIXTURE);
    for (arg, table) in [
        ("items", "items"),
        ("public.items", "items"),
        ("ITEMS", "items"),
        (r#""My ""Odd"" Schema"."Tab;le ✓""#, "Tab;le ✓"),
    ] {
        let (code, out, err) = list(&db, &["--collection", arg]);
        assert_eq!(code, 0, "{arg}: {err}");
        let r: Report = serde_json::from_str(&out).unwrap();
        assert_eq!(r.collections.len(), 1);
        assert_eq!(r.collections[0].table, table);
    }
    db.sql("CREATE TABLE y (id int); INSERT INTO y VALUES (1);");
    for hostile in [
        r#"x"; drop table y; --"#,
        "x'; drop table y; --",
        "y; DROP TABLE y",
        "nope",
        "a.b.c",
        "",
    ] {
        let (code, out, err) = list(&db, &["--collection", hostile]);
        assert_eq!(code, 64, "{hostile:?}: {err}");
        assert!(out.is_empty());
        assert!(err.contains("no such collection"), "{hostile:?}: {err}");
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
    let n: i64 = db
        .client()
        .query_one("SELECT count(*) FROM y", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1, "the canary table is untouched");
}

#[test]
fn table_output_is_readable_and_empty_databases_say_so() {
    let db = db();
    let (code, out, err) = run(db.cmd().arg("collections"));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("no vector collections"), "{out}");
    db.sql(FIXTURE);
    let (code, out, _) = run(db.cmd().arg("collections"));
    assert_eq!(code, 0);
    assert!(
        out.contains("public.items") && out.contains("items_hnsw hnsw vector_cosine_ops"),
        "{out}"
    );
    assert!(
        !out.contains('\u{1b}'),
        "no colour when not a terminal: {out}"
    );
}

#[test]
fn invalid_indexes_are_marked() {
    let db = db();
    db.sql(
        "CREATE TABLE t (id int, v vector(2));
         INSERT INTO t VALUES (1, '[1,1]'), (2, '[1,1]');",
    );
    // A failed CREATE INDEX CONCURRENTLY leaves an INVALID index behind.
    let err = db
        .client()
        .batch_execute("CREATE UNIQUE INDEX CONCURRENTLY t_v_bad ON t (v)")
        .unwrap_err();
    assert!(
        err.to_string().contains("duplicate") || err.code().is_some(),
        "{err}"
    );
    let (code, out, _) = list(&db, &[]);
    assert_eq!(code, 0);
    let r: Report = serde_json::from_str(&out).unwrap();
    let bad = r.collections[0]
        .indexes
        .iter()
        .find(|i| i.name == "t_v_bad")
        .unwrap();
    assert!(!bad.valid);
}

#[test]
fn names_follow_postgres_folding_and_quoting_exactly() {
    let db = db();
    db.sql(
        r#"CREATE TABLE docs (id int, embedding vector(3));
           INSERT INTO docs SELECT g, '[1,2,3]' FROM generate_series(1, 3) g;
           CREATE TABLE "DOCS" (id int, embedding vector(3));
           INSERT INTO "DOCS" SELECT g, '[1,2,3]' FROM generate_series(1, 5) g;
           ANALYZE docs; ANALYZE "DOCS";"#,
    );
    for (arg, table) in [
        ("docs", "docs"),
        ("DOCS", "docs"),
        ("Public.Docs", "docs"),
        (r#""DOCS""#, "DOCS"),
        (r#"public."DOCS""#, "DOCS"),
    ] {
        let (code, out, err) = list(&db, &["--collection", arg]);
        assert_eq!(code, 0, "{arg}: {err}");
        let r: Report = serde_json::from_str(&out).unwrap();
        assert_eq!(r.collections.len(), 1, "{arg}");
        assert_eq!(r.collections[0].table, table, "{arg}");
    }
    // another command resolves the same way and measures the table it names
    let (_, v, err) = db.check_json(r#""DOCS""#, &[]);
    assert_eq!(v["collection"], r#"public."DOCS""#, "{err}");
    let (_, v, err) = db.check_json("DOCS", &[]);
    assert_eq!(v["collection"], "public.docs", "{err}");

    // with only "DOCS" left, unquoted DOCS (that is, docs) matches nothing: the
    // close name is listed and not picked
    db.sql("DROP TABLE docs");
    for (arg, args) in [
        ("DOCS", &["collections", "-o", "json"][..]),
        ("docs", &["collections", "-o", "json"][..]),
        (r#""Docs""#, &["collections", "-o", "json"][..]),
        ("DOCS", &["check", "-o", "json"][..]),
    ] {
        let (code, out, err) = run(db.cmd().args(args).args(["--collection", arg]));
        assert_eq!(code, 64, "{arg} {args:?}: {out}{err}");
        assert!(out.is_empty(), "{out}");
        assert!(
            err.contains(&format!("no such collection: {arg}"))
                && err.contains(r#"close names that exist: public."DOCS""#),
            "{arg}: {err}"
        );
        assert_eq!(err.trim().lines().count(), 1, "{err}");
    }
}
