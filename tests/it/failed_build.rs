//! A REINDEX CONCURRENTLY that dies mid-build (here: cancelled by the repair's
//! statement_timeout) leaves nothing behind in the same run, is reported
//! `failed` (never `rolled_back`: nothing can undo a rebuild), and `rollback`
//! says it cannot be undone. The old index stays valid and in use.

use crate::harness::{db, invalid_indexes_on_emb, run, write_config};

#[test]
fn a_failed_rebuild_leaves_no_ccnew_and_is_never_called_undone() {
    let d = db();
    d.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector(64));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random() + d * 0 + g * 0)::vector
           FROM generate_series(1, 64) d) FROM generate_series(1, 50000) g;
         CREATE INDEX emb_weak ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4);
         ANALYZE emb;",
    );
    let rows = d.fingerprint("emb");
    let dir = tempfile::tempdir().unwrap();
    // Long enough for every other step, far too short for a 50k-row HNSW build.
    let cfg = write_config(
        &dir,
        // A contract the recall meets: the REINDEX is for the graph's structure
        // (an index too weak for the recall contract is rebuilt stronger instead).
        "collections:\n  emb:\n    min_recall: 0.05\nplan:\n  cooldown_secs: 0\n  statement_timeout_ms: 40\n",
    );
    let (code, v, err) = d.json(&["--config", &cfg, "repair", "--collection", "emb", "--yes"]);
    let ran = &v["repairs"][0];
    assert_eq!(ran["playbook"], "reindex_concurrently", "{v:#} {err}");
    assert_eq!(code, 2, "{v:#} {err}");
    assert_eq!(ran["status"], "failed", "{v:#}");
    let reindex = ran["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "reindex")
        .unwrap();
    assert_eq!(reindex["status"], "failed", "a rebuild shown undone: {v:#}");
    assert!(
        reindex["error"].as_str().unwrap().contains("57014")
            || reindex["error"]
                .as_str()
                .unwrap()
                .contains("statement timeout"),
        "{reindex:#}"
    );
    let mut c = d.client();
    assert_eq!(invalid_indexes_on_emb(&mut c), 0, "the _ccnew copy is left");
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emb_weak'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid, "the old index must stay valid");
    let indexes: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'emb'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(indexes, 2, "primary key and emb_weak, nothing else");
    assert_eq!(d.fingerprint("emb"), rows);
    // rollback of a non-reversible repair says so, and exits 2.
    let (code, out, err) = run(d.cmd().args(["rollback", "--collection", "emb", "--yes"]));
    assert_eq!(code, 2, "{out} {err}");
    assert!(out.contains("cannot be undone"), "{out}");
    // The application can still write, and the next run works.
    d.sql("INSERT INTO emb (embedding) SELECT embedding FROM emb LIMIT 10");
    let (code, _, err) = run(d.cmd().args(["check", "--collection", "emb"]));
    assert!(code < 3, "{err}");
    assert_eq!(
        run(d.cmd().args(["audit", "verify"])).0,
        0,
        "the audit chain verifies"
    );
}

#[test]
fn a_ccnew_leftover_is_dropped_never_rebuilt() {
    let d = db();
    d.sql(&crate::harness::clustered_table_sql("emb", 30000, 32, 20));
    d.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    // A REINDEX CONCURRENTLY cancelled mid-build, as a user's would be.
    let mut c = d.client();
    c.batch_execute("SET statement_timeout = 50").unwrap();
    let err = c
        .batch_execute("REINDEX INDEX CONCURRENTLY emb_hnsw")
        .unwrap_err();
    assert_eq!(err.code().map(|s| s.code()), Some("57014"), "{err}");
    c.batch_execute("RESET statement_timeout").unwrap();
    assert_eq!(
        invalid_indexes_on_emb(&mut c),
        1,
        "no leftover to test with"
    );
    let (code, out, err) = run(d.cmd().args(["heal", "--collection", "emb", "--yes"]));
    assert!(code < 3, "{out} {err}");
    assert_eq!(
        invalid_indexes_on_emb(&mut c),
        0,
        "the leftover is still there"
    );
    let names: Vec<String> = c
        .query(
            "SELECT indexrelid::regclass::text FROM pg_index WHERE indrelid = 'emb'::regclass ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(names, ["emb_hnsw", "emb_pkey"], "a second index was built");
}

#[test]
fn a_rebuild_plan_says_the_space_it_needs() {
    let d = db();
    d.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector(64));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random() + d * 0 + g * 0)::vector
           FROM generate_series(1, 64) d) FROM generate_series(1, 3000) g;
         CREATE INDEX emb_weak ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 2, ef_construction = 4);
         ANALYZE emb;",
    );
    let size: i64 = d
        .client()
        .query_one("SELECT pg_relation_size('emb_weak')", &[])
        .unwrap()
        .get(0);
    let (_, v, err) = d.json(&["plan", "--collection", "emb"]);
    // a REINDEX, or a rebuild with stronger options when no search breadth
    // meets the contract: either writes a second copy of the index
    let p = v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["playbook"] == "reindex_concurrently" || p["playbook"] == "rebuild_and_swap")
        .unwrap_or_else(|| panic!("{v:#} {err}"));
    assert_eq!(p["space"]["needed_bytes"].as_i64(), Some(size), "{p:#}");
    assert!(
        p["space"]["note"]
            .as_str()
            .unwrap()
            .contains("not visible from SQL"),
        "{p:#}"
    );
    // A plan that builds nothing says nothing about space.
    let vacuum = v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["playbook"] == "vacuum_collection");
    assert!(vacuum.is_none_or(|p| p.get("space").is_none()), "{v:#}");
}
