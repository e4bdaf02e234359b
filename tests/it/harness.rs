//! Test harness: one real PostgreSQL per test run (started by `scripts/postgres`
//! or named by `RUVHEAL_TEST_DATABASE_URL`), one fresh database per test, cloned
//! from a template that already has the extensions, dropped afterwards.

use std::process::Command as StdCommand;
use std::sync::OnceLock;
use std::sync::atomic::{AtomicUsize, Ordering};

use assert_cmd::Command;
use postgres::{Client, NoTls};

const TEMPLATE: &str = "ruvheal_test_template_v1";
const EXTENSIONS: &[&str] = &[
    "vector",
    "pageinspect",
    "pg_stat_statements",
    "pg_prewarm",
    "pgstattuple",
    "amcheck",
];

/// URL of the maintenance database (`postgres`) of the test server.
pub fn admin_url() -> &'static str {
    static URL: OnceLock<String> = OnceLock::new();
    URL.get_or_init(|| {
        let url = match std::env::var("RUVHEAL_TEST_DATABASE_URL") {
            Ok(u) if !u.is_empty() => u,
            _ => start_server(),
        };
        ensure_template(&url);
        url
    })
}

fn start_server() -> String {
    let script = concat!(env!("CARGO_MANIFEST_DIR"), "/scripts/postgres");
    let out = StdCommand::new(script)
        .arg("start")
        .output()
        .expect("running scripts/postgres start");
    assert!(
        out.status.success(),
        "scripts/postgres start failed: {}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout)
        .expect("utf-8 URL")
        .trim()
        .to_string()
}

fn ensure_template(url: &str) {
    let mut c = Client::connect(url, NoTls).expect("connecting to the test server");
    c.execute("SELECT pg_advisory_lock(4242)", &[]).unwrap();
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
        for ext in EXTENSIONS {
            t.batch_execute(&format!("CREATE EXTENSION IF NOT EXISTS {ext}"))
                .unwrap();
        }
        drop(t);
        c.batch_execute(&format!(
            "ALTER DATABASE {building} RENAME TO {TEMPLATE}; \
             ALTER DATABASE {TEMPLATE} WITH IS_TEMPLATE true"
        ))
        .unwrap();
    }
    c.execute("SELECT pg_advisory_unlock(4242)", &[]).unwrap();
}

/// `url` with its database replaced by `db`.
pub fn with_db(url: &str, db: &str) -> String {
    let (base, query) = match url.find('?') {
        Some(i) => (&url[..i], &url[i..]),
        None => (url, ""),
    };
    let slash = base.rfind('/').expect("URL with a database");
    format!("{}/{db}{query}", &base[..slash])
}

/// A database of its own for one test, dropped when it goes out of scope.
pub struct TestDb {
    /// Database name.
    pub name: String,
    /// Connection URL.
    pub url: String,
}

/// Creates a fresh database from the template.
pub fn db() -> TestDb {
    static N: AtomicUsize = AtomicUsize::new(0);
    let admin = admin_url();
    let name = format!(
        "t_{}_{}",
        std::process::id(),
        N.fetch_add(1, Ordering::SeqCst)
    );
    let mut c = Client::connect(admin, NoTls).unwrap();
    c.batch_execute(&format!("DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        .unwrap();
    c.batch_execute(&format!("CREATE DATABASE {name} TEMPLATE {TEMPLATE}"))
        .unwrap();
    TestDb {
        url: with_db(admin, &name),
        name,
    }
}

impl TestDb {
    /// A new connection to this database.
    pub fn client(&self) -> Client {
        Client::connect(&self.url, NoTls).expect("connecting to the test database")
    }

    /// Runs SQL (several statements allowed).
    pub fn sql(&self, sql: &str) {
        self.client()
            .batch_execute(sql)
            .unwrap_or_else(|e| panic!("{sql}: {e}"));
    }

    /// The ruvheal binary, pointed at this database, with a clean environment.
    pub fn cmd(&self) -> Command {
        let mut cmd = ruvheal();
        cmd.env("DATABASE_URL", &self.url);
        cmd
    }
}

impl Drop for TestDb {
    fn drop(&mut self) {
        if let Ok(mut c) = Client::connect(admin_url(), NoTls) {
            let _ = c.batch_execute(&format!(
                "DROP DATABASE IF EXISTS {} WITH (FORCE)",
                self.name
            ));
        }
    }
}

impl TestDb {
    /// The ruvheal binary as a `std` command pointed at this database, for a
    /// run in the background (`assert_cmd` cannot spawn): libpq and ruvheal
    /// settings of the test's environment removed.
    pub fn background(&self, args: &[&str]) -> std::process::Command {
        let mut cmd = std::process::Command::new(assert_cmd::cargo::cargo_bin("ruvheal"));
        for (k, _) in std::env::vars_os() {
            let k = k.to_string_lossy().to_string();
            if k.starts_with("PG") || k.starts_with("RUVHEAL_") || k == "DATABASE_URL" {
                cmd.env_remove(&k);
            }
        }
        cmd.env("DATABASE_URL", &self.url).args(args);
        cmd
    }
}

/// Polls `cond` every 50 ms until it holds or `limit` passes; returns whether it held.
pub fn within(limit: std::time::Duration, mut cond: impl FnMut() -> bool) -> bool {
    let start = std::time::Instant::now();
    while start.elapsed() < limit {
        if cond() {
            return true;
        }
        std::thread::sleep(std::time::Duration::from_millis(50));
    }
    cond()
}

/// The ruvheal binary with no inherited ruvheal/libpq settings and no config file.
pub fn ruvheal() -> Command {
    let mut cmd = Command::cargo_bin("ruvheal").unwrap();
    for (k, _) in std::env::vars_os() {
        let k = k.to_string_lossy().to_string();
        if k.starts_with("PG") || k.starts_with("RUVHEAL_") || k == "DATABASE_URL" {
            cmd.env_remove(&k);
        }
    }
    let empty = std::env::temp_dir().join("ruvheal-test-empty-cwd");
    std::fs::create_dir_all(&empty).unwrap();
    cmd.current_dir(&empty)
        .env("XDG_CONFIG_HOME", &empty)
        .env("NO_COLOR", "1");
    cmd
}

/// Runs a command and returns (exit code, stdout, stderr).
pub fn run(cmd: &mut Command) -> (i32, String, String) {
    let out = cmd.output().expect("running ruvheal");
    (
        out.status.code().unwrap_or(-1),
        String::from_utf8_lossy(&out.stdout).into_owned(),
        String::from_utf8_lossy(&out.stderr).into_owned(),
    )
}

/// SQL creating `table (id bigint identity, embedding vector(dims))` with `rows`
/// rows in `clusters` clusters (deterministic centres, random spread wide enough
/// that pgvector builds a connected graph: a spread of 0.2 left layer 0 split by
/// cluster in 25 of 30 builds, and about one build in 80 with recall below 0.95).
pub fn clustered_table_sql(table: &str, rows: usize, dims: usize, clusters: usize) -> String {
    format!(
        "CREATE TABLE {table} (id bigint GENERATED ALWAYS AS IDENTITY PRIMARY KEY, embedding vector({dims}));
         INSERT INTO {table} (embedding)
         SELECT (SELECT array_agg(sin((g % {clusters}) * 7 + d * 0.37) + (random() - 0.5))::vector
                   FROM generate_series(1, {dims}) d)
           FROM generate_series(1, {rows}) g;"
    )
}

impl TestDb {
    /// Table `emb`: `rows` clustered 8-dimensional rows in `clusters` clusters
    /// (see [`clustered_table_sql`]), an l2 HNSW index `emb_hnsw`, analyzed.
    pub fn hnsw_collection(&self, rows: usize, clusters: usize) {
        self.sql(&clustered_table_sql("emb", rows, 8, clusters));
        self.sql("CREATE INDEX emb_hnsw ON emb USING hnsw (embedding vector_l2_ops); ANALYZE emb;");
    }

    /// Runs `ruvheal check --collection C -o json` and parses the report.
    pub fn check_json(&self, collection: &str, extra: &[&str]) -> (i32, serde_json::Value, String) {
        let (code, out, err) = run(self
            .cmd()
            .args(["check", "--collection", collection, "-o", "json"])
            .args(extra));
        let v = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{e}: stdout {out:?} stderr {err}"));
        (code, v, err)
    }
}

/// The findings of `detector` in a check report.
pub fn findings_of(report: &serde_json::Value, detector: &str) -> Vec<serde_json::Value> {
    report["findings"]
        .as_array()
        .unwrap_or_else(|| panic!("no findings array: {report:#}"))
        .iter()
        .filter(|f| f["detector"] == detector)
        .cloned()
        .collect()
}

/// The classes of a check report's findings with at least `min` severity.
pub fn classes(report: &serde_json::Value, min: &str) -> Vec<String> {
    let rank = |s: &str| {
        ["info", "warning", "critical"]
            .iter()
            .position(|x| *x == s)
            .unwrap_or(0)
    };
    report["findings"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|f| rank(f["severity"].as_str().unwrap()) >= rank(min))
        .map(|f| f["class"].as_str().unwrap().to_string())
        .collect()
}

/// Writes `yaml` as `ruvheal.yaml` in `dir`; returns its path for `--config`.
pub fn write_config(dir: &tempfile::TempDir, yaml: &str) -> String {
    let p = dir.path().join("ruvheal.yaml");
    std::fs::write(&p, yaml).unwrap();
    p.display().to_string()
}

impl TestDb {
    /// Runs `ruvheal diagnose --collection C -o json` and parses the report.
    pub fn diagnose_json(
        &self,
        collection: &str,
        extra: &[&str],
    ) -> (i32, serde_json::Value, String) {
        let (code, out, err) = run(self
            .cmd()
            .args(["diagnose", "--collection", collection, "-o", "json"])
            .args(extra));
        let v = serde_json::from_str(&out)
            .unwrap_or_else(|e| panic!("{e}: stdout {out:?} stderr {err}"));
        (code, v, err)
    }
}

/// The classes of a diagnose report's problems, in priority order.
pub fn problem_classes(report: &serde_json::Value) -> Vec<String> {
    report["problems"]
        .as_array()
        .unwrap_or_else(|| panic!("no problems array: {report:#}"))
        .iter()
        .map(|p| p["class"].as_str().unwrap().to_string())
        .collect()
}

impl TestDb {
    /// Runs `ruvheal <args> -o json` and parses stdout.
    pub fn json(&self, args: &[&str]) -> (i32, serde_json::Value, String) {
        run_json(&mut self.cmd(), args)
    }

    /// Row count and an order-independent checksum of `table`'s rows: what no
    /// repair may change.
    pub fn fingerprint(&self, table: &str) -> (i64, String) {
        fingerprint(&mut self.client(), table)
    }
}

/// Runs `cmd <args> -o json` and parses stdout: (exit code, JSON, stderr).
pub fn run_json(cmd: &mut Command, args: &[&str]) -> (i32, serde_json::Value, String) {
    let (code, out, err) = run(cmd.args(args).args(["-o", "json"]));
    let v = serde_json::from_str(&out)
        .unwrap_or_else(|e| panic!("{e}: ruvheal {args:?}: stdout {out:?} stderr {err}"));
    (code, v, err)
}

/// Row count and an order-independent hash of every row of `table`.
pub fn fingerprint(c: &mut Client, table: &str) -> (i64, String) {
    let row = c
        .query_one(
            &format!(
                "SELECT count(*), coalesce(sum(hashtext(t::text)::numeric), 0)::text FROM {table} t"
            ),
            &[],
        )
        .unwrap();
    (row.get(0), row.get(1))
}

/// The dead-tuple fault: `emb` (4,000 clustered rows, cosine HNSW, autovacuum
/// off) with 60% of its rows deleted and not vacuumed.
pub fn mass_deleted_without_vacuum(db: &TestDb) {
    db.sql(&clustered_table_sql("emb", 4000, 8, 10));
    db.sql(
        "ALTER TABLE emb SET (autovacuum_enabled = off);
         CREATE INDEX ON emb USING hnsw (embedding vector_cosine_ops); ANALYZE emb;
         DELETE FROM emb WHERE id % 5 < 3; ANALYZE emb;",
    );
}

/// The status of the first repair ruvheal recorded.
pub fn first_repair_status(c: &mut Client) -> String {
    c.query_one(
        "SELECT status FROM ruvheal.repairs ORDER BY id LIMIT 1",
        &[],
    )
    .unwrap()
    .get(0)
}

/// INVALID indexes on `public.emb`.
pub fn invalid_indexes_on_emb(c: &mut Client) -> i64 {
    c.query_one(
        "SELECT count(*) FROM pg_index WHERE indrelid = 'public.emb'::regclass AND NOT indisvalid",
        &[],
    )
    .unwrap()
    .get(0)
}

/// `scripts/postgres`, for tests that start a replica or a scratch cluster.
pub fn postgres_script() -> std::path::PathBuf {
    std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("scripts/postgres")
}

/// The backend building an index on `public.emb` in this database, if one is.
pub fn index_build_pid(c: &mut Client) -> Option<i32> {
    c.query_opt(
        "SELECT pid FROM pg_stat_progress_create_index
          WHERE datname = current_database() AND relid = to_regclass('public.emb') LIMIT 1",
        &[],
    )
    .unwrap()
    .map(|r| r.get(0))
}

/// The contention fault: `emb` (3,000 clustered rows, HNSW, autovacuum off) with
/// a session (`stuck-worker`) idle in a REPEATABLE READ transaction that took its
/// snapshot before half the rows were deleted. Keep the client: dropping it ends
/// the transaction.
pub fn xmin_held_while_half_the_rows_are_deleted(db: &TestDb) -> Client {
    db.sql(&clustered_table_sql("emb", 3000, 8, 10));
    db.sql("ALTER TABLE emb SET (autovacuum_enabled = off); CREATE INDEX ON emb USING hnsw (embedding vector_l2_ops)");
    let mut holder = db.client();
    holder
        .batch_execute(
            "SET application_name = 'stuck-worker'; BEGIN ISOLATION LEVEL REPEATABLE READ; SELECT count(*) FROM emb;",
        )
        .unwrap();
    db.sql("DELETE FROM emb WHERE id % 2 = 0");
    holder
}
