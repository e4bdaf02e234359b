//! The filtered-queries detector on real PostgreSQL: an application's filtered
//! ANN query that comes back short while iterative scan is off, seen through
//! pg_stat_statements; quiet once the database turns iterative scan on.

use crate::harness::{db, findings_of};

#[test]
fn filtered_ann_queries_that_come_back_short_are_found_until_iterative_scan_is_on() {
    let db = db();
    // 100 categories of 30 rows: a filter on one keeps 1% of what the scan reads
    db.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, category int, embedding vector(8));
         INSERT INTO emb (category, embedding)
         SELECT g % 100, (SELECT array_agg(random())::vector FROM generate_series(1, 8) d WHERE g > 0)
           FROM generate_series(1, 3000) g;
         CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops);",
    );
    db.sql("VACUUM ANALYZE emb");
    // The application: a filtered and an unfiltered ANN query, ten calls each
    // (the planner is steered onto the index as it would be on a large table).
    let mut app = db.client();
    app.batch_execute("SET enable_seqscan = off").unwrap();
    let q = "[0.5,0.5,0.5,0.5,0.5,0.5,0.5,0.5]";
    let mut filtered_rows = 0;
    for c in 0..10i32 {
        filtered_rows += app
            .query(
                "SELECT id FROM emb WHERE category = $1 ORDER BY embedding <-> $2::text::vector LIMIT 10",
                &[&c, &q],
            )
            .unwrap()
            .len();
        let all = app
            .query(
                "SELECT id FROM emb ORDER BY embedding <-> $1::text::vector LIMIT 10",
                &[&q],
            )
            .unwrap();
        assert_eq!(all.len(), 10);
    }
    assert!(
        filtered_rows < 50,
        "the fault: ef_search 40 candidates, 1% pass the filter ({filtered_rows} rows in 10 calls)"
    );
    drop(app);

    let (code, report, err) = db.check_json("emb", &[]);
    let found = findings_of(&report, "filtered_queries");
    assert_eq!(found.len(), 1, "{report:#} {err}");
    assert_eq!(found[0]["class"], "recall_degradation");
    assert_eq!(found[0]["severity"], "warning");
    assert!(code >= 1, "a warning exits 1 or worse: {code}");
    let statements = found[0]["evidence"]["statements"].as_array().unwrap();
    assert_eq!(
        statements.len(),
        1,
        "only the filtered statement: {found:#?}"
    );
    assert!(
        statements[0]["query"]
            .as_str()
            .unwrap()
            .contains("category")
    );
    assert_eq!(statements[0]["calls"], 10);
    assert_eq!(report["metrics"]["queries.filtered_ann"], 1.0);
    assert_eq!(report["metrics"]["queries.filtered_short"], 1.0);
    // the unfiltered probe queries are fine: this is not the index's fault
    let recall = report["metrics"]["recall.at_k"].as_f64().unwrap();
    assert!(recall >= 0.9, "recall {recall}");
    let (_, diagnosis, err) = db.diagnose_json("emb", &[]);
    let causes: Vec<&str> = diagnosis["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("{diagnosis:#} {err}"))
        .iter()
        .filter(|p| p["class"] == "recall_degradation")
        .map(|p| p["root_cause"].as_str().unwrap())
        .collect();
    assert!(
        causes.iter().any(|c| c.contains("filtered queries")),
        "{diagnosis:#}"
    );

    // no playbook acts on it: the remedy is the application's setting
    let (_, plan, err) = db.json(&["plan", "--collection", "emb"]);
    assert_eq!(
        plan["plans"].as_array().map(Vec::len),
        Some(0),
        "{plan:#} {err}"
    );
    let blocked = plan["blocked"].as_array().unwrap();
    assert!(
        blocked.iter().any(|b| b["reason"]
            .as_str()
            .is_some_and(|r| r.contains("left for a human"))),
        "{plan:#}"
    );
    // iterative scan on for the application's sessions: nothing to say
    db.sql(&format!(
        "ALTER DATABASE {} SET hnsw.iterative_scan = relaxed_order",
        db.name
    ));
    let (_, report, err) = db.check_json("emb", &[]);
    assert!(
        findings_of(&report, "filtered_queries").is_empty(),
        "{report:#} {err}"
    );
    assert_eq!(report["metrics"]["queries.filtered_short"], 1.0);
}
