//! Retention: the acting commands prune history older than `retention_days`
//! by the server's clock, in bounded batches, and keep what later runs and the
//! audit chain need.

use crate::harness::{db, run};

fn count(c: &mut postgres::Client, sql: &str) -> i64 {
    c.query_one(sql, &[]).unwrap().get(0)
}

const OLD: &str = "observed_at < now() - interval '30 days'";

#[test]
fn acting_commands_prune_old_history_in_batches_and_keep_what_matters() {
    let d = db();
    d.hnsw_collection(500, 5);
    let (code, _, err) = run(d.cmd().args(["check", "--collection", "emb", "-q"]));
    assert!(code <= 2, "{err}");
    let (code, _, err) = run(d.cmd().args(["learn", "-q", "-o", "json"]));
    assert!(code <= 1, "{err}");
    // Synthetic history, aged by the server's clock: 3,000 observations 31-52
    // days old of the index the check saw (two findings each), one 55 days old
    // of another build, 200 recent; 25,000 old diagnoses with a problem each
    // and 10 recent; superseded plans old and new; a done plan and a
    // superseded one that a repair ran, both old.
    d.sql(
        "INSERT INTO ruvheal.observations (collection_id, observed_at, metrics)
         SELECT o.collection_id, now() - interval '31 days' - g * interval '10 minutes', o.metrics
           FROM ruvheal.observations o, generate_series(1, 3000) g;
         INSERT INTO ruvheal.observations (collection_id, observed_at, metrics)
         SELECT o.collection_id, now() - interval '55 days',
                jsonb_set(o.metrics, '{index.relfilenode}', '1234567')
           FROM ruvheal.observations o ORDER BY o.observed_at DESC LIMIT 1;
         INSERT INTO ruvheal.observations (collection_id, observed_at, metrics)
         SELECT o.collection_id, now() - g * interval '1 hour', o.metrics
           FROM (SELECT * FROM ruvheal.observations ORDER BY observed_at DESC LIMIT 1) o,
                generate_series(1, 200) g;
         INSERT INTO ruvheal.findings (observation_id, collection_id, class, severity, detector, message)
         SELECT o.id, o.collection_id, 'unknown', 'info', 'synthetic', 'old'
           FROM ruvheal.observations o, generate_series(1, 2) g
          WHERE o.observed_at < now() - interval '30 days';
         INSERT INTO ruvheal.diagnoses (collection_id, created_at)
         SELECT c.id, now() - interval '31 days' - g * interval '1 minute'
           FROM ruvheal.collections c, generate_series(1, 25000) g;
         INSERT INTO ruvheal.diagnoses (collection_id, created_at)
         SELECT c.id, now() - g * interval '1 hour' FROM ruvheal.collections c, generate_series(1, 10) g;
         INSERT INTO ruvheal.problems (diagnosis_id, collection_id, class, severity, root_cause)
         SELECT d.id, d.collection_id, 'unknown', 'warning', 'synthetic' FROM ruvheal.diagnoses d;
         INSERT INTO ruvheal.plans (collection_id, problem_class, playbook, status, created_at)
         SELECT c.id, 'unknown', 'p' || g, s, now() - a * interval '1 day'
           FROM ruvheal.collections c, generate_series(1, 5) g,
                (VALUES ('superseded', 40), ('superseded', 41), ('superseded', 5), ('done', 40)) v(s, a);
         INSERT INTO ruvheal.plans (collection_id, problem_class, playbook, status, created_at)
         SELECT c.id, 'unknown', 'ran', 'superseded', now() - interval '60 days' FROM ruvheal.collections c;
         INSERT INTO ruvheal.repairs (plan_id, collection_id, status, started_at, finished_at)
         SELECT p.id, p.collection_id, 'failed', p.created_at, p.created_at FROM ruvheal.plans p
          WHERE p.playbook = 'ran';
         INSERT INTO ruvheal.outcomes (repair_id, collection_id, problem_class, strategy, started_at,
                                       finished_at, duration_ms, success, verified)
         SELECT r.id, r.collection_id, 'unknown', 'ran', r.started_at, r.finished_at, 1, false, false
           FROM ruvheal.repairs r;
         INSERT INTO ruvheal.baselines (collection_id, metric, samples, mean, stddev, updated_at)
         SELECT c.id, 'latency.p99_ms', 10, 1, 0.1, now() - interval '90 days'
           FROM ruvheal.collections c ON CONFLICT DO NOTHING;",
    );
    let mut c = d.client();
    let kept_tables = "SELECT (SELECT count(*) FROM ruvheal.outcomes) * 10000 + (SELECT count(*) FROM ruvheal.repairs) * 1000
        + (SELECT count(*) FROM ruvheal.audit_log) * 10 + (SELECT count(*) FROM ruvheal.strategy_weights)";
    let kept_before = count(&mut c, kept_tables);
    let baselines = "SELECT count(*) FROM ruvheal.baselines";
    let baselines_before = count(&mut c, baselines);
    let baseline_keys = |c: &mut postgres::Client| -> Vec<String> {
        c.query(
            "SELECT collection_id || ':' || metric FROM ruvheal.baselines ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect()
    };
    let keys_before = baseline_keys(&mut c);
    assert!(
        count(
            &mut c,
            "SELECT count(*) FROM ruvheal.baselines WHERE updated_at < now() - interval '30 days'"
        ) > 0
    );
    assert!(count(&mut c, "SELECT count(*) FROM ruvheal.audit_log") > 0);

    // Age is by the server's clock (tests/it/clock_skew.rs runs ruvheal
    // with a wrong client clock).
    let diagnose = || {
        let (code, _, err) =
            run(d
                .cmd()
                .args(["diagnose", "--collection", "emb", "-o", "json", "-v"]));
        assert!(code <= 2, "{err}");
        err
    };
    let err = diagnose();
    assert!(err.contains("retention (30 days): pruned 2999 observations (5998 findings), 20000 diagnoses (20000 problems), 10 superseded plans"), "{err}");

    // observations: the first of each index build and everything recent stay
    assert_eq!(
        count(
            &mut c,
            &format!("SELECT count(*) FROM ruvheal.observations WHERE {OLD}")
        ),
        2
    );
    assert!(
        count(
            &mut c,
            "SELECT count(*) FROM ruvheal.observations WHERE observed_at >= now() - interval '30 days'"
        ) >= 201
    );
    // the findings of the pruned went with them; the two kept keep theirs
    assert_eq!(
        count(
            &mut c,
            &format!(
                "SELECT count(*) FROM ruvheal.findings f JOIN ruvheal.observations o ON o.id = f.observation_id WHERE o.{OLD}"
            )
        ),
        4
    );
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM ruvheal.findings WHERE detector = 'synthetic'"
        ),
        4
    );
    // bounded: 20 batches of 1,000 per run; the rest goes on the next run
    let old_diagnoses =
        "SELECT count(*) FROM ruvheal.diagnoses WHERE created_at < now() - interval '30 days'";
    assert_eq!(count(&mut c, old_diagnoses), 5000);
    let err = diagnose();
    assert!(err.contains("5000 diagnoses (5000 problems)"), "{err}");
    assert_eq!(count(&mut c, old_diagnoses), 0);
    assert_eq!(
        count(
            &mut c,
            "SELECT count(*) FROM ruvheal.problems p JOIN ruvheal.diagnoses d ON d.id = p.diagnosis_id WHERE d.created_at < now() - interval '30 days'"
        ),
        0
    );
    assert!(count(&mut c, "SELECT count(*) FROM ruvheal.diagnoses") >= 11);
    // plans: only old superseded ones that never ran
    let plans: Vec<(String, i64)> = c
        .query(
            "SELECT status || ':' || (created_at < now() - interval '30 days'), count(*)
               FROM ruvheal.plans GROUP BY 1 ORDER BY 1",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    assert_eq!(
        plans,
        [
            ("done:true".to_string(), 5),
            ("superseded:false".to_string(), 5),
            ("superseded:true".to_string(), 1)
        ]
    );
    // outcomes, repairs, weights and the audit log: untouched (the diagnose
    // runs append no audit rows), and the chain verifies; baselines survive
    // pruning however old (diagnose may add baselines for new metrics)
    assert_eq!(count(&mut c, kept_tables), kept_before);
    assert!(count(&mut c, baselines) >= baselines_before);
    let keys_after = baseline_keys(&mut c);
    assert!(
        keys_before.iter().all(|k| keys_after.contains(k)),
        "{keys_before:?} ⊄ {keys_after:?}"
    );
    let (code, out, err) = run(d.cmd().args(["audit", "verify"]));
    assert_eq!(code, 0, "{out} {err}");
}

#[test]
fn retention_days_zero_keeps_everything() {
    let d = db();
    d.hnsw_collection(300, 3);
    let (code, _, err) = run(d.cmd().args(["check", "--collection", "emb", "-q"]));
    assert!(code <= 2, "{err}");
    d.sql(
        "INSERT INTO ruvheal.observations (collection_id, observed_at, metrics)
         SELECT o.collection_id, now() - interval '400 days', '{}' FROM ruvheal.observations o",
    );
    let dir = tempfile::tempdir().unwrap();
    let config = crate::harness::write_config(&dir, "retention_days: 0\n");
    let (code, _, err) =
        run(d
            .cmd()
            .args(["--config", &config, "plan", "--collection", "emb", "-q"]));
    assert!(code <= 1, "{err}");
    let mut c = d.client();
    assert_eq!(
        count(
            &mut c,
            &format!("SELECT count(*) FROM ruvheal.observations WHERE {OLD}")
        ),
        1
    );
    // the default (30) prunes it
    let (code, _, err) = run(d.cmd().args(["plan", "--collection", "emb", "-q"]));
    assert!(code <= 1, "{err}");
    assert_eq!(
        count(
            &mut c,
            &format!("SELECT count(*) FROM ruvheal.observations WHERE {OLD}")
        ),
        0
    );
}
