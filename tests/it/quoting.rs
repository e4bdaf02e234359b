//! The quoting module against the real server: whatever the name or value, the
//! server sees exactly that identifier or literal (differential, property-based).

use proptest::prelude::*;
use ruvheal::sql::quote::{QualifiedName, ident, literal};

use crate::harness::db;

fn name_strategy() -> impl Strategy<Value = String> {
    // Printable unicode including quotes, dots, semicolons, spaces, backslashes.
    proptest::string::string_regex(r#"[a-zA-Z0-9 "'.;\\$_\-éß向量✓()]{1,20}"#).unwrap()
}

#[test]
fn identifiers_and_literals_round_trip_through_the_server() {
    let db = db();
    let c = std::cell::RefCell::new(db.client());
    c.borrow_mut()
        .batch_execute("CREATE SCHEMA \"Q s\"")
        .unwrap();
    let mut runner = proptest::test_runner::TestRunner::new(ProptestConfig {
        cases: 96,
        ..ProptestConfig::default()
    });
    runner
        .run(&(name_strategy(), any::<String>()), |(name, value)| {
            let mut c = c.borrow_mut();
            // Identifiers: create a table by that exact name, find it in the catalog,
            // and check the server's own format('%I.%I') names the same object.
            let q = QualifiedName::new("Q s", &name);
            let ours = q.sql().unwrap();
            c.batch_execute(&format!("CREATE TABLE {ours} (x int)")).unwrap();
            let (found, same): (i64, bool) = {
                let r = c
                    .query_one(
                        "SELECT (SELECT count(*) FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace \
                                 WHERE n.nspname = 'Q s' AND c.relname = $1), \
                                to_regclass($2) = to_regclass(format('%I.%I', 'Q s', $1::text))",
                        &[&name, &ours],
                    )
                    .unwrap();
                (r.get(0), r.get(1))
            };
            prop_assert_eq!(found, 1, "table {:?} via {}", name, ours);
            prop_assert!(same, "{} and the server's quoting differ", ours);
            c.batch_execute(&format!("DROP TABLE {ours}")).unwrap();
            // Literals: the server reads back exactly the value, in one statement.
            let value: String = value.chars().filter(|c| *c != '\0').collect();
            let lit = literal(&value).unwrap();
            let back: String = c
                .query_one(&format!("SELECT {lit}::text"), &[])
                .unwrap()
                .get(0);
            prop_assert_eq!(&back, &value);
            Ok(())
        })
        .unwrap();
    assert!(ident("x\0").is_err(), "NUL is refused, never truncated");
}

#[test]
fn literals_mean_the_same_without_standard_conforming_strings() {
    let db = db();
    let mut c = db.client();
    c.batch_execute("SET standard_conforming_strings = off")
        .unwrap();
    for v in [r"a\b", r"\'; drop table x; --", "it's", r"\\", "plain"] {
        let back: String = c
            .query_one(&format!("SELECT {}::text", literal(v).unwrap()), &[])
            .unwrap()
            .get(0);
        assert_eq!(back, v);
    }
}
