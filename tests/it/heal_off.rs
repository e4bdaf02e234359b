//! `heal.enabled: false`: heal still checks and diagnoses, acts on nothing, and
//! says so in its output and its metrics.

use crate::harness::{db, run, write_config};

#[test]
fn disabled_heal_checks_and_diagnoses_and_acts_on_nothing() {
    let d = db();
    d.hnsw_collection(3000, 10);
    d.sql(&format!("ALTER DATABASE {} SET hnsw.ef_search = 5", d.name));
    let dir = tempfile::tempdir().unwrap();
    let config = write_config(&dir, "heal:\n  enabled: false\n");
    let prom = dir.path().join("heal.prom");
    let (code, v, err) = d.json(&[
        "--config",
        &config,
        "heal",
        "--collection",
        "emb",
        "--yes",
        "--prometheus-textfile",
        prom.to_str().unwrap(),
    ]);
    assert_eq!(v["healing_enabled"], false, "{v:#} {err}");
    let problems = v["diagnoses"][0]["problems"].as_array().unwrap();
    assert!(
        problems.iter().any(|p| p["class"] == "recall_degradation"),
        "{v:#}"
    );
    assert!(
        code == 1 || code == 2,
        "a problem is left unrepaired: {code}"
    );
    assert!(err.contains("heal.enabled: false"), "{err}");
    let text = std::fs::read_to_string(&prom).unwrap();
    assert!(text.contains("\nruvheal_healing_enabled 0\n"), "{text}");
    assert!(
        text.contains("ruvheal_check_status{collection=\"public.emb\"}"),
        "{text}"
    );
    let mut c = d.client();
    let counts: (i64, i64, i64) = {
        let r = c
            .query_one(
                "SELECT (SELECT count(*) FROM ruvheal.plans), (SELECT count(*) FROM ruvheal.repairs),
                        (SELECT count(*) FROM ruvheal.observations)",
                &[],
            )
            .unwrap();
        (r.get(0), r.get(1), r.get(2))
    };
    assert_eq!((counts.0, counts.1), (0, 0), "nothing planned or repaired");
    assert!(counts.2 >= 1, "it checked");
    let setting: String = c
        .query_one(
            "SELECT array_to_string(s.setconfig, ',') FROM pg_db_role_setting s
               JOIN pg_database db ON db.oid = s.setdatabase WHERE db.datname = current_database()",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(setting, "hnsw.ef_search=5");
    // table form says so on stdout too
    let (_, out, _) = run(d
        .cmd()
        .args(["--config", &config, "heal", "--all", "--yes"]));
    assert!(
        out.contains("healing is disabled (heal.enabled: false)"),
        "{out}"
    );
}
