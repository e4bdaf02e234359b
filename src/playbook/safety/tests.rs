//! The safety pass: table-driven cases and a property test over statement shapes.

use std::collections::BTreeMap;

use proptest::prelude::*;

use super::*;
use crate::playbook::render::Value;
use crate::sql::QualifiedName;

fn ctx() -> Context {
    let opclass = QualifiedName::new("ext", "vector_cosine_ops");
    let mut c = Context::collection("s", "t", "embedding", "db")
        .with_index("s", "i", "hnsw", opclass.clone())
        .with_invalid_index("s", "i_bad", "hnsw", opclass)
        .with_extensions(
            EXTENSIONS
                .iter()
                .map(|e| (e.to_string(), "ext".to_string()))
                .collect::<BTreeMap<_, _>>(),
        );
    c.vars
        .insert("new_index_name".into(), Value::Name("ruvheal_new".into()));
    c.vars
        .insert("writer_role".into(), Value::Name("writer".into()));
    c.vars.insert("n".into(), Value::Int(600));
    c
}

fn params() -> Params {
    Params {
        identifiers: ["new_index_name", "writer_role"].map(String::from).into(),
        created_indexes: ["new_index_name".to_string()].into(),
    }
}

fn run(template: &str, allow: Allow) -> Verdict {
    check_template(template, &ctx(), allow, &params())
}

const STEP: Allow = Allow {
    signal_backends: false,
    query_only: false,
};
const SIGNALS: Allow = Allow {
    signal_backends: true,
    query_only: false,
};
const WAIT: Allow = Allow {
    signal_backends: false,
    query_only: true,
};

/// Statements every step may run.
const ALLOWED: &[&str] = &[
    "CREATE INDEX CONCURRENTLY {{ ident(new_index_name) }} ON {{ ident(table) }} USING hnsw ({{ ident(column) }} {{ ident(opclass) }}) WITH (m = 16, ef_construction = 64)",
    "CREATE INDEX ON {{ ident(table) }} USING ivfflat ({{ ident(column) }} {{ schema_of(vector) }}.vector_l2_ops) WITH (lists = 100)",
    "CREATE INDEX CONCURRENTLY {{ ident(invalid_index_name) }} ON {{ ident(schema) }}.{{ ident(table_name) }} USING {{ ident(invalid_method) }} ({{ ident(column) }} {{ ident(invalid_opclass) }})",
    "DROP INDEX CONCURRENTLY IF EXISTS {{ ident(index) }}",
    "DROP INDEX {{ ident(invalid_index) }}",
    "DROP INDEX CONCURRENTLY IF EXISTS {{ ident(schema) }}.{{ ident(new_index_name) }}",
    "ALTER INDEX {{ ident(schema) }}.{{ ident(new_index_name) }} RENAME TO {{ ident(index_name) }}",
    "ALTER INDEX {{ ident(index) }} SET (ef_construction = 100)",
    "ALTER INDEX {{ ident(index) }} RESET (ef_construction)",
    "REINDEX INDEX CONCURRENTLY {{ ident(index) }}",
    "REINDEX (VERBOSE) TABLE {{ ident(table) }}",
    "VACUUM (ANALYZE, VERBOSE) {{ ident(table) }}",
    "VACUUM ANALYZE {{ ident(table) }}",
    "vacuum {{ ident(table) }}",
    "ANALYZE {{ ident(table) }} ({{ ident(column) }})",
    "ALTER TABLE {{ ident(table) }} SET (autovacuum_enabled = off)",
    "ALTER TABLE {{ ident(table) }} RESET (autovacuum_enabled, autovacuum_vacuum_scale_factor)",
    "ALTER DATABASE {{ ident(database) }} SET \"hnsw\".\"ef_search\" = 200",
    "ALTER DATABASE {{ ident(database) }} SET ivfflat.probes TO 10",
    "ALTER DATABASE {{ ident(database) }} RESET \"hnsw\".\"ef_search\"",
    "ALTER ROLE {{ ident(writer_role) }} CONNECTION LIMIT 5",
    "ALTER ROLE {{ ident(writer_role) }} CONNECTION LIMIT -1",
    "ALTER ROLE {{ ident(writer_role) }} SET work_mem = '64MB'",
    "SET maintenance_work_mem = '1GB'",
    "RESET maintenance_work_mem",
    "SELECT {{ schema_of(pg_prewarm) }}.pg_prewarm({{ literal(index) }}::pg_catalog.regclass)",
    "SELECT pg_catalog.count(*) OPERATOR(pg_catalog.=) 0 FROM pg_catalog.pg_stat_progress_create_index WHERE relid = {{ literal(table) }}::regclass",
    "SELECT coalesce(max(extract(epoch FROM replay_lag)), 0) <= 60 FROM pg_stat_replication",
    "SELECT coalesce((SELECT i.indisvalid FROM pg_index i JOIN pg_class c ON c.oid = i.indexrelid WHERE c.relname = {{ literal(new_index_name) }}), false)",
    "WITH a AS (SELECT pid FROM pg_catalog.pg_stat_activity) SELECT count(*) FROM a",
    "SELECT count(*) FROM {{ ident(table) }}",
    "SELECT now() - make_interval(secs => {{ number(n) }}) < pg_postmaster_start_time()",
    "-- a comment\nVACUUM {{ ident(table) }}; ",
    "/* c */ SELECT 1",
];

/// Statements no step may run, with a word of the reason.
const FORBIDDEN: &[(&str, &str)] = &[
    (
        "SELECT dblink_exec('dbname=x', 'TRUNCATE canary')",
        "dblink",
    ),
    (
        "SELECT public.dblink_exec('dbname=x', 'TRUNCATE canary')",
        "dblink",
    ),
    (
        "SELECT * FROM dblink('dbname=x', 'SELECT 1') AS t(a int)",
        "dblink",
    ),
    ("SELECT 1 WHERE dblink_exec('a', 'b') IS NOT NULL", "dblink"),
    ("SELECT 1 ORDER BY dblink_exec('a', 'b')", "dblink"),
    ("SELECT CAST(dblink_exec('a', 'b') AS text)", "dblink"),
    (
        "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
        "signals_backends",
    ),
    (
        "SELECT pg_catalog.pg_cancel_backend(pid) FROM pg_stat_activity",
        "signals_backends",
    ),
    (
        "SELECT set_config('session_replication_role', 'replica', false)",
        "set_config",
    ),
    (
        "SELECT pg_catalog.set_config('search_path', 'evil', false)",
        "set_config",
    ),
    (
        "SELECT count(*) FROM (SELECT set_config('a.b', 'c', false)) s",
        "set_config",
    ),
    (
        "WITH c AS (SELECT set_config('a.b', 'c', false)) SELECT 1 FROM c",
        "set_config",
    ),
    (
        "SELECT 1 WHERE EXISTS (SELECT lo_import('/etc/passwd'))",
        "files",
    ),
    ("SELECT pg_read_file('/etc/passwd')", "files"),
    ("SELECT pg_ls_dir('.')", "files"),
    ("SELECT \"NOW\"()", "allow-list"),
    ("SELECT evil.now()", "allow-list"),
    ("SELECT count(*) FROM canary", "names a relation"),
    ("SELECT count(*) FROM public.canary", "names a relation"),
    ("SELECT count(*) FROM \"s\".\"t\"", "names a relation"),
    ("SELECT 1 <= OPERATOR(public.<=) 2", ""),
    ("SELECT 1 OPERATOR(public.<=) 2", "OPERATOR(public.<=)"),
    ("SELECT 'canary'::regclass", "regclass"),
    ("SELECT pg_total_relation_size('public.canary')", "regclass"),
    ("SELECT * INTO t2 FROM pg_class", "SELECT INTO"),
    ("SELECT * FROM pg_class FOR UPDATE", "FOR UPDATE"),
    (
        "WITH d AS (DELETE FROM canary RETURNING *) SELECT count(*) FROM d",
        "data-modifying",
    ),
    ("DO $$ BEGIN PERFORM 1; END $$", "DO"),
    ("CALL p()", "CALL"),
    ("COPY canary TO '/tmp/x'", "COPY"),
    ("COPY {{ ident(table) }} FROM '/tmp/x'", "COPY"),
    ("ALTER SYSTEM SET shared_buffers = '1GB'", "ALTER SYSTEM"),
    ("TRUNCATE canary", "TRUNCATE"),
    ("TRUNCATE {{ ident(table) }}", "TRUNCATE"),
    ("DELETE FROM {{ ident(table) }}", "DELETE"),
    ("UPDATE {{ ident(table) }} SET embedding = NULL", "UPDATE"),
    ("INSERT INTO {{ ident(table) }} VALUES (1)", "INSERT"),
    (
        "MERGE INTO {{ ident(table) }} USING u ON true WHEN MATCHED THEN DELETE",
        "MERGE",
    ),
    ("DROP TABLE {{ ident(table) }}", "DROP TABLE"),
    ("DROP SCHEMA {{ ident(schema) }} CASCADE", "DROP SCHEMA"),
    (
        "ALTER TABLE {{ ident(table) }} DROP COLUMN embedding",
        "DROP COLUMN",
    ),
    (
        "ALTER TABLE canary SET (fillfactor = 50)",
        "not the collection's",
    ),
    ("VACUUM canary", "not the collection's"),
    ("VACUUM \"s\".\"t\"", "not the collection's"),
    ("VACUUM", "must name"),
    ("VACUUM FULL {{ ident(table) }}", "VACUUM FULL"),
    ("VACUUM (FULL) {{ ident(table) }}", "VACUUM FULL"),
    ("ANALYZE canary", "not the collection's"),
    ("REINDEX INDEX s.i", "not the collection's"),
    ("REINDEX SYSTEM db", "REINDEX"),
    (
        "REINDEX (TABLESPACE x) INDEX {{ ident(index) }}",
        "TABLESPACE",
    ),
    ("DROP INDEX public.users_pkey", "not the collection's"),
    ("DROP INDEX {{ ident(index) }} CASCADE", "DROP INDEX"),
    (
        "DROP INDEX {{ ident(schema) }}.{{ ident(writer_role) }}",
        "not the collection's",
    ),
    (
        "ALTER INDEX public.users_pkey RENAME TO x",
        "not the collection's",
    ),
    (
        "CREATE INDEX ON canary USING hnsw (embedding {{ ident(opclass) }})",
        "not the collection's",
    ),
    (
        "CREATE INDEX ON {{ ident(table) }} ((dblink_exec('a', 'b')))",
        "plain columns",
    ),
    (
        "CREATE INDEX ON {{ ident(table) }} (embedding) WHERE f()",
        "WHERE",
    ),
    (
        "CREATE INDEX ON {{ ident(table) }} USING hnsw (embedding evil.vector_cosine_ops)",
        "operator class",
    ),
    (
        "CREATE INDEX canary_idx ON {{ ident(table) }} (embedding)",
        "placeholder",
    ),
    (
        "ALTER DATABASE other SET hnsw.ef_search = 1",
        "not the collection's",
    ),
    (
        "ALTER DATABASE {{ ident(database) }} SET search_path = 'evil'",
        "search_path",
    ),
    (
        "ALTER DATABASE {{ ident(database) }} SET session_replication_role = replica",
        "session_replication_role",
    ),
    (
        "ALTER DATABASE {{ ident(database) }} SET hnsw.ef_search = 1 , y",
        "constant",
    ),
    (
        "ALTER DATABASE {{ ident(database) }} RENAME TO x",
        "ALTER DATABASE",
    ),
    ("ALTER DATABASE {{ ident(database) }} RESET ALL", "ALL"),
    (
        "ALTER ROLE postgres CONNECTION LIMIT 0",
        "identifier parameter",
    ),
    (
        "ALTER ROLE {{ ident(writer_role) }} SUPERUSER",
        "ALTER ROLE",
    ),
    (
        "ALTER ROLE {{ ident(writer_role) }} SET search_path = 'evil'",
        "search_path",
    ),
    ("SET search_path = evil", "search_path"),
    (
        "SET session_replication_role = replica",
        "session_replication_role",
    ),
    ("SET statement_timeout = 0", "statement_timeout"),
    ("SET ROLE postgres", "SET"),
    ("RESET ALL", "RESET ALL"),
    ("CREATE TABLE x (a int)", "allow-list"),
    ("GRANT ALL ON {{ ident(table) }} TO PUBLIC", "allow-list"),
    ("SELECT 1; SELECT 2", "exactly one"),
    (
        "VACUUM {{ ident(table) }}; DELETE FROM {{ ident(table) }}",
        "exactly one",
    ),
    ("", "no SQL"),
];

#[test]
fn maintenance_statements_are_allowed() {
    for sql in ALLOWED {
        run(sql, STEP).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
}

#[test]
fn forbidden_statements_are_rejected_with_a_reason() {
    for (sql, why) in FORBIDDEN {
        for allow in [STEP, SIGNALS] {
            if *why == "signals_backends" && allow == SIGNALS {
                continue;
            }
            let e = run(sql, allow).expect_err(sql);
            assert!(e.contains(why), "{sql}: {e}");
        }
    }
}

#[test]
fn signalling_needs_the_marked_step() {
    let sql = "SELECT pg_catalog.count(pg_catalog.pg_terminate_backend(pid)) FROM pg_catalog.pg_stat_activity WHERE pid <> pg_catalog.pg_backend_pid()";
    assert!(run(sql, STEP).unwrap_err().contains("signals_backends"));
    run(sql, SIGNALS).unwrap();
    // marking a step does not open anything else
    assert!(run("SELECT dblink_exec('a', 'b')", SIGNALS).is_err());
}

#[test]
fn wait_for_takes_only_a_query() {
    run(
        "SELECT count(*) = 0 FROM pg_stat_progress_create_index",
        WAIT,
    )
    .unwrap();
    for sql in [
        "VACUUM {{ ident(table) }}",
        "SET maintenance_work_mem = '1GB'",
        "ALTER TABLE {{ ident(table) }} SET (fillfactor = 50)",
    ] {
        assert!(run(sql, WAIT).unwrap_err().contains("not a query"), "{sql}");
    }
}

#[test]
fn create_index_reports_the_parameter_it_creates() {
    let f = run(ALLOWED[0], STEP).unwrap();
    assert_eq!(f.creates_index.as_deref(), Some("new_index_name"));
    assert_eq!(run(ALLOWED[2], STEP).unwrap().creates_index, None);
}

#[test]
fn settings_are_listed_and_take_one_constant() {
    let c = ctx();
    check_setting("maintenance_work_mem", "'1GB'", &c, false).unwrap();
    check_setting("hnsw.ef_search", "{{ number(n) }}", &c, true).unwrap();
    // an E'...' string is one constant, read the same under either
    // standard_conforming_strings (literal() writes it for a backslash)
    check_setting("maintenance_work_mem", "E'6\\x34MB'", &c, false).unwrap();
    // setting names are case-insensitive, as the server reads them
    check_setting("Maintenance_Work_Mem", "'1GB'", &c, false).unwrap();
    for (name, value) in [
        ("maintenance_work_mem", "E'1GB' || 'x'"),
        ("SEARCH_PATH", "'evil'"),
        ("search_path", "'evil'"),
        ("session_replication_role", "replica"),
        ("statement_timeout", "0"),
        ("maintenance_work_mem", "'1GB', search_path = evil"),
        ("maintenance_work_mem", "(SELECT 1)"),
    ] {
        assert!(
            check_setting(name, value, &c, false).is_err(),
            "{name} {value}"
        );
    }
}

// ---- property test over statement shapes ---------------------------------------

/// Function calls that must pass, written the ways PostgreSQL resolves to the same
/// pg_catalog function.
const GOOD_CALLS: &[&str] = &[
    "now()",
    "NOW()",
    "pg_catalog.now()",
    "\"pg_catalog\".\"now\"()",
    "PG_CATALOG.count(*)",
    "\"now\"()",
    "pg_catalog.pg_relation_size({{ literal(index) }}::regclass)",
    "pg_table_size({{ literal(table) }})",
    "{{ schema_of(pg_prewarm) }}.pg_prewarm({{ literal(table) }}::pg_catalog.regclass)",
    "coalesce(1, 2)",
    "(1 OPERATOR(pg_catalog.+) 2)",
];

/// Function calls that must never pass, however they are spelled or nested.
const BAD_CALLS: &[&str] = &[
    "dblink_exec('dbname=x', 'TRUNCATE canary')",
    "\"dblink_exec\"('a', 'b')",
    "DBLINK_EXEC('a', 'b')",
    "public.dblink_exec('a', 'b')",
    "\"public\".\"dblink_exec\"('a', 'b')",
    "set_config('session_replication_role', 'replica', false)",
    "pg_catalog.set_config('search_path', 'x', true)",
    "pg_terminate_backend(42)",
    "pg_catalog.pg_cancel_backend(42)",
    "lo_import('/etc/passwd')",
    "pg_read_file('/etc/passwd')",
    "\"NOW\"()",
    "\"Pg_Catalog\".now()",
    "public.now()",
    "pg_prewarm('canary'::regclass)",
    "pg_catalog.pg_relation_size('canary'::regclass)",
    "pg_catalog.pg_relation_size('canary')",
    "{{ schema_of(pg_prewarm) }}.pg_prewarm('canary')",
    "(1 OPERATOR(public.+) 2)",
    "(SELECT count(*) FROM canary)",
];

/// Wrappers around an expression `@`: each keeps it an expression.
const EXPR_WRAPS: &[&str] = &[
    "coalesce(@, 0)",
    "(@)",
    "CAST(@ AS text)",
    "@::text",
    "(SELECT @)",
    "CASE WHEN true THEN @ END",
    "pg_catalog.count(@)",
    "max(@) FILTER (WHERE true)",
    "@ IS NULL",
    "@ IN (1, 2)",
    "1 IN (SELECT @)",
    "EXISTS (SELECT @)",
    "NOT (@ IS NOT NULL)",
    "least(@, 1) OPERATOR(pg_catalog.<=) 5",
];

/// Whole-query shapes around an expression `@`.
const QUERY_WRAPS: &[&str] = &[
    "SELECT @",
    "SELECT 1 WHERE @ IS NOT NULL",
    "SELECT 1 ORDER BY @",
    "SELECT 1 FROM (SELECT @ AS c) s",
    "WITH w AS (SELECT @ AS c) SELECT count(*) FROM w",
    "SELECT a.pid FROM pg_catalog.pg_stat_activity a JOIN pg_catalog.pg_locks l ON l.pid = a.pid AND @ IS NOT NULL",
    "SELECT count(*) FROM pg_stat_activity GROUP BY @ HAVING count(*) > 0",
];

/// Statements that must never pass as a second statement or on their own.
const BAD_STATEMENTS: &[&str] = &[
    "TRUNCATE canary",
    "DELETE FROM {{ ident(table) }}",
    "COPY canary TO '/tmp/x'",
    "DO $$ BEGIN END $$",
    "ALTER SYSTEM SET fsync = off",
    "SET session_replication_role = replica",
    "RESET ALL",
    "VACUUM canary",
    "DROP INDEX public.canary_pkey",
];

/// The byte offsets of spaces in `sql` outside quotes, comments and `{{ }}` calls.
fn spaces(sql: &str) -> Vec<usize> {
    let b = sql.as_bytes();
    let (mut i, mut out) = (0, Vec::new());
    while i < b.len() {
        let rest = &sql[i..];
        let skip_to = |end: &str, from: usize| {
            rest[from..]
                .find(end)
                .map_or(b.len(), |j| i + from + j + end.len())
        };
        i = match b[i] {
            b'\'' => skip_to("'", 1),
            b'"' => skip_to("\"", 1),
            b'{' if rest.starts_with("{{") => skip_to("}}", 2),
            b'-' if rest.starts_with("--") => skip_to("\n", 2),
            b'/' if rest.starts_with("/*") => skip_to("*/", 2),
            b'$' if rest.starts_with("$$") => skip_to("$$", 2),
            b' ' => {
                out.push(i);
                i + 1
            }
            _ => i + 1,
        };
    }
    out
}

/// Replaces one space of `sql` (outside quotes and comments) by a comment that
/// hides a statement, or by other whitespace.
fn decorate(sql: &str, at: usize, kind: u8) -> String {
    let spaces = spaces(sql);
    let Some(&i) = spaces.get(at % spaces.len().max(1)) else {
        return sql.to_string();
    };
    let insert = match kind % 3 {
        0 => " /* c; DELETE FROM canary */ ",
        1 => " -- c; TRUNCATE canary\n",
        _ => "\n\t ",
    };
    format!("{}{insert}{}", &sql[..i], &sql[i + 1..])
}

fn compose(call: &str, wraps: &[usize], shape: usize) -> String {
    let mut e = call.to_string();
    for w in wraps {
        e = EXPR_WRAPS[w % EXPR_WRAPS.len()].replace('@', &e);
    }
    QUERY_WRAPS[shape % QUERY_WRAPS.len()].replace('@', &e)
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(512))]

    /// Allowed calls in any nesting, with comments and a trailing semicolon, pass.
    #[test]
    fn allowed_shapes_always_pass(
        call in 0..GOOD_CALLS.len(),
        wraps in proptest::collection::vec(any::<usize>(), 0..5),
        shape in any::<usize>(),
        deco in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        semi in any::<bool>(),
    ) {
        let mut sql = compose(GOOD_CALLS[call], &wraps, shape);
        for (at, kind) in deco {
            sql = decorate(&sql, at, kind);
        }
        if semi {
            sql.push(';');
        }
        prop_assert!(run(&sql, STEP).is_ok(), "{sql}: {:?}", run(&sql, STEP));
    }

    /// A forbidden call anywhere in the tree, however nested, quoted or commented,
    /// never passes, nor does any statement followed by a second one.
    #[test]
    fn forbidden_shapes_never_pass(
        call in 0..BAD_CALLS.len(),
        wraps in proptest::collection::vec(any::<usize>(), 0..5),
        shape in any::<usize>(),
        deco in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
        second in proptest::option::of(0..BAD_STATEMENTS.len()),
    ) {
        let mut sql = compose(BAD_CALLS[call], &wraps, shape);
        for (at, kind) in deco {
            sql = decorate(&sql, at, kind);
        }
        prop_assert!(run(&sql, STEP).is_err(), "{sql} passed");
        if let Some(s) = second {
            let two = format!("{sql}; {}", BAD_STATEMENTS[s]);
            prop_assert!(run(&two, STEP).is_err(), "{two} passed");
            let first = ALLOWED[s % ALLOWED.len()].trim_end_matches([';', ' ']);
            let good = format!("{first}; {}", BAD_STATEMENTS[s]);
            prop_assert!(run(&good, STEP).is_err(), "{good} passed");
        }
    }

    /// Whole forbidden statements, decorated, never pass; allowed ones always do.
    #[test]
    fn statement_kinds_keep_their_verdict(
        bad in 0..BAD_STATEMENTS.len(),
        good in 0..ALLOWED.len(),
        deco in proptest::collection::vec((any::<usize>(), any::<u8>()), 0..4),
    ) {
        let (mut b, mut g) = (BAD_STATEMENTS[bad].to_string(), ALLOWED[good].to_string());
        for (at, kind) in deco {
            b = decorate(&b, at, kind);
            g = decorate(&g, at, kind);
        }
        prop_assert!(run(&b, STEP).is_err(), "{b} passed");
        prop_assert!(run(&g, STEP).is_ok(), "{g}: {:?}", run(&g, STEP));
    }
}

#[test]
fn text_the_server_could_read_differently_is_refused() {
    for (sql, why) in [
        // under standard_conforming_strings = off the string would end later
        (
            r"SELECT '\', pg_catalog.now() --', dblink_exec('a', 'b')",
            "backslash",
        ),
        (r"SELECT N'\', 1 --', dblink_exec('a', 'b')", "backslash"),
        ("SELECT U&\"d\\0062link_exec\"('a', 'b')", ""),
        ("SELECT $$x$$", "dollar"),
    ] {
        let e = run(sql, STEP).expect_err(sql);
        assert!(e.contains(why), "{sql}: {e}");
    }
    // E'' strings read the same either way; a backslash in a literal is quoted so
    run(r"SELECT pg_catalog.length(E'a\\b')", STEP).unwrap();
    let mut c = ctx();
    c.vars.insert("s".into(), Value::Text(r"a\b".into()));
    check_template(
        "SELECT pg_catalog.length({{ literal(s) }})",
        &c,
        STEP,
        &params(),
    )
    .unwrap();
    // comments end where PostgreSQL ends them
    for sql in [
        "SELECT 1 /* /* */ , dblink_exec('a', 'b') */",
        "SELECT 1 --\u{b} , dblink_exec('a', 'b')",
    ] {
        run(sql, STEP).unwrap_or_else(|e| panic!("{sql}: {e}"));
    }
    for sql in [
        "SELECT 1 -- c\r, dblink_exec('a', 'b')",
        "SELECT 1 /* c */, dblink_exec('a', 'b')",
    ] {
        assert!(run(sql, STEP).is_err(), "{sql}");
    }
}
