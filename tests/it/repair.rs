//! `ruvheal repair`, `rollback`, `heal` on real faults: dry runs change nothing,
//! repairs bring the contract back without touching rows, rollbacks restore,
//! one repair per collection, a killed repair is cleaned up.

use std::time::Duration;

use crate::harness::{
    TestDb, clustered_table_sql, db, first_repair_status, index_build_pid, invalid_indexes_on_emb,
    mass_deleted_without_vacuum, run, write_config,
};

fn ef_search_fault() -> TestDb {
    let d = db();
    d.hnsw_collection(3000, 10);
    d.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", d.name));
    d
}

fn db_setting(d: &TestDb) -> Option<String> {
    d.client()
        .query_opt(
            "SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting s
               JOIN pg_database db ON db.oid = s.setdatabase WHERE db.datname = current_database() AND s.setrole = 0",
            &[],
        )
        .unwrap()
        .map(|r| r.get(0))
}

#[test]
fn dry_run_changes_nothing_and_scripts_need_yes() {
    let d = ef_search_fault();
    let before = (d.fingerprint("emb"), db_setting(&d));
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--dry-run"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(v["dry_run"], true);
    let sql = serde_json::to_string(&v["plans"]).unwrap();
    assert!(sql.contains("ALTER DATABASE"), "{v:#}");
    let (code, out, _) = run(d.cmd().args(["repair", "--collection", "emb", "--dry-run"]));
    assert_eq!(code, 0);
    assert!(out.contains("nothing was changed"), "{out}");
    // not a terminal and no --yes: refused
    let (code, _, err) = run(d.cmd().args(["repair", "--collection", "emb"]));
    assert_eq!(code, 64, "{err}");
    assert!(err.contains("--yes"), "{err}");
    assert_eq!((d.fingerprint("emb"), db_setting(&d)), before);
    let n: i64 = d
        .client()
        .query_one("SELECT count(*) FROM ruvheal.repairs", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "no repair was recorded");
}

#[test]
fn a_repair_restores_recall_keeps_rows_and_rolls_back() {
    let d = ef_search_fault();
    let rows = d.fingerprint("emb");
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--yes"]);
    assert_eq!(code, 0, "{v:#} {err}");
    let r = &v["repairs"][0];
    assert_eq!(r["playbook"], "tune_search_params");
    assert_eq!(r["status"], "succeeded", "{r:#}");
    assert!(r["improvement"].as_f64().unwrap() > 0.1, "{r:#}");
    assert_eq!(d.fingerprint("emb"), rows, "no row changed");
    assert!(
        !db_setting(&d).unwrap().contains("hnsw.ef_search=5"),
        "{:?}",
        db_setting(&d)
    );
    // the contract holds again
    let (code, report, _) = d.check_json("emb", &[]);
    assert_eq!(code, 0, "{report:#}");
    // an outcome was recorded; the audit chain holds
    let n: i64 = d
        .client()
        .query_one("SELECT count(*) FROM ruvheal.outcomes WHERE verified", &[])
        .unwrap()
        .get(0);
    assert_eq!(n, 1);
    assert_eq!(run(d.cmd().args(["audit", "verify"])).0, 0);
    // rollback restores the old value; twice is harmless
    let (code, v, err) = d.json(&["rollback", "--collection", "emb", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert!(!v["undone"].as_array().unwrap().is_empty(), "{v:#}");
    assert!(
        db_setting(&d).unwrap().contains("hnsw.ef_search=5"),
        "{:?}",
        db_setting(&d)
    );
    let (code, v, _) = d.json(&["rollback", "--collection", "emb", "--yes"]);
    assert_eq!((code, v["already"].as_bool()), (0, Some(true)));
    assert_eq!(d.fingerprint("emb"), rows);
}

#[test]
fn a_repair_that_does_not_help_is_rolled_back() {
    let d = ef_search_fault();
    // A playbook whose change cannot improve recall: it sets an unrelated setting.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("tune_search_params.yaml"),
        r#"name: tune_search_params
description: a deliberately useless override, to test verification
handles: [recall_degradation]
impact: 0.01
reversible: true
requires_approval: false
timeout: 1m
steps:
  - name: useless
    do:
      kind: set_setting
      scope: database
      setting: work_mem
      value: "{{ literal(work_mem) }}"
params:
  work_mem:
    type: string
    default: 8MB
    description: anything
verify:
  improves:
    metric: recall.at_k
    direction: increase
"#,
    )
    .unwrap();
    let (code, v, err) = d.json(&[
        "repair",
        "--collection",
        "emb",
        "--yes",
        "--playbooks",
        dir.path().to_str().unwrap(),
    ]);
    assert_eq!(code, 2, "{v:#} {err}");
    let r = &v["repairs"][0];
    assert_eq!(r["status"], "rolled_back", "{r:#}");
    assert_eq!(r["steps"][0]["status"], "undone");
    assert!(
        !db_setting(&d).unwrap_or_default().contains("work_mem"),
        "{:?}",
        db_setting(&d)
    );
}

#[test]
fn a_second_runner_exits_75() {
    let d = ef_search_fault();
    let _held = ruvheal::repair::lock::CollectionLock::acquire(d.client(), "public.emb").unwrap();
    let (code, _, err) = run(d.cmd().args(["repair", "--collection", "emb", "--yes"]));
    assert_eq!(code, 75, "{err}");
    assert!(err.contains("another ruvheal"), "{err}");
}

#[test]
fn a_killed_repair_is_found_and_cleaned_up() {
    let d = db();
    d.sql(&clustered_table_sql("emb", 30000, 32, 20));
    d.sql("ANALYZE emb");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &dir,
        "check:\n  missing_index_rows: 1000\ncollections:\n  emb:\n    distance: l2\n",
    );
    run(d
        .cmd()
        .args(["--config", &cfg, "check", "--collection", "emb"])); // state schema first
    let mut child = d
        .background(&[
            "--config",
            &cfg,
            "repair",
            "--collection",
            "emb",
            "--yes",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::null())
        .spawn()
        .unwrap();
    // wait until the concurrent build is running, then SIGKILL the process
    let mut c = d.client();
    let mut building = false;
    for _ in 0..200 {
        if index_build_pid(&mut c).is_some() {
            building = true;
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
    assert!(building, "the index build never started");
    child.kill().unwrap();
    child.wait().unwrap();
    // the server notices the dead client and cancels the build (leaving an INVALID index)
    for _ in 0..100 {
        if index_build_pid(&mut c).is_none() {
            break;
        }
        std::thread::sleep(Duration::from_millis(100));
    }
    assert_eq!(
        first_repair_status(&mut c),
        "running",
        "the killed run left its record"
    );
    // check is read-only: it reports the cut-short repair and leaves it be
    let (code, _, err) = run(d
        .cmd()
        .args(["--config", &cfg, "check", "--collection", "emb"]));
    assert!(code < 3, "{err}");
    assert!(err.contains("cut short"), "{err}");
    assert_eq!(first_repair_status(&mut c), "running");
    assert_eq!(invalid_indexes_on_emb(&mut c), 1, "check drops nothing");
    // the next command that may act cleans up after it
    let (code, _, err) = run(d
        .cmd()
        .args(["--config", &cfg, "diagnose", "--collection", "emb"]));
    assert!(code < 3, "{err}");
    assert!(err.contains("cut short"), "{err}");
    assert_eq!(first_repair_status(&mut c), "interrupted");
    assert_eq!(
        invalid_indexes_on_emb(&mut c),
        0,
        "the half-built index is gone"
    );
    assert_eq!(d.fingerprint("emb").0, 30000);
}

#[test]
fn heal_runs_the_cycle_then_cools_down() {
    let d = db();
    mass_deleted_without_vacuum(&d);
    let rows = d.fingerprint("emb");
    let prom = tempfile::tempdir().unwrap();
    let path = prom.path().join("heal.prom");
    let (code, v, err) = d.json(&[
        "heal",
        "--collection",
        "emb",
        "--yes",
        "--prometheus-textfile",
        path.to_str().unwrap(),
    ]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["playbook"], "vacuum_collection");
    assert_eq!(v["repairs"][0]["status"], "succeeded");
    assert_eq!(d.fingerprint("emb"), rows);
    let text = std::fs::read_to_string(&path).unwrap();
    assert!(text.contains("ruvheal_heal_repair_success{collection=\"public.emb\",strategy=\"vacuum_collection\"} 1"), "{text}");
    // right after, the collection cools down: nothing runs
    // half the rows left: a dead-tuple share well past the warning line
    d.sql("DELETE FROM emb WHERE id % 5 = 3; ANALYZE emb;");
    let (code, v, _) = d.json(&["heal", "--collection", "emb", "--yes"]);
    assert_eq!(v["repairs"], serde_json::json!([]), "{v:#}");
    // heal's exit status says what is left: the problem waits out the cooldown.
    assert!(code >= 1, "heal exited 0 with a problem left: {v:#}");
    assert!(
        v["unrepaired"].to_string().contains("cooling down"),
        "{v:#}"
    );
    assert!(
        serde_json::to_string(&v["blocked"])
            .unwrap()
            .contains("cooling down"),
        "{v:#}"
    );
}
