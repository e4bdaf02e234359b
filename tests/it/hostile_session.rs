//! A hostile database for a superuser cron job: a role that may create schemas
//! plants functions and operators that shadow the ones ruvheal calls, first in a
//! schema named like the superuser (`"$user"` leads the default search_path),
//! then through `ALTER DATABASE ... SET search_path`. Each shadow records that it
//! ran and tries `ALTER ROLE ... SUPERUSER`. After the whole cycle nothing
//! foreign ran, privileges are unchanged, rows are intact and the audit chain
//! verifies. A control query from a plain session shows each trap is armed.

use crate::harness::{TestDb, db, mass_deleted_without_vacuum};

/// Creates role `mallory` (per test database) owning schema `schema`, with the
/// shadow functions and operators and the table they record into.
fn plant(d: &TestDb, schema: &str) -> String {
    let role = format!("mallory_{}", d.name);
    d.sql(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN; GRANT CREATE ON DATABASE {db} TO {role};
         CREATE SCHEMA {schema} AUTHORIZATION {role};
         SET ROLE {role};
         CREATE TABLE {schema}.pwned (what text);
         GRANT INSERT, SELECT ON {schema}.pwned TO PUBLIC;",
        db = d.name
    ));
    // Each shadow: record, try to escalate, then answer as the real one would.
    let shadow = |sig: &str, ret: &str, body: &str| {
        format!(
            "CREATE FUNCTION {schema}.{sig} RETURNS {ret} LANGUAGE plpgsql AS $f$
             BEGIN
               INSERT INTO {schema}.pwned VALUES ('{sig}');
               BEGIN EXECUTE 'ALTER ROLE {role} SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
               RETURN {body};
             END $f$;"
        )
    };
    let mut sql = String::new();
    for (sig, ret, body) in [
        (
            "hashtextextended(text, integer)",
            "bigint",
            "pg_catalog.hashtextextended($1, $2::bigint)",
        ),
        (
            "hashtextextended(text, bigint)",
            "bigint",
            "pg_catalog.hashtextextended($1, $2)",
        ),
        ("now()", "timestamptz", "pg_catalog.now()"),
        (
            "to_regclass(text)",
            "regclass",
            "pg_catalog.to_regclass($1)",
        ),
        (
            "current_database()",
            "name",
            "pg_catalog.current_database()",
        ),
        (
            "pg_relation_size(regclass)",
            "bigint",
            "pg_catalog.pg_relation_size($1)",
        ),
        (
            "le_numeric_int(numeric, integer)",
            "boolean",
            "$1 OPERATOR(pg_catalog.<=) $2::numeric",
        ),
        (
            "eq_text(text, text)",
            "boolean",
            "$1 OPERATOR(pg_catalog.=) $2",
        ),
    ] {
        sql.push_str(&shadow(sig, ret, body));
    }
    sql.push_str(&format!(
        "CREATE OPERATOR {schema}.<= (LEFTARG = numeric, RIGHTARG = integer,
             FUNCTION = {schema}.le_numeric_int);
         CREATE OPERATOR {schema}.= (LEFTARG = text, RIGHTARG = text,
             FUNCTION = {schema}.eq_text);
         RESET ROLE;"
    ));
    d.sql(&sql);
    role
}

/// Runs `control` in a plain superuser session that is rolled back, and returns
/// how many shadows it set off: the trap is armed when this is > 0.
fn armed(d: &TestDb, schema: &str, control: &str) -> i64 {
    let mut c = d.client();
    let mut tx = c.transaction().unwrap();
    tx.batch_execute(control).unwrap();
    let n: i64 = tx
        .query_one(&format!("SELECT count(*) FROM {schema}.pwned"), &[])
        .unwrap()
        .get(0);
    tx.rollback().unwrap();
    n
}

/// The whole cycle on the dead-tuple fault, then every assertion.
fn cycle_runs_nothing_foreign(d: &TestDb, schema: &str, role: &str) {
    // Read and assert from a session of our own that the traps cannot reach.
    let mut c = d.client();
    c.batch_execute("SET search_path = pg_catalog").unwrap();
    let rows = crate::harness::fingerprint(&mut c, "public.emb");
    c.batch_execute(&format!("TRUNCATE {schema}.pwned"))
        .unwrap();
    for args in [
        vec!["collections"],
        vec!["check", "--collection", "emb"],
        vec!["diagnose", "--collection", "emb"],
        vec!["plan", "--collection", "emb"],
        vec!["repair", "--collection", "emb", "--dry-run"],
        vec!["heal", "--collection", "emb", "--yes"],
        vec!["status"],
        vec!["history"],
        vec!["learn"],
        vec!["audit", "verify"],
    ] {
        let out = d.cmd().args(&args).output().unwrap();
        let code = out.status.code().unwrap();
        assert!(
            code < 3,
            "{args:?} exited {code}: {}",
            String::from_utf8_lossy(&out.stderr)
        );
    }
    let ran: Vec<String> = c
        .query(&format!("SELECT what FROM {schema}.pwned"), &[])
        .unwrap()
        .iter()
        .map(|r| r.get(0))
        .collect();
    assert!(ran.is_empty(), "shadow objects ran as superuser: {ran:?}");
    let superuser: bool = c
        .query_one("SELECT rolsuper FROM pg_roles WHERE rolname = $1", &[&role])
        .unwrap()
        .get(0);
    assert!(!superuser, "{role} became superuser");
    assert_eq!(
        crate::harness::fingerprint(&mut c, "public.emb"),
        rows,
        "rows changed"
    );
    let repaired: String = c
        .query_one(
            "SELECT status FROM ruvheal.repairs ORDER BY id DESC LIMIT 1",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(repaired, "succeeded", "the heal did not repair");
    let out = d.cmd().args(["audit", "verify"]).output().unwrap();
    assert_eq!(out.status.code(), Some(0));
    // The application can still write.
    c.batch_execute("INSERT INTO public.emb (embedding) SELECT embedding FROM public.emb LIMIT 1")
        .unwrap();
}

#[test]
fn a_schema_named_like_the_superuser_shadows_nothing() {
    let d = db();
    mass_deleted_without_vacuum(&d);
    // The test server's superuser is `postgres`: "$user" resolves to this schema.
    let role = plant(&d, "postgres");
    assert!(
        armed(&d, "postgres", "SELECT hashtextextended('x', 0)") > 0,
        "the trap is not armed"
    );
    cycle_runs_nothing_foreign(&d, "postgres", &role);
}

#[test]
fn alter_database_search_path_changes_nothing_ruvheal_runs() {
    let d = db();
    mass_deleted_without_vacuum(&d);
    let role = plant(&d, "evil");
    d.sql(&format!(
        "ALTER DATABASE {} SET search_path = evil, pg_catalog, public",
        d.name
    ));
    assert!(
        armed(&d, "evil", "SELECT now(), to_regclass('emb'), 1.5 <= 60") > 0,
        "the trap is not armed"
    );
    cycle_runs_nothing_foreign(&d, "evil", &role);
}

#[test]
fn a_state_schema_planted_by_another_role_is_refused() {
    let d = db();
    mass_deleted_without_vacuum(&d);
    let role = format!("planter_{}", d.name);
    // Before ruvheal's first run, a role with CREATE plants the state schema
    // with a table whose trigger would run as whoever writes to it.
    d.sql(&format!(
        "DROP ROLE IF EXISTS {role}; CREATE ROLE {role} LOGIN;
         GRANT CREATE ON DATABASE {db} TO {role};
         CREATE SCHEMA ruvheal AUTHORIZATION {role};
         SET ROLE {role};
         CREATE TABLE ruvheal.pwned (what text);
         GRANT INSERT, SELECT ON ruvheal.pwned TO PUBLIC;
         CREATE TABLE ruvheal.observations (id bigint);
         CREATE FUNCTION ruvheal.escalate() RETURNS trigger LANGUAGE plpgsql AS $f$
         BEGIN
           INSERT INTO ruvheal.pwned VALUES ('trigger');
           BEGIN EXECUTE 'ALTER ROLE {role} SUPERUSER'; EXCEPTION WHEN OTHERS THEN NULL; END;
           RETURN NEW;
         END $f$;
         CREATE TRIGGER escalate BEFORE INSERT ON ruvheal.observations
           FOR EACH ROW EXECUTE FUNCTION ruvheal.escalate();
         RESET ROLE;",
        db = d.name
    ));
    for args in [
        vec!["check", "--collection", "emb"],
        vec!["heal", "--collection", "emb", "--yes"],
    ] {
        let out = d.cmd().args(&args).output().unwrap();
        let err = String::from_utf8_lossy(&out.stderr);
        assert_eq!(out.status.code(), Some(3), "{args:?}: {err}");
        assert!(
            err.contains("owned by role") && err.contains(&role),
            "{args:?}: {err}"
        );
    }
    let mut c = d.client();
    let ran: i64 = c
        .query_one("SELECT count(*) FROM ruvheal.pwned", &[])
        .unwrap()
        .get(0);
    assert_eq!(ran, 0, "the planted trigger ran");
    let superuser: bool = c
        .query_one("SELECT rolsuper FROM pg_roles WHERE rolname = $1", &[&role])
        .unwrap()
        .get(0);
    assert!(!superuser);
    let vacuumed: Option<String> = c
        .query_one(
            "SELECT last_vacuum::text FROM pg_stat_user_tables WHERE relname = 'emb'",
            &[],
        )
        .unwrap()
        .get(0);
    assert_eq!(vacuumed, None, "heal acted on the collection anyway");
}
