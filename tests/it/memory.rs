//! Memory pressure: an HNSW index far larger than shared_buffers, on a private
//! cluster started with `shared_buffers = 1MB`. ruvheal finds it, says what
//! would fix it (a restart-level setting it leaves to a human), plans nothing
//! that cannot help (prewarming an index bigger than the buffer pool only evicts
//! its own pages) and changes nothing; once shared_buffers is raised and the
//! server restarted, the check is clean.

use crate::harness::{clustered_table_sql, fingerprint};
use crate::scratch::Scratch;

fn memory_findings(report: &serde_json::Value) -> Vec<String> {
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| f["class"] == "memory_pressure")
        .map(|f| f["message"].as_str().unwrap().to_string())
        .collect()
}

#[test]
fn an_index_far_larger_than_shared_buffers_is_reported_and_not_churned() {
    let s = Scratch::start("memory", &["shared_buffers=1MB"]);
    let mut c = s.client();
    c.batch_execute(&format!(
        "{} CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;",
        clustered_table_sql("emb", 10000, 64, 20)
    ))
    .unwrap();
    let rows = fingerprint(&mut c, "emb");

    let (code, report, err) = s.json(&["check", "--collection", "emb"]);
    assert_eq!(code, 1, "{report:#} {err}");
    let ratio = report["metrics"]["index.shared_buffers_ratio"]
        .as_f64()
        .unwrap();
    assert!(ratio > 3.0, "index / shared_buffers = {ratio}");
    let messages = memory_findings(&report);
    assert!(
        messages
            .iter()
            .any(|m| m.contains("larger than shared_buffers") && m.contains("restart")),
        "{report:#}"
    );
    // Searches still find the right rows: the pressure is on memory, not recall.
    assert!(report["metrics"]["recall.at_k"].as_f64().unwrap() >= 0.95);

    let (_, v, err) = s.json(&["diagnose", "--collection", "emb"]);
    let problem = v["problems"]
        .as_array()
        .unwrap()
        .iter()
        .find(|p| p["class"] == "memory_pressure")
        .unwrap_or_else(|| panic!("{v:#} {err}"));
    assert!(
        problem["root_cause"]
            .as_str()
            .unwrap()
            .contains("raise shared_buffers"),
        "{problem:#}"
    );

    // The only playbook for it, prewarm_index, would churn the buffer pool.
    let (_, v, err) = s.json(&["plan", "--collection", "emb"]);
    let plans = v["plans"].as_array().unwrap();
    assert!(
        plans.iter().all(|p| p["playbook"] != "prewarm_index"),
        "{v:#} {err}"
    );
    let blocked = v["blocked"]
        .as_array()
        .unwrap()
        .iter()
        .find(|b| b["class"] == "memory_pressure")
        .unwrap_or_else(|| panic!("{v:#}"));
    let reason = blocked["reason"].as_str().unwrap();
    assert!(
        reason.contains("prewarm_index") && reason.contains("index.shared_buffers_ratio"),
        "{reason}"
    );

    let (code, v, err) = s.json(&["repair", "--collection", "emb", "--dry-run"]);
    assert!(code <= 1, "{v:#} {err}");
    assert_eq!(v["dry_run"], true, "{v:#}");
    assert_eq!(v["runnable"].as_array().map_or(0, Vec::len), 0, "{v:#}");
    assert_eq!(v["blocked"][0]["class"], "memory_pressure", "{v:#}");
    let (code, v, err) = s.json(&["repair", "--collection", "emb", "--yes"]);
    assert!(code <= 1, "{v:#} {err}");
    let repaired: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.repairs", &[])
        .unwrap()
        .get(0);
    assert_eq!(repaired, 0, "nothing ran: {v:#}");
    assert_eq!(fingerprint(&mut c, "emb"), rows);

    // What the finding asks of a human: more shared_buffers and a restart.
    c.batch_execute("ALTER SYSTEM SET shared_buffers = '256MB'")
        .unwrap();
    drop(c);
    s.restart();
    let (_, report, err) = s.json(&["check", "--collection", "emb"]);
    assert!(memory_findings(&report).is_empty(), "{report:#} {err}");
    let ratio = report["metrics"]["index.shared_buffers_ratio"]
        .as_f64()
        .unwrap();
    assert!(ratio <= 0.8, "prewarm_index applies again: {ratio}");
    assert_eq!(fingerprint(&mut s.client(), "emb"), rows);
}
