//! RuVector collections (ruvector-postgres 2.0.6 on PostgreSQL 15, from
//! `scripts/ruvector`): discovery, the check and each 2.0.6 defect on a server
//! where it really happens, diagnose, plan, the remedies with approval, undo,
//! and a crash followed by REINDEX.
//!
//! The server comes from `RUVHEAL_TEST_RUVECTOR_URL` (set by `scripts/test`),
//! else from `scripts/ruvector start` when running as root (it builds the
//! extension on first use). Where it cannot be provisioned (not root, no apt),
//! every test prints one line `SKIPPED ruvector: <reason>` and returns.

use std::process::Command as StdCommand;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use postgres::{Client, NoTls};
use serde_json::Value;

use crate::harness::{run_json, ruvheal, with_db, write_config};

const TEMPLATE: &str = "ruvheal_rv_template_v1";

fn script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/ruvector")
}

/// The RuVector server's admin URL, or why there is none.
fn server() -> Result<&'static str, &'static str> {
    static URL: OnceLock<Result<String, String>> = OnceLock::new();
    URL.get_or_init(|| {
        let url = match std::env::var("RUVHEAL_TEST_RUVECTOR_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => start()?,
        };
        template(&url);
        Ok(url)
    })
    .as_deref()
    .map_err(|e| e.as_str())
}

fn start() -> Result<String, String> {
    if let Ok(out) = StdCommand::new(script()).arg("status").output()
        && out.status.success()
    {
        let line = String::from_utf8_lossy(&out.stdout).trim().to_string();
        return Ok(line.trim_start_matches("running ").to_string());
    }
    // SAFETY-free check of the effective user: `id -u`.
    let uid = StdCommand::new("id")
        .arg("-u")
        .output()
        .map_err(|e| e.to_string())?;
    if String::from_utf8_lossy(&uid.stdout).trim() != "0" {
        return Err(
            "not root: scripts/ruvector needs apt-get and the server's extension directory".into(),
        );
    }
    let out = StdCommand::new(script())
        .arg("start")
        .output()
        .map_err(|e| e.to_string())?;
    if out.status.code() == Some(4) {
        let err = String::from_utf8_lossy(&out.stderr);
        return Err(err.lines().last().unwrap_or("cannot provision").to_string());
    }
    assert!(
        out.status.success(),
        "scripts/ruvector start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    Ok(String::from_utf8_lossy(&out.stdout).trim().to_string())
}

fn template(url: &str) {
    let mut c = Client::connect(url, NoTls).expect("connecting to the RuVector server");
    c.execute("SELECT pg_advisory_lock(4243)", &[]).unwrap();
    let exists: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_database WHERE datname = $1)",
            &[&TEMPLATE],
        )
        .unwrap()
        .get(0);
    if !exists {
        let building = format!("{TEMPLATE}_building");
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {building} WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {building}"))
            .unwrap();
        let mut t = Client::connect(&with_db(url, &building), NoTls).unwrap();
        t.batch_execute("CREATE EXTENSION ruvector VERSION '2.0.0'; CREATE EXTENSION pageinspect;")
            .unwrap();
        drop(t);
        c.batch_execute(&format!("ALTER DATABASE {building} RENAME TO {TEMPLATE}"))
            .unwrap();
        c.batch_execute(&format!("ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true"))
            .unwrap();
    }
    c.execute("SELECT pg_advisory_unlock(4243)", &[]).unwrap();
}

/// A database of its own on the RuVector server, dropped afterwards.
pub struct RvDb {
    name: String,
    admin: String,
    /// Its URL.
    pub url: String,
}

/// A fresh database (RuVector's extension version 2.0.0 + pageinspect), or
/// `None` after printing why the RuVector tests are skipped.
fn rv_db(test: &str) -> Option<RvDb> {
    let admin = match server() {
        Ok(u) => u.to_string(),
        Err(reason) => {
            println!("SKIPPED ruvector: {reason} ({test})");
            return None;
        }
    };
    Some(RvDb::create(&admin, Some(TEMPLATE)))
}

impl RvDb {
    fn create(admin: &str, template: Option<&str>) -> RvDb {
        static N: AtomicUsize = AtomicUsize::new(0);
        let name = format!(
            "rv_{}_{}",
            std::process::id(),
            N.fetch_add(1, Ordering::SeqCst)
        );
        let mut c = Client::connect(admin, NoTls).unwrap();
        let from = template.map_or(String::new(), |t| format!(" TEMPLATE {t}"));
        c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            .unwrap();
        c.batch_execute(&format!("CREATE DATABASE {name}{from}"))
            .unwrap();
        RvDb {
            url: with_db(admin, &name),
            admin: admin.to_string(),
            name,
        }
    }

    fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).unwrap()
    }

    fn sql(&self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    fn one<T: for<'a> postgres::types::FromSql<'a>>(&self, sql: &str) -> T {
        self.client()
            .query_one(sql, &[])
            .unwrap_or_else(|e| panic!("{sql}: {e}"))
            .get(0)
    }

    fn cmd(&self) -> assert_cmd::Command {
        let mut cmd = ruvheal();
        cmd.env("DATABASE_URL", &self.url);
        cmd
    }

    fn json(&self, args: &[&str]) -> (i32, Value, String) {
        run_json(&mut self.cmd(), args)
    }
}

impl Drop for RvDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(&self.admin, NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

/// `items (id, emb ruvector(dims))` with `rows` clustered rows (deterministic
/// centres, random spread) and an HNSW index `items_hnsw` (`with`: its WITH clause).
fn items(d: &RvDb, rows: usize, dims: usize, method: &str, with: &str) {
    d.sql(&items_sql("items", rows, dims, 0));
    d.sql(&format!("CREATE INDEX items_hnsw ON items USING {method} (emb ruvector_l2_ops) {with}; ANALYZE items;"));
}

fn items_sql(table: &str, rows: usize, dims: usize, first_id: usize) -> String {
    format!(
        "CREATE TABLE IF NOT EXISTS {table} (id bigint PRIMARY KEY, emb ruvector({dims}));
         INSERT INTO {table} SELECT g, ('[' || (SELECT string_agg((sin((g % 10) * 7 + d * 0.37) + (random() - 0.5))::real::text, ',')
                                         FROM generate_series(1, {dims}) d) || ']')::ruvector({dims})
           FROM generate_series({}, {}) g;",
        first_id + 1,
        first_id + rows
    )
}

fn findings<'a>(report: &'a Value, detector: &str) -> Vec<&'a Value> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("{report:#}"))
        .iter()
        .filter(|f| f["detector"] == detector)
        .collect()
}

fn problem<'a>(report: &'a Value, class: &str) -> Option<&'a Value> {
    report["problems"]
        .as_array()?
        .iter()
        .find(|p| p["class"] == class)
}

fn check(d: &RvDb, extra: &[&str]) -> (i32, Value, String) {
    let mut args = extra.to_vec();
    args.extend(["check", "--collection", "items"]);
    d.json(&args)
}

#[test]
fn ruvector_collections_tell_ruvector_hnsw_from_pgvector_by_owner() {
    let Some(d) = rv_db("collections") else {
        return;
    };
    items(&d, 300, 8, "ruhnsw", "");
    d.sql("CREATE INDEX items_ivf ON items USING ruivfflat (emb ruvector_cosine_ops)");
    let (code, v, err) = d.json(&["collections"]);
    assert_eq!(code, 0, "{err}");
    let c = &v["collections"][0];
    assert_eq!(
        (c["table"].as_str(), c["type"].as_str(), c["dims"].as_i64()),
        (Some("items"), Some("ruvector"), Some(8)),
        "{v:#}"
    );
    let by = |name: &str| {
        c["indexes"]
            .as_array()
            .unwrap()
            .iter()
            .find(|i| i["name"] == name)
            .cloned()
            .unwrap()
    };
    let h = by("items_hnsw");
    assert_eq!(
        (
            h["method"].as_str(),
            h["extension"].as_str(),
            h["handler"].as_str()
        ),
        (Some("ruhnsw"), Some("ruvector"), Some("hnsw_handler"))
    );
    assert_eq!(by("items_ivf")["method"], "ruivfflat");
    // extension version 0.3.0 (the default script): its HNSW method is named hnsw,
    // like pgvector's, and is still RuVector's (owned by the ruvector extension)
    let old = RvDb::create(server().unwrap(), None);
    old.sql("CREATE EXTENSION ruvector; CREATE EXTENSION pageinspect;");
    items(&old, 300, 8, "hnsw", "");
    let (code, v, err) = old.json(&["collections"]);
    assert_eq!(code, 0, "{err}");
    let h = &v["collections"][0]["indexes"][0];
    assert_eq!(
        (h["method"].as_str(), h["extension"].as_str()),
        (Some("hnsw"), Some("ruvector")),
        "{v:#}"
    );
    let (_, report, err) = check(&old, &[]);
    assert_eq!(
        report["metrics"]["ruvector.collection"], 1.0,
        "{report:#} {err}"
    );
    assert!(
        report["metrics"]["recall.at_k"].as_f64().is_some(),
        "{report:#}"
    );
}

#[test]
fn ruvector_check_measures_recall_against_exact_truth() {
    let Some(d) = rv_db("recall") else { return };
    items(&d, 3000, 16, "ruhnsw", "");
    // a generous search: the probe must see the index answer (not a seq scan)
    let (_, v, err) = check(&d, &[]);
    let m = &v["metrics"];
    assert_eq!(m["ruvector.rows_nonnull"], 3000.0, "{v:#} {err}");
    let recall = m["recall.at_k"].as_f64().unwrap_or_else(|| panic!("{v:#}"));
    assert!(recall > 0.5, "{v:#}");
    assert_eq!(v["details"]["recall"]["plan_uses_index"], true, "{v:#}");
    assert_eq!(v["details"]["recall"]["exact_rows_scanned"], 3000, "{v:#}");
    // what a repair's verdict reads back: the interval, the rows, the contract
    assert_eq!(m["recall.exact_rows"], 3000.0, "{v:#}");
    assert_eq!(m["contract.min_recall"], 0.95, "{v:#}");
    let (lo, hi) = (
        m["recall.ci_low"]
            .as_f64()
            .unwrap_or_else(|| panic!("{v:#}")),
        m["recall.ci_high"]
            .as_f64()
            .unwrap_or_else(|| panic!("{v:#}")),
    );
    assert!(
        lo <= recall && recall <= hi + 1e-9 && hi - lo > 0.0,
        "{v:#}"
    );
    assert!(m["recall.half_width"].as_f64().unwrap() > 0.0, "{v:#}");
    // RuVector 2.0.6 searches with max(ruvector.hnsw_ef_search, 100): a setting
    // below 100 changes nothing, and the probe reports the setting it ran with
    d.sql(&format!(
        "ALTER DATABASE {} SET ruvector.hnsw_ef_search = 1",
        d.name
    ));
    let (_, narrow, _) = check(&d, &[]);
    assert_eq!(
        narrow["metrics"]["recall.at_k"].as_f64(),
        Some(recall),
        "{narrow:#}"
    );
    assert_eq!(
        narrow["details"]["recall"]["settings"]["ruvector.hnsw_ef_search"], "1",
        "{narrow:#}"
    );
}

#[test]
fn ruvector_build_options_on_the_meta_page_differ_from_with() {
    let Some(d) = rv_db("build options") else {
        return;
    };
    items(&d, 500, 8, "ruhnsw", "WITH (m = 32, ef_construction = 200)");
    let (_, v, err) = check(&d, &[]);
    let f = findings(&v, "ruvector.build_options");
    assert_eq!(f.len(), 1, "{v:#} {err}");
    assert_eq!(
        v["metrics"]["ruvector.hnsw.m"], 16.0,
        "the meta page has the default: {v:#}"
    );
    assert!(
        f[0]["message"].as_str().unwrap().contains("m = 32 asked"),
        "{f:#?}"
    );
    // defaults asked for: nothing to report
    let ok = rv_db("build options").unwrap();
    items(&ok, 500, 8, "ruhnsw", "");
    let (_, v, _) = check(&ok, &[]);
    assert!(findings(&v, "ruvector.build_options").is_empty(), "{v:#}");
}

#[test]
fn ruvector_hnsw_scans_stop_at_100_rows() {
    let Some(d) = rv_db("k cap") else { return };
    items(&d, 1500, 8, "ruhnsw", "");
    let dir = tempfile::tempdir().unwrap();
    let cfg = write_config(
        &dir,
        "collections:\n  public.items:\n    k: 150\n    min_recall: 0.5\n",
    );
    let (_, v, err) = check(&d, &["--config", &cfg]);
    assert_eq!(
        v["metrics"]["ruvector.scan_rows_for_limit"], 100.0,
        "{v:#} {err}"
    );
    let f = findings(&v, "ruvector.k_cap");
    assert_eq!(f[0]["severity"], "critical", "k 150 > 100: {v:#}");
    let (_, diag, _) = d.json(&["--config", &cfg, "diagnose", "--collection", "items"]);
    let p = problem(&diag, "recall_degradation").unwrap_or_else(|| panic!("{diag:#}"));
    assert!(
        p["evidence"]["human_only"]
            .as_str()
            .unwrap()
            .contains("k = 100"),
        "{p:#}"
    );
    // k 10: the cap is only worth knowing
    let (_, v, _) = check(&d, &[]);
    assert_eq!(
        findings(&v, "ruvector.k_cap")[0]["severity"],
        "info",
        "{v:#}"
    );
}

/// The plan for `class` in a `plan -o json` report.
fn plan_for<'a>(plan: &'a Value, class: &str) -> Option<&'a Value> {
    plan["plans"]
        .as_array()?
        .iter()
        .find(|p| p["problem"]["class"] == class)
}

fn blocked_reason<'a>(plan: &'a Value, class: &str) -> Option<&'a str> {
    plan["blocked"]
        .as_array()?
        .iter()
        .find(|b| b["class"] == class)?["reason"]
        .as_str()
}

/// A value computed without any index (RuVector's answer scans without ORDER BY wrongly).
fn no_index<T: for<'a> postgres::types::FromSql<'a>>(d: &RvDb, sql: &str) -> T {
    let mut c = d.client();
    c.batch_execute(
        "SET enable_indexscan = off; SET enable_indexonlyscan = off; SET enable_bitmapscan = off",
    )
    .unwrap();
    c.query_one(sql, &[])
        .unwrap_or_else(|e| panic!("{sql}: {e}"))
        .get(0)
}

fn true_count(d: &RvDb) -> i64 {
    no_index(d, "SELECT count(*) FROM items")
}

#[test]
fn ruvector_count_star_through_the_index_is_zero_and_the_remedy_needs_approval_and_undoes() {
    let Some(d) = rv_db("count(*)") else { return };
    items(&d, 2000, 8, "ruhnsw", "");
    d.sql("VACUUM ANALYZE items");
    let wrong: i64 = d.one("SELECT count(*) FROM items");
    assert_eq!(
        (wrong, true_count(&d)),
        (0, 2000),
        "RuVector 2.0.6 answers count(*) from its HNSW index with nothing"
    );
    let (code, v, err) = check(&d, &[]);
    assert_eq!(code, 2, "{v:#} {err}");
    let f = findings(&v, "ruvector.index_only_scan");
    assert_eq!(f[0]["severity"], "critical", "{v:#}");
    assert_eq!(
        f[0]["evidence"]["count_without_index_only_scan"], 2000,
        "{f:#?}"
    );
    let (_, diag, _) = d.json(&["diagnose", "--collection", "items"]);
    assert!(problem(&diag, "invalid_index").is_some(), "{diag:#}");
    // the dry run shows the statement and changes nothing
    let (code, dry, _) = d.json(&["repair", "--collection", "items", "--dry-run"]);
    assert_eq!(
        code, 1,
        "the dry run's plan waits for approval too: {dry:#}"
    );
    assert!(
        serde_json::to_string(&dry)
            .unwrap()
            .contains("enable_indexonlyscan"),
        "{dry:#}"
    );
    assert_eq!(
        d.one::<i64>("SELECT count(*) FROM items"),
        0,
        "a dry run changes nothing"
    );
    // the remedy waits for approval
    let (code, plan, err) = d.json(&["plan", "--collection", "items"]);
    assert_eq!(code, 1, "{plan:#} {err}");
    let p = plan_for(&plan, "invalid_index").unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(
        (p["playbook"].as_str(), p["status"].as_str()),
        (
            Some("ruvector_disable_index_only_scan"),
            Some("awaiting_approval")
        ),
        "{p:#}"
    );
    let id = p["plan_id"].as_i64().unwrap().to_string();
    let (code, refused, _) = d.json(&["repair", "--collection", "items", "--plan", &id, "--yes"]);
    assert_eq!(
        (code, refused["repairs"].clone()),
        (1, serde_json::json!([])),
        "not approved yet: {refused:#}"
    );
    assert_eq!(d.json(&["approve", &id]).0, 0);
    let (code, r, err) = d.json(&["repair", "--collection", "items", "--plan", &id, "--yes"]);
    assert_eq!(r["repairs"][0]["status"], "succeeded", "{r:#} {err}");
    assert_eq!(code, 0, "{r:#}");
    assert_eq!(
        d.one::<i64>("SELECT count(*) FROM items"),
        2000,
        "new sessions count right"
    );
    // undo: the database setting goes, and with it the right count
    let (code, _, err) = d.json(&["rollback", "--collection", "items", "--yes"]);
    assert_eq!(code, 0, "{err}");
    assert_eq!(d.one::<i64>("SELECT count(*) FROM items"), 0, "rolled back");
}

#[test]
fn ruvector_vacuum_leaves_stale_nodes_that_only_a_reindex_removes() {
    let Some(d) = rv_db("vacuum") else { return };
    items(&d, 3000, 8, "ruhnsw", "");
    d.sql("DELETE FROM items WHERE id % 2 = 0");
    d.sql("VACUUM items");
    d.sql(&items_sql("items", 1500, 8, 100_000));
    d.sql("ANALYZE items");
    let (code, v, err) = check(&d, &[]);
    assert_eq!(code, 2, "{v:#} {err}");
    assert_eq!(
        v["metrics"]["ruvector.hnsw.deleted_count"], 0.0,
        "VACUUM marked nothing: {v:#}"
    );
    let f = findings(&v, "ruvector.stale_nodes");
    assert_eq!(f.len(), 1, "{v:#}");
    assert!(
        v["metrics"]["ruvector.nodes_reused_tids"].as_f64().unwrap() > 0.0,
        "new rows in old slots: {v:#}"
    );
    let (_, diag, _) = d.json(&["diagnose", "--collection", "items"]);
    let p = problem(&diag, "orphan_nodes").unwrap_or_else(|| panic!("{diag:#}"));
    assert!(
        p["root_cause"].as_str().unwrap().contains("VACUUM"),
        "{p:#}"
    );
    // REINDEX takes an exclusive lock: it waits for approval, never runs CONCURRENTLY
    let (code, dry, _) = d.json(&["repair", "--collection", "items", "--dry-run"]);
    assert_eq!(code, 1, "waits for approval: {dry:#}");
    assert!(
        serde_json::to_string(&dry)
            .unwrap()
            .contains("REINDEX INDEX"),
        "{dry:#}"
    );
    let (code, plan, _) = d.json(&["plan", "--collection", "items"]);
    assert_eq!(code, 1, "{plan:#}");
    let p = plan_for(&plan, "orphan_nodes").unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(
        (p["playbook"].as_str(), p["status"].as_str()),
        (Some("ruvector_reindex"), Some("awaiting_approval")),
        "{p:#}"
    );
    let text = serde_json::to_string(&plan).unwrap();
    assert!(!text.contains("CONCURRENTLY"), "{plan:#}");
    let rows = no_index::<i64>(&d, "SELECT sum(id)::int8 FROM items");
    let id = p["plan_id"].as_i64().unwrap().to_string();
    assert_eq!(d.json(&["approve", &id]).0, 0);
    let (_, r, err) = d.json(&[
        "--config",
        &lenient(),
        "repair",
        "--collection",
        "items",
        "--plan",
        &id,
        "--yes",
    ]);
    assert_eq!(r["repairs"][0]["status"], "succeeded", "{r:#} {err}");
    assert_eq!(
        no_index::<i64>(&d, "SELECT sum(id)::int8 FROM items"),
        rows,
        "no row changed"
    );
    let (_, v, _) = check(&d, &[]);
    assert!(findings(&v, "ruvector.stale_nodes").is_empty(), "{v:#}");
    assert_eq!(v["metrics"]["ruvector.stale_node_ratio"], 0.0, "{v:#}");
}

/// A config with a recall contract RuVector's default search meets.
fn lenient() -> String {
    static DIR: OnceLock<tempfile::TempDir> = OnceLock::new();
    let dir = DIR.get_or_init(|| tempfile::tempdir().unwrap());
    write_config(dir, "collections:\n  public.items:\n    min_recall: 0.6\n")
}

#[test]
fn ruvector_ivfflat_returns_the_farthest_rows_and_is_left_to_a_human() {
    let Some(d) = rv_db("ivfflat") else { return };
    d.sql(&items_sql("items", 2000, 8, 0));
    d.sql("CREATE INDEX items_ivf ON items USING ruivfflat (emb ruvector_l2_ops) WITH (lists = 20); ANALYZE items;");
    let (code, v, err) = check(&d, &[]);
    assert_eq!(code, 2, "{v:#} {err}");
    assert!(v["metrics"]["recall.at_k"].as_f64().unwrap() < 0.2, "{v:#}");
    let f = findings(&v, "ruvector.ivfflat");
    assert_eq!(f[0]["severity"], "critical", "{v:#}");
    let (_, plan, _) = d.json(&["plan", "--collection", "items"]);
    assert!(plan_for(&plan, "recall_degradation").is_none(), "{plan:#}");
    let why = blocked_reason(&plan, "recall_degradation").unwrap_or_else(|| panic!("{plan:#}"));
    assert!(why.contains("HNSW"), "{why}");
}

#[test]
fn ruvector_refuses_concurrent_builds_and_the_leftover_is_dropped() {
    let Some(d) = rv_db("concurrently") else {
        return;
    };
    items(&d, 500, 8, "ruhnsw", "");
    let err = d
        .client()
        .batch_execute("REINDEX INDEX CONCURRENTLY items_hnsw")
        .unwrap_err();
    assert!(err.as_db_error().is_some(), "{err}");
    let invalid: i64 = d
        .one("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid");
    assert_eq!(invalid, 1, "RuVector 2.0.6 leaves an INVALID _ccnew");
    // The leftover's original is valid: the first acting command drops it
    // before planning, and nothing rebuilds it.
    let (_, plan, err) = d.json(&["plan", "--collection", "items"]);
    let playbooks = plan["plans"].to_string();
    assert!(
        !playbooks.contains("\"playbook\":\"ruvector_drop_invalid_leftover\"")
            && !playbooks.contains("\"playbook\":\"drop_invalid_and_rebuild\""),
        "{plan:#} {err}"
    );
    let invalid: i64 = d
        .one("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid");
    assert_eq!(invalid, 0, "plan left the leftover: {plan:#}");
    let (_, r, err) = d.json(&["repair", "--collection", "items", "--yes"]);
    assert!(
        !serde_json::to_string(&r)
            .unwrap()
            .contains("INDEX CONCURRENTLY \""),
        "no concurrent build: {r:#}"
    );
    let invalid: i64 = d
        .one("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND NOT indisvalid");
    assert_eq!(invalid, 0, "{r:#} {err}");
    let valid: i64 =
        d.one("SELECT count(*) FROM pg_index WHERE indrelid = 'items'::regclass AND indisvalid");
    assert_eq!(valid, 2, "the HNSW index and the primary key stay");
}

/// A scratch RuVector cluster, stopped and deleted when dropped.
struct Scratch {
    name: String,
    url: String,
}

impl Scratch {
    fn start(name: &str) -> Scratch {
        let name = format!("{name}-{}", std::process::id());
        let out = StdCommand::new(script())
            .args(["scratch", "start", &name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let url = String::from_utf8_lossy(&out.stdout).trim().to_string();
        Scratch { name, url }
    }

    fn crash_restart(&self) {
        let out = StdCommand::new(script())
            .args(["scratch", "crash-restart", &self.name])
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
}

impl Drop for Scratch {
    fn drop(&mut self) {
        let _ = StdCommand::new(script())
            .args(["scratch", "stop", &self.name])
            .output();
    }
}

#[test]
fn ruvector_a_crash_loses_the_index_rows_since_the_checkpoint_and_reindex_brings_them_back() {
    if let Err(reason) = server() {
        println!("SKIPPED ruvector: {reason} (crash)");
        return;
    }
    let s = Scratch::start("rvcrash");
    let d = RvDb::create(&s.url, None);
    d.sql("CREATE EXTENSION ruvector VERSION '2.0.0'; CREATE EXTENSION pageinspect;");
    items(&d, 2000, 8, "ruhnsw", "");
    d.sql("CHECKPOINT");
    d.sql(&items_sql("items", 300, 8, 50_000));
    let (_, before, _) = check(&d, &[]);
    assert!(
        findings(&before, "ruvector.lost_rows").is_empty(),
        "nothing lost yet: {before:#}"
    );
    s.crash_restart();
    assert_eq!(
        true_count(&d),
        2300,
        "the heap is WAL-logged: every row survives"
    );
    let (code, v, err) = check(&d, &[]);
    assert_eq!(code, 2, "{v:#} {err}");
    let lost = findings(&v, "ruvector.lost_rows");
    assert!(!lost.is_empty(), "{v:#}");
    assert!(
        v["metrics"]["ruvector.newest_self_hit"].as_f64().unwrap() < 0.5,
        "{v:#}"
    );
    let (code, plan, _) = d.json(&["plan", "--collection", "items"]);
    assert_eq!(code, 1, "{plan:#}");
    let p = plan_for(&plan, "orphan_nodes").unwrap_or_else(|| panic!("{plan:#}"));
    assert_eq!(p["playbook"], "ruvector_reindex");
    let id = p["plan_id"].as_i64().unwrap().to_string();
    assert_eq!(d.json(&["approve", &id]).0, 0);
    let (_, r, err) = d.json(&[
        "--config",
        &lenient(),
        "repair",
        "--collection",
        "items",
        "--plan",
        &id,
        "--yes",
    ]);
    assert_eq!(r["repairs"][0]["status"], "succeeded", "{r:#} {err}");
    let (_, v, _) = check(&d, &[]);
    assert!(findings(&v, "ruvector.lost_rows").is_empty(), "{v:#}");
    assert_eq!(v["metrics"]["ruvector.newest_self_hit"], 1.0, "{v:#}");
    drop(d);
}

#[test]
fn ruvector_reindex_runs_without_approval_inside_the_maintenance_window() {
    let Some(d) = rv_db("maintenance window") else {
        return;
    };
    items(&d, 1000, 8, "ruhnsw", "");
    d.sql("DELETE FROM items WHERE id % 2 = 0");
    d.sql("VACUUM items");
    d.sql(&items_sql("items", 500, 8, 100_000));
    let dir = tempfile::tempdir().unwrap();
    // Windows placed around, and away from, the server's clock (UTC minutes).
    let minute: i32 = d.one(
        "SELECT (extract(hour FROM now() AT TIME ZONE 'UTC') * 60
                 + extract(minute FROM now() AT TIME ZONE 'UTC'))::int4",
    );
    let hhmm = |m: i32| {
        let m = m.rem_euclid(24 * 60);
        format!("{:02}:{:02}", m / 60, m % 60)
    };
    let plan_in = |start: i32, end: i32, name: &str| {
        let path = dir.path().join(format!("{name}.yaml"));
        std::fs::write(
            &path,
            format!(
                "collections:\n  public.items:\n    min_recall: 0.6\nplan:\n  maintenance_window:\n    start: \"{}\"\n    end: \"{}\"\n    playbooks: [ruvector_reindex]\n",
                hhmm(start),
                hhmm(end)
            ),
        )
        .unwrap();
        let cfg = path.display().to_string();
        run_json(
            &mut d.cmd(),
            &["--config", &cfg, "plan", "--collection", "items"],
        )
    };
    let (code, outside, _) = plan_in(minute + 180, minute + 300, "outside");
    assert_eq!(code, 1, "{outside:#}");
    let p = plan_for(&outside, "orphan_nodes").unwrap_or_else(|| panic!("{outside:#}"));
    assert_eq!(p["status"], "awaiting_approval", "{p:#}");
    let (code, inside, err) = plan_in(minute - 60, minute + 60, "inside");
    let p = plan_for(&inside, "orphan_nodes").unwrap_or_else(|| panic!("{inside:#}"));
    assert_eq!(
        (p["playbook"].as_str(), p["status"].as_str()),
        (Some("ruvector_reindex"), Some("ready")),
        "{p:#} {err}"
    );
    assert_eq!(p["approval_reasons"], serde_json::json!([]), "{p:#}");
    // the count(*) remedy is not named by the window: it still waits (exit 1)
    assert_eq!(code, 1, "{inside:#}");
    let other = plan_for(&inside, "invalid_index").unwrap_or_else(|| panic!("{inside:#}"));
    assert_eq!(other["status"], "awaiting_approval", "{other:#}");
}
