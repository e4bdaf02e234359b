//! Crash safety: a repair left `running` by a process that died is found by the
//! next command, cleaned up, marked `interrupted` and audited; a live one is not.

use ruvheal::repair::lock::CollectionLock;

use crate::harness::{clustered_table_sql, db, first_repair_status};

#[test]
fn a_cut_short_repair_is_cleaned_by_the_next_run() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 2000, 8, 10));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    let (code, _, err) = db.check_json("emb", &[]);
    assert!(code < 3, "{err}");
    let mut c = db.client();
    // What a killed repair leaves: an INVALID index from its concurrent build and a
    // half-applied database setting, with a `running` record.
    c.batch_execute("SET statement_timeout = '50ms'").unwrap();
    c.batch_execute("CREATE INDEX CONCURRENTLY emb_new ON emb USING hnsw (embedding vector_cosine_ops) WITH (m = 48, ef_construction = 400)")
        .unwrap_err();
    c.batch_execute("RESET statement_timeout").unwrap();
    c.batch_execute(&format!(
        "ALTER DATABASE {} SET hnsw.ef_search = 7",
        db.name
    ))
    .unwrap();
    c.batch_execute(&format!(
        r#"INSERT INTO ruvheal.repairs (id, collection_id, status, backend_pid)
             OVERRIDING SYSTEM VALUE SELECT 41, id, 'running', 999999 FROM ruvheal.collections;
           INSERT INTO ruvheal.repair_steps (repair_id, ordinal, name, rendered, status, undo_state) VALUES
             (41, 1, 'build', 'CREATE INDEX CONCURRENTLY emb_new ...', 'running',
              '{{"kind": "drop_index", "index": "\"public\".\"emb_new\""}}'),
             (41, 0, 'tune', 'ALTER DATABASE ... SET hnsw.ef_search = 7', 'running',
              '{{"kind": "restore_setting", "scope": "database", "target": "{}", "name": "hnsw.ef_search", "previous": null}}');"#,
        db.name
    ))
    .unwrap();
    // Any command finds it.
    let (code, _, err) = db.diagnose_json("emb", &["--fresh"]);
    assert!(code < 3, "{err}");
    assert!(err.contains("cut short"), "{err}");
    let status: String = c
        .query_one("SELECT status FROM ruvheal.repairs WHERE id = 41", &[])
        .unwrap()
        .get(0);
    assert_eq!(status, "interrupted");
    let steps: Vec<String> = c
        .query(
            "SELECT status FROM ruvheal.repair_steps WHERE repair_id = 41 ORDER BY ordinal",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(steps, ["interrupted", "interrupted"]);
    let left: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'emb_new'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(left, 0, "the invalid index is gone");
    let settings: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_db_role_setting s JOIN pg_database d ON d.oid = s.setdatabase
              WHERE d.datname = current_database() AND array_to_string(s.setconfig, ',') LIKE '%ef_search%'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(settings, 0, "the half-applied setting is reset");
    let audit: serde_json::Value = c
        .query_one(
            "SELECT subject FROM ruvheal.audit_log WHERE action = 'cleanup'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(audit["repair_id"], 41);
    assert_eq!(audit["actions"].as_array().unwrap().len(), 2, "{audit}");
    // A second run has nothing to do.
    let (_, _, err) = db.check_json("emb", &[]);
    assert!(!err.contains("cut short"), "{err}");
}

#[test]
fn a_live_repair_is_left_alone() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 500, 8, 5));
    db.sql("CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    db.check_json("emb", &[]);
    let _live = CollectionLock::acquire(db.client(), "public.emb").unwrap();
    let mut c = db.client();
    c.batch_execute(
        "INSERT INTO ruvheal.repairs (collection_id, status, backend_pid) SELECT id, 'running', pg_backend_pid() FROM ruvheal.collections",
    )
    .unwrap();
    db.check_json("emb", &[]);
    assert_eq!(first_repair_status(&mut c), "running");
}

/// Through the state machines: an interrupted repair takes its running plan and
/// running steps with it to `interrupted` in one transaction, leaves what had
/// ended as it ended, and nothing can move them back to `running` afterwards.
#[test]
fn an_interrupted_repair_never_leaves_its_plan_running() {
    use ruvheal::state::{IllegalTransition, PlanStatus, RepairStatus, StepStatus};
    use ruvheal::store::{plans, repairs};

    let db = db();
    db.sql(&clustered_table_sql("emb", 200, 4, 4));
    let (code, _, err) = db.check_json("emb", &[]);
    assert!(code < 3, "{err}");
    let mut c = db.client();
    let collection_id: i64 = c
        .query_one("SELECT id FROM ruvheal.collections", &[])
        .unwrap()
        .get(0);
    let new = plans::NewPlan {
        collection_id,
        problem_id: None,
        problem_class: "dead_tuple_bloat".into(),
        playbook: "vacuum_collection".into(),
        params: serde_json::json!({}),
        status: PlanStatus::Ready,
        requires_approval: false,
        impact: 0.1,
        estimated_duration_ms: None,
        reason: "test".into(),
        steps: vec![],
    };
    let plan_id = plans::insert(&mut c, "ruvheal", &new).unwrap();
    // a new plan starts ready or awaiting approval, never elsewhere
    let bad = plans::NewPlan {
        status: PlanStatus::Running,
        ..new.clone()
    };
    let e = plans::insert(&mut c, "ruvheal", &bad).unwrap_err();
    assert!(e.downcast_ref::<IllegalTransition>().is_some(), "{e:#}");
    plans::set_status(&mut c, "ruvheal", plan_id, PlanStatus::Running).unwrap();
    let repair_id =
        repairs::start(&mut c, "ruvheal", Some(plan_id), collection_id, false, 1).unwrap();
    let undo = ruvheal::repair::undo::Undo::Nothing;
    repairs::step_begin(&mut c, "ruvheal", repair_id, 1, "a", "SELECT 1", &undo).unwrap();
    repairs::step_end(&mut c, "ruvheal", repair_id, 1, StepStatus::Done, None).unwrap();
    repairs::step_begin(&mut c, "ruvheal", repair_id, 2, "b", "SELECT 2", &undo).unwrap();

    repairs::mark_interrupted(&mut c, "ruvheal", repair_id, "cut short").unwrap();
    let state = |c: &mut postgres::Client| -> (String, String, Vec<String>) {
        let r = c
            .query_one(
                "SELECT p.status, r.status FROM ruvheal.repairs r JOIN ruvheal.plans p ON p.id = r.plan_id WHERE r.id = $1",
                &[&repair_id],
            )
            .unwrap();
        let steps = c
            .query(
                "SELECT status FROM ruvheal.repair_steps WHERE repair_id = $1 ORDER BY ordinal",
                &[&repair_id],
            )
            .unwrap()
            .iter()
            .map(|r| r.get(0))
            .collect();
        (r.get(0), r.get(1), steps)
    };
    let after = (
        "interrupted".to_string(),
        "interrupted".to_string(),
        vec!["done".to_string(), "interrupted".to_string()],
    );
    assert_eq!(state(&mut c), after);
    // twice: nothing changes
    repairs::mark_interrupted(&mut c, "ruvheal", repair_id, "again").unwrap();
    assert_eq!(state(&mut c), after);

    // nothing moves it back, and a refused move writes nothing
    let e = plans::set_status(&mut c, "ruvheal", plan_id, PlanStatus::Running).unwrap_err();
    let t = e
        .downcast_ref::<IllegalTransition>()
        .expect("an illegal transition");
    assert_eq!((t.from, t.to), (Some("interrupted"), "running"));
    let e = plans::set_status(&mut c, "ruvheal", plan_id, PlanStatus::Done).unwrap_err();
    assert!(
        format!("{e:#}").contains(&format!(
            "plan {plan_id} cannot go from interrupted to done"
        )),
        "{e:#}"
    );
    let e = repairs::finish(
        &mut c,
        "ruvheal",
        repair_id,
        RepairStatus::Succeeded,
        Some(true),
        None,
    )
    .unwrap_err();
    assert!(e.downcast_ref::<IllegalTransition>().is_some(), "{e:#}");
    let e =
        repairs::step_end(&mut c, "ruvheal", repair_id, 1, StepStatus::Failed, None).unwrap_err();
    assert!(format!("{e:#}").contains("from done to failed"), "{e:#}");
    assert_eq!(state(&mut c), after);
    // a plan that does not exist is refused too
    let e = plans::set_status(&mut c, "ruvheal", 999_999, PlanStatus::Running).unwrap_err();
    assert!(format!("{e:#}").contains("does not exist"), "{e:#}");
    // what the table allows still works: undoing the done step
    repairs::step_end(&mut c, "ruvheal", repair_id, 1, StepStatus::Undone, None).unwrap();
    repairs::mark_rolled_back(&mut c, "ruvheal", repair_id).unwrap();
    assert_eq!(
        state(&mut c),
        (
            "interrupted".to_string(),
            "rolled_back".to_string(),
            vec!["undone".to_string(), "interrupted".to_string()]
        )
    );
}

/// A process that started a plan and died before it recorded the repair (or
/// failed there) left the plan `running` with nothing running for it: the next
/// acting command ends it `interrupted`, audited, unless the collection lock
/// says its process still lives.
#[test]
fn a_plan_left_running_before_its_repair_is_recorded_is_ended() {
    use ruvheal::state::PlanStatus;
    use ruvheal::store::plans;

    let db = db();
    db.sql(&clustered_table_sql("emb", 200, 4, 4));
    let (code, _, err) = db.check_json("emb", &[]);
    assert!(code < 3, "{err}");
    let mut c = db.client();
    let collection_id: i64 = c
        .query_one("SELECT id FROM ruvheal.collections", &[])
        .unwrap()
        .get(0);
    let new = plans::NewPlan {
        collection_id,
        problem_id: None,
        problem_class: "dead_tuple_bloat".into(),
        playbook: "vacuum_collection".into(),
        params: serde_json::json!({}),
        status: PlanStatus::Ready,
        requires_approval: false,
        impact: 0.1,
        estimated_duration_ms: None,
        reason: "test".into(),
        steps: vec![],
    };
    let plan_id = plans::insert(&mut c, "ruvheal", &new).unwrap();
    plans::set_status(&mut c, "ruvheal", plan_id, PlanStatus::Running).unwrap();
    let status = |c: &mut postgres::Client| -> String {
        c.query_one(
            "SELECT status FROM ruvheal.plans WHERE id = $1",
            &[&plan_id],
        )
        .unwrap()
        .get(0)
    };
    // its process still holds the collection lock: left alone
    let lock = CollectionLock::acquire(db.client(), "public.emb").unwrap();
    let (code, _, err) = db.json(&["diagnose", "--collection", "emb"]);
    assert!(code < 3 || code == 75, "{err}");
    assert_eq!(status(&mut c), "running");
    lock.release().unwrap();
    // gone: ended, and the run goes on
    let (code, _, err) = db.json(&["diagnose", "--collection", "emb"]);
    assert!(code < 3, "{err}");
    assert_eq!(status(&mut c), "interrupted");
    let cleanups: i64 = c
        .query_one(
            "SELECT count(*) FROM ruvheal.audit_log WHERE action = 'cleanup'
              AND (subject->>'plan_id')::bigint = $1",
            &[&plan_id],
        )
        .unwrap()
        .get(0);
    assert_eq!(cleanups, 1);
    let (code, out, err) = crate::harness::run(db.cmd().args(["audit", "verify"]));
    assert_eq!(code, 0, "{out} {err}");
}
