//! `kill -9` of ruvheal while the *second* step of a repair builds an index.
//! The first step (a non-transactional DROP INDEX CONCURRENTLY) used to end with
//! `RESET ALL`, which wiped `client_connection_check_interval`: the orphaned
//! CREATE INDEX CONCURRENTLY then ran on for seconds, holding the collection
//! lock, and the plan stayed `running` forever. Now the server cancels it within
//! about a second, and the next run ends every record and cleans up.

use std::time::{Duration, Instant};

use crate::harness::{db, index_build_pid, invalid_indexes_on_emb, run, within};

#[test]
fn a_kill_during_the_second_steps_build_stops_it_and_ends_every_record() {
    let d = db();
    d.sql(&crate::harness::clustered_table_sql("emb", 40000, 32, 20));
    d.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    let mut c = d.client();
    c.batch_execute("SET statement_timeout = '50ms'").unwrap();
    c.batch_execute(
        "CREATE INDEX CONCURRENTLY emb_slow ON emb USING hnsw (embedding vector_cosine_ops)",
    )
    .unwrap_err();
    c.batch_execute("RESET statement_timeout").unwrap();
    let rows = d.fingerprint("emb");
    run(d.cmd().args(["check", "--collection", "emb"])); // state schema first
    let mut child = d
        .background(&["repair", "--collection", "emb", "--yes", "-q"])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // Step 1 drops the INVALID emb_slow; step 2 rebuilds it concurrently.
    let second_step_builds = within(Duration::from_secs(60), || {
        index_build_pid(&mut c).is_some()
            && c.query_one(
                "SELECT count(*) = 1 FROM ruvheal.repair_steps WHERE name = 'rebuild' AND status = 'running'",
                &[],
            )
            .unwrap()
            .get::<_, bool>(0)
    });
    assert!(second_step_builds, "the second step's build never started");
    child.kill().unwrap();
    child.wait().unwrap();
    let killed = Instant::now();
    assert!(
        within(Duration::from_secs(3), || index_build_pid(&mut c).is_none()),
        "the orphaned build ran on for more than 3 s after the kill"
    );
    let stopped_after = killed.elapsed();
    // The next run ends every record and cleans what the build left.
    let (code, out, err) = run(d.cmd().args(["repair", "--collection", "emb", "--yes"]));
    assert!(code < 3, "{out} {err}");
    let statuses: Vec<(String, String)> = c
        .query(
            "SELECT p.status, r.status FROM ruvheal.plans p JOIN ruvheal.repairs r ON r.plan_id = p.id
              ORDER BY r.id LIMIT 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        statuses,
        [("interrupted".to_string(), "interrupted".to_string())],
        "stopped {stopped_after:?} after the kill"
    );
    let running: i64 = c
        .query_one(
            "SELECT (SELECT count(*) FROM ruvheal.plans WHERE status = 'running')
                  + (SELECT count(*) FROM ruvheal.repairs WHERE status = 'running')
                  + (SELECT count(*) FROM ruvheal.repair_steps WHERE status = 'running')",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(running, 0, "a record was left running");
    assert_eq!(
        invalid_indexes_on_emb(&mut c),
        0,
        "an INVALID index is left"
    );
    assert_eq!(d.fingerprint("emb"), rows);
    assert_eq!(run(d.cmd().args(["audit", "verify"])).0, 0);
    d.sql("INSERT INTO emb (embedding) SELECT embedding FROM emb LIMIT 10");
}
