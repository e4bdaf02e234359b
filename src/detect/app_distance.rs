//! The distance the application searches a collection with, read from the
//! statements pg_stat_statements recorded (`ORDER BY column <op> ...` on the
//! table), weighted by calls; and the operator class it calls for on each
//! pgvector type. Read-only.

use anyhow::{Context, Result};
use postgres::GenericClient;

use crate::catalog::Collection;

/// pgvector's distance operators and the distance each stands for.
const OPERATORS: &[(&str, &str)] = &[
    ("<->", "l2"),
    ("<=>", "cosine"),
    ("<#>", "ip"),
    ("<+>", "l1"),
    ("<~>", "hamming"),
    ("<%>", "jaccard"),
];

/// The HNSW operator class of `distance` for a column of type `type_name`
/// (pgvector 0.8: vector, halfvec and sparsevec take l2, ip, cosine and l1;
/// bit takes hamming and jaccard), or None when the type has none for it.
pub fn hnsw_opclass(type_name: &str, distance: &str) -> Option<String> {
    let ok = match type_name {
        "vector" | "halfvec" | "sparsevec" => matches!(distance, "l2" | "ip" | "cosine" | "l1"),
        "bit" => matches!(distance, "hamming" | "jaccard"),
        _ => false,
    };
    ok.then(|| format!("{type_name}_{distance}_ops"))
}

/// The distance of one statement's ANN search of `c` (FROM the table, ORDER BY
/// the column with a distance operator, LIMIT), if it is one.
pub fn distance_of(query: &str, c: &Collection) -> Option<&'static str> {
    OPERATORS
        .iter()
        .find(|(op, _)| super::filtered::is_ann(query, &c.schema, &c.table, &c.column, op))
        .map(|(_, d)| *d)
}

/// The distance the application's recorded searches on `c` use most (by calls).
pub fn in_use(client: &mut impl GenericClient, c: &Collection) -> Result<Option<&'static str>> {
    let schema: Option<String> = client
        .query_opt(
            "SELECT n.nspname::text FROM pg_catalog.pg_extension e
               JOIN pg_catalog.pg_namespace n ON n.oid OPERATOR(pg_catalog.=) e.extnamespace
              WHERE e.extname OPERATOR(pg_catalog.=) 'pg_stat_statements'",
            &[],
        )
        .context("looking for pg_stat_statements")?
        .map(|r| r.get(0));
    let Some(schema) = schema else {
        return Ok(None);
    };
    let sql = format!(
        "SELECT s.query, s.calls FROM {}.pg_stat_statements s
          WHERE s.dbid OPERATOR(pg_catalog.=) (SELECT d.oid FROM pg_catalog.pg_database d
                 WHERE d.datname OPERATOR(pg_catalog.=) pg_catalog.current_database())
            AND pg_catalog.strpos(pg_catalog.lower(s.query), pg_catalog.lower($1)) OPERATOR(pg_catalog.>) 0
            AND pg_catalog.strpos(pg_catalog.lower(s.query), 'order by') OPERATOR(pg_catalog.>) 0
          ORDER BY s.calls DESC LIMIT 500",
        crate::sql::quote::ident(&schema)?
    );
    // Without pg_read_all_stats other roles' texts are hidden: they count for nothing.
    let Ok(rows) = client.query(&sql, &[&c.table]) else {
        return Ok(None);
    };
    let mut calls: Vec<(&'static str, i64)> = Vec::new();
    for r in &rows {
        let Some(d) = distance_of(r.get(0), c) else {
            continue;
        };
        let n: i64 = r.get(1);
        match calls.iter_mut().find(|(x, _)| *x == d) {
            Some(e) => e.1 += n,
            None => calls.push((d, n)),
        }
    }
    Ok(calls.into_iter().max_by_key(|(_, n)| *n).map(|(d, _)| d))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn an_unfiltered_ann_search_of_the_table_counts_and_other_statements_do_not() {
        use crate::detect::filtered::is_ann;
        let q = "SELECT id FROM b ORDER BY embedding <%> $1 LIMIT $2";
        assert!(is_ann(q, "public", "b", "embedding", "<%>"));
        assert!(!is_ann(q, "public", "b", "embedding", "<->"));
        assert!(!is_ann(
            "SELECT id FROM bb ORDER BY embedding <%> $1 LIMIT $2",
            "public",
            "b",
            "embedding",
            "<%>"
        ));
        assert!(!is_ann(
            "SELECT embedding <-> $1 FROM b ORDER BY id LIMIT 3",
            "public",
            "b",
            "embedding",
            "<->"
        ));
    }

    #[test]
    fn each_type_takes_its_own_operator_classes() {
        assert_eq!(
            hnsw_opclass("halfvec", "l2").as_deref(),
            Some("halfvec_l2_ops")
        );
        assert_eq!(
            hnsw_opclass("sparsevec", "cosine").as_deref(),
            Some("sparsevec_cosine_ops")
        );
        assert_eq!(
            hnsw_opclass("bit", "jaccard").as_deref(),
            Some("bit_jaccard_ops")
        );
        assert_eq!(hnsw_opclass("bit", "l2"), None);
        assert_eq!(hnsw_opclass("vector", "hamming"), None);
    }
}
