//! Findings no other test fires, each on its own real fault: a leftover of an
//! interrupted concurrent rebuild, a latency contract the probe misses, HNSW
//! elements deleted by VACUUM, IVFFlat lists far from pgvector's guidance, a
//! writer waiting for a lock on the table; and a healthy IVFFlat collection
//! that stays quiet.

use crate::harness::{classes, clustered_table_sql, db, findings_of, write_config};

#[test]
fn leftovers_of_an_interrupted_concurrent_rebuild_are_named() {
    let db = db();
    db.hnsw_collection(2000, 10);
    // An interrupted REINDEX CONCURRENTLY leaves an INVALID <name>_ccnew: a
    // cancelled concurrent build under that name is the same state.
    let mut c = db.client();
    c.batch_execute("SET statement_timeout = '50ms'").unwrap();
    c.batch_execute(
        "CREATE INDEX CONCURRENTLY emb_hnsw_ccnew ON emb USING hnsw (embedding vector_l2_ops) \
         WITH (m = 48, ef_construction = 400)",
    )
    .unwrap_err();
    let (code, report, err) = db.check_json("emb", &[]);
    assert_eq!(code, 1, "a leftover is a warning, not critical: {err}");
    let f: Vec<_> = findings_of(&report, "table")
        .into_iter()
        .filter(|f| f["class"] == "invalid_index")
        .collect();
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["severity"], "warning");
    assert!(
        f[0]["message"].as_str().unwrap().contains("left over"),
        "{f:?}"
    );
    // dropped, the table is quiet again
    db.sql("DROP INDEX emb_hnsw_ccnew");
    let (code, report, _) = db.check_json("emb", &[]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn a_latency_contract_the_probe_misses_is_a_latency_anomaly() {
    let db = db();
    db.hnsw_collection(2000, 10);
    let dir = tempfile::tempdir().unwrap();
    // no ANN query takes less than a microsecond
    let cfg = write_config(&dir, "collections:\n  emb:\n    max_latency_ms: 0.001\n");
    let (code, report, err) = db.check_json("emb", &["--config", &cfg]);
    assert_eq!(
        code, 2,
        "p99 far above twice the contract is critical: {err}"
    );
    let f = findings_of(&report, "recall");
    assert!(
        f.iter()
            .any(|f| f["class"] == "latency_anomaly" && f["expected"] == 0.001),
        "{report:#}"
    );
    // with the default contract (no latency bound) nothing is said
    let (code, report, _) = db.check_json("emb", &[]);
    assert_eq!(code, 0, "{report:#}");
}

#[test]
fn hnsw_elements_deleted_by_vacuum_are_index_fragmentation() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 3000, 8, 10));
    db.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops)");
    db.sql("DELETE FROM emb WHERE id % 5 < 2");
    // Before VACUUM the index cannot know the rows are dead (their elements
    // keep their heap TIDs): that is the table's dead_tuple_bloat, not the
    // structure's.
    let (_, report, err) = db.check_json("emb", &[]);
    assert!(
        classes(&report, "warning").contains(&"dead_tuple_bloat".to_string()),
        "{report:#} {err}"
    );
    assert_eq!(
        report["metrics"]["hnsw.unvacuumed_ratio"], 0.0,
        "{report:#}"
    );
    // VACUUM removes the rows and marks their elements deleted in the graph,
    // unlinked: the free slots stay until inserts reuse them or a rebuild, which
    // is information (space), not a problem to plan for
    db.sql("VACUUM ANALYZE emb");
    let (_, report, err) = db.check_json("emb", &[]);
    let deleted = report["metrics"]["hnsw.deleted_ratio"].as_f64().unwrap();
    assert!(
        (0.3..=0.5).contains(&deleted),
        "deleted ratio {deleted}: {err}"
    );
    let f = findings_of(&report, "structure");
    assert!(
        f.iter()
            .any(|f| f["class"] == "index_fragmentation" && f["severity"] == "info"),
        "{report:#}"
    );
    assert_eq!(
        report["metrics"]["hnsw.unvacuumed_ratio"], 0.0,
        "{report:#}"
    );
    assert!(!classes(&report, "warning").contains(&"dead_tuple_bloat".to_string()));
    assert!(!classes(&report, "warning").contains(&"index_fragmentation".to_string()));
    // a rebuild gives the slots back
    db.sql("REINDEX INDEX emb_hnsw");
    let (_, report, _) = db.check_json("emb", &[]);
    assert_eq!(report["metrics"]["hnsw.deleted_ratio"], 0.0);
    assert!(
        findings_of(&report, "structure")
            .iter()
            .all(|f| f["class"] != "index_fragmentation")
    );
}

#[test]
fn ivfflat_lists_far_from_the_guidance_are_stale_training_and_a_sound_one_is_quiet() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 20000, 8, 20));
    // rows/1000 = 20 lists is the guidance; 400 is twenty times that
    db.sql(
        "CREATE INDEX emb_ivf ON emb USING ivfflat (embedding vector_l2_ops) WITH (lists = 400)",
    );
    db.sql("VACUUM ANALYZE emb");
    let (_, report, err) = db.check_json("emb", &[]);
    let guidance: Vec<_> = findings_of(&report, "structure")
        .into_iter()
        .filter(|f| {
            f["class"] == "stale_training" && f["message"].as_str().unwrap().contains("guidance")
        })
        .collect();
    assert_eq!(guidance.len(), 1, "{report:#} {err}");

    // as pgvector advises: 20 lists, probes near sqrt(lists)
    db.sql("DROP INDEX emb_ivf");
    db.sql("CREATE INDEX emb_ivf ON emb USING ivfflat (embedding vector_l2_ops) WITH (lists = 20)");
    db.sql("VACUUM ANALYZE emb");
    db.sql(&format!(
        "ALTER DATABASE {} SET ivfflat.probes = 5",
        db.name
    ));
    let (code, report, err) = db.check_json("emb", &[]);
    assert_eq!(code, 0, "a healthy IVFFlat collection: {report:#} {err}");
    assert!(classes(&report, "warning").is_empty(), "{report:#}");
    assert_eq!(report["metrics"]["ivfflat.lists"], 20.0);
}

#[test]
fn sessions_waiting_for_locks_on_the_collection_are_hotspot_congestion() {
    let db = db();
    db.hnsw_collection(2000, 10);
    // SHARE holds writers back and lets readers (ruvheal's ACCESS SHARE) through
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE emb IN SHARE MODE")
        .unwrap();
    let url = db.url.clone();
    let writer = std::thread::spawn(move || {
        let mut w = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        w.batch_execute(
            "SET lock_timeout = '60s'; UPDATE emb SET embedding = embedding WHERE id = 1",
        )
    });
    let waiting = || -> i64 {
        db.client()
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE relation = 'emb'::regclass AND NOT granted",
                &[],
            )
            .unwrap()
            .get(0)
    };
    for _ in 0..200 {
        if waiting() > 0 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    assert_eq!(waiting(), 1, "the writer waits");
    let (code, report, err) = db.check_json("emb", &[]);
    assert!((1..3).contains(&code), "{err}");
    let f: Vec<_> = findings_of(&report, "contention")
        .into_iter()
        .filter(|f| f["class"] == "hotspot_congestion")
        .collect();
    assert_eq!(f.len(), 1, "{report:#}");
    assert_eq!(f[0]["evidence"]["waiting_sessions"], 1);
    // released, the writer gets through and the check is quiet about locks
    holder.batch_execute("COMMIT").unwrap();
    writer.join().unwrap().unwrap();
    let (_, report, _) = db.check_json("emb", &[]);
    assert!(
        findings_of(&report, "contention")
            .iter()
            .all(|f| f["class"] != "hotspot_congestion"),
        "{report:#}"
    );
    assert_eq!(report["metrics"]["contention.lock_waits"], 0.0);
}
