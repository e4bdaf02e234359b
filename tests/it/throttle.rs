//! `throttle_ingestion` takes the writer role from the sessions writing the
//! table, keeps that role's current connection limit for its undo, and is
//! blocked with a reason (never exit 3) when no writer is known.

use std::time::Duration;

use postgres::{Client, NoTls};

use crate::harness::{TestDb, db};

/// Starts `sql` on a new session of `url`; it waits behind the holder's lock.
fn waiting(url: String, sql: &'static str) -> std::thread::JoinHandle<()> {
    std::thread::spawn(move || {
        let mut c = Client::connect(&url, NoTls).unwrap();
        let _ = c.batch_execute(sql);
    })
}

fn wait_for_lock_waits(d: &TestDb, n: i64) {
    for _ in 0..100 {
        let w: i64 = d
            .client()
            .query_one(
                "SELECT count(*) FROM pg_locks WHERE relation = 'emb'::regclass AND NOT granted",
                &[],
            )
            .unwrap()
            .get(0);
        if w >= n {
            return;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    panic!("no session waits for emb");
}

#[test]
fn the_writer_comes_from_pg_stat_activity_and_an_unknown_one_blocks_the_plan() {
    let d = db();
    // Built without an INSERT statement, so pg_stat_statements records no writer.
    d.sql(
        "CREATE TABLE emb AS SELECT g AS id, (SELECT array_agg(sin(g * 7 + x * 0.37) + random() - 0.5)::vector(8)
           FROM generate_series(1, 8) x WHERE g > 0) AS embedding FROM generate_series(1, 2000) g;
         CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;",
    );
    let role = format!("w_{}", d.name);
    d.sql(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN CONNECTION LIMIT 7; GRANT INSERT ON emb TO {role}"
    ));
    let mut holder = d.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE emb IN SHARE MODE")
        .unwrap();
    // 1. A session waits, but not writing: no writer is known.
    let locker = waiting(
        d.url.clone(),
        "SET lock_timeout = '60s'; LOCK TABLE emb IN ROW EXCLUSIVE MODE",
    );
    wait_for_lock_waits(&d, 1);
    let (code, v, err) = d.json(&["plan", "--collection", "emb"]);
    assert_eq!(code, 0, "not exit 3: {v:#} {err}");
    let b = v["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["class"] == "hotspot_congestion")
        .unwrap_or_else(|| panic!("{v:#}"));
    let reason = b["reason"].as_str().unwrap();
    assert!(
        reason.contains("throttle_ingestion") && reason.contains("writer_role is unknown"),
        "{reason}"
    );
    // 2. The writer role's INSERT waits: it is the one throttled.
    let writer_url = d.url.replacen("postgres@", &format!("{role}@"), 1);
    assert_ne!(writer_url, d.url);
    let insert = waiting(
        writer_url,
        "SET lock_timeout = '60s'; INSERT INTO emb (id, embedding) VALUES (0, '[1,2,3,4,5,6,7,8]')",
    );
    wait_for_lock_waits(&d, 2);
    let (code, v, err) = d.json(&["plan", "--collection", "emb"]);
    assert_eq!(code, 1, "waits for approval: {v:#} {err}");
    let p = v["plans"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["playbook"] == "throttle_ingestion")
        .unwrap_or_else(|| panic!("{v:#}"));
    assert_eq!(p["status"], "awaiting_approval");
    let steps = serde_json::to_string(&p["steps"]).unwrap();
    assert!(
        steps.contains(&format!("ALTER ROLE \\\"{role}\\\" CONNECTION LIMIT 5")),
        "{steps}"
    );
    assert!(
        steps.contains(&format!("ALTER ROLE \\\"{role}\\\" CONNECTION LIMIT 7")),
        "the undo restores the limit in force: {steps}"
    );
    holder.batch_execute("COMMIT").unwrap();
    locker.join().unwrap();
    insert.join().unwrap();
    drop(holder);
    d.sql(&format!(
        "REVOKE ALL ON emb FROM {role}; DROP OWNED BY {role}; DROP ROLE {role}"
    ));
}
