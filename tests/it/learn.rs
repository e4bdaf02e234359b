//! `learn`, `status`, `history` on real PostgreSQL: weights move with recorded
//! outcomes, the planner switches strategy, drift stops auto-heal for a class,
//! reset/restore round-trip, Prometheus text parses, the psql views answer.

use crate::harness::{TestDb, db, mass_deleted_without_vacuum, run};

/// A collection with dead tuples (`dead_tuple_bloat`), checked once so the state
/// schema and the collection row exist. Returns the collection id.
fn bloated() -> (TestDb, i64) {
    let d = db();
    mass_deleted_without_vacuum(&d);
    let (_, report, err) = d.check_json("emb", &[]);
    assert!(
        crate::harness::classes(&report, "warning").contains(&"dead_tuple_bloat".to_string()),
        "{report:#} {err}"
    );
    let id: i64 = d
        .client()
        .query_one(
            "SELECT id FROM ruvheal.collections WHERE table_name = 'emb'",
            &[],
        )
        .unwrap()
        .get(0);
    (d, id)
}

/// Records `n` outcomes of `strategy` for `class`, finished `hours_ago` apart.
fn outcomes(d: &TestDb, id: i64, class: &str, strategy: &str, n: usize, ok: bool) {
    let mut c = d.client();
    for i in 0..n {
        c.execute(
            "INSERT INTO ruvheal.outcomes (collection_id, problem_class, strategy, started_at,
                finished_at, duration_ms, success, verified, improvement)
             VALUES ($1, $2, $3, now() - make_interval(hours => $4 + 1), now() - make_interval(hours => $4),
                     1500, true, $5, CASE WHEN $5 THEN 0.4 ELSE 0.0 END)",
            &[&id, &class, &strategy, &(i as i32), &ok],
        )
        .unwrap();
    }
}

/// A playbook folder with a second playbook for dead tuple bloat (a copy of
/// vacuum_collection under another name, with a higher impact).
fn alternative() -> tempfile::TempDir {
    let dir = tempfile::tempdir().unwrap();
    let yaml = std::fs::read_to_string(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/playbooks/vacuum_collection.yaml"
    ))
    .unwrap()
    .replace("name: vacuum_collection", "name: vacuum_alternative")
    .replace("impact: 0.1", "impact: 0.2");
    std::fs::write(dir.path().join("vacuum_alternative.yaml"), yaml).unwrap();
    dir
}

fn planned(v: &serde_json::Value, class: &str) -> Option<String> {
    v["plans"]
        .as_array()
        .unwrap_or_else(|| panic!("{v:#}"))
        .iter()
        .find(|p| p["problem"]["class"] == class)
        .map(|p| p["playbook"].as_str().unwrap().to_string())
}

fn weight(d: &TestDb, strategy: &str) -> Option<f64> {
    d.client()
        .query_opt(
            "SELECT weight FROM ruvheal.strategy_weights
              WHERE problem_class = 'dead_tuple_bloat' AND strategy = $1",
            &[&strategy],
        )
        .unwrap()
        .map(|r| r.get(0))
}

#[test]
fn failures_lower_the_weight_and_the_planner_switches() {
    let (d, id) = bloated();
    let dir = alternative();
    let pb = dir.path().to_str().unwrap();
    let plan = |d: &TestDb| d.json(&["plan", "--collection", "emb", "--playbooks", pb]);
    let (code, v, err) = plan(&d);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        planned(&v, "dead_tuple_bloat").as_deref(),
        Some("vacuum_collection"),
        "{v:#}"
    );

    // successes keep the first choice at full weight
    outcomes(&d, id, "dead_tuple_bloat", "vacuum_collection", 2, true);
    let (code, v, err) = d.json(&["learn"]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(weight(&d, "vacuum_collection"), Some(1.0));
    let (_, v, _) = plan(&d);
    assert_eq!(
        planned(&v, "dead_tuple_bloat").as_deref(),
        Some("vacuum_collection")
    );

    // then it keeps failing: the weight falls and the alternative takes over
    outcomes(&d, id, "dead_tuple_bloat", "vacuum_collection", 3, false);
    let (code, v, err) = d.json(&["learn"]);
    assert_eq!(code, 0, "{v:#} {err}");
    let s = &v["strategies"][0];
    assert_eq!(
        (s["attempts"].as_u64(), s["successes"].as_u64()),
        (Some(5), Some(2)),
        "{v:#}"
    );
    assert!(
        (s["success_rate"].as_f64().unwrap() - 0.4).abs() < 1e-9,
        "{s:#}"
    );
    assert!(s["uncertainty"].as_f64().unwrap() > 0.0, "{s:#}");
    assert!(
        (s["reference_weight"].as_f64().unwrap() - 0.4 * 1.16).abs() < 1e-9,
        "{s:#}"
    );
    let w = weight(&d, "vacuum_collection").unwrap();
    assert!(w < 0.9, "weight {w}");
    assert_eq!(s["weight"].as_f64(), Some(w));
    let (code, v, err) = plan(&d);
    assert_eq!(code, 0, "{err}");
    assert_eq!(
        planned(&v, "dead_tuple_bloat").as_deref(),
        Some("vacuum_alternative"),
        "{v:#}"
    );
    // the table form names the strategies
    let (code, out, _) = run(d.cmd().arg("learn"));
    assert_eq!(code, 0);
    assert!(
        out.contains("vacuum_collection") && out.contains("2/5"),
        "{out}"
    );
    // learning is audited
    let n: i64 = d
        .client()
        .query_one(
            "SELECT count(*) FROM ruvheal.audit_log WHERE action = 'learn'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 3);
    assert_eq!(run(d.cmd().args(["audit", "verify"])).0, 0);
}

#[test]
fn drift_stops_auto_heal_until_a_human_resets() {
    let (d, id) = bloated();
    outcomes(&d, id, "dead_tuple_bloat", "vacuum_collection", 5, false);
    let (code, v, err) = d.json(&["learn"]);
    assert_eq!(code, 1, "a stopped class exits 1: {v:#} {err}");
    assert_eq!(v["drift"][0]["class"], "dead_tuple_bloat", "{v:#}");
    assert_eq!(v["stopped"][0]["class"], "dead_tuple_bloat", "{v:#}");
    // the planner honours the stop
    let (code, v, err) = d.json(&["plan", "--collection", "emb"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(planned(&v, "dead_tuple_bloat"), None, "{v:#}");
    let blocked = v["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["class"] == "dead_tuple_bloat")
        .unwrap_or_else(|| panic!("{v:#}"));
    let reason = blocked["reason"].as_str().unwrap();
    assert!(
        reason.contains("stopped until a human acts") && reason.contains("5 consecutive"),
        "{reason}"
    );
    // learning again keeps it stopped (one active stop, not two)
    assert_eq!(d.json(&["learn"]).0, 1);
    let stops = |d: &TestDb| -> (i64, i64) {
        let r = d
            .client()
            .query_one(
                "SELECT count(*) FILTER (WHERE cleared_at IS NULL), count(*) FROM ruvheal.heal_stops",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!(stops(&d), (1, 1));
    let (_, s, _) = d.json(&["status"]);
    assert_eq!(s["stopped"][0]["class"], "dead_tuple_bloat", "{s:#}");

    // reset: weights backed up and cleared, the stop cleared; the same history
    // does not raise it again, and planning resumes
    let before = weights(&d);
    assert_eq!(before.len(), 1);
    let (code, v, err) = d.json(&["learn", "--reset"]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["weights"], 1);
    assert!(weights(&d).is_empty());
    assert_eq!(stops(&d), (0, 1));
    let (code, v, _) = d.json(&["plan", "--collection", "emb"]);
    assert_eq!(code, 0);
    assert_eq!(
        planned(&v, "dead_tuple_bloat").as_deref(),
        Some("vacuum_collection"),
        "{v:#}"
    );
    // restore brings the very same weights back
    let (code, v, err) = d.json(&["learn", "--restore"]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["weights"], 1);
    assert_eq!(weights(&d), before);
    let (code, v, _) = d.json(&["learn"]);
    assert_eq!(code, 0, "the cleared history raises no new stop: {v:#}");
    assert_eq!(stops(&d), (0, 1));
    let actions: Vec<String> = d
        .client()
        .query(
            "SELECT action FROM ruvheal.audit_log WHERE action LIKE 'learn%' ORDER BY seq",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert_eq!(
        actions,
        ["learn", "learn", "learn.reset", "learn.restore", "learn"]
    );
}

fn weights(d: &TestDb) -> Vec<(String, String, f64, f64, f64, i32, i32)> {
    d.client()
        .query(
            "SELECT problem_class, strategy, weight, alpha, beta, attempts, successes
               FROM ruvheal.strategy_weights ORDER BY 1, 2",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| {
            (
                r.get(0),
                r.get(1),
                r.get(2),
                r.get(3),
                r.get(4),
                r.get(5),
                r.get(6),
            )
        })
        .collect()
}

/// Checks exposition text: TYPE lines, then samples `name{k="v",...} value`
/// of that type; returns the metric names seen. Also parsed by a real parser
/// (the `prometheus-parse` crate), which must see every sample.
fn exposition(text: &str) -> Vec<String> {
    let scrape = prometheus_parse::Scrape::parse(text.lines().map(|l| Ok(l.to_string())))
        .unwrap_or_else(|e| panic!("{e}: {text}"));
    let samples = text
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty())
        .count();
    assert_eq!(scrape.samples.len(), samples, "{text}");
    let mut typed: Vec<String> = Vec::new();
    let name_ok = |n: &str| {
        !n.is_empty()
            && n.chars()
                .all(|c| c.is_ascii_alphanumeric() || c == '_' || c == ':')
            && !n.starts_with(|c: char| c.is_ascii_digit())
    };
    for line in text.lines() {
        if let Some(rest) = line.strip_prefix("# TYPE ") {
            let (name, kind) = rest.split_once(' ').unwrap_or_else(|| panic!("{line}"));
            let want = if name.ends_with("_total") {
                "counter"
            } else {
                "gauge"
            };
            assert!(name_ok(name) && kind == want, "{line}");
            assert!(!typed.contains(&name.to_string()), "TYPE twice: {line}");
            typed.push(name.to_string());
            continue;
        }
        assert!(!line.starts_with('#'), "unexpected comment {line}");
        let (series, value) = line.rsplit_once(' ').unwrap_or_else(|| panic!("{line}"));
        value
            .parse::<f64>()
            .unwrap_or_else(|e| panic!("{line}: {e}"));
        let name = match series.split_once('{') {
            None => series,
            Some((name, labels)) => {
                let labels = labels.strip_suffix('}').unwrap_or_else(|| panic!("{line}"));
                for pair in split_labels(labels) {
                    let (k, v) = pair.split_once('=').unwrap_or_else(|| panic!("{line}"));
                    assert!(
                        name_ok(k) && v.starts_with('"') && v.ends_with('"') && v.len() >= 2,
                        "{line}"
                    );
                }
                name
            }
        };
        assert_eq!(
            typed.last().map(String::as_str),
            Some(name),
            "sample before its TYPE: {line}"
        );
    }
    typed
}

fn split_labels(s: &str) -> Vec<String> {
    let (mut out, mut cur, mut quoted, mut escaped) = (vec![], String::new(), false, false);
    for c in s.chars() {
        match c {
            _ if escaped => escaped = false,
            '\\' => escaped = true,
            '"' => quoted = !quoted,
            ',' if !quoted => {
                out.push(std::mem::take(&mut cur));
                continue;
            }
            _ => {}
        }
        cur.push(c);
    }
    assert!(!quoted, "unterminated label value in {s}");
    out.push(cur);
    out
}

#[test]
fn status_history_prometheus_and_views_after_a_repair() {
    let d = db();
    d.hnsw_collection(3000, 10);
    d.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", d.name));
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--yes"]);
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["playbook"], "tune_search_params");

    let (code, s, err) = d.json(&["status"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(s["running"], serde_json::json!([]), "{s:#}");
    assert_eq!(s["cooling_down"][0]["collection"], "public.emb", "{s:#}");
    let c = &s["collections"][0];
    assert_eq!(c["collection"], "public.emb");
    assert!(
        c["integrity_state"].is_string() && c["lambda"].is_number(),
        "{s:#}"
    );
    assert!(c["metrics"]["recall.at_k"].is_number(), "{s:#}");
    assert_eq!(s["outcomes"][0]["strategy"], "tune_search_params", "{s:#}");

    let (code, text, err) = run(d.cmd().args(["status", "--prometheus"]));
    assert_eq!(code, 0, "{err}");
    let names = exposition(&text);
    for m in [
        "ruvheal_repair_attempts",
        "ruvheal_repair_success_rate",
        "ruvheal_repair_duration_quantile_seconds",
        "ruvheal_cooldown_remaining_seconds",
        "ruvheal_integrity_lambda",
        "ruvheal_status_recall_at_k",
        "ruvheal_heal_stopped_classes",
    ] {
        assert!(names.iter().any(|n| n == m), "{m} missing:\n{text}");
    }
    assert!(
        text.contains(
            "ruvheal_repair_attempts{collection=\"public.emb\",strategy=\"tune_search_params\"} 1"
        ),
        "{text}"
    );

    let (code, h, err) = d.json(&["history"]);
    assert_eq!(code, 0, "{err}");
    let r = &h["repairs"][0];
    assert_eq!(
        (r["playbook"].as_str(), r["status"].as_str()),
        (Some("tune_search_params"), Some("succeeded")),
        "{h:#}"
    );
    assert_eq!(r["class"], "recall_degradation", "{h:#}");
    assert!(r["improvement"].as_f64().unwrap() > 0.0, "{h:#}");
    for (args, n) in [
        (&["history", "--collection", "emb"][..], 1),
        (&["history", "--collection", "other.emb"][..], 0),
        (
            &["history", "--class", "recall_degradation", "--since", "1h"][..],
            1,
        ),
        (&["history", "--class", "dead_tuple_bloat"][..], 0),
        (&["history", "--since", "2999-01-01T00:00:00Z"][..], 0),
    ] {
        let (code, h, err) = d.json(args);
        assert_eq!(code, 0, "{args:?} {err}");
        assert_eq!(h["repairs"].as_array().unwrap().len(), n, "{args:?}: {h:#}");
    }
    assert_eq!(run(d.cmd().args(["history", "--since", "soon"])).0, 64);
    assert_eq!(run(d.cmd().args(["history", "--class", "nope"])).0, 64);

    let mut c = d.client();
    for view in ["healing_status", "healing_history", "healing_effectiveness"] {
        let n: i64 = c
            .query_one(&format!("SELECT count(*) FROM ruvheal.{view}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(n, 1, "{view}");
    }
    let (rate, playbook): (f64, String) = {
        let r = c
            .query_one(
                "SELECT success_rate, strategy FROM ruvheal.healing_effectiveness",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1))
    };
    assert_eq!((rate, playbook.as_str()), (1.0, "tune_search_params"));

    // a repair in flight and a plan waiting for a human show up in status
    c.batch_execute(
        "INSERT INTO ruvheal.repairs (collection_id, status) SELECT id, 'running' FROM ruvheal.collections;
         INSERT INTO ruvheal.plans (collection_id, problem_class, playbook, status, requires_approval)
         SELECT id, 'dead_tuple_bloat', 'vacuum_collection', 'awaiting_approval', true FROM ruvheal.collections;",
    )
    .unwrap();
    let (_, s, _) = d.json(&["status"]);
    assert_eq!(s["running"][0]["collection"], "public.emb", "{s:#}");
    assert_eq!(s["running"][0]["cut_short"], true, "nobody holds its lock");
    let mut holder = d.client();
    holder
        .batch_execute("SELECT pg_advisory_lock(hashtextextended('ruvheal.repair:public.emb', 0))")
        .unwrap();
    let (_, s, _) = d.json(&["status"]);
    assert_eq!(s["running"][0]["cut_short"], false, "a live repair: {s:#}");
    drop(holder);
    assert_eq!(
        s["awaiting_approval"][0]["playbook"], "vacuum_collection",
        "{s:#}"
    );
    let (_, text, _) = run(d.cmd().args(["status", "--prometheus"]));
    exposition(&text);
    assert!(
        text.contains("ruvheal_repairs_running{collection=\"public.emb\"} 1"),
        "{text}"
    );
    assert!(
        text.contains("ruvheal_awaiting_approval{collection=\"public.emb\"} 1"),
        "{text}"
    );
    let (_, out, _) = run(d.cmd().arg("status"));
    assert!(
        out.contains("running: repair") && out.contains("awaiting approval: plan"),
        "{out}"
    );
}
