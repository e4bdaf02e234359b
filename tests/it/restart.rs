//! The server crashes and restarts while a repair builds an index: on a private
//! cluster from `scripts/postgres scratch` (the shared test server is never
//! crashed). The cut-short repair fails with a clear error, not a panic; the
//! next run cleans what it left; a later repair succeeds; rows never change.

use std::time::Duration;

use postgres::{Client, NoTls};

use crate::harness::{
    clustered_table_sql, fingerprint, first_repair_status, index_build_pid, invalid_indexes_on_emb,
    run, write_config,
};
use crate::scratch::{Scratch, crash_restart};

#[test]
fn a_server_crash_mid_build_is_cleaned_by_the_next_run_and_the_repair_then_succeeds() {
    let s = Scratch::start("crash", &[]);
    s.client()
        .batch_execute(&format!(
            "{} ANALYZE emb;",
            clustered_table_sql("emb", 30000, 32, 20)
        ))
        .unwrap();
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &dir,
        "check:\n  missing_index_rows: 1000\ncollections:\n  emb:\n    distance: l2\n",
    );
    let (code, _, err) = run(s
        .cmd()
        .args(["--config", &cfg, "check", "--collection", "emb"]));
    assert_eq!(code, 1, "a large collection without an index warns: {err}");
    let rows = fingerprint(&mut s.client(), "emb");

    let (url, name) = (s.url.clone(), s.name.clone());
    let crasher = std::thread::spawn(move || {
        let mut c = Client::connect(&url, NoTls).unwrap();
        for _ in 0..400 {
            if index_build_pid(&mut c).is_some() {
                crash_restart(&name);
                return true;
            }
            std::thread::sleep(Duration::from_millis(25));
        }
        false
    });
    let (code, out, err) =
        run(s
            .cmd()
            .args(["--config", &cfg, "repair", "--collection", "emb", "--yes"]));
    assert!(crasher.join().unwrap(), "the build never started");
    assert_ne!(code, 0, "{out} {err}");
    assert!(!err.contains("panicked"), "{err}");
    assert!(
        err.contains("repair") && err.to_lowercase().contains("connection"),
        "the error says the repair lost its connection: {err}"
    );

    // The server is back with the record still `running`: nobody could mark it.
    let mut c = s.client();
    assert_eq!(first_repair_status(&mut c), "running");
    // status (read-only) tells it apart from a live repair.
    let (code, v, err) = s.json(&["status"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["running"][0]["cut_short"], true, "{v:#}");
    let (_, text, _) = run(s.cmd().args(["status"]));
    assert!(text.contains("cut short (nobody holds its lock)"), "{text}");
    // check, read-only, reports it and leaves it be.
    let (code, _, err) = run(s
        .cmd()
        .args(["--config", &cfg, "check", "--collection", "emb"]));
    assert_eq!(
        code, 2,
        "the INVALID index the crash left is critical: {err}"
    );
    assert!(err.contains("cut short"), "{err}");
    assert_eq!(first_repair_status(&mut c), "running");
    assert_eq!(invalid_indexes_on_emb(&mut c), 1, "check drops nothing");
    // The next run of a command that may act (here diagnose) finds nobody
    // holding its lock, drops what the concurrent build left, marks it interrupted.
    let (code, _, err) = run(s
        .cmd()
        .args(["--config", &cfg, "diagnose", "--collection", "emb"]));
    assert!(code < 3, "{err}");
    assert_eq!(first_repair_status(&mut c), "interrupted");
    assert_eq!(invalid_indexes_on_emb(&mut c), 0);
    let cleanups: i64 = c
        .query_one(
            "SELECT count(*) FROM ruvheal.audit_log WHERE action = 'cleanup'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(cleanups, 1);

    // The cut-short attempt counts: the collection cools down after it.
    let (code, out, err) =
        run(s
            .cmd()
            .args(["--config", &cfg, "repair", "--collection", "emb", "--yes"]));
    assert_eq!(code, 0, "{err}");
    assert!(out.contains("cooling down"), "{out}");
    // Past the cooldown (here: none), a repair builds the index; rows unchanged.
    let cfg = write_config(
        &dir,
        "check:\n  missing_index_rows: 1000\nplan:\n  cooldown_secs: 0\ncollections:\n  emb:\n    distance: l2\n",
    );
    let (code, out, err) =
        run(s
            .cmd()
            .args(["--config", &cfg, "repair", "--collection", "emb", "--yes"]));
    assert_eq!(code, 0, "{out} {err}");
    let valid: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_index WHERE indrelid = 'emb'::regclass AND indisvalid
                AND indexrelid::regclass::text <> 'emb_pkey'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(valid, 1);
    assert_eq!(invalid_indexes_on_emb(&mut c), 0);
    assert_eq!(fingerprint(&mut c, "emb"), rows);
    assert_eq!(run(s.cmd().args(["audit", "verify"])).0, 0);
}
