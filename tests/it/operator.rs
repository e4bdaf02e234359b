//! The operator controls: `repair --playbook NAME --param k=v` under the
//! planner's limits, `abort` of a running repair, `feedback` read by `learn`,
//! `learn.enabled: false`, and the server-wide `plan.max_concurrent_repairs`.

use std::time::Duration;

use crate::harness::{
    TestDb, clustered_table_sql, db, index_build_pid, run, run_json, within, write_config,
};

fn count(d: &TestDb, sql: &str) -> i64 {
    d.client().query_one(sql, &[]).unwrap().get(0)
}

#[test]
fn repair_playbook_runs_the_named_playbook_under_the_planners_limits() {
    let d = db();
    d.hnsw_collection(2000, 5);
    let rows = d.fingerprint("emb");
    // The dry run shows the named playbook with the operator's value.
    let (code, out, err) = run(d.cmd().args([
        "repair",
        "--collection",
        "emb",
        "--playbook",
        "reindex_concurrently",
        "--param",
        "maintenance_work_mem=32MB",
        "--dry-run",
    ]));
    assert_eq!(code, 0, "{out}{err}");
    assert!(
        out.contains("SET \"maintenance_work_mem\" = '32MB'")
            && out.contains("REINDEX INDEX CONCURRENTLY \"public\".\"emb_hnsw\""),
        "{out}"
    );
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        0
    );
    // Bad names and values: one line, exit 64, nothing planned.
    let plans = count(&d, "SELECT count(*) FROM ruvheal.plans");
    for (args, says) in [
        (
            vec!["--playbook", "no_such_book"],
            "no playbook named no_such_book",
        ),
        (
            vec![
                "--playbook",
                "reindex_concurrently",
                "--param",
                "parallel_workers=lots",
            ],
            "expected int",
        ),
        (
            vec!["--playbook", "reindex_concurrently", "--param", "nope=1"],
            "has no such parameter",
        ),
    ] {
        let mut all = vec!["repair", "--collection", "emb", "--yes"];
        all.extend(args);
        let (code, _, err) = run(d.cmd().args(&all));
        assert_eq!(code, 64, "{all:?}: {err}");
        assert!(err.contains(says), "{err}");
    }
    let (code, _, err) = run(d.cmd().args([
        "repair",
        "--all",
        "--playbook",
        "reindex_concurrently",
        "--yes",
    ]));
    assert_eq!(code, 64, "{err}");
    assert_eq!(count(&d, "SELECT count(*) FROM ruvheal.plans"), plans);

    // Approval the configuration asks for holds for a named playbook too.
    let dir = tempfile::tempdir().unwrap();
    let gated = write_config(&dir, "plan:\n  require_approval: [reindex_concurrently]\n");
    let (code, out, err) = run(d.cmd().args([
        "--config",
        &gated,
        "repair",
        "--collection",
        "emb",
        "--playbook",
        "reindex_concurrently",
        "--yes",
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        0
    );
    assert_eq!(
        count(
            &d,
            "SELECT count(*) FROM ruvheal.plans WHERE status = 'awaiting_approval' AND playbook = 'reindex_concurrently'"
        ),
        1
    );

    // Run: verified against the whole contract like any repair.
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &[
            "repair",
            "--collection",
            "emb",
            "--playbook",
            "reindex_concurrently",
            "--param",
            "parallel_workers=0",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{report} {err}");
    assert_eq!(report["repairs"][0]["status"], "succeeded", "{report}");
    assert_eq!(report["repairs"][0]["playbook"], "reindex_concurrently");
    let reason: String = d.client().query_one(
        "SELECT reason FROM ruvheal.plans WHERE id = (SELECT plan_id FROM ruvheal.repairs ORDER BY id DESC LIMIT 1)", &[],
    ).unwrap().get(0);
    assert!(reason.contains("named by the operator"), "{reason}");
    assert_eq!(d.fingerprint("emb"), rows);
    // The cooldown it started holds back the next named run: exit 1, said why.
    let (code, out, err) = run(d.cmd().args([
        "repair",
        "--collection",
        "emb",
        "--playbook",
        "reindex_concurrently",
        "--yes",
    ]));
    assert_eq!(code, 1, "{out}{err}");
    assert!(out.contains("cooling down"), "{out}");
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        1
    );
}

#[test]
fn abort_stops_a_running_reindex_undoes_it_and_records_aborted() {
    let d = db();
    d.sql(&clustered_table_sql("emb", 40000, 32, 20));
    d.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    let rows = d.fingerprint("emb");
    let oid_before: u32 = d
        .client()
        .query_one("SELECT 'emb_hnsw'::regclass::oid", &[])
        .unwrap()
        .get(0);
    run(d.cmd().args(["check", "--collection", "emb", "-q"])); // state schema first
    let child = d
        .background(&[
            "repair",
            "--collection",
            "emb",
            "--playbook",
            "reindex_concurrently",
            "--param",
            "parallel_workers=0",
            "--param",
            "maintenance_work_mem=16MB",
            "--yes",
            "-q",
        ])
        .stdout(std::process::Stdio::null())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut c = d.client();
    let building = within(Duration::from_secs(60), || {
        index_build_pid(&mut c).is_some()
            && c.query_one(
                "SELECT count(*) = 1 FROM ruvheal.repair_steps WHERE name = 'reindex' AND status = 'running'",
                &[],
            )
            .unwrap()
            .get::<_, bool>(0)
    });
    assert!(building, "the REINDEX never started");
    let repair_id: i64 = c
        .query_one(
            "SELECT id FROM ruvheal.repairs WHERE status = 'running'",
            &[],
        )
        .unwrap()
        .get(0);
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &[
            "abort",
            &repair_id.to_string(),
            "--repair",
            "--reason",
            "maintenance freeze",
            "--wait",
            "120",
        ],
    );
    assert_eq!(code, 0, "{report} {err}");
    assert_eq!(report["status"], "aborted", "{report}");
    assert_eq!(report["cancelled"], true, "{report}");
    let out = child.wait_with_output().unwrap();
    assert_eq!(
        out.status.code(),
        Some(2),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    // Nothing left behind: no INVALID copy, the old index valid and the same,
    // the rows untouched, the plan and its steps ended, the abort audited.
    assert_eq!(crate::harness::invalid_indexes_on_emb(&mut c), 0);
    let (valid, oid): (bool, u32) = c
        .query_one("SELECT i.indisvalid, i.indexrelid::oid FROM pg_index i WHERE i.indexrelid = 'emb_hnsw'::regclass", &[])
        .map(|r| (r.get(0), r.get(1)))
        .unwrap();
    assert!(valid);
    assert_eq!(oid, oid_before, "the index was not swapped");
    assert_eq!(d.fingerprint("emb"), rows);
    let (status, plan_status, reason): (String, String, Option<String>) = c
        .query_one(
            "SELECT r.status, p.status, r.abort_reason FROM ruvheal.repairs r JOIN ruvheal.plans p ON p.id = r.plan_id WHERE r.id = $1",
            &[&repair_id],
        )
        .map(|r| (r.get(0), r.get(1), r.get(2)))
        .unwrap();
    assert_eq!(
        (status.as_str(), plan_status.as_str()),
        ("aborted", "aborted")
    );
    assert_eq!(reason.as_deref(), Some("maintenance freeze"));
    assert_eq!(
        count(
            &d,
            "SELECT count(*) FROM ruvheal.repair_steps WHERE status = 'running'"
        ),
        0
    );
    assert_eq!(
        count(
            &d,
            "SELECT count(*) FROM ruvheal.audit_log WHERE action = 'abort_repair'"
        ),
        1
    );
    let (code, _, err) = run(d.cmd().args(["audit", "verify"]));
    assert_eq!(code, 0, "{err}");
    // Aborting it again: it is not running any more.
    let (code, _, err) = run(d.cmd().args(["abort", &repair_id.to_string(), "--repair"]));
    assert_eq!(code, 64, "{err}");
    assert!(
        err.contains("only a running repair can be aborted"),
        "{err}"
    );
}

#[test]
fn feedback_replaces_the_automatic_verdict_in_learn_and_learning_can_be_off() {
    let d = db();
    d.hnsw_collection(2000, 5);
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &[
            "repair",
            "--collection",
            "emb",
            "--playbook",
            "reindex_concurrently",
            "--yes",
        ],
    );
    assert_eq!(code, 0, "{report} {err}");
    let id = report["repairs"][0]["repair_id"]
        .as_i64()
        .unwrap()
        .to_string();
    let successes = |d: &TestDb| -> i64 {
        let (code, l, err) = run_json(&mut d.cmd(), &["learn"]);
        assert_eq!(code, 0, "{err}");
        l["strategies"]
            .as_array()
            .unwrap()
            .iter()
            .find(|s| s["strategy"] == "reindex_concurrently")
            .map_or(-1, |s| s["successes"].as_i64().unwrap())
    };
    assert_eq!(successes(&d), 1);
    // A human says it did harm: learn counts it as a failure.
    let (code, fb, err) = run_json(
        &mut d.cmd(),
        &["feedback", &id, "--score", "-1", "--note", "p99 doubled"],
    );
    assert_eq!(code, 0, "{err}");
    assert_eq!(fb["counts_as_success"], false, "{fb}");
    assert_eq!(successes(&d), 0);
    let note: String = d
        .client()
        .query_one(
            "SELECT feedback_note FROM ruvheal.outcomes WHERE feedback = -1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(note, "p99 doubled", "the note stays with the outcome");
    let (code, fb, err) = run_json(&mut d.cmd(), &["feedback", &id, "--score", "4"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(fb["previous"], -1, "{fb}");
    assert_eq!(successes(&d), 1);
    for bad in [
        vec!["feedback", &id, "--score", "6"],
        vec!["feedback", "999999", "--score", "3"],
    ] {
        let (code, _, err) = run(d.cmd().args(&bad));
        assert_eq!(code, 64, "{bad:?}: {err}");
    }
    let (code, _, err) = run(d.cmd().args(["audit", "verify"]));
    assert_eq!(code, 0, "{err}");

    // learn.enabled false: the report is computed, nothing is stored.
    let (code, _, err) = run(d.cmd().args(["feedback", &id, "--score", "0"]));
    assert_eq!(code, 0, "{err}");
    let weights = "SELECT string_agg(problem_class || strategy || weight, ',' ORDER BY 1) FROM ruvheal.strategy_weights";
    let stored: Option<String> = d.client().query_one(weights, &[]).unwrap().get(0);
    let dir = tempfile::tempdir().unwrap();
    let off = write_config(&dir, "learn:\n  enabled: false\n");
    let (code, l, err) = run_json(&mut d.cmd(), &["--config", &off, "learn"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(l["learning_enabled"], false, "{l}");
    assert_eq!(l["weights"], 0, "{l}");
    assert!(err.contains("learning is off"), "{err}");
    let after: Option<String> = d.client().query_one(weights, &[]).unwrap().get(0);
    assert_eq!(after, stored, "no weight changed while learning is off");
}

#[test]
fn max_concurrent_repairs_counts_the_whole_servers_repairs() {
    // Three collections; two repairs already run elsewhere on the server (in
    // another database), each holding its slot as a repair's lock session does.
    let d = db();
    for t in ["emb_a", "emb_b", "emb_c"] {
        d.sql(&clustered_table_sql(t, 1500, 8, 5));
        d.sql(&format!(
            "CREATE INDEX {t}_hnsw ON {t} USING hnsw (embedding vector_l2_ops); ANALYZE {t};"
        ));
    }
    d.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", d.name));
    let other = db();
    let slot = || {
        let mut s = other.client();
        s.batch_execute("SELECT pg_advisory_lock(1381386309, pg_backend_pid())")
            .unwrap();
        s
    };
    let (one, two) = (slot(), slot());
    let dir = tempfile::tempdir().unwrap();
    let capped = write_config(&dir, "plan:\n  max_concurrent_repairs: 2\n");
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &["--config", &capped, "heal", "--all", "--yes"],
    );
    assert_eq!(code, 75, "{report} {err}");
    let errors = report["errors"].as_array().unwrap();
    assert_eq!(errors.len(), 3, "{report}");
    assert!(
        errors.iter().all(|e| e["error"]
            .as_str()
            .unwrap()
            .contains("max_concurrent_repairs (2) reached")),
        "{report}"
    );
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        0
    );
    // One of them ends: one slot is free, so one repair runs and the next waits.
    drop(one);
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &[
            "--config",
            &capped,
            "repair",
            "--collection",
            "emb_a",
            "--yes",
        ],
    );
    assert!(code <= 2, "{report} {err}");
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        1,
        "{report}"
    );
    // Without a cap the held slots change nothing (the search setting the first
    // repair raised for the database healed emb_b too: name a playbook).
    let (code, report, err) = run_json(
        &mut d.cmd(),
        &[
            "repair",
            "--collection",
            "emb_b",
            "--playbook",
            "reindex_concurrently",
            "--yes",
        ],
    );
    assert!(code <= 2, "{report} {err}");
    assert_eq!(
        count(&d, "SELECT count(*) FROM ruvheal.repairs WHERE NOT dry_run"),
        2
    );
    drop(two);
}
