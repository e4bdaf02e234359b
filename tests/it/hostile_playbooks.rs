//! Playbooks that once talked their way past `playbooks validate` (issue 13): a
//! dblink `TRUNCATE`, terminating every session, `set_config` of
//! `session_replication_role`. Each is refused with file:line:col (exit 64), and
//! passed to `repair` / `heal` through `--playbooks DIR` nothing of it runs.

use postgres::Client;

use crate::harness::{TestDb, db, mass_deleted_without_vacuum, run, ruvheal};

const HEADER: &str = "description: hostile\nimpact: 0.1\nreversible: false\nrequires_approval: false\ntimeout: 10m\n";

/// Writes playbook `name` with one SQL step (a double-quoted YAML scalar) and
/// returns the `file:line:col` of that SQL.
fn write(dir: &std::path::Path, name: &str, handles: &str, extra: &str, sql: &str) -> String {
    let text = format!(
        "name: {name}\nhandles: [{handles}]\n{HEADER}{extra}steps:\n  - name: s\n    do:\n      kind: sql\n      sql: \"{sql}\"\n\
         verify:\n  expect: [\"table.dead_ratio < 0.1\"]\n"
    );
    let line = text
        .lines()
        .position(|l| l.starts_with("      sql: "))
        .unwrap()
        + 1;
    let file = dir.join(format!("{name}.yaml"));
    std::fs::write(&file, text).unwrap();
    format!("{}:{line}:12", file.display())
}

/// libpq conninfo of the test database over TCP, for dblink to connect back.
fn conninfo(db: &TestDb) -> String {
    let url = url::Url::parse(&db.url).unwrap();
    format!(
        "host={} port={} user={} dbname={}",
        url.host_str().unwrap(),
        url.port().unwrap(),
        url.username(),
        db.name
    )
}

/// The three playbooks, with where each one's SQL is and a word of its refusal.
fn hostile(dir: &std::path::Path, conn: &str) -> Vec<(String, &'static str)> {
    let conn = conn.replace('\'', "''");
    vec![
        (
            write(
                dir,
                "vacuum_collection",
                "dead_tuple_bloat",
                "",
                &format!("SELECT public.dblink_exec('{conn}', 'TRUNCATE canary')"),
            ),
            "unsafe SQL: function public.dblink_exec() runs SQL over another connection",
        ),
        (
            write(
                dir,
                "terminate_everything",
                "maintenance_contention",
                "",
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity WHERE pid <> pg_backend_pid()",
            ),
            "unsafe SQL: pg_terminate_backend() signals other sessions",
        ),
        (
            write(
                dir,
                "replica_role",
                "dead_tuple_bloat",
                "",
                "SELECT 1 FROM (SELECT set_config('session_replication_role', 'replica', false)) s",
            ),
            "unsafe SQL: function set_config() changes settings",
        ),
    ]
}

#[test]
fn validate_refuses_the_playbooks_that_used_to_pass() {
    let dir = tempfile::tempdir().unwrap();
    let want = hostile(dir.path(), "host=127.0.0.1 dbname=x");
    let d = dir.path().display().to_string();
    let (code, out, err) = run(ruvheal().args(["playbooks", "validate", &d]));
    assert_eq!(code, 64, "{out}{err}");
    let lines: Vec<&str> = out.lines().collect();
    for (at, why) in &want {
        let w = format!("{at}: {why}");
        assert!(
            lines.iter().any(|l| l.starts_with(&w)),
            "missing {w}\n{out}"
        );
    }
    assert_eq!(
        lines.last(),
        Some(&"3 problems; 0 playbooks valid"),
        "{out}"
    );

    // Marking the step lets pg_terminate_backend through only behind approval.
    let marked = dir.path().join("terminate_everything.yaml");
    let text = std::fs::read_to_string(&marked)
        .unwrap()
        .replace("  - name: s\n", "  - name: s\n    signals_backends: true\n");
    std::fs::write(&marked, &text).unwrap();
    let f = marked.display().to_string();
    let (code, out, _) = run(ruvheal().args(["playbooks", "validate", &f]));
    assert_eq!(code, 64, "{out}");
    assert!(out.contains("needs `requires_approval: true`"), "{out}");
    std::fs::write(
        &marked,
        text.replace("requires_approval: false", "requires_approval: true"),
    )
    .unwrap();
    let (code, out, err) = run(ruvheal().args(["playbooks", "validate", &f]));
    assert_eq!(code, 0, "{out}{err}");
}

fn count(c: &mut Client, table: &str) -> i64 {
    c.query_one(&format!("SELECT count(*) FROM {table}"), &[])
        .unwrap()
        .get(0)
}

#[test]
fn repair_and_heal_never_run_a_refused_playbook() {
    let db = db();
    let mut c = db.client();
    let has_dblink: bool = c
        .query_one(
            "SELECT EXISTS (SELECT 1 FROM pg_available_extensions WHERE name = 'dblink')",
            &[],
        )
        .unwrap()
        .get(0);
    if !has_dblink {
        println!("skipped: the dblink extension is not available on the test server");
        return;
    }
    c.batch_execute(
        "CREATE EXTENSION dblink;
         CREATE TABLE canary AS SELECT g AS id FROM generate_series(1, 100) g;
         CREATE TABLE canary_control AS SELECT g AS id FROM generate_series(1, 100) g;",
    )
    .unwrap();
    mass_deleted_without_vacuum(&db);
    let conn = conninfo(&db);
    let dir = tempfile::tempdir().unwrap();
    let playbooks = hostile(dir.path(), &conn);
    let d = dir.path().display().to_string();
    // A session that terminate_everything would end.
    let mut bystander = db.client();
    let role_before: String = c
        .query_one("SHOW session_replication_role", &[])
        .unwrap()
        .get(0);

    // The dblink playbook overrides the bundled vacuum_collection, which the
    // collection's dead tuples would have the planner pick.
    let runs: [&[&str]; 5] = [
        &["plan", "--collection", "emb"],
        &["repair", "--collection", "emb", "--yes"],
        &["repair", "--all", "--yes"],
        &["heal", "--collection", "emb", "--yes"],
        &["heal", "--all", "--yes"],
    ];
    for args in runs {
        let (code, out, err) = run(db.cmd().args(args).args(["--playbooks", &d]));
        assert_eq!(code, 64, "{args:?}: {out}{err}");
        for (at, why) in &playbooks {
            assert!(err.contains(&format!("{at}: {why}")), "{args:?}: {err}");
        }
        assert_eq!(count(&mut c, "canary"), 100, "{args:?} emptied the canary");
    }
    // Nothing foreign ran: the bystander lives, no setting changed, no row moved.
    let one: i32 = bystander.query_one("SELECT 1", &[]).unwrap().get(0);
    assert_eq!(one, 1);
    let settings: i64 = c
        // this database's settings (pg_db_role_setting is the cluster's:
        // tests running alongside set their own databases' settings)
        .query_one(
            "SELECT count(*) FROM pg_db_role_setting
              WHERE setdatabase = (SELECT oid FROM pg_database WHERE datname = current_database())",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(settings, 0, "a database or role setting was written");
    let role_after: String = db
        .client()
        .query_one("SHOW session_replication_role", &[])
        .unwrap()
        .get(0);
    assert_eq!(role_after, role_before);
    assert_eq!(count(&mut c, "emb"), 1600, "the collection's rows");

    // The attack is real on this server: run directly, it empties its table.
    c.query_one(
        "SELECT dblink_exec($1, 'TRUNCATE canary_control')",
        &[&conn],
    )
    .unwrap();
    assert_eq!(count(&mut c, "canary_control"), 0);
    assert_eq!(count(&mut c, "canary"), 100);
}
