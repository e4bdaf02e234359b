//! Turning a user-typed `--collection` into one discovered collection, by
//! PostgreSQL's naming rules exactly.
//!
//! An unquoted name folds to lower case and matches only that (`DOCS` is `docs`);
//! a quoted name matches exactly (`"DOCS"` is only `"DOCS"`). Nothing is guessed:
//! when no collection has the name, the error lists the close names that exist
//! (same letters in another case, or a small edit distance) and picks none.

use anyhow::Result;

use super::Collection;
use crate::exit::usage;
use crate::sql::quote::fold_name;

/// Finds the collection `input` names (`table` or `schema.table`, PostgreSQL
/// quoting and case folding). Hostile, unknown or near-miss names give one
/// "no such collection" usage error (exit 64), naming close collections if any;
/// the name is compared with catalog data and never reaches SQL.
pub fn resolve<'a>(collections: &'a [Collection], input: &str) -> Result<&'a Collection> {
    let (schema, table) =
        fold_name(input).map_err(|e| usage(format!("no such collection: {input} ({e})")))?;
    let hits: Vec<&'a Collection> = collections
        .iter()
        .filter(|c| c.table == table && schema.as_ref().is_none_or(|s| c.schema == *s))
        .collect();
    match hits.as_slice() {
        [one] => Ok(one),
        [] => Err(usage(no_such(
            collections,
            input,
            schema.as_deref(),
            &table,
        ))),
        many => {
            let tables: std::collections::BTreeSet<&str> =
                many.iter().map(|c| c.collection.as_str()).collect();
            if tables.len() > 1 {
                return Err(usage(format!(
                    "ambiguous collection {input}: name the schema, one of {}",
                    tables.into_iter().collect::<Vec<_>>().join(", ")
                )));
            }
            // One table with several vector columns: the first one an ANN index covers.
            let ann = |c: &&&Collection| {
                c.indexes
                    .iter()
                    .any(|i| matches!(i.method.as_str(), "hnsw" | "ivfflat"))
            };
            Ok(many.iter().find(ann).unwrap_or(&many[0]))
        }
    }
}

/// The one-line error for a name that matches nothing, with the close names.
fn no_such(collections: &[Collection], input: &str, schema: Option<&str>, table: &str) -> String {
    let mut close: Vec<&str> = collections
        .iter()
        .filter(|c| near(table, &c.table) && schema.is_none_or(|s| near(s, &c.schema)))
        .map(|c| c.collection.as_str())
        .collect();
    close.sort_unstable();
    close.dedup();
    let hint = match close.as_slice() {
        [] => "`ruvheal collections` lists them".to_string(),
        some => format!(
            "close names that exist: {} (an unquoted name folds to lower case; quote it to keep its case)",
            some.iter().take(5).copied().collect::<Vec<_>>().join(", ")
        ),
    };
    format!("no such collection: {input} (no table with a vector column by that name; {hint})")
}

/// Whether `b` is a near miss of `a`: the same but for case, or a small edit
/// distance (1 for short names, 2 from six characters on).
fn near(a: &str, b: &str) -> bool {
    if a.to_lowercase() == b.to_lowercase() {
        return true;
    }
    let limit = if a.chars().count() >= 6 { 2 } else { 1 };
    edit_distance(a, b) <= limit
}

/// Levenshtein distance over characters.
fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != *cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    fn c(schema: &str, table: &str) -> Collection {
        Collection {
            collection: crate::sql::QualifiedName::new(schema, table).to_string(),
            schema: schema.into(),
            table: table.into(),
            column: "embedding".into(),
            type_name: "vector".into(),
            dims: Some(3),
            rows: None,
            kind: "table".into(),
            partitions: 0,
            indexes: vec![],
            oid: 0,
        }
    }

    fn err(list: &[Collection], input: &str) -> String {
        format!("{:#}", resolve(list, input).unwrap_err())
    }

    #[test]
    fn unquoted_folds_and_quoted_matches_exactly() {
        let both = [c("public", "docs"), c("public", "DOCS")];
        for (input, table) in [
            ("docs", "docs"),
            ("DOCS", "docs"),
            ("Docs", "docs"),
            ("public.DOCS", "docs"),
            ("PUBLIC.docs", "docs"),
            (r#""DOCS""#, "DOCS"),
            (r#"public."DOCS""#, "DOCS"),
            (r#""public"."DOCS""#, "DOCS"),
        ] {
            assert_eq!(resolve(&both, input).unwrap().table, table, "{input}");
        }
    }

    #[test]
    fn a_near_miss_is_named_and_never_picked() {
        let lower = [c("public", "docs")];
        let e = err(&lower, r#""DOCS""#);
        assert!(e.contains("no such collection: \"DOCS\""), "{e}");
        assert!(e.contains("close names that exist: public.docs"), "{e}");
        let upper = [c("public", "DOCS")];
        let e = err(&upper, "DOCS");
        assert!(
            e.contains(r#"close names that exist: public."DOCS""#),
            "{e}"
        );
        let e = err(&upper, r#""Docs""#);
        assert!(e.contains(r#"public."DOCS""#), "{e}");
        let e = err(&[c("public", "documents"), c("app", "docs")], "documnets");
        assert!(
            e.contains("close names that exist: public.documents"),
            "{e}"
        );
        assert!(!e.contains("app.docs"), "{e}");
        let e = err(&lower, r#"PUBLIC."docs x""#);
        assert!(e.contains("public.docs"), "{e}");
        let e = err(&lower, "zzz");
        assert!(e.contains("`ruvheal collections` lists them"), "{e}");
        assert!(!e.contains("close names"), "{e}");
        assert_eq!(e.lines().count(), 1);
    }

    #[test]
    fn ambiguity_and_edit_distance() {
        let two = [c("a", "docs"), c("b", "docs")];
        assert!(err(&two, "DOCS").contains("ambiguous collection DOCS"));
        assert_eq!(resolve(&two, "B.Docs").unwrap().schema, "b");
        assert_eq!(edit_distance("kitten", "sitting"), 3);
        assert_eq!(edit_distance("", "abc"), 3);
        assert_eq!(edit_distance("docs", "docs"), 0);
        assert!(near("docs", "doc") && !near("docs", "dx") && near("embeddings", "embedings"));
    }
}
