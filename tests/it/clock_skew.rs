//! A client whose clock is wrong decides nothing: ruvheal runs under libfaketime
//! (Debian package `faketime`) a day or two off, and the cooldown, the attempt
//! cap and the choice of the latest observation still follow the server's clock.

use std::path::Path;

use assert_cmd::Command;

use crate::harness::{TestDb, clustered_table_sql, db, run, run_json, write_config};

const LIBFAKETIME: &str = "/usr/lib/x86_64-linux-gnu/faketime/libfaketime.so.1";

/// `cmd` with its wall clock moved by `offset` (`+1d`, `-1d`); `None` (after
/// printing why) where libfaketime is not installed.
fn skewed(mut cmd: Command, offset: &str, test: &str) -> Option<Command> {
    if !Path::new(LIBFAKETIME).exists() {
        println!("SKIPPED {test}: libfaketime not found (apt-get install faketime)");
        return None;
    }
    cmd.env("LD_PRELOAD", LIBFAKETIME)
        .env("FAKETIME", offset)
        .env("FAKETIME_DONT_FAKE_MONOTONIC", "1")
        .env("FAKETIME_DONT_RESET", "1");
    Some(cmd)
}

/// A table with an HNSW index and no autovacuum.
fn collection(d: &TestDb) {
    d.sql(&clustered_table_sql("emb", 4000, 8, 10));
    d.sql(
        "ALTER TABLE emb SET (autovacuum_enabled = off);
         CREATE INDEX ON emb USING hnsw (embedding vector_cosine_ops); ANALYZE emb;",
    );
}

#[test]
fn a_check_from_a_clock_a_day_fast_is_not_the_latest_forever() {
    let d = db();
    collection(&d);
    let Some(mut fast) = skewed(d.cmd(), "+1d", "clock_skew::latest") else {
        return;
    };
    // The skewed client really sees tomorrow.
    let (code, _, err) = run(fast.args(["check", "--collection", "emb"]));
    assert_eq!(code, 0, "{err}");
    let mut c = d.client();
    let off: f64 = c
        .query_one(
            "SELECT abs(extract(epoch FROM now() - observed_at))::float8
               FROM ruvheal.observations ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(
        off < 600.0,
        "the observation carries the client's clock ({off} s off)"
    );
    // Now the collection degrades and a correct clock checks it.
    d.sql("DELETE FROM emb WHERE id % 5 < 3; ANALYZE emb;");
    let (code, _, err) = run(d.cmd().args(["check", "--collection", "emb"]));
    assert!(code >= 1, "{err}");
    let (code, v, err) = run_json(&mut d.cmd(), &["diagnose", "--collection", "emb"]);
    assert!(code >= 1, "diagnose used a stale observation: {v:#} {err}");
    assert!(
        v.to_string().contains("dead_tuple_bloat"),
        "diagnose did not see the latest observation: {v:#}"
    );
}

#[test]
fn the_attempt_cap_holds_for_a_client_two_days_fast() {
    let d = db();
    collection(&d);
    d.sql("DELETE FROM emb WHERE id % 5 < 3; ANALYZE emb;");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(&dir, "plan:\n  cooldown_secs: 0\n  max_attempts: 1\n");
    let heal = |d: &TestDb| {
        let mut cmd = skewed(d.cmd(), "+2d", "clock_skew::cap")?;
        cmd.args(["--config", &cfg]);
        Some(run_json(
            &mut cmd,
            &["heal", "--collection", "emb", "--yes"],
        ))
    };
    let Some((code, v, err)) = heal(&d) else {
        return;
    };
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["status"], "succeeded", "{v:#}");
    // Degraded again: the one attempt of the 24 h window is spent.
    // half the rows left: a dead-tuple share well past the warning line
    d.sql("DELETE FROM emb WHERE id % 5 = 3; ANALYZE emb;");
    let (code, v, err) = heal(&d).unwrap();
    assert_eq!(
        v["repairs"],
        serde_json::json!([]),
        "the cap was passed: {v:#}"
    );
    assert!(
        v["unrepaired"].to_string().contains("cap"),
        "no reason given: {v:#}"
    );
    assert!(code >= 1, "heal exited 0 with a problem left: {err}");
    let mut c = d.client();
    let n: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.repairs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
}
