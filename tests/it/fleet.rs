//! `--all` takes every collection on its own: one whose check fails and one
//! whose lock another ruvheal holds are reported against themselves, with their
//! exit codes, and the collection after them is still checked and healed.

use crate::harness::{TestDb, clustered_table_sql, db, run, write_config};

/// `a_broken` (its probe table does not exist), `b_locked`, `c_ok`; every
/// collection's recall is low (`hnsw.ef_search` = 5 for the database).
fn three(d: &TestDb) -> (tempfile::TempDir, String) {
    for t in ["a_broken", "b_locked", "c_ok"] {
        d.sql(&clustered_table_sql(t, 2000, 8, 10));
        d.sql(&format!(
            "CREATE INDEX {t}_hnsw ON {t} USING hnsw (embedding vector_l2_ops); ANALYZE {t};"
        ));
    }
    d.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", d.name));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(
        &dir,
        "collections:\n  public.a_broken:\n    query_table: public.no_such_queries\n",
    );
    (dir, config)
}

/// Another ruvheal's lock on `collection`, held while the returned client lives.
fn hold_lock(d: &TestDb, collection: &str) -> postgres::Client {
    let mut c = d.client();
    let got: bool = c
        .query_one(
            "SELECT pg_try_advisory_lock(hashtextextended($1, 0))",
            &[&format!("ruvheal.repair:{collection}")],
        )
        .unwrap()
        .get(0);
    assert!(got);
    c
}

fn errors(v: &serde_json::Value) -> Vec<(String, i64)> {
    v["errors"]
        .as_array()
        .unwrap_or_else(|| panic!("no errors array: {v:#}"))
        .iter()
        .map(|e| {
            assert!(!e["error"].as_str().unwrap().is_empty());
            (
                e["collection"].as_str().unwrap().to_string(),
                e["exit"].as_i64().unwrap(),
            )
        })
        .collect()
}

#[test]
fn all_goes_on_past_a_broken_and_a_locked_collection() {
    let d = db();
    let (_dir, config) = three(&d);
    let _held = hold_lock(&d, "public.b_locked");

    // check takes no lock: a_broken fails (3), the other two are measured
    let (code, v, err) = d.json(&["--config", &config, "check", "--all"]);
    assert_eq!(code, 3, "{v:#} {err}");
    assert_eq!(errors(&v), [("public.a_broken".to_string(), 3)]);
    let checked: Vec<&str> = v["checks"]
        .as_array()
        .unwrap()
        .iter()
        .map(|c| c["collection"].as_str().unwrap())
        .collect();
    assert_eq!(checked, ["public.b_locked", "public.c_ok"]);
    assert!(err.contains("public.a_broken"), "{err}");

    // the table output names the failure too
    let (code, out, _) = run(d.cmd().args(["--config", &config, "diagnose", "--all"]));
    assert_eq!(code, 3);
    let row = out
        .lines()
        .find(|l| l.contains("public.a_broken"))
        .unwrap_or_else(|| panic!("{out}"));
    assert!(
        row.contains('3') && row.contains("no_such_queries"),
        "{row}"
    );

    // heal: a_broken fails (3), b_locked is held (75), c_ok is still repaired
    let (code, v, err) = d.json(&["--config", &config, "heal", "--all", "--yes"]);
    assert_eq!(
        errors(&v),
        [
            ("public.a_broken".to_string(), 3),
            ("public.b_locked".to_string(), 75)
        ],
        "{v:#} {err}"
    );
    let repairs = v["repairs"].as_array().unwrap();
    assert_eq!(repairs.len(), 1, "{v:#}");
    assert_eq!(repairs[0]["collection"], "public.c_ok");
    let ran = repairs[0]["repairs"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(!ran.is_empty(), "c_ok was repaired: {v:#}");
    assert_eq!(code, 3, "the worst: 3 over 75 and 0");
    let repaired: i64 = d
        .client()
        .query_one(
            "SELECT count(*) FROM ruvheal.repairs r JOIN ruvheal.collections c ON c.id = r.collection_id
              WHERE c.table_name = 'c_ok' AND r.status = 'succeeded'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(repaired, 1);
}

#[test]
fn a_held_lock_alone_exits_75_and_the_rest_still_run() {
    let d = db();
    let (_dir, _config) = three(&d);
    d.sql("DROP TABLE a_broken");
    let _held = hold_lock(&d, "public.b_locked");
    let (code, v, err) = d.json(&["repair", "--all", "--yes", "--dry-run"]);
    // a dry run takes no lock: both would run a plan
    assert_eq!(errors(&v), [], "{v:#} {err}");
    assert_eq!(code, 0, "{v:#}");
    for r in v["repairs"].as_array().unwrap() {
        assert!(!r["plans"].as_array().unwrap().is_empty(), "{v:#}");
    }
    let (code, v, err) = d.json(&["plan", "--all"]);
    assert_eq!(errors(&v), [], "{v:#} {err}");
    assert_eq!(code, 0);
    let (code, v, err) = d.json(&["repair", "--all", "--yes"]);
    assert_eq!(errors(&v), [("public.b_locked".to_string(), 75)], "{err}");
    // c_ok verified (0), b_locked held: 75 is the worst seen
    assert_eq!(code, 75, "{v:#}");
}
