//! `ruvheal check` on real faults: each detector fires on its fault and stays
//! quiet on a healthy collection.

use crate::harness::{
    classes, clustered_table_sql, db, mass_deleted_without_vacuum, run, write_config,
    xmin_held_while_half_the_rows_are_deleted,
};

#[test]
fn a_healthy_clustered_collection_exits_0_without_warnings() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 3000, 16, 20));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops)");
    db.sql("VACUUM ANALYZE emb");
    let (code, report, err) = db.check_json("emb", &[]);
    assert_eq!(code, 0, "{report:#} {err}");
    assert_eq!(report["status"], "ok");
    assert!(classes(&report, "warning").is_empty(), "{report:#}");
    assert_eq!(report["index"]["method"], "hnsw");
    // the observation and its findings are stored
    let mut c = db.client();
    let n: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.observations", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    let (code, out, _) = run(db.cmd().args(["check", "--collection", "emb"]));
    assert_eq!(code, 0);
    assert!(out.contains("public.emb: healthy"), "{out}");
}

#[test]
fn mass_deletes_without_vacuum_are_dead_tuple_bloat() {
    let db = db();
    mass_deleted_without_vacuum(&db);
    let (code, report, err) = db.check_json("emb", &[]);
    assert_eq!(code, 2, "{err}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "dead_tuple_bloat")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["severity"], "critical");
    assert!((f["observed"].as_f64().unwrap() - 0.6).abs() < 0.05, "{f}");
    assert_eq!(f["evidence"]["autovacuum_enabled"], "off");
    // After VACUUM the finding is gone.
    db.sql("VACUUM emb");
    let (_, report, _) = db.check_json("emb", &[]);
    assert!(
        !classes(&report, "warning").contains(&"dead_tuple_bloat".to_string()),
        "{report:#}"
    );
}

#[test]
fn ef_search_below_k_for_the_database_is_found() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 2000, 8, 10));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    db.sql(&format!(
        "ALTER DATABASE {} SET hnsw.ef_search = 5",
        db.name
    ));
    let (code, report, _) = db.check_json("emb", &[]);
    assert_eq!(code, 2);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "settings")
        .unwrap();
    assert_eq!(f["class"], "recall_degradation");
    assert_eq!(f["observed"], 5.0);
    assert_eq!(report["details"]["settings"]["hnsw.ef_search"], "5");
}

#[test]
fn too_few_probes_for_many_lists_is_found() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 5000, 8, 50));
    db.sql("CREATE INDEX ON emb USING ivfflat (embedding vector_l2_ops) WITH (lists = 100); ANALYZE emb;");
    let (code, report, _) = db.check_json("emb", &[]);
    assert!(code >= 1);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "settings" && f["class"] == "recall_degradation")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["observed"], 1.0);
    db.sql(&format!(
        "ALTER DATABASE {} SET ivfflat.probes = 10",
        db.name
    ));
    let (_, report, _) = db.check_json("emb", &[]);
    assert!(
        !report["findings"]
            .as_array()
            .unwrap()
            .iter()
            .any(|f| f["detector"] == "settings"),
        "{report:#}"
    );
}

#[test]
fn an_invalid_index_from_a_cancelled_concurrent_build_is_critical() {
    let db = db();
    db.hnsw_collection(2000, 10);
    // statement_timeout cancels the concurrent build and leaves the index INVALID
    let mut c = db.client();
    c.batch_execute("SET statement_timeout = '50ms'").unwrap();
    let err = c
        .batch_execute("CREATE INDEX CONCURRENTLY emb_slow ON emb USING hnsw (embedding vector_cosine_ops) WITH (m = 48, ef_construction = 400)")
        .unwrap_err();
    assert_eq!(err.code().map(|c| c.code()), Some("57014"), "{err}");
    let (code, report, _) = db.check_json("emb", &[]);
    assert_eq!(code, 2);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "invalid_index")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["severity"], "critical");
    assert_eq!(f["evidence"]["index"], "emb_slow");
    assert_eq!(
        report["index"]["name"], "emb_hnsw",
        "the valid index is the one measured"
    );
}

#[test]
fn a_large_table_without_an_ann_index_is_missing_index() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 3000, 8, 10));
    db.sql("ANALYZE emb");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(&dir, "check:\n  missing_index_rows: 1000\n");
    let (code, report, _) = db.check_json("emb", &["--config", &cfg]);
    assert_eq!(code, 1, "{report:#}");
    assert_eq!(classes(&report, "warning"), ["missing_index"]);
    // below the threshold it is no finding
    let (code, _, _) = db.check_json("emb", &[]);
    assert_eq!(code, 0);
}

#[test]
fn an_idle_in_transaction_session_holding_xmin_is_contention() {
    let db = db();
    let mut holder = xmin_held_while_half_the_rows_are_deleted(&db);
    db.sql("VACUUM emb");
    std::thread::sleep(std::time::Duration::from_millis(1500));
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(&dir, "check:\n  idle_in_transaction_secs: 1\n");
    let (code, report, _) = db.check_json("emb", &["--config", &cfg]);
    assert!(code >= 1);
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "maintenance_contention")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["severity"], "warning");
    assert_eq!(f["evidence"]["application_name"], "stuck-worker");
    assert!(
        classes(&report, "warning").contains(&"dead_tuple_bloat".to_string()),
        "VACUUM could not remove them"
    );
    holder.batch_execute("COMMIT").unwrap();
}

#[test]
fn check_takes_no_lock_on_the_table_stronger_than_access_share() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 2000, 8, 5));
    db.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops)");
    db.sql("VACUUM ANALYZE emb");
    // EXCLUSIVE lets only ACCESS SHARE through: any stronger lock ruvheal took
    // on the table would wait, run into lock_timeout and exit 3.
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE emb IN EXCLUSIVE MODE")
        .unwrap();
    let (code, report, err) = db.check_json("emb", &[]);
    assert!(code < 3, "{err}");
    assert!(
        report["metrics"]["recall.at_k"].as_f64().is_some(),
        "the probe scanned the table: {report:#}"
    );
    assert!(
        report["metrics"]["hnsw.elements"].as_f64() == Some(2000.0),
        "the pages were read: {report:#}"
    );
    holder.batch_execute("COMMIT").unwrap();
}

#[test]
fn check_is_read_only_and_writes_an_atomic_textfile() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 1000, 8, 10));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    let snapshot = |db: &crate::harness::TestDb| -> String {
        db.client()
            .query_one(
                "SELECT string_agg(relname || ':' || relfilenode || ':' || coalesce(array_to_string(reloptions, ','), ''), ';' ORDER BY relname)
                   || (SELECT coalesce(string_agg(array_to_string(setconfig, ','), ';'), '') FROM pg_db_role_setting)
                   || (SELECT sum(hashtext(embedding::text))::text FROM emb)
                 FROM pg_class WHERE relnamespace = 'public'::regnamespace",
                &[],
            )
            .unwrap()
            .get(0)
    };
    let before = snapshot(&db);
    let dir = tempfile::tempdir().unwrap();
    let prom = dir.path().join("ruvheal.prom");
    let (code, _, err) = run(db
        .cmd()
        .args(["check", "--all", "--prometheus-textfile"])
        .arg(&prom));
    assert_eq!(code, 0, "{err}");
    assert_eq!(snapshot(&db), before, "check changed user objects");
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(
        text.contains("ruvheal_table_dead_ratio{collection=\"public.emb\"} 0"),
        "{text}"
    );
    assert!(
        text.contains("ruvheal_check_status{collection=\"public.emb\"} 0"),
        "{text}"
    );
    for line in text.lines().filter(|l| !l.starts_with('#')) {
        let (_, value) = line.rsplit_once(' ').unwrap();
        value
            .parse::<f64>()
            .unwrap_or_else(|_| panic!("bad sample line {line}"));
    }
    let leftovers: Vec<_> = std::fs::read_dir(dir.path()).unwrap().collect();
    assert_eq!(leftovers.len(), 1, "no temporary file left behind");
}

#[test]
fn ivfflat_trained_on_other_data_shows_skew() {
    let db = db();
    // Train on one distribution, then flood with rows from a far-away one.
    db.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY, embedding vector(8));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random())::vector FROM generate_series(1, 8) d WHERE g > 0)
           FROM generate_series(1, 2000) g;
         CREATE INDEX emb_ivf ON emb USING ivfflat (embedding vector_l2_ops) WITH (lists = 20);
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(10 + random())::vector FROM generate_series(1, 8) d WHERE g > 0)
           FROM generate_series(1, 8000) g;",
    );
    db.sql("VACUUM ANALYZE emb");
    let (code, report, err) = db.check_json("emb", &[]);
    assert!(code >= 1, "{err}");
    assert!(
        classes(&report, "warning").contains(&"centroid_skew".to_string()),
        "{report:#}"
    );
    let cv = report["metrics"]["ivfflat.list_cv"].as_f64().unwrap();
    assert!(cv > 1.0, "cv {cv}");
    assert_eq!(report["metrics"]["ivfflat.entries"], 10000.0);
}

#[test]
fn structure_checks_say_why_they_were_skipped_without_superuser() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 500, 8, 5));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    let role = format!("{}_ro", db.name);
    db.sql(&format!(
        "CREATE ROLE {role} LOGIN; GRANT SELECT ON emb TO {role}; GRANT CREATE ON DATABASE {} TO {role};",
        db.name
    ));
    let url = db.url.replacen("postgres@", &format!("{role}@"), 1);
    let (code, out, err) = run(db.cmd().args([
        "check",
        "--collection",
        "emb",
        "-o",
        "json",
        "--database-url",
        &url,
    ]));
    assert_eq!(code, 0, "{err}");
    let report: serde_json::Value = serde_json::from_str(&out).unwrap();
    let skipped = report["skipped"].as_array().unwrap();
    assert!(
        skipped
            .iter()
            .any(|s| s.as_str().unwrap().contains("superuser")),
        "{report:#}"
    );
    db.sql(&format!("DROP OWNED BY {role}; DROP ROLE {role}"));
}

#[test]
fn drift_away_from_ivfflat_centres_is_stale_training() {
    let db = db();
    db.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY, embedding vector(8));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random())::vector FROM generate_series(1, 8) d WHERE g > 0)
           FROM generate_series(1, 3000) g;
         CREATE INDEX emb_ivf ON emb USING ivfflat (embedding vector_l2_ops) WITH (lists = 10);",
    );
    db.sql("VACUUM ANALYZE emb");
    let (_, first, err) = db.check_json("emb", &[]);
    let before = first["metrics"]["ivfflat.center_distance"]
        .as_f64()
        .unwrap_or_else(|| panic!("{first:#} {err}"));
    assert!(!classes(&first, "warning").contains(&"stale_training".to_string()));
    db.sql(
        "INSERT INTO emb (embedding) SELECT (SELECT array_agg(5 + random())::vector FROM generate_series(1, 8) d WHERE g > 0)
           FROM generate_series(1, 6000) g;",
    );
    db.sql("VACUUM ANALYZE emb");
    let (_, second, _) = db.check_json("emb", &[]);
    let after = second["metrics"]["ivfflat.center_distance"]
        .as_f64()
        .unwrap();
    assert!(after > 2.0 * before, "{before} -> {after}");
    let f = second["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "stale_training" && f["detector"] == "drift")
        .unwrap_or_else(|| panic!("{second:#}"));
    assert_eq!(f["expected"].as_f64().unwrap(), before);
    assert!(
        second["metrics"]["index.rows_inserted_since_build"]
            .as_f64()
            .unwrap()
            >= 6000.0
    );
}

#[test]
fn recall_and_latency_are_measured_and_a_low_ef_search_shows() {
    let db = db();
    // Uniform random 64-d data: hard for a graph, so ef_search matters.
    db.sql(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY, embedding vector(64));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random())::vector FROM generate_series(1, 64) d WHERE g > 0)
           FROM generate_series(1, 5000) g;
         CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32);",
    );
    db.sql("VACUUM ANALYZE emb");
    let (_, good, err) = db.check_json("emb", &["--seed", "7"]);
    let recall = good["metrics"]["recall.at_k"]
        .as_f64()
        .unwrap_or_else(|| panic!("{good:#} {err}"));
    assert!(good["metrics"]["latency.p99_ms"].as_f64().unwrap() > 0.0);
    assert_eq!(good["details"]["recall"]["plan_uses_index"], true);
    assert_eq!(good["metrics"]["recall.probes"], 500.0);
    // every recall figure carries its interval, in the details and the metrics
    let r = &good["details"]["recall"];
    assert_eq!(r["probe_source"], "neighbourhood", "{r:#}");
    let (lo, hi, hw) = (
        r["recall_low"].as_f64().unwrap(),
        r["recall_high"].as_f64().unwrap(),
        r["recall_half_width"].as_f64().unwrap(),
    );
    assert!(
        lo <= recall && recall <= hi && hw > 0.0 && hw <= 0.02,
        "{r:#}"
    );
    assert_eq!(good["metrics"]["recall.ci_low"].as_f64(), Some(lo));
    assert_eq!(good["metrics"]["recall.ci_high"].as_f64(), Some(hi));
    assert_eq!(good["metrics"]["recall.half_width"].as_f64(), Some(hw));
    db.sql(&format!(
        "ALTER DATABASE {} SET hnsw.ef_search = 10",
        db.name
    ));
    let (code, bad, _) = db.check_json("emb", &["--seed", "7"]);
    let low = bad["metrics"]["recall.at_k"].as_f64().unwrap();
    assert!(low < recall && low < 0.95, "{recall} -> {low}");
    assert!(code >= 1);
    let f = bad["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "recall" && f["class"] == "recall_degradation")
        .unwrap_or_else(|| panic!("{bad:#}"));
    assert_eq!(f["observed"].as_f64().unwrap(), low);
    assert_eq!(f["evidence"]["settings"]["hnsw.ef_search"], "10");
}

#[test]
fn latency_far_above_its_baseline_is_an_anomaly() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 2000, 16, 10));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops)");
    db.sql("VACUUM ANALYZE emb");
    // one real check creates the state tables, then a history of fast observations
    let (_, first, _) = db.check_json("emb", &[]);
    let id: i64 = db
        .client()
        .query_one("SELECT id FROM ruvheal.collections", &[])
        .unwrap()
        .get(0);
    let fast = first["metrics"]["latency.p99_ms"].as_f64().unwrap() / 1000.0;
    db.sql("DELETE FROM ruvheal.observations");
    for i in 0..12 {
        db.client().execute(
            "INSERT INTO ruvheal.observations (collection_id, observed_at, metrics)
             VALUES ($1, now() - make_interval(mins => $2), jsonb_build_object('latency.p99_ms', $3::float8, 'latency.p50_ms', $3::float8))",
            &[&id, &(100 - i), &(fast * (1.0 + 0.01 * (i % 3) as f64))],
        ).unwrap();
    }
    let (code, report, _) = db.check_json("emb", &[]);
    assert_eq!(code, 2, "{report:#}");
    let f = report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["detector"] == "anomaly" && f["class"] == "latency_anomaly")
        .unwrap_or_else(|| panic!("{report:#}"));
    assert_eq!(f["severity"], "critical");
    assert!(f["evidence"]["z"].as_f64().unwrap() > 5.0);
    let baselines: i64 = db
        .client()
        .query_one(
            "SELECT count(*) FROM ruvheal.baselines WHERE samples >= 12",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(baselines >= 1);
}

#[test]
fn probes_can_come_from_a_table_of_real_queries() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 2000, 8, 10));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    // 30 logged queries, near the clusters but not rows of the table
    db.sql(
        "CREATE SCHEMA app; CREATE TABLE app.queries (id int PRIMARY KEY, q vector(8));
         INSERT INTO app.queries SELECT g, (SELECT array_agg(sin((g % 10) * 7 + d * 0.37) + 0.05)::vector
           FROM generate_series(1, 8) d WHERE g > 0) FROM generate_series(1, 30) g;",
    );
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &dir,
        "collections:\n  emb:\n    query_table: app.queries\n    query_column: q\n",
    );
    let (code, report, err) = db.check_json("emb", &["--config", &cfg]);
    assert!(code < 3, "{err}");
    assert_eq!(report["metrics"]["recall.probes"], 30.0, "{report:#}");
    assert!(report["metrics"]["recall.at_k"].as_f64().unwrap() > 0.5);
    // a query table that does not exist is an error, not a silent fallback
    let cfg = write_config(&dir, "collections:\n  emb:\n    query_table: app.nope\n");
    let (code, _, err) = run(db
        .cmd()
        .args(["--config", &cfg, "check", "--collection", "emb"]));
    assert_eq!(code, 3, "{err}");
    assert!(err.contains("app.nope"), "{err}");
}

#[test]
fn our_own_scans_are_not_the_applications_and_an_unused_index_shows() {
    let db = db();
    db.hnsw_collection(2000, 10);
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(&dir, "check:\n  missing_index_rows: 1000\n");
    db.check_json("emb", &["--config", &cfg]);
    // Only ruvheal ran since: its probes and exact pass are not traffic.
    let (_, second, _) = db.check_json("emb", &["--config", &cfg]);
    let m = &second["metrics"];
    assert_eq!(m["throughput.scans_per_s"], 0.0, "{m:#}");
    assert!(m["cache.index_hit_ratio"].is_null(), "{m:#}");
    assert!(
        m["index.idx_scan.after_check"].as_f64().unwrap() >= 50.0,
        "{m:#}"
    );
    // The application scans the table 12 times without the index.
    let mut app = db.client();
    app.batch_execute(
        "SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off;",
    )
    .unwrap();
    for _ in 0..12 {
        app.batch_execute("SELECT count(*) FROM emb").unwrap();
    }
    app.batch_execute("SELECT pg_stat_force_next_flush()")
        .unwrap();
    let (_, third, _) = db.check_json("emb", &["--config", &cfg]);
    let unused = third["findings"]
        .as_array()
        .unwrap()
        .iter()
        .find(|f| f["class"] == "missing_index")
        .unwrap_or_else(|| panic!("{third:#}"));
    assert!(
        unused["message"]
            .as_str()
            .unwrap()
            .contains("emb_hnsw was not used since the last check while 12 sequential scans ran"),
        "{unused:#}"
    );
}
