//! State store migrations: idempotent, safe when run concurrently, and clear
//! about missing privileges.

use postgres::NoTls;
use ruvheal::store::{MissingPrivilege, migrate, migrate::latest_version};

use crate::harness::{db, with_db};

const TABLES: &[&str] = &[
    "schema_version",
    "collections",
    "observations",
    "baselines",
    "findings",
    "diagnoses",
    "problems",
    "problem_findings",
    "plans",
    "plan_steps",
    "approvals",
    "repairs",
    "repair_steps",
    "outcomes",
    "strategy_weights",
    "strategy_weights_backup",
    "audit_log",
    "heal_stops",
];

fn tables(c: &mut postgres::Client, schema: &str) -> Vec<String> {
    c.query(
        "SELECT relname::text FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
         WHERE n.nspname = $1 AND c.relkind = 'r' ORDER BY 1",
        &[&schema],
    )
    .unwrap()
    .iter()
    .map(|r| r.get(0))
    .collect()
}

#[test]
fn migrations_apply_once_and_then_do_nothing() {
    let db = db();
    let mut c = db.client();
    let first = migrate(&mut c, "ruvheal").unwrap();
    assert_eq!(first.applied, (1..=latest_version()).collect::<Vec<_>>());
    let second = migrate(&mut c, "ruvheal").unwrap();
    assert!(second.applied.is_empty());
    assert_eq!(second.version, latest_version());
    let mut want: Vec<String> = TABLES.iter().map(|s| s.to_string()).collect();
    want.sort();
    assert_eq!(tables(&mut c, "ruvheal"), want);
    let rows: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.schema_version", &[])
        .unwrap()
        .get(0);
    assert_eq!(rows, latest_version() as i64);
}

#[test]
fn concurrent_migrations_neither_fail_nor_double_apply() {
    let db = db();
    let url = db.url.clone();
    let handles: Vec<_> = (0..6)
        .map(|_| {
            let url = url.clone();
            std::thread::spawn(move || {
                let mut c = postgres::Client::connect(&url, NoTls).unwrap();
                migrate(&mut c, "Heal State").map(|r| r.applied.len())
            })
        })
        .collect();
    let applied: Vec<usize> = handles
        .into_iter()
        .map(|h| h.join().unwrap().expect("no migration run fails"))
        .collect();
    assert_eq!(
        applied.iter().sum::<usize>(),
        latest_version() as usize,
        "each version applied by exactly one run: {applied:?}"
    );
    let mut c = db.client();
    assert_eq!(
        tables(&mut c, "Heal State").len(),
        TABLES.len(),
        "quoted schema names work"
    );
}

#[test]
fn missing_create_privilege_names_the_privilege_and_leaves_nothing() {
    let db = db();
    let role = format!("{}_reader", db.name);
    db.sql(&format!(
        "CREATE ROLE {role} LOGIN; REVOKE CREATE ON DATABASE {0} FROM PUBLIC; \
         REVOKE CREATE ON SCHEMA public FROM PUBLIC;",
        db.name
    ));
    let url = with_db(&db.url, &db.name).replacen("postgres@", &format!("{role}@"), 1);
    let mut c = postgres::Client::connect(&url, NoTls).unwrap();
    let err = migrate(&mut c, "ruvheal").unwrap_err();
    assert!(err.downcast_ref::<MissingPrivilege>().is_some(), "{err:#}");
    let msg = format!("{err:#}");
    assert!(msg.contains("CREATE on the database"), "{msg}");
    let mut admin = db.client();
    assert!(
        tables(&mut admin, "ruvheal").is_empty(),
        "nothing half-done"
    );
    drop(c);
    admin
        .batch_execute(&format!("DROP OWNED BY {role}; DROP ROLE {role}"))
        .unwrap();
}

#[test]
fn a_tampered_migration_record_is_refused() {
    let db = db();
    let mut c = db.client();
    migrate(&mut c, "ruvheal").unwrap();
    c.batch_execute("INSERT INTO ruvheal.schema_version VALUES (999, 'future', 'x')")
        .unwrap();
    let err = migrate(&mut c, "ruvheal").unwrap_err();
    assert!(
        format!("{err:#}").contains("newer than this ruvheal"),
        "{err:#}"
    );
    c.batch_execute(
        "DELETE FROM ruvheal.schema_version WHERE version = 999; \
         UPDATE ruvheal.schema_version SET checksum = 'x' WHERE version = 1",
    )
    .unwrap();
    let err = migrate(&mut c, "ruvheal").unwrap_err();
    assert!(format!("{err:#}").contains("differs"), "{err:#}");
}
