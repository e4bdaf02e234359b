//! A VACUUM that cannot clean: a young session's snapshot keeps the dead rows.
//! `check` reads the heap to tell, names the session, and the plan ends it
//! (after approval) and vacuums again.

use std::time::Duration;

use crate::harness::{TestDb, clustered_table_sql, db};

fn dead_tuples(d: &TestDb) -> i64 {
    d.client()
        .query_one(
            "SELECT n_dead_tup FROM pg_stat_user_tables WHERE relid = 'emb'::regclass",
            &[],
        )
        .unwrap()
        .get(0)
}

#[test]
fn a_young_snapshot_older_than_the_deletes_is_named_ended_and_the_vacuum_then_cleans() {
    let d = db();
    d.sql(&clustered_table_sql("emb", 3000, 8, 10));
    d.sql("ALTER TABLE emb SET (autovacuum_enabled = off); CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb");
    let mut holder = d.client();
    let pid: i32 = holder
        .query_one("SELECT pg_backend_pid()", &[])
        .unwrap()
        .get(0);
    holder
        .batch_execute(
            "SET application_name = 'young-reader'; BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM emb;",
        )
        .unwrap();
    d.sql("DELETE FROM emb WHERE id % 5 <> 0");
    std::thread::sleep(Duration::from_secs(2));
    // Measured: VACUUM removes none of the 2,400 dead rows while the snapshot lives.
    d.sql("VACUUM emb");
    let held = dead_tuples(&d);
    assert!(held >= 2300, "dead rows after a blocked VACUUM: {held}");
    let rows = d.fingerprint("emb");

    // Default thresholds (60 s idle, 300 s open): the session is seconds old.
    let (code, v, err) = d.diagnose_json("emb", &["--fresh"]);
    assert!(code >= 1, "{v:#} {err}");
    let problems = v["problems"].as_array().unwrap();
    let contention = problems
        .iter()
        .find(|p| p["class"] == "maintenance_contention")
        .unwrap_or_else(|| panic!("no contention problem: {v:#}"));
    let session = &contention["evidence"]["sessions"][0];
    assert_eq!(session["pid"], pid, "{contention:#}");
    assert_eq!(session["application_name"], "young-reader");
    assert_eq!(session["state"], "idle in transaction");
    assert!(
        session["query"].as_str().unwrap().contains("count(*)"),
        "{session:#}"
    );
    assert!(
        contention["root_cause"]
            .as_str()
            .unwrap()
            .contains(&format!("session {pid}")),
        "{contention:#}"
    );

    // The plan ends that session, after approval; the VACUUM it would not let
    // clean is not planned on its own.
    let (code, v, err) = d.json(&["plan", "--collection", "emb"]);
    assert_eq!(code, 1, "{v:#} {err}");
    let plans = v["plans"].as_array().unwrap();
    assert_eq!(plans.len(), 1, "{v:#}");
    let plan = &plans[0];
    assert_eq!(plan["playbook"], "cancel_blocking_sessions", "{v:#}");
    assert_eq!(plan["status"], "awaiting_approval", "{v:#}");
    let steps = serde_json::to_string(&plan["steps"]).unwrap();
    assert!(
        steps.contains(&format!("OPERATOR(pg_catalog.=) {pid}\\n")),
        "{steps}"
    );
    let bloat = v["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["class"] == "dead_tuple_bloat")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert!(
        bloat["reason"]
            .as_str()
            .unwrap()
            .contains("maintenance_contention"),
        "{bloat:#}"
    );
    // Nothing ran yet.
    assert!(holder.is_valid(Duration::from_secs(2)).is_ok());

    let id = plan["plan_id"].as_i64().unwrap().to_string();
    assert_eq!(d.json(&["approve", &id]).0, 0);
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--plan", &id, "--yes"]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["status"], "succeeded", "{v:#}");
    assert!(
        holder.is_valid(Duration::from_secs(2)).is_err(),
        "the holder was ended"
    );
    let left = dead_tuples(&d);
    assert!(
        left < 100,
        "the second VACUUM removed the dead rows: {left} left"
    );
    assert_eq!(d.fingerprint("emb"), rows, "no committed row changed");
}
