//! The repair building blocks on real PostgreSQL: the collection lock and the
//! step executor (timeouts, retries, per-step settings, invalid-index cleanup).

use std::time::Duration;

use ruvheal::exit::LockHeld;
use ruvheal::repair::exec::{self, Limits, SqlStep};
use ruvheal::repair::lock::{self, CollectionLock};
use ruvheal::sql::QualifiedName;

use crate::harness::{clustered_table_sql, db};

fn step(sql: &str, transactional: bool) -> SqlStep {
    SqlStep {
        sql: sql.into(),
        transactional,
        settings: vec![],
        creates_index: None,
    }
}

fn quick() -> Limits {
    Limits {
        lock_timeout: Duration::from_millis(150),
        statement_timeout: Duration::from_secs(60),
        retries: 2,
        backoff: Duration::from_millis(100),
    }
}

#[test]
fn one_repair_per_collection() {
    let db = db();
    let first = CollectionLock::acquire(db.client(), "public.emb").unwrap();
    let err = CollectionLock::acquire(db.client(), "public.emb")
        .err()
        .unwrap();
    assert!(err.is::<LockHeld>(), "{err:#}");
    assert!(err.to_string().contains("backend pid"), "{err:#}");
    // other collections are independent
    let other = CollectionLock::acquire(db.client(), "public.other").unwrap();
    let mut probe = db.client();
    assert!(lock::is_held(&mut probe, "public.emb").unwrap());
    first.release().unwrap();
    assert!(!lock::is_held(&mut probe, "public.emb").unwrap());
    // a session that goes away (a killed process) takes its lock with it
    let again = CollectionLock::acquire(db.client(), "public.emb").unwrap();
    drop(again);
    drop(other);
    let c = db.client();
    let held = CollectionLock::acquire(c, "public.emb").unwrap();
    let mut killer = db.client();
    killer
        .batch_execute(
            "SELECT pg_terminate_backend(pid) FROM pg_locks WHERE locktype = 'advisory' AND pid <> pg_backend_pid()
               AND database = (SELECT oid FROM pg_database WHERE datname = current_database())",
        )
        .unwrap();
    std::thread::sleep(Duration::from_millis(200));
    assert!(!lock::is_held(&mut probe, "public.emb").unwrap());
    drop(held);
}

#[test]
fn a_lock_timeout_is_retried_then_reported_and_leaves_no_invalid_index() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 500, 8, 5));
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE emb IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let mut c = db.client();
    let mut s = step(
        "CREATE INDEX CONCURRENTLY emb_new ON emb USING hnsw (embedding vector_l2_ops)",
        false,
    );
    s.creates_index = Some(QualifiedName::new("public", "emb_new"));
    let err = exec::run(&mut c, &s, &quick()).unwrap_err();
    assert!(format!("{err:#}").contains("attempt 3"), "{err:#}");
    holder.batch_execute("ROLLBACK").unwrap();
    let n: i64 = c
        .query_one(
            "SELECT count(*) FROM pg_class WHERE relname = 'emb_new'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(n, 0, "no half-built index is left behind");
    // free: it runs at once
    let run = exec::run(&mut c, &s, &quick()).unwrap();
    assert_eq!(run.attempts, 1);
    let valid: bool = c
        .query_one(
            "SELECT indisvalid FROM pg_index WHERE indexrelid = 'emb_new'::regclass",
            &[],
        )
        .unwrap()
        .get(0);
    assert!(valid);
}

#[test]
fn a_lock_released_during_the_backoff_succeeds_on_a_retry() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 200, 8, 5));
    let mut holder = db.client();
    holder
        .batch_execute("BEGIN; LOCK TABLE emb IN ACCESS EXCLUSIVE MODE;")
        .unwrap();
    let releaser = std::thread::spawn(move || {
        std::thread::sleep(Duration::from_millis(250));
        holder.batch_execute("ROLLBACK").unwrap();
    });
    let mut c = db.client();
    let limits = Limits {
        retries: 5,
        ..quick()
    };
    let run = exec::run(&mut c, &step("VACUUM emb", false), &limits).unwrap();
    releaser.join().unwrap();
    assert!(run.attempts >= 2, "{run:?}");
}

#[test]
fn step_settings_apply_to_that_step_only() {
    let db = db();
    let mut c = db.client();
    let mut s = step(
        "CREATE TABLE seen AS SELECT current_setting('maintenance_work_mem') AS mwm, current_setting('lock_timeout') AS lt",
        true,
    );
    s.settings = vec![("maintenance_work_mem".into(), "256MB".into())];
    exec::run(&mut c, &s, &quick()).unwrap();
    let row = c.query_one("SELECT mwm, lt FROM seen", &[]).unwrap();
    assert_eq!(row.get::<_, String>(0), "256MB");
    assert_eq!(row.get::<_, String>(1), "150ms");
    let after: String = c
        .query_one("SELECT current_setting('maintenance_work_mem')", &[])
        .unwrap()
        .get(0);
    assert_ne!(after, "256MB", "SET LOCAL ended with the step");
    // the same in a non-transactional step: reset afterwards
    let mut s = step("VACUUM seen", false);
    s.settings = vec![("maintenance_work_mem".into(), "300MB".into())];
    exec::run(&mut c, &s, &quick()).unwrap();
    let after: String = c
        .query_one("SELECT current_setting('maintenance_work_mem')", &[])
        .unwrap()
        .get(0);
    assert_ne!(after, "300MB");
}

#[test]
fn application_queries_wait_no_longer_than_the_lock_timeout() {
    let db = db();
    db.sql(&clustered_table_sql("emb", 200, 8, 5));
    // A long reader holds AccessShare; ruvheal's step wants AccessExclusive, and the
    // application's next reads queue behind that request while it waits.
    let mut reader = db.client();
    reader
        .batch_execute("BEGIN; SELECT count(*) FROM emb;")
        .unwrap();
    let url = db.url.clone();
    let app = std::thread::spawn(move || {
        let mut c = postgres::Client::connect(&url, postgres::NoTls).unwrap();
        let mut worst = Duration::ZERO;
        let until = std::time::Instant::now() + Duration::from_millis(1500);
        while std::time::Instant::now() < until {
            let t = std::time::Instant::now();
            c.query_one("SELECT count(*) FROM emb", &[]).unwrap();
            worst = worst.max(t.elapsed());
            std::thread::sleep(Duration::from_millis(20));
        }
        worst
    });
    let mut c = db.client();
    let limits = Limits {
        lock_timeout: Duration::from_millis(300),
        retries: 2,
        backoff: Duration::from_millis(100),
        ..quick()
    };
    let err = exec::run(
        &mut c,
        &step("LOCK TABLE emb IN ACCESS EXCLUSIVE MODE", true),
        &limits,
    )
    .unwrap_err();
    assert!(format!("{err:#}").contains("attempt 3"), "{err:#}");
    let worst = app.join().unwrap();
    assert!(
        worst < Duration::from_millis(300 + 250),
        "an application query waited {worst:?} behind ruvheal's lock request"
    );
    reader.batch_execute("ROLLBACK").unwrap();
}

/// A step setting written as an `E'...'` string (what `literal()` writes for a
/// backslash) passes `playbooks validate` and reaches the server as its value.
/// The checker used to refuse it, and the executor, reading the rendered `SET`
/// back, would have set `maintenance_work_mem` to the text `E'6\x34MB'`, which
/// the server refuses.
#[test]
fn an_escaped_string_setting_reaches_the_server_as_its_value() {
    let d = db();
    crate::harness::mass_deleted_without_vacuum(&d);
    let rows = d.fingerprint("emb");
    let dir = tempfile::tempdir().unwrap();
    let bundled = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("playbooks/vacuum_collection.yaml"),
    )
    .unwrap();
    let escaped = bundled.replace(
        r#"maintenance_work_mem: "{{ literal(maintenance_work_mem) }}""#,
        r#"maintenance_work_mem: "E'6\\x34MB'""#,
    );
    assert_ne!(escaped, bundled, "the playbook's setting was replaced");
    std::fs::write(dir.path().join("vacuum_collection.yaml"), &escaped).unwrap();
    let pb = dir.path().to_str().unwrap();
    let (code, out, err) = crate::harness::run(d.cmd().args(["playbooks", "validate", pb]));
    assert_eq!(code, 0, "{out}{err}");
    let (code, v, err) = d.json(&["repair", "--collection", "emb", "--yes", "--playbooks", pb]);
    let r = &v["repairs"][0];
    assert_eq!(r["playbook"], "vacuum_collection", "{v:#} {err}");
    assert_eq!(r["steps"][0]["status"], "done", "{r:#} {err}");
    assert!(
        r["steps"][0]["rendered"]
            .as_str()
            .unwrap()
            .contains(r#"SET "maintenance_work_mem" = E'6\x34MB'"#),
        "{r:#}"
    );
    assert_eq!(r["status"], "succeeded", "{r:#}");
    assert_eq!(code, 0, "{v:#} {err}");
    assert_eq!(d.fingerprint("emb"), rows, "no row changed");
}
