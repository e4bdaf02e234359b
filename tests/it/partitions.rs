//! A hash-partitioned collection with one leaf lacking its HNSW index: the
//! leaf is named, the parent is not said to have "no valid index", nothing is
//! built on the parent (PostgreSQL refuses CREATE INDEX CONCURRENTLY there),
//! and once every leaf is indexed `check` is quiet.

use crate::harness::{classes, db, findings_of};

#[test]
fn a_leaf_without_its_index_is_named_and_the_parent_stays_quiet() {
    let d = db();
    d.sql(
        "CREATE TABLE emb (id bigint, embedding vector(8)) PARTITION BY HASH (id);
         CREATE TABLE emb_p0 PARTITION OF emb FOR VALUES WITH (MODULUS 4, REMAINDER 0);
         CREATE TABLE emb_p1 PARTITION OF emb FOR VALUES WITH (MODULUS 4, REMAINDER 1);
         CREATE TABLE emb_p2 PARTITION OF emb FOR VALUES WITH (MODULUS 4, REMAINDER 2);
         CREATE TABLE emb_p3 PARTITION OF emb FOR VALUES WITH (MODULUS 4, REMAINDER 3);
         INSERT INTO emb SELECT g, (SELECT array_agg(sin((g % 10) * 7 + x * 0.37) + random() - 0.5)::vector
           FROM generate_series(1, 8) x WHERE g > 0) FROM generate_series(1, 4000) g;
         CREATE INDEX emb_hnsw ON ONLY emb USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 48);
         CREATE INDEX emb_p0_hnsw ON emb_p0 USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 48);
         CREATE INDEX emb_p1_hnsw ON emb_p1 USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 48);
         CREATE INDEX emb_p2_hnsw ON emb_p2 USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 48);
         ALTER INDEX emb_hnsw ATTACH PARTITION emb_p0_hnsw;
         ALTER INDEX emb_hnsw ATTACH PARTITION emb_p1_hnsw;
         ALTER INDEX emb_hnsw ATTACH PARTITION emb_p2_hnsw;
         ANALYZE emb;",
    );
    let rows = d.fingerprint("emb");
    let (code, report, err) = d.check_json("emb", &[]);
    assert!(code >= 1, "{report:#} {err}");
    let missing: Vec<_> = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["class"] == "missing_index")
        .collect();
    assert_eq!(missing.len(), 1, "only the leaf: {report:#}");
    assert_eq!(missing[0]["detector"], "partitions");
    assert!(
        missing[0]["message"].as_str().unwrap().contains("emb_p3"),
        "{report:#}"
    );
    assert!(
        !serde_json::to_string(&report)
            .unwrap()
            .contains("no valid HNSW or IVFFlat index"),
        "the parent is not said to have no index: {report:#}"
    );
    // The parent's index is INVALID because of the leaf: information, not a
    // critical invalid index to drop and rebuild.
    assert!(
        !classes(&report, "warning").contains(&"invalid_index".to_string()),
        "{report:#}"
    );
    assert_eq!(report["metrics"]["index.ann_valid"], 0.0);
    // Nothing is built on the partitioned parent.
    let (_, v, err) = d.json(&["plan", "--collection", "emb"]);
    let plans = serde_json::to_string(&v["plans"]).unwrap();
    assert!(!plans.contains("CREATE INDEX"), "{v:#} {err}");

    // Every leaf indexed and attached: the collection is healthy, check is quiet.
    d.sql(
        "CREATE INDEX emb_p3_hnsw ON emb_p3 USING hnsw (embedding vector_l2_ops) WITH (m = 12, ef_construction = 48);
         ALTER INDEX emb_hnsw ATTACH PARTITION emb_p3_hnsw; ANALYZE emb;",
    );
    let (code, report, err) = d.check_json("emb", &[]);
    assert!(
        findings_of(&report, "partitions").is_empty(),
        "{report:#} {err}"
    );
    assert_eq!(report["metrics"]["index.ann_valid"], 1.0);
    assert_eq!(code, 0, "{report:#} {err}");
    assert_eq!(d.fingerprint("emb"), rows);
}
