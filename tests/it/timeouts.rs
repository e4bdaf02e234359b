//! A playbook's `timeout` bounds the whole repair and its shell steps: a step
//! still waiting when it runs out is stopped and the repair fails.

use std::time::{Duration, Instant};

use crate::harness::{db, mass_deleted_without_vacuum, write_config};

const HEAD: &str = "handles: [dead_tuple_bloat]\nimpact: 0.1\nreversible: false\n";

fn playbook(dir: &std::path::Path, name: &str, approval: bool, step: &str) {
    let text = format!(
        "name: {name}\ndescription: slow\n{HEAD}requires_approval: {approval}\ntimeout: 2s\n\
         steps:\n{step}verify:\n  expect: [\"table.dead_ratio < 0.1\"]\n"
    );
    std::fs::write(dir.join(format!("{name}.yaml")), text).unwrap();
}

#[test]
fn the_playbook_timeout_stops_a_wait_and_a_shell_program() {
    let d = db();
    mass_deleted_without_vacuum(&d);
    let pbs = tempfile::tempdir().unwrap();
    let dir = pbs.path().display().to_string();
    // A wait of up to 60 s in a playbook whose timeout is 2 s.
    playbook(
        pbs.path(),
        "vacuum_collection",
        false,
        "  - name: wait\n    do:\n      kind: wait_for\n      condition: \"SELECT false\"\n      timeout: 60s\n",
    );
    let t = Instant::now();
    let (code, v, err) = d.json(&[
        "repair",
        "--playbooks",
        &dir,
        "--collection",
        "emb",
        "--yes",
    ]);
    assert_eq!(code, 2, "{v:#} {err}");
    assert_eq!(v["repairs"][0]["playbook"], "vacuum_collection", "{v:#}");
    assert_eq!(v["repairs"][0]["status"], "failed", "{v:#}");
    assert!(
        t.elapsed() < Duration::from_secs(40),
        "stopped at the playbook's 2 s, not the wait's 60 s: {:?}",
        t.elapsed()
    );

    // A shell step running past the timeout is killed.
    std::fs::remove_file(pbs.path().join("vacuum_collection.yaml")).unwrap();
    playbook(
        pbs.path(),
        "slow_program",
        true,
        "  - name: sleep\n    do:\n      kind: shell\n      program: sleep\n      args: [\"60\"]\n",
    );
    let cfgdir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &cfgdir,
        "plan:\n  shell_allow: [sleep]\n  cooldown_secs: 0\n  disabled: [vacuum_collection]\n",
    );
    let (code, v, err) = d.json(&[
        "--config",
        &cfg,
        "plan",
        "--playbooks",
        &dir,
        "--collection",
        "emb",
    ]);
    assert_eq!(code, 1, "{v:#} {err}");
    let id = v["plans"][0]["plan_id"].as_i64().unwrap().to_string();
    assert_eq!(v["plans"][0]["playbook"], "slow_program", "{v:#}");
    assert_eq!(d.json(&["approve", &id]).0, 0);
    let t = Instant::now();
    let (code, v, err) = d.json(&[
        "--config",
        &cfg,
        "repair",
        "--playbooks",
        &dir,
        "--collection",
        "emb",
        "--plan",
        &id,
        "--yes",
    ]);
    assert_eq!(code, 2, "{v:#} {err}");
    let text = serde_json::to_string(&v).unwrap();
    assert!(text.contains("killed"), "{v:#}");
    assert!(
        t.elapsed() < Duration::from_secs(40),
        "sleep 60 was killed at 2 s: {:?}",
        t.elapsed()
    );
}
