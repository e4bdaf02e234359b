//! `ruvheal playbooks list | show | validate`, and every bundled playbook's SQL
//! rendered for a real collection with hostile names and run on PostgreSQL.

use std::collections::BTreeMap;

use postgres::Client;
use ruvheal::playbook::{Action, Context, Library, ParamValue, Rendered, render};
use ruvheal::sql::QualifiedName;

use crate::harness::{clustered_table_sql, db, run, ruvheal};

const HEADER: &str = "description: test\nhandles: [dead_tuple_bloat]\nimpact: 0.1\nreversible: false\nrequires_approval: false\ntimeout: 10m\n";

/// Every playbook needs a verify; appended (at the end: no line moves) when the body has none.
const VERIFY: &str = "verify:\n  expect: [\"table.dead_ratio < 0.1\"]\n";

fn write(dir: &tempfile::TempDir, file: &str, name: &str, body: &str) {
    let verify = if body.contains("verify:") || !body.ends_with('\n') {
        ""
    } else {
        VERIFY
    };
    std::fs::write(
        dir.path().join(file),
        format!("name: {name}\n{HEADER}{body}{verify}"),
    )
    .unwrap();
}

fn vacuum_step(sql: &str) -> String {
    format!(
        "steps:\n  - name: s\n    do:\n      kind: sql\n      sql: {sql}\n      transaction: false\n"
    )
}

#[test]
fn validate_passes_on_the_bundled_set() {
    let (code, out, err) = run(ruvheal().args(["playbooks", "validate"]));
    assert_eq!(code, 0, "{out}{err}");
    assert_eq!(out.trim(), "13 playbooks valid");
    let (code, out, _) = run(ruvheal().args(["playbooks", "validate", "-o", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["problems"].as_array().unwrap().len(), 0);
    assert_eq!(v["valid"].as_array().unwrap().len(), 13);
}

#[test]
fn validate_reports_every_problem_with_file_line_column() {
    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "a_good.yaml",
        "good",
        &vacuum_step("VACUUM {{ ident(table) }}"),
    );
    std::fs::write(dir.path().join("b_syntax.yaml"), "name: x\nsteps: [a\n").unwrap();
    write(
        &dir,
        "c_field.yaml",
        "field",
        &format!("colour: red\n{}", vacuum_step("VACUUM {{ ident(table) }}")),
    );
    write(
        &dir,
        "d_delete.yaml",
        "del",
        &vacuum_step("DELETE FROM {{ ident(table) }}"),
    );
    write(
        &dir,
        "e_raw.yaml",
        "raw",
        &vacuum_step("VACUUM {{ table }}"),
    );
    write(
        &dir,
        "f_multi.yaml",
        "multi",
        &vacuum_step("\"VACUUM; DROP TABLE t\""),
    );
    write(
        &dir,
        "g_shell.yaml",
        "shell",
        "steps:\n  - name: s\n    do:\n      kind: shell\n      program: kubectl\n",
    );
    write(
        &dir,
        "h_dup.yaml",
        "good",
        &vacuum_step("VACUUM {{ ident(table) }}"),
    );
    write(
        &dir,
        "i_param.yaml",
        "param",
        &vacuum_step("\"ALTER TABLE {{ ident(table) }} SET (fillfactor = {{ number(ff) }})\""),
    );
    std::fs::write(dir.path().join("notes.txt"), "not a playbook").unwrap();
    let d = dir.path().display().to_string();
    let (code, out, err) = run(ruvheal().args(["playbooks", "validate", &d]));
    assert_eq!(code, 64, "{out}{err}");
    let want = [
        format!("{d}/b_syntax.yaml:3:1: YAML syntax:"),
        format!("{d}/c_field.yaml:8:1: colour: unknown field `colour`"),
        format!("{d}/d_delete.yaml:12:12: unsafe SQL: DELETE deletes user rows"),
        format!("{d}/e_raw.yaml:12:12: template: `{{{{ table }}}}` would splice raw text"),
        format!("{d}/f_multi.yaml:12:12: unsafe SQL: a step must hold exactly one SQL statement"),
        format!("{d}/g_shell.yaml:11:13: a shell step needs `requires_approval: true`"),
        format!("{d}/h_dup.yaml:1:7: playbook \"good\" is already defined in {d}/a_good.yaml"),
        format!("{d}/i_param.yaml:12:12: template uses undefined parameter \"ff\""),
    ];
    let lines: Vec<&str> = out.lines().collect();
    for w in &want {
        assert!(
            lines.iter().any(|l| l.starts_with(w.as_str())),
            "missing {w}\n{out}"
        );
    }
    assert_eq!(lines.len(), want.len() + 1, "{out}");
    assert_eq!(lines.last().unwrap(), &"8 problems; 1 playbooks valid");

    // one file
    let f = format!("{d}/d_delete.yaml");
    let (code, out, _) = run(ruvheal().args(["playbooks", "validate", &f, "-o", "json"]));
    assert_eq!(code, 64);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    assert_eq!(v["problems"][0]["line"], 12);
    assert_eq!(v["problems"][0]["column"], 12);
    let (code, _, err) = run(ruvheal().args(["playbooks", "validate", "/nonexistent/x.yaml"]));
    assert_eq!(code, 64, "{err}");
}

#[test]
fn list_and_show_the_library_with_overrides() {
    let (code, out, err) = run(ruvheal().args(["playbooks", "list", "-o", "json"]));
    assert_eq!(code, 0, "{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let list = v["playbooks"].as_array().unwrap();
    assert_eq!(list.len(), 13);
    let cancel = list
        .iter()
        .find(|p| p["name"] == "cancel_blocking_sessions")
        .unwrap();
    assert_eq!(cancel["requires_approval"], true);
    assert_eq!(cancel["source"], "bundled");

    let dir = tempfile::tempdir().unwrap();
    write(
        &dir,
        "v.yaml",
        "vacuum_collection",
        &vacuum_step("VACUUM {{ ident(table) }}"),
    );
    write(
        &dir,
        "mine.yaml",
        "my_vacuum",
        &vacuum_step("VACUUM {{ ident(table) }}"),
    );
    let d = dir.path().display().to_string();
    let (code, out, _) = run(ruvheal().args(["playbooks", "list", "--playbooks", &d]));
    assert_eq!(code, 0);
    let row = |name: &str| {
        out.lines()
            .find(|l| l.contains(&format!("| {name} ")))
            .unwrap_or_else(|| panic!("{out}"))
            .to_string()
    };
    assert!(
        row("vacuum_collection").contains(&format!("{d}/v.yaml")),
        "{out}"
    );
    assert!(row("my_vacuum").contains("dead_tuple_bloat"), "{out}");
    assert!(row("reindex_concurrently").contains("bundled"), "{out}");

    let (code, out, _) =
        run(ruvheal().args(["playbooks", "show", "rebuild_and_swap", "-o", "json"]));
    assert_eq!(code, 0);
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let steps = v["playbook"]["steps"].as_array().unwrap();
    let names: Vec<&str> = steps.iter().map(|s| s["name"].as_str().unwrap()).collect();
    assert_eq!(
        names,
        [
            "build_new",
            "new_index_valid",
            "measure_new_index",
            "drop_old",
            "rename_new"
        ]
    );
    assert_eq!(steps[0]["do"]["kind"], "sql");
    assert_eq!(steps[0]["do"]["transaction"], false);
    assert_eq!(steps[0]["undo"]["kind"], "sql");
    assert_eq!(v["playbook"]["timeout"], "6h");

    let (code, out, _) = run(ruvheal().args(["playbooks", "show", "tune_search_params"]));
    assert_eq!(code, 0);
    assert!(
        out.contains("hnsw.ef_search = {{ number(ef_search) }}"),
        "{out}"
    );
    assert!(
        out.contains("when: recall.ci_high < {{ target_recall }}"),
        "{out}"
    );

    let (code, _, err) = run(ruvheal().args(["playbooks", "show", "nope"]));
    assert_eq!(code, 64);
    assert!(err.contains("no playbook named \"nope\""), "{err}");

    // a broken folder is a usage error naming the place
    write(
        &dir,
        "bad.yaml",
        "bad",
        &vacuum_step("TRUNCATE {{ ident(table) }}"),
    );
    let (code, out, err) = run(ruvheal().args(["playbooks", "list", "--playbooks", &d]));
    assert_eq!(code, 64, "{out}");
    assert!(
        err.contains(&format!("{d}/bad.yaml:12:12: unsafe SQL: TRUNCATE")),
        "{err}"
    );
}

fn run_rendered(c: &mut Client, r: &Rendered, label: &str) {
    match r {
        Rendered::Sql {
            sql,
            transaction,
            settings,
            set,
            statement,
            index,
        } => {
            assert_eq!(set.len(), settings.len(), "{label}: {set:?} {settings:?}");
            if *transaction {
                let mut tx = c.transaction().unwrap();
                for s in settings {
                    tx.batch_execute(s)
                        .unwrap_or_else(|e| panic!("{label}: {s}: {e}"));
                }
                tx.simple_query(sql)
                    .unwrap_or_else(|e| panic!("{label}: {sql}: {e}"));
                tx.commit().unwrap();
            } else {
                for s in settings {
                    c.batch_execute(s)
                        .unwrap_or_else(|e| panic!("{label}: {s}: {e}"));
                }
                c.simple_query(sql)
                    .unwrap_or_else(|e| panic!("{label}: {sql}: {e}"));
                c.batch_execute("RESET ALL").unwrap();
            }
            // the index the step says it builds is the one the server built
            use ruvheal::playbook::StatementKind;
            if matches!(
                statement,
                StatementKind::CreateIndex | StatementKind::Reindex
            ) && let Some(ix) = index
            {
                let found: bool = c
                    .query_one(
                        "SELECT pg_catalog.to_regclass($1) IS NOT NULL",
                        &[&ix.sql().unwrap()],
                    )
                    .unwrap()
                    .get(0);
                assert!(found, "{label}: {sql} built no index {ix}");
            }
            if let StatementKind::CreateIndex = statement {
                assert!(index.is_some(), "{label}: {sql} names no index");
            }
        }
        Rendered::SetSetting {
            sql,
            reset_sql,
            previous_sql,
            setting,
            ..
        } => {
            let before: Option<String> = c
                .query_one(previous_sql.as_str(), &[])
                .unwrap_or_else(|e| panic!("{label}: {previous_sql}: {e}"))
                .get(0);
            assert_eq!(before, None, "{label}");
            c.batch_execute(sql)
                .unwrap_or_else(|e| panic!("{label}: {sql}: {e}"));
            let now: Option<String> = c.query_one(previous_sql.as_str(), &[]).unwrap().get(0);
            assert!(now.is_some(), "{label}: {setting} not recorded by {sql}");
            c.batch_execute(reset_sql)
                .unwrap_or_else(|e| panic!("{label}: {reset_sql}: {e}"));
            let after: Option<String> = c.query_one(previous_sql.as_str(), &[]).unwrap().get(0);
            assert_eq!(after, None, "{label}");
        }
        Rendered::WaitFor { sql, .. } => {
            let ok: bool = c
                .query_one(sql.as_str(), &[])
                .unwrap_or_else(|e| panic!("{label}: {sql}: {e}"))
                .get(0);
            assert!(ok, "{label}: {sql} is false");
        }
        Rendered::Check { .. } | Rendered::Shell { .. } => {}
    }
}

#[test]
fn every_bundled_sql_step_runs_on_postgres_with_hostile_names() {
    let db = db();
    let (schema, table, index) = ("My Schema", "it\"ems", "idx x'; DROP TABLE t; --");
    let role = format!("w {}", db.name);
    let q = |s: &str| format!("\"{}\"", s.replace('"', "\"\""));
    let qualified = format!("{}.{}", q(schema), q(table));
    let create_index = format!(
        "CREATE INDEX IF NOT EXISTS {} ON {qualified} USING hnsw (embedding vector_cosine_ops)",
        q(index)
    );
    db.sql(&format!("CREATE SCHEMA {}", q(schema)));
    db.sql(&clustered_table_sql(&qualified, 300, 8, 4));
    db.sql(&create_index);
    db.sql(&format!(
        "DROP ROLE IF EXISTS {0}; CREATE ROLE {0}",
        q(&role)
    ));
    // Run every step the way ruvheal's sessions run it: search_path pinned to
    // pg_catalog, pg_temp, so an unqualified extension function or operator class
    // would fail here (and `RESET ALL` returns to the pin, the session default).
    let pinned = format!(
        "{}{}options=-c%20search_path%3Dpg_catalog%2Cpg_temp",
        db.url,
        if db.url.contains('?') { "&" } else { "?" }
    );
    let mut c = postgres::Client::connect(&pinned, postgres::NoTls).unwrap();
    let path: String = c.query_one("SHOW search_path", &[]).unwrap().get(0);
    assert_eq!(path, "pg_catalog,pg_temp");
    let extensions: BTreeMap<String, String> = c
        .query(
            "SELECT e.extname::text, n.nspname::text FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace",
            &[],
        )
        .unwrap()
        .iter()
        .map(|r| (r.get(0), r.get(1)))
        .collect();
    let opclass = QualifiedName::new(&extensions["vector"], "vector_cosine_ops");
    let lib = Library::load(None).unwrap();
    for l in lib.iter() {
        let pb = &l.playbook;
        let mut params = BTreeMap::new();
        if pb.params.contains_key("writer_role") {
            params.insert("writer_role".to_string(), ParamValue::Str(role.clone()));
        }
        if pb.params.contains_key("index_opclass") {
            params.insert(
                "index_opclass".to_string(),
                ParamValue::Str("vector_cosine_ops".into()),
            );
            params.insert(
                "new_index_name".to_string(),
                ParamValue::Str(format!("{index} new")),
            );
        }
        let ctx = Context::collection(schema, table, "embedding", &db.name)
            .with_index(schema, index, "hnsw", opclass.clone())
            .with_invalid_index(schema, index, "hnsw", opclass.clone())
            .with_extensions(extensions.clone())
            .with_params(pb, &params)
            .unwrap();
        let mut undo = Vec::new();
        for step in &pb.steps {
            let label = format!("{}.{}", pb.name, step.name);
            let r = render(&step.action, &ctx).unwrap();
            if let Rendered::Sql { sql, .. } = &r {
                // names arrive quoted: the hostile schema shows up as "My Schema"
                let quoted = sql.contains(&q(schema))
                    || sql.contains(&q(&role))
                    || sql.contains("\"public\"");
                assert!(quoted || !sql.contains('"'), "{label}: {sql}");
                assert!(!sql.contains("{{"), "{label}: {sql}");
            }
            run_rendered(&mut c, &r, &label);
            if let Some(u) = &step.undo {
                undo.push((format!("{label} (undo)"), render(u, &ctx).unwrap()));
            }
        }
        for (label, r) in undo.iter().rev() {
            run_rendered(&mut c, r, label);
        }
        if pb.name == "throttle_ingestion" {
            let limit: i32 = c
                .query_one(
                    "SELECT rolconnlimit FROM pg_roles WHERE rolname = $1",
                    &[&role],
                )
                .unwrap()
                .get(0);
            assert_eq!(limit, -1, "undo restored the limit");
        }
        // whatever the playbook did, the collection still has its rows and its index
        let rows: i64 = c
            .query_one(&format!("SELECT count(*) FROM {qualified}"), &[])
            .unwrap()
            .get(0);
        assert_eq!(rows, 300, "{}", pb.name);
        db.sql(&create_index);
        let valid: bool = c
            .query_one(
                "SELECT i.indisvalid FROM pg_index i JOIN pg_class x ON x.oid = i.indexrelid WHERE x.relname = $1",
                &[&index],
            )
            .unwrap()
            .get(0);
        assert!(valid, "{}", pb.name);
    }
    drop(c);
    db.sql(&format!("DROP ROLE IF EXISTS {}", q(&role)));
    // a shell step renders to argv without quoting
    let scale = ruvheal::playbook::parse_playbook(
        "scale.yaml",
        "name: scale\ndescription: scale\nhandles: [replication_lag]\nimpact: 0.5\nreversible: false\n\
         requires_approval: true\ntimeout: 1m\nparams:\n  replicas: {type: int, default: 3}\n\
         steps:\n  - name: scale\n    do:\n      kind: shell\n      program: kubectl\n\
         \x20     args: [\"scale\", \"statefulset/postgres-replica\", \"--replicas={{ number(replicas) }}\"]\n\
         verify:\n  expect: [\"replication.standbys >= 3\"]\n",
    )
    .unwrap();
    let ctx = Context::collection("s", "t", "e", "d")
        .with_params(&scale, &BTreeMap::new())
        .unwrap();
    let Action::Shell { .. } = &scale.steps[0].action else {
        panic!()
    };
    assert_eq!(
        render(&scale.steps[0].action, &ctx).unwrap(),
        Rendered::Shell {
            program: "kubectl".into(),
            args: vec![
                "scale".into(),
                "statefulset/postgres-replica".into(),
                "--replicas=3".into()
            ]
        }
    );
}

#[test]
fn a_playbook_naming_a_missing_extension_is_blocked_not_fatal() {
    let db = crate::harness::db();
    crate::harness::mass_deleted_without_vacuum(&db);
    db.sql("DROP EXTENSION pg_prewarm");
    let dir = tempfile::tempdir().unwrap();
    // Overrides vacuum_collection, which the dead tuples make the planner choose.
    std::fs::write(
        dir.path().join("v.yaml"),
        "name: vacuum_collection\ndescription: prewarm instead\nhandles: [dead_tuple_bloat]\n\
         impact: 0.1\nreversible: false\nrequires_approval: false\ntimeout: 10m\n\
         steps:\n  - name: p\n    do:\n      kind: sql\n      sql: \
         SELECT {{ schema_of(pg_prewarm) }}.pg_prewarm({{ literal(table) }}::pg_catalog.regclass)\n\
         verify:\n  expect: [\"table.dead_ratio < 0.1\"]\n",
    )
    .unwrap();
    let d = dir.path().display().to_string();
    let (code, out, err) = run(db.cmd().args([
        "plan",
        "--collection",
        "emb",
        "-o",
        "json",
        "--playbooks",
        &d,
    ]));
    assert!(code == 0 || code == 1, "{code}: {out}{err}");
    let v: serde_json::Value = serde_json::from_str(&out).unwrap();
    let blocked = v["blocked"].as_array().unwrap();
    assert!(
        blocked.iter().any(|b| b["class"] == "dead_tuple_bloat"
            && b["reason"]
                .as_str()
                .unwrap()
                .contains("the pg_prewarm extension is not installed")),
        "{v}"
    );
    assert!(
        v["plans"]
            .as_array()
            .unwrap()
            .iter()
            .all(|p| p["playbook"] != "vacuum_collection"),
        "{v}"
    );
}
