//! Validation tests: the bundled set, located problems, and malformed input.

use proptest::prelude::*;

use super::*;
use crate::playbook::library::{BUNDLED, Library};

const GOOD: &str = r#"name: ok
description: fine
handles: [dead_tuple_bloat]
impact: 0.1
reversible: false
requires_approval: false
timeout: 30m
steps:
  - name: vacuum
    do:
      kind: sql
      sql: VACUUM {{ ident(table) }}
      transaction: false
"#;

/// A `verify` every playbook needs, appended to the cases below that lack one
/// (at the end: no line or column moves); the rule has its own test.
const VERIFY: &str = "verify:\n  expect: [\"table.dead_ratio < 0.1\"]\n";

fn problems(text: &str) -> Vec<String> {
    let text = if text.contains("verify:") || !text.ends_with('\n') {
        text.to_string()
    } else {
        format!("{text}{VERIFY}")
    };
    match parse_playbook("f.yaml", &text) {
        Ok(_) => vec![],
        Err(p) => p.iter().map(ToString::to_string).collect(),
    }
}

#[test]
fn bundled_playbooks_are_valid_and_cover_their_classes() {
    let lib = Library::bundled().unwrap_or_else(|p| {
        panic!(
            "{}",
            p.iter()
                .map(ToString::to_string)
                .collect::<Vec<_>>()
                .join("\n")
        )
    });
    assert_eq!(lib.len(), BUNDLED.len());
    for class in [
        Class::DeadTupleBloat,
        Class::InvalidIndex,
        Class::MissingIndex,
        Class::RecallDegradation,
        Class::MaintenanceContention,
        Class::CentroidSkew,
    ] {
        assert!(lib.for_class(class).next().is_some(), "{class}");
    }
    for l in lib.iter() {
        if l.playbook.has_shell() {
            assert!(l.playbook.requires_approval, "{}", l.playbook.name);
        }
    }
}

#[test]
fn when_conditions_use_defaults_unless_the_planner_overrides() {
    use std::collections::BTreeMap;
    let lib = Library::bundled().unwrap();
    let vacuum = &lib.get("vacuum_collection").unwrap().playbook;
    let m = |x: f64| BTreeMap::from([("table.dead_ratio".to_string(), x)]);
    let none = BTreeMap::new();
    assert!(vacuum.applies(&m(0.3), &none));
    assert!(!vacuum.applies(&m(0.05), &none));
    assert!(!vacuum.applies(&BTreeMap::new(), &none), "unmeasured");
    let low = BTreeMap::from([(
        "min_dead_ratio".to_string(),
        crate::playbook::ParamValue::Float(0.01),
    )]);
    assert!(vacuum.applies(&m(0.05), &low));
    let values = vacuum.param_values(&low);
    assert!(vacuum.verify.holds(&m(0.3), &m(0.005), &values));
    assert!(!vacuum.verify.holds(&m(0.3), &m(0.05), &values));
}

/// GOOD with its one SQL statement replaced (a YAML block scalar whose text starts at 13:9).
fn with_sql(sql: &str) -> String {
    GOOD.replace(
        "      sql: VACUUM {{ ident(table) }}\n",
        &format!("      sql: |\n        {sql}\n"),
    )
}

#[test]
fn forbidden_statements_are_rejected_at_their_step() {
    for sql in [
        "DELETE FROM {{ ident(table) }} WHERE id < 10",
        "UPDATE {{ ident(table) }} SET {{ ident(column) }} = NULL",
        "TRUNCATE {{ ident(table) }}",
        "DROP TABLE {{ ident(table) }}",
        "ALTER TABLE {{ ident(table) }} DROP COLUMN {{ ident(column) }}",
        "ALTER TABLE {{ ident(table) }} ALTER COLUMN {{ ident(column) }} TYPE vector(3)",
        "INSERT INTO {{ ident(table) }} (id) VALUES (1) ON CONFLICT (id) DO UPDATE SET id = 2",
        "MERGE INTO {{ ident(table) }} t USING u ON t.id = u.id WHEN MATCHED THEN DELETE",
        "COPY {{ ident(table) }} FROM '/tmp/x'",
        "VACUUM {{ ident(table) }}; DELETE FROM {{ ident(table) }}",
    ] {
        let got = problems(&with_sql(sql));
        assert_eq!(got.len(), 1, "{sql}: {got:?}");
        assert!(
            got[0].starts_with("f.yaml:13:9: unsafe SQL: "),
            "{sql}: {got:?}"
        );
    }
}

#[test]
fn allowed_statements_pass_validation() {
    for sql in [
        "CREATE INDEX CONCURRENTLY {{ ident(index_name) }} ON {{ ident(table) }} USING hnsw ({{ ident(column) }} {{ ident(opclass) }}) WITH (m = 16)",
        "DROP INDEX CONCURRENTLY IF EXISTS {{ ident(index) }}",
        "ALTER INDEX {{ ident(index) }} RENAME TO {{ ident(index_name) }}",
        "REINDEX INDEX CONCURRENTLY {{ ident(index) }}",
        "VACUUM (ANALYZE, VERBOSE) {{ ident(table) }}",
        "ANALYZE {{ ident(table) }}",
        "ALTER TABLE {{ ident(table) }} SET (autovacuum_vacuum_scale_factor = 0.01)",
        "ALTER TABLE {{ ident(table) }} RESET (autovacuum_vacuum_scale_factor)",
        "ALTER DATABASE {{ ident(database) }} SET hnsw.ef_search = 100",
        "SELECT {{ schema_of(pg_prewarm) }}.pg_prewarm({{ literal(index) }}::regclass)",
        "SET maintenance_work_mem = '2GB'",
    ] {
        assert_eq!(problems(&with_sql(sql)), Vec::<String>::new(), "{sql}");
    }
}

#[test]
fn talked_past_statements_are_rejected_at_their_step() {
    for (sql, why) in [
        (
            "SELECT dblink_exec('dbname=x', 'TRUNCATE canary')",
            "runs SQL over another connection",
        ),
        (
            "SELECT set_config('session_replication_role', 'replica', false)",
            "set_config",
        ),
        (
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity",
            "signals_backends",
        ),
        ("VACUUM canary", "not the collection's"),
        ("SELECT pg_prewarm('canary'::regclass)", "allow-list"),
    ] {
        let got = problems(&with_sql(sql));
        assert_eq!(got.len(), 1, "{sql}: {got:?}");
        assert!(
            got[0].starts_with("f.yaml:13:9: unsafe SQL: ") && got[0].contains(why),
            "{sql}: {got:?}"
        );
    }
}

const TERMINATE: &str =
    "SELECT pg_catalog.pg_terminate_backend(pid) FROM pg_catalog.pg_stat_activity";

#[test]
fn signalling_backends_needs_a_marked_step_behind_approval() {
    let marked = with_sql(TERMINATE).replace(
        "  - name: vacuum\n",
        "  - name: vacuum\n    signals_backends: true\n",
    );
    // marked but not approved: the mark is refused and does not open the call
    let got = problems(&marked);
    assert_eq!(got.len(), 2, "{got:?}");
    assert!(
        got[0].starts_with(
            "f.yaml:10:23: a step that signals backends needs `requires_approval: true`"
        ),
        "{got:?}"
    );
    assert!(
        got[1]
            .starts_with("f.yaml:14:9: unsafe SQL: pg_terminate_backend() signals other sessions"),
        "{got:?}"
    );
    let approved = marked.replace("requires_approval: false", "requires_approval: true");
    assert_eq!(problems(&approved), Vec::<String>::new());
    let unmarked =
        with_sql(TERMINATE).replace("requires_approval: false", "requires_approval: true");
    let got = problems(&unmarked);
    assert!(
        got.len() == 1 && got[0].contains("signals_backends: true"),
        "{got:?}"
    );
}

#[test]
fn wait_for_and_settings_are_checked_too() {
    let text = GOOD.replace(
        "      kind: sql\n      sql: VACUUM {{ ident(table) }}\n      transaction: false\n",
        "      kind: wait_for\n      condition: SELECT dblink_exec('a', 'b') IS NULL\n      timeout: 1m\n",
    );
    let got = problems(&text);
    assert!(
        got.len() == 1 && got[0].starts_with("f.yaml:12:18: unsafe SQL: function dblink_exec()"),
        "{got:?}"
    );
    let text = GOOD.replace(
        "      transaction: false\n",
        "      transaction: false\n      settings:\n        session_replication_role: replica\n",
    );
    let got = problems(&text);
    assert!(
        got.len() == 1
            && got[0].starts_with("f.yaml:15:35: unsafe setting: setting session_replication_role"),
        "{got:?}"
    );
    let text = GOOD.replace(
        "      kind: sql\n      sql: VACUUM {{ ident(table) }}\n      transaction: false\n",
        "      kind: set_setting\n      scope: database\n      setting: search_path\n      value: \"'evil'\"\n",
    );
    let got = problems(&text);
    assert!(
        got.len() == 1 && got[0].contains("unsafe setting: setting search_path"),
        "{got:?}"
    );
}

#[test]
fn a_reversible_playbook_needs_an_undo_for_lasting_steps() {
    let text = GOOD.replace("reversible: false", "reversible: true");
    assert_eq!(
        problems(&text),
        ["f.yaml:9:11: the playbook says reversible: true, but step \"vacuum\" has no undo"]
    );
}

#[test]
fn a_good_playbook_has_no_problems() {
    assert_eq!(problems(GOOD), Vec::<String>::new());
}

#[test]
fn structural_errors_are_located() {
    let cases = [
        (
            GOOD.replace("impact: 0.1", "impact: 0.1\ncolour: red"),
            "f.yaml:5:1: colour: unknown field `colour`",
        ),
        (
            GOOD.replace("[dead_tuple_bloat]", "[dead_tuple_bloat, slowness]"),
            "f.yaml:3:29: handles[1]: unknown variant `slowness`",
        ),
        (
            GOOD.replace("reversible: false", "reversible: maybe"),
            "f.yaml:5:13: reversible: invalid type",
        ),
        (
            GOOD.replace("timeout: 30m", "timeout: soon"),
            "f.yaml:7:10: timeout: bad duration",
        ),
        (
            GOOD.replace("kind: sql", "kind: magic"),
            "f.yaml:11:13: steps[0]: unknown variant `magic`",
        ),
        (
            GOOD.replace("handles:", "when: [\"table.dead_ratio = 1\"]\nhandles:"),
            "f.yaml:3:8: when[0]: condition",
        ),
        (GOOD.replace("name: vacuum", "name: [vacuum"), "f.yaml:"),
    ];
    for (text, want) in cases {
        let got = problems(&text);
        assert_eq!(got.len(), 1, "{got:?}");
        assert!(got[0].starts_with(want), "want {want:?}, got {:?}", got[0]);
    }
}

#[test]
fn every_semantic_problem_is_reported_at_its_node() {
    let text = r#"name: Bad-Name
description: several problems
handles: [unknown]
when:
  - "table.dead_ratio > {{ nope }}"
impact: 1.5
reversible: false
requires_approval: false
timeout: 1h
params:
  who:
    type: identifier
    default: 5
steps:
  - name: a
    do:
      kind: sql
      sql: DELETE FROM {{ ident(table) }}
  - name: a
    do:
      kind: sql
      sql: VACUUM {{ table }}
  - name: c
    do:
      kind: sql
      sql: "VACUUM {{ ident(table) }}; DROP TABLE x"
      transaction: false
  - name: d
    do:
      kind: shell
      program: kubectl
      args: ["{{ literal(who) }}"]
  - name: e
    do:
      kind: sql
      sql: REINDEX INDEX CONCURRENTLY {{ ident(index) }}
    undo:
      kind: sql
      sql: SELECT {{ number(undefined_param) }}
  - name: f
    do:
      kind: check
      detector: vibes
"#;
    let got = problems(text);
    let want = [
        "f.yaml:1:7: name \"Bad-Name\"",
        "f.yaml:3:11: class unknown is never auto-healed",
        "f.yaml:5:5: condition uses undefined parameter \"nope\"",
        "f.yaml:6:9: impact 1.5 is outside 0..=1",
        "f.yaml:13:14: default 5 is not of type identifier",
        "f.yaml:18:12: unsafe SQL: DELETE deletes user rows",
        "f.yaml:19:11: step name \"a\" is used twice",
        "f.yaml:22:12: template: `{{ table }}` would splice raw text",
        "f.yaml:26:12: unsafe SQL: a step must hold exactly one SQL statement, found 2",
        "f.yaml:30:13: a shell step needs `requires_approval: true`",
        "f.yaml:32:14: shell arguments are not SQL",
        "f.yaml:36:12: CONCURRENTLY and VACUUM cannot run inside a transaction",
        "f.yaml:39:12: template uses undefined parameter \"undefined_param\"",
        "f.yaml:43:17: unknown detector \"vibes\"",
    ];
    for w in want {
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "missing {w:?} in\n{}",
            got.join("\n")
        );
    }
    assert_eq!(got.len(), want.len(), "{}", got.join("\n"));
}

#[test]
fn every_bad_condition_and_duration_is_reported() {
    let text = GOOD.replace("timeout: 30m", "timeout: 30").replace(
        "handles:",
        "when:\n  - \"a.b < x\"\n  - \"table.dead_ratio >= 0.2\"\n  - \"c\"\nhandles:",
    ) + "verify:\n  expect: [\"x ~ 1\", \"table.dead_ratio < 0.1\"]\n";
    let got = problems(&text);
    let want = [
        "f.yaml:4:5: when[0]: condition",
        "f.yaml:6:5: when[2]: condition",
        "f.yaml:11:10: timeout: bad duration",
        "f.yaml:19:12: verify: condition",
    ];
    assert_eq!(got.len(), want.len(), "{got:?}");
    for (g, w) in got.iter().zip(want) {
        assert!(g.starts_with(w), "want {w:?}, got {g:?}");
    }
}

#[test]
fn every_structural_problem_is_reported_once() {
    let text = r#"name: many
description: several structural problems
handles: [dead_tuple_bloat, slowness]
impact: 0.1
reversible: maybe
requires_approval: false
timeout: 10m
colour: red
steps:
  - name: a
    do:
      kind: magic
  - name: b
    do:
      kind: sql
      sql: VACUUM
      transaction: false
      retries: 3
  - name: c
    do: {kind: check, detector: table}
"#;
    let got = problems(text);
    let want = [
        "f.yaml:3:29: handles[1]: unknown variant `slowness`",
        "f.yaml:5:13: reversible: invalid type",
        "f.yaml:8:1: colour: unknown field `colour`",
        "f.yaml:12:13: steps[0]: unknown variant `magic`",
        "f.yaml:18:7: steps[1]: unknown field `retries`",
    ];
    for w in want {
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "missing {w:?} in\n{}",
            got.join("\n")
        );
    }
    assert_eq!(got.len(), want.len(), "{}", got.join("\n"));
}

#[test]
fn semantic_problems_are_found_next_to_structural_ones() {
    let text = r#"name: bad
description: demo
handles: [dead_tuple_bloat, nope]
impact: 2
reversible: false
requires_approval: maybe
timeout: 10m
params:
  n:
    type: int
    default: many
steps:
  - name: wipe
    do:
      kind: sql
      sql: DELETE FROM {{ ident(table) }}
  - name: broken
    do:
      kind: sql
      sql: VACUUM
      retries: 1
  - name: raw
    do:
      kind: sql
      sql: VACUUM {{ table }} {{ number(n) }}
      transaction: false
"#;
    let got = problems(text);
    let want = [
        "f.yaml:3:29: handles[1]: unknown variant `nope`",
        "f.yaml:4:9: impact 2 is outside 0..=1",
        "f.yaml:6:20: requires_approval: invalid type",
        "f.yaml:11:14: default many is not of type int",
        "f.yaml:16:12: unsafe SQL: DELETE deletes user rows",
        "f.yaml:21:7: steps[1]: unknown field `retries`",
        "f.yaml:25:12: template: `{{ table }}` would splice raw text",
    ];
    for w in want {
        assert!(
            got.iter().any(|g| g.starts_with(w)),
            "missing {w:?} in\n{}",
            got.join("\n")
        );
    }
    assert_eq!(got.len(), want.len(), "{}", got.join("\n"));
}

#[test]
fn yaml_syntax_and_document_count_are_checked() {
    assert!(problems("name: [x\n")[0].starts_with("f.yaml:"));
    assert!(problems("")[0].contains("no playbook"));
    let two = format!("{GOOD}---\n{GOOD}");
    assert!(
        problems(&two)[0].starts_with("f.yaml:15:1: one playbook per file"),
        "{:?}",
        problems(&two)
    );
}

proptest! {
    #![proptest_config(ProptestConfig::with_cases(256))]

    /// Mutated playbooks (bytes dropped, duplicated or replaced) give problems or a
    /// playbook, never a panic; every problem has a position inside the file.
    #[test]
    fn mutated_yaml_never_panics(
        which in 0..BUNDLED.len(),
        edits in proptest::collection::vec((any::<prop::sample::Index>(), 0u8..4, any::<char>()), 1..6),
    ) {
        let mut text: Vec<char> = BUNDLED[which].1.chars().collect();
        for (at, op, c) in edits {
            if text.is_empty() { break; }
            let i = at.index(text.len());
            match op {
                0 => { text.remove(i); }
                1 => text.insert(i, c),
                2 => text[i] = c,
                _ => text.insert(i, ['{', '}', ':', '-', '\n', '"', '\'', '[', '&', '*'][i % 10]),
            }
        }
        let text: String = text.into_iter().collect();
        if let Err(ps) = parse_playbook("m.yaml", &text) {
            prop_assert!(!ps.is_empty());
            // YAML breaks lines at a lone CR too (str::lines does not).
            let lines = text.split(['\n', '\r']).count().max(1) + 1;
            for p in ps {
                prop_assert!(p.line >= 1 && p.line <= lines && p.column >= 1, "{p}");
            }
        }
    }

    /// Arbitrary text is handled too.
    #[test]
    fn arbitrary_text_never_panics(text in "\\PC{0,200}") {
        let _ = parse_playbook("a.yaml", &text);
    }
}

#[test]
fn a_playbook_without_verify_is_refused() {
    assert_eq!(
        match parse_playbook("f.yaml", GOOD) {
            Ok(_) => vec![],
            Err(p) => p.iter().map(ToString::to_string).collect::<Vec<_>>(),
        },
        vec![
            "f.yaml:1:1: a playbook needs a verify (expect conditions or an improves metric): \
             without one its repair would count as verified with nothing measured"
                .to_string()
        ]
    );
    assert!(problems(GOOD).is_empty());
}
