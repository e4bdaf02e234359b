//! Remedies sized by measurement: the search-breadth ladder, a weak graph
//! rebuilt with stronger build options found by trial builds, and a rebuild
//! measured on the new index before the swap. Recall after each repair is
//! measured here by exact search, independently of ruvheal.

use crate::harness::{TestDb, db, write_config};

/// `rows` random `dims`-d rows in table `emb`.
fn random_sql(rows: usize, dims: usize) -> String {
    format!(
        "CREATE TABLE emb (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector({dims}));
         INSERT INTO emb (embedding) SELECT (SELECT array_agg(random())::vector FROM generate_series(1, {dims}) d WHERE g > 0)
           FROM generate_series(1, {rows}) g;"
    )
}

/// `rows` normalised 128-d rows shaped like text embeddings in table `emb`
/// (as in the trust tests), from draw `offset` on.
fn text_like_sql(table: &str, rows: usize, offset: usize) -> String {
    format!(
        "CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector(128));
         INSERT INTO {table} (embedding)
         SELECT l2_normalize((SELECT array_agg(sin((g % 300) * 7.3 + d * 0.91) * 0.6
                    + sin((g % 37) * 3.1 + d * 1.7) * 0.3
                    + (random() - 0.5) * (1.5 / (1 + d * 0.05)))::vector
                   FROM generate_series(1, 128) d WHERE g > 0))
           FROM generate_series({}, {}) g;",
        offset + 1,
        offset + rows
    )
}

/// Recall@10 of the application's query (a fresh session: database defaults)
/// against exact search (index scans off), over the vectors of `queries`.
fn recall_by_exact_search(d: &TestDb, op: &str, queries: &str) -> f64 {
    let mut c = d.client();
    let qs: Vec<String> = c
        .query(&format!("SELECT embedding::text FROM {queries}"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    let sql = format!("SELECT id FROM emb ORDER BY embedding {op} $1::text::vector LIMIT 10");
    let ids = |c: &mut postgres::Client, q: &str| -> Vec<i64> {
        c.query(&sql, &[&q])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect()
    };
    let mut hits = 0usize;
    for q in &qs {
        let ann = ids(&mut c, q);
        let mut tx = c.transaction().unwrap();
        tx.batch_execute("SET LOCAL enable_indexscan = off; SET LOCAL enable_bitmapscan = off")
            .unwrap();
        let exact: Vec<i64> = tx
            .query(&sql, &[q])
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        tx.rollback().unwrap();
        hits += ann.iter().filter(|i| exact.contains(i)).count();
    }
    hits as f64 / (qs.len() * 10) as f64
}

/// The database-level settings of this database, as `name=value`.
fn database_settings(d: &TestDb) -> Vec<String> {
    d.client()
        .query(
            "SELECT s FROM pg_db_role_setting r, unnest(r.setconfig) s, pg_database b
              WHERE b.oid = r.setdatabase AND r.setrole = 0 AND b.datname = current_database()",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
}

/// The HNSW indexes of `emb`: (name, reloptions).
fn hnsw_indexes(d: &TestDb) -> Vec<(String, String)> {
    d.client()
        .query(
            "SELECT c.relname::text, coalesce(array_to_string(c.reloptions, ','), '')
               FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid JOIN pg_am a ON a.oid = c.relam
              WHERE i.indrelid = 'emb'::regclass AND a.amname = 'hnsw' ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect()
}

#[test]
fn a_low_ef_search_is_raised_to_the_smallest_ladder_rung_that_meets_the_contract() {
    let d = db();
    d.sql(&random_sql(3000, 32));
    d.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 8, ef_construction = 32); ANALYZE emb;");
    d.sql(&format!(
        "ALTER DATABASE {} SET hnsw.ef_search = 10",
        d.name
    ));
    d.sql(
        "CREATE TABLE queries AS SELECT (SELECT array_agg(random())::vector FROM generate_series(1, 32) d WHERE g > 0) AS embedding
           FROM generate_series(1, 200) g",
    );
    let rows = d.fingerprint("emb");
    let before = recall_by_exact_search(&d, "<->", "queries");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(&dir, "plan:\n  cooldown_secs: 0\n");
    let (_, plan, err) = d.json(&["--config", &cfg, "plan", "--collection", "emb"]);
    let p = plan["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["playbook"] == "tune_search_params")
        .unwrap_or_else(|| panic!("{plan:#} {err}"));
    let ef = p["params"]["ef_search"].as_i64().unwrap();
    assert!(ef >= 40, "never below pgvector's default: {p:#}");
    assert!(
        [40, 64, 100, 160, 250, 400, 640, 1000].contains(&ef),
        "a rung of the ladder: {ef}"
    );
    let measured = p["measured"].as_str().unwrap_or_else(|| panic!("{p:#}"));
    assert!(
        measured.contains(&format!("hnsw.ef_search 10 -> {ef}")),
        "{measured}"
    );
    // only the setting of the collection's index
    let steps = p["steps"].as_array().unwrap();
    assert_eq!(steps.len(), 1, "{p:#}");
    assert!(
        !serde_json::to_string(steps).unwrap().contains("ivfflat"),
        "{p:#}"
    );
    let (code, v, err) = d.json(&["--config", &cfg, "heal", "--collection", "emb", "--yes"]);
    let r = v["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["playbook"] == "tune_search_params")
        .unwrap_or_else(|| panic!("{v:#} {err}"));
    assert_eq!(r["status"], "succeeded", "{r:#}");
    assert_eq!(code, 0, "{v:#}");
    let settings = database_settings(&d);
    let applied: Vec<&String> = settings
        .iter()
        .filter(|s| s.starts_with("hnsw.ef_search="))
        .collect();
    assert_eq!(applied.len(), 1, "{settings:?}");
    let applied: i64 = applied[0]
        .trim_start_matches("hnsw.ef_search=")
        .parse()
        .unwrap();
    assert!(applied >= 40, "{settings:?}");
    assert!(
        settings.iter().all(|s| !s.starts_with("ivfflat.")),
        "no IVFFlat setting for an HNSW collection: {settings:?}"
    );
    // the rung below the applied one misses the contract, as the ladder measured
    let (_, check, _) = d.json(&["--config", &cfg, "check", "--collection", "emb"]);
    assert!(
        check["metrics"]["recall.ci_high"].as_f64().unwrap() >= 0.95,
        "{check:#}"
    );
    let after = recall_by_exact_search(&d, "<->", "queries");
    assert!(
        after >= before.min(0.95) - 0.02 && after > before,
        "recall by exact search {before:.3} -> {after:.3}"
    );
    assert_eq!(d.fingerprint("emb"), rows);
}

#[test]
fn a_weak_graph_is_rebuilt_with_stronger_build_options_not_reindexed() {
    let d = db();
    d.sql(&text_like_sql("emb", 12000, 0));
    d.sql(&text_like_sql("queries", 200, 12000));
    d.sql("CREATE INDEX emb_weak ON emb USING hnsw (embedding vector_cosine_ops) WITH (m = 2, ef_construction = 4); ANALYZE emb;");
    let rows = d.fingerprint("emb");
    let before = recall_by_exact_search(&d, "<=>", "queries");
    let dir = tempfile::tempdir().unwrap();
    let contract = "collections:\n  emb:\n    probes: 200\n    min_recall: 0.99\n";
    let cfg = write_config(&dir, contract);
    let (_, check, err) = d.json(&["--config", &cfg, "check", "--collection", "emb"]);
    let ladder = &check["details"]["recall_ladder"];
    let p99_now = check["details"]["recall"]["latency_ms"]["p99"]
        .as_f64()
        .unwrap_or_else(|| panic!("{check:#} {err}"));
    // When some ef_search meets recall, the latency contract is set, from what
    // this host measures, between the p99 at the application's ef_search and
    // the p99 at that rung: no breadth within it meets the recall contract.
    let latency = match ladder["chosen"].as_i64() {
        None => String::new(),
        Some(chosen) => {
            let p99_wide = ladder["tried"]
                .as_array()
                .unwrap()
                .iter()
                .find(|t| t["value"] == chosen)
                .unwrap()["p99_ms"]
                .as_f64()
                .unwrap();
            assert!(
                p99_wide > 2.0 * p99_now,
                "ef_search {chosen} is not slow enough here to build the case: {p99_now} vs {p99_wide} ms"
            );
            format!("    max_latency_ms: {:.3}\n", (p99_now * p99_wide).sqrt())
        }
    };
    let cfg = write_config(
        &dir,
        // a fresh check under the new contract (not the one just stored)
        &format!(
            "{contract}{latency}plan:\n  cooldown_secs: 0\ndiagnose:\n  max_observation_age_secs: 0\n"
        ),
    );
    let (code, v, err) = d.json(&["--config", &cfg, "heal", "--collection", "emb", "--yes"]);
    let r = v["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["playbook"] == "rebuild_and_swap")
        .unwrap_or_else(|| panic!("{v:#} {err}"));
    assert_eq!(r["status"], "succeeded", "{r:#} {err}");
    assert!(code <= 1, "{v:#}");
    assert!(
        v["repairs"]
            .as_array()
            .unwrap()
            .iter()
            .all(|r| r["playbook"] != "reindex_concurrently"
                && r["playbook"] != "tune_search_params"),
        "{latency} {v:#}"
    );
    // the plan says what sized it
    let reason: String = d
        .client()
        .query_one(
            "SELECT reason FROM ruvheal.plans WHERE playbook = 'rebuild_and_swap'",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(reason.contains("trial builds over"), "{reason}");
    let after = recall_by_exact_search(&d, "<=>", "queries");
    assert!(
        after >= 0.99 - 0.02,
        "recall by exact search {before:.3} -> {after:.3}"
    );
    assert!(after > before, "{before:.3} -> {after:.3}");
    let ix = hnsw_indexes(&d);
    assert_eq!(ix.len(), 1, "{ix:?}");
    assert_eq!(
        ix[0].0, "emb_weak",
        "renamed into the old one's place: {ix:?}"
    );
    // stronger than the weak build (the heal's own trial builds sized it)
    let built: Vec<i64> = ix[0]
        .1
        .split(',')
        .filter_map(|o| o.split_once('=').and_then(|(_, v)| v.parse().ok()))
        .collect();
    assert!(built.len() == 2 && built[0] > 2 && built[1] > 4, "{ix:?}");
    assert_eq!(d.fingerprint("emb"), rows);
    assert!(
        database_settings(&d)
            .iter()
            .all(|s| !s.starts_with("ivfflat.")),
        "{:?}",
        database_settings(&d)
    );
}

#[test]
fn a_new_index_that_is_not_better_is_dropped_and_the_old_one_stays() {
    let d = db();
    d.sql(&random_sql(3000, 32));
    d.sql("CREATE INDEX emb_good ON emb USING hnsw (embedding vector_l2_ops) WITH (m = 16, ef_construction = 64); ANALYZE emb;");
    let rows = d.fingerprint("emb");
    // A rebuild_and_swap whose build options cannot be sized (the planner fills
    // m and ef_construction, not these): it builds a graph weaker than the old.
    let dir = tempfile::tempdir().unwrap();
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/rebuild_and_swap.yaml"),
    )
    .unwrap();
    let weak = bundled
        .replace("  m:\n", "  weak_m:\n")
        .replace("  ef_construction:\n", "  weak_ef_construction:\n")
        .replace("default: 16\n", "default: 4\n")
        .replace("default: 64\n", "default: 8\n")
        .replace("number(m)", "number(weak_m)")
        .replace("number(ef_construction)", "number(weak_ef_construction)");
    assert!(weak.contains("number(weak_m)") && weak.contains("default: 4\n"));
    let books = dir.path().join("books");
    std::fs::create_dir(&books).unwrap();
    std::fs::write(books.join("rebuild_and_swap.yaml"), weak).unwrap();
    // A contract the search setting cannot be raised for (disabled), so the rebuild is planned.
    let cfg = write_config(
        &dir,
        "collections:\n  emb:\n    min_recall: 0.9999\nplan:\n  cooldown_secs: 0\n  disabled: [tune_search_params, reindex_concurrently]\n",
    );
    let books = books.to_str().unwrap();
    let (_, v, err) = d.json(&[
        "--config",
        &cfg,
        "repair",
        "--collection",
        "emb",
        "--playbooks",
        books,
        "--yes",
    ]);
    let r = v["repairs"]
        .as_array()
        .unwrap()
        .iter()
        .find(|r| r["playbook"] == "rebuild_and_swap")
        .unwrap_or_else(|| panic!("{v:#} {err}"));
    assert_ne!(r["status"], "succeeded", "{r:#}");
    let gate = r["steps"]
        .as_array()
        .unwrap()
        .iter()
        .find(|s| s["name"] == "measure_new_index")
        .unwrap_or_else(|| panic!("{r:#}"));
    assert_eq!(gate["status"], "failed", "{gate:#}");
    assert!(
        gate["error"]
            .as_str()
            .unwrap()
            .contains("does not meet the contract better"),
        "{gate:#}"
    );
    // the old index serves on, the new one is gone
    assert_eq!(
        hnsw_indexes(&d),
        vec![(
            "emb_good".to_string(),
            "m=16,ef_construction=64".to_string()
        )]
    );
    assert_eq!(d.fingerprint("emb"), rows);
}
